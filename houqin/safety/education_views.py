"""Pages of safety education (安全教育). Thin: parse, call safety.education, render. The list shows
the term's plan against what was held, topic by topic, and the sessions; class teachers plan and
record the lessons of their classes, the director those of the whole kindergarten."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import policy
from houqin.safety import education, forms
from houqin.safety.views import _form_page, _history

PAGE_SIZE = 50


def _url(name, kg, **kwargs):
    return reverse(f"safety:{name}", kwargs={"kg": kg, **kwargs})


def _period(request) -> tuple[dt.date, dt.date]:
    from houqin.core.calendar import current_term

    today = timezone.localdate()
    term = current_term(today)
    try:
        start = dt.date.fromisoformat(request.GET.get("start") or "")
    except ValueError:
        start = term.start
    try:
        end = dt.date.fromisoformat(request.GET.get("end") or "")
    except ValueError:
        end = term.end
    return start, max(start, end)


def _classes(actor):
    from houqin.org.models import SchoolClass

    return policy.scoped(actor, "safety.education.record", SchoolClass.objects.filter(is_active=True)).order_by(
        "campus__name", "sort_order", "name")


@policy.requires("safety.education.view")
def lesson_list(request, kg):
    actor = request.actor
    start, end = _period(request)
    status = request.GET.get("status", "all")
    if status not in education.LESSON_FILTERS:
        status = "all"
    rows = education.lesson_list(actor=actor, status=status, start=start, end=end)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "safety/lesson_list.html", {
        "page": page, "status": status, "start": start, "end": end, "today": timezone.localdate(),
        "plan": education.plan_against_done(actor=actor, start=start, end=end),
        "can_record": actor.has("safety.education.record"),
        "filters": [("all", _("All")), ("planned", _("Planned")), ("held", _("Held")),
                    ("overdue", _("Planned day passed"))],
    })


@policy.requires("safety.education.record")
def lesson_create(request, kg):
    actor = request.actor
    form = forms.LessonForm(request.POST or None, classes=_classes(actor),
                            initial={"planned_on": timezone.localdate(), "audience": "children"})

    def action(data):
        return education.lesson_plan(actor=actor, **data)

    return _form_page(request, form, action, title=_("Plan safety education"),
                      success=lambda lesson: _url("lesson_detail", kg, code=lesson.code),
                      context={"intro": _("A lesson for one class, a talk or training for staff, a talk or a "
                                          "letter for parents. Record it as held on the day.")},
                      message=_("Saved."))


@policy.requires("safety.education.view")
def lesson_detail(request, kg, code):
    actor = request.actor
    lesson = education.get_lesson(actor=actor, code=code)
    can_record = policy.allowed(actor, "safety.education.record", lesson)
    return render(request, "safety/lesson_detail.html", {
        "lesson": lesson, "can_record": can_record,
        "held_form": forms.LessonHeldForm(initial={"held_on": min(lesson.planned_on, timezone.localdate())})
        if can_record and not lesson.is_held else None,
        "history": _history(lesson),
    })


@policy.requires("safety.education.record")
def lesson_hold(request, kg, code):
    actor = request.actor
    lesson = education.get_lesson(actor=actor, code=code)
    form = forms.LessonHeldForm(request.POST or None,
                                initial={"held_on": min(lesson.planned_on, timezone.localdate())})

    def action(data):
        return education.lesson_hold(actor=actor, lesson=lesson, **data)

    return _form_page(request, form, action, title=_("Record as held: %(title)s") % {"title": lesson.title},
                      success=lambda s: _url("lesson_detail", kg, code=s.code), message=_("Recorded as held."))


@policy.requires("safety.education.record")
def lesson_void(request, kg, code):
    actor = request.actor
    lesson = education.get_lesson(actor=actor, code=code)
    form = forms.ReasonForm(request.POST or None)

    def action(data):
        return education.lesson_void(actor=actor, lesson=lesson, reason=data["reason"])

    return _form_page(request, form, action, title=_("Void: %(title)s") % {"title": lesson.title},
                      success=lambda s: _url("lesson_list", kg), message=_("Voided."))

"""Pages of the injuries told to parents (意外伤害登记). Thin: parse, call safety.injuries, render.

Staff see the injuries of their scope (class staff: their classes) and record them; a parent sees
their own children's and answers each one (acknowledges it, or disputes it in words)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin import policy
from houqin.core.errors import DomainError
from houqin.core.history import history_rows
from houqin.safety import forms, injuries
from houqin.safety.views import _form_page

PAGE_SIZE = 50


def _url(name, kg, **kwargs):
    return reverse(f"safety:{name}", kwargs={"kg": kg, **kwargs})


def _children(actor):
    from houqin.org.models import Child

    return policy.scoped(actor, "safety.injury.record", Child.objects.active().filter(
        left_on__isnull=True, school_class__isnull=False)).select_related("school_class").order_by(
        "school_class__name", "name_pinyin", "name")


@policy.requires("safety.injury.view")
def injury_list(request, kg):
    actor = request.actor
    status = request.GET.get("status", "all")
    if status not in injuries.INJURY_FILTERS:
        status = "all"
    page = Paginator(injuries.injury_list(actor=actor, status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "safety/injury_list.html", {
        "page": page, "status": status, "can_record": actor.has("safety.injury.record"),
        "filters": [("all", _("All")), ("unanswered", _("Not yet answered by the parents")),
                    ("disputed", _("Disputed")), ("serious", _("Serious")),
                    ("district", _("To report to the district"))] if actor.has("safety.injury.record") else [],
    })


@policy.requires("safety.injury.record")
def injury_create(request, kg):
    actor = request.actor
    form = forms.InjuryForm(request.POST or None, children=_children(actor))

    def action(data):
        return injuries.injury_record(actor=actor, **data)

    return _form_page(request, form, action, title=_("Record an injury"),
                      success=lambda injury: _url("injury_detail", kg, code=injury.code),
                      context={"intro": _("The parents are told at once, in a notice about their child.")},
                      message=_("Recorded: the parents have been told."))


@policy.requires("safety.injury.view")
def injury_detail(request, kg, code):
    actor = request.actor
    injury = injuries.get_injury(actor=actor, code=code)
    return render(request, "safety/injury_detail.html", {
        "injury": injury,
        "answer_form": forms.InjuryAnswerForm() if (actor.has("safety.injury.acknowledge")
                                                    and not injury.is_answered) else None,
        "can_incident": actor.has("safety.incident.view"),
        "can_report": (policy.allowed(actor, "safety.injury.district", injury) and injury.is_serious
                       and injury.district_reported_at is None),
        "history": history_rows(injury.history.select_related("history_user")
                                .order_by("-history_date", "-history_id")[:50])
        if not actor.has("safety.injury.acknowledge") else [],
    })


@require_POST
@policy.requires("safety.injury.acknowledge")
def injury_answer(request, kg, code):
    actor = request.actor
    injury = injuries.get_injury(actor=actor, code=code)
    form = forms.InjuryAnswerForm(request.POST)
    words = form.cleaned_data["words"] if form.is_valid() else ""
    try:
        injuries.injury_answer(actor=actor, injury=injury, acknowledged=request.POST.get("answer") != "dispute",
                               words=words)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you: the kindergarten has your answer."))
    return redirect(_url("injury_detail", kg, code=injury.code))


@require_POST
@policy.requires("safety.injury.district")
def injury_report_district(request, kg, code):
    actor = request.actor
    injury = injuries.get_injury(actor=actor, code=code)
    try:
        injuries.injury_report_district(actor=actor, injury=injury)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Marked reported to the district."))
    return redirect(_url("injury_detail", kg, code=injury.code))

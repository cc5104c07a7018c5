"""Safety education (安全教育): the term's plan and what was held.

Sessions are planned for a day of the term (a class lesson on the 119 fire-safety week, traffic,
drowning prevention, food safety…; a talk or training for staff; a letter or talk for parents) and
recorded when held: the day, how many took part, what was taught. A letter to parents that is
recorded as held is sent to them as a safety notice (告家长书), which the summary counts with the
other safety letters. The term's figure is the sessions held; the plan not yet held is shown beside
it.

Every write takes the acting `actor`, checks its capability, validates, writes in one transaction
and raises houqin.core.errors.DomainError; nothing is written when a rule refuses.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import policy
from houqin.core.errors import Conflict, field_error, raise_for
from houqin.safety.models import EducationAudience, EducationForm, EducationTopic, SafetyLesson

MAX_SUMMARY = 2000
MAX_PARTICIPANTS = 5000


def _text(value, limit: int) -> str:
    return (value or "").strip()[:limit]


def _save(lesson: SafetyLesson, actor, reason: str, fields=None) -> SafetyLesson:
    lesson._history_user, lesson._change_reason = actor.user, reason[:100]
    lesson.save(update_fields=fields) if fields else lesson.save()
    return lesson


def _check_held(errors: dict, held_on, participants, today) -> None:
    if held_on is not None and held_on > today:
        errors["held_on"] = _("The day it was held is in the future.")
    if participants is not None and (participants < 0 or participants > MAX_PARTICIPANTS):
        errors["participants"] = _("Enter how many took part (0 to %(n)d).") % {"n": MAX_PARTICIPANTS}


@transaction.atomic
def lesson_plan(*, actor, audience: str, topic: str, title: str, planned_on: dt.date | None,
                form: str = EducationForm.LESSON, school_class=None, held_on: dt.date | None = None,
                participants: int | None = None, summary: str = "") -> SafetyLesson:
    """Plan a session (or record one already held, with `held_on`). A lesson for children names a
    class of this kindergarten; a class teacher plans only for their own classes."""
    policy.require(actor, "safety.education.record")
    errors: dict = {}
    title = _text(title, 100)
    if audience not in EducationAudience.values:
        errors["audience"] = _("Choose who it is for.")
    if topic not in EducationTopic.values:
        errors["topic"] = _("Choose a topic.")
    if form not in EducationForm.values:
        errors["form"] = _("Choose the form.")
    if not title:
        errors["title"] = _("Give the session a title.")
    if planned_on is None:
        errors["planned_on"] = _("Enter the day it is planned for.")
    if school_class is not None and school_class.kindergarten_id != actor.kindergarten.pk:
        errors["school_class"] = _("This class is not a class of this kindergarten.")
    elif audience == EducationAudience.CHILDREN and school_class is None:
        errors["school_class"] = _("Choose the class the lesson is for.")
    _check_held(errors, held_on, participants, timezone.localdate())
    raise_for(errors)
    if school_class is not None:
        policy.require(actor, "safety.education.record", school_class)
    elif actor.widest_scope("safety.education.record") != policy.K:
        raise field_error("school_class", _("Choose one of your classes."))
    lesson = SafetyLesson(kindergarten=actor.kindergarten, audience=audience, topic=topic, title=title, form=form,
                          school_class=school_class, planned_on=planned_on, created_by=actor.user)
    if held_on is not None:
        lesson.held_on, lesson.held_by = held_on, actor.user
        lesson.participants, lesson.summary = participants or 0, _text(summary, MAX_SUMMARY)
    _save(lesson, actor, "planned" if held_on is None else "held")
    if held_on is not None:
        _letter(actor, lesson)
    return lesson


@transaction.atomic
def lesson_hold(*, actor, lesson: SafetyLesson, held_on: dt.date | None, participants: int | None,
                summary: str = "") -> SafetyLesson:
    """Record a planned session as held: the day, how many took part, what was taught."""
    policy.require(actor, "safety.education.record", lesson)
    lesson = SafetyLesson.objects.select_for_update().get(pk=lesson.pk)
    if lesson.is_voided:
        raise Conflict(_("This session was withdrawn."))
    if lesson.is_held:
        raise Conflict(_("This session has already been recorded as held."))
    errors: dict = {}
    if held_on is None:
        errors["held_on"] = _("Enter the day it was held.")
    _check_held(errors, held_on, participants, timezone.localdate())
    summary = _text(summary, MAX_SUMMARY)
    if lesson.form == EducationForm.LETTER and not summary:
        errors["summary"] = _("Write the letter: the parents receive it as a notice.")
    raise_for(errors)
    lesson.held_on, lesson.held_by = held_on, actor.user
    lesson.participants, lesson.summary = participants or 0, summary
    _save(lesson, actor, "held", ["held_on", "held_by", "participants", "summary", "updated_at"])
    _letter(actor, lesson)
    return lesson


def _letter(actor, lesson: SafetyLesson) -> None:
    """A letter to parents, once held, goes to them as a safety notice (the whole kindergarten's
    parents, or the class's)."""
    from houqin.notices.models import NoticeKind
    from houqin.notices.services import publish_notice

    if lesson.audience != EducationAudience.PARENTS or lesson.form != EducationForm.LETTER or not lesson.summary:
        return
    notice = publish_notice(kindergarten=actor.kindergarten, user=actor.user, kind=NoticeKind.SAFETY,
                            title=lesson.title, body=lesson.summary,
                            classes=[lesson.school_class] if lesson.school_class_id else [],
                            source=f"safety.education:{lesson.code}")
    lesson.notice_code = str(notice.code)
    lesson.save(update_fields=["notice_code", "updated_at"])


@transaction.atomic
def lesson_void(*, actor, lesson: SafetyLesson, reason: str) -> SafetyLesson:
    """Withdraw a session entered by mistake, with a reason (it stays on record)."""
    policy.require(actor, "safety.education.record", lesson)
    return lesson.locked().void(actor=actor, reason=reason)


# --------------------------------------------------------------------------------------------
# Reads (through the policy's scope; one query each)

LESSON_FILTERS = ("all", "planned", "held", "overdue")


def lesson_list(*, actor, status: str = "all", start: dt.date | None = None, end: dt.date | None = None,
                today: dt.date | None = None):
    qs = policy.scoped(actor, "safety.education.view", SafetyLesson.objects.active()).select_related(
        "school_class", "held_by")
    if start is not None:
        qs = qs.filter(planned_on__gte=start)
    if end is not None:
        qs = qs.filter(planned_on__lte=end)
    if status == "planned":
        qs = qs.filter(held_on__isnull=True)
    elif status == "held":
        qs = qs.filter(held_on__isnull=False)
    elif status == "overdue":
        qs = qs.filter(held_on__isnull=True, planned_on__lt=today or timezone.localdate())
    return qs.order_by("planned_on", "school_class__sort_order", "id")


def get_lesson(*, actor, code) -> SafetyLesson:
    return policy.get_or_404(actor, "safety.education.view",
                             SafetyLesson.objects.active().select_related("school_class", "held_by"), code=code)


def plan_against_done(*, actor, start: dt.date, end: dt.date, today: dt.date | None = None) -> list[dict]:
    """Per topic: planned in the period, held, and planned days passed without it (1 query)."""
    today = today or timezone.localdate()
    rows = (policy.scoped(actor, "safety.education.view", SafetyLesson.objects.active())
            .filter(planned_on__range=(start, end)).values("topic")
            .annotate(planned=Count("id"), held=Count("id", filter=Q(held_on__isnull=False)),
                      late=Count("id", filter=Q(held_on__isnull=True, planned_on__lt=today))))
    found = {r["topic"]: r for r in rows}
    return [{"topic": key, "label": str(label), "planned": found[key]["planned"], "held": found[key]["held"],
             "late": found[key]["late"]} for key, label in EducationTopic.choices if key in found]


def term_counts(kindergarten_ids: list[int], start: dt.date, end: dt.date) -> dict[int, dict]:
    """{kindergarten_id: {"held", "planned", "children", "staff", "parents", "topics": {label: n}}}
    for the summary and the district comparison (2 queries, whatever the number of kindergartens)."""
    result = {pk: {"held": 0, "planned": 0, "children": 0, "staff": 0, "parents": 0, "topics": {}}
              for pk in kindergarten_ids}
    base = SafetyLesson.objects.active().filter(kindergarten_id__in=kindergarten_ids)
    for row in base.filter(planned_on__range=(start, end)).values("kindergarten_id").annotate(n=Count("id")):
        result[row["kindergarten_id"]]["planned"] = row["n"]
    topics: dict[int, dict] = defaultdict(dict)
    labels = dict(EducationTopic.choices)
    for row in (base.filter(held_on__range=(start, end)).values("kindergarten_id", "audience", "topic")
                .annotate(n=Count("id")).order_by("kindergarten_id", "topic", "audience")):
        r = result[row["kindergarten_id"]]
        r["held"] += row["n"]
        r[row["audience"]] = r.get(row["audience"], 0) + row["n"]
        label = str(labels.get(row["topic"], row["topic"]))
        topics[row["kindergarten_id"]][label] = topics[row["kindergarten_id"]].get(label, 0) + row["n"]
    for pk, found in topics.items():
        result[pk]["topics"] = found
    return result

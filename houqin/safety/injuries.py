"""Injuries told to parents (意外伤害登记): the use cases.

A member of the class staff (or the health teacher, the director, the principal) records a child's
injury: when, where, what happened, the first aid, who saw it, whether a doctor was needed. The
parents are told at once through a notice addressed to the child (houqin.notices, the same way
health tells them of a fever); a guardian of the child acknowledges it or disputes it in words. A
serious injury is also written in the incident book (safety.Incident, which the reports to the
bureau count) and, when the kindergarten's rule `serious_injury_to_district` is 1, waits on the
principal's list until it has been reported to the district.

Every function takes the acting `actor`, checks its capability, validates, writes in one transaction
and raises houqin.core.errors.DomainError; nothing is written when a rule refuses.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import policy
from houqin.core.errors import Conflict, Forbidden, field_error, raise_for
from houqin.safety.models import Incident, IncidentKind, Injury, InjurySeverity, ParentResponse

MAX_DESCRIPTION = 2000
RULE_TO_DISTRICT = "serious_injury_to_district"


def _text(value, limit: int) -> str:
    return (value or "").strip()[:limit]


def _save(instance, actor, reason: str):
    instance._history_user = actor.user
    instance._change_reason = reason[:100]
    instance.save()
    return instance


def to_district(kindergarten) -> bool:
    """The kindergarten's rule: are serious injuries reported to the district as they happen?"""
    from houqin.safety.rules import rules

    return bool(rules(kindergarten)[RULE_TO_DISTRICT].value)


def parent_text(injury: Injury) -> str:
    """The notice to the parents, in plain words."""
    when = timezone.localtime(injury.occurred_at)
    parts = [_("At %(time)s, %(child)s was hurt at the kindergarten (%(where)s): %(what)s") % {
        "time": f"{when:%H:%M}" if when.date() == timezone.localdate() else f"{when:%m-%d %H:%M}",
        "child": injury.child.name, "where": injury.location, "what": injury.description}]
    if injury.first_aid:
        parts.append(_("What we did at once: %(aid)s") % {"aid": injury.first_aid})
    if injury.witnesses:
        parts.append(_("Seen by: %(who)s") % {"who": injury.witnesses})
    parts.append(_("A doctor saw your child.") if injury.doctor_needed else _("No doctor was needed."))
    parts.append(_("Please open the parents' corner in Houqin and tell us you have read this, or tell us in your own "
                   "words what you see differently. If you have questions, please call the class teacher."))
    return "\n".join(parts)


@transaction.atomic
def injury_record(*, actor, child, occurred_at: dt.datetime | None, location: str, description: str,
                  first_aid: str = "", witnesses: str = "", doctor_needed: bool = False,
                  severity: str = InjurySeverity.MINOR, incident: Incident | None = None) -> Injury:
    """Record a child's injury and tell the parents (a notice to the child's guardians, now). A
    serious one goes into the incident book (or is linked to the incident already written there)."""
    from houqin.notices.models import NoticeKind
    from houqin.notices.services import publish_notice
    from houqin.safety.services import incident_report

    policy.require(actor, "safety.injury.record")
    if child is None:
        raise field_error("child", _("Choose the child who was hurt."))
    policy.require(actor, "safety.injury.record", child)
    policy.same_kindergarten(actor, incident)
    errors = {}
    location, description = _text(location, 100), _text(description, MAX_DESCRIPTION)
    if not occurred_at:
        errors["occurred_at"] = _("Enter the time the child was hurt.")
    elif occurred_at > timezone.now() + dt.timedelta(minutes=5):
        errors["occurred_at"] = _("The time is in the future.")
    elif occurred_at < timezone.now() - dt.timedelta(days=31):
        errors["occurred_at"] = _("An injury is recorded within a month of it.")
    if not location:
        errors["location"] = _("Say where it happened.")
    if not description:
        errors["description"] = _("Describe what happened.")
    if severity not in InjurySeverity.values:
        errors["severity"] = _("Choose how serious it is.")
    if child.school_class_id is None:
        errors["child"] = _("The child is in no class.")
    if incident is not None and incident.voided_at is not None:
        errors["incident"] = _("This incident was voided.")
    raise_for(errors)
    injury = Injury(kindergarten=actor.kindergarten, child=child, school_class_id=child.school_class_id,
                    occurred_at=occurred_at, location=location, description=description,
                    first_aid=_text(first_aid, 1000), witnesses=_text(witnesses, 200),
                    doctor_needed=bool(doctor_needed), severity=severity, incident=incident, created_by=actor.user)
    if injury.is_serious:
        if injury.incident is None:
            injury.incident = incident_report(
                actor=actor, kind=IncidentKind.INJURY, occurred_at=occurred_at, location=location,
                description=description, actions=injury.first_aid, child=child)
        injury.district_due = to_district(actor.kindergarten)
    _save(injury, actor, "recorded")
    notice = publish_notice(kindergarten=actor.kindergarten, user=actor.user, kind=NoticeKind.SAFETY,
                            title=_("%(child)s was hurt at the kindergarten") % {"child": child.name},
                            body=parent_text(injury), children=[child], source=f"safety.injury:{injury.code}")
    injury.notice_code = str(notice.code)
    injury.save(update_fields=["notice_code", "updated_at"])
    return injury


@transaction.atomic
def injury_answer(*, actor, injury: Injury, acknowledged: bool, words: str = "") -> Injury:
    """A guardian of the child answers: "I have read this" or "I see it differently: …" (in words).
    The first answer counts; nobody else may answer for them."""
    from houqin.org.models import Guardian

    if not actor.has("safety.injury.acknowledge"):
        policy.audit_use(actor, "safety.injury.acknowledge", policy.DENIED, obj=injury, reason="role")
        raise Forbidden(_("Only a guardian of the child can answer for an injury."))
    if injury.kindergarten_id != actor.kindergarten.pk or not Guardian.objects.filter(
            user=actor.user, child_id=injury.child_id, kindergarten=actor.kindergarten,
            voided_at__isnull=True).exists():
        raise Forbidden(_("Only a guardian of %(child)s can answer for this injury.") % {"child": injury.child.name})
    injury = Injury.objects.select_for_update().get(pk=injury.pk)
    if injury.voided_at is not None:
        raise Conflict(_("This record was withdrawn."))
    if injury.is_answered:
        raise Conflict(_("This injury has already been answered."))
    words = _text(words, 1000)
    if not acknowledged and not words:
        raise field_error("words", _("Tell us in your own words what you see differently."))
    injury.response = ParentResponse.ACKNOWLEDGED if acknowledged else ParentResponse.DISPUTED
    injury.response_text = words
    injury.responded_by, injury.responded_at = actor.user, timezone.now()
    return _save(injury, actor, str(injury.response))


@transaction.atomic
def injury_report_district(*, actor, injury: Injury) -> Injury:
    """The principal marks a serious injury reported to the district (its incident too)."""
    policy.require(actor, "safety.injury.district", injury)
    injury = Injury.objects.select_for_update().get(pk=injury.pk)
    if not injury.is_serious:
        raise Conflict(_("Only serious injuries are reported to the district."))
    if injury.district_reported_at is not None:
        raise Conflict(_("This injury has already been reported to the district."))
    now = timezone.now()
    injury.district_reported_at, injury.district_reported_by = now, actor.user
    if injury.incident_id:
        incident = Incident.objects.select_for_update().get(pk=injury.incident_id)
        if incident.bureau_reported_at is None:
            incident.bureau_reported_at = now
            incident._history_user = actor.user
            incident.save(update_fields=["bureau_reported_at", "updated_at"])
    return _save(injury, actor, "reported to the district")


# --------------------------------------------------------------------------------------------
# Reads (through the policy's scope; one query each)

INJURY_FILTERS = ("all", "unanswered", "disputed", "serious", "district")


def injury_list(*, actor, status: str = "all"):
    qs = policy.scoped(actor, "safety.injury.view", Injury.objects.active()).select_related(
        "child", "school_class", "created_by", "responded_by")
    if status == "unanswered":
        qs = qs.filter(responded_at__isnull=True)
    elif status == "disputed":
        qs = qs.filter(response=ParentResponse.DISPUTED)
    elif status == "serious":
        qs = qs.filter(severity=InjurySeverity.SERIOUS)
    elif status == "district":
        qs = qs.filter(district_due=True, district_reported_at__isnull=True)
    return qs.order_by("-occurred_at", "-id")


def get_injury(*, actor, code) -> Injury:
    return policy.get_or_404(actor, "safety.injury.view", Injury.objects.active().select_related(
        "child", "school_class", "created_by", "responded_by", "incident", "district_reported_by"), code=code)

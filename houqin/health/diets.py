"""过敏与特殊膳食登记: the allergy and special-diet register. The health teacher enters a child's food
allergy (allergen group, severity, the doctor's proof) or special diet (清真, 素食, 流质…, a temporary
one after illness with its end date), confirmed at once; a parent asks with the doctor's proof and
the health teacher confirms. A record is voided with a reason, never deleted. Only confirmed records
reach the kitchen (`needs_between`): the canteen reads allergens from here, never from Child.notes.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import policy
from houqin.core import files
from houqin.core.errors import raise_for
from houqin.core.workflow import move
from houqin.health.allergens import Allergen, Diet, need_tags
from houqin.health.models import DIET_TRANSITIONS, DietKind, DietRecord, DietStatus, Severity

SELECT = ("child", "child__school_class", "created_by", "confirmed_by")


def _validate(*, kind, allergen, severity, diet, start_date, end_date, reaction) -> dict:
    errors = {}
    if kind not in DietKind.values:
        errors["kind"] = _("Choose a food allergy or a special diet.")
    elif kind == DietKind.ALLERGY:
        if allergen not in Allergen.values:
            errors["allergen"] = _("Choose the food the child is allergic to.")
        if severity not in Severity.values:
            errors["severity"] = _("Choose how severe the reaction is.")
    elif diet not in Diet.values:
        errors["diet"] = _("Choose the diet.")
    if start_date is None:
        errors["start_date"] = _("Give the first day.")
    elif end_date is not None and end_date < start_date:
        errors["end_date"] = _("The last day is before the first day.")
    if len(reaction or "") > 200:
        errors["reaction"] = _("At most 200 characters.")
    return errors


@transaction.atomic
def diet_create(*, actor, child, kind: str, allergen: str = "", severity: str = "", diet: str = "",
                reaction: str = "", start_date: dt.date | None = None, end_date: dt.date | None = None,
                proof=None) -> DietRecord:
    """Enter (health teacher: confirmed at once) or ask for (parent: with the doctor's proof, waiting
    for the health teacher) one allergy or diet of a child."""
    by_parent = not policy.can(actor, "health.diet.record", child)
    policy.require(actor, "health.diet.request" if by_parent else "health.diet.record", child)
    start_date = start_date or timezone.localdate()
    errors = _validate(kind=kind, allergen=allergen, severity=severity, diet=diet, start_date=start_date,
                       end_date=end_date, reaction=reaction)
    if by_parent and proof is None:
        errors["proof"] = _("Add a photo of the doctor's proof (diagnosis or test result).")
    raise_for(errors)
    safe = files.read_optional(proof, field="proof", accept=files.DOCUMENTS)
    record = DietRecord(
        kindergarten=actor.kindergarten, child=child, kind=kind,
        allergen=allergen if kind == DietKind.ALLERGY else "", severity=severity if kind == DietKind.ALLERGY else "",
        diet=diet if kind == DietKind.DIET else "", reaction=(reaction or "").strip(), start_date=start_date,
        end_date=end_date, created_by=actor.user)
    if not by_parent:
        record.status, record.confirmed_by, record.confirmed_at = DietStatus.CONFIRMED, actor.user, timezone.now()
    if safe is not None:
        record.proof.save(safe.name, safe.as_content_file(), save=False)
    record.save()
    return record


@transaction.atomic
def diet_confirm(*, actor, record: DietRecord) -> DietRecord:
    """The health teacher confirms a parent's request: from now on the kitchen cooks for it."""
    policy.require(actor, "health.diet.record", record)
    record = DietRecord.objects.select_for_update().get(pk=record.pk)
    if record.is_voided:
        raise_for({"status": _("This record has been voided.")})
    move(record, DietStatus.CONFIRMED, DIET_TRANSITIONS, message=_("This record is already confirmed."))
    record.confirmed_by, record.confirmed_at = actor.user, timezone.now()
    record.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    return record


@transaction.atomic
def diet_void(*, actor, record: DietRecord, reason: str) -> DietRecord:
    policy.require(actor, "health.diet.record", record)
    return record.locked().void(actor=actor, reason=reason)


# --- reading ---------------------------------------------------------------------------------------


def diet_list(*, actor, school_class=None, child=None, current_only: bool = True):
    qs = policy.scoped(actor, "health.diet.view", DietRecord.objects.active()).select_related(*SELECT)
    if school_class is not None:
        qs = qs.filter(child__school_class=school_class)
    if child is not None:
        qs = qs.filter(child=child)
    if current_only:
        qs = qs.exclude(end_date__lt=timezone.localdate())
    return qs.order_by("child__school_class__name", "child__name_pinyin", "start_date", "id")


def get_diet(*, actor, code) -> DietRecord:
    return policy.get_or_404(actor, "health.diet.view", DietRecord.objects.select_related(*SELECT), code=code)


def waiting(actor) -> list[DietRecord]:
    return list(policy.scoped(actor, "health.diet.record", DietRecord.objects.active().filter(
        status=DietStatus.REQUESTED)).select_related("child"))


def needs_between(*, kindergarten, start: dt.date, end: dt.date, actor=None, capability: str = "",
                  mark_scope: bool = False) -> list[dict]:
    """Confirmed, not voided records in force on some day of [start, end], as plain data for the
    kitchen: {"child_id", "child", "class_id", "class", "kind", "key", "label", "severity", "tags",
    "start", "end"}. With an actor, only the children within its scope of `capability`; with
    `mark_scope` as well, every child, each row's "in_scope" saying whether it is within that scope
    (one query for a page that needs both). The reaction text and the proof stay here."""
    qs = (DietRecord.objects.active().filter(kindergarten=kindergarten, status=DietStatus.CONFIRMED,
                                             start_date__lte=end, child__left_on__isnull=True)
          .exclude(end_date__lt=start))
    if actor is not None and mark_scope:
        qs = qs.annotate(in_scope=policy.in_scope(actor, capability, DietRecord))
    elif actor is not None:
        qs = policy.scoped(actor, capability, qs)
    rows = []
    for r in qs.select_related("child", "child__school_class").order_by("child__school_class__name",
                                                                         "child__name_pinyin", "id"):
        rows.append({
            "child_id": r.child_id, "child": r.child.name, "class_id": r.child.school_class_id,
            "class": r.child.school_class.name, "kind": r.kind, "key": r.allergen or r.diet, "label": r.label,
            "severity": r.severity, "tags": need_tags(allergen=r.allergen, diet=r.diet),
            "start": r.start_date, "end": r.end_date})
        if actor is not None and mark_scope:
            rows[-1]["in_scope"] = r.in_scope
    return rows

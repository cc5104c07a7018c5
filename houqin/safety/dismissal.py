"""Staggered arrival and dismissal (错峰入园/离园): the use cases and the gate screen's reads.

The director sets time slots at a gate for one class, or for every class of a grade on a campus
(seed 002: "重点时段(幼儿来离园高峰时段)实行错峰放学，避免拥挤"). Two slots of the same kind at the
same gate may not share a class and a moment; a slot ends after it starts. The parents of the
classes a slot covers are told in a notice when it is set, changed or withdrawn.

The posts of a slot are not a second rota: they are the day's duty shifts (DutyShift, 护导双岗
with parent volunteers) of the peak (morning arrival or afternoon pick-up) at that campus, matched
to the gate by the shift's post. The gate screen shows today's slots gate by gate with those posts.

Every write takes the acting `actor`, checks its capability, validates, writes in one transaction
and raises houqin.core.errors.DomainError; nothing is written when a rule refuses.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from houqin import policy
from houqin.core.errors import Conflict, field_error, raise_for
from houqin.safety.models import DutyShift, DutySlot, GateSlot, SlotKind

PEAK_OF = {SlotKind.ARRIVAL: DutySlot.MORNING_PEAK, SlotKind.DISMISSAL: DutySlot.EVENING_PEAK}


def _text(value, limit: int) -> str:
    return (value or "").strip()[:limit]


def _gate_key(gate: str) -> str:
    return "".join((gate or "").split()).casefold()


def _save(slot: GateSlot, actor, reason: str, fields=None) -> GateSlot:
    slot._history_user, slot._change_reason = actor.user, reason[:100]
    slot.save(update_fields=fields) if fields else slot.save()
    return slot


def _covers_same_class(a_class, a_grade: str, b_class, b_grade: str) -> bool:
    """Whether two slots (each a class, or a grade of one campus) share a class."""
    if a_class is not None and b_class is not None:
        return a_class.pk == b_class.pk
    if a_class is not None:
        return a_class.grade == b_grade
    if b_class is not None:
        return b_class.grade == a_grade
    return a_grade == b_grade


def _overlapping(*, kindergarten, kind, campus, gate, school_class, grade, start, end, valid_from, valid_until,
                 exclude_pk=None) -> GateSlot | None:
    """The first slot in force that the new one would clash with (same kind, campus and gate, a class
    in common, overlapping times on a day both are in force), or None."""
    qs = GateSlot.objects.active().filter(kindergarten=kindergarten, kind=kind, campus=campus,
                                          start__lt=end, end__gt=start).select_related("school_class")
    if valid_until is not None:
        qs = qs.filter(valid_from__lte=valid_until)
    qs = qs.exclude(valid_until__lt=valid_from)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    for other in qs.order_by("start", "id"):
        if _gate_key(other.gate) == _gate_key(gate) and _covers_same_class(
                school_class, grade, other.school_class, other.grade):
            return other
    return None


def _clash_message(other: GateSlot) -> str:
    return _("This overlaps the slot %(start)s–%(end)s of %(who)s at %(gate)s: one class cannot have two "
             "slots at the same gate at the same time.") % {
        "start": f"{other.start:%H:%M}", "end": f"{other.end:%H:%M}", "who": other.who, "gate": other.gate}


def _check_times(errors: dict, start, end, valid_from, valid_until) -> None:
    if start is None:
        errors["start"] = _("Enter the time the slot starts.")
    if end is None:
        errors["end"] = _("Enter the time the slot ends.")
    if start is not None and end is not None and end <= start:
        errors["end"] = _("The end is before the start: a slot ends after it starts.")
    if valid_from is None:
        errors["valid_from"] = _("Enter the first day of the slot.")
    elif valid_until is not None and valid_until < valid_from:
        errors["valid_until"] = _("The last day is before the first day.")


def classes_covered(slot: GateSlot) -> list:
    """The classes the slot is for (its class, or the active classes of its grade on its campus)."""
    from houqin.org.models import SchoolClass

    if slot.school_class_id:
        return [slot.school_class]
    return list(SchoolClass.objects.filter(kindergarten_id=slot.kindergarten_id, campus_id=slot.campus_id,
                                           grade=slot.grade, is_active=True).order_by("sort_order", "name"))


def slot_line(slot: GateSlot) -> str:
    return _("%(kind)s %(start)s–%(end)s at %(gate)s, from %(day)s") % {
        "kind": slot.get_kind_display(), "start": f"{slot.start:%H:%M}", "end": f"{slot.end:%H:%M}",
        "gate": slot.gate, "day": f"{slot.valid_from:%Y-%m-%d}"}


def _announce(actor, slot: GateSlot, title: str, text: str) -> None:
    from houqin.notices.models import NoticeKind
    from houqin.notices.services import publish_notice

    classes = classes_covered(slot)
    if not classes:
        return
    body = "\n".join([text, _("To avoid crowding at the gate, please come within your slot. Thank you.")])
    notice = publish_notice(kindergarten=actor.kindergarten, user=actor.user, kind=NoticeKind.SAFETY, title=title,
                            body=body, classes=classes, source=f"safety.slot:{slot.code}")
    slot.notice_code = str(notice.code)
    slot.save(update_fields=["notice_code", "updated_at"])


def _lock_campus(campus) -> None:
    """Slots of one campus are set one at a time (the overlap check and the insert must not race)."""
    from houqin.org.models import Campus

    Campus.objects.select_for_update().filter(pk=campus.pk).first()


@transaction.atomic
def slot_create(*, actor, kind: str, gate: str, start: dt.time | None, end: dt.time | None,
                valid_from: dt.date | None, valid_until: dt.date | None = None, school_class=None,
                grade: str = "", campus=None, note: str = "", announce: bool = True) -> GateSlot:
    """Set a slot for a class (its campus is the class's) or for a grade of a campus; tell the parents
    of the classes it covers (unless `announce` is false)."""
    from houqin.org.models import Grade

    policy.require(actor, "safety.slot.change")
    errors: dict = {}
    gate, grade = _text(gate, 30), (grade or "").strip()
    if kind not in SlotKind.values:
        errors["kind"] = _("Choose arrival or dismissal.")
    if not gate:
        errors["gate"] = _("Name the gate.")
    if school_class is not None:
        if school_class.kindergarten_id != actor.kindergarten.pk:
            errors["school_class"] = _("This class is not a class of this kindergarten.")
        else:
            campus, grade = school_class.campus, ""
    elif grade:
        if grade not in Grade.values:
            errors["grade"] = _("Choose a grade.")
        if campus is None:
            errors["campus"] = _("Choose the campus of the grade.")
        elif campus.kindergarten_id != actor.kindergarten.pk:
            errors["campus"] = _("This campus is not a campus of this kindergarten.")
    else:
        errors["school_class"] = _("Choose a class, or a grade of a campus.")
    _check_times(errors, start, end, valid_from, valid_until)
    raise_for(errors)
    _lock_campus(campus)
    other = _overlapping(kindergarten=actor.kindergarten, kind=kind, campus=campus, gate=gate,
                         school_class=school_class, grade=grade, start=start, end=end, valid_from=valid_from,
                         valid_until=valid_until)
    if other is not None:
        raise field_error("start", _clash_message(other))
    slot = _save(GateSlot(kindergarten=actor.kindergarten, kind=kind, campus=campus, gate=gate, grade=grade,
                          school_class=school_class, start=start, end=end, valid_from=valid_from,
                          valid_until=valid_until, note=_text(note, 100), created_by=actor.user), actor, "set")
    if announce:
        _announce(actor, slot, _("New %(kind)s time for %(who)s") % {"kind": slot.get_kind_display(), "who": slot.who},
                  _("%(who)s: %(line)s.") % {"who": slot.who, "line": slot_line(slot)}
                  + (f"\n{slot.note}" if slot.note else ""))
    return slot


@transaction.atomic
def slot_change(*, actor, slot: GateSlot, gate: str, start: dt.time | None, end: dt.time | None,
                valid_from: dt.date | None, valid_until: dt.date | None = None, note: str = "",
                announce: bool = True) -> GateSlot:
    """Move a slot (its gate, its times, its days); the parents are told what changed."""
    policy.require(actor, "safety.slot.change", slot)
    _lock_campus(slot.campus)
    slot = GateSlot.objects.select_for_update().get(pk=slot.pk)
    if slot.is_voided:
        raise Conflict(_("This slot was withdrawn."))
    errors: dict = {}
    gate = _text(gate, 30)
    if not gate:
        errors["gate"] = _("Name the gate.")
    _check_times(errors, start, end, valid_from, valid_until)
    raise_for(errors)
    other = _overlapping(kindergarten=actor.kindergarten, kind=slot.kind, campus=slot.campus, gate=gate,
                         school_class=slot.school_class, grade=slot.grade, start=start, end=end,
                         valid_from=valid_from, valid_until=valid_until, exclude_pk=slot.pk)
    if other is not None:
        raise field_error("start", _clash_message(other))
    before = slot_line(slot)
    slot.gate, slot.start, slot.end, slot.valid_from, slot.valid_until = gate, start, end, valid_from, valid_until
    slot.note = _text(note, 100)
    _save(slot, actor, "changed")
    if announce:
        _announce(actor, slot, _("Changed %(kind)s time for %(who)s") % {"kind": slot.get_kind_display(),
                                                                          "who": slot.who},
                  _("%(who)s: from now on %(line)s (before: %(before)s).") % {
                      "who": slot.who, "line": slot_line(slot), "before": before}
                  + (f"\n{slot.note}" if slot.note else ""))
    return slot


@transaction.atomic
def slot_void(*, actor, slot: GateSlot, reason: str, announce: bool = True) -> GateSlot:
    """Withdraw a slot, with a reason (it stays on record); the parents are told."""
    policy.require(actor, "safety.slot.change", slot)
    slot = slot.locked().void(actor=actor, reason=reason, already=_("This slot was already withdrawn."),
                              missing=_("Give the reason for withdrawing the slot."))
    if announce:
        _announce(actor, slot, _("%(kind)s time for %(who)s withdrawn") % {"kind": slot.get_kind_display(),
                                                                           "who": slot.who},
                  _("%(who)s: the slot %(line)s no longer applies (%(reason)s). Please come at the usual time "
                    "unless the class teacher tells you otherwise.") % {
                      "who": slot.who, "line": slot_line(slot), "reason": reason})
    return slot


# --------------------------------------------------------------------------------------------
# Reads (through the policy's scope; a fixed number of queries each)


def slot_list(*, actor, kind: str | None = None, on: dt.date | None = None):
    """The slots in force on `on` (default: every slot not withdrawn), by kind, time and gate."""
    qs = policy.scoped(actor, "safety.slot.view", GateSlot.objects.active()).select_related("school_class", "campus")
    if kind in SlotKind.values:
        qs = qs.filter(kind=kind)
    if on is not None:
        qs = qs.filter(valid_from__lte=on).exclude(valid_until__lt=on)
    return qs.order_by("kind", "start", "gate", "campus__name", "id")


def get_slot(*, actor, code) -> GateSlot:
    return policy.get_or_404(actor, "safety.slot.view",
                             GateSlot.objects.active().select_related("school_class", "campus"), code=code)


@dataclass
class GateRow:
    """One gate at one campus for one peak: its slots in time order and the people posted there."""

    kind: str
    kind_label: str
    campus: object
    gate: str
    slots: list = field(default_factory=list)
    posts: list = field(default_factory=list)


def gate_screen(*, actor, day: dt.date, now: dt.time | None = None) -> dict:
    """Today's slots gate by gate (arrival first) with each gate's posts from the day's duty shifts;
    the shifts of the peaks that name no gate of a slot are listed apart (2 queries)."""
    slots = list(slot_list(actor=actor, on=day))
    shifts = list(policy.scoped(actor, "safety.slot.view", DutyShift.objects.active().filter(
        date=day, slot__in=list(PEAK_OF.values()))).select_related("person").order_by("slot", "post", "id"))
    rows: dict[tuple, GateRow] = {}
    for s in slots:
        key = (s.kind, s.campus_id, _gate_key(s.gate))
        if key not in rows:
            rows[key] = GateRow(s.kind, str(s.get_kind_display()), s.campus, s.gate)
        s.is_now = now is not None and s.start <= now < s.end
        rows[key].slots.append(s)
    used = set()
    by_peak: dict[str, list] = defaultdict(list)
    for shift in shifts:
        by_peak[shift.slot].append(shift)
    for row in rows.values():
        for shift in by_peak[PEAK_OF[row.kind]]:
            if _gate_key(shift.post) == _gate_key(row.gate) and shift.campus_id in (None, row.campus.pk):
                row.posts.append(shift)
                used.add(shift.pk)
    ordered = sorted(rows.values(), key=lambda r: (r.kind != SlotKind.ARRIVAL, min(s.start for s in r.slots), r.gate))
    return {"rows": ordered, "other_posts": [s for s in shifts if s.pk not in used]}

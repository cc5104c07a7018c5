"""The safety figures of a period, counted from the records: for the weekly and monthly reports to
the bureau, the semester summary and the district comparison. Every function takes a LIST of
kindergartens and runs a fixed number of grouped queries, whatever their number."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q
from django.utils import timezone

from houqin.safety.rules import equipment_due, rule_values
from houqin.safety.models import (
    Drill,
    FireCheck,
    FireEquipment,
    Hazard,
    HazardState,
    Incident,
    Injury,
    InspectionRound,
    SelfCheck,
    Visitor,
)

KEYS = ("inspections", "self_checks", "fire_checks", "hazards_found", "hazards_closed", "hazards_overdue",
        "hazards_open", "drills", "incidents", "visitors", "injuries")


def bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period as aware datetimes: from the start of `start` to the start of the day after `end`."""
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def _grouped(qs) -> dict[int, int]:
    return {row["kindergarten_id"]: row["n"] for row in qs.values("kindergarten_id").annotate(n=Count("id"))}


def counts(kindergarten_ids: list[int], start: dt.date, end: dt.date, today: dt.date | None = None) -> dict:
    """{kindergarten_id: {key: int}} for the period (11 queries)."""
    today = today or timezone.localdate()
    since, until = bounds(start, end)
    ids = list(kindergarten_ids)
    hazards = Hazard.objects.active().filter(kindergarten_id__in=ids)
    last_day = min(end, today - dt.timedelta(days=1))
    cut = min(until, bounds(today, today)[0]) if end >= today else until
    rows = {
        "inspections": _grouped(InspectionRound.objects.active().filter(kindergarten_id__in=ids,
                                                                         date__range=(start, end))),
        "self_checks": _grouped(SelfCheck.objects.filter(kindergarten_id__in=ids, date__range=(start, end))),
        "fire_checks": _grouped(FireCheck.objects.filter(kindergarten_id__in=ids, date__range=(start, end))),
        "hazards_found": _grouped(hazards.filter(reported_at__gte=since, reported_at__lt=until)),
        "hazards_closed": _grouped(hazards.filter(state=HazardState.CLOSED, checked_at__gte=since,
                                                  checked_at__lt=until)),
        # Overdue at the end of the period: its deadline had passed and it was not yet rectified.
        "hazards_overdue": _grouped(hazards.filter(reported_at__lt=until, deadline__lte=last_day).filter(
            Q(state=HazardState.ASSIGNED) | Q(rectified_at__gte=cut))),
        "hazards_open": _grouped(hazards.filter(reported_at__lt=until).filter(
            ~Q(state=HazardState.CLOSED) | Q(checked_at__gte=cut))),
        "drills": _grouped(Drill.objects.active().filter(kindergarten_id__in=ids, held_at__gte=since,
                                                         held_at__lt=until)),
        "incidents": _grouped(Incident.objects.active().filter(kindergarten_id__in=ids, occurred_at__gte=since,
                                                               occurred_at__lt=until)),
        "visitors": _grouped(Visitor.objects.active().filter(kindergarten_id__in=ids, arrived_at__gte=since,
                                                             arrived_at__lt=until)),
        "injuries": _grouped(Injury.objects.active().filter(kindergarten_id__in=ids, occurred_at__gte=since,
                                                            occurred_at__lt=until)),
    }
    return {pk: {key: rows[key].get(pk, 0) for key in rows} for pk in ids}


def drill_items(kindergarten_ids: list[int], start: dt.date, end: dt.date) -> dict[int, list[dict]]:
    """The drills held in the period, one dict each (1 query)."""
    since, until = bounds(start, end)
    found: dict[int, list[dict]] = defaultdict(list)
    for d in (Drill.objects.active().filter(kindergarten_id__in=kindergarten_ids, held_at__gte=since,
                                            held_at__lt=until)
              .annotate(n_classes=Count("classes")).order_by("held_at")):
        found[d.kindergarten_id].append({
            "date": timezone.localtime(d.held_at).date().isoformat(), "kind": d.kind, "kind_label": str(d.get_kind_display()),
            "classes": d.n_classes, "children": d.children_count, "staff": d.staff_count,
            "seconds": d.evacuation_seconds, "announced": d.announced,
        })
    return found


def fire_overdue(kindergarten_ids: list[int], on: dt.date, rule_values_by_kg: dict[int, dict]) -> dict[int, int]:
    """Fire equipment with an annual inspection, refill, expiry or monthly self-check overdue on `on`
    (1 query)."""
    result = {pk: 0 for pk in kindergarten_ids}
    for equipment in FireEquipment.objects.active().filter(kindergarten_id__in=kindergarten_ids):
        if any(overdue for _w, _d, overdue in equipment_due(equipment, on, rule_values_by_kg[equipment.kindergarten_id])):
            result[equipment.kindergarten_id] += 1
    return result


def report_figures(kindergarten, start: dt.date, end: dt.date) -> dict:
    """What a weekly or monthly safety report states, as a JSON-ready dict (frozen when signed)."""
    pk = kindergarten.pk
    found = counts([pk], start, end)[pk]
    rules_by_kg = rule_values([pk])
    found["fire_overdue"] = fire_overdue([pk], min(end, timezone.localdate()), rules_by_kg)[pk]
    found["drill_list"] = drill_items([pk], start, end).get(pk, [])
    found["start"], found["end"] = start.isoformat(), end.isoformat()
    return found

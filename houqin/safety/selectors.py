"""Reading the safety records, always through the policy's scope. Each list is one or two queries,
whatever the number of rows."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from houqin import policy
from houqin.core.text import name_search
from houqin.safety.models import (
    HAZARD_OPEN,
    Agreement,
    Delegation,
    Drill,
    DutyShift,
    FireEquipment,
    Hazard,
    HazardState,
    Incident,
    InspectionRound,
    InspectionTemplate,
    LeadershipMember,
    Release,
    SafetyReport,
    Visitor,
    Zone,
)


# --- hazards -----------------------------------------------------------------------------------

HAZARD_FILTERS = ("open", "reported", "assigned", "rectified", "overdue", "closed", "mine", "all")


def hazard_list(*, actor, status: str = "open", today: dt.date | None = None):
    today = today or timezone.localdate()
    qs = policy.scoped(actor, "safety.view", Hazard.objects.active()).select_related(
        "assignee", "created_by", "zone", "campus")
    if status == "open":
        qs = qs.filter(state__in=HAZARD_OPEN)
    elif status == "overdue":
        qs = qs.filter(state=HazardState.ASSIGNED, deadline__lt=today)
    elif status == "mine":
        qs = qs.filter(Q(assignee=actor.user, state=HazardState.ASSIGNED) | Q(created_by=actor.user))
    elif status in HazardState.values:
        qs = qs.filter(state=status)
    return qs.order_by("-reported_at", "-id")


def get_hazard(*, actor, code) -> Hazard:
    return policy.get_or_404(actor, "safety.view", Hazard.objects.select_related(
        "assignee", "created_by", "zone", "campus", "rectified_by", "checked_by", "assigned_by", "repair_request"), code=code)


def hazard_counts(*, actor, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    qs = policy.scoped(actor, "safety.view", Hazard.objects.active())
    return qs.aggregate(
        reported=Count("id", filter=Q(state=HazardState.REPORTED)),
        assigned=Count("id", filter=Q(state=HazardState.ASSIGNED)),
        rectified=Count("id", filter=Q(state=HazardState.RECTIFIED)),
        overdue=Count("id", filter=Q(state=HazardState.ASSIGNED, deadline__lt=today)),
    )


# --- zones, agreements, group, self-checks ------------------------------------------------------


def zone_list(*, actor, today: dt.date | None = None):
    today = today or timezone.localdate()
    return (policy.scoped(actor, "safety.view", Zone.objects.active())
            .select_related("owner", "campus", "school_class")
            .annotate(checked_today=Count("self_checks", filter=Q(self_checks__date=today)),
                      open_hazards=Count("hazards", filter=Q(hazards__state__in=HAZARD_OPEN,
                                                             hazards__voided_at__isnull=True)))
            .order_by("name"))


def get_zone(*, actor, code, capability: str = "safety.view") -> Zone:
    return policy.get_or_404(actor, capability, Zone.objects.active().select_related("owner", "campus", "school_class"), code=code)


def my_zones(*, actor, today: dt.date | None = None):
    today = today or timezone.localdate()
    return zone_list(actor=actor, today=today).filter(owner=actor.user)


def self_checks(*, actor, zone: Zone, limit: int = 30):
    return zone.self_checks.select_related("checked_by").order_by("-date")[:limit]


def agreement_list(*, actor, year: int | None = None):
    qs = policy.scoped(actor, "safety.view", Agreement.objects.active()).select_related("holder")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "post", "id")


def get_agreement(*, actor, code) -> Agreement:
    return policy.get_or_404(actor, "safety.view", Agreement.objects.active().select_related("holder"), code=code)


def leadership(*, actor):
    return policy.scoped(actor, "safety.view", LeadershipMember.objects.active()).select_related("user")


# --- inspections --------------------------------------------------------------------------------


def template_list(*, actor):
    return (policy.scoped(actor, "safety.view", InspectionTemplate.objects.active())
            .select_related("inspector", "zone").annotate(last_date=Max("rounds__date"))
            .order_by("frequency", "name"))


def get_template(*, actor, code) -> InspectionTemplate:
    return policy.get_or_404(actor, "safety.view", InspectionTemplate.objects.active().select_related("inspector", "zone"), code=code)


def round_list(*, actor, start: dt.date | None = None, end: dt.date | None = None):
    qs = policy.scoped(actor, "safety.view", InspectionRound.objects.active()).select_related("template", "inspector")
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    return qs.order_by("-date", "-id")


def get_round(*, actor, code) -> InspectionRound:
    return policy.get_or_404(actor, "safety.view", InspectionRound.objects.select_related("template", "inspector"), code=code)


def rounds_due(*, actor, today: dt.date | None = None, mine: bool = False) -> list[dict]:
    """The active templates whose round of the current day / week / month is not done yet (2 queries)."""
    from houqin.safety.services import period_of

    today = today or timezone.localdate()
    templates = list(policy.scoped(actor, "safety.view", InspectionTemplate.objects.active().filter(is_active=True))
                     .select_related("inspector"))
    if mine:
        templates = [t for t in templates if t.inspector_id == actor.user.pk]
    month_start = today.replace(day=1)
    week_start = today - dt.timedelta(days=today.weekday())
    since = min(month_start, week_start)
    done = set(InspectionRound.objects.active().filter(template__in=templates, date__gte=since)
               .values_list("template_id", "date"))
    due = []
    for t in templates:
        start, end = period_of(t.frequency, today)
        if not any(tid == t.pk and start <= d <= end for tid, d in done):
            due.append({"template": t, "start": start, "end": end, "last_day": end == today})
    return due


# --- fire equipment -----------------------------------------------------------------------------


def equipment_list(*, actor):
    return (policy.scoped(actor, "safety.view", FireEquipment.objects.active())
            .select_related("campus", "zone").order_by("kind", "label"))


def get_equipment(*, actor, code) -> FireEquipment:
    return policy.get_or_404(actor, "safety.view", FireEquipment.objects.active().select_related("campus", "zone"), code=code)


# --- drills -------------------------------------------------------------------------------------


def drill_list(*, actor):
    return (policy.scoped(actor, "safety.view", Drill.objects.active()).select_related("campus", "recorded_by")
            .annotate(n_classes=Count("classes")).order_by("-planned_on", "-id"))


def get_drill(*, actor, code) -> Drill:
    return policy.get_or_404(actor, "safety.view", Drill.objects.active().select_related("campus", "recorded_by", "plan"),
                             code=code)


def term_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The term `day` falls in: autumn 1 September – 31 January, spring 1 February – 31 August."""
    if day.month >= 9:
        return dt.date(day.year, 9, 1), dt.date(day.year + 1, 1, 31)
    if day.month == 1:
        return dt.date(day.year - 1, 9, 1), dt.date(day.year, 1, 31)
    return dt.date(day.year, 2, 1), dt.date(day.year, 8, 31)


# --- the gate -----------------------------------------------------------------------------------


def visitor_list(*, actor, day: dt.date | None = None, inside_only: bool = False):
    qs = policy.scoped(actor, "safety.gate.view", Visitor.objects.active()).select_related("campus", "created_by")
    if inside_only:
        qs = qs.filter(left_at__isnull=True)
    elif day is not None:
        from houqin.safety.figures import bounds

        since, until = bounds(day, day)
        qs = qs.filter(Q(arrived_at__gte=since, arrived_at__lt=until) | Q(left_at__isnull=True))
    return qs.order_by("-arrived_at", "-id")


def get_visitor(*, actor, code, capability: str = "safety.gate.view") -> Visitor:
    return policy.get_or_404(actor, capability, Visitor.objects.active(), code=code)


def pickup_children(*, actor, q: str = "", school_class=None):
    """The children whose pick-up the actor may see, with today's release (2 queries)."""
    from houqin.org.models import Child

    qs = policy.scoped(actor, "safety.pickup.view", Child.objects.active().filter(left_on__isnull=True)) \
        .select_related("school_class").order_by("school_class__sort_order", "school_class__name", "name_pinyin", "name")
    if school_class is not None:
        qs = qs.filter(school_class=school_class)
    if q:
        qs = qs.filter(name_search(q))
    return qs


def released_today(child_ids, day: dt.date) -> dict[int, Release]:
    return {r.child_id: r for r in Release.objects.filter(child_id__in=child_ids, date=day, outcome="released")
            .select_related("released_by")}


def get_child(*, actor, code, capability: str = "safety.pickup.view"):
    from houqin.org.models import Child

    return policy.get_or_404(actor, capability, Child.objects.active().select_related("school_class"), code=code)


def delegation_list(*, actor, day: dt.date | None = None, pending_only: bool = False):
    qs = policy.scoped(actor, "safety.pickup.view", Delegation.objects.active()).select_related(
        "child", "child__school_class", "requested_by", "confirmed_by")
    if day is not None:
        qs = qs.filter(date=day)
    else:
        qs = qs.filter(date__gte=timezone.localdate())
    if pending_only:
        qs = qs.filter(confirmed_at__isnull=True)
    return qs.order_by("date", "child__name")


def own_delegations(*, actor, days_back: int = 30):
    """The delegations the actor may ask for (a parent: their own children's), from `days_back` days
    ago on, newest first: a parent's view, never the gate's tables."""
    since = timezone.localdate() - dt.timedelta(days=days_back)
    return (policy.scoped(actor, "safety.pickup.request", Delegation.objects.active().filter(date__gte=since))
            .select_related("child", "child__school_class", "requested_by", "confirmed_by")
            .order_by("-date", "child__name", "-id"))


def get_delegation(*, actor, code) -> Delegation:
    return policy.get_or_404(actor, "safety.pickup.view", Delegation.objects.select_related("child", "requested_by",
                                                                              "confirmed_by"), code=code)


def release_list(*, actor, day: dt.date | None = None, refused_only: bool = False):
    qs = policy.scoped(actor, "safety.pickup.view", Release.objects.all()).select_related(
        "child", "child__school_class", "released_by", "delegation")
    if day is not None:
        qs = qs.filter(date=day)
    if refused_only:
        qs = qs.filter(outcome="refused")
    return qs.order_by("-at", "-id")


def duty_list(*, actor, start: dt.date, end: dt.date):
    return (policy.scoped(actor, "safety.view", DutyShift.objects.active().filter(date__range=(start, end)))
            .select_related("person", "campus").order_by("date", "slot", "id"))


def get_shift(*, actor, code) -> DutyShift:
    return policy.get_or_404(actor, "safety.view", DutyShift.objects.active().select_related("person"), code=code)


# --- incidents and reports ----------------------------------------------------------------------


def incident_list(*, actor):
    return policy.scoped(actor, "safety.incident.view", Incident.objects.active()).select_related(
        "child", "campus", "created_by").order_by("-occurred_at", "-id")


def get_incident(*, actor, code) -> Incident:
    return policy.get_or_404(actor, "safety.incident.view", Incident.objects.active().select_related("child", "created_by"), code=code)


def report_list(*, actor):
    return policy.scoped(actor, "safety.report.view", SafetyReport.objects.active()).select_related(
        "signed_by").order_by("-start", "-id")


def get_report(*, actor, code) -> SafetyReport:
    return policy.get_or_404(actor, "safety.report.view", SafetyReport.objects.active().select_related("signed_by"), code=code)


def district_reports(*, district, period: str = ""):
    """The signed reports of the district's kindergartens (figures only: no names of children)."""
    qs = SafetyReport.objects.active().filter(kindergarten__district=district, signed_at__isnull=False) \
        .select_related("kindergarten", "signed_by")
    if period:
        qs = qs.filter(period=period)
    return qs.order_by("-start", "kindergarten__name")


def get_district_report(*, district, code) -> SafetyReport:
    return get_object_or_404(SafetyReport.objects.active().select_related("kindergarten", "signed_by"),
                             kindergarten__district=district, signed_at__isnull=False, code=code)


# --------------------------------------------------------------------------------------------
# Custody restrictions (不得接走)


def custody_list(*, actor, capability: str = "safety.custody.view"):
    """The restrictions the actor may see in full (the principal, the class teacher: their classes),
    voided ones too, with the number of refusals at the gate each caused. One query."""
    from houqin.safety.models import CustodyRestriction

    return policy.scoped(actor, capability, CustodyRestriction.objects.all()).select_related(
        "child", "child__school_class", "filed_by", "confirmed_by").annotate(
        refusal_count=Count("refusals")).order_by("voided_at", "-valid_from", "-id")


def own_custody(*, actor):
    """A guardian's corner: the restrictions they filed themselves (never those filed by others, who
    may include the other parent)."""
    return custody_list(actor=actor, capability="safety.custody.file").filter(filed_by=actor.user)


def get_custody(*, actor, code, capability: str = "safety.custody.view"):
    from houqin.safety.models import CustodyRestriction

    return policy.get_or_404(actor, capability, CustodyRestriction.objects.select_related(
        "child", "child__school_class", "filed_by", "confirmed_by", "voided_by"), code=code)


def custody_refusals(*, actor, restriction):
    from houqin.safety.models import Release

    return Release.objects.filter(restriction=restriction).select_related("released_by").order_by("-at")[:100]


def custody_alerts(*, actor, since: dt.date):
    """Refusals at the gate because of a custody restriction since `since`, for the principal and the
    class teacher (the to-do of their home). One query."""
    from houqin.safety.models import Release

    return policy.scoped(actor, "safety.custody.view", Release.objects.filter(
        restriction__isnull=False, date__gte=since)).select_related("child", "restriction").order_by("-at")

"""Menu entries, to-do providers, term figures and assessment findings of this area
(imported from AppConfig.ready)."""

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from houqin.core.registry import (
    Figure,
    Finding,
    NavItem,
    Todo,
    register_figures,
    register_findings,
    register_district_todos,
    register_nav,
    register_todos,
)

register_nav(NavItem(_lazy("Safety"), "safety:index", "safety.view", icon="shield-check", order=70))
register_nav(NavItem(_lazy("Gate and pick-up"), "safety:pickup_list", "safety.pickup.view", icon="door-closed", order=71))
register_nav(NavItem(_lazy("Visitors"), "safety:visitor_list", "safety.gate.view", icon="person-badge", order=72))
register_nav(NavItem(_lazy("Incidents"), "safety:incident_list", "safety.incident.view", icon="exclamation-triangle", order=73))
register_nav(NavItem(_lazy("Safety reports"), "safety:report_list", "safety.report.view", icon="clipboard-data", order=74))
register_nav(NavItem(_lazy("Safety rules"), "safety:settings", "safety.settings", icon="gear", order=75))
register_nav(NavItem(_lazy("Rule book"), "safety:plan_list", "safety.rulebook.view", icon="journal-text", order=76))


def _url(name, actor, query=""):
    base = reverse(f"safety:{name}", kwargs={"kg": actor.kindergarten.slug})
    return f"{base}?{query}" if query else base


@register_todos
def safety_todos(actor) -> list[Todo]:
    """Overdue hazards (red) for the director and principal; hazards to assign or re-check; the
    actor's own overdue hazards, zones not self-checked today and inspection rounds due; fire
    equipment due; a term short of drills; delegations waiting for the teacher's call."""
    if actor.kindergarten is None:
        return []
    from houqin import policy
    from houqin.safety import selectors, services
    from houqin.safety.figures import fire_overdue, rule_values
    from houqin.safety.models import Delegation, Drill, Hazard, HazardState

    today = timezone.localdate()
    todos: list[Todo] = []
    kg = actor.kindergarten
    if actor.has("safety.view"):
        hazards = Hazard.objects.active().filter(kindergarten=kg)
        counts = hazards.aggregate(
            overdue=Count("id", filter=Q(state=HazardState.ASSIGNED, deadline__lt=today)),
            reported=Count("id", filter=Q(state=HazardState.REPORTED)),
            rectified=Count("id", filter=Q(state=HazardState.RECTIFIED) & ~Q(rectified_by=actor.user)),
            mine_overdue=Count("id", filter=Q(state=HazardState.ASSIGNED, deadline__lt=today, assignee=actor.user)),
            mine=Count("id", filter=Q(state=HazardState.ASSIGNED, deadline__gte=today, assignee=actor.user)),
        )
        manager = actor.has("safety.hazard.assign")
        if manager and counts["overdue"]:
            n = counts["overdue"]
            todos.append(Todo(ngettext("%(n)d hazard is overdue", "%(n)d hazards are overdue", n) % {"n": n},
                              _url("hazard_list", actor, "status=overdue"), urgency=3, area="safety"))
        elif counts["mine_overdue"]:
            n = counts["mine_overdue"]
            todos.append(Todo(ngettext("%(n)d hazard assigned to you is overdue",
                                       "%(n)d hazards assigned to you are overdue", n) % {"n": n},
                              _url("index", actor), urgency=3, area="safety"))
        if counts["mine"]:
            n = counts["mine"]
            todos.append(Todo(ngettext("%(n)d hazard to rectify", "%(n)d hazards to rectify", n) % {"n": n},
                              _url("index", actor), urgency=2, area="safety"))
        if manager and counts["reported"]:
            n = counts["reported"]
            todos.append(Todo(ngettext("%(n)d new hazard to assign", "%(n)d new hazards to assign", n) % {"n": n},
                              _url("hazard_list", actor, "status=reported"), urgency=2, area="safety"))
        if actor.has("safety.hazard.verify") and counts["rectified"]:
            n = counts["rectified"]
            todos.append(Todo(ngettext("%(n)d rectified hazard to re-check", "%(n)d rectified hazards to re-check",
                                       n) % {"n": n}, _url("hazard_list", actor, "status=rectified"), urgency=2,
                              area="safety"))
        for zone in selectors.my_zones(actor=actor, today=today):
            if not zone.checked_today:
                todos.append(Todo(_("Daily self-check of %(zone)s") % {"zone": zone.name},
                                  reverse("safety:zone_check", kwargs={"kg": kg.slug, "code": zone.code}),
                                  urgency=3 if timezone.localtime().hour >= 15 else 2, area="safety", due=today))
        if actor.has("safety.inspection.record"):
            for due in selectors.rounds_due(actor=actor, today=today, mine=not manager):
                if due["template"].inspector_id in (None, actor.user.pk) or manager:
                    todos.append(Todo(_("Inspection due: %(name)s") % {"name": due["template"].name},
                                      reverse("safety:round_create", kwargs={"kg": kg.slug,
                                                                             "code": due["template"].code}),
                                      urgency=3 if due["last_day"] else 1, area="safety", due=due["end"]))
    if actor.has("safety.fire.check") or actor.has("safety.fire.change"):
        n = fire_overdue([kg.pk], today, rule_values([kg.pk]))[kg.pk]
        if n:
            todos.append(Todo(ngettext("%(n)d piece of fire equipment is overdue for a check",
                                       "%(n)d pieces of fire equipment are overdue for a check", n) % {"n": n},
                              _url("fire_list", actor), urgency=3, area="safety"))
    if actor.has("safety.drill.change"):
        start, end = selectors.term_bounds(today)
        since = dt.datetime.combine(start, dt.time.min, tzinfo=timezone.get_current_timezone())
        held = Drill.objects.active().filter(kindergarten=kg, held_at__gte=since).count()
        wanted = services.rule(kg, "drills_per_term")
        if held < wanted:
            todos.append(Todo(_("This term has %(held)d of %(wanted)d drills") % {"held": held, "wanted": wanted},
                              _url("drill_list", actor), urgency=3 if (end - today).days < 30 else 2, area="safety",
                              due=end))
    if actor.has("safety.pickup.confirm"):
        pending = policy.scoped(actor, "safety.pickup.confirm", Delegation.objects.active().filter(
            date__gte=today, confirmed_at__isnull=True)).count()
        if pending:
            todos.append(Todo(ngettext("%(n)d pick-up delegation to confirm by phone",
                                       "%(n)d pick-up delegations to confirm by phone", pending) % {"n": pending},
                              _url("delegation_list", actor), urgency=3, area="safety", due=today))
    if actor.has("safety.custody.view"):
        # The alert of a refusal at the gate because of a custody restriction: red, at once, for the
        # principal and the child's class teacher (today's and yesterday's).
        for refusal in selectors.custody_alerts(actor=actor, since=today - dt.timedelta(days=1))[:10]:
            todos.append(Todo(
                _("Custody alert: %(name)s tried to collect %(child)s at %(time)s and was refused") % {
                    "name": refusal.collector_name, "child": refusal.child.name,
                    "time": timezone.localtime(refusal.at).strftime("%H:%M")},
                reverse("safety:custody_detail", kwargs={"kg": kg.slug, "code": refusal.restriction.code}),
                urgency=3, area="safety", due=refusal.date, extra={"kind": "custody"}))
    return todos


@register_district_todos
def safety_district_todos(actor) -> list[Todo]:
    """The supervisor: kindergartens of the district that have not signed the weekly safety report
    of the last complete week (one todo each, red when the week before is missing too). Two queries."""
    if actor.district is None or not actor.has("safety.report.view"):
        return []
    from houqin.org.models import Kindergarten
    from houqin.safety.models import ReportPeriod
    from houqin.safety.selectors import district_reports
    from houqin.safety.services import report_bounds

    today = timezone.localdate()
    last, _end = report_bounds(ReportPeriod.WEEK, today - dt.timedelta(days=7))
    before = last - dt.timedelta(days=7)
    signed = set(district_reports(district=actor.district, period=ReportPeriod.WEEK)
                 .filter(start__in=[last, before]).values_list("kindergarten_id", "start"))
    url = reverse("safety:district_reports", kwargs={"district": actor.district.slug})
    todos = []
    for k in Kindergarten.objects.filter(district=actor.district, is_active=True).order_by("name"):
        if (k.pk, last) in signed:
            continue
        todos.append(Todo(
            title=_("Safety report overdue: %(kg)s — week of %(day)s") % {"kg": k.name, "day": f"{last:%m-%d}"},
            url=url, urgency=3 if (k.pk, before) not in signed else 2, area="safety", due=last + dt.timedelta(days=7)))
    return todos


@register_figures
def safety_figures(kindergartens, start, end) -> dict:
    """The term's safety figures per kindergarten (a fixed number of grouped queries)."""
    from houqin.safety.exports import duration
    from houqin.safety.figures import counts, drill_items, fire_overdue, rule_values

    ids = [k.pk for k in kindergartens]
    if not ids:
        return {}
    found = counts(ids, start, end)
    drills = drill_items(ids, start, end)
    today = timezone.localdate()
    fire = fire_overdue(ids, min(end, today), rule_values(ids))
    result = {}
    for k in kindergartens:
        c = found[k.pk]

        def url(name, query="", slug=k.slug):
            return reverse(f"safety:{name}", kwargs={"kg": slug}) + (f"?{query}" if query else "")

        drill_lines = tuple(f"{d['date']} {d['kind_label']}，{d['classes']}个班，{duration(d['seconds'])}"
                            for d in drills.get(k.pk, []))
        result[k.pk] = [
            Figure("safety.inspections", _("Inspection rounds done"), c["inspections"], "次", "safety",
                   url("inspection_list"), detail=_("%(n)d daily zone self-checks") % {"n": c["self_checks"]}),
            Figure("safety.hazards_found", _("Hazards found"), c["hazards_found"], "项", "safety",
                   url("hazard_list", "status=all"), district=True),
            Figure("safety.hazards_closed", _("Hazards rectified and closed"), c["hazards_closed"], "项", "safety",
                   url("hazard_list", "status=closed"), district=True),
            Figure("safety.hazards_overdue", _("Hazards overdue"), c["hazards_overdue"], "项", "safety",
                   url("hazard_list", "status=overdue"), district=True),
            Figure("safety.drills", _("Drills held"), c["drills"], "次", "safety", url("drill_list"),
                   items=drill_lines, district=True),
            Figure("safety.fire_overdue", _("Fire equipment overdue"), fire[k.pk], "件", "safety", url("fire_list")),
            Figure("safety.visitors", _("Visitors registered"), c["visitors"], "人次", "safety", url("visitor_list")),
            Figure("safety.incidents", _("Incidents"), c["incidents"], "起", "safety", url("incident_list"),
                   district=True),
            Figure("safety.injuries", _("Injuries of children told to parents"), c["injuries"], "起", "safety",
                   url("injury_list"), district=True),
        ]
    return result


@register_findings({
    "safety.hazard_overdue": _lazy("Hazard not rectified by its deadline"),
    "safety.self_check_missing": _lazy("Daily zone self-check missed"),
})
def safety_findings(kindergarten, start, end) -> list:
    """The assignee of each hazard whose deadline passed in the period before it was rectified; the
    owner of each zone for each school day (Monday–Friday) of the period without a self-check."""
    from houqin.safety.models import Hazard, HazardState, SelfCheck, Zone

    today = timezone.localdate()
    last = min(end, today - dt.timedelta(days=1))
    found = []
    tz = timezone.get_current_timezone()
    for h in (Hazard.objects.active().filter(kindergarten=kindergarten, assignee__isnull=False,
                                             deadline__range=(start, last))
              .filter(Q(state=HazardState.ASSIGNED) | Q(rectified_at__gte=dt.datetime.combine(
                  start, dt.time.min, tzinfo=tz)))):
        if h.state == HazardState.ASSIGNED or (h.rectified_at and timezone.localtime(h.rectified_at).date() > h.deadline):
            found.append(Finding("safety.hazard_overdue", str(_("Hazard not rectified by its deadline")),
                                 h.assignee_id, h.deadline, f"{h.number} {h.location}：{h.description[:60]}",
                                 reverse("safety:hazard_detail", kwargs={"kg": kindergarten.slug, "code": h.code})))
    zones = list(Zone.objects.active().filter(kindergarten=kindergarten, owner__isnull=False,
                                              created_at__date__lte=last))
    if zones and start <= last:
        done = set(SelfCheck.objects.filter(zone__in=zones, date__range=(start, last)).values_list("zone_id", "date"))
        day = start
        while day <= last:
            if day.weekday() < 5:
                for z in zones:
                    if timezone.localtime(z.created_at).date() <= day and (z.pk, day) not in done:
                        found.append(Finding("safety.self_check_missing", str(_("Daily zone self-check missed")),
                                             z.owner_id, day, z.name,
                                             reverse("safety:zone_detail", kwargs={"kg": kindergarten.slug,
                                                                                   "code": z.code})))
            day += dt.timedelta(days=1)
    return found


# --- injuries told to parents (safety/injuries.py) ---------------------------------------------

register_nav(NavItem(_lazy("Injuries"), "safety:injury_list", "safety.injury.view", icon="bandaid", order=73))


@register_todos
def injury_todos(actor) -> list[Todo]:
    """The principal: serious injuries the kindergarten's rule sends to the district, not yet
    reported (red). Whoever records injuries: those of the last three days the parents have not yet
    answered (one query), and those the parents dispute (one query)."""
    if actor.kindergarten is None:
        return []
    from houqin import policy
    from houqin.safety.models import Injury, ParentResponse

    todos: list[Todo] = []
    if actor.has("safety.injury.district"):
        n = Injury.objects.active().filter(kindergarten=actor.kindergarten, district_due=True,
                                           district_reported_at__isnull=True).count()
        if n:
            todos.append(Todo(ngettext("%(n)d serious injury to report to the district",
                                       "%(n)d serious injuries to report to the district", n) % {"n": n},
                              _url("injury_list", actor, "status=district"), urgency=3, area="safety"))
    if actor.has("safety.injury.record"):
        since = timezone.now() - dt.timedelta(days=3)
        counts = policy.scoped(actor, "safety.injury.record", Injury.objects.active()).aggregate(
            unanswered=Count("id", filter=Q(responded_at__isnull=True, occurred_at__gte=since)),
            disputed=Count("id", filter=Q(response=ParentResponse.DISPUTED, responded_at__gte=since)))
        if counts["disputed"]:
            n = counts["disputed"]
            todos.append(Todo(ngettext("%(n)d injury the parents see differently",
                                       "%(n)d injuries the parents see differently", n) % {"n": n},
                              _url("injury_list", actor, "status=disputed"), urgency=2, area="safety"))
        if counts["unanswered"]:
            n = counts["unanswered"]
            todos.append(Todo(ngettext("%(n)d injury not yet answered by the parents",
                                       "%(n)d injuries not yet answered by the parents", n) % {"n": n},
                              _url("injury_list", actor, "status=unanswered"), urgency=1, area="safety"))
    return todos


# --- staggered arrival and dismissal, safety education (safety/dismissal.py, safety/education.py) ----

register_nav(NavItem(_lazy("Staggered times"), "safety:slot_today", "safety.slot.view", icon="clock", order=71))
register_nav(NavItem(_lazy("Safety education"), "safety:lesson_list", "safety.education.view", icon="book",
                     order=73))


@register_todos
def education_todos(actor) -> list[Todo]:
    """Whoever records safety education: sessions planned for a day already past and not yet recorded
    as held (one query)."""
    if actor.kindergarten is None or not actor.has("safety.education.record"):
        return []
    from houqin import policy
    from houqin.safety.models import SafetyLesson

    today = timezone.localdate()
    n = policy.scoped(actor, "safety.education.record", SafetyLesson.objects.active()).filter(
        held_on__isnull=True, planned_on__lt=today, planned_on__gte=today - dt.timedelta(days=30)).count()
    if not n:
        return []
    return [Todo(ngettext("%(n)d safety education session planned and not yet recorded",
                          "%(n)d safety education sessions planned and not yet recorded", n) % {"n": n},
                 _url("lesson_list", actor, "status=overdue"), urgency=1, area="safety")]


EDUCATION_FIGURES_KEYS = (  # every key education_figures gives (register_figures)
    "safety.education",
)


@register_figures(keys=EDUCATION_FIGURES_KEYS)
def education_figures(kindergartens, start, end) -> dict:
    """The term's safety education: sessions held (children, staff, parents), against the plan
    (2 grouped queries)."""
    from houqin.safety.education import term_counts

    ids = [k.pk for k in kindergartens]
    if not ids:
        return {}
    found = term_counts(ids, start, end)
    result = {}
    for k in kindergartens:
        c = found[k.pk]
        url = reverse("safety:lesson_list", kwargs={"kg": k.slug}) + f"?start={start:%Y-%m-%d}&end={end:%Y-%m-%d}"
        result[k.pk] = [
            Figure("safety.education", _("Safety education sessions held"), c["held"], "次", "safety", url,
                   detail=_("%(children)d for children, %(staff)d for staff, %(parents)d for parents; "
                            "%(planned)d planned") % c,
                   items=tuple(f"{label}{n}次" for label, n in c["topics"].items()), district=True),
        ]
    return result


# --- the rule book (safety/rulebook.py) ----------------------------------------------------------


@register_todos
def rulebook_todos(actor) -> list[Todo]:
    """The principal and the director: plans whose current version is past its review date (red) or
    due for review within a month (amber). One query."""
    if actor.kindergarten is None or not actor.has("safety.rulebook.change"):
        return []
    from houqin.safety.rulebook import reviews_due

    due = reviews_due(actor.kindergarten)
    todos: list[Todo] = []
    if due["overdue"]:
        n = due["overdue"]
        todos.append(Todo(ngettext("%(n)d plan past its review date", "%(n)d plans past their review date", n)
                          % {"n": n}, _url("plan_list", actor), urgency=3, area="safety"))
    if due["soon"]:
        n = due["soon"]
        todos.append(Todo(ngettext("%(n)d plan due for review this month", "%(n)d plans due for review this month",
                                   n) % {"n": n}, _url("plan_list", actor), urgency=2, area="safety"))
    return todos

"""Menu entries, to-do providers, term figures and assessment findings of this area
(imported from AppConfig.ready)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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

register_nav(NavItem(gettext_lazy("Health today"), "health:overview", "health.view", icon="heart-pulse", order=50))
register_nav(NavItem(gettext_lazy("Infectious disease"), "health:cases", "health.disease.view", icon="virus", order=51))
register_nav(NavItem(gettext_lazy("Exams and growth"), "health:exams", "health.exam.view", icon="rulers", order=52))
register_nav(NavItem(gettext_lazy("Vaccination"), "health:vaccination", "health.vaccination.view", icon="capsule", order=53))
register_nav(NavItem(gettext_lazy("Disinfection"), "health:disinfection", "health.disinfection.view", icon="droplet",
                     order=54))
register_nav(NavItem(gettext_lazy("Entrusted medicines"), "health:medication", "health.medication.view", icon="capsule-pill",
                     order=56))
register_nav(NavItem(gettext_lazy("Allergies and diets"), "health:diets", "health.diet.view", icon="egg-fried",
                     order=57))
register_nav(NavItem(gettext_lazy("Health summary"), "health:summary", "health.summary.view", icon="bar-chart", order=55))


@register_todos
def health_todos(actor) -> list[Todo]:
    """Red: an outbreak rule fired (principal, health teacher), a class not yet checked this morning,
    a missing disinfection record today. Amber: illness absences to follow up, catch-up doses, open
    cases that may return. A fixed number of queries."""
    if actor.kindergarten is None:
        return []
    from houqin.health import rules, selectors
    from houqin.health.models import Attendance, AttendanceStatus, CatchUp, CatchUpStatus, CheckKind, CheckSession

    slug = actor.kindergarten.slug
    today = timezone.localdate()
    todos: list[Todo] = []
    if actor.has("health.disease.manage"):
        now = timezone.now()
        for alert in selectors.open_alerts(actor=actor):
            url = reverse("health:alert_detail", kwargs={"kg": slug, "code": alert.code})
            if selectors.report_overdue(alert, now):
                todos.append(Todo(
                    title=_("Report overdue: %(rule)s") % {"rule": alert.rule_name}, url=url, urgency=3,
                    area="health", due=timezone.localtime(alert.report_due_at).date(),
                    detail=_("The report was due by %(at)s: send it to the district now.") % {
                        "at": timezone.localtime(alert.report_due_at).strftime("%m-%d %H:%M")}))
            elif selectors.ack_overdue(alert, now):
                todos.append(Todo(
                    title=_("The district has not acknowledged the report: %(rule)s") % {"rule": alert.rule_name},
                    url=url, urgency=2, area="health", detail=_("Call the district to confirm it was received.")))
            elif alert.status == "open":
                todos.append(Todo(
                    title=_("Outbreak rule fired: %(rule)s") % {"rule": alert.rule_name},
                    url=reverse("health:alert_detail", kwargs={"kg": slug, "code": alert.code}), urgency=3,
                    area="health", due=alert.window_end,
                    detail=_("%(n)d cases. Proposed: intensified disinfection, notice to parents, report to the "
                             "authority.") % {"n": alert.case_count}))
    if actor.has("health.check.record"):
        from houqin import policy

        alerted = actor.widest_scope("health.check.record") == policy.Scope.KINDERGARTEN
        for obs in selectors.observations(actor=actor, day=today, capability="health.check.record"):
            if obs.status != "observing":
                continue
            url = reverse("health:observation", kwargs={"kg": slug, "code": obs.code})
            if obs.seen_at is None and alerted:
                todos.append(Todo(title=_("Alarm: %(child)s (%(cls)s) — %(reason)s") % {
                    "child": obs.child.name, "cls": obs.school_class.name, "reason": obs.reason},
                    url=url, urgency=3, area="health", due=today,
                    detail=_("See the child and record the observation; the parents have been notified.")))
            else:
                todos.append(Todo(title=_("Under observation: %(child)s (%(cls)s)") % {
                    "child": obs.child.name, "cls": obs.school_class.name}, url=url, urgency=2, area="health",
                    due=today, detail=obs.reason))
    if today.weekday() >= 5:
        return todos
    if actor.has("health.check.record"):
        class_list = list(selectors.classes(actor=actor, capability="health.check.record"))
        closed = {c.school_class_id for c in selectors.active_closures(actor=actor, day=today)} if actor.has(
            "health.disease.view") else set()
        done = set(CheckSession.objects.filter(school_class_id__in=[c.pk for c in class_list], date=today,
                                               kind=CheckKind.MORNING).values_list("school_class_id", flat=True))
        missing = [c for c in class_list if c.pk not in done and c.pk not in closed]
        if missing and timezone.localtime().hour >= 9:
            todos.append(Todo(
                title=_("Morning check not recorded: %(classes)s") % {"classes": "、".join(c.name for c in missing[:6])},
                url=reverse("health:overview", kwargs={"kg": slug}), urgency=3, area="health", due=today))
        elif missing and len(missing) <= 2:
            for c in missing:
                todos.append(Todo(title=_("Morning check of %(cls)s") % {"cls": c.name},
                                  url=reverse("health:check", kwargs={"kg": slug, "code": c.code}), urgency=2,
                                  area="health", due=today))
        # an illness absence is followed up within the rule's days (attendance.follow_up_days): a to-do after that
        follow_up_days = int(rules.value(actor.kindergarten, "attendance.follow_up_days"))
        pending = (Attendance.objects.filter(school_class_id__in=[c.pk for c in class_list], status=AttendanceStatus.SICK,
                                             diagnosis="", date__gte=today - dt.timedelta(days=14),
                                             date__lte=today - dt.timedelta(days=follow_up_days))
                   .count())
        if pending:
            todos.append(Todo(title=_("%(n)d illness absences to follow up") % {"n": pending},
                              url=reverse("health:attendance", kwargs={"kg": slug}), urgency=2, area="health"))
    if actor.has("health.disinfection.record"):
        missing = selectors.disinfection_missing(actor=actor, days=[today - dt.timedelta(days=1)] if today.weekday()
                                                 else [], capability="health.disinfection.record")
        if missing:
            todos.append(Todo(
                title=_("Disinfection records missing: %(classes)s") % {
                    "classes": "、".join(sorted({m["school_class"].name for m in missing})[:6])},
                url=reverse("health:disinfection", kwargs={"kg": slug}) + f"?date={missing[0]['date'].isoformat()}",
                urgency=3, area="health", due=missing[0]["date"]))
    if actor.has("health.vaccination.record"):
        from houqin import policy

        n = policy.scoped(actor, "health.vaccination.record", CatchUp.objects.filter(status=CatchUpStatus.PENDING)).count()
        if n:
            todos.append(Todo(title=_("%(n)d catch-up doses pending") % {"n": n},
                              url=reverse("health:vaccination", kwargs={"kg": slug}), urgency=2, area="health"))
    return todos


@register_district_todos
def health_district_todos(actor) -> list[Todo]:
    """The supervisor: infectious disease reports to acknowledge (red once overdue). One query."""
    if actor.district is None or not actor.has("health.report.acknowledge"):
        return []
    from houqin.health import selectors

    now = timezone.now()
    todos = []
    for alert in selectors.district_reports(district=actor.district).filter(acknowledged_at__isnull=True)[:50]:
        overdue = selectors.ack_overdue(alert, now)
        todos.append(Todo(
            title=_("Disease report to acknowledge: %(kg)s — %(rule)s") % {"kg": alert.kindergarten.name,
                                                                            "rule": alert.rule_name},
            url=reverse("health:district_report", kwargs={"district": actor.district.slug, "code": alert.code}),
            urgency=3 if overdue else 2, area="health", due=timezone.localtime(alert.reported_at).date()))
    return todos


def _pct(n, d) -> Decimal | None:
    return (Decimal(100 * n) / d).quantize(Decimal("0.1")) if d else None


@register_figures
def health_figures(kindergartens, start, end) -> dict[int, list[Figure]]:
    """The health figures of the term for each kindergarten: a fixed number of aggregate queries."""
    from houqin.health import rules
    from houqin.health.models import (
        Attendance,
        AttendanceStatus,
        CatchUp,
        CatchUpStatus,
        ClassClosure,
        DiseaseCase,
        Exam,
        GrowthResult,
        VaccinationCheck,
        WeakChildCase,
    )
    from houqin.org.models import Child

    ids = [k.pk for k in kindergartens]
    enrolled = dict(Child.objects.active().filter(kindergarten_id__in=ids, enrolled_on__lte=end)
                    .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
                    .values("kindergarten_id").annotate(n=Count("pk")).values_list("kindergarten_id", "n"))
    latest: dict[int, tuple] = {}
    for child_id, kg_id, results in (Exam.objects.active().filter(kindergarten_id__in=ids, date__gte=start, date__lte=end)
                                     .order_by("date", "pk").values_list("child_id", "kindergarten_id", "results")):
        latest[child_id] = (kg_id, results or [])
    examined = defaultdict(int)
    results = defaultdict(lambda: defaultdict(int))
    for kg_id, rs in latest.values():
        examined[kg_id] += 1
        for r in rs:
            results[kg_id][r] += 1
    checked = dict(VaccinationCheck.objects.active().filter(kindergarten_id__in=ids, child__voided_at__isnull=True,
                                                            child__left_on__isnull=True)
                   .values("kindergarten_id").annotate(n=Count("child_id", distinct=True))
                   .values_list("kindergarten_id", "n"))
    current = dict(Child.objects.active().filter(kindergarten_id__in=ids, left_on__isnull=True)
                   .values("kindergarten_id").annotate(n=Count("pk")).values_list("kindergarten_id", "n"))
    catch = defaultdict(dict)
    for row in CatchUp.objects.filter(kindergarten_id__in=ids).values("kindergarten_id", "status").annotate(n=Count("pk")):
        catch[row["kindergarten_id"]][row["status"]] = row["n"]
    cases = defaultdict(dict)
    for row in (DiseaseCase.objects.active().filter(kindergarten_id__in=ids, onset_date__gte=start, onset_date__lte=end)
                .values("kindergarten_id", "disease").annotate(n=Count("pk"))):
        cases[row["kindergarten_id"]][row["disease"]] = row["n"]
    closures = defaultdict(list)
    for c in (ClassClosure.objects.active().filter(kindergarten_id__in=ids, start__gte=start, start__lte=end)
              .select_related("school_class").order_by("start")):
        closures[c.kindergarten_id].append(c)
    att = defaultdict(dict)
    for row in (Attendance.objects.filter(kindergarten_id__in=ids, date__gte=start, date__lte=end)
                .values("kindergarten_id", "status").annotate(n=Count("pk"))):
        att[row["kindergarten_id"]][row["status"]] = row["n"]
    weak = dict(WeakChildCase.objects.active().filter(kindergarten_id__in=ids, opened_on__lte=end)
                .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
                .values("kindergarten_id").annotate(n=Count("pk")).values_list("kindergarten_id", "n"))
    names = rules.diseases()
    labels = dict(GrowthResult.choices)
    out = {}
    for k in kindergartens:
        slug = k.slug

        def url(name, query=""):
            return reverse(name, kwargs={"kg": slug}) + query

        e, n = examined.get(k.pk, 0), enrolled.get(k.pk, 0)
        done, pending = catch[k.pk].get(CatchUpStatus.DONE, 0), catch[k.pk].get(CatchUpStatus.PENDING, 0)
        a = att[k.pk]
        total_att = sum(a.values())
        by_disease = cases[k.pk]
        figures = [
            Figure("health.exam_rate", _("Exam rate"), _pct(e, n), "%", "health", url("health:summary"), f"{e} / {n}",
                   district=True),
            *[Figure(f"health.{r}_rate", str(labels[r]), _pct(results[k.pk][r], e), "%", "health", url("health:summary"),
                     f"{results[k.pk][r]} / {e}") for r in GrowthResult.values],
            Figure("health.vaccination_check_rate", _("Vaccination check rate"), _pct(checked.get(k.pk, 0),
                                                                                        current.get(k.pk, 0)),
                   "%", "health", url("health:vaccination"), f"{checked.get(k.pk, 0)} / {current.get(k.pk, 0)}",
                   district=True),
            Figure("health.catch_up_rate", _("Catch-up completion rate"), _pct(done, done + pending), "%", "health",
                   url("health:vaccination", "?all=1"), f"{done} / {done + pending}", district=True),
            Figure("health.disease_cases", _("Infectious disease cases"), sum(by_disease.values()), _("cases"), "health",
                   url("health:cases"), "，".join(f"{names[d].name if d in names else d} {c}" for d, c in
                                                  sorted(by_disease.items())),
                   items=tuple(f"{names[d].name if d in names else d}：{c}" for d, c in sorted(by_disease.items())),
                   district=True),
            Figure("health.class_closures", _("Class closures"), len(closures[k.pk]), _("times"), "health",
                   url("health:cases"), items=tuple(
                       f"{c.start.month}月{c.start.day}日 {c.school_class.name} {c.reason}" for c in closures[k.pk])),
            Figure("health.attendance_rate", _("Attendance rate"), _pct(a.get(AttendanceStatus.PRESENT, 0), total_att),
                   "%", "health", url("health:attendance"), f"{a.get(AttendanceStatus.PRESENT, 0)} / {total_att}",
                   district=True),
            Figure("health.weak_child_cases", _("Weak-child cases"), weak.get(k.pk, 0), _("children"), "health",
                   url("health:weak_cases")),
        ]
        out[k.pk] = figures
    return out


@register_findings({"health.disinfection_missing": gettext_lazy("Disinfection record missing")})
def health_findings(kindergarten, start, end) -> list[Finding]:
    """A school day on which a class recorded none of its daily disinfection areas counts against the
    class's nursery staff (保育员). Three queries."""
    from houqin.health import rules
    from houqin.health.models import ClassClosure, Disinfection
    from houqin.org.models import Membership, Role, SchoolClass

    end = min(end, timezone.localdate() - dt.timedelta(days=1))
    if end < start:
        return []
    class_ids = list(SchoolClass.objects.filter(kindergarten=kindergarten, is_active=True).values_list("pk", flat=True))
    school_days = sorted(set(Disinfection.objects.active().filter(kindergarten=kindergarten, date__gte=start,
                                                                  date__lte=end).values_list("date", flat=True)))
    if not school_days:
        return []
    done = set(Disinfection.objects.active().filter(kindergarten=kindergarten, date__gte=start, date__lte=end,
                                                    area__in=rules.disinfection_areas())
               .values_list("school_class_id", "date").distinct())
    closed = [(c.school_class_id, c.start, c.reopened_on or c.planned_end)
              for c in ClassClosure.objects.active().filter(kindergarten=kindergarten, start__lte=end)]
    nursery = defaultdict(list)
    names = {}
    for m in (Membership.objects.filter(kindergarten=kindergarten, role=Role.NURSERY, is_active=True)
              .prefetch_related("classes")):
        for c in m.classes.all():
            nursery[c.pk].append(m.user_id)
            names[c.pk] = c.name
    found = []
    url = reverse("health:disinfection", kwargs={"kg": kindergarten.slug})
    for class_id in class_ids:
        for day in school_days:
            if (class_id, day) in done or any(c == class_id and s <= day <= e for c, s, e in closed):
                continue
            for user_id in nursery.get(class_id, []):
                found.append(Finding(kind="health.disinfection_missing", label=_("Disinfection record missing"),
                                     user_id=user_id, date=day, url=f"{url}?date={day.isoformat()}",
                                     description=_("%(cls)s: no disinfection record on %(date)s") % {
                                         "cls": names.get(class_id, ""), "date": day.isoformat()}))
    return found


@register_todos
def medication_todos(actor) -> list[Todo]:
    """家长委托喂药: a dose whose time has passed and that nobody recorded is red for the class; a
    medicine waiting to be received is amber. Four queries at most."""
    if actor.kindergarten is None or not actor.has("health.medication.give"):
        return []
    from houqin.health import medication

    kg = actor.kindergarten.slug
    todos = []
    for request, time in medication.missed_doses(actor):
        todos.append(Todo(title=_("Medicine not given: %(child)s, %(drug)s at %(time)s") % {
            "child": request.child.name, "drug": request.drug_name, "time": time},
            url=reverse("health:medication_detail", kwargs={"kg": kg, "code": request.code}), urgency=3,
            area="health", due=timezone.localdate(), detail=request.dose_text))
    for request in medication.waiting(actor):
        todos.append(Todo(title=_("Receive the medicine of %(child)s: %(drug)s") % {
            "child": request.child.name, "drug": request.drug_name},
            url=reverse("health:medication_detail", kwargs={"kg": kg, "code": request.code}), urgency=2,
            area="health", due=request.start_date))
    return todos

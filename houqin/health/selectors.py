"""Read-side queries of the health area."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Count

from houqin.health.models import Attendance, AttendanceStatus


def child_days(*, kindergarten, start: dt.date, end: dt.date, school_class=None) -> int:
    """Child-days of attendance (在园人日数): children present, summed over the days start..end
    (inclusive). The canteen divides food issued by it (记账法) and bills meal fees by it."""
    rows = Attendance.objects.filter(
        kindergarten=kindergarten, date__gte=start, date__lte=end, status=AttendanceStatus.PRESENT
    )
    if school_class is not None:
        rows = rows.filter(school_class=school_class)
    return rows.count()


def child_days_by_class(*, kindergarten, start: dt.date, end: dt.date) -> dict[int, int]:
    """{school_class_id: child-days present} for the period."""
    rows = (
        Attendance.objects.filter(
            kindergarten=kindergarten, date__gte=start, date__lte=end, status=AttendanceStatus.PRESENT
        )
        .values("school_class_id")
        .annotate(n=Count("pk"))
    )
    return {row["school_class_id"]: row["n"] for row in rows}


def days_by_child(*, kindergarten, start: dt.date, end: dt.date) -> dict[int, dict[str, int]]:
    """{child_id: {status: days}} for the period (the meal account refunds absent days by it)."""
    rows = (
        Attendance.objects.filter(kindergarten=kindergarten, date__gte=start, date__lte=end)
        .values("child_id", "status")
        .annotate(n=Count("pk"))
    )
    result: dict[int, dict[str, int]] = {}
    for row in rows:
        result.setdefault(row["child_id"], {})[row["status"]] = row["n"]
    return result


# --- health care screens -----------------------------------------------------------------------------

from collections import Counter, defaultdict  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.db.models import Q  # noqa: E402

from houqin import policy  # noqa: E402
from houqin.health import rules  # noqa: E402
from houqin.health.models import (  # noqa: E402
    AlertStatus,
    CaseStatus,
    CatchUp,
    CatchUpStatus,
    CheckFinding,
    CheckKind,
    CheckSession,
    ClassClosure,
    DiseaseCase,
    Disinfection,
    Exam,
    Finding,
    GrowthResult,
    HealthObservation,
    ObservationStatus,
    OutbreakAlert,
    VaccinationCheck,
    VaccinationDose,
    WeakChildCase,
)
from houqin.org.models import Child, SchoolClass  # noqa: E402


def get_scoped(model, *, actor, capability: str, code, queryset=None):
    """The object with this code if the actor may use `capability` on it; 404 otherwise (audited
    for children's health data, attempts included: houqin.policy.get_or_404)."""
    return policy.get_or_404(actor, capability, queryset if queryset is not None else model, code=code)


def classes(*, actor, capability: str):
    """The active classes the actor may use `capability` on."""
    return policy.scoped(actor, capability, SchoolClass.objects.filter(is_active=True)).select_related("campus")


def enrolled(day: dt.date):
    return Child.objects.active().filter(enrolled_on__lte=day).filter(Q(left_on__isnull=True) | Q(left_on__gte=day))


def check_screen(*, actor, school_class, day: dt.date, kind: str = CheckKind.MORNING) -> dict:
    """The class check screen: every enrolled child with today's attendance, findings and any open
    disease case. Five queries, whatever the class size."""
    children = list(enrolled(day).filter(school_class=school_class).order_by("name_pinyin"))
    ids = [c.pk for c in children]
    attendance = {a.child_id: a for a in Attendance.objects.filter(child_id__in=ids, date=day)}
    session = (CheckSession.objects.filter(school_class=school_class, date=day, kind=kind)
               .select_related("checker", "second_checker").first())
    findings = {f.child_id: f for f in CheckFinding.objects.filter(session=session)} if session else {}
    cases = {c.child_id: c for c in DiseaseCase.objects.active().filter(child_id__in=ids, status=CaseStatus.ISOLATING,
                                                                        isolation_start__lte=day)}
    names = rules.diseases()
    rows = []
    for child in children:
        a, f, case = attendance.get(child.pk), findings.get(child.pk), cases.get(child.pk)
        rows.append({
            "child": child, "attendance": a, "finding": f, "case": case,
            "case_disease": names[case.disease].name if case and case.disease in names else "",
            "status": a.status if a else (AttendanceStatus.SICK if case else AttendanceStatus.PRESENT),
            "symptoms": (a.symptoms.split(",") if a and a.symptoms else []),
            "findings": f.findings if f else [], "temperature": f.temperature if f else None,
            "action": f.action if f else "", "note": f.note if f else "",
        })
    return {"rows": rows, "session": session}


def _day_counts(*, actor, day: dt.date, capability: str) -> tuple[list, dict[int, int], dict[int, dict[str, int]]]:
    """The classes the actor may see, with the children enrolled in each on `day` ({class pk: n}) and
    the day's attendance ({class pk: {status: n}}). Three queries."""
    class_list = list(classes(actor=actor, capability=capability).order_by("campus__name", "sort_order", "name"))
    class_ids = [c.pk for c in class_list]
    enrolled_n = dict(enrolled(day).filter(school_class_id__in=class_ids).values("school_class_id")
                      .annotate(n=Count("pk")).values_list("school_class_id", "n"))
    att = defaultdict(dict)
    for row in (Attendance.objects.filter(school_class_id__in=class_ids, date=day).values("school_class_id", "status")
                .annotate(n=Count("pk"))):
        att[row["school_class_id"]][row["status"]] = row["n"]
    return class_list, enrolled_n, att


def daily_overview(*, actor, day: dt.date) -> dict:
    """The kindergarten's (or the class staff's) health overview of a day: per class enrolled, present,
    sick, personal, not recorded, checks done, exceptions, disinfection records; and the day's
    exceptions, the absences to follow up, the isolating cases, open alerts and closures. A fixed
    number of queries, whatever the number of children."""
    class_list, enrolled_n, att = _day_counts(actor=actor, day=day, capability="health.view")
    class_ids = [c.pk for c in class_list]
    sessions = defaultdict(dict)
    for s in CheckSession.objects.filter(school_class_id__in=class_ids, date=day):
        sessions[s.school_class_id][s.kind] = s
    disinfected = dict(Disinfection.objects.active().filter(school_class_id__in=class_ids, date=day)
                       .values("school_class_id").annotate(n=Count("pk")).values_list("school_class_id", "n"))
    observed = observations(actor=actor, day=day)
    sent_home = defaultdict(int)
    for o in observed:
        if o.status == ObservationStatus.SENT_HOME:
            sent_home[o.school_class_id] += 1
    rows = []
    for c in class_list:
        a = att.get(c.pk, {})
        n = enrolled_n.get(c.pk, 0)
        recorded = sum(a.values())
        rows.append({"school_class": c, "enrolled": n, "sent_home": sent_home.get(c.pk, 0),
                     "in_care": a.get(AttendanceStatus.PRESENT, 0) - sent_home.get(c.pk, 0),
                     "present": a.get(AttendanceStatus.PRESENT, 0),
                     "sick": a.get(AttendanceStatus.SICK, 0), "personal": a.get(AttendanceStatus.PERSONAL, 0),
                     "unrecorded": max(n - recorded, 0), "morning": sessions[c.pk].get(CheckKind.MORNING),
                     "noon": sessions[c.pk].get(CheckKind.NOON), "disinfections": disinfected.get(c.pk, 0)})
    exceptions = list(CheckFinding.objects.filter(school_class_id__in=class_ids, date=day, is_abnormal=True)
                      .select_related("child", "school_class", "session").order_by("school_class__sort_order"))
    follow_ups = list(Attendance.objects.filter(school_class_id__in=class_ids, status=AttendanceStatus.SICK,
                                                diagnosis="", date__gte=day - dt.timedelta(days=14), date__lte=day)
                      .select_related("child", "school_class").order_by("-date"))
    totals = {k: sum(r[k] for r in rows) for k in ("enrolled", "present", "sick", "personal", "unrecorded",
                                                   "sent_home", "in_care")}
    totals["rate"] = round(100 * totals["present"] / totals["enrolled"], 1) if totals["enrolled"] else None
    links = fever_before(follow_ups)
    for a in follow_ups:
        a.fever_before = links.get(a.pk)
    return {"rows": rows, "exceptions": exceptions, "follow_ups": follow_ups, "totals": totals,
            "observations": observed,
            "cases": isolating_cases(actor=actor, day=day), "alerts": open_alerts(actor=actor),
            "closures": active_closures(actor=actor, day=day)}


def observations(*, actor, day: dt.date, capability: str = "health.view") -> list[HealthObservation]:
    """The day's all-day observations (全日健康观察) the actor may see, with their entries. Two queries."""
    if not actor.has(capability):
        return []
    return list(policy.scoped(actor, capability, HealthObservation.objects.filter(date=day))
                .select_related("child", "school_class", "seen_by").prefetch_related("entries")
                .order_by("status", "school_class__sort_order", "child__name_pinyin"))


def fever_before(absences, days: int = 3) -> dict[int, HealthObservation]:
    """{attendance pk: the observation} for illness absences that follow a fever or a serious finding
    of the same child in the days just before (a fever today, absent tomorrow: the illness-absence
    follow-up starts from what was seen). One query."""
    absences = list(absences)
    if not absences:
        return {}
    child_ids = {a.child_id for a in absences}
    lo = min(a.date for a in absences) - dt.timedelta(days=days)
    hi = max(a.date for a in absences)
    seen: dict[int, list[HealthObservation]] = defaultdict(list)
    for o in HealthObservation.objects.filter(child_id__in=child_ids, date__gte=lo, date__lt=hi).order_by("-date"):
        seen[o.child_id].append(o)
    result = {}
    for a in absences:
        for o in seen.get(a.child_id, []):
            if a.date - dt.timedelta(days=days) <= o.date < a.date:
                result[a.pk] = o
                break
    return result


def isolating_cases(*, actor, day: dt.date) -> list:
    if not actor.has("health.disease.view"):
        return []
    return list(policy.scoped(actor, "health.disease.view", DiseaseCase.objects.active())
                .filter(status=CaseStatus.ISOLATING).select_related("child", "staff", "school_class")
                .order_by("return_due"))


def open_alerts(*, actor) -> list:
    if not actor.has("health.disease.view"):
        return []
    return list(policy.scoped(actor, "health.disease.view", OutbreakAlert.objects.exclude(status=AlertStatus.CLOSED))
                .select_related("school_class"))


def active_closures(*, actor, day: dt.date) -> list:
    if not actor.has("health.disease.view"):
        return []
    return list(policy.scoped(actor, "health.disease.view", ClassClosure.objects.active())
                .filter(reopened_on__isnull=True).select_related("school_class"))


def attendance_rates(*, actor, start: dt.date, end: dt.date, capability: str = "health.view") -> list[dict]:
    """Attendance rate per class for a period: present child-days / recorded child-days."""
    class_list = list(classes(actor=actor, capability=capability).order_by("campus__name", "sort_order", "name"))
    counts = defaultdict(dict)
    for row in (Attendance.objects.filter(school_class_id__in=[c.pk for c in class_list], date__gte=start,
                                          date__lte=end).values("school_class_id", "status").annotate(n=Count("pk"))):
        counts[row["school_class_id"]][row["status"]] = row["n"]
    result = []
    for c in class_list:
        a = counts.get(c.pk, {})
        total = sum(a.values())
        result.append({"school_class": c, "present": a.get(AttendanceStatus.PRESENT, 0),
                       "sick": a.get(AttendanceStatus.SICK, 0), "personal": a.get(AttendanceStatus.PERSONAL, 0),
                       "total": total, "rate": round(100 * a.get(AttendanceStatus.PRESENT, 0) / total, 1) if total else None})
    return result


def illness_absence(*, actor, day: dt.date, capability: str = "health.view") -> dict:
    """因病缺勤监测 of a day, the figures the monitoring system asks of a kindergarten: per class the
    children enrolled (应到), present (实到), absent (缺勤 = enrolled − present), absent for illness
    (因病缺勤) and its rate (÷ enrolled, %), the symptoms recorded with their counts (most frequent
    first), the causes found by the follow-up (追踪) and the absences still to follow up, and the
    children whose attendance is not recorded yet;
    the kindergarten's total (the classes the actor may see). Four queries, whatever the number of
    children."""
    class_list, enrolled_n, att = _day_counts(actor=actor, day=day, capability=capability)
    symptoms, causes, pending = defaultdict(Counter), defaultdict(Counter), Counter()
    for class_id, codes, diagnosis in (Attendance.objects.filter(school_class_id__in=[c.pk for c in class_list],
                                                                  date=day, status=AttendanceStatus.SICK)
                                       .values_list("school_class_id", "symptoms", "diagnosis")):
        symptoms[class_id].update(c for c in codes.split(",") if c)
        if diagnosis:
            causes[class_id][diagnosis] += 1
        else:
            pending[class_id] += 1
    labels = dict(Finding.choices)

    def row(n: int, a: dict, seen: Counter, found: Counter, to_follow_up: int) -> dict:
        present, sick = a.get(AttendanceStatus.PRESENT, 0), a.get(AttendanceStatus.SICK, 0)
        return {"enrolled": n, "to_follow_up": to_follow_up, "present": present, "absent": max(n - present, 0), "sick": sick,
                "personal": a.get(AttendanceStatus.PERSONAL, 0), "unrecorded": max(n - sum(a.values()), 0),
                "rate": _pct(sick, n), "causes": sorted(found.items(), key=lambda kv: (-kv[1], kv[0])),
                "symptoms": [(str(labels.get(code, code)), k) for code, k in sorted(seen.items(),
                                                                                     key=lambda kv: (-kv[1], kv[0]))]}

    rows, total_att, total_symptoms, total_causes = [], Counter(), Counter(), Counter()
    for c in class_list:
        a = att.get(c.pk, {})
        rows.append({"school_class": c, **row(enrolled_n.get(c.pk, 0), a, symptoms[c.pk], causes[c.pk], pending[c.pk])})
        total_att.update(a)
        total_symptoms.update(symptoms[c.pk])
        total_causes.update(causes[c.pk])
    total = row(sum(enrolled_n.get(c.pk, 0) for c in class_list), total_att, total_symptoms, total_causes,
                sum(pending.values()))
    return {"day": day, "rows": rows, "total": total}


def case_list(*, actor, include_closed: bool = True):
    qs = policy.scoped(actor, "health.disease.view", DiseaseCase.objects.active()).select_related(
        "child", "staff", "school_class")
    if not include_closed:
        qs = qs.filter(status=CaseStatus.ISOLATING)
    return qs.order_by("-onset_date", "-id")


def alert_list(*, actor):
    return policy.scoped(actor, "health.disease.view", OutbreakAlert.objects.all()).select_related("school_class")


def closure_list(*, actor):
    return (policy.scoped(actor, "health.disease.view", ClassClosure.objects.active()).select_related("school_class")
            .annotate(children_n=Count("children")))


def exam_list(*, actor, school_class=None, capability: str = "health.exam.view"):
    qs = policy.scoped(actor, capability, Exam.objects.active()).select_related("child", "school_class")
    if school_class is not None:
        qs = qs.filter(school_class=school_class)
    return qs.order_by("school_class__sort_order", "child__name_pinyin", "-date")


def exams_by_other_standard(*, actor, standard: str) -> int:
    """How many active exams were assessed by another standard than `standard` (to re-assess)."""
    return policy.scoped(actor, "health.exam.record", Exam.objects.active()).exclude(standard=standard).count()


def correction_list(*, actor, open_only: bool = True):
    """矫治 follow-ups: open ones first (re-check due soonest), then resolved."""
    from houqin.health.models import Correction

    qs = policy.scoped(actor, "health.exam.view", Correction.objects.active()).select_related(
        "child", "school_class", "exam").prefetch_related("checks")
    if open_only:
        qs = qs.filter(resolved_on__isnull=True)
    return qs.order_by(F("resolved_on").desc(nulls_first=True), "next_check_on", "school_class__sort_order",
                       "child__name_pinyin")


def exam_summary(*, actor, start: dt.date, end: dt.date, capability: str = "health.summary.view") -> dict:
    """Per class: children enrolled, examined in the period (completion rate), and the rate of each
    growth result (latest exam of each child in the period). Three queries."""
    class_list = list(classes(actor=actor, capability=capability).order_by("campus__name", "sort_order", "name"))
    ids = [c.pk for c in class_list]
    enrolled_n = dict(enrolled(end).filter(school_class_id__in=ids).values("school_class_id").annotate(n=Count("pk"))
                      .values_list("school_class_id", "n"))
    latest: dict[int, tuple] = {}
    for child_id, class_id, results, anaemia in (Exam.objects.active().filter(school_class_id__in=ids, date__gte=start,
                                                                              date__lte=end)
                                                 .order_by("date", "pk")
                                                 .values_list("child_id", "school_class_id", "results", "anaemia")):
        latest[child_id] = (class_id, results or [], anaemia)
    per = defaultdict(lambda: {"examined": 0, "anaemia": 0, **{r: 0 for r in GrowthResult.values}})
    for class_id, results, anaemia in latest.values():
        p = per[class_id]
        p["examined"] += 1
        p["anaemia"] += int(anaemia)
        for r in results:
            if r in GrowthResult.values:
                p[r] += 1
    rows = []
    for c in class_list:
        p = per[c.pk]
        n = enrolled_n.get(c.pk, 0)
        rows.append({"school_class": c, "enrolled": n, **p,
                     "completion": _pct(p["examined"], n),
                     **{f"{r}_rate": _pct(p[r], p["examined"]) for r in [*GrowthResult.values, "anaemia"]}})
    total = {"enrolled": sum(r["enrolled"] for r in rows), "examined": sum(r["examined"] for r in rows)}
    for r in [*GrowthResult.values, "anaemia"]:
        total[r] = sum(row[r] for row in rows)
        total[f"{r}_rate"] = _pct(total[r], total["examined"])
    total["completion"] = _pct(total["examined"], total["enrolled"])
    return {"rows": rows, "total": total}


def _pct(n, d) -> Decimal | None:
    return (Decimal(100 * n) / d).quantize(Decimal("0.1")) if d else None


def vaccination_summary(*, actor, capability: str = "health.summary.view") -> dict:
    """Per class: enrolled children, certificates checked (check rate), catch-up doses and those done
    (catch-up completion rate). Four queries."""
    class_list = list(classes(actor=actor, capability=capability).order_by("campus__name", "sort_order", "name"))
    ids = [c.pk for c in class_list]
    enrolled_n = dict(Child.objects.active().filter(school_class_id__in=ids, left_on__isnull=True)
                      .values("school_class_id").annotate(n=Count("pk")).values_list("school_class_id", "n"))
    checked = dict(VaccinationCheck.objects.active().filter(school_class_id__in=ids, child__left_on__isnull=True,
                                                            child__voided_at__isnull=True)
                   .values("school_class_id").annotate(n=Count("child_id", distinct=True))
                   .values_list("school_class_id", "n"))
    cu = defaultdict(dict)
    for row in (CatchUp.objects.filter(child__school_class_id__in=ids).values("child__school_class_id", "status")
                .annotate(n=Count("pk"))):
        cu[row["child__school_class_id"]][row["status"]] = row["n"]
    rows = []
    for c in class_list:
        n, k = enrolled_n.get(c.pk, 0), checked.get(c.pk, 0)
        done, pending = cu[c.pk].get(CatchUpStatus.DONE, 0), cu[c.pk].get(CatchUpStatus.PENDING, 0)
        rows.append({"school_class": c, "enrolled": n, "checked": k, "check_rate": _pct(k, n), "catch_up": done + pending,
                     "catch_up_done": done, "catch_up_rate": _pct(done, done + pending)})
    t = {k: sum(r[k] for r in rows) for k in ("enrolled", "checked", "catch_up", "catch_up_done")}
    t["check_rate"], t["catch_up_rate"] = _pct(t["checked"], t["enrolled"]), _pct(t["catch_up_done"], t["catch_up"])
    return {"rows": rows, "total": t}


def catch_up_list(*, actor, pending_only: bool = False):
    qs = policy.scoped(actor, "health.vaccination.view", CatchUp.objects.all()).select_related(
        "child", "child__school_class")
    if pending_only:
        qs = qs.filter(status=CatchUpStatus.PENDING)
    return qs.order_by("status", "child__school_class__sort_order", "child__name_pinyin", "vaccine", "dose_no")


def weak_case_list(*, actor, open_only: bool = False):
    qs = policy.scoped(actor, "health.exam.view", WeakChildCase.objects.active()).select_related(
        "child", "school_class").annotate(follow_up_n=Count("follow_ups"))
    if open_only:
        qs = qs.filter(closed_on__isnull=True)
    return qs


def disinfection_list(*, actor, start: dt.date, end: dt.date):
    return (policy.scoped(actor, "health.disinfection.view", Disinfection.objects.active())
            .filter(date__gte=start, date__lte=end).select_related("school_class", "done_by")
            .order_by("-date", "school_class__sort_order", "area"))


def disinfection_missing(*, actor, days: list[dt.date],
                         capability: str = "health.disinfection.view") -> list[dict]:
    """(class, day, missing areas) for the school days given: each class is expected to record each
    of the daily areas (a rule of the data file), every area while disinfection is intensified."""
    from houqin.health.models import DisinfectionArea

    class_list = list(classes(actor=actor, capability=capability))
    if not class_list or not days:
        return []
    ids = [c.pk for c in class_list]
    done = defaultdict(set)
    for class_id, date, area in (Disinfection.objects.active().filter(school_class_id__in=ids, date__in=days)
                                 .values_list("school_class_id", "date", "area")):
        done[(class_id, date)].add(area)
    closed = [(c.school_class_id, c.start, c.reopened_on or c.planned_end)
              for c in ClassClosure.objects.active().filter(school_class_id__in=ids, start__lte=max(days))]
    alerts = list(OutbreakAlert.objects.filter(kindergarten=actor.kindergarten, intensified_until__gte=min(days))
                  .exclude(status=AlertStatus.CLOSED).values_list("school_class_id", "window_start",
                                                                  "intensified_until"))
    daily = rules.disinfection_areas()
    result = []
    for c in class_list:
        for day in days:
            if any(cid == c.pk and s <= day <= e for cid, s, e in closed):
                continue
            intensified = any((cid is None or cid == c.pk) and s <= day <= e for cid, s, e in alerts)
            wanted = DisinfectionArea.values if intensified else daily
            missing = [a for a in wanted if a not in done[(c.pk, day)]]
            if missing:
                result.append({"school_class": c, "date": day, "missing": missing, "intensified": intensified})
    return result


def child_record(*, actor, child) -> dict:
    """A child's health record (what the actor may see of it)."""
    out = {"child": child}
    if actor.has("health.child.view"):
        out["exams"] = list(Exam.objects.active().filter(child=child).order_by("date", "pk"))
        out["cases"] = list(DiseaseCase.objects.active().filter(child=child))
        out["findings"] = list(CheckFinding.objects.filter(child=child, is_abnormal=True).order_by("-date")[:20])
        out["absences"] = list(Attendance.objects.filter(child=child).exclude(status=AttendanceStatus.PRESENT)
                               .order_by("-date")[:30])
        out["doses"] = list(VaccinationDose.objects.active().filter(child=child).order_by("vaccine", "dose_no"))
        out["checks"] = list(VaccinationCheck.objects.active().filter(child=child))
        out["catch_ups"] = list(CatchUp.objects.filter(child=child).order_by("status", "vaccine", "dose_no"))
        out["weak_cases"] = list(WeakChildCase.objects.active().filter(child=child).prefetch_related("follow_ups"))
    return out


# --- reports to the district -----------------------------------------------------------------------------


def ack_overdue(alert: OutbreakAlert, now=None) -> bool:
    """A report sent to the district and not acknowledged within the rule figure's hours."""
    from django.utils import timezone

    if alert.reported_at is None or alert.acknowledged_at is not None or not alert.district_report:
        return False
    hours = rules.value(alert.kindergarten, "report.ack_hours")
    return (now or timezone.now()) > alert.reported_at + dt.timedelta(hours=int(hours))


def report_overdue(alert: OutbreakAlert, now=None) -> bool:
    """A rule fired and no report made within the rule's hours."""
    from django.utils import timezone

    return (alert.reported_at is None and alert.status == AlertStatus.OPEN and alert.report_due_at is not None
            and (now or timezone.now()) > alert.report_due_at)


def district_reports(*, district):
    """Reports the district's kindergartens sent (figures and the report text, which names no child)."""
    return (OutbreakAlert.objects.filter(kindergarten__district=district, reported_at__isnull=False)
            .exclude(district_report="").select_related("kindergarten", "school_class", "acknowledged_by")
            .order_by("acknowledged_at", "-reported_at"))


def get_district_report(*, district, code) -> OutbreakAlert:
    from django.http import Http404

    alert = district_reports(district=district).filter(code=code).first()
    if alert is None:
        raise Http404
    return alert

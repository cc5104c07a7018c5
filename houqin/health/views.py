"""HTML pages of health care. Thin: parse the request, call a selector or a service, render or redirect.
Every read of children's health data is written to the audit log (houqin.policy.requires audits every use of a sensitive capability)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from houqin import policy
from houqin.core.errors import DomainError
from houqin.core.web import add_domain_errors, day_param, rule_figure_post, xlsx_response
from houqin.health import diets
from houqin.health import forms as f
from houqin.health import growth, judgements, markup, rules, selectors, services
from houqin.health import statistics as health_statistics
from houqin.policy import requires
from houqin.health.models import (
    Attendance,
    AttendanceStatus,
    CatchUp,
    CheckAction,
    CheckKind,
    ClassClosure,
    Correction,
    DeviceToken,
    DiseaseCase,
    DisinfectionArea,
    ExamKind,
    Finding,
    HealthObservation,
    OutbreakAlert,
    WeakChildCase,
)
from houqin.org.models import Campus, Child, SchoolClass


def _today() -> dt.date:
    return timezone.localdate()


def _day(request) -> dt.date:
    return day_param(request, latest=_today())


def _month(request) -> tuple[dt.date, dt.date]:
    try:
        start = dt.date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        start = _today().replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return start, end


def _term(day: dt.date) -> tuple[dt.date, dt.date]:
    """The school term containing `day`: autumn from 1 September, spring from 1 February."""
    if day.month >= 9:
        return dt.date(day.year, 9, 1), dt.date(day.year + 1, 1, 31)
    if day.month == 1:
        return dt.date(day.year - 1, 9, 1), dt.date(day.year, 1, 31)
    return dt.date(day.year, 2, 1), dt.date(day.year, 8, 31)


def _class(actor, capability, code) -> SchoolClass:
    return selectors.get_scoped(SchoolClass, actor=actor, capability=capability, code=code)


def _child(actor, capability, code) -> Child:
    return selectors.get_scoped(Child, actor=actor, capability=capability, code=code,
                                queryset=Child.objects.active().select_related("school_class"))


def _error(request, exc: DomainError):
    messages.error(request, exc.message)


# --- the daily overview and the check ----------------------------------------------------------------


@requires("health.view")
def overview(request, kg):
    actor = request.actor
    day = _day(request)
    data = selectors.daily_overview(actor=actor, day=day)
    return render(request, "health/overview.html", {
        **data, "day": day, "today": _today(), "can_check": actor.has("health.check.record"),
        "can_manage": actor.has("health.disease.manage"), "diseases": rules.diseases()})


@require_http_methods(["GET", "POST"])
@requires("health.check.record")
def check(request, kg, code):
    """The class check on a phone: everyone present and normal; tap a child to mark an exception."""
    actor = request.actor
    school_class = _class(actor, "health.check.record", code)
    day = _day(request)
    kind = request.GET.get("kind") if request.GET.get("kind") in CheckKind.values else CheckKind.MORNING
    staff = list(school_class.memberships.filter(is_active=True).select_related("user"))
    if request.method == "POST":
        screen = selectors.check_screen(actor=actor, school_class=school_class, day=day, kind=kind)
        entries = {}
        for row in screen["rows"]:
            child = row["child"]
            p = f"c{child.pk}-"
            status = request.POST.get(p + "status") or None
            found = request.POST.getlist(p + "findings")
            sick = status == AttendanceStatus.SICK
            entry = {
                "status": status,
                "temperature": request.POST.get(p + "temperature", "").strip() or None,
                "findings": [] if sick else found,
                "symptoms": found if sick else [],  # a sick child's symptoms are ticked in the same list
                "action": request.POST.get(p + "action", ""),
                "note": request.POST.get(p + "note", "").strip(),
                "serious": request.POST.get(p + "serious") == "1",
            }
            if status == AttendanceStatus.PRESENT and not any(v for k, v in entry.items() if k != "status"):
                continue  # present and normal: the default
            if any(v for v in entry.values()):
                entries[child.pk] = entry
        second = next((m.user for m in staff if str(m.user.pk) == request.POST.get("second_checker")), None)
        try:
            session = services.record_check(actor=actor, school_class=school_class, day=day, kind=kind,
                                            entries=entries, second_checker=second)
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("%(cls)s: %(n)d children checked, %(x)d exceptions.") % {
                "cls": school_class.name, "n": session.checked_count, "x": session.abnormal_count})
            return redirect(reverse("health:overview", kwargs={"kg": kg}) + f"?date={day.isoformat()}")
    screen = selectors.check_screen(actor=actor, school_class=school_class, day=day, kind=kind)
    markup.check_controls(screen["rows"], statuses=AttendanceStatus.choices, actions=CheckAction.choices[1:],
                          findings=Finding.choices)
    return render(request, "health/check.html", {
        **screen, "school_class": school_class, "day": day, "kind": kind, "kinds": CheckKind.choices,
        "staff": [m.user for m in staff if m.user_id != actor.user.pk],
        "fever": rules.value(actor.kindergarten, "temperature.fever"),
        "figs": rules.figures(actor.kindergarten)})


def _observation(actor, capability, code) -> HealthObservation:
    return selectors.get_scoped(HealthObservation, actor=actor, capability=capability, code=code,
                                queryset=HealthObservation.objects.select_related("child", "school_class", "seen_by"))


@requires("health.view")
def observation(request, kg, code):
    """全日健康观察 of one child on one day: the entries through the day, and (class staff, the health
    teacher) a new entry, sent home (time, who collected) or the observation ended."""
    actor = request.actor
    obs = _observation(actor, "health.view", code)
    request.audit_object = obs.child
    return render(request, "health/observation.html", {
        "obs": obs, "entries": list(obs.entries.select_related("created_by")),
        "can_record": policy.can(actor, "health.check.record", obs), "findings_choices": Finding.choices,
        "actions": CheckAction.choices[1:], "now": timezone.localtime().strftime("%H:%M"),
        "fever": rules.value(actor.kindergarten, "temperature.fever")})


OBSERVATION_ACTIONS = ("entry", "send-home", "end")


@require_POST
@requires("health.check.record")
def observation_action(request, kg, code, action):
    actor = request.actor
    if action not in OBSERVATION_ACTIONS:
        raise Http404()
    obs = _observation(actor, "health.check.record", code)
    p = request.POST
    try:
        if action == "entry":
            services.observation_record(actor=actor, observation=obs, at=p.get("at"), temperature=p.get("temperature"),
                                        symptoms=p.getlist("symptoms"), action=p.get("action", ""),
                                        note=p.get("note", ""))
            messages.success(request, _("The observation has been recorded."))
        elif action == "send-home":
            services.observation_send_home(actor=actor, observation=obs, at=p.get("at"),
                                           collected_by=p.get("collected_by", ""), note=p.get("note", ""))
            messages.success(request, _("%(child)s has been sent home.") % {"child": obs.child.name})
        else:
            services.observation_end(actor=actor, observation=obs, note=p.get("note", ""))
            messages.success(request, _("The observation has ended."))
    except DomainError as exc:
        _error(request, exc)
    return redirect("health:observation", kg=kg, code=obs.code)


@requires("health.view")
def attendance(request, kg):
    actor = request.actor
    start, end = _month(request)
    rows = selectors.attendance_rates(actor=actor, start=start, end=end)
    total = sum(r["total"] for r in rows)
    present = sum(r["present"] for r in rows)
    return render(request, "health/attendance.html", {
        "rows": rows, "start": start, "end": end, "month": start.strftime("%Y-%m"),
        "rate": round(100 * present / total, 1) if total else None,
        "follow_ups": policy.scoped(actor, "health.view", Attendance.objects.filter(
            status=AttendanceStatus.SICK, date__gte=start, date__lte=end)).select_related("child", "school_class")
        .order_by("-date")[:200]})


@requires("health.view")
def illness_absence(request, kg):
    """因病缺勤监测 of a day (?date=): a row per class, the kindergarten's total; ?format=xlsx is the
    daily report in the monitoring system's columns."""
    actor = request.actor
    day = _day(request)
    data = selectors.illness_absence(actor=actor, day=day)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(health_statistics.illness_absence_xlsx(actor=actor, data=data),
                             f"因病缺勤日报-{day.isoformat()}.xlsx")
    return render(request, "health/illness_absence.html", {**data, "today": _today()})


@require_http_methods(["GET", "POST"])
@requires("health.check.record")
def follow_up(request, kg, code):
    actor = request.actor
    row = selectors.get_scoped(Attendance, actor=actor, capability="health.check.record", code=code,
                               queryset=Attendance.objects.select_related("child", "school_class"))
    form = f.FollowUpForm(request.POST or None, initial={"diagnosis": row.diagnosis})
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_absence(actor=actor, attendance=row, diagnosis=form.cleaned_data["diagnosis"],
                                       disease=form.cleaned_data["disease"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The follow-up has been recorded."))
            return redirect("health:overview", kg=kg)
    request.audit_object = row.child
    return render(request, "health/form.html", {"form": form, "title": _("Follow up an illness absence"),
                                                "subtitle": f"{row.school_class.name} {row.child.name} · {row.date}"})


# --- infectious disease ----------------------------------------------------------------------------


@requires("health.disease.view")
def cases(request, kg):
    actor = request.actor
    return render(request, "health/cases.html", {
        "cases": selectors.case_list(actor=actor)[:300], "diseases": rules.diseases(),
        "alerts": selectors.alert_list(actor=actor)[:50], "closures": selectors.closure_list(actor=actor)[:50],
        "can_manage": actor.has("health.disease.manage")})


@require_http_methods(["GET", "POST"])
@requires("health.disease.manage")
def case_create(request, kg):
    actor = request.actor
    children = list(policy.scoped(actor, "health.disease.manage", Child.objects.active().filter(left_on__isnull=True))
                    .select_related("school_class"))
    from houqin.org.selectors import staff_users

    staff = list(staff_users(actor.kindergarten))
    form = f.CaseForm(request.POST or None, children=children, staff=staff,
                      initial={"onset_date": _today(), "child": request.GET.get("child", "")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        child = next((c for c in children if str(c.code) == d["child"]), None)
        person = next((u for u in staff if str(u.pk) == d["staff"]), None)
        try:
            case = services.case_create(actor=actor, child=child, staff=person, disease=d["disease"],
                                        onset_date=d["onset_date"], diagnosis_source=d["diagnosis_source"],
                                        diagnosis_note=d["diagnosis_note"], isolation_start=d["isolation_start"],
                                        reported_on=d["reported_on"], fever_end=d["fever_end"],
                                        rash_onset=d["rash_onset"], symptoms_end=d["symptoms_end"],
                                        treatment_start=d["treatment_start"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The case has been recorded; return from %(date)s.") % {
                "date": case.return_due.isoformat()})
            return redirect("health:case_detail", kg=kg, code=case.code)
    return render(request, "health/form.html", {"form": form, "title": _("New disease case"),
                                                "diseases": rules.diseases(actor.kindergarten)})


@require_http_methods(["GET", "POST"])
@requires("health.disease.view")
def case_detail(request, kg, code):
    actor = request.actor
    case = selectors.get_scoped(DiseaseCase, actor=actor, capability="health.disease.view", code=code,
                                queryset=DiseaseCase.objects.active().select_related("child", "staff", "school_class"))
    dates_post = request.method == "POST" and "fever_end" in request.POST
    form = f.ClearForm(None if dates_post else (request.POST or None), initial={"returned_on": _today()})
    dates_form = f.CaseDatesForm(request.POST if dates_post else None, initial={
        k: getattr(case, k) for k in services.CLOCK_FIELDS})
    if request.method == "POST" and dates_post:
        if not policy.can(actor, "health.disease.manage", case):
            raise Http404
        if dates_form.is_valid():
            try:
                services.case_dates(actor=actor, case=case, **dates_form.cleaned_data)
            except DomainError as exc:
                add_domain_errors(dates_form, exc)
            else:
                messages.success(request, _("The dates have been recorded."))
                return redirect("health:case_detail", kg=kg, code=case.code)
    elif request.method == "POST":
        if not policy.can(actor, "health.disease.manage", case):
            raise Http404
        if form.is_valid():
            try:
                services.case_clear(actor=actor, case=case, **form.cleaned_data)
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("The return clearance has been recorded."))
                return redirect("health:case_detail", kg=kg, code=case.code)
    request.audit_object = case.child
    disease = rules.diseases(actor.kindergarten).get(case.disease)
    return render(request, "health/case_detail.html", {
        "case": case, "disease": disease, "form": form, "dates_form": dates_form,
        "clock": rules.clock_labels().get(case.isolation_clock, ""),
        "can_manage": actor.has("health.disease.manage")})


@requires("health.disease.view")
def alert_detail(request, kg, code):
    actor = request.actor
    alert = selectors.get_scoped(OutbreakAlert, actor=actor, capability="health.disease.view", code=code,
                                 queryset=OutbreakAlert.objects.select_related("school_class"))
    return render(request, "health/alert_detail.html", {
        "alert": alert, "closures": alert.closures.all(), "can_manage": actor.has("health.disease.manage"),
        "suggested_end": _today() + dt.timedelta(days=max(alert.closure_days, 1)),
        "default_until": _today() + dt.timedelta(days=7), "now": timezone.now(),
        "reporter": actor.user.display_name, "ack_overdue": selectors.ack_overdue(alert)})


# --- the district: infectious disease reports sent by its kindergartens -----------------------------


@requires("health.report.district")
def district_reports(request, district):
    actor = request.actor
    return render(request, "health/district_reports.html", {
        "district": actor.district, "reports": selectors.district_reports(district=actor.district)[:200],
        "now": timezone.now()})


@requires("health.report.district")
def district_report(request, district, code):
    actor = request.actor
    alert = selectors.get_district_report(district=actor.district, code=code)
    return render(request, "health/district_report.html", {
        "district": actor.district, "alert": alert, "ack_overdue": selectors.ack_overdue(alert),
        "can_ack": actor.has("health.report.acknowledge")})


@require_POST
@requires("health.report.acknowledge")
def district_acknowledge(request, district, code):
    actor = request.actor
    alert = selectors.get_district_report(district=actor.district, code=code)
    try:
        services.alert_acknowledge(actor=actor, alert=alert)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The report has been acknowledged."))
    return redirect("health:district_report", district=district, code=alert.code)


@require_POST
@requires("health.disease.manage")
def alert_action(request, kg, code, action):
    actor = request.actor
    alert = selectors.get_scoped(OutbreakAlert, actor=actor, capability="health.disease.manage", code=code)
    try:
        if action == "notify":
            services.alert_notify_parents(actor=actor, alert=alert)
            messages.success(request, _("The notice has been sent to the parents."))
        elif action == "intensify":
            until = dt.date.fromisoformat(request.POST.get("until") or (_today() + dt.timedelta(days=7)).isoformat())
            services.alert_intensify(actor=actor, alert=alert, until=until)
            messages.success(request, _("Intensified disinfection until %(date)s.") % {"date": until.isoformat()})
        elif action == "close-class" and alert.school_class:
            end = dt.date.fromisoformat(request.POST.get("planned_end") or
                                        (_today() + dt.timedelta(days=max(alert.closure_days, 1))).isoformat())
            services.closure_create(actor=actor, school_class=alert.school_class, start=_today(), planned_end=end,
                                    reason=_("Outbreak rule: %(rule)s") % {"rule": alert.rule_name}, alert=alert)
            messages.success(request, _("%(cls)s is closed.") % {"cls": alert.school_class.name})
        elif action == "reported":
            services.alert_reported(actor=actor, alert=alert, reported_to=request.POST.get("reported_to", ""))
            messages.success(request, _("Recorded as reported."))
        elif action == "send-report":
            p = request.POST
            services.alert_send_report(actor=actor, alert=alert, measures=p.get("measures", ""),
                                       reporter_name=p.get("reporter_name", ""),
                                       reporter_phone=p.get("reporter_phone", ""), class_size=p.get("class_size"))
            messages.success(request, _("The report has been sent to the district."))
        elif action == "close":
            services.alert_close(actor=actor, alert=alert)
        else:
            raise Http404
    except ValueError:
        messages.error(request, _("Enter a valid date."))
    except DomainError as exc:
        _error(request, exc)
    return redirect("health:alert_detail", kg=kg, code=alert.code)


@require_http_methods(["GET", "POST"])
@requires("health.disease.manage")
def closure_create(request, kg):
    actor = request.actor
    class_list = list(selectors.classes(actor=actor, capability="health.disease.manage"))
    form = f.ClosureForm(request.POST or None, classes=class_list, initial={"start": _today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.closure_create(actor=actor, school_class=next(c for c in class_list if str(c.code) == d["school_class"]),
                                    start=d["start"], planned_end=d["planned_end"], reason=d["reason"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The class closure has been recorded."))
            return redirect("health:cases", kg=kg)
    return render(request, "health/form.html", {"form": form, "title": _("Close a class")})


@require_POST
@requires("health.disease.manage")
def closure_reopen(request, kg, code):
    actor = request.actor
    closure = selectors.get_scoped(ClassClosure, actor=actor, capability="health.disease.manage", code=code)
    form = f.ReopenForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Enter a valid date."))
        services.closure_reopen(actor=actor, closure=closure, on=form.cleaned_data["on"])
        messages.success(request, _("The class has reopened."))
    except DomainError as exc:
        _error(request, exc)
    return redirect("health:cases", kg=kg)


# --- exams and growth --------------------------------------------------------------------------------


@requires("health.exam.view")
def exams(request, kg):
    actor = request.actor
    class_list = list(selectors.classes(actor=actor, capability="health.exam.view"))
    school_class = next((c for c in class_list if str(c.code) == request.GET.get("class")), None)
    rows = selectors.exam_list(actor=actor, school_class=school_class)[:500]
    can_record = actor.has("health.exam.record")
    standard = services.growth_standard_of(actor.kindergarten)
    return render(request, "health/exams.html", {
        "exams": rows, "classes": class_list, "school_class": school_class, "can_record": can_record,
        "show_z": can_record, "standard": standard,
        "other_standard": selectors.exams_by_other_standard(actor=actor, standard=standard) if can_record else 0})


@require_POST
@requires("health.exam.record")
def exam_reassess(request, kg):
    """Re-assess the exams assessed by another standard than the kindergarten's: on demand only."""
    n = services.exam_reassess(actor=request.actor)
    messages.success(request, _("%(n)d exams have been re-assessed by %(standard)s.") % {
        "n": n, "standard": judgements.standard_name(services.growth_standard_of(request.actor.kindergarten))})
    return redirect("health:exams", kg=kg)


@require_http_methods(["GET", "POST"])
@requires("health.exam.record")
def exam_class(request, kg, code):
    """A whole class's exam in one table."""
    actor = request.actor
    school_class = _class(actor, "health.exam.record", code)
    day = _day(request)
    children = list(selectors.enrolled(day).filter(school_class=school_class).order_by("name_pinyin"))
    kind = request.POST.get("kind") if request.POST.get("kind") in ExamKind.values else ExamKind.TERM
    errors = []
    if request.method == "POST":
        try:
            day = dt.date.fromisoformat(request.POST.get("date", ""))
        except ValueError:
            day = None
        rows = []
        for c in children:
            values = {k: request.POST.get(f"c{c.pk}-{k}", "").strip() for k in services.EXAM_FIELDS}
            if values["height_cm"] or values["weight_kg"]:
                rows.append({"child": c, "values": values})
        try:
            if day is None:
                raise DomainError(_("Enter the exam date."))
            made = services.exam_batch(actor=actor, day=day, kind=kind, rows=rows)
        except DomainError as exc:
            _error(request, exc)
            errors = exc.errors
        else:
            messages.success(request, _("%(n)d exams have been recorded.") % {"n": len(made)})
            return redirect(reverse("health:exams", kwargs={"kg": kg}) + f"?class={school_class.code}")
    return render(request, "health/exam_class.html", {
        "school_class": school_class, "children": children, "day": day, "kinds": ExamKind.choices, "kind": kind,
        "errors": errors, "posted": request.POST})


@require_http_methods(["GET", "POST"])
@requires("health.exam.record")
def exam_import(request, kg):
    actor = request.actor
    form = f.ExamImportForm(request.POST or None, request.FILES or None, initial={"date": _today()})
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            made = services.exam_import(actor=actor, upload=form.cleaned_data["file"], day=form.cleaned_data["date"],
                                        kind=form.cleaned_data["kind"],
                                        update_existing=form.cleaned_data["update_existing"])
        except DomainError as exc:
            form.add_error(None, exc.message)
            errors = exc.errors
        else:
            messages.success(request, _("%(n)d exams have been imported.") % {"n": len(made)})
            return redirect("health:exams", kg=kg)
    return render(request, "health/exam_import.html", {"form": form, "errors": errors,
                                                       "columns": services.IMPORT_COLUMNS})


def _growth_charts(child, exams_, standard: str) -> list[dict]:
    """The growth charts of the child's page (drawn by health/growth_chart.js with ECharts): the SD
    lines of the kindergarten's growth standard, the child's measurements, the axes' and lines' names."""
    names = {"sd-3": "-3SD", "sd-2": "-2SD", "sd-1": "-1SD", "sd0": str(_("median")), "sd1": "+1SD",
             "sd2": "+2SD", "sd3": "+3SD"}
    charts = []
    for indicator, field, title, y_name in (
            ("weight_for_age", "weight_kg", _("Weight-for-age (kg)"), _("Weight (kg)")),
            ("length_height_for_age", "height_cm", _("Height-for-age (cm)"), _("Height (cm)"))):
        data = growth.chart(indicator, child.sex, [(e.age_days, getattr(e, field)) for e in exams_], standard=standard)
        if not data["lines"]:
            continue
        charts.append({"id": f"growth-{indicator}", "data_id": f"growth-{indicator}-data", "title": str(title), "x_name": str(_("Age (months)")),
                       "y_name": str(y_name), "points_name": str(_("%(name)s's measurements") % {"name": child.name}),
                       "lines": [{"key": k, "name": names[k], "data": v} for k, v in data["lines"].items()],
                       "points": data["points"], "standard": judgements.standard_name(standard, short=True)})
    return charts


@requires("health.child.view")
def child_record(request, kg, code):
    actor = request.actor
    child = _child(actor, "health.child.view", code)
    request.audit_object = child
    record = selectors.child_record(actor=actor, child=child)
    standard = services.growth_standard_of(actor.kindergarten)
    charts = _growth_charts(child, record["exams"], standard)
    diseases = rules.diseases()
    names = {d.key: f"{d.name} 第{d.dose_no}剂" for d in rules.nip_schedule()}
    for c in list(record.get("catch_ups", [])) + list(record.get("doses", [])):
        c.label = names.get(f"{c.vaccine}-{c.dose_no}", c.vaccine)
    return render(request, "health/child.html", {
        **record, "charts": charts, "diseases": diseases, "dose_names": names,
        "show_z": policy.can(actor, "health.exam.record", child), "standard": standard,
        "standards": rules.growth_standards(), "can_vaccinate": policy.can(actor, "health.vaccination.record", child),
        "can_case": policy.can(actor, "health.disease.manage", child),
        # the register's records (one query, scoped); the child is in the reader's scope already
        "diets": list(diets.diet_list(actor=actor, child=child, current_only=False))
        if actor.has("health.diet.view") else None,
        "can_add_diet": actor.has("health.diet.record") or actor.has("health.diet.request")})


def _period(request) -> health_statistics.Period:
    kind = "year" if request.GET.get("period") == "year" else "term"
    return health_statistics.period_of(_day(request), kind)


@requires("health.summary.view")
def summary(request, kg):
    """The 卫生保健 statistics of a term or a school year, per class and for the kindergarten; the
    same table as .xlsx and PDF (?format=xlsx|pdf)."""
    actor = request.actor
    period = _period(request)
    stats = health_statistics.health_statistics(actor=actor, start=period.start, end=min(period.end, _today()))
    title = _("Health care statistics, %(period)s") % {"period": period.label}
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        return xlsx_response(health_statistics.xlsx(actor=actor, stats=stats, title=title),
                             f"health-statistics-{period.start}.xlsx")
    if fmt == "pdf":
        from django.http import HttpResponse

        response = HttpResponse(health_statistics.pdf(actor=actor, stats=stats, title=title),
                                content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="health-statistics-{period.start}.pdf"'
        return response
    header, body = health_statistics.table(stats)
    return render(request, "health/summary.html", {
        "stats": stats, "header": header, "body": body, "period": period, "title": title,
        "standard": services.growth_standard_of(actor.kindergarten), "date": _day(request).isoformat()})


@requires("health.exam.view")
def corrections(request, kg):
    """矫治 follow-ups of anaemia, poor vision and caries: open ones first, with their re-check dates."""
    actor = request.actor
    rows = list(selectors.correction_list(actor=actor, open_only=request.GET.get("all") != "1")[:500])
    return render(request, "health/corrections.html", {
        "corrections": rows, "can_record": actor.has("health.exam.record"), "today": _today(),
        "form": f.RecheckForm(initial={"date": _today()})})


@require_POST
@requires("health.exam.record")
def correction_recheck(request, kg, code):
    actor = request.actor
    correction = selectors.get_scoped(Correction, actor=actor, capability="health.exam.record", code=code,
                                      queryset=Correction.objects.active())
    form = f.RecheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the date and the result of the re-check."))
    else:
        try:
            services.correction_recheck(actor=actor, correction=correction, **{
                "day": form.cleaned_data["date"], "result": form.cleaned_data["result"],
                "resolved": form.cleaned_data["resolved"]})
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("The re-check has been recorded."))
    return redirect("health:corrections", kg=kg)


@require_http_methods(["GET", "POST"])
@requires("health.exam.view")
def weak_cases(request, kg):
    actor = request.actor
    form = None
    if actor.has("health.exam.record"):
        children = list(policy.scoped(actor, "health.exam.record", Child.objects.active().filter(left_on__isnull=True))
                        .select_related("school_class"))
        form = f.WeakCaseForm(request.POST or None, children=children)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                case = services.weak_case_open(actor=actor, child=next(c for c in children if str(c.code) == d["child"]),
                                               reason=d["reason"], plan=d["plan"])
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                return redirect("health:weak_case", kg=kg, code=case.code)
    elif request.method == "POST":
        raise Http404
    return render(request, "health/weak_cases.html", {"cases": selectors.weak_case_list(actor=actor)[:300],
                                                      "form": form})


@require_http_methods(["GET", "POST"])
@requires("health.exam.view")
def weak_case(request, kg, code):
    actor = request.actor
    case = selectors.get_scoped(WeakChildCase, actor=actor, capability="health.exam.view", code=code,
                                queryset=WeakChildCase.objects.active().select_related("child", "school_class", "exam"))
    can_record = policy.can(actor, "health.exam.record", case)
    form = f.WeakUpdateForm(request.POST or None)
    if request.method == "POST":
        if not can_record:
            raise Http404
        if form.is_valid():
            try:
                services.weak_case_update(actor=actor, case=case, **form.cleaned_data)
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                return redirect("health:weak_case", kg=kg, code=case.code)
    request.audit_object = case.child
    return render(request, "health/weak_case.html", {"case": case, "follow_ups": case.follow_ups.all(),
                                                     "form": form if can_record and not case.closed_on else None})


# --- vaccination ---------------------------------------------------------------------------------------


@requires("health.vaccination.view")
def vaccination(request, kg):
    actor = request.actor
    names = {d.key: f"{d.name} 第{d.dose_no}剂" for d in rules.nip_schedule()}
    pending = list(selectors.catch_up_list(actor=actor, pending_only=request.GET.get("all") != "1")[:500])
    for c in pending:
        c.label = names.get(f"{c.vaccine}-{c.dose_no}", c.vaccine)
    checked = set(policy.scoped(actor, "health.vaccination.view", Child.objects.active())
                  .filter(left_on__isnull=True, pk__in=selectors.VaccinationCheck.objects.active().values("child_id"))
                  .values_list("pk", flat=True))
    unchecked = list(policy.scoped(actor, "health.vaccination.view", Child.objects.active().filter(left_on__isnull=True))
                     .exclude(pk__in=checked).select_related("school_class")[:200])
    return render(request, "health/vaccination.html", {
        "catch_ups": pending, "unchecked": unchecked, "edition": rules.NIP_EDITION,
        "can_record": actor.has("health.vaccination.record"),
        "check_days": rules.figures(actor.kindergarten)["vaccination.check_days"]})


@require_http_methods(["GET", "POST"])
@requires("health.vaccination.record")
def vaccination_check(request, kg, code):
    actor = request.actor
    child = _child(actor, "health.vaccination.record", code)
    schedule = [d for d in rules.nip_schedule() if d.age_months <= 84]
    if request.method == "POST":
        doses = []
        for d in schedule:
            if request.POST.get(f"dose-{d.key}"):
                raw = request.POST.get(f"date-{d.key}", "")
                try:
                    given = dt.date.fromisoformat(raw) if raw else None
                except ValueError:
                    given = None
                doses.append((d.vaccine, d.dose_no, given))
        try:
            check = services.vaccination_check(actor=actor, child=child, checked_on=_today(), doses=doses,
                                               certificate_seen=request.POST.get("certificate_seen") == "on",
                                               note=request.POST.get("note", ""))
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Certificate checked: %(n)d doses missing.") % {"n": len(check.missing)})
            return redirect("health:child", kg=kg, code=child.code)
    request.audit_object = child
    have = set(selectors.VaccinationDose.objects.active().filter(child=child).values_list("vaccine", "dose_no"))
    return render(request, "health/vaccination_check.html", {
        "child": child, "schedule": schedule, "have": {f"{v}-{n}" for v, n in have}, "edition": rules.NIP_EDITION})


@require_POST
@requires("health.vaccination.record")
def catch_up_done(request, kg, code):
    actor = request.actor
    item = selectors.get_scoped(CatchUp, actor=actor, capability="health.vaccination.record", code=code)
    try:
        services.catch_up_done(actor=actor, catch_up=item,
                               done_on=dt.date.fromisoformat(request.POST.get("done_on") or _today().isoformat()))
        messages.success(request, _("The catch-up dose has been recorded."))
    except ValueError:
        messages.error(request, _("Enter a valid date."))
    except DomainError as exc:
        _error(request, exc)
    return redirect("health:vaccination", kg=kg)


@require_POST
@requires("health.vaccination.record")
def remind(request, kg):
    n = services.remind_catch_up(actor=request.actor)
    messages.success(request, _("Reminders have been sent to the parents of %(n)d children.") % {"n": n})
    return redirect("health:vaccination", kg=kg)


# --- disinfection ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@requires("health.disinfection.view")
def disinfection(request, kg):
    actor = request.actor
    day = _day(request)
    form = None
    if actor.has("health.disinfection.record"):
        class_list = list(selectors.classes(actor=actor, capability="health.disinfection.record"))
        form = f.DisinfectionForm(request.POST or None, classes=class_list,
                                  initial={"date": day, "school_class": request.GET.get("class", "")})
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                services.disinfection_record(
                    actor=actor, school_class=next(c for c in class_list if str(c.code) == d["school_class"]),
                    day=d["date"], area=d["area"], method=d["method"], concentration_mg_l=d["concentration_mg_l"],
                    minutes=d["minutes"])
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("The disinfection has been recorded."))
                return redirect(reverse("health:disinfection", kwargs={"kg": kg}) + f"?date={d['date'].isoformat()}")
    elif request.method == "POST":
        raise Http404
    return render(request, "health/disinfection.html", {
        "form": form, "day": day, "records": selectors.disinfection_list(actor=actor, start=day, end=day),
        "missing": selectors.disinfection_missing(actor=actor, days=[day]), "areas": dict(DisinfectionArea.choices)})


# --- rule figures and devices -----------------------------------------------------------------------


@require_GET
@requires("health.settings")
def settings_view(request, kg):
    actor = request.actor
    figs = rules.figures(actor.kindergarten)
    titles = {"checks": _("Daily checks and exams"), "growth": _("Growth assessment cut-offs"),
              "eyes": _("Vision, caries and corrections"), "disease": _("Isolation periods"),
              "outbreak": _("Outbreak reporting rules")}
    group_of = {"temperature": "checks", "exam": "checks", "attendance": "checks", "vaccination": "checks",
                "growth": "growth", "vision": "eyes", "caries": "eyes", "correction": "eyes", "disease": "disease"}
    grouped = {name: [] for name in titles}
    for key, figure in figs.items():  # every figure on the page: what no group names goes with the reporting rules
        grouped[group_of.get(key.split(".")[0], "outbreak")].append(figure)
    groups = [(titles[name], grouped[name]) for name in titles]
    campuses = list(Campus.objects.filter(kindergarten=actor.kindergarten))
    return render(request, "health/settings.html", {
        "groups": groups, "standards": rules.growth_standards(), "edition": rules.NIP_EDITION, "can_change": True,
        "post": reverse("health:settings", kwargs={"kg": kg}) + "rules/",
        "standard": services.growth_standard_of(actor.kindergarten),
        "standard_form": f.StandardForm(initial={"standard": services.growth_standard_of(actor.kindergarten)}),
        "devices": DeviceToken.objects.filter(kindergarten=actor.kindergarten).select_related("campus"),
        "device_form": f.DeviceForm(campuses=campuses), "new_token": request.session.pop("health_new_token", None)})


@require_POST
@requires("health.settings")
def rule_set(request, kg, key):
    return rule_figure_post(request, area=rules.AREA, key=key, back=reverse("health:settings", kwargs={"kg": kg}))


@require_POST
@requires("health.settings")
def standard_set(request, kg):
    """Choose the growth standard; the exams already assessed keep theirs until re-assessed."""
    form = f.StandardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a growth standard."))
    else:
        try:
            services.standard_set(actor=request.actor, standard=form.cleaned_data["standard"])
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("The growth standard has been changed. Exams already assessed keep their "
                                        "standard until you re-assess them (Exams page)."))
    return redirect("health:settings", kg=kg)


@require_POST
@requires("health.settings")
def device_create(request, kg):
    actor = request.actor
    campuses = list(Campus.objects.filter(kindergarten=actor.kindergarten))
    form = f.DeviceForm(request.POST, campuses=campuses)
    if form.is_valid():
        try:
            _device, raw = services.device_create(
                actor=actor, campus=next(c for c in campuses if str(c.code) == form.cleaned_data["campus"]),
                name=form.cleaned_data["name"])
        except DomainError as exc:
            _error(request, exc)
        else:
            request.session["health_new_token"] = raw
    return redirect("health:settings", kg=kg)


@require_POST
@requires("health.settings")
def device_revoke(request, kg, code):
    actor = request.actor
    device = selectors.get_scoped(DeviceToken, actor=actor, capability="health.settings", code=code)
    services.device_revoke(actor=actor, device=device)
    return redirect("health:settings", kg=kg)

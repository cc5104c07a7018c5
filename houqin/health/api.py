"""JSON API of health care: the same selectors and services as the pages, the same policy; reads of
children's health data are audited. The morning-check machine posts with its own campus token."""


import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema
from ninja.security import HttpBearer

from houqin.core.inputs import Day, Input, Limit
from houqin import policy
from houqin.core.errors import DomainError
from houqin.core.rule_api import add_rule_routes
from houqin.health import judgements, rules, selectors, services
from houqin.health import statistics as health_statistics
from houqin.policy import requires
from houqin.health.models import (
    Attendance,
    CatchUp,
    CheckKind,
    ClassClosure,
    Correction,
    DiseaseCase,
    Exam,
    ExamKind,
    HealthObservation,
    OutbreakAlert,
    WeakChildCase,
)
from houqin.org.models import Child, SchoolClass

router = Router(tags=["health"])
P = "/k/{kg}/health"


def _today():
    return timezone.localdate()


def _class(actor, cap, code):
    return selectors.get_scoped(SchoolClass, actor=actor, capability=cap, code=code)


def _child(actor, cap, code):
    return selectors.get_scoped(Child, actor=actor, capability=cap, code=code,
                                queryset=Child.objects.active().select_related("school_class"))


def _name(obj):
    return str(obj) if obj is not None else None


# --- shapes ---------------------------------------------------------------------------------------------


def _case_out(c: DiseaseCase) -> dict:
    return {"code": c.code, "person_kind": c.person_kind, "name": c.person_name,
            "child_code": c.child.code if c.child_id else None,
            "school_class": c.school_class.name if c.school_class_id else None, "disease": c.disease,
            "onset_date": c.onset_date, "diagnosis_source": c.diagnosis_source, "isolation_start": c.isolation_start,
            "isolation_days": c.isolation_days, "isolation_clock": c.isolation_clock, "reported_on": c.reported_on,
            "fever_end": c.fever_end, "rash_onset": c.rash_onset, "symptoms_end": c.symptoms_end,
            "treatment_start": c.treatment_start, "return_due": c.return_due, "status": c.status,
            "cleared_on": c.cleared_on, "clearance_note": c.clearance_note}


def _alert_out(a: OutbreakAlert, full=False) -> dict:
    out = {"code": a.code, "rule": a.rule_key, "rule_name": a.rule_name, "disease": a.disease, "symptom": a.symptom,
           "school_class": a.school_class.name if a.school_class_id else None, "window_start": a.window_start,
           "window_end": a.window_end, "case_count": a.case_count, "threshold": a.threshold, "actions": a.actions,
           "status": a.status, "report_made_at": a.report_made_at, "reported_at": a.reported_at,
           "intensified_until": a.intensified_until, "notice_code": a.notice_code or None,
           "report_due_at": a.report_due_at, "report_overdue": selectors.report_overdue(a),
           "minutes_to_report": a.minutes_to_report, "acknowledged_at": a.acknowledged_at,
           "ack_overdue": selectors.ack_overdue(a)}
    if full:
        out["report_text"] = a.report_text
        out["district_report"] = a.district_report or None
    return out


def _exam_out(e: Exam, *, show_z: bool = True) -> dict:
    """An exam with its judgements (houqin.health.judgements): the position bands and plain words for
    everyone; the z-scores only for the health teacher (show_z)."""
    out = {"code": e.code, "child_code": e.child.code, "child": e.child.name, "school_class": e.school_class.name,
           "date": e.date, "kind": e.kind, "height_cm": e.height_cm, "weight_kg": e.weight_kg,
           "vision_left": e.vision_left, "vision_right": e.vision_right, "caries": e.caries,
           "haemoglobin": e.haemoglobin, "other_findings": e.other_findings, "age_days": e.age_days, "bmi": e.bmi,
           "results": e.results, "anaemia": e.anaemia, "poor_vision": e.poor_vision, "has_caries": e.has_caries,
           "words": judgements.words(e),
           "positions": [{"indicator": p["indicator"], "band": p["band"].label, "range": p["band"].range}
                         for p in judgements.positions(e)],
           "standard": e.standard, "standard_name": judgements.standard_name(e.standard)}
    if show_z:
        out.update({"waz": e.waz, "haz": e.haz, "whz": e.whz, "bmiz": e.bmiz})
    return out


def _correction_out(c: Correction) -> dict:
    return {"code": c.code, "child_code": c.child.code, "child": c.child.name, "school_class": c.school_class.name,
            "kind": c.kind, "kind_name": c.get_kind_display(), "opened_on": c.opened_on,
            "next_check_on": c.next_check_on, "resolved_on": c.resolved_on, "outcome": c.outcome,
            "checks": [{"date": k.date, "result": k.result, "resolved": k.resolved} for k in c.checks.all()]}


# --- inputs ---------------------------------------------------------------------------------------------


class CheckEntryIn(Input):
    child_code: UUID
    status: str | None = None
    temperature: Decimal | None = None
    findings: list[str] = []
    symptoms: list[str] = []
    action: str = ""
    note: str = ""
    serious: bool = False


class ObservationEntryIn(Input):
    at: dt.datetime | None = None
    temperature: Decimal | None = None
    symptoms: list[str] = []
    action: str = ""
    note: str = ""


class SendHomeIn(Input):
    at: dt.datetime | None = None
    collected_by: str = ""
    note: str = ""


class ObservationEndIn(Input):
    note: str = ""


class CheckIn(Input):
    date: dt.date | None = None
    kind: str = CheckKind.MORNING
    entries: list[CheckEntryIn] = []
    second_checker_id: int | None = None


class HealthAttendanceIn(Input):
    child_code: UUID
    date: dt.date
    status: str
    symptoms: list[str] = []
    note: str = ""


class FollowUpIn(Input):
    diagnosis: str = ""
    disease: str = ""


class CaseIn(Input):
    child_code: UUID | None = None
    staff_id: int | None = None
    disease: str
    onset_date: dt.date
    diagnosis_source: str
    diagnosis_note: str = ""
    isolation_start: dt.date | None = None
    reported_on: dt.date | None = None
    fever_end: dt.date | None = None
    rash_onset: dt.date | None = None
    symptoms_end: dt.date | None = None
    treatment_start: dt.date | None = None


class ClearIn(Input):
    returned_on: dt.date
    clearance_note: str = ""


class AlertActionIn(Input):
    until: dt.date | None = None
    reported_to: str = ""
    planned_end: dt.date | None = None
    measures: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    class_size: int | None = None


class CaseDatesIn(Input):
    fever_end: dt.date | None = None
    rash_onset: dt.date | None = None
    symptoms_end: dt.date | None = None
    treatment_start: dt.date | None = None


class ClosureIn(Input):
    class_code: UUID
    start: dt.date
    planned_end: dt.date
    reason: str


class ReopenIn(Input):
    on: dt.date


class ExamValues(Input):
    height_cm: Decimal | None = None
    weight_kg: Decimal | None = None
    vision_left: Decimal | None = None
    vision_right: Decimal | None = None
    caries: int | None = None
    haemoglobin: int | None = None
    other_findings: str = ""


class ExamIn(ExamValues):
    child_code: UUID
    date: dt.date
    kind: str = ExamKind.TERM


class ExamBatchRow(ExamValues):
    child_code: UUID


class ExamBatchIn(Input):
    date: dt.date
    kind: str = ExamKind.TERM
    rows: list[ExamBatchRow]
    update_existing: bool = False


class StandardIn(Input):
    standard: str


class ReassessIn(Input):
    start: dt.date | None = None
    end: dt.date | None = None


class RecheckIn(Input):
    date: dt.date
    result: str
    resolved: bool = False


class DoseIn(Input):
    vaccine: str
    dose_no: int
    given_on: dt.date | None = None


class VaccinationCheckIn(Input):
    checked_on: dt.date | None = None
    certificate_seen: bool = True
    doses: list[DoseIn] = []
    note: str = ""


class HealthDoneIn(Input):
    done_on: dt.date


class DisinfectionIn(Input):
    class_code: UUID
    date: dt.date
    area: str
    method: str
    concentration_mg_l: int | None = None
    minutes: int | None = None


class WeakCaseIn(Input):
    child_code: UUID
    reason: str
    plan: str = ""


class WeakUpdateIn(Input):
    plan: str = ""
    follow_up: str = ""
    close_outcome: str = ""
    date: dt.date | None = None


class ReadingIn(Input):
    child_code: UUID
    temperature: Decimal
    findings: list[str] = []
    measured_at: dt.datetime | None = None


# --- daily checks and attendance --------------------------------------------------------------------------


@router.get(P + "/overview")
@requires("health.view")
def overview(request, kg: str, date: Day | None = None):
    day = min(date or _today(), _today())
    data = selectors.daily_overview(actor=request.actor, day=day)
    return {
        "date": day, "totals": data["totals"],
        "classes": [{"code": r["school_class"].code, "name": r["school_class"].name, "enrolled": r["enrolled"],
                     "present": r["present"], "sick": r["sick"], "personal": r["personal"],
                     "unrecorded": r["unrecorded"], "morning_checked": r["morning"] is not None,
                     "exceptions": r["morning"].abnormal_count if r["morning"] else 0,
                     "disinfections": r["disinfections"]} for r in data["rows"]],
        "exceptions": [{"child_code": x.child.code, "child": x.child.name, "school_class": x.school_class.name,
                        "temperature": x.temperature, "findings": x.findings, "action": x.action}
                       for x in data["exceptions"]],
        "follow_ups": [{"code": a.code, "child": a.child.name, "date": a.date, "symptoms": a.symptoms}
                       for a in data["follow_ups"]],
        "alerts": [_alert_out(a) for a in data["alerts"]],
    }


@router.get(P + "/classes/{code}/check")
@requires("health.check.record")
def check_get(request, kg: str, code: UUID, date: Day | None = None, kind: str = CheckKind.MORNING):
    school_class = _class(request.actor, "health.check.record", code)
    screen = selectors.check_screen(actor=request.actor, school_class=school_class, day=date or _today(), kind=kind)
    s = screen["session"]
    return {"school_class": school_class.name, "checked": s is not None,
            "checker": _name(s.checker) if s else None, "second_checker": _name(s.second_checker) if s else None,
            "children": [{"code": r["child"].code, "name": r["child"].name, "status": r["status"],
                          "temperature": r["temperature"], "findings": r["findings"], "symptoms": r["symptoms"],
                          "action": r["action"], "isolating": r["case"] is not None} for r in screen["rows"]]}


@router.post(P + "/classes/{code}/check")
@requires("health.check.record")
def check_post(request, kg: str, code: UUID, payload: CheckIn):
    actor = request.actor
    school_class = _class(actor, "health.check.record", code)
    children = {c.code: c.pk for c in Child.objects.filter(school_class=school_class)}
    entries = {}
    for e in payload.entries:
        if e.child_code not in children:
            raise DomainError("A child of another class was sent.")
        entries[children[e.child_code]] = e.dict(exclude={"child_code"})
    second = None
    if payload.second_checker_id:
        second = next((m.user for m in school_class.memberships.filter(user_id=payload.second_checker_id,
                                                                      is_active=True).select_related("user")), None)
        if second is None:
            raise DomainError("The second checker must work in this class.")
    session = services.record_check(actor=actor, school_class=school_class, day=payload.date or _today(),
                                    kind=payload.kind, entries=entries, second_checker=second)
    return {"code": session.code, "checked_count": session.checked_count, "abnormal_count": session.abnormal_count}


def _observation_out(o: HealthObservation) -> dict:
    return {"code": o.code, "child_code": o.child.code, "child": o.child.name, "school_class": o.school_class.name,
            "date": o.date, "reason": o.reason, "temperature": o.temperature, "status": o.status,
            "alarm": o.status == "observing" and o.seen_at is None, "seen_at": o.seen_at,
            "sent_home_at": o.sent_home_at, "collected_by": o.collected_by or None,
            "entries": [{"at": e.at, "temperature": e.temperature, "symptoms": e.symptoms, "action": e.action,
                         "note": e.note} for e in o.entries.all()]}


@router.get(P + "/observations")
@requires("health.view")
def observation_list(request, kg: str, date: Day | None = None):
    """The day's all-day observations; `alarm` is true until the health teacher has seen the child
    (a device on her desk polls this)."""
    day = min(date or _today(), _today())
    return [_observation_out(o) for o in selectors.observations(actor=request.actor, day=day)]


def _obs(actor, cap, code):
    return selectors.get_scoped(HealthObservation, actor=actor, capability=cap, code=code,
                                queryset=HealthObservation.objects.select_related("child", "school_class"))


@router.get(P + "/observations/{code}")
@requires("health.view")
def observation_detail(request, kg: str, code: UUID):
    return _observation_out(_obs(request.actor, "health.view", code))


@router.post(P + "/observations/{code}/entries")
@requires("health.check.record")
def observation_entry(request, kg: str, code: UUID, payload: ObservationEntryIn):
    obs = _obs(request.actor, "health.check.record", code)
    services.observation_record(actor=request.actor, observation=obs, at=payload.at, temperature=payload.temperature,
                                symptoms=payload.symptoms, action=payload.action, note=payload.note)
    return _observation_out(_obs(request.actor, "health.check.record", code))


@router.post(P + "/observations/{code}/send-home")
@requires("health.check.record")
def observation_send_home(request, kg: str, code: UUID, payload: SendHomeIn):
    obs = _obs(request.actor, "health.check.record", code)
    services.observation_send_home(actor=request.actor, observation=obs, at=payload.at,
                                   collected_by=payload.collected_by, note=payload.note)
    return _observation_out(_obs(request.actor, "health.check.record", code))


@router.post(P + "/observations/{code}/end")
@requires("health.check.record")
def observation_end(request, kg: str, code: UUID, payload: ObservationEndIn):
    obs = _obs(request.actor, "health.check.record", code)
    services.observation_end(actor=request.actor, observation=obs, note=payload.note)
    return _observation_out(_obs(request.actor, "health.check.record", code))


@router.get(P + "/attendance")
@requires("health.view")
def attendance_rates(request, kg: str, start: Day, end: Day):
    rows = selectors.attendance_rates(actor=request.actor, start=start, end=end)
    return [{"class_code": r["school_class"].code, "school_class": r["school_class"].name, "present": r["present"],
             "sick": r["sick"], "personal": r["personal"], "rate": r["rate"]} for r in rows]


def _illness_counts(r: dict) -> dict:
    return {"enrolled": r["enrolled"], "present": r["present"], "absent": r["absent"], "sick": r["sick"],
            "personal": r["personal"], "unrecorded": r["unrecorded"],
            "rate": float(r["rate"]) if r["rate"] is not None else None,
            "symptoms": [{"symptom": name, "n": n} for name, n in r["symptoms"]],
            "causes": [{"cause": name, "n": n} for name, n in r["causes"]], "to_follow_up": r["to_follow_up"]}


@router.get(P + "/illness-absence")
@requires("health.view")
def illness_absence(request, kg: str, date: Day):
    """因病缺勤监测 of a day: per class and the total (the page's figures, houqin.health.selectors)."""
    data = selectors.illness_absence(actor=request.actor, day=date)
    return {"date": data["day"], "total": _illness_counts(data["total"]),
            "classes": [{"class_code": r["school_class"].code, "school_class": r["school_class"].name,
                         **_illness_counts(r)} for r in data["rows"]]}


@router.post(P + "/attendance")
@requires("health.check.record")
def attendance_post(request, kg: str, payload: HealthAttendanceIn):
    child = _child(request.actor, "health.check.record", payload.child_code)
    row = services.record_attendance(actor=request.actor, child=child, day=payload.date, status=payload.status,
                                     symptoms=payload.symptoms, note=payload.note)
    return {"code": row.code, "status": row.status}


@router.post(P + "/attendance/{code}/follow-up")
@requires("health.check.record")
def follow_up(request, kg: str, code: UUID, payload: FollowUpIn):
    row = selectors.get_scoped(Attendance, actor=request.actor, capability="health.check.record", code=code)
    row = services.follow_up_absence(actor=request.actor, attendance=row, diagnosis=payload.diagnosis,
                                     disease=payload.disease)
    return {"code": row.code, "diagnosis": row.diagnosis}


# --- the morning-check machine -------------------------------------------------------------------------


class DeviceAuth(HttpBearer):
    """A morning-check machine's token (hqd_…): acts on the children of its campus only."""

    def authenticate(self, request, token):
        device = services.device_check(token)
        if device is None:
            return None
        request.device = device
        request._dont_enforce_csrf_checks = True
        return device


@router.post(P + "/device/readings", auth=DeviceAuth())
@policy.requires(policy.PUBLIC)
def device_reading(request, kg: str, payload: ReadingIn):
    device = request.device
    if device.kindergarten.slug != kg:
        raise Http404
    row = services.device_reading(device=device, child_code=payload.child_code, temperature=payload.temperature,
                                  findings=payload.findings, at=payload.measured_at)
    return {"code": row.code, "abnormal": row.is_abnormal, "findings": row.findings}


# --- infectious disease ---------------------------------------------------------------------------------


@router.get(P + "/cases")
@requires("health.disease.view")
def case_list(request, kg: str, open_only: bool = False):
    return [_case_out(c) for c in selectors.case_list(actor=request.actor, include_closed=not open_only)[:500]]


@router.get(P + "/cases/{code}")
@requires("health.disease.view")
def case_detail(request, kg: str, code: UUID):
    case = selectors.get_scoped(DiseaseCase, actor=request.actor, capability="health.disease.view", code=code,
                                queryset=DiseaseCase.objects.active().select_related("child", "staff", "school_class"))
    request.audit_object = case.child
    return _case_out(case)


@router.post(P + "/cases")
@requires("health.disease.manage")
def case_create(request, kg: str, payload: CaseIn):
    actor = request.actor
    child = _child(actor, "health.disease.manage", payload.child_code) if payload.child_code else None
    staff = None
    if payload.staff_id:
        from django.contrib.auth import get_user_model

        staff = get_user_model().objects.filter(pk=payload.staff_id, memberships__kindergarten=actor.kindergarten).first()
        if staff is None:
            raise Http404
    case = services.case_create(actor=actor, child=child, staff=staff, disease=payload.disease,
                                onset_date=payload.onset_date, diagnosis_source=payload.diagnosis_source,
                                diagnosis_note=payload.diagnosis_note, isolation_start=payload.isolation_start,
                                reported_on=payload.reported_on, fever_end=payload.fever_end,
                                rash_onset=payload.rash_onset, symptoms_end=payload.symptoms_end,
                                treatment_start=payload.treatment_start)
    return _case_out(case)


@router.post(P + "/cases/{code}/dates")
@requires("health.disease.manage")
def case_dates(request, kg: str, code: UUID, payload: CaseDatesIn):
    case = selectors.get_scoped(DiseaseCase, actor=request.actor, capability="health.disease.manage", code=code)
    case = services.case_dates(actor=request.actor, case=case, **payload.dict(exclude_none=True))
    return _case_out(DiseaseCase.objects.select_related("child", "staff", "school_class").get(pk=case.pk))


@router.post(P + "/cases/{code}/clear")
@requires("health.disease.manage")
def case_clear(request, kg: str, code: UUID, payload: ClearIn):
    case = selectors.get_scoped(DiseaseCase, actor=request.actor, capability="health.disease.manage", code=code,
                                queryset=DiseaseCase.objects.active())
    return _case_out(services.case_clear(actor=request.actor, case=case, returned_on=payload.returned_on,
                                         clearance_note=payload.clearance_note))


@router.get(P + "/alerts")
@requires("health.disease.view")
def alert_list(request, kg: str):
    return [_alert_out(a) for a in selectors.alert_list(actor=request.actor)[:200]]


@router.get(P + "/alerts/{code}")
@requires("health.disease.view")
def alert_detail(request, kg: str, code: UUID):
    alert = selectors.get_scoped(OutbreakAlert, actor=request.actor, capability="health.disease.view", code=code,
                                 queryset=OutbreakAlert.objects.select_related("school_class"))
    return _alert_out(alert, full=True)


@router.post(P + "/alerts/{code}/{action}")
@requires("health.disease.manage")
def alert_action(request, kg: str, code: UUID, action: str, payload: AlertActionIn):
    actor = request.actor
    alert = selectors.get_scoped(OutbreakAlert, actor=actor, capability="health.disease.manage", code=code,
                                 queryset=OutbreakAlert.objects.select_related("school_class"))
    if action == "notify":
        services.alert_notify_parents(actor=actor, alert=alert)
    elif action == "intensify":
        services.alert_intensify(actor=actor, alert=alert, until=payload.until or _today() + dt.timedelta(days=7))
    elif action == "close-class" and alert.school_class_id:
        services.closure_create(actor=actor, school_class=alert.school_class, start=_today(),
                                planned_end=payload.planned_end or _today() + dt.timedelta(days=max(alert.closure_days, 1)),
                                reason=alert.rule_name, alert=alert)
    elif action == "reported":
        services.alert_reported(actor=actor, alert=alert, reported_to=payload.reported_to)
    elif action == "send-report":
        services.alert_send_report(actor=actor, alert=alert, measures=payload.measures,
                                   reporter_name=payload.reporter_name, reporter_phone=payload.reporter_phone,
                                   class_size=payload.class_size)
    elif action == "close":
        services.alert_close(actor=actor, alert=alert)
    else:
        raise Http404
    alert.refresh_from_db()
    return _alert_out(alert, full=True)


@router.get(P + "/closures")
@requires("health.disease.view")
def closure_list(request, kg: str):
    return [{"code": c.code, "school_class": c.school_class.name, "start": c.start, "planned_end": c.planned_end,
             "reason": c.reason, "children": c.children_n, "reopened_on": c.reopened_on}
            for c in selectors.closure_list(actor=request.actor)[:200]]


@router.post(P + "/closures")
@requires("health.disease.manage")
def closure_create(request, kg: str, payload: ClosureIn):
    school_class = _class(request.actor, "health.disease.manage", payload.class_code)
    c = services.closure_create(actor=request.actor, school_class=school_class, start=payload.start,
                                planned_end=payload.planned_end, reason=payload.reason)
    return {"code": c.code, "children": c.children.count()}


@router.post(P + "/closures/{code}/reopen")
@requires("health.disease.manage")
def closure_reopen(request, kg: str, code: UUID, payload: ReopenIn):
    c = selectors.get_scoped(ClassClosure, actor=request.actor, capability="health.disease.manage", code=code)
    c = services.closure_reopen(actor=request.actor, closure=c, on=payload.on)
    return {"code": c.code, "reopened_on": c.reopened_on}


# --- exams, growth and weak children ---------------------------------------------------------------------


@router.get(P + "/exams")
@requires("health.exam.view")
def exam_list(request, kg: str, class_code: UUID | None = None, limit: Limit = 500):
    school_class = _class(request.actor, "health.exam.view", class_code) if class_code else None
    show_z = request.actor.has("health.exam.record")
    return [_exam_out(e, show_z=show_z)
            for e in selectors.exam_list(actor=request.actor, school_class=school_class)[:min(limit, 2000)]]


@router.post(P + "/exams/batch")  # before /exams/{code}, which would take "batch" for a code
@requires("health.exam.record")
def exam_batch(request, kg: str, payload: ExamBatchIn):
    actor = request.actor
    codes = [r.child_code for r in payload.rows]
    children = {c.code: c for c in Child.objects.active().filter(kindergarten=actor.kindergarten, code__in=codes)}
    rows = []
    for r in payload.rows:
        if r.child_code not in children:
            raise Http404
        rows.append({"child": children[r.child_code], "values": r.dict(exclude={"child_code"})})
    made = services.exam_batch(actor=actor, day=payload.date, kind=payload.kind, rows=rows,
                               update_existing=payload.update_existing)
    return {"created": len(made)}


@router.post(P + "/exams/reassess")  # before /exams/{code}
@requires("health.exam.record")
def exam_reassess(request, kg: str, payload: ReassessIn):
    """Re-assess by the kindergarten's current growth standard the exams assessed by another one."""
    n = services.exam_reassess(actor=request.actor, start=payload.start, end=payload.end)
    return {"reassessed": n, "standard": services.growth_standard_of(request.actor.kindergarten)}


@router.get(P + "/growth-standard")
@requires("health.exam.view")
def growth_standard(request, kg: str):
    actor = request.actor
    key = services.growth_standard_of(actor.kindergarten)
    return {"standard": key, "name": judgements.standard_name(key),
            "choices": [{"key": s["key"], "name": s["edition"]} for s in rules.growth_standards()],
            "exams_by_other_standard": selectors.exams_by_other_standard(actor=actor, standard=key)
            if actor.has("health.exam.record") else None}


@router.post(P + "/growth-standard")
@requires("health.settings")
def growth_standard_set(request, kg: str, payload: StandardIn):
    row = services.standard_set(actor=request.actor, standard=payload.standard)
    return {"standard": row.growth_standard, "name": judgements.standard_name(row.growth_standard)}


@router.get(P + "/corrections")
@requires("health.exam.view")
def correction_list(request, kg: str, open_only: bool = True):
    return [_correction_out(c) for c in selectors.correction_list(actor=request.actor, open_only=open_only)[:1000]]


@router.post(P + "/corrections/{code}/recheck")
@requires("health.exam.record")
def correction_recheck(request, kg: str, code: UUID, payload: RecheckIn):
    c = selectors.get_scoped(Correction, actor=request.actor, capability="health.exam.record", code=code,
                             queryset=Correction.objects.active())
    c = services.correction_recheck(actor=request.actor, correction=c, day=payload.date, result=payload.result,
                                    resolved=payload.resolved)
    return _correction_out(Correction.objects.select_related("child", "school_class").get(pk=c.pk))


@router.get(P + "/statistics")
@requires("health.summary.view")
def statistics(request, kg: str, period: str = "term", date: Day | None = None):
    """The 卫生保健 statistics of the term (or school year, period=year) containing `date`."""
    p = health_statistics.period_of(date or _today(), "year" if period == "year" else "term")
    stats = health_statistics.health_statistics(actor=request.actor, start=p.start, end=min(p.end, _today()))
    return {"period": p.kind, "label": p.label, **health_statistics.as_json(stats)}


@router.get(P + "/exams/{code}")
@requires("health.exam.view")
def exam_detail(request, kg: str, code: UUID):
    e = selectors.get_scoped(Exam, actor=request.actor, capability="health.exam.view", code=code,
                             queryset=Exam.objects.active().select_related("child", "school_class"))
    request.audit_object = e.child
    return _exam_out(e, show_z=request.actor.has("health.exam.record"))


@router.post(P + "/exams")
@requires("health.exam.record")
def exam_create(request, kg: str, payload: ExamIn):
    child = _child(request.actor, "health.exam.record", payload.child_code)
    values = payload.dict(exclude={"child_code", "date", "kind"})
    e = services.exam_record(actor=request.actor, child=child, day=payload.date, kind=payload.kind, **values)
    return _exam_out(Exam.objects.select_related("child", "school_class").get(pk=e.pk))


@router.get(P + "/summary")
@requires("health.summary.view")
def summary(request, kg: str, start: Day, end: Day):
    exam = selectors.exam_summary(actor=request.actor, start=start, end=end)
    vac = selectors.vaccination_summary(actor=request.actor)

    def strip(rows):
        return [{**{k: v for k, v in r.items() if k != "school_class"}, "school_class": r["school_class"].name}
                for r in rows]

    return {"standards": [judgements.standard_name(services.growth_standard_of(request.actor.kindergarten))],
            "exams": {"rows": strip(exam["rows"]), "total": exam["total"]},
            "vaccination": {"rows": strip(vac["rows"]), "total": vac["total"]}}


@router.get(P + "/children/{code}/record")
@requires("health.child.view")
def child_record(request, kg: str, code: UUID):
    actor = request.actor
    child = _child(actor, "health.child.view", code)
    request.audit_object = child
    r = selectors.child_record(actor=actor, child=child)
    names = {d.vaccine: d.name for d in rules.nip_schedule()}
    return {
        "child": {"code": child.code, "name": child.name, "sex": child.sex, "birth_date": child.birth_date,
                  "school_class": child.school_class.name},
        "exams": [{k: v for k, v in _exam_out(e, show_z=policy.can(actor, "health.exam.record", child)).items()
                   if k not in ("child", "school_class")}
                  for e in Exam.objects.active().filter(child=child).select_related("child", "school_class")],
        "cases": [{"code": c.code, "disease": c.disease, "onset_date": c.onset_date, "status": c.status,
                   "return_due": c.return_due} for c in r["cases"]],
        "doses": [{"vaccine": d.vaccine, "vaccine_name": names.get(d.vaccine, d.vaccine), "dose_no": d.dose_no,
                   "given_on": d.given_on} for d in r["doses"]],
        "catch_ups": [{"code": c.code, "vaccine": c.vaccine, "vaccine_name": names.get(c.vaccine, c.vaccine),
                       "dose_no": c.dose_no, "status": c.status} for c in r["catch_ups"]],
        "absences": [{"date": a.date, "status": a.status, "symptoms": a.symptoms, "diagnosis": a.diagnosis}
                     for a in r["absences"]],
    }


@router.get(P + "/weak-cases")
@requires("health.exam.view")
def weak_case_list(request, kg: str, open_only: bool = False):
    return [{"code": c.code, "child": c.child.name, "school_class": c.school_class.name, "reason": c.reason,
             "opened_on": c.opened_on, "closed_on": c.closed_on, "follow_ups": c.follow_up_n}
            for c in selectors.weak_case_list(actor=request.actor, open_only=open_only)[:500]]


@router.post(P + "/weak-cases")
@requires("health.exam.record")
def weak_case_create(request, kg: str, payload: WeakCaseIn):
    child = _child(request.actor, "health.exam.record", payload.child_code)
    c = services.weak_case_open(actor=request.actor, child=child, reason=payload.reason, plan=payload.plan)
    return {"code": c.code}


@router.post(P + "/weak-cases/{code}")
@requires("health.exam.record")
def weak_case_update(request, kg: str, code: UUID, payload: WeakUpdateIn):
    c = selectors.get_scoped(WeakChildCase, actor=request.actor, capability="health.exam.record", code=code,
                             queryset=WeakChildCase.objects.active())
    c = services.weak_case_update(actor=request.actor, case=c, plan=payload.plan, follow_up=payload.follow_up,
                                  close_outcome=payload.close_outcome, day=payload.date)
    return {"code": c.code, "closed_on": c.closed_on}


# --- vaccination ------------------------------------------------------------------------------------------


@router.get(P + "/catch-ups")
@requires("health.vaccination.view")
def catch_up_list(request, kg: str, pending_only: bool = True):
    return [{"code": c.code, "child_code": c.child.code, "child": c.child.name,
             "school_class": c.child.school_class.name, "vaccine": c.vaccine, "dose_no": c.dose_no,
             "status": c.status, "done_on": c.done_on, "reminded_at": c.reminded_at}
            for c in selectors.catch_up_list(actor=request.actor, pending_only=pending_only)[:1000]]


@router.post(P + "/children/{code}/vaccination-check")
@requires("health.vaccination.record")
def vaccination_check(request, kg: str, code: UUID, payload: VaccinationCheckIn):
    child = _child(request.actor, "health.vaccination.record", code)
    check = services.vaccination_check(actor=request.actor, child=child, checked_on=payload.checked_on or _today(),
                                       certificate_seen=payload.certificate_seen, note=payload.note,
                                       doses=[(d.vaccine, d.dose_no, d.given_on) for d in payload.doses])
    return {"code": check.code, "missing": check.missing}


@router.post(P + "/catch-ups/{code}/done")
@requires("health.vaccination.record")
def catch_up_done(request, kg: str, code: UUID, payload: HealthDoneIn):
    c = selectors.get_scoped(CatchUp, actor=request.actor, capability="health.vaccination.record", code=code)
    c = services.catch_up_done(actor=request.actor, catch_up=c, done_on=payload.done_on)
    return {"code": c.code, "status": c.status}


@router.post(P + "/catch-ups/remind")
@requires("health.vaccination.record")
def remind(request, kg: str):
    return {"children": services.remind_catch_up(actor=request.actor)}


# --- disinfection and rule figures -----------------------------------------------------------------------


@router.get(P + "/disinfection")
@requires("health.disinfection.view")
def disinfection_list(request, kg: str, date: Day | None = None):
    day = date or _today()
    return {
        "records": [{"code": r.code, "school_class": r.school_class.name, "date": r.date, "area": r.area,
                     "method": r.method, "concentration_mg_l": r.concentration_mg_l, "minutes": r.minutes,
                     "done_by": _name(r.done_by), "intensified": r.intensified}
                    for r in selectors.disinfection_list(actor=request.actor, start=day, end=day)],
        "missing": [{"school_class": m["school_class"].name, "date": m["date"], "areas": m["missing"],
                     "intensified": m["intensified"]}
                    for m in selectors.disinfection_missing(actor=request.actor, days=[day])],
    }


@router.post(P + "/disinfection")
@requires("health.disinfection.record")
def disinfection_create(request, kg: str, payload: DisinfectionIn):
    school_class = _class(request.actor, "health.disinfection.record", payload.class_code)
    r = services.disinfection_record(actor=request.actor, school_class=school_class, day=payload.date,
                                     area=payload.area, method=payload.method,
                                     concentration_mg_l=payload.concentration_mg_l, minutes=payload.minutes)
    return {"code": r.code, "intensified": r.intensified}


add_rule_routes(router, area=rules.AREA, path=P + "/rules", view_capability="health.settings",
                change_capability="health.settings")


# --- the district: reports sent by its kindergartens --------------------------------------------------------


def _district_out(a: OutbreakAlert) -> dict:
    return {"code": a.code, "kindergarten": a.kindergarten.name, "rule_name": a.rule_name,
            "school_class": a.school_class.name if a.school_class_id else None, "case_count": a.case_count,
            "class_size": a.class_size, "discovered_at": a.report_made_at, "reported_at": a.reported_at,
            "minutes_to_report": a.minutes_to_report, "report": a.district_report, "status": a.status,
            "acknowledged_at": a.acknowledged_at, "ack_overdue": selectors.ack_overdue(a)}


@router.get("/d/{district}/health/reports")
@requires("health.report.district")
def district_report_list(request, district: str):
    return [_district_out(a) for a in selectors.district_reports(district=request.actor.district)[:200]]


@router.get("/d/{district}/health/reports/{code}")
@requires("health.report.district")
def district_report_detail(request, district: str, code: UUID):
    return _district_out(selectors.get_district_report(district=request.actor.district, code=code))


@router.post("/d/{district}/health/reports/{code}/acknowledge")
@requires("health.report.acknowledge")
def district_acknowledge(request, district: str, code: UUID):
    alert = selectors.get_district_report(district=request.actor.district, code=code)
    services.alert_acknowledge(actor=request.actor, alert=alert)
    return _district_out(selectors.get_district_report(district=request.actor.district, code=code))


# --- 家长委托喂药: medicines entrusted by parents ----------------------------------------------------

from ninja import File, Form, Status  # noqa: E402
from ninja.files import UploadedFile  # noqa: E402

from houqin.health import medication  # noqa: E402


class MedicationGivenOut(Schema):
    date: dt.date
    scheduled: str
    given_at: dt.datetime
    dose_amount: Decimal
    given_by: str


class MedicationOut(Schema):
    code: UUID
    child: UUID
    child_name: str
    drug_name: str
    dose_amount: Decimal
    dose_unit: str
    times: list[str]
    start_date: dt.date
    end_date: dt.date
    reason: str
    status: str
    refusal_reason: str
    given: list[MedicationGivenOut]
    missed: list[str]


def _medication_out(r) -> dict:
    rows = medication.schedule(r)
    return {"code": r.code, "child": r.child.code, "child_name": r.child.name, "drug_name": r.drug_name,
            "dose_amount": r.dose_amount, "dose_unit": r.dose_unit, "times": r.times, "start_date": r.start_date,
            "end_date": r.end_date, "reason": r.reason, "status": r.status, "refusal_reason": r.refusal_reason,
            "given": [{"date": x["given"].date, "scheduled": x["given"].scheduled, "given_at": x["given"].given_at,
                       "dose_amount": x["given"].dose_amount, "given_by": x["given"].given_by.display_name}
                      for x in rows if x["given"]],
            "missed": [f"{x['date']} {x['time']}" for x in rows if x["missed"]]}


class ReceiveIn(Input):
    accept: bool
    reason: str = ""


class GiveIn(Input):
    date: Day
    scheduled: str
    dose_amount: Decimal | None = None
    note: str = ""


@router.get(P + "/medication", response=list[MedicationOut])
@requires("health.medication.view")
def list_medication(request, kg: str):
    return [_medication_out(r) for r in medication.request_list(actor=request.actor)[:100]]


@router.post(P + "/medication", response={201: MedicationOut})
@requires("health.medication.request")
def create_medication(request, kg: str, child: Form[UUID], drug_name: Form[str] = "", dose_amount: Form[str] = "",
                      dose_unit: Form[str] = "", times: Form[str] = "", start_date: Form[dt.date] = None,
                      days: Form[int] = 1, reason: Form[str] = "", confirmed: Form[bool] = False,
                      photo: File[UploadedFile] = None):
    actor = request.actor
    kid = policy.get_or_404(actor, "health.medication.request", Child.objects.select_related("school_class"),
                            code=child)
    made = medication.request_medicine(actor=actor, child=kid, drug_name=drug_name, dose_amount=dose_amount,
                                       dose_unit=dose_unit, times=times, start_date=start_date, days=days,
                                       reason=reason, photo=photo, confirmed=confirmed)
    return Status(201, _medication_out(made))


@router.get(P + "/medication/{code}", response=MedicationOut)
@requires("health.medication.view")
def get_medication(request, kg: str, code: UUID):
    return _medication_out(medication.get_request(actor=request.actor, code=code))


@router.post(P + "/medication/{code}/receive", response=MedicationOut)
@requires("health.medication.give")
def receive_medication(request, kg: str, code: UUID, payload: ReceiveIn):
    actor = request.actor
    item = medication.get_request(actor=actor, code=code)
    return _medication_out(medication.receive_medicine(actor=actor, request=item, accept=payload.accept,
                                                       reason=payload.reason))


@router.post(P + "/medication/{code}/give", response={201: MedicationOut})
@requires("health.medication.give")
def give_medication(request, kg: str, code: UUID, payload: GiveIn):
    actor = request.actor
    item = medication.get_request(actor=actor, code=code)
    medication.give_medicine(actor=actor, request=item, date=payload.date, scheduled=payload.scheduled,
                             dose_amount=payload.dose_amount, note=payload.note)
    return Status(201, _medication_out(medication.get_request(actor=actor, code=code)))


# --- 过敏与特殊膳食登记: the allergy and special-diet register ------------------------------------------

from houqin.health import diets  # noqa: E402


class DietOut(Schema):
    code: UUID
    child: UUID
    child_name: str
    school_class: str
    kind: str
    allergen: str
    severity: str
    diet: str
    label: str
    reaction: str
    start_date: dt.date
    end_date: dt.date | None
    status: str
    has_proof: bool
    voided: bool
    void_reason: str


def _diet_out(r) -> dict:
    return {"code": r.code, "child": r.child.code, "child_name": r.child.name,
            "school_class": r.child.school_class.name, "kind": r.kind, "allergen": r.allergen,
            "severity": r.severity, "diet": r.diet, "label": r.label, "reaction": r.reaction,
            "start_date": r.start_date, "end_date": r.end_date, "status": r.status, "has_proof": bool(r.proof),
            "voided": r.is_voided, "void_reason": r.void_reason}


class DietVoidIn(Input):
    reason: str


@router.get(P + "/diets", response=list[DietOut])
@requires("health.diet.view")
def list_diets(request, kg: str, school_class: UUID | None = None):
    actor = request.actor
    klass = None
    if school_class is not None:
        klass = SchoolClass.objects.filter(kindergarten=actor.kindergarten, code=school_class).first()
        if klass is None:
            raise Http404
    return [_diet_out(r) for r in diets.diet_list(actor=actor, school_class=klass)[:300]]


@router.post(P + "/diets", response={201: DietOut})
@requires("health.diet.view")
def create_diet(request, kg: str, child: Form[UUID], kind: Form[str] = "", allergen: Form[str] = "",
                severity: Form[str] = "", diet: Form[str] = "", reaction: Form[str] = "",
                start_date: Form[str] = "", end_date: Form[str] = "", proof: File[UploadedFile] = None):
    actor = request.actor
    days = {}
    for name, value in (("start_date", start_date), ("end_date", end_date)):
        try:
            days[name] = dt.date.fromisoformat(value) if value else None
        except ValueError:
            from houqin.core.errors import raise_for
            from django.utils.translation import gettext as _

            raise_for({name: _("Give the date as year-month-day, e.g. 2026-11-25.")})
    capability = "health.diet.record" if actor.has("health.diet.record") else "health.diet.request"
    kid = policy.get_or_404(actor, capability, Child.objects.select_related("school_class"), code=child)
    made = diets.diet_create(actor=actor, child=kid, kind=kind, allergen=allergen, severity=severity, diet=diet,
                             reaction=reaction, proof=proof, **days)
    return Status(201, _diet_out(diets.get_diet(actor=actor, code=made.code)))


@router.get(P + "/diets/{code}", response=DietOut)
@requires("health.diet.view")
def get_diet(request, kg: str, code: UUID):
    return _diet_out(diets.get_diet(actor=request.actor, code=code))


@router.post(P + "/diets/{code}/confirm", response=DietOut)
@requires("health.diet.record")
def confirm_diet(request, kg: str, code: UUID):
    actor = request.actor
    diets.diet_confirm(actor=actor, record=diets.get_diet(actor=actor, code=code))
    return _diet_out(diets.get_diet(actor=actor, code=code))


@router.post(P + "/diets/{code}/void", response=DietOut)
@requires("health.diet.record")
def void_diet(request, kg: str, code: UUID, payload: DietVoidIn):
    actor = request.actor
    diets.diet_void(actor=actor, record=diets.get_diet(actor=actor, code=code), reason=payload.reason)
    return _diet_out(diets.get_diet(actor=actor, code=code))

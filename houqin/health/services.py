"""Use cases of health care: one function per use case, keyword-only, the acting `actor` first.

Every function checks the actor's capability on the object (houqin.policy), validates against the
kindergarten's rule figures (houqin.health.rules), writes in one transaction and raises DomainError
(422) with a translatable message, changing nothing, on bad input.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from houqin import policy
from houqin.core.citations import cite
from houqin.core.errors import Conflict, DomainError, NotFound
from houqin.core.numbers import NumberProblem, read_decimal
from houqin.core.workflow import move
from houqin.health import growth, judgements, rules
from houqin.health.models import (
    AlertStatus,
    Attendance,
    AttendanceStatus,
    CaseStatus,
    CatchUp,
    CatchUpStatus,
    CheckAction,
    CheckFinding,
    CheckKind,
    CheckSession,
    ClassClosure,
    DeviceToken,
    DiagnosisSource,
    DiseaseCase,
    Disinfection,
    DisinfectionArea,
    DisinfectionMethod,
    Correction,
    CorrectionCheck,
    CorrectionKind,
    Exam,
    ExamKind,
    Finding,
    HealthObservation,
    HealthSettings,
    ObservationEntry,
    ObservationStatus,
    OBSERVATION_TRANSITIONS,
    ALERT_TRANSITIONS,
    OutbreakAlert,
    PersonKind,
    VaccinationCheck,
    VaccinationDose,
    WeakChildCase,
    WeakChildFollowUp,
    WeakReason,
)
from houqin.org.models import Child, Kindergarten

SYMPTOMS = {Finding.FEVER, Finding.RASH, Finding.SORE_THROAT, Finding.MOUTH_BLISTERS, Finding.HAND_FOOT_BLISTERS,
            Finding.EYE_DISCHARGE, Finding.COUGH, Finding.VOMITING, Finding.DIARRHOEA, Finding.SWOLLEN_CHEEKS}


def today() -> dt.date:
    return timezone.localdate()


def _require(actor, capability: str, obj=None):
    policy.require(actor, capability, obj)


def _decimal(value, field: str, label) -> Decimal | None:
    try:
        return read_decimal(value)  # "nan", "inf" are not measurements
    except NumberProblem:
        raise DomainError(_("%(field)s is not a number.") % {"field": label},
                          errors=[{"field": field, "message": _("Not a number.")}]) from None


def check_temperature(kindergarten, value, field: str = "temperature", figs=None) -> Decimal | None:
    t = _decimal(value, field, _("Temperature"))
    if t is None:
        return None
    figs = figs or rules.figures(kindergarten)
    low, high = figs["temperature.min"].value, figs["temperature.max"].value
    if t < low or t > high:
        message = _("A temperature of %(t)s °C is not possible: enter a reading between %(low)s and %(high)s °C.") % {
            "t": t, "low": low, "high": high}
        raise DomainError(message, errors=[{"field": field, "message": message}])
    return t.quantize(Decimal("0.1"))


def _clean_findings(findings) -> list[str]:
    result = []
    for f in findings or []:
        if f not in Finding.values:
            raise DomainError(_("Unknown finding: %(f)s") % {"f": f})
        if f not in result:
            result.append(f)
    return result


def _open_case_children(kindergarten, child_ids, day) -> dict[int, DiseaseCase]:
    cases = DiseaseCase.objects.active().filter(kindergarten=kindergarten, child_id__in=child_ids,
                                                status=CaseStatus.ISOLATING, isolation_start__lte=day)
    return {c.child_id: c for c in cases}


def _closure_on(school_class, day) -> ClassClosure | None:
    return (ClassClosure.objects.active().filter(school_class=school_class, start__lte=day, planned_end__gte=day,
                                                 reopened_on__isnull=True).first())


def _refuse_early_return(case: DiseaseCase, child, day):
    diseases = rules.diseases()
    name = diseases[case.disease].name if case.disease in diseases else case.disease
    if case.return_due is not None and day < case.return_due:
        message = _("%(child)s is isolating for %(disease)s until %(date)s: record the return clearance "
                    "(复课证明) before marking the child present.") % {
            "child": child.name, "disease": name, "date": case.return_due.isoformat()}
    else:
        message = _("%(child)s has an open %(disease)s case: record the return clearance (复课证明) before "
                    "marking the child present.") % {"child": child.name, "disease": name}
    raise DomainError(message, code="clearance_required")


CLOCK_FIELDS = ("fever_end", "rash_onset", "symptoms_end", "treatment_start")


def _clock_dates(*, onset_date: dt.date, reported_on: dt.date, dates: dict) -> dict:
    """The case's dates checked against each other: nothing after the report date (or today), no
    end of fever or symptoms, rash or treatment before the onset."""
    labels = {"fever_end": _("The end of fever"), "rash_onset": _("The rash onset"),
              "symptoms_end": _("The end of symptoms"), "treatment_start": _("The start of treatment")}
    cleaned = {}
    for field in CLOCK_FIELDS:
        value = dates.get(field)
        if value in (None, ""):
            cleaned[field] = None
            continue
        if not isinstance(value, dt.date):
            try:
                value = dt.date.fromisoformat(str(value))
            except ValueError:
                message = _("Enter a date.")
                raise DomainError(message, errors=[{"field": field, "message": message}]) from None
        if value < onset_date:
            message = _("%(what)s (%(date)s) cannot be before the onset (%(onset)s).") % {
                "what": labels[field], "date": value.isoformat(), "onset": onset_date.isoformat()}
            raise DomainError(message, errors=[{"field": field, "message": message}])
        if value > today():
            message = _("%(what)s cannot be in the future.") % {"what": labels[field]}
            raise DomainError(message, errors=[{"field": field, "message": message}])
        cleaned[field] = value
    return cleaned


def return_due_for(disease: rules.Disease, *, isolation_start: dt.date, dates: dict) -> dt.date | None:
    """The first day back: the date the disease's rule counts from plus its isolation period; None
    while that date is not known (a return before it needs the 复课证明)."""
    if disease.clock == "onset":
        return isolation_start + dt.timedelta(days=disease.isolation_days)
    start = dates.get(disease.clock)
    return start + dt.timedelta(days=disease.isolation_days) if start else None


# --- daily checks and attendance ------------------------------------------------------------------


@transaction.atomic
def record_check(*, actor, school_class, day: dt.date, kind: str = CheckKind.MORNING, entries: dict | None = None,
                 second_checker=None, checker=None) -> CheckSession:
    """Record a class's morning or noon check in one go. Every enrolled child is present and normal
    unless `entries[child_id]` says otherwise: {status, symptoms (finding codes), temperature,
    findings, action, note}. A child isolating with an open disease case defaults to sick leave and
    cannot be marked present before the return clearance. The morning check writes attendance."""
    _require(actor, "health.check.record", school_class)
    kg = actor.kindergarten
    if day > today():
        raise DomainError(_("A check cannot be recorded for a future day."))
    if kind not in CheckKind.values:
        raise DomainError(_("Unknown check."))
    if _closure_on(school_class, day):
        raise DomainError(_("%(cls)s is closed on this day.") % {"cls": school_class.name})
    entries = entries or {}
    figs = rules.figures(kg)
    children = list(Child.objects.active().filter(school_class=school_class, enrolled_on__lte=day)
                    .exclude(left_on__lt=day).order_by("pk"))
    ids = {c.pk for c in children}
    unknown = set(entries) - ids
    if unknown:
        raise DomainError(_("A child of another class was sent."))
    open_cases = _open_case_children(kg, ids, day)
    fever = figs["temperature.fever"].value
    alarm = rules.morning_check()
    findings_rows, attendance_rows, sick_symptoms = [], [], []
    for child in children:
        entry = entries.get(child.pk, {})
        status = entry.get("status") or (AttendanceStatus.SICK if child.pk in open_cases else AttendanceStatus.PRESENT)
        if status not in AttendanceStatus.values:
            raise DomainError(_("Unknown attendance status."))
        if status == AttendanceStatus.PRESENT and child.pk in open_cases:
            _refuse_early_return(open_cases[child.pk], child, day)
        temperature = check_temperature(kg, entry.get("temperature"), figs=figs)
        found = _clean_findings(entry.get("findings"))
        if temperature is not None and temperature >= fever and Finding.FEVER not in found:
            found.insert(0, Finding.FEVER)
        action = entry.get("action") or ""
        if action not in CheckAction.values:
            raise DomainError(_("Unknown action."))
        symptoms = _clean_findings(entry.get("symptoms"))
        if status == AttendanceStatus.SICK and not symptoms and child.pk in open_cases:
            symptoms = []
        note = (entry.get("note") or "")[:200]
        serious = status == AttendanceStatus.PRESENT and is_alarm(temperature, found, fever, entry.get("serious"))
        if serious and action not in alarm["alarm_actions"]:
            _refuse_alarm_without_action(child, temperature, found, alarm)
        if status == AttendanceStatus.PRESENT and (found or action or temperature is not None or note):
            findings_rows.append(dict(child=child, temperature=temperature, findings=found, action=action, note=note,
                                      is_abnormal=bool(found or action), serious=serious))
        attendance_rows.append((child, status, symptoms, (entry.get("absence_note") or "")[:200]))
        if status == AttendanceStatus.SICK and symptoms:
            sick_symptoms.extend(symptoms)
    session, _created = CheckSession.objects.select_for_update().get_or_create(
        kindergarten=kg, school_class=school_class, date=day, kind=kind,
        defaults={"created_by": actor.user, "checker": checker or actor.user})
    session.checker = checker or actor.user
    session.second_checker = second_checker
    session.checked_count = sum(1 for _c, s, _s, _n in attendance_rows if s == AttendanceStatus.PRESENT)
    session.abnormal_count = sum(1 for f in findings_rows if f["is_abnormal"])
    session.save()
    _replace_findings(actor, session, school_class, day, findings_rows)
    if kind == CheckKind.MORNING:
        existing = {a.child_id: a for a in Attendance.objects.select_for_update().filter(child_id__in=ids, date=day)}
        new, changed, now = [], [], timezone.now()
        for child, status, symptoms, note in attendance_rows:
            row = existing.get(child.pk)
            symptom_text = ",".join(symptoms)
            if row is None:
                new.append(Attendance(kindergarten=kg, child=child, school_class=school_class, date=day, status=status,
                                      symptoms=symptom_text, note=note, created_by=actor.user))
            elif (row.status, row.symptoms) != (status, symptom_text):
                row.status, row.symptoms = status, symptom_text
                row.note = note or row.note
                row.updated_at = now
                changed.append(row)
        bulk_update_with_history(changed, Attendance, ["status", "symptoms", "note", "updated_at"],
                                 default_user=actor.user)
        bulk_create_with_history(new, Attendance, default_user=actor.user)
    for f in findings_rows:
        if f["serious"]:
            open_observation(kindergarten=kg, user=actor.user, child=f["child"], school_class=school_class, day=day,
                             temperature=f["temperature"], findings=f["findings"], action=f["action"],
                             note=f["note"], source=dict(CheckKind.choices)[kind])
    evaluate_symptom_rules(actor=actor, school_class=school_class, day=day)
    return session


_FINDING_FIELDS = ("temperature", "findings", "action", "note", "is_abnormal", "serious")


def _replace_findings(actor, session, school_class, day, findings_rows: list[dict]) -> None:
    """Make the session's findings those of `findings_rows` (one per child), writing only what
    differs: a child's finding as it was is left alone, a changed one is updated, a new one created,
    one no longer sent deleted; each write with its history row. A check submitted again unchanged
    (a phone's second tap, a reload) writes no finding at all."""
    old = {f.child_id: f for f in CheckFinding.objects.filter(session=session)}
    new, changed, now = [], [], timezone.now()
    for row in findings_rows:
        finding = old.pop(row["child"].pk, None)
        if finding is None:
            new.append(CheckFinding(kindergarten=session.kindergarten, session=session, school_class=school_class,
                                    date=day, created_by=actor.user, **row))
        elif any(getattr(finding, name) != row[name] for name in _FINDING_FIELDS):
            for name in _FINDING_FIELDS:
                setattr(finding, name, row[name])
            finding.updated_at = now
            changed.append(finding)
    if old:
        CheckFinding.objects.filter(pk__in=[f.pk for f in old.values()]).delete()
    bulk_update_with_history(changed, CheckFinding, [*_FINDING_FIELDS, "updated_at"], default_user=actor.user)
    bulk_create_with_history(new, CheckFinding, default_user=actor.user)


def is_alarm(temperature, findings, fever, marked_serious=False) -> bool:
    """A fever (at or above the rule figure) or a serious finding (rule data) raises the alarm."""
    serious = set(rules.morning_check()["serious_findings"])
    return bool((temperature is not None and temperature >= fever) or serious & set(findings or ())
                or marked_serious)


def _refuse_alarm_without_action(child, temperature, found, alarm):
    labels = dict(CheckAction.choices)
    what = f"{temperature} °C" if temperature is not None else "、".join(
        str(dict(Finding.choices).get(f, f)) for f in found)
    message = _("%(child)s: %(what)s — choose an action (%(actions)s) before submitting the check.") % {
        "child": child.name, "what": what,
        "actions": " / ".join(str(labels[a]) for a in alarm["alarm_actions"])}
    raise DomainError(message, code="action_required",
                      errors=[{"field": f"c{child.pk}-action", "message": message}])


def _observation_reason(temperature, findings, source: str) -> str:
    labels = dict(Finding.choices)
    parts = [f"{temperature} °C"] if temperature is not None else []
    parts += [str(labels.get(f, f)) for f in findings if f != Finding.FEVER or temperature is None]
    return f"{source}：{'、'.join(parts)}"[:200]


def open_observation(*, kindergarten, user, child, school_class, day: dt.date, temperature=None, findings=(),
                     action: str = "", note: str = "", source: str = "") -> HealthObservation:
    """The alarm: a child with a fever or a serious finding is put under all-day observation (全日健康
    观察), which is the health teacher's red to-do until she has seen the child, and the parents get a
    notice. Once per child and day: a later alarm adds an entry."""
    from houqin.notices.models import NoticeKind
    from houqin.notices.services import publish_notice

    findings = list(findings or ())
    obs = HealthObservation.objects.select_for_update().filter(child=child, date=day).first()
    created = obs is None
    if created:
        obs = HealthObservation.objects.create(
            kindergarten=kindergarten, created_by=user, child=child, school_class=school_class, date=day,
            reason=_observation_reason(temperature, findings, source or _("Check")), temperature=temperature)
    ObservationEntry.objects.create(kindergarten=kindergarten, created_by=user, observation=obs, at=timezone.now(),
                                    temperature=temperature, symptoms=findings, action=action or "",
                                    note=(note or source)[:200])
    if created:
        labels = dict(CheckAction.choices)
        what = obs.reason.partition("：")[2]
        body = _("At today's %(source)s your child %(child)s had: %(what)s. The kindergarten has taken this action: "
                 "%(action)s, and the health teacher is watching your child through the day. Please keep your phone "
                 "at hand; if we ask you to collect your child, please come as soon as you can.") % {
            "source": source or _("check"), "child": child.name, "what": what,
            "action": labels.get(action, "") or _("observation")}
        notice = publish_notice(kindergarten=kindergarten, user=user, kind=NoticeKind.DISEASE,
                                title=_("Health notice: %(child)s") % {"child": child.name}, body=body,
                                children=[child], source=f"health.observation:{obs.code}")
        obs.parent_notice_code = str(notice.code)
        obs.save(update_fields=["parent_notice_code", "updated_at"])
        _alert_health_teachers(kindergarten, obs, what, user)
    return obs


def _alert_health_teachers(kindergarten, obs: HealthObservation, what: str, user) -> None:
    """The alarm's message to the health teachers (urgent: sent in quiet hours too), once per
    observation (houqin.notices.outbox)."""
    from django.urls import reverse

    from houqin.notices.models import MessageKind
    from houqin.notices.outbox import enqueue, staff_with_role
    from houqin.org.models import Role

    teachers = staff_with_role(kindergarten, [Role.HEALTH_TEACHER], campus_id=obs.school_class.campus_id)
    enqueue(kindergarten=kindergarten, recipients=teachers, kind=MessageKind.ALERT, urgent=True,
            title=_("Health alert: %(child)s") % {"child": obs.child.name},
            body=_("%(class)s, %(what)s: the child is under all-day observation; please see the child.") % {
                "class": obs.school_class.name, "what": what},
            url=reverse("health:observation", kwargs={"kg": kindergarten.slug, "code": obs.code}),
            key=f"health.observation:{obs.code}", created_by=user)


def _at(value, day: dt.date) -> dt.datetime:
    """A time of the observation's day ("10:30") or a full date-time; never in the future."""
    if value in (None, ""):
        at = timezone.now()
    elif isinstance(value, dt.datetime):
        at = value if timezone.is_aware(value) else timezone.make_aware(value)
    else:
        try:
            t = value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value).strip())
        except ValueError:
            message = _("Enter the time as hh:mm.")
            raise DomainError(message, errors=[{"field": "at", "message": message}]) from None
        at = timezone.make_aware(dt.datetime.combine(day, t))
    if timezone.localdate(at) != day or at > timezone.now() + dt.timedelta(minutes=5):
        message = _("The time must be on the observation's day and not in the future.")
        raise DomainError(message, errors=[{"field": "at", "message": message}])
    return at


def _locked_observation(observation: HealthObservation) -> HealthObservation:
    return HealthObservation.objects.select_for_update().get(pk=observation.pk)


def _mark_seen(actor, obs: HealthObservation):
    if obs.seen_at is None and actor.widest_scope("health.check.record") == policy.Scope.KINDERGARTEN:
        obs.seen_at, obs.seen_by = timezone.now(), actor.user


@transaction.atomic
def observation_record(*, actor, observation: HealthObservation, at=None, temperature=None, symptoms=(),
                       action: str = "", note: str = "") -> ObservationEntry:
    """Class staff or the health teacher look at the child again (time, temperature, symptoms,
    action). The health teacher's first entry clears her red alert."""
    _require(actor, "health.check.record", observation)
    obs = _locked_observation(observation)
    if obs.status != ObservationStatus.OBSERVING:
        raise Conflict(_("This observation has ended."))
    t = check_temperature(actor.kindergarten, temperature)
    found = _clean_findings(symptoms)
    if action not in CheckAction.values:
        raise DomainError(_("Unknown action."), errors=[{"field": "action", "message": _("Unknown action.")}])
    note = (note or "").strip()[:200]
    if t is None and not found and not action and not note:
        message = _("Record a temperature, a symptom, an action or a note.")
        raise DomainError(message, errors=[{"field": "note", "message": message}])
    when = _at(at, obs.date)
    entry = ObservationEntry.objects.create(kindergarten=actor.kindergarten, created_by=actor.user, observation=obs,
                                            at=when, temperature=t, symptoms=found, action=action, note=note)
    _mark_seen(actor, obs)
    obs.save()
    return entry


@transaction.atomic
def observation_send_home(*, actor, observation: HealthObservation, at=None, collected_by: str = "",
                          note: str = "") -> HealthObservation:
    """The child is collected: when, and by whom (the parent or an authorised person)."""
    _require(actor, "health.check.record", observation)
    obs = _locked_observation(observation)
    collected_by = (collected_by or "").strip()
    if not collected_by:
        message = _("Say who collected the child.")
        raise DomainError(message, errors=[{"field": "collected_by", "message": message}])
    when = _at(at, obs.date)
    move(obs, ObservationStatus.SENT_HOME, OBSERVATION_TRANSITIONS)
    obs.sent_home_at, obs.collected_by = when, collected_by[:60]
    _mark_seen(actor, obs)
    obs.save()
    ObservationEntry.objects.create(kindergarten=actor.kindergarten, created_by=actor.user, observation=obs, at=when,
                                    action=CheckAction.SENT_HOME,
                                    note=(_("Collected by %(who)s") % {"who": collected_by} + (
                                        f"；{note.strip()}" if (note or "").strip() else ""))[:200])
    return obs


@transaction.atomic
def observation_end(*, actor, observation: HealthObservation, note: str = "") -> HealthObservation:
    """The child stays and the observation ends (normal again by the end of the day)."""
    _require(actor, "health.check.record", observation)
    obs = _locked_observation(observation)
    move(obs, ObservationStatus.ENDED, OBSERVATION_TRANSITIONS)
    obs.ended_at = timezone.now()
    _mark_seen(actor, obs)
    obs.save()
    ObservationEntry.objects.create(kindergarten=actor.kindergarten, created_by=actor.user, observation=obs,
                                    at=obs.ended_at, note=((note or "").strip() or _("Observation ended"))[:200])
    return obs


@transaction.atomic
def record_attendance(*, actor, child, day: dt.date, status: str, symptoms=(), note: str = "") -> Attendance:
    """One child's attendance (a parent's call, a late arrival): the same rules as the check."""
    _require(actor, "health.check.record", child)
    if day > today() + dt.timedelta(days=14):
        raise DomainError(_("Leave can be recorded at most 14 days ahead."))
    if status not in AttendanceStatus.values:
        raise DomainError(_("Unknown attendance status."))
    symptoms = _clean_findings(symptoms)
    if status == AttendanceStatus.PRESENT:
        case = _open_case_children(actor.kindergarten, [child.pk], day).get(child.pk)
        if case:
            _refuse_early_return(case, child, day)
    row, _created = Attendance.objects.select_for_update().get_or_create(
        child=child, date=day, defaults={"kindergarten": actor.kindergarten, "school_class_id": child.school_class_id,
                                         "status": status, "created_by": actor.user})
    row.status, row.symptoms, row.note = status, ",".join(symptoms), note[:200]
    row.save()
    if status == AttendanceStatus.SICK and symptoms:
        evaluate_symptom_rules(actor=actor, school_class=child.school_class, day=day)
    return row


@transaction.atomic
def follow_up_absence(*, actor, attendance: Attendance, diagnosis: str, disease: str = "",
                      diagnosis_source: str = DiagnosisSource.HOSPITAL) -> Attendance:
    """Record why a sick child was absent (追踪); a notifiable disease opens a disease case."""
    _require(actor, "health.check.record", attendance)
    diagnosis = (diagnosis or "").strip()
    if not diagnosis and not disease:
        raise DomainError(_("Write what the illness was."), errors=[{"field": "diagnosis", "message": _("Required.")}])
    if disease and disease not in rules.diseases():
        raise DomainError(_("Unknown disease: choose one from the list."), errors=[{"field": "disease",
                                                                                  "message": _("Unknown disease.")}])
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    attendance.diagnosis = (diagnosis or rules.diseases()[disease].name)[:100]
    attendance.followed_up_at = timezone.now()
    attendance.followed_up_by = actor.user
    attendance.save()
    if disease and actor.has("health.disease.manage"):
        child = attendance.child
        if not DiseaseCase.objects.active().filter(child=child, disease=disease, status=CaseStatus.ISOLATING).exists():
            case_create(actor=actor, child=child, disease=disease, onset_date=attendance.date,
                        diagnosis_source=diagnosis_source)
    return attendance


# --- morning-check devices ------------------------------------------------------------------------


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def device_create(*, actor, campus, name: str) -> tuple[DeviceToken, str]:
    _require(actor, "health.settings")
    if campus.kindergarten_id != actor.kindergarten.pk:
        raise NotFound()
    if not (name or "").strip():
        raise DomainError(_("Give the device a name."))
    raw = "hqd_" + secrets.token_urlsafe(32)
    device = DeviceToken.objects.create(kindergarten=actor.kindergarten, campus=campus, name=name.strip()[:60],
                                        prefix=raw[4:12], key_hash=_hash(raw), created_by=actor.user)
    return device, raw


def device_revoke(*, actor, device: DeviceToken) -> None:
    _require(actor, "health.settings", device)
    DeviceToken.objects.filter(pk=device.pk).update(revoked_at=timezone.now())


def device_check(raw: str) -> DeviceToken | None:
    if not raw or not raw.startswith("hqd_"):
        return None
    device = (DeviceToken.objects.select_related("kindergarten", "campus")
              .filter(key_hash=_hash(raw), revoked_at__isnull=True, kindergarten__is_active=True).first())
    if device is not None:
        DeviceToken.objects.filter(pk=device.pk).update(last_used_at=timezone.now())
    return device


@transaction.atomic
def device_reading(*, device: DeviceToken, child_code, temperature, findings=(), at: dt.datetime | None = None
                   ) -> CheckFinding:
    """A morning-check machine's reading of one child: only children of the device's campus."""
    child = (Child.objects.active().select_related("school_class")
             .filter(code=child_code, kindergarten=device.kindergarten, school_class__campus=device.campus).first())
    if child is None:
        raise NotFound(_("No such child on this campus."))
    day = timezone.localdate(at) if at else today()
    if day > today():
        raise DomainError(_("A check cannot be recorded for a future day."))
    t = check_temperature(device.kindergarten, temperature)
    found = _clean_findings(findings)
    fever = rules.value(device.kindergarten, "temperature.fever")
    if t is not None and t >= fever and Finding.FEVER not in found:
        found.insert(0, Finding.FEVER)
    session, _created = CheckSession.objects.select_for_update().get_or_create(
        kindergarten=device.kindergarten, school_class=child.school_class, date=day, kind=CheckKind.MORNING,
        defaults={"device": device})
    row, created = CheckFinding.objects.update_or_create(
        session=session, child=child,
        defaults={"kindergarten": device.kindergarten, "school_class": child.school_class, "date": day,
                  "temperature": t, "findings": found, "is_abnormal": bool(found)})
    CheckSession.objects.filter(pk=session.pk).update(
        checked_count=CheckFinding.objects.filter(session=session).count(),
        abnormal_count=CheckFinding.objects.filter(session=session, is_abnormal=True).count())
    if is_alarm(t, found, fever):
        CheckFinding.objects.filter(pk=row.pk).update(serious=True)
        open_observation(kindergarten=device.kindergarten, user=None, child=child, school_class=child.school_class,
                         day=day, temperature=t, findings=found, source=_("Check device %(name)s") % {
                             "name": device.name})
    return row


# --- infectious disease ---------------------------------------------------------------------------


@transaction.atomic
def case_create(*, actor, disease: str, onset_date: dt.date, diagnosis_source: str, child=None, staff=None,
                diagnosis_note: str = "", isolation_start: dt.date | None = None, reported_on: dt.date | None = None,
                **dates) -> DiseaseCase:
    """Record a case; the return date comes from the date the disease's rule counts from (onset, end
    of fever, rash onset, end of symptoms, start of treatment) plus its isolation period (rule
    figures). Evaluates the outbreak and single-case reporting rules of the disease."""
    _require(actor, "health.disease.manage")
    kg = actor.kindergarten
    diseases = rules.diseases(kg)
    if disease not in diseases:
        raise DomainError(_("Unknown disease: choose one from the list."),
                          errors=[{"field": "disease", "message": _("Unknown disease.")}])
    if (child is None) == (staff is None):
        raise DomainError(_("A case is of one child or one staff member."))
    if child is not None:
        policy.require(actor, "health.disease.manage", child)
    if staff is not None and not staff.memberships.filter(kindergarten=kg, is_active=True).exists():
        raise NotFound()
    unknown = set(dates) - set(CLOCK_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field: %(f)s") % {"f": ", ".join(sorted(unknown))})
    reported_on = reported_on or today()
    if reported_on > today():
        message = _("The report date cannot be in the future.")
        raise DomainError(message, errors=[{"field": "reported_on", "message": message}])
    if onset_date > reported_on:
        message = _("The onset (%(onset)s) cannot be after the report date (%(reported)s).") % {
            "onset": onset_date.isoformat(), "reported": reported_on.isoformat()}
        raise DomainError(message, errors=[{"field": "onset_date", "message": message}])
    if diagnosis_source not in DiagnosisSource.values:
        raise DomainError(_("Say who made the diagnosis."))
    start = isolation_start or onset_date
    if start < onset_date:
        raise DomainError(_("Isolation cannot start before the onset."))
    cleaned = _clock_dates(onset_date=onset_date, reported_on=reported_on, dates=dates)
    d = diseases[disease]
    case = DiseaseCase.objects.create(
        kindergarten=kg, created_by=actor.user, person_kind=PersonKind.CHILD if child else PersonKind.STAFF,
        child=child, staff=staff, school_class=child.school_class if child else None, disease=disease,
        onset_date=onset_date, reported_on=reported_on, diagnosis_source=diagnosis_source,
        diagnosis_note=diagnosis_note[:100], isolation_start=start, isolation_days=d.isolation_days,
        isolation_clock=d.clock, return_due=return_due_for(d, isolation_start=start, dates=cleaned), **cleaned)
    evaluate_disease_rules(actor=actor, disease=disease, day=onset_date, school_class=case.school_class)
    return case


@transaction.atomic
def case_dates(*, actor, case: DiseaseCase, **dates) -> DiseaseCase:
    """Record the dates learnt later (fever ended, symptoms ended…); the return date follows."""
    _require(actor, "health.disease.manage", case)
    case = DiseaseCase.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.ISOLATING:
        raise Conflict(_("This case is already closed."))
    unknown = set(dates) - set(CLOCK_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field: %(f)s") % {"f": ", ".join(sorted(unknown))})
    merged = {f: getattr(case, f) for f in CLOCK_FIELDS}
    merged.update({k: v for k, v in dates.items() if v not in (None, "")})
    cleaned = _clock_dates(onset_date=case.onset_date, reported_on=case.reported_on or today(), dates=merged)
    for f, v in cleaned.items():
        setattr(case, f, v)
    d = rules.diseases(case.kindergarten).get(case.disease)
    if d is not None:
        d = rules.Disease(d.code, d.name, case.isolation_days, d.isolation_basis, d.status, d.source,
                          case.isolation_clock, d.single_case_report)
        case.return_due = return_due_for(d, isolation_start=case.isolation_start, dates=cleaned)
    case.save()
    return case


@transaction.atomic
def case_clear(*, actor, case: DiseaseCase, returned_on: dt.date, clearance_note: str) -> DiseaseCase:
    """Record the return clearance (复课证明); the child may then be marked present."""
    _require(actor, "health.disease.manage", case)
    case = DiseaseCase.objects.select_for_update().get(pk=case.pk)
    clearance_note = (clearance_note or "").strip()
    if case.status != CaseStatus.ISOLATING:
        raise DomainError(_("This case is already closed."))
    if not clearance_note:
        if case.return_due is None or returned_on < case.return_due:
            message = _("The isolation period ends on %(date)s: a return before then needs a return clearance "
                        "(复课证明).") % {"date": case.return_due.isoformat() if case.return_due else "—"}
        else:
            message = _("Record who issued the return clearance (复课证明).")
        raise DomainError(message, errors=[{"field": "clearance_note", "message": message}])
    if returned_on < case.onset_date or returned_on > today():
        raise DomainError(_("The return date must lie between the onset and today."))
    case.status, case.cleared_on, case.clearance_note = CaseStatus.CLEARED, returned_on, clearance_note[:100]
    case.save()
    return case


@transaction.atomic
def case_void(*, actor, case: DiseaseCase, reason: str) -> DiseaseCase:
    _require(actor, "health.disease.manage", case)
    return case.locked().void(actor=actor, reason=reason)


def _report_text(*, kg, rule, school_class, cases_desc: list[str], start, end, made_at) -> str:
    where = school_class.name if school_class else kg.name
    lines = [
        _("Report of a suspected cluster of infectious disease"),
        _("Kindergarten: %(kg)s") % {"kg": kg.name},
        _("Class: %(cls)s") % {"cls": where},
        _("Rule: %(rule)s (%(source)s)") % {"rule": rule.name, "source": cite(rule.source)},
        _("Period: %(start)s to %(end)s") % {"start": start.isoformat(), "end": end.isoformat()},
        _("Cases: %(n)d") % {"n": len(cases_desc)},
        *[f"  - {c}" for c in cases_desc],
        _("Measures taken or proposed: intensified disinfection, notice to parents, morning checks of every class%(closure)s.")
        % {"closure": _(", class closure") if rule.closure_days else ""},
        _("Report made at %(at)s by the kindergarten's health teacher.") % {
            "at": timezone.localtime(made_at).strftime("%Y-%m-%d %H:%M")},
    ]
    return "\n".join(lines)


def _fire(*, actor, kg, rule, school_class, day, count, cases_desc, symptom="") -> OutbreakAlert:
    start = day - dt.timedelta(days=rule.window_days - 1)
    existing = (OutbreakAlert.objects.select_for_update()
                .filter(kindergarten=kg, rule_key=rule.key, school_class=school_class, window_end__gte=start,
                        symptom=symptom).exclude(status=AlertStatus.CLOSED).first())
    if existing:
        if count > existing.case_count:
            existing.case_count, existing.window_end = count, max(existing.window_end, day)
            existing.save(update_fields=["case_count", "window_end", "updated_at"])
        return existing
    made_at = timezone.now()
    size = Child.objects.active().filter(kindergarten=kg, left_on__isnull=True)
    if school_class is not None:
        size = size.filter(school_class=school_class)
    return OutbreakAlert.objects.create(
        kindergarten=kg, created_by=actor.user if actor else None, rule_key=rule.key, rule_name=rule.name,
        disease=rule.disease, symptom=symptom, school_class=school_class, window_start=start, window_end=day,
        case_count=count, threshold=rule.threshold, actions=list(rule.actions), closure_days=rule.closure_days,
        report_text=_report_text(kg=kg, rule=rule, school_class=school_class, cases_desc=cases_desc, start=start,
                                 end=day, made_at=made_at),
        report_made_at=made_at, report_due_at=made_at + dt.timedelta(hours=rule.report_hours),
        class_size=size.count())


def evaluate_disease_rules(*, actor, disease: str, day: dt.date, school_class=None) -> list[OutbreakAlert]:
    """The disease's reporting rules over the window ending `day`: a class rule counts the cases of
    the class, a kindergarten rule those of the kindergarten."""
    kg = actor.kindergarten
    fired = []
    names = rules.diseases()
    for rule in rules.outbreak_rules(kg):
        if rule.disease != disease:
            continue
        if rule.scope == "class" and school_class is None:
            continue
        start = day - dt.timedelta(days=rule.window_days - 1)
        cases = DiseaseCase.objects.active().filter(kindergarten=kg, disease=disease, onset_date__gte=start,
                                                    onset_date__lte=day).select_related("child", "staff",
                                                                                        "school_class")
        if rule.scope == "class":
            cases = cases.filter(school_class=school_class)
        cases = list(cases)
        if rule.scope == "classes":  # so many classes with at least `per_class` cases each
            per: dict[int, int] = {}
            for c in cases:
                if c.school_class_id:
                    per[c.school_class_id] = per.get(c.school_class_id, 0) + 1
            hit = {cid for cid, n in per.items() if n >= max(rule.per_class, 1)}
            if len(hit) < rule.threshold:
                continue
            cases = [c for c in cases if c.school_class_id in hit]
            desc = [f"{c.person_name}（{c.school_class.name}），{names[c.disease].name}，{_('onset')} "
                    f"{c.onset_date.isoformat()}" for c in cases]
            fired.append(_fire(actor=actor, kg=kg, rule=rule, school_class=None, day=day, count=len(hit),
                               cases_desc=desc))
            continue
        if len(cases) >= rule.threshold:
            desc = [f"{c.person_name}（{c.school_class.name if c.school_class else _('staff')}），"
                    f"{names[c.disease].name}，{_('onset')} {c.onset_date.isoformat()}" for c in cases]
            fired.append(_fire(actor=actor, kg=kg, rule=rule, school_class=school_class if rule.scope == "class" else None,
                               day=day, count=len(cases), cases_desc=desc))
    return fired


def evaluate_symptom_rules(*, actor, school_class, day: dt.date) -> list[OutbreakAlert]:
    """Similar symptoms in one class (sick leave with symptoms and check findings), per the
    reporting criteria: children with the same symptom within the window."""
    kg = actor.kindergarten
    fired = []
    symptom_rules = [r for r in rules.outbreak_rules(kg) if not r.disease and r.scope == "class"]
    if not symptom_rules:
        return fired
    widest = max(r.window_days for r in symptom_rules)
    start = day - dt.timedelta(days=widest - 1)
    seen: dict[str, dict[int, dt.date]] = {}  # symptom → {child_id: latest day}
    for child_id, date, text in (Attendance.objects.filter(school_class=school_class, date__gte=start, date__lte=day,
                                                           status=AttendanceStatus.SICK).exclude(symptoms="")
                                 .values_list("child_id", "date", "symptoms")):
        for s in text.split(","):
            if s in SYMPTOMS:
                seen.setdefault(s, {})[child_id] = max(date, seen.get(s, {}).get(child_id, date))
    for child_id, date, found in (CheckFinding.objects.filter(school_class=school_class, date__gte=start, date__lte=day,
                                                              is_abnormal=True)
                                  .values_list("child_id", "date", "findings")):
        for s in found or []:
            if s in SYMPTOMS:
                seen.setdefault(s, {})[child_id] = max(date, seen.get(s, {}).get(child_id, date))
    labels = dict(Finding.choices)
    for rule in symptom_rules:
        rule_start = day - dt.timedelta(days=rule.window_days - 1)
        for symptom, children in seen.items():
            hits = [cid for cid, d in children.items() if d >= rule_start]
            if len(hits) >= rule.threshold:
                names = dict(Child.objects.filter(pk__in=hits).values_list("pk", "name"))
                desc = [f"{names.get(cid, '')}（{school_class.name}），{labels[symptom]}" for cid in hits]
                fired.append(_fire(actor=actor, kg=kg, rule=rule, school_class=school_class, day=day, count=len(hits),
                                   cases_desc=desc, symptom=symptom))
    return fired


@transaction.atomic
def alert_intensify(*, actor, alert: OutbreakAlert, until: dt.date) -> OutbreakAlert:
    """Intensified disinfection while the rule is active: the class (or every class) is expected to
    record disinfection of every area each day until `until`."""
    _require(actor, "health.disease.manage", alert)
    if until < today():
        raise DomainError(_("The intensified schedule must end today or later."))
    alert.intensified_until = until
    alert.save(update_fields=["intensified_until", "updated_at"])
    return alert


@transaction.atomic
def alert_notify_parents(*, actor, alert: OutbreakAlert, title: str = "", body: str = ""):
    """A disease notice to the parents of the class (or of the kindergarten)."""
    from houqin.notices.models import NoticeKind
    from houqin.notices.services import publish_notice

    _require(actor, "health.disease.manage", alert)
    names = rules.diseases()
    disease = names[alert.disease].name if alert.disease in names else dict(Finding.choices).get(alert.symptom, "")
    title = title or _("Health notice: %(disease)s") % {"disease": disease}
    body = body or _(
        "Dear parents, cases of %(disease)s have occurred in the kindergarten. We have intensified disinfection and "
        "morning checks. Please check your child every morning (temperature, mouth, hands and feet); if your child has "
        "symptoms keep them at home, see a doctor and tell the class teacher. A child who has been ill returns with a "
        "return clearance from the doctor.") % {"disease": disease}
    notice = publish_notice(kindergarten=actor.kindergarten, user=actor.user, title=title, body=body,
                            kind=NoticeKind.DISEASE, classes=[alert.school_class] if alert.school_class else (),
                            source=f"health.outbreak:{alert.code}")
    alert.notice_code = str(notice.code)
    alert.save(update_fields=["notice_code", "updated_at"])
    return notice


@transaction.atomic
def alert_reported(*, actor, alert: OutbreakAlert, reported_to: str) -> OutbreakAlert:
    """The report was made by other means (the 疾控's own system, a phone call): to whom, now."""
    _require(actor, "health.disease.manage", alert)
    alert = OutbreakAlert.objects.select_for_update().get(pk=alert.pk)
    if not (reported_to or "").strip():
        raise DomainError(_("Say to whom the report was made."))
    move(alert, AlertStatus.REPORTED, ALERT_TRANSITIONS)
    alert.reported_at, alert.reported_to = timezone.now(), reported_to.strip()[:100]
    alert.save()
    return alert


PHONE_CHARS = set("0123456789-+ ")


def district_report_text(alert: OutbreakAlert) -> str:
    """What the district reads (the fields a 疾控 report needs): no child's name — the class, the
    cases with onset dates and symptoms, the measures, the reporter, discovery and report times."""
    names = rules.diseases()
    cases = []
    if alert.disease:
        qs = DiseaseCase.objects.active().filter(kindergarten_id=alert.kindergarten_id, disease=alert.disease,
                                                 onset_date__gte=alert.window_start, onset_date__lte=alert.window_end)
        if alert.school_class_id:
            qs = qs.filter(school_class_id=alert.school_class_id)
        for i, c in enumerate(qs.select_related("school_class").order_by("onset_date", "pk"), 1):
            what = names[c.disease].name if c.disease in names else c.disease
            cls = c.school_class.name if c.school_class_id else _("staff")
            cases.append(f"  {i}. {cls}，{what}，{_('onset')} {c.onset_date.isoformat()}"
                         + (f"，{c.diagnosis_note}" if c.diagnosis_note else ""))
    else:
        symptom = dict(Finding.choices).get(alert.symptom, alert.symptom)
        label = _("Similar symptom")
        cases.append(f"  {label}：{symptom}，{alert.case_count}")
    local = timezone.localtime
    lines = [
        _("Report of infectious disease: %(rule)s") % {"rule": alert.rule_name},
        _("Kindergarten: %(kg)s") % {"kg": alert.kindergarten.name},
        _("Class: %(cls)s (%(n)s children)") % {"cls": alert.school_class.name if alert.school_class_id else
                                               _("whole kindergarten"), "n": alert.class_size or "—"},
        _("Period: %(start)s to %(end)s") % {"start": alert.window_start.isoformat(), "end": alert.window_end.isoformat()},
        _("Cases: %(n)d") % {"n": alert.case_count}, *cases,
        _("Measures taken: %(m)s") % {"m": alert.measures},
        _("Reporter: %(name)s, phone %(phone)s") % {"name": alert.reporter_name, "phone": alert.reporter_phone},
        _("Discovered at: %(at)s") % {"at": local(alert.report_made_at).strftime("%Y-%m-%d %H:%M")},
        _("Reported at: %(at)s") % {"at": local(alert.reported_at).strftime("%Y-%m-%d %H:%M")},
    ]
    return "\n".join(lines)


@transaction.atomic
def alert_send_report(*, actor, alert: OutbreakAlert, measures: str, reporter_name: str, reporter_phone: str,
                      class_size=None) -> OutbreakAlert:
    """Send the report to the district (the supervisor sees it and acknowledges): the measures, the
    reporter and phone; the time from discovery (the rule fired) to the report is kept."""
    _require(actor, "health.disease.manage", alert)
    alert = (OutbreakAlert.objects.select_for_update(of=("self",))  # school_class is nullable: lock the alert only
             .select_related("kindergarten", "school_class").get(pk=alert.pk))
    errors = []
    measures, reporter_name = (measures or "").strip(), (reporter_name or "").strip()
    phone = (reporter_phone or "").strip()
    if not measures:
        errors.append({"field": "measures", "message": _("Write the measures taken.")})
    if not reporter_name:
        errors.append({"field": "reporter_name", "message": _("Give the reporter's name.")})
    if not phone:
        errors.append({"field": "reporter_phone", "message": _("Give the reporter's phone: the district calls back.")})
    elif not set(phone) <= PHONE_CHARS or sum(ch.isdigit() for ch in phone) < 7:
        errors.append({"field": "reporter_phone", "message": _("The phone number is not valid.")})
    if class_size not in (None, ""):
        try:
            class_size = int(class_size)
            if class_size < alert.case_count or class_size > 2000:
                raise ValueError
        except (TypeError, ValueError):
            errors.append({"field": "class_size", "message": _("The number of children is not valid.")})
    if errors:
        raise DomainError(errors[0]["message"], errors=errors)
    if alert.kindergarten.district_id is None:
        raise DomainError(_("The kindergarten belongs to no district: report by other means."))
    move(alert, AlertStatus.REPORTED, ALERT_TRANSITIONS)
    alert.measures, alert.reporter_name, alert.reporter_phone = measures[:2000], reporter_name[:60], phone[:30]
    if class_size not in (None, ""):
        alert.class_size = class_size
    alert.reported_at = timezone.now()
    alert.reported_to = alert.kindergarten.district.name[:100]
    alert.district_report = district_report_text(alert)
    alert.save()
    return alert


@transaction.atomic
def alert_acknowledge(*, actor, alert: OutbreakAlert) -> OutbreakAlert:
    """The district supervisor acknowledges a report of one of the district's kindergartens."""
    _require(actor, "health.report.acknowledge")
    alert = OutbreakAlert.objects.select_for_update().select_related("kindergarten").get(pk=alert.pk)
    if actor.district is None or alert.kindergarten.district_id != actor.district.pk or not alert.district_report:
        raise NotFound()
    move(alert, AlertStatus.ACKNOWLEDGED, ALERT_TRANSITIONS)
    alert.acknowledged_at, alert.acknowledged_by = timezone.now(), actor.user
    alert.save()
    return alert


@transaction.atomic
def alert_close(*, actor, alert: OutbreakAlert) -> OutbreakAlert:
    _require(actor, "health.disease.manage", alert)
    alert = OutbreakAlert.objects.select_for_update().get(pk=alert.pk)
    move(alert, AlertStatus.CLOSED, ALERT_TRANSITIONS)
    alert.save(update_fields=["status", "updated_at"])
    return alert


@transaction.atomic
def closure_create(*, actor, school_class, start: dt.date, planned_end: dt.date, reason: str, alert=None
                   ) -> ClassClosure:
    _require(actor, "health.disease.manage", school_class)
    if planned_end < start:
        raise DomainError(_("The planned reopening cannot be before the start."))
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for the closure."))
    if ClassClosure.objects.active().filter(school_class=school_class, reopened_on__isnull=True,
                                            start__lte=planned_end, planned_end__gte=start).exists():
        raise DomainError(_("%(cls)s is already closed in this period.") % {"cls": school_class.name})
    closure = ClassClosure.objects.create(kindergarten=actor.kindergarten, created_by=actor.user,
                                          school_class=school_class, start=start, planned_end=planned_end,
                                          reason=reason.strip()[:200], alert=alert)
    closure.children.set(Child.objects.active().filter(school_class=school_class, left_on__isnull=True))
    return closure


@transaction.atomic
def closure_reopen(*, actor, closure: ClassClosure, on: dt.date) -> ClassClosure:
    _require(actor, "health.disease.manage", closure)
    if closure.reopened_on:
        raise DomainError(_("This class has already reopened."))
    if on < closure.start:
        raise DomainError(_("A class cannot reopen before it closed."))
    closure.reopened_on = on
    closure.save()
    return closure


# --- exams and growth -----------------------------------------------------------------------------

EXAM_FIELDS = ("height_cm", "weight_kg", "vision_left", "vision_right", "caries", "haemoglobin", "other_findings")


def _validate_exam(*, kg, child, day, values: dict, last_height, figs) -> tuple[dict, list[dict]]:
    """The cleaned values of one exam, or the errors (field, message)."""
    errors = []
    cleaned = {}

    def bad(field, message):
        errors.append({"field": field, "message": message})

    if day is None:
        bad("date", _("Enter the exam date."))
    elif day < child.birth_date:
        bad("date", _("The exam date %(date)s is before the child's birth.") % {"date": day.isoformat()})
    elif day > today():
        bad("date", _("The exam date cannot be in the future."))
    limits = {"height_cm": (Decimal("45"), Decimal("200")), "weight_kg": (Decimal("2"), Decimal("150")),
              "vision_left": (Decimal("3.0"), Decimal("5.3")), "vision_right": (Decimal("3.0"), Decimal("5.3")),
              "caries": (0, 20), "haemoglobin": (40, 250)}
    labels = {"height_cm": _("Height"), "weight_kg": _("Weight"), "vision_left": _("Vision, left"),
              "vision_right": _("Vision, right"), "caries": _("Caries"), "haemoglobin": _("Haemoglobin")}
    for field, (low, high) in limits.items():
        raw = values.get(field)
        if raw in (None, ""):
            if field in ("height_cm", "weight_kg"):
                bad(field, _("%(field)s is required.") % {"field": labels[field]})
            cleaned[field] = None
            continue
        try:
            v = Decimal(str(raw).strip())
        except (InvalidOperation, ValueError):
            v = None
        if v is None or not v.is_finite():  # "nan", "inf", "-Infinity": not a measurement
            bad(field, _("%(field)s is not a number.") % {"field": labels[field]})
            continue
        if v < low or v > high:
            bad(field, _("%(field)s must be between %(low)s and %(high)s.") % {"field": labels[field], "low": low,
                                                                              "high": high})
            continue
        cleaned[field] = int(v) if field in ("caries", "haemoglobin") else v.quantize(Decimal("0.1"))
    h = cleaned.get("height_cm")
    error_cm = figs["exam.height_error_cm"].value
    if h is not None and last_height is not None and h < last_height - error_cm:
        bad("height_cm", _("The height %(h)s cm is lower than the last one (%(last)s cm) by more than the measurement "
                           "error of %(err)s cm: measure again.") % {"h": h, "last": last_height, "err": error_cm})
    cleaned["other_findings"] = (values.get("other_findings") or "")[:200]
    return cleaned, errors


def growth_standard_of(kindergarten) -> str:
    """The kindergarten's growth standard (WS/T 423-2022 unless it chose WHO)."""
    row = HealthSettings.objects.filter(kindergarten=kindergarten).first()
    return row.growth_standard if row else rules.default_growth_standard()


@transaction.atomic
def standard_set(*, actor, standard: str) -> HealthSettings:
    """Choose the kindergarten's growth standard. Exams already assessed keep theirs until
    re-assessed on demand (exam_reassess): never silently."""
    _require(actor, "health.settings")
    if rules.growth_standard(standard) is None:
        raise DomainError(_("Choose a growth standard."), errors=[{"field": "standard", "message": _("Required.")}])
    row, _created = HealthSettings.objects.update_or_create(
        kindergarten=actor.kindergarten, defaults={"growth_standard": standard, "created_by": actor.user})
    return row


def _assess_into(exam: Exam, *, child, standard, figs) -> Exam:
    """Fill the exam's assessment (z-scores, results, anaemia, poor vision, caries) by `standard`."""
    a = growth.assess(sex=child.sex, birth_date=child.birth_date, on=exam.date, height_cm=exam.height_cm,
                      weight_kg=exam.weight_kg, cutoffs=figs, standard=standard)
    exam.age_days, exam.bmi, exam.waz, exam.haz, exam.whz, exam.bmiz = a.age_days, a.bmi, a.waz, a.haz, a.whz, a.bmiz
    exam.results, exam.standard = a.results, standard
    exam.anaemia = judgements.anaemic(exam.haemoglobin, age_days=a.age_days, figs=figs)
    exam.poor_vision = judgements.poor_vision(exam.vision_left, exam.vision_right, age_days=a.age_days, figs=figs)
    exam.has_caries = judgements.has_caries(exam.caries, figs=figs)
    return exam


def _exam_row(*, actor, child, day, kind, cleaned, figs, standard) -> Exam:
    exam = Exam(kindergarten=actor.kindergarten, created_by=actor.user, child=child,
                school_class_id=child.school_class_id, date=day, kind=kind, **cleaned)
    return _assess_into(exam, child=child, standard=standard, figs=figs)


def _last_heights(child_ids, before: dt.date) -> dict[int, Decimal]:
    result = {}
    for child_id, h in (Exam.objects.active().filter(child_id__in=child_ids, date__lte=before)
                        .order_by("child_id", "date", "pk").values_list("child_id", "height_cm")):
        result[child_id] = h  # ordered by date: the last one wins
    return result


def _open_weak_cases(exams: list[Exam], actor) -> None:
    """Flag weak children: malnutrition, stunting, obesity, anaemia (one open case per reason)."""
    wanted = []
    for e in exams:
        reasons = set()
        if {"underweight", "wasting"} & set(e.results):
            reasons.add(WeakReason.MALNUTRITION)
        if "stunting" in e.results:
            reasons.add(WeakReason.STUNTING)
        if "obesity" in e.results:
            reasons.add(WeakReason.OBESITY)
        if e.anaemia:
            reasons.add(WeakReason.ANAEMIA)
        wanted.extend((e, r) for r in reasons)
    if not wanted:
        return
    open_ = set(WeakChildCase.objects.active().filter(child_id__in={e.child_id for e, _r in wanted},
                                                      closed_on__isnull=True).values_list("child_id", "reason"))
    new = [WeakChildCase(kindergarten=actor.kindergarten, created_by=actor.user, child_id=e.child_id,
                         school_class_id=e.school_class_id, reason=r, exam=e, opened_on=e.date)
           for e, r in wanted if (e.child_id, r) not in open_]
    bulk_create_with_history(new, WeakChildCase, default_user=actor.user)


def _open_corrections(exams: list[Exam], actor, figs) -> None:
    """Anaemia, poor vision and caries found at an exam open a correction follow-up (矫治) with a
    re-check date, one open per child and condition; a later exam re-checks the open ones: still
    found, the next re-check is due; measured and normal, the follow-up is resolved."""
    conditions = ((CorrectionKind.ANAEMIA, "anaemia", "haemoglobin"), (CorrectionKind.VISION, "poor_vision", "vision_left"),
                  (CorrectionKind.CARIES, "has_caries", "caries"))
    open_ = {(c.child_id, c.kind): c for c in Correction.objects.active().filter(
        child_id__in={e.child_id for e in exams}, resolved_on__isnull=True)}
    new, checks, changed = [], [], []
    for e in sorted(exams, key=lambda x: (x.date, x.pk or 0)):
        for kind, flag, measured in conditions:
            found = getattr(e, flag)
            days = int(figs[f"correction.{kind}.recheck_days"].value)
            current = open_.get((e.child_id, kind))
            if current is not None and current.exam_id != e.pk and e.date >= current.opened_on:
                if found:
                    current.next_check_on = e.date + dt.timedelta(days=days)
                    checks.append(CorrectionCheck(kindergarten=actor.kindergarten, created_by=actor.user,
                                                  correction=current, date=e.date, exam=e,
                                                  result=str(_("Still found at the exam."))))
                    changed.append(current)
                elif getattr(e, measured) is not None:
                    current.resolved_on, current.next_check_on = e.date, None
                    current.outcome = str(_("Normal at the exam of %(date)s.") % {"date": e.date.isoformat()})
                    checks.append(CorrectionCheck(kindergarten=actor.kindergarten, created_by=actor.user,
                                                  correction=current, date=e.date, exam=e, resolved=True,
                                                  result=str(_("Normal at the exam."))))
                    changed.append(current)
                    del open_[(e.child_id, kind)]
            elif current is None and found:
                c = Correction(kindergarten=actor.kindergarten, created_by=actor.user, child_id=e.child_id,
                               school_class_id=e.school_class_id, kind=kind, exam=e, opened_on=e.date,
                               next_check_on=e.date + dt.timedelta(days=days))
                new.append(c)
                open_[(e.child_id, kind)] = c
    for c in {id(c): c for c in changed}.values():
        if c.pk:
            c.save()
    if new:
        bulk_create_with_history(new, Correction, default_user=actor.user)
    for check in checks:
        check.correction_id = check.correction.pk
    if checks:
        bulk_create_with_history(checks, CorrectionCheck, default_user=actor.user)


@transaction.atomic
def correction_recheck(*, actor, correction: Correction, day: dt.date, result: str, resolved: bool = False
                       ) -> Correction:
    """A re-check of a correction follow-up by the health teacher (e.g. the dentist's filling, new
    glasses): the next re-check is due after the rule's interval, or the follow-up is resolved."""
    _require(actor, "health.exam.record", correction)
    if correction.resolved_on or correction.voided_at:
        raise DomainError(_("This follow-up is closed."))
    errors = []
    if day is None:
        errors.append({"field": "date", "message": _("Enter the date.")})
    elif day > today():
        errors.append({"field": "date", "message": _("The date cannot be in the future.")})
    elif day < correction.opened_on:
        errors.append({"field": "date", "message": _("The re-check cannot be before the condition was found.")})
    if not (result or "").strip():
        errors.append({"field": "result", "message": _("Write the result of the re-check.")})
    if errors:
        raise DomainError(errors[0]["message"], errors=errors)
    CorrectionCheck.objects.create(kindergarten=actor.kindergarten, created_by=actor.user, correction=correction,
                                   date=day, result=result.strip()[:200], resolved=resolved)
    if resolved:
        correction.resolved_on, correction.next_check_on, correction.outcome = day, None, result.strip()[:200]
    else:
        days = int(rules.figures(actor.kindergarten)[f"correction.{correction.kind}.recheck_days"].value)
        correction.next_check_on = day + dt.timedelta(days=days)
    correction.save()
    return correction


def _exam_saved_once(save) -> None:
    """Run `save` (the writes of exams); the database keeps one active exam of a kind per child and day
    (constraint exam_one_per_child_day_kind): the same exam recorded meanwhile by another submission
    is refused with a message, nothing saved."""
    try:
        with transaction.atomic():
            save()
    except IntegrityError as exc:
        raise Conflict(_("Nothing was saved: the same exam was recorded meanwhile (the file or the table was "
                         "submitted twice). Open the exams and check.")) from exc


def _existing_exams(child_days: list[tuple[int, dt.date]], kind: str) -> dict[tuple[int, dt.date], Exam]:
    """The active exams of these children on these days (the same exam recorded again)."""
    if not child_days:
        return {}
    rows = Exam.objects.active().filter(child_id__in={c for c, _d in child_days}, date__in={d for _c, d in child_days},
                                        kind=kind)
    wanted = set(child_days)
    return {(e.child_id, e.date): e for e in rows if (e.child_id, e.date) in wanted}


@transaction.atomic
def exam_record(*, actor, child, day: dt.date, kind: str = ExamKind.TERM, **values) -> Exam:
    """One child's exam with its growth assessment. Bad values: a clear message, nothing saved."""
    _require(actor, "health.exam.record", child)
    if kind not in ExamKind.values:
        raise DomainError(_("Unknown exam."))
    figs = rules.figures(actor.kindergarten)
    cleaned, errors = _validate_exam(kg=actor.kindergarten, child=child, day=day, values=values,
                                     last_height=_last_heights([child.pk], day).get(child.pk) if day else None,
                                     figs=figs)
    if not errors and _existing_exams([(child.pk, day)], kind):
        errors.append({"field": "date", "message": _("%(name)s already has this exam on %(date)s.") % {
            "name": child.name, "date": day.isoformat()}})
    if errors:
        raise DomainError(errors[0]["message"], errors=errors)
    exam = _exam_row(actor=actor, child=child, day=day, kind=kind, cleaned=cleaned, figs=figs,
                     standard=growth_standard_of(actor.kindergarten))
    _exam_saved_once(exam.save)
    _open_weak_cases([exam], actor)
    _open_corrections([exam], actor, figs)
    return exam


@transaction.atomic
def exam_batch(*, actor, day: dt.date, kind: str, rows: list[dict], source_rows: list[int] | None = None,
               update_existing: bool = False) -> list[Exam]:
    """Exams of many children (a class table or an import): all or nothing. `rows`: {child, values}.
    A child who already has this exam on that day is refused (the row says so and nothing is saved),
    unless `update_existing`: then that exam's values are replaced and it is re-assessed.
    Raises DomainError listing every row's problem."""
    from houqin.core.errors import RowError

    _require(actor, "health.exam.record")
    if kind not in ExamKind.values:
        raise DomainError(_("Unknown exam."))
    # one batch at a time per kindergarten, so that a file submitted twice at once cannot pass the
    # "already recorded" check twice (the constraint is the last guard)
    Kindergarten.objects.select_for_update(no_key=True).filter(pk=actor.kindergarten.pk).first()
    children = [r["child"] for r in rows]
    allowed = set(policy.scoped(actor, "health.exam.record", Child.objects.filter(pk__in=[c.pk for c in children]))
                  .values_list("pk", flat=True))
    figs = rules.figures(actor.kindergarten)
    standard = growth_standard_of(actor.kindergarten)
    existing = _existing_exams([(r["child"].pk, r.get("date") or day) for r in rows if (r.get("date") or day)], kind)
    last = _last_heights([c.pk for c in children], day) if day else {}
    exams, updated, problems = [], [], []
    for index, r in enumerate(rows):
        child = r["child"]
        number = source_rows[index] if source_rows else index + 1
        if child.pk not in allowed:
            problems.append(RowError(row=number, column="", message=str(_("Not found."))).as_dict())
            continue
        exam_day = r.get("date") or day
        old = existing.get((child.pk, exam_day))
        cleaned, errors = _validate_exam(kg=actor.kindergarten, child=child, day=exam_day, values=r["values"],
                                         last_height=None if old else last.get(child.pk), figs=figs)
        if old is not None and not update_existing:
            errors.append({"field": "date", "message": _("already has this exam on %(date)s (recorded before).") % {
                "date": exam_day.isoformat()}, "code": "exists"})
        for e in errors:
            problems.append(RowError(row=number, column=e["field"], message=f"{child.name}：{e['message']}",
                                     code=e.get("code", "invalid")).as_dict())
        if errors:
            continue
        if old is not None:
            for k, v in cleaned.items():
                setattr(old, k, v)
            updated.append(_assess_into(old, child=child, standard=standard, figs=figs))
        else:
            exams.append(_exam_row(actor=actor, child=child, day=exam_day, kind=kind, cleaned=cleaned, figs=figs,
                                   standard=standard))
    if problems:
        exists = sorted({p["row"] for p in problems if p["code"] == "exists"})
        if exists and len(exists) == len({p["row"] for p in problems}):
            raise DomainError(_("Nothing was saved: %(n)d rows are exams already recorded (rows %(rows)s). Submit "
                                "again with \"update existing exams\" to replace their values.") % {
                "n": len(exists), "rows": "、".join(str(n) for n in exists)}, errors=problems)
        raise DomainError(_("Nothing was saved: %(n)d rows have problems.") % {"n": len({p['row'] for p in problems})},
                          errors=problems)
    if not exams and not updated:
        raise DomainError(_("Enter at least one child's height and weight."))
    created = []

    def save():
        for e in updated:
            e.save()
        if exams:
            created.extend(bulk_create_with_history(exams, Exam, default_user=actor.user))

    _exam_saved_once(save)
    result = list(Exam.objects.filter(pk__in=[e.pk for e in updated]).order_by("pk"))
    if created:
        result += list(Exam.objects.filter(child_id__in=[e.child_id for e in created],
                                           date__in={e.date for e in created}, kind=kind, voided_at__isnull=True)
                       .exclude(pk__in=[e.pk for e in updated]).order_by("pk"))
    _open_weak_cases(result, actor)
    _open_corrections(result, actor, figs)
    return result


IMPORT_COLUMNS = ("班级", "姓名", "体检日期", "身高", "体重", "左眼视力", "右眼视力", "龋齿", "血红蛋白", "其他")
IMPORT_OPTIONAL = frozenset({"体检日期", "左眼视力", "右眼视力", "龋齿", "血红蛋白", "其他"})


def exam_import(*, actor, upload, day: dt.date, kind: str = ExamKind.TERM, update_existing: bool = False
                ) -> list[Exam]:
    """The clinic's .xlsx (班级, 姓名, 身高, 体重, …): every row checked, all or nothing. A file
    submitted again is refused row by row ("already recorded") unless `update_existing`."""
    from houqin.core.spreadsheets import (
        BadValue,
        ImportRejected,
        Problems,
        cell_text,
        load_table,
        match_key,
        parse_date,
        read_upload,
    )

    _require(actor, "health.exam.record")
    table = load_table(read_upload(upload), IMPORT_COLUMNS, IMPORT_OPTIONAL)
    children = {}
    for c in (policy.scoped(actor, "health.exam.record", Child.objects.active().filter(left_on__isnull=True))
              .select_related("school_class")):
        children.setdefault((match_key(c.school_class.name), match_key(c.name)), []).append(c)
    problems = Problems(table.sheet)
    rows, numbers = [], []
    seen = set()
    for row in table.rows:
        v = row.values
        key = (match_key(cell_text(v.get("班级"))), match_key(cell_text(v.get("姓名"))))
        found = children.get(key, [])
        if len(found) != 1:
            problems.add(row.number, "姓名", "unknown_child",
                         _("No child %(name)s in class %(cls)s.") % {"name": key[1], "cls": key[0]} if not found
                         else _("Two children are called %(name)s in %(cls)s.") % {"name": key[1], "cls": key[0]})
            continue
        if found[0].pk in seen:
            problems.add(row.number, "姓名", "duplicate", _("%(name)s appears twice.") % {"name": key[1]})
            continue
        seen.add(found[0].pk)
        try:
            exam_day = parse_date(v.get("体检日期"), table.epoch) or day
        except BadValue as exc:
            problems.add(row.number, "体检日期", exc.code, exc.message)
            continue
        rows.append({"child": found[0], "date": exam_day, "values": {
            "height_cm": cell_text(v.get("身高")), "weight_kg": cell_text(v.get("体重")),
            "vision_left": cell_text(v.get("左眼视力")), "vision_right": cell_text(v.get("右眼视力")),
            "caries": cell_text(v.get("龋齿")), "haemoglobin": cell_text(v.get("血红蛋白")),
            "other_findings": cell_text(v.get("其他"))}})
        numbers.append(row.number)
    if problems:
        raise problems.reject()
    try:
        return exam_batch(actor=actor, day=day, kind=kind, rows=rows, source_rows=numbers,
                          update_existing=update_existing)
    except DomainError as exc:
        if exc.errors:
            columns = {"date": "体检日期", "height_cm": "身高", "weight_kg": "体重", "vision_left": "左眼视力",
                       "vision_right": "右眼视力", "caries": "龋齿", "haemoglobin": "血红蛋白"}
            for e in exc.errors:
                problems.add(e["row"], columns.get(e["column"], e["column"]), e.get("code", "invalid"), e["message"])
            rejected = problems.reject()
            if any(e.get("code") == "exists" for e in exc.errors):  # the file was submitted before: say so
                rejected = ImportRejected(exc.message, rejected.errors)
            raise rejected from None
        raise


@transaction.atomic
def exam_reassess(*, actor, start: dt.date | None = None, end: dt.date | None = None) -> int:
    """Re-assess, by the kindergarten's current growth standard, the exams (of the period) that were
    assessed by another one: the action taken on demand after changing the standard. Returns how many."""
    from simple_history.utils import bulk_update_with_history

    _require(actor, "health.exam.record")
    standard = growth_standard_of(actor.kindergarten)
    figs = rules.figures(actor.kindergarten)
    qs = policy.scoped(actor, "health.exam.record", Exam.objects.active()).exclude(standard=standard)
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    exams = [_assess_into(e, child=e.child, standard=standard, figs=figs) for e in qs.select_related("child")]
    if exams:
        bulk_update_with_history(exams, Exam, ["age_days", "bmi", "waz", "haz", "whz", "bmiz", "results", "standard",
                                               "anaemia", "poor_vision", "has_caries", "updated_at"],
                                 default_user=actor.user, batch_size=500)
    return len(exams)


@transaction.atomic
def exam_void(*, actor, exam: Exam, reason: str) -> Exam:
    _require(actor, "health.exam.record", exam)
    return exam.locked().void(actor=actor, reason=reason)


@transaction.atomic
def weak_case_open(*, actor, child, reason: str, plan: str = "", opened_on: dt.date | None = None) -> WeakChildCase:
    _require(actor, "health.exam.record", child)
    if reason not in WeakReason.values:
        raise DomainError(_("Choose the reason."))
    if WeakChildCase.objects.active().filter(child=child, reason=reason, closed_on__isnull=True).exists():
        raise DomainError(_("This child already has an open case for this reason."))
    return WeakChildCase.objects.create(kindergarten=actor.kindergarten, created_by=actor.user, child=child,
                                        school_class=child.school_class, reason=reason, plan=plan,
                                        opened_on=opened_on or today())


@transaction.atomic
def weak_case_update(*, actor, case: WeakChildCase, plan: str = "", follow_up: str = "", day: dt.date | None = None,
                     close_outcome: str = "") -> WeakChildCase:
    _require(actor, "health.exam.record", case)
    if case.closed_on:
        raise DomainError(_("This case is closed."))
    if plan:
        case.plan = plan
    if follow_up:
        WeakChildFollowUp.objects.create(kindergarten=actor.kindergarten, created_by=actor.user, case=case,
                                         date=day or today(), note=follow_up[:300])
    if close_outcome:
        case.closed_on, case.outcome = day or today(), close_outcome[:200]
    if not (plan or follow_up or close_outcome):
        raise DomainError(_("Write a plan, a follow-up or the outcome."))
    case.save()
    return case


# --- vaccination ------------------------------------------------------------------------------------


def missing_doses(*, birth_date: dt.date, on: dt.date, given: set[tuple[str, int]]) -> list[rules.Dose]:
    """The schedule's doses due by `on` (the recommended age reached) and not recorded. Of two
    alternative vaccines (JE-L / JE-I, HepA-L / HepA-I) the one the child started counts, else the first."""
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month - (on.day < birth_date.day)
    schedule = rules.nip_schedule()
    chosen: dict[str, str] = {}
    for dose in schedule:
        if dose.group and dose.group not in chosen:
            started = [d.vaccine for d in schedule if d.group == dose.group and (d.vaccine, d.dose_no) in given]
            chosen[dose.group] = started[0] if started else dose.vaccine
    return [d for d in schedule if d.age_months <= months and (not d.group or chosen[d.group] == d.vaccine)
            and (d.vaccine, d.dose_no) not in given]


@transaction.atomic
def vaccination_check(*, actor, child, checked_on: dt.date, doses: list[tuple[str, int, dt.date | None]],
                      certificate_seen: bool = True, note: str = "") -> VaccinationCheck:
    """Check the certificate: record its doses, list the missing ones and open their catch-up."""
    _require(actor, "health.vaccination.record", child)
    if checked_on > today():
        raise DomainError(_("The check date cannot be in the future."))
    known = {(d.vaccine, d.dose_no) for d in rules.nip_schedule()}
    given_new = []
    for vaccine, dose_no, given_on in doses:
        if (vaccine, int(dose_no)) not in known:
            raise DomainError(_("Unknown dose: %(v)s %(n)s") % {"v": vaccine, "n": dose_no})
        if given_on and (given_on < child.birth_date or given_on > checked_on):
            raise DomainError(_("A dose date must lie between birth and the check."))
        given_new.append((vaccine, int(dose_no), given_on))
    have = set(VaccinationDose.objects.active().filter(child=child).values_list("vaccine", "dose_no"))
    VaccinationDose.objects.bulk_create([
        VaccinationDose(kindergarten=actor.kindergarten, created_by=actor.user, child=child, vaccine=v, dose_no=n,
                        given_on=g) for v, n, g in given_new if (v, n) not in have])
    given = have | {(v, n) for v, n, _g in given_new}
    missing = missing_doses(birth_date=child.birth_date, on=checked_on, given=given) if certificate_seen else []
    check = VaccinationCheck.objects.create(kindergarten=actor.kindergarten, created_by=actor.user, child=child,
                                            school_class=child.school_class, checked_on=checked_on,
                                            certificate_seen=certificate_seen, missing=[d.key for d in missing],
                                            note=note[:200])
    pending = set(CatchUp.objects.filter(child=child).values_list("vaccine", "dose_no"))
    CatchUp.objects.bulk_create([CatchUp(kindergarten=actor.kindergarten, created_by=actor.user, child=child,
                                         check_record=check, vaccine=d.vaccine, dose_no=d.dose_no)
                                 for d in missing if (d.vaccine, d.dose_no) not in pending])
    return check


@transaction.atomic
def catch_up_done(*, actor, catch_up: CatchUp, done_on: dt.date) -> CatchUp:
    _require(actor, "health.vaccination.record", catch_up)
    catch_up = CatchUp.objects.select_for_update().get(pk=catch_up.pk)
    if catch_up.status == CatchUpStatus.DONE:
        raise DomainError(_("This catch-up dose is already recorded."))
    if done_on > today():
        raise DomainError(_("The date cannot be in the future."))
    catch_up.status, catch_up.done_on = CatchUpStatus.DONE, done_on
    catch_up.save()
    VaccinationDose.objects.get_or_create(
        child=catch_up.child, vaccine=catch_up.vaccine, dose_no=catch_up.dose_no, voided_at=None,
        defaults={"kindergarten": actor.kindergarten, "created_by": actor.user, "given_on": done_on,
                  "is_catch_up": True})
    return catch_up


@transaction.atomic
def remind_catch_up(*, actor, school_class=None) -> int:
    """A vaccination reminder to the parents of each child with pending catch-up doses."""
    from houqin.notices.models import NoticeKind
    from houqin.notices.services import publish_notice

    _require(actor, "health.vaccination.record")
    pending = policy.scoped(actor, "health.vaccination.record",
                            CatchUp.objects.filter(status=CatchUpStatus.PENDING)).select_related("child")
    if school_class is not None:
        pending = pending.filter(child__school_class=school_class)
    by_child: dict = {}
    for c in pending:
        by_child.setdefault(c.child, []).append(c)
    names = {d.key: f"{d.name}第{d.dose_no}剂" for d in rules.nip_schedule()}
    now = timezone.now()
    for child, items in by_child.items():
        doses = "、".join(names.get(f"{c.vaccine}-{c.dose_no}", c.vaccine) for c in items)
        publish_notice(kindergarten=actor.kindergarten, user=actor.user, kind=NoticeKind.VACCINATION,
                       title=_("Vaccination reminder for %(child)s") % {"child": child.name},
                       body=_("Dear parents, the vaccination certificate check found that %(child)s has not had: "
                              "%(doses)s. Please take your child to the vaccination clinic for the catch-up doses and "
                              "show the certificate to the health teacher afterwards.") % {"child": child.name,
                                                                                          "doses": doses},
                       children=[child], source=f"health.catch_up:{child.code}")
        CatchUp.objects.filter(pk__in=[c.pk for c in items]).update(reminded_at=now)
    return len(by_child)


# --- disinfection -----------------------------------------------------------------------------------


def intensified_on(kindergarten, school_class, day) -> bool:
    from django.db.models import Q

    return OutbreakAlert.objects.filter(kindergarten=kindergarten, intensified_until__gte=day,
                                        window_start__lte=day).filter(
        Q(school_class=school_class) | Q(school_class__isnull=True)).exclude(status=AlertStatus.CLOSED).exists()


@transaction.atomic
def disinfection_record(*, actor, school_class, day: dt.date, area: str, method: str, concentration_mg_l=None,
                        minutes=None, done_by=None) -> Disinfection:
    _require(actor, "health.disinfection.record", school_class)
    if day > today():
        raise DomainError(_("A record cannot be made for a future day."))
    if area not in DisinfectionArea.values or method not in DisinfectionMethod.values:
        raise DomainError(_("Choose the area and the method."))
    conc = _decimal(concentration_mg_l, "concentration_mg_l", _("Concentration"))
    if method == DisinfectionMethod.CHLORINE and not conc:
        raise DomainError(_("Record the concentration of the chlorine solution (mg/L)."),
                          errors=[{"field": "concentration_mg_l", "message": _("Required for chlorine.")}])
    if conc is not None and not (0 < conc <= 5000):
        raise DomainError(_("The concentration must be between 1 and 5000 mg/L."),
                          errors=[{"field": "concentration_mg_l", "message": _("Out of range.")}])
    return Disinfection.objects.create(
        kindergarten=actor.kindergarten, created_by=actor.user, school_class=school_class, date=day, area=area,
        method=method, concentration_mg_l=int(conc) if conc else None, minutes=minutes or None,
        done_by=done_by or actor.user, intensified=intensified_on(actor.kindergarten, school_class, day))

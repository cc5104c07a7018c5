"""The use cases of health care against the real database: checks and attendance, disease cases and
outbreak rules, exams and growth, vaccination, disinfection, rule figures; bad input changes nothing."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import Workbook

from django.http import Http404

from houqin.core import rules as core_rules
from houqin.core.errors import DomainError, Forbidden
from houqin.health import rules, selectors, services
from houqin.health.models import (
    AlertStatus,
    Attendance,
    CatchUp,
    CatchUpStatus,
    CheckFinding,
    CheckSession,
    DiagnosisSource,
    DiseaseCase,
    Disinfection,
    Exam,
    OutbreakAlert,
    WeakChildCase,
)
from houqin.health.tests.conftest import actor_of
from houqin.notices.models import Notice
from houqin.org.models import Role
from houqin.testing import ChildFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


@pytest.fixture
def health(world):
    return actor_of(world, Role.HEALTH_TEACHER)


@pytest.fixture
def teacher(world):
    return actor_of(world, Role.CLASS_TEACHER)


@pytest.fixture
def big_class(world):
    cls = world.k1.own_class
    for i in range(10):
        ChildFactory(school_class=cls, name=f"小朋友{i}", sex="M" if i % 2 else "F")
    return cls


def test_morning_check_marks_only_exceptions_and_writes_attendance(world, teacher, big_class):
    children = list(selectors.enrolled(today()).filter(school_class=big_class).order_by("pk"))
    assert len(children) == 12
    sick, feverish, away = children[0], children[1], children[2]
    session = services.record_check(actor=teacher, school_class=big_class, day=today(), entries={
        sick.pk: {"status": "sick", "symptoms": ["fever", "cough"]},
        feverish.pk: {"temperature": "38.2", "findings": ["sore_throat"], "action": "parent_called"},
        away.pk: {"status": "personal"},
    }, second_checker=world.k1.users[Role.NURSERY])
    assert session.checked_count == 10 and session.abnormal_count == 1
    assert session.second_checker == world.k1.users[Role.NURSERY]
    f = CheckFinding.objects.get()
    assert f.child == feverish and f.temperature == Decimal("38.2") and f.findings == ["fever", "sore_throat"]
    statuses = dict(Attendance.objects.values_list("child_id", "status"))
    assert len(statuses) == 12 and list(statuses.values()).count("present") == 10
    assert statuses[sick.pk] == "sick" and statuses[away.pk] == "personal"
    assert Attendance.objects.get(child=sick).symptoms == "fever,cough"
    # the canteen's contract: child-days present
    assert selectors.child_days(kindergarten=world.k1.kg, start=today(), end=today(), school_class=big_class) == 10
    assert selectors.days_by_child(kindergarten=world.k1.kg, start=today(), end=today())[sick.pk] == {"sick": 1}
    # submitting again replaces the exceptions, never duplicates
    services.record_check(actor=teacher, school_class=big_class, day=today(), entries={})
    assert CheckSession.objects.count() == 1 and CheckFinding.objects.count() == 0
    assert Attendance.objects.filter(status="present").count() == 12


def test_a_check_submitted_again_writes_only_what_changed_with_its_history(world, teacher, big_class):
    """The whole class sent again as it was (a second tap, a reload) writes no finding and no
    attendance; a changed child's finding is updated in place, a dropped one deleted, a new one
    created, each with its history row; the number of queries does not grow with the class."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    children = list(selectors.enrolled(today()).filter(school_class=big_class).order_by("pk"))
    entries = {c.pk: {"temperature": "36.6"} for c in children}
    entries[children[0].pk] = {"status": "sick", "symptoms": ["cough"]}

    def submit():
        with CaptureQueriesContext(connection) as ctx:
            services.record_check(actor=teacher, school_class=big_class, day=today(), entries=entries)
        return len(ctx.captured_queries)

    submit()
    findings = {f.child_id: f for f in CheckFinding.objects.all()}
    assert len(findings) == 11 and CheckFinding.history.count() == 11 and Attendance.history.count() == 12
    again = submit()
    assert {f.child_id: (f.pk, f.code, f.updated_at) for f in CheckFinding.objects.all()} == {
        k: (f.pk, f.code, f.updated_at) for k, f in findings.items()}
    assert CheckFinding.history.count() == 11 and Attendance.history.count() == 12
    # one child's temperature changed, one no longer sent (present and normal), the sick one back
    changed, dropped, back = children[1], children[2], children[0]
    entries[changed.pk] = {"temperature": "37.0", "note": "午睡后复测"}
    del entries[dropped.pk]
    entries[back.pk] = {"findings": ["cough"]}
    last = CheckFinding.history.order_by("-history_id").first().history_id
    submit()
    after = {f.child_id: f for f in CheckFinding.objects.all()}
    assert set(after) == set(findings) - {dropped.pk} | {back.pk}
    assert after[changed.pk].pk == findings[changed.pk].pk and after[changed.pk].temperature == Decimal("37.0")
    assert after[changed.pk].note == "午睡后复测" and after[changed.pk].updated_at > findings[changed.pk].updated_at
    kinds = list(CheckFinding.history.filter(history_id__gt=last).values_list("child_id", "history_type"))
    assert sorted(kinds) == sorted([(changed.pk, "~"), (dropped.pk, "-"), (back.pk, "+")])
    assert CheckFinding.history.get(history_id__gt=last, history_type="~").history_user == teacher.user
    assert Attendance.objects.get(child=back).status == "present"
    assert Attendance.history.filter(child=back, history_type="~", history_user=teacher.user).count() == 1
    # a bigger class submitted again costs the same queries
    for i in range(10):
        ChildFactory(school_class=big_class, name=f"新朋友{i}")
    entries = {c.pk: {"temperature": "36.6"} for c in selectors.enrolled(today()).filter(school_class=big_class)}
    submit()
    assert submit() == again


@pytest.mark.parametrize("temperature", ["33.9", "43.1", "abc"])
def test_impossible_temperature_saves_nothing(world, teacher, temperature):
    child = world.k1.own_child
    with pytest.raises(DomainError):
        services.record_check(actor=teacher, school_class=world.k1.own_class, day=today(),
                              entries={child.pk: {"temperature": temperature}})
    assert CheckSession.objects.count() == 0 and Attendance.objects.count() == 0


def test_class_teacher_cannot_check_another_class(world, teacher):
    with pytest.raises(Http404):  # another class is out of scope: 404, like a missing one
        services.record_check(actor=teacher, school_class=world.k1.other_class, day=today())
    with pytest.raises(Forbidden):
        services.record_check(actor=actor_of(world, Role.DIRECTOR), school_class=world.k1.own_class, day=today())


def test_case_return_date_comes_from_the_figure_and_its_override(world, health):
    child = world.k1.own_child
    onset = today() - dt.timedelta(days=2)
    case = services.case_create(actor=health, child=child, disease="hfmd", onset_date=onset,
                                diagnosis_source=DiagnosisSource.HOSPITAL)
    assert case.isolation_days == 14 and case.return_due == onset + dt.timedelta(days=14)
    core_rules.override_set(actor=health, area="health", key="disease.norovirus.isolation_days", value="4",
                            source="区疾控要求")
    other = services.case_create(actor=health, child=world.k1.children[1], disease="norovirus", onset_date=onset,
                                 diagnosis_source=DiagnosisSource.CLINIC, symptoms_end=onset + dt.timedelta(days=1))
    assert other.return_due == onset + dt.timedelta(days=1 + 4)  # norovirus counts from the end of symptoms
    assert rules.figures(world.k1.kg)["disease.norovirus.isolation_days"].overridden


def test_unknown_disease_and_future_onset_are_refused(world, health):
    with pytest.raises(DomainError, match="Unknown disease"):
        services.case_create(actor=health, child=world.k1.own_child, disease="plague-x", onset_date=today(),
                             diagnosis_source="hospital")
    with pytest.raises(DomainError, match="after the report date"):
        services.case_create(actor=health, child=world.k1.own_child, disease="hfmd",
                             onset_date=today() + dt.timedelta(days=1), diagnosis_source="hospital")
    assert DiseaseCase.objects.count() == 0


def test_isolating_child_returns_only_with_clearance(world, health, teacher):
    child = world.k1.own_child
    case = services.case_create(actor=health, child=child, disease="varicella",
                                onset_date=today() - dt.timedelta(days=3), diagnosis_source="hospital")
    # the check screen defaults the child to sick leave
    services.record_check(actor=teacher, school_class=world.k1.own_class, day=today())
    assert Attendance.objects.get(child=child).status == "sick"
    with pytest.raises(DomainError, match="clearance") as exc:
        services.record_check(actor=teacher, school_class=world.k1.own_class, day=today(),
                              entries={child.pk: {"status": "present"}})
    assert exc.value.code == "clearance_required"
    assert Attendance.objects.get(child=child).status == "sick"
    with pytest.raises(DomainError, match="isolation period ends"):
        services.case_clear(actor=health, case=case, returned_on=today(), clearance_note="")
    services.case_clear(actor=health, case=case, returned_on=today(), clearance_note="市儿童医院复课证明")
    services.record_check(actor=teacher, school_class=world.k1.own_class, day=today(),
                          entries={child.pk: {"status": "present"}})
    assert Attendance.objects.get(child=child).status == "present"


def test_hfmd_cluster_in_one_class_fires_the_rule_with_a_report(world, health):
    assert not OutbreakAlert.objects.exists()
    a, b = world.k1.children[0], world.k1.children[1]
    services.case_create(actor=health, child=a, disease="hfmd", onset_date=today() - dt.timedelta(days=3),
                         diagnosis_source="hospital")
    assert not OutbreakAlert.objects.exists()
    services.case_create(actor=health, child=b, disease="hfmd", onset_date=today(), diagnosis_source="hospital")
    alert = OutbreakAlert.objects.get()
    assert alert.rule_key == "hfmd_class" and alert.school_class == world.k1.own_class and alert.case_count == 2
    assert "closure" in alert.actions and "notice" in alert.actions and alert.closure_days == 10
    assert a.name in alert.report_text and b.name in alert.report_text
    assert alert.report_made_at.strftime("%Y-%m-%d %H:%M") in alert.report_text or "Report made at" in alert.report_text
    # a third case updates the same alert
    services.case_create(actor=health, child=ChildFactory(school_class=world.k1.own_class), disease="hfmd",
                         onset_date=today(), diagnosis_source="clinic")
    assert OutbreakAlert.objects.get().case_count == 3
    # acting on it: notice to the class's parents, intensified disinfection, closure, reported
    notice = services.alert_notify_parents(actor=health, alert=alert)
    assert Notice.objects.get(pk=notice.pk).source == f"health.outbreak:{alert.code}"
    assert list(notice.classes.all()) == [world.k1.own_class]
    services.alert_intensify(actor=health, alert=alert, until=today() + dt.timedelta(days=7))
    closure = services.closure_create(actor=health, school_class=world.k1.own_class, start=today(),
                                      planned_end=today() + dt.timedelta(days=10), reason="手足口病聚集", alert=alert)
    assert closure.children.count() == 3
    services.alert_reported(actor=health, alert=alert, reported_to="城南区疾控中心")
    assert OutbreakAlert.objects.get().status == AlertStatus.REPORTED
    missing = selectors.disinfection_missing(actor=health, days=[today()])
    assert all(m["school_class"] != world.k1.own_class for m in missing)  # closed: nothing expected


def test_similar_symptoms_in_one_class_fire_the_reporting_rule(world, teacher):
    cls = world.k1.own_class
    extra = [ChildFactory(school_class=cls) for _ in range(2)]
    ids = [world.k1.own_child.pk, world.k1.children[1].pk, extra[0].pk]
    services.record_check(actor=teacher, school_class=cls, day=today(), entries={
        ids[0]: {"status": "sick", "symptoms": ["vomiting"]}, ids[1]: {"status": "sick", "symptoms": ["vomiting"]},
        ids[2]: {"findings": ["vomiting"], "action": "sent_home"}})
    alert = OutbreakAlert.objects.get(rule_key="symptom_class_day")
    assert alert.symptom == "vomiting" and alert.case_count == 3


def test_exam_assessment_and_bad_input(world, health):
    child = world.k1.own_child  # girl born 2022-05-01
    exam = services.exam_record(actor=health, child=child, day=today(), height_cm="105.0", weight_kg="17.0",
                                haemoglobin="105")
    assert exam.haz is not None and exam.waz is not None and exam.whz is not None
    assert exam.standard == "wst423_2022"  # the national standard by default, recorded on the exam
    assert exam.anaemia and WeakChildCase.objects.filter(child=child, reason="anaemia").exists()
    for kwargs, message in [
        ({"day": child.birth_date - dt.timedelta(days=1)}, "before the child's birth"),
        ({"day": today() + dt.timedelta(days=1)}, "future"),
        ({"height_cm": "102.0"}, "lower than the last one"),
        ({"weight_kg": ""}, "required"),
    ]:
        values = {"day": today(), "height_cm": "105.5", "weight_kg": "17.2", **kwargs}
        with pytest.raises(DomainError, match=message):
            services.exam_record(actor=health, child=child, **values)
    assert Exam.objects.count() == 1
    # within the measurement error (a rule figure) is fine
    services.exam_record(actor=health, child=child, day=today(), height_cm="104.5", weight_kg="17.1", kind="other")


def test_class_exam_batch_is_all_or_nothing(world, health):
    a, b = world.k1.children[0], world.k1.children[1]
    rows = [{"child": a, "values": {"height_cm": "104", "weight_kg": "16.5"}},
            {"child": b, "values": {"height_cm": "300", "weight_kg": "16.5"}}]
    with pytest.raises(DomainError) as exc:
        services.exam_batch(actor=health, day=today(), kind="term", rows=rows)
    assert exc.value.errors[0]["row"] == 2
    assert Exam.objects.count() == 0
    rows[1]["values"]["height_cm"] = "101"
    assert len(services.exam_batch(actor=health, day=today(), kind="term", rows=rows)) == 2


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["2026年秋季体检结果"])
    ws.append(list(services.IMPORT_COLUMNS))
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_clinic_import_all_or_nothing(world, health):
    a, b = world.k1.children[0], world.k1.children[1]
    bad = _xlsx([[a.school_class.name, a.name, "2026-11-02", 104, 16.4, 5.0, 4.9, 0, 120, ""],
                 [b.school_class.name, "不存在", "2026-11-02", 101, 15.0, None, None, None, None, ""]])
    with pytest.raises(DomainError) as exc:
        services.exam_import(actor=health, upload=bad, day=today())
    assert exc.value.errors[0]["row"] == 4 and Exam.objects.count() == 0
    good = _xlsx([[a.school_class.name, a.name, "2026-11-02", 104, 16.4, 5.0, 4.9, 0, 120, ""],
                  [b.school_class.name, b.name, "2026-11-02", 101, 15.0, None, None, 2, None, "扁桃体肿大"]])
    exams = services.exam_import(actor=health, upload=good, day=today())
    assert len(exams) == 2 and Exam.objects.get(child=b).caries == 2


def test_vaccination_missing_doses_and_catch_up(world, health):
    child = world.k1.own_child  # born 2022-05-01: 4 years 6 months
    given = [(d.vaccine, d.dose_no, None) for d in rules.nip_schedule()
             if d.age_months <= 54 and d.key not in ("MMR-2", "bOPV-4") and d.group not in ("JE", "HepA")]
    given += [("JE-L", 1, None), ("JE-L", 2, None), ("HepA-L", 1, None)]
    check = services.vaccination_check(actor=health, child=child, checked_on=today(), doses=given)
    assert sorted(check.missing) == ["MMR-2", "bOPV-4"]
    assert CatchUp.objects.filter(child=child, status=CatchUpStatus.PENDING).count() == 2
    assert services.remind_catch_up(actor=health) == 1
    notice = Notice.objects.get(kind="vaccination")
    assert list(notice.children.all()) == [child] and "麻腮风疫苗" in notice.body
    services.catch_up_done(actor=health, catch_up=CatchUp.objects.get(vaccine="MMR"), done_on=today())
    summary = selectors.vaccination_summary(actor=health)
    own = next(r for r in summary["rows"] if r["school_class"] == world.k1.own_class)
    assert own["checked"] == 1 and own["catch_up"] == 2 and own["catch_up_rate"] == Decimal("50.0")


def test_disinfection_needs_concentration_and_missing_records_are_listed(world):
    nursery = actor_of(world, Role.NURSERY)
    cls = world.k1.own_class
    with pytest.raises(DomainError, match="concentration"):
        services.disinfection_record(actor=nursery, school_class=cls, day=today(), area="toys", method="chlorine")
    for area in rules.disinfection_areas():
        services.disinfection_record(actor=nursery, school_class=cls, day=today(), area=area, method="chlorine",
                                     concentration_mg_l=500, minutes=30)
    assert Disinfection.objects.count() == 3
    health = actor_of(world, Role.HEALTH_TEACHER)
    missing = selectors.disinfection_missing(actor=health, days=[today()])
    assert cls not in [m["school_class"] for m in missing] and len(missing) == 2


def test_device_reading_is_limited_to_its_campus(world, health):
    device, raw = services.device_create(actor=health, campus=world.k1.campuses[0], name="本部晨检机")
    assert services.device_check(raw) == device and services.device_check("hqd_wrong") is None
    row = services.device_reading(device=device, child_code=world.k1.own_child.code, temperature="37.8")
    assert row.is_abnormal and row.findings == ["fever"]
    far = next(c for c in world.k1.children if c.school_class.campus_id != world.k1.campuses[0].pk)
    with pytest.raises(DomainError):
        services.device_reading(device=device, child_code=far.code, temperature="36.5")
    with pytest.raises(DomainError):
        services.device_reading(device=device, child_code=world.k1.own_child.code, temperature="45")


def test_figures_show_source_and_unconfirmed_status(world, health):
    figs = rules.figures(world.k1.kg)
    assert figs["temperature.fever"].unconfirmed
    assert "手足口病聚集性和暴发疫情处置工作规范" in figs["outbreak.hfmd_class.threshold"].source
    assert figs["outbreak.hfmd_class.threshold"].unconfirmed
    with pytest.raises(DomainError):
        core_rules.override_set(actor=health, area="health", key="outbreak.hfmd_class.threshold", value="0",
                                source="x")
    with pytest.raises(DomainError):
        core_rules.override_set(actor=health, area="health", key="outbreak.hfmd_class.threshold", value="3",
                                source="")
    with pytest.raises(DomainError):  # a count of children is whole
        core_rules.override_set(actor=health, area="health", key="outbreak.hfmd_class.threshold", value="2.5",
                                source="本区要求")
    core_rules.override_set(actor=health, area="health", key="outbreak.hfmd_class.threshold", value="3",
                            source="本区要求")
    assert rules.outbreak_rules(world.k1.kg)[0].threshold == 3
    assert rules.outbreak_rules(world.k2.kg)[0].threshold == 2

"""Infectious disease (issue 13): isolation from the clock each disease's rule names, the national
thresholds as rule data (UNCONFIRMED where to confirm), single-case reporting, the report sent to
the district with the time from discovery measured, the principal's red to-do when it is late, and
the supervisor's acknowledgement."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from houqin import policy
from houqin.core.errors import Conflict, DomainError
from houqin.core.registry import district_todos_for, todos_for
from houqin.health import rules, services
from houqin.health.models import AlertStatus, DiseaseCase, OutbreakAlert
from houqin.health.tests.conftest import actor_of
from houqin.org.models import Role
from houqin.testing import ChildFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


@pytest.fixture
def health(world):
    return actor_of(world, Role.HEALTH_TEACHER)


@pytest.mark.parametrize("disease,clock,days,status", [
    ("influenza", "fever_end", 2, "UNCONFIRMED"), ("measles", "rash_onset", 5, "UNCONFIRMED"),
    ("rubella", "rash_onset", 5, "UNCONFIRMED"), ("norovirus", "symptoms_end", 3, "UNCONFIRMED"),
    ("scarlet_fever", "treatment_start", 7, "secondary"), ("hfmd", "onset", 14, "secondary"),
    ("varicella", "onset", 14, "secondary"),
])
def test_isolation_runs_from_the_clock_the_rule_names(world, health, disease, clock, days, status):
    d = rules.diseases(world.k1.kg)[disease]
    assert (d.clock, d.isolation_days, d.status) == (clock, days, status)
    onset = today() - dt.timedelta(days=4)
    case = services.case_create(actor=health, child=world.k1.own_child, disease=disease, onset_date=onset,
                                diagnosis_source="hospital")
    if clock == "onset":
        assert case.return_due == onset + dt.timedelta(days=days)
        return
    assert case.return_due is None  # not known until the clock's date is
    clock_date = onset + dt.timedelta(days=2)
    case = services.case_dates(actor=health, case=case, **{clock: clock_date})
    assert case.return_due == clock_date + dt.timedelta(days=days)
    # a return before it needs the 复课证明
    with pytest.raises(DomainError, match="return clearance"):
        services.case_clear(actor=health, case=case, returned_on=today(), clearance_note="")
    services.case_clear(actor=health, case=case, returned_on=today(), clearance_note="区妇幼保健院复课证明")


def test_influenza_48_hours_after_fever_ends(world, health):
    onset = today() - dt.timedelta(days=5)
    case = services.case_create(actor=health, child=world.k1.own_child, disease="influenza", onset_date=onset,
                                diagnosis_source="clinic", fever_end=onset + dt.timedelta(days=2))
    assert case.return_due == onset + dt.timedelta(days=4) and case.isolation_clock == "fever_end"


@pytest.mark.parametrize("kwargs,field", [
    ({"onset_date": 0, "reported_on": -1}, "onset_date"),  # onset after the report date
    ({"onset_date": -3, "fever_end": -4}, "fever_end"),  # fever ended before the onset
    ({"onset_date": -3, "symptoms_end": 1}, "symptoms_end"),  # in the future
    ({"onset_date": -3, "reported_on": 2}, "reported_on"),
])
def test_bad_case_dates_save_nothing(world, health, kwargs, field):
    args = {k: today() + dt.timedelta(days=v) for k, v in kwargs.items()}
    with pytest.raises(DomainError) as exc:
        services.case_create(actor=health, child=world.k1.own_child, disease="influenza",
                             diagnosis_source="hospital", **args)
    assert exc.value.errors[0]["field"] == field
    assert not DiseaseCase.objects.exists()


def _cases(health, children, disease, days_ago=0):
    for child in children:
        services.case_create(actor=health, child=child, disease=disease,
                             onset_date=today() - dt.timedelta(days=days_ago), diagnosis_source="hospital")


def test_thresholds_are_national_rule_data(world):
    by_key = {r.key: r for r in rules.outbreak_rules(world.k1.kg)}
    assert (by_key["hfmd_class"].threshold, by_key["hfmd_class"].window_days) == (2, 7)
    assert (by_key["hfmd_kindergarten"].threshold, by_key["hfmd_kindergarten"].window_days) == (5, 7)
    assert (by_key["hfmd_closure"].threshold, by_key["hfmd_classes"].threshold, by_key["hfmd_classes"].per_class) \
        == (10, 3, 2)
    assert (by_key["norovirus_kindergarten"].threshold, by_key["norovirus_kindergarten"].window_days) == (5, 3)
    for key in ("hfmd_class", "norovirus_kindergarten", "influenza_kindergarten", "varicella_kindergarten",
                "mumps_kindergarten", "measles_single_case"):
        assert by_key[key].status == "UNCONFIRMED" and "湖州" not in by_key[key].source.split("；")[0], key


def test_norovirus_five_cases_within_three_days(world, health):
    kids = [ChildFactory(school_class=c) for c in world.k1.classes for _ in range(2)][:5]
    _cases(health, kids[:4], "norovirus", days_ago=2)
    assert not OutbreakAlert.objects.filter(rule_key="norovirus_kindergarten").exists()
    _cases(health, kids[4:], "norovirus")
    assert OutbreakAlert.objects.get(rule_key="norovirus_kindergarten").case_count == 5


def test_hfmd_three_classes_with_two_cases_each(world, health):
    classes = world.k1.classes[:3]
    assert len(classes) == 3
    for i, cls in enumerate(classes):
        _cases(health, [ChildFactory(school_class=cls), ChildFactory(school_class=cls)], "hfmd")
        fired = OutbreakAlert.objects.filter(rule_key="hfmd_classes").exists()
        assert fired == (i == 2)
    assert OutbreakAlert.objects.get(rule_key="hfmd_classes").case_count == 3  # classes


def test_measles_is_reported_on_the_first_case_within_its_hours(world, health):
    _cases(health, [world.k1.own_child], "measles")
    alert = OutbreakAlert.objects.get(rule_key="measles_single_case")
    assert alert.report_due_at == alert.report_made_at + dt.timedelta(hours=2)


def _hfmd_cluster(world, health):
    _cases(health, [world.k1.own_child, world.k1.children[1]], "hfmd")
    return OutbreakAlert.objects.get(rule_key="hfmd_class")


def test_late_report_is_a_red_todo_for_the_principal(world, health):
    alert = _hfmd_cluster(world, health)
    principal = actor_of(world, Role.PRINCIPAL)
    assert alert.report_due_at == alert.report_made_at + dt.timedelta(hours=24)
    assert not [t for t in todos_for(principal) if "Report overdue" in t.title]
    with time_machine.travel(timezone.now() + dt.timedelta(hours=25), tick=False):
        red = [t for t in todos_for(principal) if t.urgency == 3 and "Report overdue" in t.title]
        assert len(red) == 1 and str(alert.code) in red[0].url


def test_report_without_phone_is_refused(world, health):
    alert = _hfmd_cluster(world, health)
    for phone, field in [("", "reporter_phone"), ("call me", "reporter_phone")]:
        with pytest.raises(DomainError) as exc:
            services.alert_send_report(actor=health, alert=alert, measures="晨检加强", reporter_name="李老师",
                                       reporter_phone=phone)
        assert any(e["field"] == field for e in exc.value.errors)
    with pytest.raises(DomainError):
        services.alert_send_report(actor=health, alert=alert, measures="", reporter_name="李老师",
                                   reporter_phone="0571-88886666")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN and alert.reported_at is None and not alert.district_report


def test_report_to_the_district_and_acknowledgement(world, health):
    alert = _hfmd_cluster(world, health)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=95), tick=False):
        services.alert_send_report(actor=health, alert=alert, measures="班级停课10天，全园加强消毒和晨午检",
                                   reporter_name="李老师", reporter_phone="0571-88886666")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.REPORTED and alert.minutes_to_report == 95
    text = alert.district_report
    assert "0571-88886666" in text and "班级停课" in text and world.k1.own_class.name in text
    assert world.k1.own_child.name not in text  # the district reads no child's name
    assert str(alert.class_size) in text
    # the supervisor of the district sees it on the district page and acknowledges
    supervisor = policy.actor_for_district(world.supervisor, world.k1.kg.district)
    todos = [t for t in district_todos_for(supervisor) if t.area == "health"]  # (safety and reports add theirs)
    assert len(todos) == 1 and todos[0].urgency == 2
    c = Client()
    c.force_login(world.supervisor)
    slug = world.k1.kg.district.slug
    assert "Disease report to acknowledge" in c.get(f"/d/{slug}/").content.decode() or todos
    page = c.get(f"/d/{slug}/health/reports/{alert.code}/")
    assert page.status_code == 200 and "0571-88886666" in page.content.decode()
    # overdue acknowledgement is visible to both
    with time_machine.travel(timezone.now() + dt.timedelta(hours=30), tick=False):
        assert [t for t in district_todos_for(supervisor) if t.area == "health"][0].urgency == 3
        assert any(t.urgency == 2 and str(alert.code) in t.url for t in todos_for(health))
    r = c.post(f"/d/{slug}/health/reports/{alert.code}/acknowledge/")
    assert r.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == world.supervisor
    assert [t for t in district_todos_for(supervisor) if t.area == "health"] == []
    with pytest.raises(Conflict):
        services.alert_acknowledge(actor=supervisor, alert=alert)


def test_other_district_cannot_see_or_acknowledge(world, health):
    alert = _hfmd_cluster(world, health)
    services.alert_send_report(actor=health, alert=alert, measures="加强消毒", reporter_name="李老师",
                               reporter_phone="13800001111")
    c = Client()
    c.force_login(world.supervisor_b)
    slug_b = world.supervisor_b.memberships.first().district.slug
    assert c.get(f"/d/{slug_b}/health/reports/{alert.code}/").status_code == 404
    assert c.post(f"/d/{slug_b}/health/reports/{alert.code}/acknowledge/").status_code == 404
    assert c.post(f"/api/d/{slug_b}/health/reports/{alert.code}/acknowledge").status_code in (403, 404)
    alert.refresh_from_db()
    assert alert.acknowledged_at is None

"""The morning check that raises an alarm (issue 13): a fever or a serious finding needs an action,
alerts the health teacher in the same request (red to-do, API), notifies the parents and opens the
全日健康观察; observations through the day, sent home with time and who collected, the class's
attendance showing sent-home children apart, and a fever followed by an absence linked to the
illness-absence follow-up."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from houqin.core.errors import Conflict, DomainError
from houqin.core.registry import todos_for
from houqin.health import rules, selectors, services
from houqin.health.models import (
    Attendance,
    CheckFinding,
    HealthObservation,
    ObservationEntry,
    ObservationStatus,
)
from houqin.health.tests.conftest import actor_of
from houqin.notices.models import Notice
from houqin.org.models import Role

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


@pytest.fixture
def health(world):
    return actor_of(world, Role.HEALTH_TEACHER)


@pytest.fixture
def teacher(world):
    return actor_of(world, Role.CLASS_TEACHER)


def _alarms(actor):
    return [t for t in todos_for(actor) if t.urgency == 3 and "/observation/" in t.url]


def test_fever_threshold_is_rule_data_and_unconfirmed(world):
    fig = rules.figures(world.k1.kg)["temperature.fever"]
    assert fig.value == Decimal("37.3") and fig.unconfirmed
    alarm = rules.morning_check()
    assert {"observe", "parent_called", "see_doctor"} <= set(alarm["alarm_actions"]) and alarm["source"]


@pytest.mark.parametrize("temperature,findings", [("37.3", []), ("38.5", []), (None, ["hand_foot_blisters"])])
def test_fever_or_serious_finding_without_action_saves_nothing(world, teacher, temperature, findings):
    child = world.k1.own_child
    with pytest.raises(DomainError) as exc:
        services.record_check(actor=teacher, school_class=world.k1.own_class, day=today(),
                              entries={child.pk: {"temperature": temperature, "findings": findings}})
    assert exc.value.code == "action_required" and child.name in exc.value.message
    assert exc.value.errors[0]["field"] == f"c{child.pk}-action"
    assert not CheckFinding.objects.exists() and not Attendance.objects.exists()
    assert not HealthObservation.objects.exists() and not Notice.objects.exists()


def test_below_threshold_needs_no_action_and_raises_no_alarm(world, teacher, health):
    child = world.k1.own_child
    services.record_check(actor=teacher, school_class=world.k1.own_class, day=today(),
                          entries={child.pk: {"temperature": "37.2"}})
    assert not HealthObservation.objects.exists() and _alarms(health) == []


def test_fever_alerts_the_health_teacher_in_the_same_request(world, teacher, health):
    child = world.k1.own_child
    services.record_check(actor=teacher, school_class=world.k1.own_class, day=today(),
                          entries={child.pk: {"temperature": "37.8", "action": "observe"}})
    obs = HealthObservation.objects.get()
    assert obs.child == child and obs.status == ObservationStatus.OBSERVING and obs.temperature == Decimal("37.8")
    assert "37.8" in obs.reason and CheckFinding.objects.get().serious
    # the health teacher: a red to-do naming the child; the class teacher: amber, it is not hers to clear
    alarms = _alarms(health)
    assert len(alarms) == 1 and child.name in alarms[0].title and str(obs.code) in alarms[0].url
    assert _alarms(teacher) == []
    # the parents: a notice naming their child, which they can read
    notice = Notice.objects.get(source=f"health.observation:{obs.code}")
    assert list(notice.children.all()) == [child] and "37.8" in notice.body
    parent = Client()
    parent.force_login(world.k1.users[Role.PARENT])
    assert notice.title in parent.get("/k/k1/notices/").content.decode()
    # and the same through the API, for the health teacher's device
    c = Client()
    c.force_login(world.k1.users[Role.HEALTH_TEACHER])
    data = c.get("/api/k/k1/health/observations").json()
    assert [d["child"] for d in data] == [child.name] and data[0]["alarm"] is True
    # her home page shows it at once
    assert child.name in c.get("/k/k1/").content.decode()


def test_fever_through_the_page_on_a_phone(world):
    """The teacher's form: a fever without an action is refused (nothing saved); with one, saved and
    the health teacher's home shows it in the same request's aftermath."""
    child = world.k1.own_child
    c = Client()
    c.force_login(world.k1.users[Role.CLASS_TEACHER])
    url = f"/k/k1/health/check/{world.k1.own_class.code}/"
    r = c.post(url, {f"c{child.pk}-status": "present", f"c{child.pk}-temperature": "38.1"}, follow=True)
    body = r.content.decode()
    assert ("choose an action" in body or "请先选择处理措施" in body) and not HealthObservation.objects.exists()
    r = c.post(url, {f"c{child.pk}-status": "present", f"c{child.pk}-temperature": "38.1",
                     f"c{child.pk}-action": "parent_called"})
    assert r.status_code == 302 and HealthObservation.objects.filter(child=child).exists()


def test_serious_mark_raises_the_alarm(world, teacher, health):
    child = world.k1.own_child
    services.record_check(actor=teacher, school_class=world.k1.own_class, day=today(),
                          entries={child.pk: {"findings": ["cough"], "serious": True, "action": "see_doctor"}})
    assert len(_alarms(health)) == 1


def test_device_fever_opens_an_observation(world, health):
    device, _raw = services.device_create(actor=health, campus=world.k1.own_class.campus, name="晨检机")
    services.device_reading(device=device, child_code=world.k1.own_child.code, temperature="38.0")
    obs = HealthObservation.objects.get()
    assert obs.child == world.k1.own_child and len(_alarms(health)) == 1


def test_resubmitting_the_check_does_not_duplicate_the_alarm(world, teacher):
    child = world.k1.own_child
    entries = {child.pk: {"temperature": "38.0", "action": "observe"}}
    services.record_check(actor=teacher, school_class=world.k1.own_class, day=today(), entries=entries)
    services.record_check(actor=teacher, school_class=world.k1.own_class, day=today(), entries=entries)
    assert HealthObservation.objects.count() == 1 and Notice.objects.count() == 1
    assert ObservationEntry.objects.count() == 2


def _observe(world, teacher):
    child = world.k1.own_child
    services.record_check(actor=teacher, school_class=world.k1.own_class, day=today(),
                          entries={child.pk: {"temperature": "37.9", "action": "observe"}})
    return HealthObservation.objects.get(child=child)


def test_observations_through_the_day_and_sent_home(world, teacher, health):
    obs = _observe(world, teacher)
    services.observation_record(actor=teacher, observation=obs, at="09:00", temperature="38.2",
                                symptoms=["cough"], action="parent_called", note="已电话通知妈妈")
    assert len(_alarms(health)) == 1  # the class teacher's entry does not clear the health teacher's alarm
    services.observation_record(actor=health, observation=obs, at="09:15", temperature="38.3")
    obs.refresh_from_db()
    assert obs.seen_by == world.k1.users[Role.HEALTH_TEACHER] and _alarms(health) == []
    services.observation_send_home(actor=teacher, observation=obs, at="09:25", collected_by="妈妈 王丽")
    obs.refresh_from_db()
    assert obs.status == ObservationStatus.SENT_HOME and obs.collected_by == "妈妈 王丽"
    assert timezone.localtime(obs.sent_home_at).strftime("%H:%M") == "09:25"
    assert obs.entries.order_by("-id").first().action == "sent_home"
    with pytest.raises(Conflict):
        services.observation_end(actor=teacher, observation=obs)
    with pytest.raises(Conflict):
        services.observation_record(actor=teacher, observation=obs, note="x")
    # the class's attendance: present counted, sent home shown apart
    data = selectors.daily_overview(actor=health, day=today())
    row = next(r for r in data["rows"] if r["school_class"] == world.k1.own_class)
    assert row["sent_home"] == 1 and row["in_care"] == row["present"] - 1
    assert data["totals"]["sent_home"] == 1


@pytest.mark.parametrize("kwargs,field", [
    ({"temperature": "33.0"}, "temperature"), ({"temperature": "44"}, "temperature"),
    ({"temperature": "nan"}, "temperature"), ({}, "note"), ({"note": "x", "at": "25:00"}, "at"),
    ({"note": "x", "at": "23:59"}, "at"),  # later than now (09:30)
])
def test_bad_observation_input_saves_nothing(world, teacher, kwargs, field):
    obs = _observe(world, teacher)
    before = ObservationEntry.objects.count()
    with pytest.raises(DomainError) as exc:
        services.observation_record(actor=teacher, observation=obs, **kwargs)
    assert exc.value.errors and exc.value.errors[0]["field"] == field
    assert ObservationEntry.objects.count() == before


def test_sent_home_needs_who_collected(world, teacher):
    obs = _observe(world, teacher)
    with pytest.raises(DomainError):
        services.observation_send_home(actor=teacher, observation=obs, at="09:20", collected_by=" ")
    obs.refresh_from_db()
    assert obs.status == ObservationStatus.OBSERVING and obs.sent_home_at is None


def test_other_class_staff_cannot_record_an_observation(world, teacher):
    other = world.k1.other_child
    health = actor_of(world, Role.HEALTH_TEACHER)
    services.record_check(actor=health, school_class=other.school_class, day=today(),
                          entries={other.pk: {"temperature": "38.0", "action": "observe"}})
    obs = HealthObservation.objects.get(child=other)
    c = Client()
    c.force_login(world.k1.users[Role.CLASS_TEACHER])
    assert c.post(f"/k/k1/health/observation/{obs.code}/entry/", {"note": "x"}).status_code == 404
    assert c.post(f"/api/k/k1/health/observations/{obs.code}/send-home",
                  {"collected_by": "x"}, content_type="application/json").status_code == 404
    assert ObservationEntry.objects.filter(observation=obs).count() == 1


def test_the_observation_page_and_api_walk(world, teacher):
    obs = _observe(world, teacher)
    c = Client()
    c.force_login(world.k1.users[Role.HEALTH_TEACHER])
    page = c.get(f"/k/k1/health/observation/{obs.code}/")
    assert page.status_code == 200 and obs.reason in page.content.decode()
    r = c.post(f"/api/k/k1/health/observations/{obs.code}/entries", {"temperature": "38.0", "note": "精神可"},
               content_type="application/json")
    assert r.status_code == 200 and r.json()["alarm"] is False
    r = c.post(f"/k/k1/health/observation/{obs.code}/send-home/", {"at": "09:28", "collected_by": "爸爸"})
    assert r.status_code == 302
    obs.refresh_from_db()
    assert obs.status == "sent_home"
    overview = c.get("/k/k1/health/").content.decode()
    assert 'data-testid="sent-home-total"' in overview


def test_fever_today_absence_tomorrow_links_to_the_follow_up(world, teacher, health):
    child = world.k1.own_child
    yesterday = today() - dt.timedelta(days=1)
    services.record_check(actor=teacher, school_class=world.k1.own_class, day=yesterday,
                          entries={child.pk: {"temperature": "38.4", "action": "parent_called"}})
    obs = HealthObservation.objects.get(child=child, date=yesterday)
    services.record_check(actor=teacher, school_class=world.k1.own_class, day=today(),
                          entries={child.pk: {"status": "sick", "symptoms": ["fever"]}})
    data = selectors.daily_overview(actor=health, day=today())
    follow = next(a for a in data["follow_ups"] if a.child_id == child.pk)
    assert follow.fever_before == obs
    c = Client()
    c.force_login(world.k1.users[Role.HEALTH_TEACHER])
    assert 'data-testid="fever-before"' in c.get("/k/k1/health/").content.decode()

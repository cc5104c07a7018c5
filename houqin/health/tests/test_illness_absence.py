"""因病缺勤监测: the day's illness-absence rate per class (absent for illness ÷ enrolled) with the
symptoms recorded and the causes found, the kindergarten's total; the same figures on the page, in
the daily report (.xlsx, the monitoring system's columns) and through the API, each scoped by the
policy (a class teacher: her class only)."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from houqin.health import selectors, services, statistics
from houqin.health.models import Attendance
from houqin.health.tests.conftest import actor_of
from houqin.org.models import Role
from houqin.testing import ChildFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(world):
    """小一班 (the own class, 4 children): two absent for illness (fever and cough; fever), one on personal
    leave, one present. 中一班 (2): one absent for illness (diarrhoea, found: 急性胃肠炎), one present.
    大一班 (2): attendance not recorded."""
    health = actor_of(world, Role.HEALTH_TEACHER)
    today = timezone.localdate()
    own, other = world.k1.own_class, world.k1.other_class
    [ChildFactory(school_class=own, name=f"{own.name}幼儿{i}") for i in (3, 4)]
    kids = sorted(selectors.enrolled(today).filter(school_class=own), key=lambda c: c.name)
    services.record_check(actor=health, school_class=own, day=today, entries={
        kids[0].pk: {"status": "sick", "symptoms": ["fever", "cough"]},
        kids[1].pk: {"status": "sick", "symptoms": ["fever"]},
        kids[2].pk: {"status": "personal"}})
    sick = next(c for c in world.k1.children if c.school_class_id == other.pk)
    services.record_check(actor=health, school_class=other, day=today,
                          entries={sick.pk: {"status": "sick", "symptoms": ["diarrhoea"]}})
    services.follow_up_absence(actor=health, attendance=Attendance.objects.get(child=sick, date=today),
                               diagnosis="急性胃肠炎")
    return today


def test_the_days_figures_per_class_and_for_the_kindergarten(world, day):
    data = selectors.illness_absence(actor=actor_of(world, Role.HEALTH_TEACHER), day=day)
    figures = {r["school_class"].name: {k: r[k] for k in ("enrolled", "present", "absent", "sick", "unrecorded")}
               for r in data["rows"]}
    assert figures == {
        "小一班": {"enrolled": 4, "present": 1, "absent": 3, "sick": 2, "unrecorded": 0},
        "中一班": {"enrolled": 2, "present": 1, "absent": 1, "sick": 1, "unrecorded": 0},
        "大一班": {"enrolled": 2, "present": 0, "absent": 2, "sick": 0, "unrecorded": 2}}
    by_name = {r["school_class"].name: r for r in data["rows"]}
    own, other, third = by_name["小一班"], by_name["中一班"], by_name["大一班"]
    assert (str(own["rate"]), str(other["rate"]), str(third["rate"])) == ("50.0", "50.0", "0.0")
    assert own["symptoms"] == [("Fever", 2), ("Cough", 1)] and own["causes"] == [] and own["to_follow_up"] == 2
    assert other["to_follow_up"] == 0
    assert other["symptoms"] == [("Diarrhoea", 1)] and other["causes"] == [("急性胃肠炎", 1)]
    total = data["total"]
    assert (total["enrolled"], total["present"], total["absent"], total["sick"], str(total["rate"])) == (
        8, 2, 6, 3, "37.5")
    assert total["symptoms"] == [("Fever", 2), ("Cough", 1), ("Diarrhoea", 1)]
    # the class teacher: her class only, and the total of what she sees
    mine = selectors.illness_absence(actor=actor_of(world, Role.CLASS_TEACHER), day=day)
    assert [r["school_class"].name for r in mine["rows"]] == ["小一班"]
    assert (mine["total"]["sick"], str(mine["total"]["rate"])) == (2, "50.0")


def test_the_page_in_chinese_with_a_date_picker(world, login, day):
    page = login(world.k1.users[Role.HEALTH_TEACHER]).get(
        f"/k/k1/health/attendance/illness/?date={day.isoformat()}").content.decode()
    assert 'type="date" name="date"' in page and f'value="{day.isoformat()}"' in page
    for text in ("因病缺勤", "应到", "实到", "发热2、咳嗽1", "腹泻1", "急性胃肠炎1", "37.5%", "合计"):
        assert text in page, text
    assert page.count('data-testid="row"') == 3
    assert page.count('data-testid="to-follow-up"') == 1 and "2人待追踪" in page
    assert f'/k/k1/health/attendance/?month={day:%Y-%m}' in page  # the follow-up list, where each is followed up
    teacher = login(world.k1.users[Role.CLASS_TEACHER]).get("/k/k1/health/attendance/illness/").content.decode()
    assert teacher.count('data-testid="row"') == 1 and "中一班" not in teacher and "腹泻" not in teacher
    assert login(world.k1.users[Role.DIRECTOR]).get("/k/k1/health/attendance/illness/").status_code == 403


def test_the_daily_report_in_the_usual_columns(world, login, day):
    r = login(world.k1.users[Role.HEALTH_TEACHER]).get(
        f"/k/k1/health/attendance/illness/?date={day.isoformat()}&format=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert tuple(rows[0]) == statistics.ILLNESS_ABSENCE_COLUMNS
    assert rows[0][:8] == ["日期", "幼儿园", "班级", "应到人数", "实到人数", "缺勤人数", "因病缺勤人数", "因病缺勤率（%）"]
    assert "主要症状" in rows[0]
    by_name = {row[2]: row for row in rows[1:-1]}
    own = by_name["小一班"]
    assert own[0].date() == day and own[1:7] == ["阳光幼儿园", "小一班", 4, 1, 3, 2]
    assert float(own[7]) == 50.0 and own[8] == "发热2、咳嗽1"
    assert by_name["中一班"][8:10] == ["腹泻1", "急性胃肠炎1"] and by_name["大一班"][10] == 2
    total = rows[-1]
    assert total[2] == "合计" and total[3:7] == [8, 2, 6, 3] and float(total[7]) == 37.5
    assert len(rows) == 5


def test_the_api_gives_the_same_figures_under_the_same_capability(world, login, day):
    client = login(world.k1.users[Role.HEALTH_TEACHER])
    data = client.get(f"/api/k/k1/health/illness-absence?date={day.isoformat()}").json()
    page = selectors.illness_absence(actor=actor_of(world, Role.HEALTH_TEACHER), day=day)
    assert data["date"] == day.isoformat()
    assert [(c["school_class"], c["enrolled"], c["present"], c["sick"], c["rate"]) for c in data["classes"]] == [
        (r["school_class"].name, r["enrolled"], r["present"], r["sick"], float(r["rate"])) for r in page["rows"]]
    by_name = {c["school_class"]: c for c in data["classes"]}
    assert by_name["小一班"]["symptoms"] == [{"symptom": "发热", "n": 2}, {"symptom": "咳嗽", "n": 1}]
    assert by_name["中一班"]["causes"] == [{"cause": "急性胃肠炎", "n": 1}]
    assert (data["total"]["sick"], data["total"]["rate"], data["total"]["to_follow_up"]) == (3, 37.5, 2)
    mine = login(world.k1.users[Role.CLASS_TEACHER]).get(f"/api/k/k1/health/illness-absence?date={day.isoformat()}")
    assert [c["school_class"] for c in mine.json()["classes"]] == ["小一班"]
    assert login(world.k1.users[Role.DIRECTOR]).get(
        f"/api/k/k1/health/illness-absence?date={day.isoformat()}").status_code == 403
    bad = client.get("/api/k/k1/health/illness-absence?date=2026-13-40")
    assert bad.status_code in (400, 422)

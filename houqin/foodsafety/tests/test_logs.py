"""Pest control (病媒生物防制) and drinking water (饮用水): bad input refused with every problem named
and nothing saved; a check overdue past the rule figure, a filter past its date and a failed water
test become to-dos; a failed test is a hazard; the pages and the API call the same functions."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from houqin.core.errors import Conflict, DomainError, Forbidden
from houqin.foodsafety import logs
from houqin.foodsafety.models import FilterChange, PestCheck, WaterTest, WaterUnit
from houqin.foodsafety.navigation import todos_on
from houqin.foodsafety.tests.conftest import actor_of, days
from houqin.org.models import Role
from houqin.testing import pdf_bytes

pytestmark = pytest.mark.django_db


def _kinds(kg, today=None):
    return [t.extra.get("kind") for t in todos_on(kg, today=today or timezone.localdate())]


@pytest.fixture
def unit(world, director):
    return logs.water_unit_save(actor=director, place="中一班", kind="direct", filter_model="PP棉+活性炭 RO-400")


# --- pest control -----------------------------------------------------------------------------------


def test_a_pest_check_with_signs_needs_the_action(world, canteen):
    with pytest.raises(DomainError) as exc:
        logs.pest_record(actor=canteen, place=" ", kind="rodent", method="", done_on=days(1), signs_found=True)
    assert {e["field"] for e in exc.value.errors} == {"place", "method", "done_on", "findings", "action"}
    with pytest.raises(DomainError) as exc:
        logs.pest_record(actor=canteen, place="厨房", kind="bats", method="粘鼠板", contractor="绿盾消杀公司")
    assert {e["field"] for e in exc.value.errors} == {"kind", "contractor_licence"}
    assert PestCheck.objects.count() == 0
    check = logs.pest_record(actor=canteen, place="食品库", kind="rodent", method="粘鼠板", signs_found=True,
                             findings="墙角发现鼠粪", action="加放粘鼠板两块，堵住排水口缝隙")
    assert check.recorded_by == canteen.user and check.retain_until > timezone.localdate()
    with pytest.raises(Forbidden):
        logs.pest_record(actor=actor_of(world, Role.CLASS_TEACHER), place="厨房", kind="fly", method="灭蝇灯")


def test_a_pest_check_overdue_past_the_figure_is_a_todo(world, canteen):
    kg = world.k1.kg
    assert "pest_overdue" in _kinds(kg)  # never checked
    logs.pest_record(actor=canteen, place="厨房", kind="fly", method="灭蝇灯", done_on=days(-8),
                     contractor="绿盾消杀公司", contractor_licence="PCO-2024-0173")
    assert logs.pest_due(kg, timezone.localdate())["overdue"]  # 8 days > 7
    assert "pest_overdue" in _kinds(kg)
    logs.pest_record(actor=canteen, place="厨房", kind="rodent", method="诱饵站", done_on=days(-2))
    assert not logs.pest_due(kg, timezone.localdate())["overdue"]
    assert "pest_overdue" not in _kinds(kg)


# --- drinking water ------------------------------------------------------------------------------------


def test_a_filter_change_sets_the_next_due_by_the_figure(world, canteen, unit):
    with pytest.raises(DomainError) as exc:
        logs.filter_change_record(actor=canteen, unit=None, changed_on=days(2))
    assert {e["field"] for e in exc.value.errors} == {"unit", "changed_on"}
    from houqin.foodsafety.services import add_months

    change = logs.filter_change_record(actor=canteen, unit=unit, changed_on=days(-20))
    assert change.next_due == add_months(days(-20), 3)  # the shipped three months
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)  # the last day of a short month
    assert change.filter_model == unit.filter_model and change.changed_by == canteen.user.display_name
    unit.is_active = False
    unit.save()
    with pytest.raises(DomainError):
        logs.filter_change_record(actor=canteen, unit=unit)
    assert FilterChange.objects.count() == 1


def test_a_filter_past_its_date_is_a_todo(world, canteen, unit):
    kg = world.k1.kg
    logs.filter_change_record(actor=canteen, unit=unit, changed_on=timezone.localdate() - dt.timedelta(days=100))
    assert "filter_overdue" in _kinds(kg)
    logs.filter_change_record(actor=canteen, unit=unit)
    assert "filter_overdue" not in _kinds(kg)


def test_a_failed_water_test_is_a_hazard_and_a_todo_until_a_test_passes(world, canteen, unit):
    from houqin.safety.models import Hazard

    with pytest.raises(DomainError) as exc:
        logs.water_test_record(actor=canteen, unit=unit, tester="lab", lab="", passed=False, result="")
    assert {e["field"] for e in exc.value.errors} == {"lab", "result"}
    with pytest.raises(DomainError) as exc:
        logs.water_test_record(actor=canteen, unit=unit, tester="self", passed=None,
                               report=SimpleUploadedFile("r.txt", b"not a report"))
    assert {e["field"] for e in exc.value.errors} == {"passed", "report"}
    assert WaterTest.objects.count() == 0
    failed = logs.water_test_record(actor=canteen, unit=unit, tester="lab", lab="区疾控中心", passed=False,
                                    result="菌落总数 180 CFU/mL，超过100", tested_on=days(-3),
                                    report=SimpleUploadedFile("report.pdf", pdf_bytes()))
    assert failed.report and Hazard.objects.get(code=failed.hazard_code).location == "中一班"
    assert "water_failed" in _kinds(world.k1.kg)
    logs.water_test_record(actor=canteen, unit=unit, tester="lab", lab="区疾控中心", passed=True)
    assert "water_failed" not in _kinds(world.k1.kg)


def test_the_register_refuses_a_unit_twice(world, director, unit):
    with pytest.raises(Conflict):
        logs.water_unit_save(actor=director, place="中一班", kind="direct")
    with pytest.raises(Forbidden):
        logs.water_unit_save(actor=actor_of(world, Role.CANTEEN), place="厨房", kind="boiler")
    assert WaterUnit.objects.count() == 1


# --- pages and API -------------------------------------------------------------------------------------


def test_the_canteen_records_on_the_pages(world, login, unit):
    client = login(world.k1.users[Role.CANTEEN])
    today = timezone.localdate().isoformat()
    response = client.post("/k/k1/foodsafety/pests/new/", {"done_on": today, "place": "厨房", "kind": "cockroach",
                                                            "method": "杀蟑胶饵", "signs_found": "on"})
    assert response.status_code == 200 and PestCheck.objects.count() == 0  # signs found without the action
    response = client.post("/k/k1/foodsafety/pests/new/", {
        "done_on": today, "place": "厨房", "kind": "cockroach", "method": "杀蟑胶饵", "signs_found": "on",
        "findings": "灶台下见活蟑螂两只", "action": "投放胶饵，清理灶台下油污"})
    assert response.status_code == 302 and PestCheck.objects.get().signs_found
    assert "灶台下见活蟑螂两只" in client.get("/k/k1/foodsafety/pests/").content.decode()
    response = client.post("/k/k1/foodsafety/water/filters/new/", {"unit": unit.pk, "changed_on": today})
    assert response.status_code == 302 and FilterChange.objects.get().unit == unit
    response = client.post("/k/k1/foodsafety/water/tests/new/", {
        "unit": unit.pk, "tested_on": today, "tester": "lab", "lab": "区疾控中心", "passed": "1",
        "report": SimpleUploadedFile("report.pdf", pdf_bytes())})
    assert response.status_code == 302
    test = WaterTest.objects.get()
    assert test.passed and client.get(f"/k/k1/foodsafety/water/tests/{test.code}/report/").status_code == 200
    assert "区疾控中心" in client.get("/k/k1/foodsafety/water/").content.decode()


def test_the_api_calls_the_same_functions(world, login, unit):
    client = login(world.k1.users[Role.CANTEEN])
    response = client.post("/api/k/k1/foodsafety/pests", {"place": "", "kind": "rodent", "method": "粘鼠板",
                                                          "signs_found": True}, content_type="application/json")
    assert response.status_code == 422 and PestCheck.objects.count() == 0
    response = client.post("/api/k/k1/foodsafety/pests", {"place": "食品库", "kind": "rodent", "method": "粘鼠板"},
                           content_type="application/json")
    assert response.status_code == 201 and response.json()["recorded_by"]
    assert client.get("/api/k/k1/foodsafety/pests/due").json()["overdue"] is False
    response = client.post("/api/k/k1/foodsafety/water/filters", {"unit_code": str(unit.code)},
                           content_type="application/json")
    assert response.status_code == 201
    response = client.post("/api/k/k1/foodsafety/water/tests", {"unit_code": str(unit.code), "tester": "self",
                                                                "passed": False, "result": "余氯偏低"},
                           content_type="application/json")
    assert response.status_code == 201 and response.json()["hazard_code"]
    units = client.get("/api/k/k1/foodsafety/water/units").json()
    assert units[0]["last_test_passed"] is False and units[0]["filter_due"]
    response = client.post("/api/k/k1/foodsafety/water/units", {"place": "厨房", "kind": "boiler"},
                           content_type="application/json")
    assert response.status_code == 403  # the register is the director's and the health teacher's
    code = response = client.get("/api/k/k1/foodsafety/pests").json()[0]["code"]
    response = login(world.k1.users[Role.DIRECTOR]).post(f"/api/k/k1/foodsafety/pests/{code}/void",
                                                         {"reason": "录错"}, content_type="application/json")
    assert response.status_code == 409  # kept until its retention date


# --- the kitchen's missing records, each for whom it falls to ----------------------------------------


def test_dishes_without_production_are_a_todo_for_the_kitchen(world, canteen):
    from houqin.foodsafety import production
    from houqin.foodsafety.navigation import kitchen_todos, todos_for
    from houqin.foodsafety.tests.conftest import publish_menu

    kg, today = world.k1.kg, timezone.localdate()
    menus = {}
    for n in (2, 1, 0):
        day = days(-n)
        monday = day - dt.timedelta(days=day.weekday())
        if monday not in menus:
            menus[monday] = publish_menu(world, day=day)
    morning = timezone.make_aware(dt.datetime.combine(today, dt.time(9)))
    missing = [t for t in kitchen_todos(kg, today=today, now=morning) if t.extra["kind"] == "production_missing"]
    assert [(t.due, t.urgency) for t in missing] == [(days(-2), 3), (days(-1), 3)]  # today not yet
    assert missing[-1].title.startswith("3")
    menu = menus[days(-1) - dt.timedelta(days=days(-1).weekday())]
    production.production_record(
        actor=canteen, day=days(-1), meal="lunch", dish_code=menu.dishes[0].code, planned_portions=50,
        served_portions=48, cooked_kg="6", served_kg="5.5", leftover_kg="0.3", plate_waste_kg="0.4",
        cooked_at=dt.time(10, 40), served_at=dt.time(11, 20))
    afternoon = timezone.make_aware(dt.datetime.combine(today, dt.time(16)))
    missing = [t for t in kitchen_todos(kg, today=today, now=afternoon) if t.extra["kind"] == "production_missing"]
    assert [(t.due, t.urgency, t.title[0]) for t in missing] == [(days(-2), 3, "3"), (days(-1), 3, "2"),
                                                                 (today, 2, "3")]
    # in Chinese the day reads as on the rest of the page (2026年12月7日), not 12-07
    with translation.override("zh-hans"):
        first = next(t for t in kitchen_todos(kg, today=today, now=afternoon) if t.extra["kind"] == "production_missing")
    d = days(-2)
    assert first.title == f"{d.year}年{d.month}月{d.day}日有3道菜未做生产记录"
    # the canteen sees them; the class teacher nothing of the kitchen's
    assert "production_missing" in [t.extra["kind"] for t in todos_for(canteen, today)]
    assert todos_for(actor_of(world, Role.CLASS_TEACHER), today) == []


def test_duties_not_recorded_in_their_period_go_to_the_officer_and_the_principal(world, director):
    from houqin.foodsafety import duties
    from houqin.foodsafety.navigation import todos_for
    from houqin.foodsafety.tests.conftest import publish_menu

    publish_menu(world)
    health, principal = actor_of(world, Role.HEALTH_TEACHER), actor_of(world, Role.PRINCIPAL)
    today = timezone.localdate()
    kinds = lambda actor, day=today: {t.extra["kind"] for t in todos_for(actor, day)}  # noqa: E731
    assert "duty_daily" in kinds(health) and "duty_daily" not in kinds(principal)
    duties.duty_record(actor=health, kind="daily", results={k: {"passed": True} for k, _t in duties.duty_items("daily")})
    assert "duty_daily" not in kinds(health)
    friday = dt.date(2031, 1, 24)  # a Friday late in a month with nothing recorded
    assert {"duty_weekly", "duty_monthly"} <= kinds(director, friday)
    assert "duty_weekly" in kinds(health, friday) and "duty_monthly" not in kinds(health, friday)
    assert "duty_monthly" in kinds(principal, friday) and "duty_weekly" not in kinds(principal, friday)
    monthly = next(t for t in todos_for(principal, dt.date(2031, 1, 30)) if t.extra["kind"] == "duty_monthly")
    assert monthly.urgency == 3 and monthly.due == dt.date(2031, 1, 31)
    assert "duty_monthly" not in kinds(principal, dt.date(2031, 1, 10))  # early in the month: not yet


def test_each_unit_shows_its_latest_change_and_test_in_force(world, canteen, director, unit):
    other = logs.water_unit_save(actor=director, place="大一班", kind="direct", filter_model="RO-400")
    never = logs.water_unit_save(actor=director, place="厨房", kind="direct")
    logs.filter_change_record(actor=canteen, unit=unit, changed_on=days(-40))
    same_day_first = logs.filter_change_record(actor=canteen, unit=unit, changed_on=days(-10))
    same_day_last = logs.filter_change_record(actor=canteen, unit=unit, changed_on=days(-10))
    logs.filter_change_record(actor=canteen, unit=other, changed_on=days(-30))
    older = logs.water_test_record(actor=canteen, unit=other, tester="self", passed=True, tested_on=days(-20))
    voided = logs.water_test_record(actor=canteen, unit=other, tester="self", passed=False, result="浑浊",
                                    tested_on=days(-5))
    WaterTest.objects.filter(pk=voided.pk).update(voided_at=timezone.now())
    states = {s["unit"].pk: s for s in logs.unit_states(world.k1.kg, timezone.localdate())}
    assert states[unit.pk]["change"] == same_day_last != same_day_first
    assert states[unit.pk]["test"] is None and states[never.pk]["change"] is None
    assert states[other.pk]["change"].changed_on == days(-30)
    assert states[other.pk]["test"] == older and not states[other.pk]["test_failed"]

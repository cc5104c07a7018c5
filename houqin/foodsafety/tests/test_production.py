"""Production, serving and waste: one record per dish per meal, linked to the sample of that batch;
weights out of reason refused with every problem named and nothing saved; waste per dish and per
child, a dish the children leave flagged for the meal committee; the kitchen records it on a page
and through the API."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from houqin.core.errors import Conflict, DomainError, Forbidden
from houqin.foodsafety import production, services
from houqin.foodsafety.models import ProductionRecord
from houqin.foodsafety.tests.conftest import actor_of, publish_menu
from houqin.org.models import Role

pytestmark = pytest.mark.django_db


def _good(menu, **kw):
    return {"day": timezone.localdate() - dt.timedelta(days=1), "meal": "lunch", "dish_code": menu.dishes[0].code,
            "planned_portions": 100, "served_portions": 96, "cooked_kg": "12.5", "served_kg": "11.8",
            "leftover_kg": "0.6", "plate_waste_kg": "0.9", "cooked_at": dt.time(10, 40),
            "served_at": dt.time(11, 20), **kw}


@pytest.fixture
def menu(world):
    return publish_menu(world, day=timezone.localdate() - dt.timedelta(days=1))


def test_a_dish_is_recorded_once_with_its_sample(world, canteen, menu):
    day = timezone.localdate() - dt.timedelta(days=1)
    sample = services.sample_record(actor=canteen, day=day, meal="lunch", dish_code=menu.dishes[0].code,
                                    weight_grams="130", fridge="1", stored_at=timezone.now() - dt.timedelta(days=1))
    record = production.production_record(actor=canteen, **_good(menu))
    assert record.sample == sample
    assert record.dish_name == "番茄炒蛋" and record.cooked_by == canteen.user
    assert record.cooked_kg == Decimal("12.50") and record.served_portions == 96
    assert record.retain_until >= day + dt.timedelta(days=365 * 2)
    assert timezone.localtime(record.served_at).time() == dt.time(11, 20)
    with pytest.raises(Conflict):
        production.production_record(actor=canteen, **_good(menu))
    assert ProductionRecord.objects.count() == 1


@pytest.mark.parametrize("change, field", [
    ({"cooked_kg": "-3"}, "cooked_kg"),
    ({"plate_waste_kg": "-0.1"}, "plate_waste_kg"),
    ({"cooked_kg": "12500", "served_kg": "11", "leftover_kg": "1", "plate_waste_kg": "1"}, "cooked_kg"),  # grams typed
    ({"cooked_kg": "150", "served_kg": "11", "leftover_kg": "1", "plate_waste_kg": "1"}, "cooked_kg"),  # 1.5 kg a child
    ({"served_kg": "13"}, "served_kg"),  # more served than cooked
    ({"leftover_kg": "5"}, "leftover_kg"),  # served + left over far above cooked
    ({"plate_waste_kg": "12"}, "plate_waste_kg"),  # more on the plates than served
    ({"served_kg": ""}, "served_kg"),
    ({"planned_portions": 0}, "planned_portions"),
    ({"served_portions": "x"}, "served_portions"),
    ({"served_at": dt.time(10, 0)}, "served_at"),  # served before cooked
    ({"cooked_at": None}, "cooked_at"),
    ({"dish_code": "00000000-0000-0000-0000-000000000000"}, "dish_code"),
    ({"day": timezone.localdate() + dt.timedelta(days=1)}, "day"),
])
def test_bad_figures_are_refused_and_nothing_is_saved(world, canteen, menu, change, field):
    with pytest.raises(DomainError) as exc:
        production.production_record(actor=canteen, **_good(menu, **change))
    assert field in {e["field"] for e in exc.value.errors}
    assert all(e["message"] for e in exc.value.errors)
    assert ProductionRecord.objects.count() == 0
    assert ProductionRecord.history.count() == 0


def test_every_problem_is_named_at_once(world, canteen, menu):
    with pytest.raises(DomainError) as exc:
        production.production_record(actor=canteen, **_good(menu, served_kg="20", plate_waste_kg="-1",
                                                             planned_portions=-2))
    assert {"served_kg", "plate_waste_kg", "planned_portions"} <= {e["field"] for e in exc.value.errors}


def test_a_teacher_may_not_record_production(world, menu):
    with pytest.raises(Forbidden):
        production.production_record(actor=actor_of(world, Role.CLASS_TEACHER), **_good(menu))


def test_waste_per_dish_and_per_child_flags_the_dish_children_leave(world, canteen, menu):
    start = timezone.localdate() - dt.timedelta(days=1)
    production.production_record(actor=canteen, **_good(menu, plate_waste_kg="0.59"))  # 5 %: eaten
    production.production_record(actor=canteen, **_good(menu, dish_code=menu.dishes[1].code, served_kg="10",
                                                        plate_waste_kg="2.4", served_portions=80))  # 24 %: left
    rows = {r["dish_name"]: r for r in production.waste_by_dish(actor=canteen, start=start, end=timezone.localdate())}
    spinach, eggs = rows["清炒菠菜"], rows["番茄炒蛋"]
    assert spinach["percent"] == 24 and spinach["grams_per_child"] == 30 and spinach["flagged"]
    assert eggs["percent"] == 5 and not eggs["flagged"]
    assert [r["dish_name"] for r in production.committee_dishes(actor=canteen, start=start,
                                                                end=timezone.localdate())] == ["清炒菠菜"]
    (day,) = production.waste_by_day(actor=canteen, start=start, end=timezone.localdate())
    assert day["plate_waste_kg"] == Decimal("2.99") and day["children"] == 176
    assert day["grams_per_child"] == 17  # 2990 g / 176 children
    # another kindergarten sees none of it
    assert production.waste_by_dish(actor=actor_of(world, Role.DIRECTOR, "k2"), start=start,
                                    end=timezone.localdate()) == []


def test_the_meal_committee_sees_the_dishes_children_leave(world, canteen, login, menu):
    from houqin.canteen import services as canteen_services

    production.production_record(actor=canteen, **_good(menu, plate_waste_kg="0.59"))  # 5 %: eaten
    production.production_record(actor=canteen, **_good(menu, dish_code=menu.dishes[1].code, served_kg="10",
                                                        plate_waste_kg="2.4", served_portions=80))  # 24 %: left
    director = actor_of(world, Role.DIRECTOR)
    meeting = canteen_services.meeting_create(actor=director, held_on=timezone.localdate(), members="园长\n家长代表",
                                              minutes="讨论剩菜")
    client = login(world.k1.users[Role.DIRECTOR])
    for url in ("/k/k1/canteen/committee/", f"/k/k1/canteen/committee/{meeting.code}/"):
        page = client.get(url).content.decode()
        assert page.count('data-testid="committee-dish"') == 1 and "清炒菠菜" in page and "24%" in page
    left = client.get(f"/api/k/k1/canteen/committee/{meeting.code}").json()["dishes_left"]
    assert [(d["dish_name"], d["percent"], d["grams_per_child"]) for d in left] == [("清炒菠菜", "24", "30")]
    # a meeting held before the dish was served looks back on weeks without it
    old = canteen_services.meeting_create(actor=director, held_on=timezone.localdate() - dt.timedelta(days=3),
                                          members="园长\n家长代表", minutes="上次会议")
    assert client.get(f"/api/k/k1/canteen/committee/{old.code}").json()["dishes_left"] == []


def test_the_kitchen_records_production_on_its_page(world, login, menu):
    client = login(world.k1.users[Role.CANTEEN])
    day = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    page = client.get(f"/k/k1/foodsafety/?day={day}")
    assert b'data-testid="record-production"' in page.content
    url = f"/k/k1/foodsafety/production/new/?day={day}"
    form = {"dish_code": f"lunch|{menu.dishes[0].code}", "planned_portions": "100", "served_portions": "96",
            "cooked_kg": "12.5", "served_kg": "13.1", "leftover_kg": "0", "plate_waste_kg": "0.5",
            "cooked_at": "10:40", "served_at": "11:20"}
    bad = client.post(url, form)
    assert bad.status_code == 200
    assert "分餐量（13.1千克）超过了烹制量（12.5千克）。" in bad.content.decode()  # pages speak Chinese
    assert ProductionRecord.objects.count() == 0
    assert client.post(url, {**form, "served_kg": "11.8"}).status_code == 302
    record = ProductionRecord.objects.get()
    assert record.served_kg == Decimal("11.80") and record.plate_waste_kg == Decimal("0.50")
    page = client.get(f"/k/k1/foodsafety/?day={day}")
    assert b'data-testid="production-done"' in page.content
    listing = client.get("/k/k1/foodsafety/production/").content.decode()
    assert 'data-dish="番茄炒蛋"' in listing


def test_the_api_records_and_reports_waste(world, login, menu):
    client = login(world.k1.users[Role.CANTEEN])
    payload = {**_good(menu), "day": str(_good(menu)["day"]), "dish_code": str(menu.dishes[0].code),
               "cooked_at": "10:40", "served_at": "11:20"}
    bad = client.post("/api/k/k1/foodsafety/production", {**payload, "plate_waste_kg": "99"},
                      content_type="application/json")
    assert bad.status_code == 422
    assert ProductionRecord.objects.count() == 0
    response = client.post("/api/k/k1/foodsafety/production", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    code = response.json()["code"]
    assert client.get(f"/api/k/k1/foodsafety/production/{code}").json()["plate_waste_kg"] == "0.90"
    waste = client.get("/api/k/k1/foodsafety/production/waste").json()
    assert waste["by_dish"][0]["dish_name"] == "番茄炒蛋" and waste["by_dish"][0]["percent"] == "8"
    teacher = login(world.k1.users[Role.CLASS_TEACHER])
    assert teacher.post("/api/k/k1/foodsafety/production", payload,
                        content_type="application/json").status_code == 403


# --- disinfection against the rule figures -----------------------------------------------------------


@pytest.mark.parametrize("kw, field", [
    ({"method": "steam", "minutes": 20}, "temperature"),  # no reading
    ({"method": "steam", "minutes": 20, "temperature": 95}, "temperature"),
    ({"method": "boiling", "minutes": 8, "temperature": 100}, "minutes"),
    ({"method": "cabinet", "minutes": 30, "temperature": 110}, "temperature"),  # infrared cabinet needs 120 °C
    ({"method": "chemical", "minutes": 20}, "chlorine_mg_l"),  # no test-strip reading
    ({"method": "chemical", "minutes": 20, "chlorine_mg_l": 50}, "chlorine_mg_l"),
    ({"method": "chemical", "minutes": 20, "chlorine_mg_l": 500}, "chlorine_mg_l"),
])
def test_disinfection_outside_the_rule_is_refused(world, canteen, kw, field):
    from houqin.foodsafety.models import TablewareDisinfection

    with pytest.raises(DomainError) as exc:
        services.tableware_record(actor=canteen, day=None, meal="lunch", **kw)
    assert field in {e["field"] for e in exc.value.errors}
    assert TablewareDisinfection.objects.count() == 0


def test_disinfection_within_the_rule_and_the_kindergartens_own_figure(world, canteen, director):
    from houqin.core import rules as core_rules
    from houqin.foodsafety.models import FigureKey

    log = services.tableware_record(actor=canteen, day=None, meal="lunch", method="chemical", minutes=20,
                                    chlorine_mg_l="200")
    assert log.chlorine_mg_l == 200
    services.tableware_record(actor=canteen, day=None, meal="breakfast", method="cabinet", minutes=15,
                              temperature=120)
    core_rules.override_set(actor=director, area="foodsafety", key=FigureKey.CABINET_MIN_C, value="125",
                            source="本园消毒柜说明书")
    with pytest.raises(DomainError):
        services.tableware_record(actor=canteen, day=None, meal="afternoon_snack", method="cabinet", minutes=15,
                                  temperature=120)


def test_a_time_sent_with_its_offset_is_kept(world, canteen, menu):
    """The API fuzz sent "00:00:00Z": a time with its offset is that moment of the day, not a 500."""
    utc = dt.timezone.utc
    record = production.production_record(actor=canteen, **_good(menu, cooked_at=dt.time(2, 40, tzinfo=utc),
                                                                 served_at=dt.time(3, 20, tzinfo=utc)))
    assert record.served_at - record.cooked_at == dt.timedelta(minutes=40)
    assert record.cooked_at.astimezone(utc).time() == dt.time(2, 40)

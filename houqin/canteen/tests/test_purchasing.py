"""Purchase plans and cost control, against a hand calculation.

The suite's day is Wednesday 2026-11-25; the plan is for the menu of the week of 30 November (five
days: milk 200 g, rice 50 g, greens 60 g, pork 30 g and oil 5 g a child a day).

Attendance of k1 (3 classes of 2 children, all small classes) on the 10 school days 11–24 November:
小一班 always present (rate 1), 中一班 5 absences of 20 (0.75), 大一班 2 of 20 (0.9). Known leave:
one child of 小一班 on Tue 1 December, one of 中一班 on Wed 2 December.
Children expected: Mon 2+2+2 = 6 (2 × 0.75 = 1.5 → 2, 2 × 0.9 = 1.8 → 2); Tue (2−1)×1 + 2 + 2 = 5;
Wed 2 + (2−1)×0.75 = 0.75 → 1 + 2 = 5; Thu 6; Fri 6 → 28 child-days.

Stock items (latest price, supplier): rice 斤 ¥2.60 (粮油; 2 斤 in stock, keeps), milk 箱 of 4,800 g
¥62.00 (乳品, keeps), greens 斤 ¥3.20 and pork 斤 ¥16.50 (蔬菜, fresh); oil has no stock item.
- rice: 28 × 50 g = 1,400 g = 2.8 斤 on Monday; 2 from stock, buy 0.8 (¥2.08); cost 2.8 × 2.60 = 7.28
- milk: 28 × 200 g = 5,600 g = 1.167 箱 on Monday; buy 1.2 (¥74.40); cost 1.167 × 62 = 72.354
- greens by day 360/300/300/360/360 g = 0.72/0.6/0.6/0.72/0.72 斤; buy 0.8/0.6/0.6/0.8/0.8 (¥11.52);
  cost 3.36 × 3.20 = 10.752
- pork by day 0.36/0.3/0.3/0.36/0.36 斤; buy 0.4/0.3/0.3/0.4/0.4 (¥29.70); cost 1.68 × 16.50 = 27.72
Food cost 118.106 → ¥118.11, ÷ 28 = ¥4.22 a child-day; fee ¥4.30 → −1.86 % (within ±2 %);
to buy ¥117.70.
"""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client

from houqin.canteen import purchasing, services
from houqin.canteen.models import CanteenSettings, Menu, PurchasePlan, PurchasePlanLine, StockFoodLink
from houqin.canteen.tests.conftest import GREENS, MILK, OIL, PORK, RICE, actor_of, food, make_menu
from houqin.core.errors import Conflict, DomainError
from houqin.org.models import Role
from houqin.testing import MISSING, run_matrix

pytestmark = pytest.mark.django_db
WEEK = dt.date(2026, 11, 30)
D = Decimal


def past_school_days():
    day, days = dt.date(2026, 11, 11), []
    while day <= dt.date(2026, 11, 24):
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    assert len(days) == 10
    return days


@pytest.fixture
def planning(world):
    return plan_world(world)


def plan_world(world):
    """The world of the hand calculation (attendance, stock, prices, links, the menu as a draft)."""
    from houqin.health.models import Attendance
    from houqin.stock import services as stock
    from houqin.stock.models import Category, Item, Supplier
    from houqin.stock.tests.conftest import make_store

    kg = world.k1.kg
    small, middle, large = world.k1.classes
    kids = {c.pk: [ch for ch in world.k1.children if ch.school_class_id == c.pk] for c in world.k1.classes}
    absent = {(middle.pk, 0, 0), (middle.pk, 0, 3), (middle.pk, 1, 5), (middle.pk, 1, 7), (middle.pk, 1, 9),
              (large.pk, 0, 2), (large.pk, 1, 8)}
    Attendance.objects.bulk_create([
        Attendance(kindergarten=kg, child=child, school_class_id=cid, date=day,
                   status="sick" if (cid, i, d) in absent else "present")
        for cid, children in kids.items() for i, child in enumerate(children)
        for d, day in enumerate(past_school_days())])
    # known leave, recorded ahead (a parent's call)
    Attendance.objects.create(kindergarten=kg, child=kids[small.pk][0], school_class=small, date=WEEK + dt.timedelta(1),
                              status="personal")
    Attendance.objects.create(kindergarten=kg, child=kids[middle.pk][1], school_class=middle,
                              date=WEEK + dt.timedelta(2), status="sick")
    store = make_store(world)
    keeper = actor_of(world, Role.STOREKEEPER)
    dairy = Supplier.objects.create(kindergarten=kg, name="乳品配送部")
    veg = Supplier.objects.create(kindergarten=kg, name="蔬菜配送站")
    milk = Item.objects.create(kindergarten=kg, name="牛奶", unit="箱", category=Category.DAIRY, shelf_life_days=21)
    greens = Item.objects.create(kindergarten=kg, name="青菜", unit="斤", category=Category.VEGETABLE, shelf_life_days=3)
    pork = Item.objects.create(kindergarten=kg, name="猪肉", unit="斤", category=Category.MEAT_EGG, shelf_life_days=3)
    receive = stock.receive
    receive(actor=keeper, warehouse=store.food, item=store.rice, quantity="1", unit_cost="2.40", supplier=store.supplier,
            occurred_on=dt.date(2026, 11, 2), production_date=dt.date(2026, 10, 20))
    receive(actor=keeper, warehouse=store.food, item=store.rice, quantity="1", unit_cost="2.60", supplier=store.supplier,
            occurred_on=dt.date(2026, 11, 20), production_date=dt.date(2026, 11, 10))
    receive(actor=keeper, warehouse=store.food, item=milk, quantity="1", unit_cost="62.00", supplier=dairy,
            occurred_on=dt.date(2026, 11, 16), production_date=dt.date(2026, 11, 15))
    receive(actor=keeper, warehouse=store.food, item=greens, quantity="3", unit_cost="3.20", supplier=veg,
            occurred_on=dt.date(2026, 11, 24), production_date=dt.date(2026, 11, 24))
    receive(actor=keeper, warehouse=store.food, item=pork, quantity="2", unit_cost="16.50", supplier=veg,
            occurred_on=dt.date(2026, 11, 24), production_date=dt.date(2026, 11, 24))
    # the milk and the fresh food were used up (issued to the kitchen); 2 斤 of rice stay
    stock.kitchen_issue_day(actor=actor_of(world, Role.CANTEEN), warehouse=store.food, occurred_on=dt.date(2026, 11, 24),
                            lines=[{"item": milk, "quantity": "1"}, {"item": greens, "quantity": "3"},
                                   {"item": pork, "quantity": "2"}])
    CanteenSettings.objects.create(kindergarten=kg, meals=["breakfast", "lunch", "afternoon_snack"],
                                   meal_fee_per_day=D("4.30"))
    for item, code, grams in ((store.rice, RICE, 500), (milk, MILK, 4800), (greens, GREENS, 500), (pork, PORK, 500)):
        StockFoodLink.objects.create(kindergarten=kg, item=item, food=food(code), grams_per_unit=grams)
    health = actor_of(world, Role.HEALTH_TEACHER)
    menu = make_menu(health, _dishes(health), week_start=WEEK)
    return menu


def _dishes(actor):
    mk = services.dish_save
    return {
        "rice": mk(actor=actor, name="米饭", category="staple", ingredients=[{"food": food(RICE), "grams_raw": "50"}]),
        "milk": mk(actor=actor, name="牛奶", category="milk", ingredients=[{"food": food(MILK), "grams_raw": "200"}]),
        "greens": mk(actor=actor, name="青菜肉丝", category="meat", ingredients=[
            {"food": food(GREENS), "grams_raw": "60"}, {"food": food(PORK), "grams_raw": "30"},
            {"food": food(OIL), "grams_raw": "5"}]),
        "egg": mk(actor=actor, name="蒸鸡蛋羹", category="meat", ingredients=[{"food": food("111101x"), "grams_raw": "46"}]),
    }


def _publish(world, menu):
    return services.menu_publish(actor=actor_of(world, Role.HEALTH_TEACHER), menu=menu, notify=False)


def test_the_plan_matches_the_hand_calculation(world, planning):
    menu = _publish(world, planning)
    plan = purchasing.plan_generate(actor=actor_of(world, Role.CANTEEN), menu=menu)
    assert plan.child_days == 28
    expected = {row["name"]: row["expected"] for row in plan.attendance}
    assert expected["小一班"] == {"2026-11-30": 2, "2026-12-01": 1, "2026-12-02": 2, "2026-12-03": 2, "2026-12-04": 2}
    assert expected["中一班"] == {"2026-11-30": 2, "2026-12-01": 2, "2026-12-02": 1, "2026-12-03": 2, "2026-12-04": 2}
    assert {row["name"]: row["rate"] for row in plan.attendance} == {"小一班": "1.0000", "中一班": "0.7500",
                                                                      "大一班": "0.9000"}
    lines = {(ln.name, ln.day): ln for ln in plan.lines.all()}
    rice = lines[("大米", WEEK)]
    assert (rice.grams, rice.needed, rice.from_stock, rice.to_buy, rice.unit_price, rice.amount) == (
        D("1400.0"), D("2.800"), D("2.000"), D("0.8"), D("2.6000"), D("2.08"))
    assert rice.supplier_name == "城南粮油k1" and rice.price_on == dt.date(2026, 11, 20)
    milk = lines[("牛奶", WEEK)]
    assert (milk.needed, milk.to_buy, milk.amount, milk.supplier_name) == (D("1.167"), D("1.2"), D("74.40"), "乳品配送部")
    assert not any(name == "牛奶" and day != WEEK for name, day in lines)  # milk keeps: bought for the week at once
    greens = [lines[("青菜", WEEK + dt.timedelta(d))].to_buy for d in range(5)]
    assert greens == [D("0.8"), D("0.6"), D("0.6"), D("0.8"), D("0.8")]
    pork = [lines[("猪肉", WEEK + dt.timedelta(d))].needed for d in range(5)]
    assert pork == [D("0.360"), D("0.300"), D("0.300"), D("0.360"), D("0.360")]
    assert plan.food_cost == D("118.11") and plan.cost_per_child_day == D("4.22")
    assert plan.to_buy_cost == D("117.70")
    assert plan.fee_per_day == D("4.30") and plan.difference_pct == D("-1.86") and plan.tolerance_pct == D("2")
    assert not plan.outside_fee
    assert len(plan.unpriced) == 1 and "油" in plan.unpriced[0]  # oil: no stock item, no price
    # by delivery day and supplier: what receiving expects on Monday
    monday = purchasing.expected_deliveries(kindergarten=world.k1.kg, day=WEEK)
    assert {s["supplier"]: [ln["name"] for ln in s["lines"]] for s in monday} == {
        "城南粮油k1": ["大米"], "乳品配送部": ["牛奶"], "蔬菜配送站": ["猪肉", "青菜"]}


def test_an_unpublished_menu_is_refused_and_nothing_is_saved(world, planning):
    with pytest.raises(DomainError) as exc:
        purchasing.plan_generate(actor=actor_of(world, Role.CANTEEN), menu=planning)
    assert "has not been published" in exc.value.errors[0]["message"]
    assert not PurchasePlan.objects.exists() and not PurchasePlanLine.objects.exists()


def test_no_attendance_to_go_on_is_refused_and_nothing_is_saved(world, planning):
    from houqin.health.models import Attendance

    Attendance.objects.filter(date__lt=WEEK).delete()
    menu = _publish(world, planning)
    with pytest.raises(DomainError) as exc:
        purchasing.plan_generate(actor=actor_of(world, Role.CANTEEN), menu=menu)
    assert "No attendance has been recorded in the last 4 weeks" in exc.value.errors[0]["message"]
    assert not PurchasePlan.objects.exists() and not PurchasePlanLine.objects.exists()


def test_a_plan_stays_as_planned_and_is_made_again_only_with_a_reason(world, planning):
    canteen = actor_of(world, Role.CANTEEN)
    menu = _publish(world, planning)
    first = purchasing.plan_generate(actor=canteen, menu=menu)
    # the price changes: the kept plan does not
    from houqin.stock.models import Batch

    Batch.objects.filter(item__name="大米").update(unit_cost=D("3.00"))
    first.refresh_from_db()
    assert first.food_cost == D("118.11")
    with pytest.raises(Conflict):
        purchasing.plan_generate(actor=canteen, menu=menu)
    with pytest.raises(DomainError):
        purchasing.plan_generate(actor=canteen, menu=menu, replace=True, reason=" ")
    second = purchasing.plan_generate(actor=canteen, menu=menu, replace=True, reason="大米涨价")
    first.refresh_from_db()
    assert first.is_voided and "大米涨价" in first.void_reason
    assert second.food_cost == D("119.23")  # rice 2.8 × 3.00 = 8.40 instead of 7.28
    assert list(PurchasePlan.objects.active().filter(menu=menu)) == [second]


def test_the_portion_factor_of_the_class_scales_the_grams(world, planning):
    CanteenSettings.objects.filter(kindergarten=world.k1.kg).update(factor_small=D("0.5"))
    plan = purchasing.plan_generate(actor=actor_of(world, Role.CANTEEN), menu=_publish(world, planning))
    rice = plan.lines.get(name="大米")
    assert rice.grams == D("700.0") and plan.child_days == 28  # half portions, the same children


def test_a_week_far_from_the_fee_is_a_warning_while_editing_and_on_the_plan(world, planning):
    from houqin.canteen import selectors

    health = actor_of(world, Role.HEALTH_TEACHER)
    assert not [w for w in selectors.menu_warnings(planning, actor=health) if w["kind"] == "cost"]
    CanteenSettings.objects.filter(kindergarten=world.k1.kg).update(meal_fee_per_day=D("3.50"))
    warnings = [w for w in selectors.menu_warnings(planning, actor=health) if w["kind"] == "cost"]
    assert len(warnings) == 1 and "4.22" in warnings[0]["message"] and "above the meal fee" in warnings[0]["message"]
    # the class teacher reads the menu, not its money
    assert not [w for w in selectors.menu_warnings(planning, actor=actor_of(world, Role.CLASS_TEACHER))
                if w["kind"] == "cost"]
    plan = purchasing.plan_generate(actor=actor_of(world, Role.CANTEEN), menu=_publish(world, planning))
    assert plan.outside_fee and plan.difference_pct == D("20.57")


def test_the_compute_is_exact_and_takes_stock_by_the_earliest_day():
    days = [WEEK, WEEK + dt.timedelta(1)]
    info = purchasing.ItemInfo(item_id=1, name="青菜", unit="斤", grams_per_unit=D("500"), fresh=True,
                               unit_price=D("3.3333"), supplier_id=9, supplier_name="菜场")
    result = purchasing.compute_plan(
        days=days, portions={days[0]: D("10"), days[1]: D("10")}, children={days[0]: D("10"), days[1]: D("10")},
        grams={days[0]: {5: D("100")}, days[1]: {5: D("100")}}, food_names={5: "青菜"}, items={5: info},
        on_hand={1: D("2.5")})
    assert [(ln["needed"], ln["from_stock"], ln["to_buy"]) for ln in result.lines] == [
        (D("2.000"), D("2.000"), D("0.0")), (D("2.000"), D("0.5"), D("1.5"))]
    assert result.food_cost == D("13.33") and result.cost_per_child_day == D("0.67")
    assert purchasing.expected_for_class(enrolled=3, on_leave=0, rate=D("0.5")) == 2  # 1.5 rounds half up
    assert purchasing.difference_pct(D("13.23"), D("13.50")) == D("-2.00")


def test_pages_and_api_make_and_show_the_plan(world, planning):
    menu = _publish(world, planning)
    client = Client()
    client.force_login(world.k1.users[Role.CANTEEN])
    page = client.get("/k/k1/canteen/purchase/")
    assert page.status_code == 200 and str(menu.code) in page.content.decode()
    response = client.post(f"/k/k1/canteen/menus/{menu.code}/purchase-plan/")
    plan = PurchasePlan.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/purchase/{plan.code}/")
    body = client.get(response["Location"]).content.decode()
    assert "蔬菜配送站" in body and "¥4.22" in body
    api = client.get(f"/api/k/k1/canteen/purchase-plans/{plan.code}").json()
    assert api["cost_per_child_day"] == "4.22" and len(api["lines"]) == plan.lines.count()
    again = client.post(f"/api/k/k1/canteen/menus/{menu.code}/purchase-plan", data=json.dumps({}),
                        content_type="application/json")
    assert again.status_code == 409 and PurchasePlan.objects.count() == 1
    redo = client.post(f"/api/k/k1/canteen/menus/{menu.code}/purchase-plan",
                       data=json.dumps({"replace": True, "reason": "出勤变化"}), content_type="application/json")
    assert redo.status_code == 201 and PurchasePlan.objects.active().count() == 1
    deliveries = client.get(f"/api/k/k1/canteen/deliveries-expected?day={WEEK}").json()
    assert {d["supplier"] for d in deliveries} == {"城南粮油k1", "乳品配送部", "蔬菜配送站"}


def test_the_api_refuses_a_draft_menu_with_a_clear_message(world, planning):
    client = Client()
    client.force_login(world.k1.users[Role.DIRECTOR])
    response = client.post(f"/api/k/k1/canteen/menus/{planning.code}/purchase-plan", data=json.dumps({}),
                           content_type="application/json")
    assert response.status_code == 422 and not PurchasePlan.objects.exists()
    assert "尚未公布" in response.json()["detail"]  # in Chinese, the plain words


def test_the_month_balance_runs_on_the_canteens_home(world, planning):
    from houqin.health.models import Attendance

    # November so far: 53 child-days present (60 rows less 7 absences), billed at ¥4.30 = ¥227.90; food
    # issued on 24 November: milk ¥62.00, greens ¥9.60, pork ¥33.00 = ¥104.60 (no staff share) → ¥123.30
    present = Attendance.objects.filter(kindergarten=world.k1.kg, status="present", date__lt=WEEK).count()
    assert present == 53
    balance = purchasing.month_balance(kindergarten=world.k1.kg)
    assert balance["income"] == D("4.30") * 53 and balance["spent"] == D("104.60")
    assert balance["balance"] == D("227.90") - D("104.60")
    client = Client()
    client.force_login(world.k1.users[Role.DIRECTOR])
    home = client.get("/k/k1/canteen/").content.decode()
    assert 'data-testid="month-balance"' in home and "¥123.30" in home
    client.force_login(world.k1.users[Role.CLASS_TEACHER])
    assert 'data-testid="month-balance"' not in client.get("/k/k1/canteen/").content.decode()


ROUTES = [
    ("/k/{kg}/canteen/purchase/", "canteen.purchase.view", None),
    ("/k/{kg}/canteen/purchase/{code}/", "canteen.purchase.view", "plan"),
    ("/api/k/{kg}/canteen/purchase-plans", "canteen.purchase.view", None),
    ("/api/k/{kg}/canteen/purchase-plans/{code}", "canteen.purchase.view", "plan"),
    ("/api/k/{kg}/canteen/deliveries-expected?day=2026-11-30", "canteen.purchase.view", None),
    ("/api/k/{kg}/canteen/meal-balance", "canteen.purchase.view", None),
]


def test_matrix_every_role_every_route(world, planning):
    plan = purchasing.plan_generate(actor=actor_of(world, Role.CANTEEN), menu=_publish(world, planning))
    other = PurchasePlan.objects.create(
        kindergarten=world.k2.kg, menu=Menu.objects.create(kindergarten=world.k2.kg, week_start=WEEK), week_start=WEEK,
        child_days=1, food_cost=0, to_buy_cost=0, cost_per_child_day=0, tolerance_pct=2)
    mismatches, checked = run_matrix(world, ROUTES, {"plan": {"k1": plan, "other_kg": other, "missing": MISSING}})
    assert mismatches == [] and checked > 80


def test_only_the_menu_writers_make_plans(world, planning):
    menu = _publish(world, planning)
    for role, user in world.k1.users.items():
        client = Client()
        client.force_login(user)
        response = client.post(f"/k/k1/canteen/menus/{menu.code}/purchase-plan/")
        can = role in (Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN)
        assert response.status_code == (302 if can else 403), role
        if can:  # void it, so that the next role makes one again
            PurchasePlan.objects.update(voided_at=menu.published_at, void_reason="test")
    assert PurchasePlan.objects.count() == 3


def test_the_plan_list_runs_a_fixed_number_of_queries(world, planning, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    canteen = actor_of(world, Role.CANTEEN)
    client = Client()
    client.force_login(world.k1.users[Role.DIRECTOR])

    def count():
        client.get("/k/k1/canteen/purchase/")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/k/k1/canteen/purchase/").status_code == 200
        return len(ctx.captured_queries)

    purchasing.plan_generate(actor=canteen, menu=_publish(world, planning))
    one = count()
    for weeks in (1, 2, 3):
        health = actor_of(world, Role.HEALTH_TEACHER)
        menu = make_menu(health, _dishes_of(world), week_start=WEEK + dt.timedelta(days=7 * weeks))
        purchasing.plan_generate(actor=canteen, menu=_publish(world, menu))
    assert count() == one
    with django_assert_num_queries(one):
        client.get("/k/k1/canteen/purchase/")


def _dishes_of(world):
    from houqin.canteen.models import Dish

    return {d: Dish.objects.get(kindergarten=world.k1.kg, name=n)
            for d, n in (("milk", "牛奶"), ("rice", "米饭"), ("greens", "青菜肉丝"))}

"""Receiving from a purchase plan (今日应到货): each expected line received as delivered through the
storeroom's own receiving, linked back to the plan's line; the plan shows received against planned.

The plan of test_purchasing's `planning` world (week of 30 November): on Monday 大米 0.8 斤 at ¥2.60
(¥2.08), 牛奶 1.2 箱 at ¥62.00 (¥74.40), 青菜 0.8 斤 at ¥3.20, 猪肉 0.4 斤 at ¥16.50; on Tuesday 青菜 and 猪肉."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import clock_at
from houqin import policy
from houqin.canteen import purchasing
from houqin.canteen.models import PurchasePlanLine
from houqin.canteen.tests.conftest import actor_of
from houqin.canteen.tests.test_purchasing import WEEK, _publish, plan_world
from houqin.core.errors import Conflict, DomainError
from houqin.core.numbers import price_as_written
from houqin.org.models import Role
from houqin.stock.models import Movement, Warehouse, WarehouseKind

pytestmark = pytest.mark.django_db
D = Decimal
TUESDAY = WEEK + dt.timedelta(days=1)


@pytest.fixture
def plan(world):
    made = purchasing.plan_generate(actor=actor_of(world, Role.CANTEEN), menu=_publish(world, plan_world(world)))
    with clock_at(WEEK, 7, 30):  # Monday morning, the deliveries arrive
        yield made


def line(plan, name, day=WEEK) -> PurchasePlanLine:
    return plan.lines.get(name=name, day=day)


def food_store(world) -> Warehouse:
    return Warehouse.objects.get(kindergarten=world.k1.kg, kind=WarehouseKind.FOOD)


def test_a_line_is_received_as_delivered_and_the_plan_shows_the_difference(world, plan):
    keeper = actor_of(world, Role.STOREKEEPER)
    rice = line(plan, "大米")
    # partial, at a higher price
    movement = purchasing.receive_line(actor=keeper, line=rice, warehouse=food_store(world), quantity="0.5",
                                       unit_cost="2.80", production_date=WEEK - dt.timedelta(days=5))
    assert movement.kind == "receipt" and movement.batch.supplier == rice.supplier and movement.quantity == D("0.5")
    rice.refresh_from_db()
    assert rice.receipt == movement and rice.received_amount == D("1.40")
    assert rice.quantity_difference == D("-0.3") and rice.cost_difference == D("1.40") - D("2.08")
    # over the plan: 2 箱 of milk instead of 1.2
    milk = line(plan, "牛奶")
    purchasing.receive_line(actor=keeper, line=milk, warehouse=food_store(world), quantity="2", unit_cost="62",
                            production_date=WEEK)
    milk.refresh_from_db()
    assert milk.received_quantity == 2 and milk.cost_difference == D("124.00") - D("74.40")
    monday = purchasing.plan_groups(plan)[0]
    assert monday["received"] == {"count": 2, "planned": D("76.48"), "cost": D("125.40"), "difference": D("48.92")}
    delivered = {ln["name"]: ln["received"] for s in purchasing.expected_deliveries(kindergarten=world.k1.kg, day=WEEK)
                 for ln in s["lines"]}
    assert delivered["大米"]["amount"] == D("1.40") and delivered["青菜"] is None


def test_a_line_of_another_day_is_refused_and_nothing_is_saved(world, plan):
    before = Movement.objects.count()
    with pytest.raises(DomainError) as refused:
        purchasing.receive_line(actor=actor_of(world, Role.STOREKEEPER), line=line(plan, "青菜", TUESDAY),
                                warehouse=food_store(world), quantity="0.6", unit_cost="3.20", production_date=WEEK)
    assert refused.value.errors[0]["field"] == "occurred_on"
    assert Movement.objects.count() == before and not PurchasePlanLine.objects.filter(receipt__isnull=False).exists()


def test_a_line_is_received_once(world, plan):
    keeper = actor_of(world, Role.STOREKEEPER)
    pork = line(plan, "猪肉")
    args = {"warehouse": food_store(world), "quantity": "0.4", "unit_cost": "16.50", "production_date": WEEK}
    purchasing.receive_line(actor=keeper, line=pork, **args)
    before = Movement.objects.count()
    with pytest.raises(Conflict):
        purchasing.receive_line(actor=keeper, line=pork, **args)
    assert Movement.objects.count() == before


def test_bad_input_is_refused_by_the_storerooms_rules(world, plan):
    keeper = actor_of(world, Role.STOREKEEPER)
    with pytest.raises(DomainError) as refused:  # food needs its production date; a negative quantity
        purchasing.receive_line(actor=keeper, line=line(plan, "猪肉"), warehouse=food_store(world), quantity="-1",
                                unit_cost="16.50")
    fields = {e["field"] for e in refused.value.errors}
    assert {"quantity", "production_date"} <= fields
    assert not PurchasePlanLine.objects.filter(receipt__isnull=False).exists()


def test_a_line_of_another_kindergarten_is_refused(world, plan):
    from houqin.stock.tests.conftest import make_store

    other = make_store(world, "k2").food
    before = Movement.objects.count()
    with pytest.raises(policy.OutOfScope):
        purchasing.receive_line(actor=actor_of(world, Role.STOREKEEPER, "k2"), line=line(plan, "猪肉"), warehouse=other,
                                quantity="0.4", unit_cost="16.50", production_date=WEEK)
    with pytest.raises(policy.OutOfScope):  # nor into another kindergarten's store
        purchasing.receive_line(actor=actor_of(world, Role.STOREKEEPER), line=line(plan, "猪肉"), warehouse=other,
                                quantity="0.4", unit_cost="16.50", production_date=WEEK)
    assert Movement.objects.count() == before


def test_the_page_receives_a_line_in_a_fixed_number_of_queries(world, plan):
    client = Client()
    client.force_login(world.k1.users[Role.STOREKEEPER])
    url = "/k/k1/canteen/purchase/deliveries/"

    def count(day):
        client.get(f"{url}?date={day}")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"{url}?date={day}")
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode()

    tuesday, _body = count(TUESDAY)  # two lines
    monday, body = count(WEEK)  # four lines, three suppliers
    assert monday == tuesday and "今日应到货" in body and "乳品配送部" in body and body.count('data-testid="delivery-form"') == 4
    milk = line(plan, "牛奶")
    prefix = f"l{milk.pk}"
    # the planned price is offered as staff write it (yuan and fen), not as stored (62.0000)
    stored, written = milk.unit_price, price_as_written(milk.unit_price)
    assert str(stored) != str(written) and len(str(written).split(".")[1]) == 2
    assert f'name="{prefix}-unit_cost" value="{written}"' in body and f'value="{stored}"' not in body
    response = client.post(url, {"line": str(milk.code), f"{prefix}-quantity": "1.2", f"{prefix}-unit_cost": "63.50",
                                 f"{prefix}-production_date": WEEK.isoformat(),
                                 f"{prefix}-warehouse": str(food_store(world).code)})
    assert response.status_code == 302
    milk.refresh_from_db()
    assert milk.receipt.unit_cost == D("63.5") and milk.cost_difference == D("76.20") - D("74.40")
    after, body = count(WEEK)
    assert after == monday and body.count('data-testid="delivery-received"') == 1
    # a bad quantity: the page says why in Chinese, nothing saved
    pork = line(plan, "猪肉")
    response = client.post(url, {"line": str(pork.code), f"l{pork.pk}-quantity": "", f"l{pork.pk}-unit_cost": "16.5",
                                 f"l{pork.pk}-production_date": WEEK.isoformat(),
                                 f"l{pork.pk}-warehouse": str(food_store(world).code)})
    assert response.status_code == 200 and "此项为必填项" in response.content.decode()
    pork.refresh_from_db()
    assert pork.receipt is None
    # the plan shows the received line against the planned one
    detail = client.get(f"/k/k1/canteen/purchase/{plan.code}/").content.decode()
    assert 'data-testid="line-received"' in detail
    # a teacher cannot receive
    client.force_login(world.k1.users[Role.CLASS_TEACHER])
    assert client.get(url).status_code == 403


def test_the_api_receives_a_line_once(world, plan):
    client = Client()
    client.force_login(world.k1.users[Role.STOREKEEPER])
    greens = line(plan, "青菜")
    body = {"warehouse": str(food_store(world).code), "quantity": "0.9", "unit_cost": "3.00",
            "production_date": WEEK.isoformat()}
    url = f"/api/k/k1/canteen/deliveries-expected/{greens.code}/receive"
    response = client.post(url, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["received"]["quantity"] == "0.900" and data["received"]["cost_difference"] == str(D("2.70") - D("2.56"))
    again = client.post(url, data=json.dumps(body), content_type="application/json")
    assert again.status_code == 409
    wrong_day = client.post(f"/api/k/k1/canteen/deliveries-expected/{line(plan, '青菜', TUESDAY).code}/receive",
                            data=json.dumps(body), content_type="application/json")
    assert wrong_day.status_code == 422
    client.force_login(world.k2.users[Role.STOREKEEPER])
    assert client.post(url, data=json.dumps(body), content_type="application/json").status_code == 404
    listed = client.get(f"/api/k/k1/canteen/deliveries-expected?day={WEEK}")
    assert listed.status_code in (403, 404)


# --- the food that keeps as one finance purchase request ------------------------------------------


@pytest.fixture
def food_category(world):
    from houqin.finance.models import BudgetCategory

    return BudgetCategory.objects.create(kindergarten=world.k1.kg, name="伙食材料", is_food=True)


def test_no_purchase_request_where_food_is_paid_from_the_meal_account(world, plan, food_category):
    from houqin.finance.models import PurchaseRequest

    with pytest.raises(DomainError) as refused:  # finance's own rule, said in its words
        purchasing.plan_request_purchase(actor=actor_of(world, Role.CANTEEN), plan=plan, category=food_category)
    assert refused.value.errors[0]["field"] == "category" and not PurchaseRequest.objects.exists()
    client = Client()
    client.force_login(world.k1.users[Role.CANTEEN])
    page = client.get(f"/k/k1/canteen/purchase/{plan.code}/").content.decode()
    assert 'data-testid="plan-request-not-offered"' in page and "伙食帐" in page


def test_the_food_that_keeps_becomes_one_purchase_request_once(world, plan, food_category):
    from houqin.finance import services as finance
    from houqin.finance.models import PurchaseRequest

    finance.settings_update(actor=actor_of(world, Role.PRINCIPAL), approval_threshold="2000", food_in_budget=True)
    client = Client()
    client.force_login(world.k1.users[Role.CANTEEN])
    page = client.get(f"/k/k1/canteen/purchase/{plan.code}/").content.decode()
    assert 'data-testid="plan-request-form"' in page
    response = client.post(f"/k/k1/canteen/purchase/{plan.code}/request/", {"category": str(food_category.code)})
    assert response.status_code == 302
    made = PurchaseRequest.objects.get()
    # rice 0.8 斤 × ¥2.60 and milk 1.2 箱 × ¥62.00: the food that keeps; the fresh greens and pork are not on it
    assert sorted(ln.description for ln in made.lines.all()) == ["大米（城南粮油k1）", "牛奶（乳品配送部）"]
    assert made.total == D("2.08") + D("74.40") and made.status == "submitted"
    plan.refresh_from_db()
    assert plan.purchase_request == made
    again = client.post(f"/api/k/k1/canteen/purchase-plans/{plan.code}/purchase-request",
                        data=json.dumps({"category": str(food_category.code)}), content_type="application/json")
    assert again.status_code == 409 and PurchaseRequest.objects.count() == 1
    assert client.get(f"/api/k/k1/canteen/purchase-plans/{plan.code}").json()["purchase_request"] == str(made.code)

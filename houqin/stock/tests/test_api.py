"""The storeroom's JSON API: the same services and rules as the pages, decimals as strings, errors as
422/409 with the field that is wrong."""

import json
from decimal import Decimal

import pytest

from houqin.org.models import Role
from houqin.stock.models import Batch, Movement, MovementKind, Requisition, RequisitionStatus, Stocktake
from houqin.stock.tests.conftest import actor_of, days, make_store, receive_tissues

pytestmark = pytest.mark.django_db


def post(client, url, data):
    return client.post(url, json.dumps(data, default=str), content_type="application/json")


@pytest.fixture
def store(world):
    return make_store(world)


def test_receive_then_issue_through_the_api(world, store, login):
    client = login(world.k1.users[Role.STOREKEEPER])
    response = post(client, "/api/k/k1/stock/receipts", {
        "warehouse_code": store.food.code, "item_code": store.rice.code, "quantity": "25.5", "unit_cost": "2.6",
        "supplier_code": store.supplier.code, "production_date": days(-2), "batch_no": "DM01"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["quantity"], body["value"], body["unit"]) == ("receipt", "25.500", "66.30", "斤")
    response = post(client, "/api/k/k1/stock/issues", {
        "warehouse_code": store.food.code, "item_code": store.rice.code, "quantity": "5",
        "class_code": world.k1.own_class.code, "recipient": "teacher"})
    assert response.status_code == 201, response.content
    [issued] = response.json()
    assert (issued["quantity"], issued["school_class"], issued["recipient"]) == ("-5.000", world.k1.own_class.name,
                                                                                  "teacher")
    on_hand = client.get("/api/k/k1/stock/on-hand").json()
    assert [(r["item"], r["quantity"]) for r in on_hand] == [("大米", "20.500")]
    movements = client.get(f"/api/k/k1/stock/movements?item_code={store.rice.code}").json()
    assert [m["kind"] for m in movements] == ["issue_requisition", "receipt"]


def test_api_errors_name_the_field_and_change_nothing(world, store, login):
    client = login(world.k1.users[Role.STOREKEEPER])
    receive_tissues(actor_of(world, Role.STOREKEEPER), store, quantity="2")
    before = Movement.objects.count()
    response = post(client, "/api/k/k1/stock/issues", {
        "warehouse_code": store.general.code, "item_code": store.tissues.code, "quantity": "3"})
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock" and response.json()["errors"][0]["field"] == "quantity"
    response = post(client, "/api/k/k1/stock/receipts", {
        "warehouse_code": store.food.code, "item_code": store.rice.code, "quantity": "-1", "unit_cost": "2"})
    assert response.status_code == 422
    assert "quantity" in {e["field"] for e in response.json()["errors"]}
    response = post(client, "/api/k/k1/stock/receipts", {
        "warehouse_code": store.food.code, "item_code": store.rice.code, "quantity": "1", "unit_cost": "2",
        "production_date": days(-1), "expiry_date": days(-3)})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "expiry_date"
    assert Movement.objects.count() == before


def test_objects_of_another_kindergarten_are_not_found(world, store, login):
    store2 = make_store(world, "k2")
    client = login(world.k1.users[Role.STOREKEEPER])
    response = post(client, "/api/k/k1/stock/receipts", {
        "warehouse_code": store2.general.code, "item_code": store.tissues.code, "quantity": "1", "unit_cost": "1"})
    assert response.status_code == 404
    assert Movement.objects.count() == 0


def test_kitchen_issue_of_a_day(world, store, login):
    keeper = actor_of(world, Role.STOREKEEPER)
    from houqin.stock import services

    services.receive(actor=keeper, warehouse=store.food, item=store.rice, quantity="50", unit_cost="2.5",
                     production_date=days(-3))
    client = login(world.k1.users[Role.CANTEEN])
    response = post(client, "/api/k/k1/stock/kitchen-issues", {
        "warehouse_code": store.food.code, "lines": [{"item_code": store.rice.code, "quantity": "12"}]})
    assert response.status_code == 201, response.content
    assert response.json()[0]["kind"] == "issue_kitchen" and response.json()[0]["value"] == "-30.00"
    response = post(client, "/api/k/k1/stock/issues", {
        "warehouse_code": store.food.code, "item_code": store.rice.code, "quantity": "1"})
    assert response.status_code == 403


def test_a_requisition_through_the_api(world, store, login):
    receive_tissues(actor_of(world, Role.STOREKEEPER), store, quantity="10")
    teacher = login(world.k1.users[Role.CLASS_TEACHER])
    response = post(teacher, "/api/k/k1/stock/requisitions", {
        "class_code": world.k1.own_class.code, "purpose": "美工",
        "lines": [{"item_code": store.tissues.code, "quantity": "3"}]})
    assert response.status_code == 201, response.content
    requisition = response.json()
    assert (requisition["status"], requisition["requested_by"], requisition["class_name"]) == (
        "requested", "teacher", world.k1.own_class.name)
    assert [r["code"] for r in teacher.get("/api/k/k1/stock/requisitions/mine").json()] == [requisition["code"]]

    keeper = login(world.k1.users[Role.STOREKEEPER])
    line_code = requisition["lines"][0]["code"]
    response = post(keeper, f"/api/k/k1/stock/requisitions/{requisition['code']}/issue",
                    {"warehouse_code": store.general.code, "quantities": {line_code: "2"}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["issued_by"], body["lines"][0]["quantity_issued"]) == (
        "partly_issued", "storekeeper", "2.000")
    response = post(teacher, f"/api/k/k1/stock/requisitions/{requisition['code']}/cancel", {"reason": "够用了"})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    response = post(keeper, f"/api/k/k1/stock/requisitions/{requisition['code']}/issue",
                    {"warehouse_code": store.general.code})
    assert response.status_code == 409
    assert Requisition.objects.get().status == RequisitionStatus.CANCELLED


def test_a_teacher_cannot_ask_for_another_class_through_the_api(world, store, login):
    teacher = login(world.k1.users[Role.CLASS_TEACHER])
    response = post(teacher, "/api/k/k1/stock/requisitions", {
        "class_code": world.k1.other_class.code, "lines": [{"item_code": store.tissues.code, "quantity": "1"}]})
    assert response.status_code == 404
    response = post(teacher, "/api/k/k1/stock/requisitions", {
        "class_code": world.k1.own_class.code, "lines": [{"item_code": store.tissues.code, "quantity": "0"}]})
    assert response.status_code == 422
    assert Requisition.objects.count() == 0


def test_a_stocktake_through_the_api(world, store, login):
    batch = receive_tissues(actor_of(world, Role.STOREKEEPER), store, quantity="10").batch
    client = login(world.k1.users[Role.STOREKEEPER])
    response = post(client, "/api/k/k1/stock/stocktakes", {"warehouse_code": store.general.code})
    assert response.status_code == 201
    stocktake = response.json()
    [line] = stocktake["lines"]
    assert line["book_quantity"] == "10.000" and line["counted_quantity"] is None
    response = post(client, f"/api/k/k1/stock/stocktakes/{stocktake['code']}/count",
                    {"line_code": line["code"], "counted_quantity": "9", "explanation": "破损一包"})
    assert response.json()["lines"][0]["difference"] == "-1.000"
    response = post(client, f"/api/k/k1/stock/stocktakes/{stocktake['code']}/post", {})
    assert response.status_code == 200 and response.json()["status"] == "posted"
    assert Batch.objects.get(pk=batch.pk).quantity == Decimal("9")
    assert Movement.objects.filter(kind=MovementKind.STOCKTAKE_ADJUSTMENT).count() == 1
    response = post(client, f"/api/k/k1/stock/stocktakes/{stocktake['code']}/count",
                    {"line_code": line["code"], "counted_quantity": "10"})
    assert response.status_code == 409
    assert Stocktake.objects.get().lines.get().counted_quantity == Decimal("9")


def test_items_list_and_create(world, store, login):
    client = login(world.k1.users[Role.DIRECTOR])
    response = post(client, "/api/k/k1/stock/items", {"name": "橡皮泥", "unit": "盒", "category": "teaching",
                                                      "minimum_level": "10"})
    assert response.status_code == 201 and response.json()["is_food"] is False
    names = {i["name"] for i in client.get("/api/k/k1/stock/items?q=xpn").json()}
    assert names == {"橡皮泥"}
    response = post(client, "/api/k/k1/stock/items", {"name": "橡皮泥", "unit": "盒", "category": "teaching"})
    assert response.status_code == 422

"""The pages: forms parse, call the services, show their messages on the right field, and redirect."""

from decimal import Decimal

import pytest
from django.utils import timezone

from houqin.org.models import Role
from houqin.stock import services
from houqin.stock.models import Batch, Item, Movement, MovementKind, Requisition, RequisitionStatus, StocktakeLine
from houqin.stock.tests.conftest import actor_of, days, make_store, receive_rice, receive_tissues

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(world):
    return make_store(world)


def test_receive_form(world, store, login):
    client = login(world.k1.users[Role.STOREKEEPER])
    assert client.get("/k/k1/stock/receive/").status_code == 200
    data = {"warehouse": store.food.pk, "item": store.rice.pk, "quantity": "50", "unit_cost": "2.6",
            "supplier": store.supplier.pk, "production_date": days(-2).isoformat(), "expiry_date": "",
            "batch_no": "A1", "occurred_on": days(0).isoformat(), "reason": ""}
    response = client.post("/k/k1/stock/receive/", data)
    assert response.status_code == 302 and response["Location"].endswith(f"/stock/items/{store.rice.code}/")
    batch = Batch.objects.get()
    assert batch.quantity == Decimal("50") and batch.expiry_date == days(178)

    bad = {**data, "quantity": "0", "expiry_date": days(-5).isoformat()}
    response = client.post("/k/k1/stock/receive/", bad)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.keys() >= {"quantity", "expiry_date"}
    assert Movement.objects.count() == 1


def test_kitchen_form_issues_a_day_at_once(world, store, login):
    keeper = actor_of(world, Role.STOREKEEPER)
    receive_rice(keeper, store, quantity="30")
    services.receive(actor=keeper, warehouse=store.food, item=store.eggs, quantity="10", unit_cost="6",
                     production_date=days(-1))
    client = login(world.k1.users[Role.CANTEEN])
    page = client.get("/k/k1/stock/kitchen/")
    assert page.status_code == 200 and "大米" in page.content.decode() and "鸡蛋" in page.content.decode()
    base = {"warehouse": str(store.food.code), "occurred_on": days(0).isoformat(), "reason": ""}
    response = client.post("/k/k1/stock/kitchen/", {**base, f"q-{store.rice.code}": "12", f"q-{store.eggs.code}": "11"})
    assert response.status_code == 200  # eggs: only 10
    assert f"q-{store.eggs.code}" in response.context["form"].errors
    assert not Movement.objects.filter(kind=MovementKind.ISSUE_KITCHEN).exists()
    response = client.post("/k/k1/stock/kitchen/", {**base, f"q-{store.rice.code}": "12", f"q-{store.eggs.code}": "4"})
    assert response.status_code == 302
    assert Movement.objects.filter(kind=MovementKind.ISSUE_KITCHEN).count() == 2
    response = client.post("/k/k1/stock/kitchen/", base)  # nothing filled in
    assert response.status_code == 200 and response.context["form"].non_field_errors()


def test_a_teacher_asks_on_the_form_and_the_storekeeper_issues_it(world, store, login):
    receive_tissues(actor_of(world, Role.STOREKEEPER), store, quantity="10")
    teacher = login(world.k1.users[Role.CLASS_TEACHER])
    page = teacher.get("/k/k1/stock/requisitions/new/")
    assert page.status_code == 200
    form = page.context["form"]
    assert list(form.fields["school_class"].queryset) == [world.k1.own_class] and "campus" not in form.fields
    data = {"school_class": world.k1.own_class.pk, "purpose": "美工", "lines-TOTAL_FORMS": "5",
            "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "20",
            "lines-0-item": store.tissues.pk, "lines-0-quantity": "3", "lines-0-note": ""}
    response = teacher.post("/k/k1/stock/requisitions/new/", data)
    requisition = Requisition.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/requisitions/{requisition.code}/")
    assert teacher.get("/k/k1/stock/requisitions/mine/").content.decode().count(requisition.number) >= 1

    keeper = login(world.k1.users[Role.STOREKEEPER])
    page = keeper.get(f"/k/k1/stock/requisitions/{requisition.code}/issue/")
    assert page.status_code == 200
    line = requisition.lines.get()
    response = keeper.post(f"/k/k1/stock/requisitions/{requisition.code}/issue/", {
        "warehouse": store.general.pk, "recipient": "", "occurred_on": days(0).isoformat(), f"line-{line.code}": "3"})
    assert response.status_code == 302
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.ISSUED and requisition.issued_by == world.k1.users[Role.STOREKEEPER]
    detail = teacher.get(f"/k/k1/stock/requisitions/{requisition.code}/").content.decode()
    assert 'data-status="issued"' in detail and 'data-testid="issued-by"' in detail


def test_a_teacher_form_for_another_class_is_refused(world, store, login):
    teacher = login(world.k1.users[Role.CLASS_TEACHER])
    data = {"school_class": world.k1.other_class.pk, "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
            "lines-0-item": store.tissues.pk, "lines-0-quantity": "3"}
    response = teacher.post("/k/k1/stock/requisitions/new/", data)
    assert response.status_code == 200 and "school_class" in response.context["form"].errors
    assert Requisition.objects.count() == 0


def test_issue_form_shows_what_is_available(world, store, login):
    receive_tissues(actor_of(world, Role.STOREKEEPER), store, quantity="2")
    client = login(world.k1.users[Role.STOREKEEPER])
    response = client.post("/k/k1/stock/issue/", {
        "kind": "issue_requisition", "warehouse": store.general.pk, "item": store.tissues.pk, "quantity": "5",
        "occurred_on": days(0).isoformat()})
    assert response.status_code == 200
    errors = " ".join(str(e) for e in response.context["form"].errors.get("quantity", []))
    assert "2" in errors and "抽纸" in errors
    assert Movement.objects.count() == 1


def test_counting_on_a_phone_with_htmx_answers_the_row(world, store, login):
    keeper = actor_of(world, Role.STOREKEEPER)
    receive_tissues(keeper, store, quantity="10")
    stocktake = services.stocktake_open(actor=keeper, warehouse=store.general)
    line = stocktake.lines.get()
    client = login(keeper.user)
    url = f"/k/k1/stock/stocktakes/{stocktake.code}/lines/{line.code}/"
    response = client.post(url, {"counted_quantity": "8", "explanation": "受潮"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="line-{line.code}"' in body and "<html" not in body and 'data-testid="difference"' in body
    assert StocktakeLine.objects.get(pk=line.pk).counted_quantity == Decimal("8")
    response = client.post(url, {"counted_quantity": "-1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert StocktakeLine.objects.get(pk=line.pk).counted_quantity == Decimal("8")
    response = client.post(f"/k/k1/stock/stocktakes/{stocktake.code}/post/")
    assert response.status_code == 302
    assert Batch.objects.get().quantity == Decimal("8")
    page = client.get(f"/k/k1/stock/stocktakes/{stocktake.code}/").content.decode()
    assert 'data-status="posted"' in page and 'data-testid="count-input"' not in page


def test_dispose_and_correct_pages(world, store, login):
    keeper = actor_of(world, Role.STOREKEEPER)
    receipt = receive_rice(keeper, store, quantity="10")
    client = login(keeper.user)
    response = client.post(f"/k/k1/stock/batches/{receipt.batch.code}/dispose/", {
        "kind": "disposal_damaged", "quantity": "2", "reason": "", "occurred_on": days(0).isoformat()})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    response = client.post(f"/k/k1/stock/batches/{receipt.batch.code}/dispose/", {
        "kind": "disposal_damaged", "quantity": "2", "reason": "鼠咬", "witness": world.k1.users[Role.DIRECTOR].pk,
        "occurred_on": days(0).isoformat()})
    assert response.status_code == 302
    response = client.post(f"/k/k1/stock/movements/{receipt.code}/correct/", {"reason": "录错"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()  # 2 already used
    assert Movement.objects.filter(kind=MovementKind.CORRECTION).count() == 0


def test_item_and_supplier_forms(world, login):
    client = login(world.k1.users[Role.DIRECTOR])
    response = client.post("/k/k1/stock/items/new/", {"name": "橡皮泥", "unit": "盒", "category": "teaching",
                                                      "minimum_level": "10", "is_active": "on"})
    item = Item.objects.get()
    assert response.status_code == 302 and item.name_initials == "xpn"
    response = client.post("/k/k1/stock/suppliers/new/", {"name": "城南文具", "phone": "025-1"})
    assert response.status_code == 302
    response = client.post("/k/k1/stock/suppliers/new/", {"name": "城南文具"})
    assert response.status_code == 200 and "name" in response.context["form"].errors


def test_settings_page_adds_a_warehouse_and_sets_the_rule(world, login):
    client = login(world.k1.users[Role.DIRECTOR])
    response = client.post("/k/k1/stock/settings/", {"expiry_warning_days": "10", "expiry_warning_source": "园务会"})
    assert response.status_code == 302
    response = client.post("/k/k1/stock/settings/warehouses/new/", {"campus": world.k1.campuses[0].pk,
                                                                    "name": "保健室药品柜", "kind": "general"})
    assert response.status_code == 302
    page = client.get("/k/k1/stock/settings/").content.decode()
    assert "保健室药品柜" in page and 'value="10"' in page


def test_exports_download_as_xlsx(world, store, login):
    receive_tissues(actor_of(world, Role.STOREKEEPER), store)
    client = login(world.k1.users[Role.ACCOUNTANT])
    today = timezone.localdate()
    for url in (f"/k/k1/stock/report/movements.xlsx?month={today:%Y-%m}", "/k/k1/stock/report/on-hand.xlsx",
                "/k/k1/stock/report/movements.xlsx?month=nonsense"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert response.content[:2] == b"PK"


def test_the_item_ledger_shows_the_running_balance_per_warehouse(world, store, login):
    """结存: each line of the item's ledger shows the quantity left in its warehouse after it, in the
    order the lines happened (a back-dated receipt counts before the later issues), on every page."""
    keeper = actor_of(world, Role.STOREKEEPER)
    receive_tissues(keeper, store, quantity="50")
    services.issue(actor=keeper, item=store.tissues, warehouse=store.general, quantity="12",
                   school_class=world.k1.own_class, recipient=keeper.user)
    services.receive(actor=keeper, warehouse=store.general, item=store.tissues, quantity="20", unit_cost="3.2",
                     occurred_on=days(-3))  # recorded last, happened before the issue
    services.issue(actor=keeper, item=store.tissues, warehouse=store.general, quantity="5",
                   school_class=world.k1.own_class, recipient=keeper.user)
    client = login(keeper.user)
    response = client.get(f"/k/k1/stock/items/{store.tissues.code}/")
    lines = list(response.context["ledger"])
    # newest first: -5 → 53, -12 → 58, +50 → 70 (today), +20 → 20 (three days ago)
    assert [(m.quantity, m.running) for m in lines] == [
        (Decimal("-5"), Decimal("53")), (Decimal("-12"), Decimal("58")), (Decimal("50"), Decimal("70")),
        (Decimal("20"), Decimal("20"))]
    assert lines[0].running == sum(b.quantity for b in Batch.objects.filter(item=store.tissues))
    assert 'data-testid="running"' in response.content.decode()

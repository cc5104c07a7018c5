"""Low stock and expiry (selectors, the to-do list, the purchase link), the canteen's kitchen figures,
search, and the .xlsx exports."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from houqin.core.registry import todos_for
from houqin.org.models import Role
from houqin.stock import exports, selectors, services
from houqin.stock.models import Batch, Item, MovementKind, StockSettings
from houqin.stock.navigation import purchase_request_url
from houqin.stock.tests.conftest import actor_of, days, receive_rice, receive_tissues

pytestmark = pytest.mark.django_db


def test_low_stock_counts_only_usable_stock(world, store, keeper):
    receive_tissues(keeper, store, quantity="25")  # minimum 20
    rice = receive_rice(keeper, store, quantity="60").batch  # minimum 50
    assert selectors.low_stock_items(actor=keeper) == []
    Batch.objects.filter(pk=rice.pk).update(expiry_date=days(-1))  # expired rice does not count
    services.issue(actor=keeper, item=store.tissues, warehouse=store.general, quantity="6")
    low = selectors.low_stock_items(actor=keeper)
    assert sorted((i.name, i.on_hand) for i in low) == [("大米", Decimal("0")), ("抽纸", Decimal("19"))]
    assert {i.name: i.last_unit_price for i in low}["抽纸"] == Decimal("3.2")


def test_an_item_exactly_at_its_minimum_is_not_low(world, store, keeper):
    for _ in range(10):  # many small receipts whose float sum would not be exact
        receive_tissues(keeper, store, quantity="2.1")
    services.issue(actor=keeper, item=store.tissues, warehouse=store.general, quantity="1")  # 20 left: the minimum
    assert store.tissues not in selectors.low_stock_items(actor=keeper)
    services.issue(actor=keeper, item=store.tissues, warehouse=store.general, quantity="0.001")
    assert store.tissues in selectors.low_stock_items(actor=keeper)


def test_expiring_batches_follow_the_kindergartens_rule(world, store, keeper):
    soon = receive_rice(keeper, store, quantity="5", expires=5).batch
    later = receive_rice(keeper, store, quantity="5", expires=12).batch
    receive_rice(keeper, store, quantity="5", expires=100)
    expired = receive_rice(keeper, store, quantity="5", expires=30).batch
    Batch.objects.filter(pk=expired.pk).update(expiry_date=days(-2))
    assert list(selectors.expiring_batches(actor=keeper)) == [Batch.objects.get(pk=expired.pk), soon]  # default 7
    StockSettings.objects.update_or_create(kindergarten=world.k1.kg, defaults={"expiry_warning_days": 14})
    assert [b.pk for b in selectors.expiring_batches(actor=keeper)] == [expired.pk, soon.pk, later.pk]
    assert [b.pk for b in selectors.expiring_batches(actor=keeper, within_days=0)] == [expired.pk]


def test_settings_update_is_checked(world, store):
    director = actor_of(world, Role.DIRECTOR)
    services.settings_update(actor=director, expiry_warning_days=10, expiry_warning_source="园务会决定")
    assert selectors.expiry_warning_days(world.k1.kg) == 10
    from houqin.core.errors import DomainError, Forbidden

    with pytest.raises(DomainError):
        services.settings_update(actor=director, expiry_warning_days=-1)
    with pytest.raises(Forbidden):
        services.settings_update(actor=actor_of(world, Role.STOREKEEPER), expiry_warning_days=3)
    assert selectors.expiry_warning_days(world.k1.kg) == 10


def test_storekeeper_and_director_get_the_to_dos_with_the_purchase_link(world, store, keeper):
    receive_tissues(keeper, store, quantity="5")  # under 20
    receive_rice(keeper, store, quantity="100", expires=3)  # expiring
    todos = [t for t in todos_for(keeper) if t.area == "stock"]
    low = next(t for t in todos if t.urgency == 2 and "minimum" in str(t.title))
    purchase = purchase_request_url(world.k1.kg, [store.tissues])
    if purchase:  # the finance area offers the one-step purchase request
        assert low.url == purchase and f"items={store.tissues.code}" in low.url
    else:
        assert low.url.endswith("/stock/alerts/#low")
    assert any("expire" in str(t.title) for t in todos)
    director_todos = [t for t in todos_for(actor_of(world, Role.DIRECTOR)) if t.area == "stock"]
    assert len(director_todos) == len(todos)
    for role in (Role.CLASS_TEACHER, Role.CANTEEN, Role.PRINCIPAL, Role.PARENT):
        assert [t for t in todos_for(actor_of(world, role)) if t.area == "stock"] == []


def test_expired_batches_are_a_red_to_do(world, store, keeper):
    batch = receive_rice(keeper, store, quantity="5", expires=30).batch
    Batch.objects.filter(pk=batch.pk).update(expiry_date=days(-1))
    [todo] = [t for t in todos_for(keeper) if t.area == "stock" and t.urgency == 3]
    assert "大米" in todo.detail and todo.url.endswith("#expiring")


def test_the_alerts_page_links_each_low_item_to_a_purchase_request(world, store, keeper, login):
    receive_tissues(keeper, store, quantity="5")
    body = login(keeper.user).get("/k/k1/stock/alerts/").content.decode()
    assert "抽纸" in body
    purchase = purchase_request_url(world.k1.kg, [store.tissues])
    if purchase:
        assert purchase.replace("&", "&amp;") in body and 'data-testid="purchase-all"' in body
    else:
        assert 'data-testid="purchase-all"' not in body


def test_stock_search_by_name_and_pinyin_initials(world, store, keeper):
    receive_rice(keeper, store)
    receive_tissues(keeper, store)
    for term in ("dm", "大米", "da mi"):
        assert [r["item"].name for r in selectors.stock_on_hand(actor=keeper, search=term)] == ["大米"], term
    assert [r["item"].name for r in selectors.stock_on_hand(actor=keeper, search="cz")] == ["抽纸"]
    assert selectors.stock_on_hand(actor=keeper, warehouse=store.general)[0]["warehouse"] == store.general


def test_kitchen_issues_by_day_and_category_at_cost(world, store, keeper):
    receive_rice(keeper, store, quantity="100", cost="2.5", occurred_on=days(-3))
    services.receive(actor=keeper, warehouse=store.food, item=store.eggs, quantity="20", unit_cost="6",
                     production_date=days(-3), occurred_on=days(-3))
    canteen = actor_of(world, Role.CANTEEN)
    services.issue(actor=canteen, item=store.rice, warehouse=store.food, quantity="10", kind=MovementKind.ISSUE_KITCHEN,
                   occurred_on=days(-2))
    services.issue(actor=canteen, item=store.eggs, warehouse=store.food, quantity="5", kind=MovementKind.ISSUE_KITCHEN,
                   occurred_on=days(-2))
    services.issue(actor=canteen, item=store.rice, warehouse=store.food, quantity="4", kind=MovementKind.ISSUE_KITCHEN,
                   occurred_on=days(-1))
    services.issue(actor=keeper, item=store.rice, warehouse=store.food, quantity="1")  # not to the kitchen
    figures = selectors.kitchen_issues(kindergarten=world.k1.kg, start=days(-7), end=days(0))
    assert figures["by_date"] == {days(-2): Decimal("55.00"), days(-1): Decimal("10.00")}
    assert figures["by_category"] == {"grain_oil": Decimal("35.00"), "meat_egg": Decimal("30.00")}
    assert figures["total"] == Decimal("65.00")
    assert selectors.kitchen_issues(kindergarten=world.k2.kg, start=days(-7), end=days(0))["total"] == 0


def test_monthly_report_sums_the_ledger(world, store, keeper):
    today = timezone.localdate()
    receive_tissues(keeper, store, quantity="10", cost="3")
    services.issue(actor=keeper, item=store.tissues, warehouse=store.general, quantity="4")
    report = selectors.monthly_report(actor=keeper, year=today.year, month=today.month)
    [row] = report["rows"]
    assert (row["opening_quantity"], row["in_quantity"], row["out_quantity"], row["closing_quantity"]) == (
        0, Decimal("10"), Decimal("4"), Decimal("6"))
    assert (report["totals"]["in_value"], report["totals"]["requisition_value"], report["totals"]["closing_value"]) == (
        Decimal("30.00"), Decimal("12.00"), Decimal("18.00"))
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    later = selectors.monthly_report(actor=keeper, year=next_month.year, month=next_month.month)
    assert later["rows"][0]["opening_quantity"] == Decimal("6") and later["totals"]["in_value"] == 0


def _sheet_rows(content: bytes, index: int = 0):
    workbook = load_workbook(io.BytesIO(content))
    return [list(row) for row in workbook.worksheets[index].iter_rows(values_only=True)]


def test_the_monthly_export_has_the_report_and_every_movement(world, store, keeper):
    today = timezone.localdate()
    receive_tissues(keeper, store, quantity="10", cost="3")
    services.issue(actor=keeper, item=store.tissues, warehouse=store.general, quantity="4",
                   school_class=world.k1.own_class)
    content = exports.monthly_workbook(actor=actor_of(world, Role.ACCOUNTANT), year=today.year, month=today.month)
    summary = _sheet_rows(content, 0)
    assert summary[0][:6] == ["仓库", "物品", "类别", "单位", "期初数量", "期初金额"]
    assert summary[1][1] == "抽纸" and summary[1][-2:] == [6, 18]
    assert summary[-1][0] == "合计"
    detail = _sheet_rows(content, 1)
    assert [row[1] for row in detail[1:]] == ["入库", "领用出库"]
    assert detail[2][9] == world.k1.own_class.name


def test_exports_neutralise_formulas(world, store, keeper):
    item = Item.objects.create(kindergarten=world.k1.kg, name="=HYPERLINK(\"http://x\")", unit="个", category="other")
    services.receive(actor=keeper, warehouse=store.general, item=item, quantity="1", unit_cost="1")
    sheet = load_workbook(io.BytesIO(exports.on_hand_workbook(actor=keeper))).worksheets[0]
    names = [(row[2].value, row[2].data_type) for row in sheet.iter_rows(min_row=2, max_row=sheet.max_row - 1)]
    assert names == [("=HYPERLINK(\"http://x\")", "s")]  # the name as it is, as text


def test_the_stock_value_export_totals_the_batches(world, store, keeper):
    receive_tissues(keeper, store, quantity="10", cost="3.2")
    receive_rice(keeper, store, quantity="3", cost="0.3333")
    rows = _sheet_rows(exports.on_hand_workbook(actor=keeper))
    assert rows[-1][0] == "合计" and Decimal(str(rows[-1][-1])) == Decimal("33.00")
    assert len(rows) == 4

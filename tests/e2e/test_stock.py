"""Browser tests of the storeroom, on a phone: a class teacher asks for items, the storekeeper issues
them (both signatures recorded), and the stock on hand drops; the storekeeper counts a shelf with the
stocktake's per-line entry (htmx) and posts it.

Like the other browser tests these assert on addresses, data-testid hooks and data, not on the
wording of labels (the Chinese catalogue may not be compiled).
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def store(world):
    from houqin import policy
    from houqin.org.models import Role
    from houqin.stock import services
    from houqin.stock.tests.conftest import make_store

    store = make_store(world)
    keeper = policy.actor_for_kindergarten(world.k1.users[Role.STOREKEEPER], world.k1.kg)
    services.receive(actor=keeper, warehouse=store.general, item=store.tissues, quantity="10", unit_cost="3.2")
    return store


def _sign_out(page):
    page.locator("form[action='/logout/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/login/"))


def _on_hand(page, live_server, item_name: str) -> str:
    page.goto(live_server.url + "/k/k1/stock/")
    return page.locator(f"tr[data-item='{item_name}'] [data-testid='on-hand-quantity']").inner_text()


def test_a_teacher_asks_the_storekeeper_issues_and_the_stock_drops(world, store, page, live_server, sign_in,
                                                                    open_menu):
    from houqin.stock.models import Movement, Requisition

    # the class teacher, on her phone, asks for 4 packs of tissues for her class
    assert sign_in("teacher", expect_status=302) == "/k/k1/"
    nav = open_menu()
    nav.locator("a[href='/k/k1/stock/requisitions/mine/']").click()
    page.wait_for_url(re.compile(r"/stock/requisitions/mine/$"))
    page.get_by_test_id("new-requisition").click()
    page.wait_for_url(re.compile(r"/stock/requisitions/new/$"))
    expect(page.locator("#id_school_class")).to_have_value(str(world.k1.own_class.pk))
    page.locator("#id_lines-0-item").select_option(str(store.tissues.pk))
    page.locator("#id_lines-0-quantity").fill("4")
    page.locator("#id_purpose").fill("美工活动")
    page.locator("[data-testid=requisition-form] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/stock/requisitions/[0-9a-f-]{36}/$"))
    expect(page.get_by_test_id("requisition-status")).to_have_attribute("data-status", "requested")
    expect(page.get_by_test_id("requested-by")).to_contain_text("teacher")
    requisition = Requisition.objects.get()
    assert requisition.requested_by == world.k1.users["class_teacher"]
    assert page.get_by_test_id("issue-requisition").count() == 0  # a teacher cannot issue
    _sign_out(page)

    # the storekeeper sees 10 on hand, opens the waiting requisition and issues it
    sign_in("storekeeper", expect_status=302)
    assert _on_hand(page, live_server, "抽纸").startswith("10")
    page.goto(live_server.url + "/k/k1/stock/requisitions/")
    page.get_by_test_id("requisition-table").get_by_role("link", name=requisition.number).click()
    page.wait_for_url(re.compile(rf"/stock/requisitions/{requisition.code}/$"))
    page.get_by_test_id("issue-requisition").click()
    page.wait_for_url(re.compile(r"/issue/$"))
    line = requisition.lines.get()
    expect(page.locator(f"#id_line-{line.code}")).to_have_value("4")
    expect(page.locator("#id_warehouse")).to_have_value(str(store.general.pk))
    page.get_by_test_id("confirm-issue").click()
    page.wait_for_url(re.compile(rf"/stock/requisitions/{requisition.code}/$"))
    expect(page.get_by_test_id("requisition-status")).to_have_attribute("data-status", "issued")
    expect(page.get_by_test_id("issued-by")).to_contain_text("storekeeper")
    expect(page.get_by_test_id("requested-by")).to_contain_text("teacher")

    # the stock on hand dropped by what was issued, and the ledger says who took it
    assert _on_hand(page, live_server, "抽纸").startswith("6")
    movement = Movement.objects.get(requisition=requisition)
    assert (movement.quantity, movement.recipient, movement.created_by, movement.school_class) == (
        Decimal("-4"), world.k1.users["class_teacher"], world.k1.users["storekeeper"], world.k1.own_class)
    _sign_out(page)

    # back on the teacher's phone: her requisition shows as issued
    sign_in("teacher", expect_status=302)
    page.goto(live_server.url + "/k/k1/stock/requisitions/mine/")
    card = page.locator(f"[data-number='{requisition.number}']")
    expect(card.get_by_test_id("status")).to_be_visible()
    requisition.refresh_from_db()
    assert requisition.status == "issued" and requisition.issued_by == world.k1.users["storekeeper"]


def test_the_storekeeper_counts_a_shelf_on_a_phone_and_posts_it(world, store, page, live_server, sign_in):
    from houqin.stock.models import Batch, Movement

    sign_in("storekeeper", expect_status=302)
    page.goto(live_server.url + "/k/k1/stock/stocktakes/")
    page.locator("#id_warehouse").select_option(str(store.general.pk))
    page.get_by_test_id("open-stocktake").click()
    page.wait_for_url(re.compile(r"/stock/stocktakes/[0-9a-f-]{36}/$"))
    row = page.locator("[data-testid=count-line][data-item='抽纸']")
    row.get_by_test_id("count-input").fill("9")
    row.locator("input[name=explanation]").fill("一包受潮")
    url_before = page.url
    row.get_by_test_id("save-count").click()
    # htmx swaps the row in place: same page, the difference shown
    expect(page.locator("[data-testid=count-line][data-item='抽纸'] [data-testid=difference]")).to_contain_text("-1")
    assert page.url == url_before
    page.get_by_test_id("post-stocktake").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("stocktake-status")).to_have_attribute("data-status", "posted")
    assert page.get_by_test_id("count-input").count() == 0  # a posted count can no longer change
    assert Batch.objects.get(item=store.tissues).quantity == Decimal("9")
    assert Movement.objects.filter(kind="stocktake_adjustment").count() == 1

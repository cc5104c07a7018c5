"""Browser test of food safety, on a phone: in the morning the canteen staff inspect a delivery at
the kitchen door (one food accepted into the food store, one rejected) and keep the day's samples
(a sample under 125 g is refused); the director then sees the dishes still without a sample among
the to-dos. Asserts on addresses, data-testid hooks and data, not on the wording of labels."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kitchen(world):
    from houqin.foodsafety.tests.conftest import certify, publish_menu
    from houqin.stock.tests.conftest import make_store

    store = make_store(world)
    certify(world, store)
    return store, publish_menu(world)


def _sign_out(page):
    page.locator("form[action='/logout/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/login/"))


def test_morning_receiving_and_samples_on_a_phone(world, kitchen, page, live_server, sign_in, open_menu):
    from django.utils import timezone

    from houqin.foodsafety.models import Receipt, Sample
    from houqin.stock.models import Batch

    store, menu = kitchen
    today = timezone.localdate().isoformat()
    assert sign_in("canteen", expect_status=302) == "/k/k1/"
    nav = open_menu()
    nav.locator("a[href='/k/k1/foodsafety/']").click()
    page.wait_for_url(re.compile(r"/foodsafety/$"))
    expect(page.locator("[data-testid=dish][data-status=missing]")).to_have_count(3)

    # the delivery at the kitchen door
    page.get_by_test_id("new-receipt").first.click()
    page.wait_for_url(re.compile(r"/foodsafety/receiving/new/$"))
    page.locator("#id_supplier").select_option(str(store.supplier.pk))
    page.locator("#id_lines-0-item").select_option(str(store.rice.pk))
    page.locator("#id_lines-0-quantity").fill("50")
    page.locator("#id_lines-0-unit_price").fill("2.6")
    page.locator("#id_lines-0-production_date").fill(today)
    page.locator("#id_lines-0-shelf_life_days").fill("180")
    page.locator("#id_lines-1-item").select_option(str(store.eggs.pk))
    page.locator("#id_lines-1-quantity").fill("5")
    page.locator("#id_lines-1-unit_price").fill("6")
    page.locator("#id_lines-1-production_date").fill(today)
    page.locator("#id_lines-1-shelf_life_days").fill("20")
    page.locator("#id_lines-1-smell_ok").uncheck()
    page.locator("#id_lines-1-accepted_1").check()
    page.locator("#id_lines-1-reject_reason").fill("有异味")
    page.locator("[data-testid=receipt-form] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/foodsafety/receiving/[0-9a-f-]{36}/$"))
    expect(page.locator("[data-testid=receipt-line][data-accepted='1']")).to_have_count(1)
    expect(page.locator("[data-testid=receipt-line][data-accepted='0']")).to_have_count(1)
    receipt = Receipt.objects.get()
    assert receipt.inspector.username == "canteen"
    assert Batch.objects.get(item=store.rice).quantity == 50
    assert not Batch.objects.filter(item=store.eggs).exists()

    # the samples of the day: 120 g is refused, 130 g kept
    page.goto(live_server.url + "/k/k1/foodsafety/")
    page.locator("[data-testid=dish][data-dish='番茄炒蛋'] [data-testid=keep-sample]").click()
    page.wait_for_url(re.compile(r"/foodsafety/samples/new/"))
    page.locator("#id_weight_grams").fill("120")
    page.locator("#id_fridge").fill("留样冰箱1号")
    page.locator("[data-testid=sample-form] button[type=submit]").click()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    assert Sample.objects.count() == 0
    page.locator("#id_weight_grams").fill("130")
    page.locator("[data-testid=sample-form] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/foodsafety/\?day="))
    expect(page.locator("[data-testid=dish][data-dish='番茄炒蛋']")).to_have_attribute("data-status", "kept")
    expect(page.locator("[data-testid=dish][data-status=missing]")).to_have_count(2)
    assert Sample.objects.get().weight_grams == 130
    _sign_out(page)

    # the director sees the two dishes still without a sample among the to-dos
    assert sign_in("director", expect_status=302) == "/k/k1/"
    todos = page.get_by_test_id("todos")
    expect(todos.locator("a[href='/k/k1/foodsafety/']")).to_have_count(1)
    expect(todos.locator("a[href='/k/k1/foodsafety/']")).to_contain_text("2")

"""Browser test of the kitchen's production record, on a phone: from the kitchen's day the cook
records what a dish weighed cooked, served, left over and left on the plates; more served than
cooked is refused with nothing saved; then the waste page shows the dish. Asserts on addresses,
data-testid hooks and data, not on the wording of labels."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_kitchen_records_production_on_a_phone(world, page, live_server, sign_in):
    from django.utils import timezone

    from houqin.foodsafety.models import ProductionRecord
    from houqin.foodsafety.tests.conftest import publish_menu

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    publish_menu(world, day=yesterday)
    assert sign_in("canteen", expect_status=302) == "/k/k1/"
    page.goto(live_server.url + f"/k/k1/foodsafety/?day={yesterday.isoformat()}")
    expect(page.get_by_test_id("record-production")).to_have_count(3)
    page.locator("[data-testid=dish][data-dish='清炒菠菜'] [data-testid=record-production]").click()
    page.wait_for_url(re.compile(r"/foodsafety/production/new/"))
    page.locator("#id_planned_portions").fill("120")
    page.locator("#id_served_portions").fill("114")
    page.locator("#id_cooked_kg").fill("9.6")
    page.locator("#id_served_kg").fill("10.2")  # more than cooked: refused
    page.locator("#id_leftover_kg").fill("0.3")
    page.locator("#id_plate_waste_kg").fill("2.1")
    page.locator("[data-testid=production-form] button[type=submit]").click()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    assert ProductionRecord.objects.count() == 0
    page.locator("#id_served_kg").fill("9.1")
    page.locator("[data-testid=production-form] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/foodsafety/\?day="))
    expect(page.locator("[data-testid=dish][data-dish='清炒菠菜'] [data-testid=production-done]")).to_have_count(1)
    record = ProductionRecord.objects.get()
    assert (record.served_kg, record.plate_waste_kg, record.served_portions) == (Decimal("9.1"), Decimal("2.1"), 114)
    assert record.cooked_by.username == "canteen"

    # the waste page: 2.1 of 9.1 kg left on the plates (23 %) goes to the meal committee
    page.goto(live_server.url + "/k/k1/foodsafety/production/")
    row = page.locator("[data-testid=dish-waste][data-dish='清炒菠菜']")
    expect(row).to_have_attribute("data-flagged", "1")
    expect(row).to_contain_text("18")  # grams left per child: 2100 g / 114

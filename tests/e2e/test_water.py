"""Browser test of the kitchen's logs on a phone: the canteen records a water filter change from the
drinking-water page (the unit chosen for it, the next change due three months on), then a pest-control
check that found signs — refused without the action, nothing saved — and saved once the action is
written. Asserts on addresses, data-testid hooks and data, not on the wording of labels."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _fits(page) -> None:
    """Nothing wider than the phone: no sideways scrolling."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_kitchen_records_a_filter_change_and_a_pest_check_on_a_phone(world, page, live_server, sign_in):
    from django.utils import timezone

    from houqin import policy
    from houqin.foodsafety import logs
    from houqin.foodsafety.models import FilterChange, PestCheck
    from houqin.foodsafety.services import add_months
    from houqin.org.models import Role

    director = policy.actor_for_kindergarten(world.k1.users[Role.DIRECTOR], world.k1.kg)
    unit = logs.water_unit_save(actor=director, place="中一班", kind="direct", filter_model="RO-400G")
    assert sign_in("canteen", expect_status=302) == "/k/k1/"

    page.goto(live_server.url + "/k/k1/foodsafety/water/")
    card = page.get_by_test_id("water-unit")
    expect(card).to_have_count(1)
    _fits(page)
    card.get_by_test_id("record-filter").click()
    page.wait_for_url(re.compile(r"/foodsafety/water/filters/new/\?unit="))
    expect(page.locator("#id_unit")).to_have_value(str(unit.pk))
    page.locator("#id_changed_by").fill("净水维保公司 王师傅")
    page.locator("[data-testid=filter-form] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/foodsafety/water/$"))
    expect(page.get_by_test_id("filter-row")).to_have_count(1)
    expect(page.get_by_test_id("water-unit")).to_have_attribute("data-filter-overdue", "0")
    change = FilterChange.objects.get()
    assert change.unit == unit and change.changed_by == "净水维保公司 王师傅"
    assert change.next_due == add_months(timezone.localdate(), 3) and change.recorded_by.username == "canteen"

    page.goto(live_server.url + "/k/k1/foodsafety/pests/")
    expect(page.get_by_test_id("pest-due")).to_have_attribute("data-overdue", "1")  # nothing recorded yet
    page.get_by_test_id("new-pest").click()
    page.wait_for_url(re.compile(r"/foodsafety/pests/new/"))
    _fits(page)
    page.locator("#id_place").fill("食品库")
    page.locator("#id_kind").select_option("rodent")
    page.locator("#id_method").fill("粘鼠板")
    page.locator("#id_signs_found").check()
    page.locator("#id_findings").fill("墙角发现少量鼠粪")
    page.locator("[data-testid=pest-form] button[type=submit]").click()  # signs found, no action: refused
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    assert PestCheck.objects.count() == 0
    page.locator("#id_action").fill("加放粘鼠板两块，封堵墙角缝隙")
    page.locator("[data-testid=pest-form] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/foodsafety/pests/$"))
    expect(page.get_by_test_id("pest-row")).to_have_count(1)
    expect(page.get_by_test_id("pest-due")).to_have_attribute("data-overdue", "0")
    check = PestCheck.objects.get()
    assert check.signs_found and check.action.startswith("加放粘鼠板") and check.place == "食品库"

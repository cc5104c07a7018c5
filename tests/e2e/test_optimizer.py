"""Browser test of the menu optimizer, on a phone: the health teacher proposes a week for the middle
classes, proposes Wednesday again, accepts the week as a draft menu and publishes it (an egg-allergic
child has her substitutes, so publishing goes through).

Like the other browser tests these assert on addresses, data-testid hooks and data, not on wording.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MONDAY = dt.date(2026, 12, 7)


@pytest.fixture
def library(world):
    from houqin import policy
    from houqin.canteen import services
    from houqin.canteen.tests.conftest import register
    from houqin.canteen.tests.test_optimizer import library as make_library
    from houqin.org.models import Role

    health = policy.actor_for_kindergarten(world.k1.users[Role.HEALTH_TEACHER], world.k1.kg)
    services.settings_update(actor=health, meals=["breakfast", "lunch", "afternoon_snack"], care_type="full_day_two",
                             factor_toddler="0.8", factor_small="0.9", factor_middle="1", factor_large="1.1",
                             meal_fee_per_day="13.50", refund_sick_days=True, refund_personal_days=True,
                             staff_meal_share="0")
    make_library(health)
    register(world.k1.own_child, "egg", start=MONDAY - dt.timedelta(days=30))


def test_the_health_teacher_generates_and_publishes_an_optimized_week(world, library, page, live_server, sign_in):
    from houqin.canteen.models import Menu, MenuProposal

    sign_in("health", expect_status=302)
    page.goto(live_server.url + "/k/k1/canteen/optimizer/")
    form = page.get_by_test_id("optimizer-form")
    form.locator("#id_week_start").fill(MONDAY.isoformat())
    form.locator("#id_grade").select_option("middle")
    form.get_by_test_id("propose").click()
    page.wait_for_url(re.compile(r"/canteen/optimizer/[0-9a-f-]{36}/$"), timeout=90_000)
    expect(page.get_by_test_id("all-met")).to_be_visible()
    expect(page.get_by_test_id("proposal-day")).to_have_count(5)
    proposal = MenuProposal.objects.get()
    wednesday = [e["dish"] for e in proposal.result["entries"] if e["day"] == 2]

    # Wednesday once more: other dishes, the other days as they were
    page.get_by_test_id("proposal-day").nth(2).get_by_test_id("redo-day").click()
    page.wait_for_url(re.compile(rf"/canteen/optimizer/{proposal.code}/$"), timeout=90_000)
    proposal.refresh_from_db()
    assert [e["dish"] for e in proposal.result["entries"] if e["day"] == 2] != wednesday
    expect(page.get_by_test_id("all-met")).to_be_visible()

    # accept: a draft menu of that week, then publish it
    page.get_by_test_id("accept").click()
    page.wait_for_url(re.compile(r"/canteen/menus/[0-9a-f-]{36}/$"))
    menu = Menu.objects.get(week_start=MONDAY)
    assert menu.status == "draft"
    page.get_by_test_id("publish").click()
    page.wait_for_url(re.compile(rf"/canteen/menus/{menu.code}/$"))
    menu.refresh_from_db()
    assert menu.status == "published"

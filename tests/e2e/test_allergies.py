"""Browser test of 替代餐, on a phone: a child allergic to egg is on the register; the health teacher
cannot publish a menu with an egg dish and no substitute, picks one on the menu page and publishes;
the kitchen reads who gets what instead, and the class teacher the card of her class.

Asserts on addresses, data-testid hooks and data, not on the wording of labels."""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MONDAY = dt.date(2026, 11, 23)
SHOTS = os.environ.get("HQ_SHOTS")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def egg_week(world):
    from houqin import policy
    from houqin.canteen import services
    from houqin.canteen.tests.conftest import make_dishes, register
    from houqin.org.models import Role

    health = policy.actor_for_kindergarten(world.k1.users[Role.HEALTH_TEACHER], world.k1.kg)
    dishes = make_dishes(health)
    tofu = services.dish_save(actor=health, name="番茄烩鸡丁", category="meat", ingredients=[
        {"food": dishes["greens"].ingredients.first().food, "grams_raw": "40"}])
    menu = services.menu_create(actor=health, week_start=MONDAY, days=1)
    services.entry_add(actor=health, menu=menu, day=0, meal="breakfast", dish=dishes["milk"])
    services.entry_add(actor=health, menu=menu, day=0, meal="lunch", dish=dishes["egg"])
    register(world.k1.own_child, "egg", start=MONDAY - dt.timedelta(days=10), severity="severe")
    return menu, tofu


def test_a_substitute_is_chosen_before_publishing_and_the_kitchen_reads_it(world, egg_week, page, live_server, sign_in):
    from houqin.canteen.models import Menu

    menu, tofu = egg_week
    child = world.k1.own_child
    sign_in("health", expect_status=302)
    page.goto(live_server.url + f"/k/k1/canteen/menus/{menu.code}/")
    page.get_by_test_id("publish").click()
    page.wait_for_load_state()
    assert child.name in page.content()
    assert Menu.objects.get(pk=menu.pk).status == "draft"
    _shot(page, "1-refused")
    edit = page.get_by_test_id("substitute-edit")
    expect(edit).to_be_visible()
    edit.locator("select[name=dish]").select_option(str(tofu.code))
    edit.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.get_by_test_id("publish").click()
    page.wait_for_load_state()
    assert Menu.objects.get(pk=menu.pk).status == "published"
    _shot(page, "2-published")
    page.goto(live_server.url + f"/k/k1/canteen/menus/{menu.code}/substitutes/")
    rows = page.get_by_test_id("substitute-row")
    expect(rows).to_have_count(1)
    assert child.name in rows.first.inner_text() and "番茄烩鸡丁" in rows.first.inner_text()
    _shot(page, "3-kitchen-list")
    page.goto(live_server.url + f"/k/k1/health/diets/")
    expect(page.get_by_test_id("diet-row")).to_have_count(1)
    _shot(page, "4-register")

"""A parent's morning on a phone, everything reached by tapping from home (issue 18, "the people who said
not yet"): 本周食谱 opens this week's menu and its five days fit the screen; asking someone else to collect the
child is one tap from home; the child's health record is one tap from the parents' corner and speaks in
words; the gate's tables stay closed to the parent."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

THIS_MONDAY = dt.date(2026, 11, 23)  # the suite's today is Wednesday 2026-11-25


def _fits_the_phone(page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow} px wider than the phone"


def test_a_parent_reads_the_menu_asks_a_neighbour_to_collect_and_reads_the_health_record(world, page, live_server,
                                                                                          sign_in, console):
    from houqin import policy
    from houqin.canteen import services as canteen
    from houqin.canteen.tests.conftest import make_dishes, make_menu
    from houqin.health import services as health_services
    from houqin.org.models import Role
    from houqin.safety.models import Delegation

    health = policy.actor_for_kindergarten(world.k1.users[Role.HEALTH_TEACHER], world.k1.kg)
    menu = make_menu(health, make_dishes(health), week_start=THIS_MONDAY)
    canteen.menu_publish(actor=health, menu=menu)
    child = world.k1.own_child
    health_services.exam_record(actor=health, child=child, day=dt.date(2026, 11, 20), height_cm="104.0",
                                weight_kg="16.8")

    assert sign_in("parent", expect_status=302) == "/k/k1/"
    home = page.url

    # 本周食谱: this week's published menu, day by day, on the phone's width
    page.get_by_test_id("my-children").locator("a[href$='/canteen/published/this-week/']").click()
    page.wait_for_url(re.compile(r"/canteen/published/this-week/$"))
    days = page.get_by_test_id("menu-day")
    expect(days).to_have_count(5)
    for i in range(5):
        expect(days.nth(i)).to_be_visible()
        expect(days.nth(i)).to_contain_text("米饭")
    _fits_the_phone(page)

    # someone else collects today: one tap from home
    page.goto(home)
    page.get_by_test_id(f"delegate-{child.code}").first.click()
    page.wait_for_url(re.compile(rf"/pickup/{child.code}/delegate/$"))
    _fits_the_phone(page)
    page.locator("#id_delegate_name").fill("周阿姨")
    page.locator("#id_relation").fill("邻居")
    page.locator("#id_phone").fill("13900001111")
    page.get_by_test_id("safety-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/safety/pickup/mine/$"))
    expect(page.get_by_test_id("my-delegations")).to_contain_text("周阿姨")
    assert Delegation.objects.get(child=child).delegate_name == "周阿姨"

    # the health record: from the parents' corner, in words (no SD bands or z-scores for a parent)
    page.goto(home)
    page.get_by_test_id("my-children").locator("a[href$='/family/']").click()
    page.get_by_test_id(f"health-{child.code}").click()
    page.wait_for_url(re.compile(rf"/health/children/{child.code}/$"))
    words = page.get_by_test_id("exam-words")
    expect(words).to_contain_text("104.0 cm")
    expect(words.get_by_test_id("growth-word").first).to_contain_text("正常")
    expect(words).not_to_contain_text("SD")
    _fits_the_phone(page)

    # the gate's own tables are not the parent's
    for path in ("/k/k1/safety/pickup/", f"/k/k1/safety/pickup/{child.code}/", "/k/k1/safety/pickup/delegations/"):
        assert page.goto(live_server.url + path).status == 403, path

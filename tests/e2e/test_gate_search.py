"""Browser test of the guard's pick-up search on a phone: a child is found by the full pinyin typed
without spaces, by the initials and by the characters, as names are searched everywhere in Houqin;
another kindergarten's child of the same name is never offered."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_guard_finds_a_child_by_pinyin_initials_and_characters(world, page, live_server, sign_in):
    from houqin.testing import ChildFactory

    yang = ChildFactory(school_class=world.k1.own_class, name="杨月")
    ChildFactory(school_class=world.k1.own_class, name="王小明")
    ChildFactory(school_class=world.k2.own_class, name="杨月")  # the same name in another kindergarten
    sign_in("guard", expect_status=302)
    for typed in ("yangyue", "yy", "杨月", "YangYue"):
        page.goto(live_server.url + "/k/k1/safety/pickup/")
        page.get_by_test_id("pickup-search").fill(typed)
        page.get_by_test_id("pickup-search").press("Enter")
        page.wait_for_url(re.compile(r"/k/k1/safety/pickup/\?q="))
        found = page.get_by_test_id("pickup-children").locator("a[data-child]")
        expect(found).to_have_count(1)
        expect(found).to_have_attribute("href", f"/k/k1/safety/pickup/{yang.code}/")
    # the card opens from the result, with who may collect the child
    page.get_by_test_id("pickup-children").locator("a[data-child]").click()
    page.wait_for_url(re.compile(rf"/pickup/{yang.code}/$"))
    expect(page.locator("h1, h2").first).to_contain_text("杨月")

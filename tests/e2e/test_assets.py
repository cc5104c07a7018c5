"""Browser test of fixed assets: the class teacher, on a phone, opens the start-of-term handover of
their class from the home page's to-do, corrects a count, explains it and signs; the director then
sees it signed and closes it, and the register takes the difference.

Asserts on addresses, data-testid hooks and data, never on the wording of labels.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/hq-shot-assets-handover.png"


@pytest.fixture
def assets(world):
    from houqin.assets.tests.factories import build_assets

    return build_assets(world)


def _sign_out(page):
    page.locator("form[action='/logout/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/login/"))


def test_class_teacher_signs_the_handover_on_a_phone_and_the_director_sees_it(world, assets, page, live_server,
                                                                              sign_in):
    from houqin.assets.models import Asset, Handover, HandoverStatus
    from houqin.org.models import Role

    handover = assets.own_handover
    detail = f"/k/k1/assets/handovers/{handover.code}/"

    # the class teacher lands on the home page; the handover waits there as a to-do
    assert sign_in("teacher", expect_status=302) == "/k/k1/"
    todo = page.get_by_test_id("todos").locator(f"a[href='{detail}']")
    expect(todo).to_be_visible()
    todo.click()
    page.wait_for_url(re.compile(re.escape(detail) + "$"))

    # the list of the class: every asset of the class, none of another class
    form = page.get_by_test_id("handover-form")
    expect(form).to_be_visible()
    lines = page.get_by_test_id("handover-line")
    expect(lines).to_have_count(2)
    expect(form).to_contain_text("幼儿椅")
    expect(form).to_contain_text("幼儿桌")
    expect(form).not_to_contain_text("钢琴")

    # one chair is missing: correct the count and explain it; everything else as listed
    chairs = lines.filter(has_text="幼儿椅")
    counted = chairs.locator("input[name^='counted_']")
    expect(counted).to_have_value("30")
    counted.fill("29")
    chairs.locator("input[name^='explanation_']").fill("一把椅腿断了，已交后勤")
    page.get_by_test_id("handover-sign").click()
    page.wait_for_url(re.compile(re.escape(detail) + "$"))
    expect(page.get_by_test_id("handover-signature")).to_contain_text(world.k1.users[Role.CLASS_TEACHER].full_name)
    expect(page.get_by_test_id("handover-form")).to_have_count(0)  # read-only once signed
    expect(page.get_by_test_id("handover-lines")).to_contain_text("一把椅腿断了")
    page.screenshot(path=SCREENSHOT, full_page=True)

    signed = Handover.objects.get(pk=handover.pk)
    assert signed.status == HandoverStatus.SIGNED
    assert signed.signed_by == world.k1.users[Role.CLASS_TEACHER] and signed.signed_at is not None

    # the director sees it signed, and closes it
    _sign_out(page)
    sign_in("director", expect_status=302)
    page.goto(live_server.url + "/k/k1/assets/handovers/?status=signed")
    row = page.get_by_test_id("handover-table").locator("tr", has=page.locator(f"a[href='{detail}']"))
    expect(row).to_contain_text(world.k1.own_class.name)
    expect(row).to_contain_text(world.k1.users[Role.CLASS_TEACHER].full_name)
    row.locator(f"a[href='{detail}']").click()
    page.wait_for_url(re.compile(re.escape(detail) + "$"))
    expect(page.get_by_test_id("handover-signature")).to_contain_text(world.k1.users[Role.CLASS_TEACHER].full_name)
    expect(page.get_by_test_id("handover-close-form")).to_contain_text("幼儿椅")
    page.get_by_test_id("handover-close").click()
    page.wait_for_url(re.compile(re.escape(detail) + "$"))
    expect(page.get_by_test_id("handover-status")).to_be_visible()

    assert Handover.objects.get(pk=handover.pk).status == HandoverStatus.CLOSED
    assert Asset.objects.get(pk=assets.chairs.pk).quantity == Decimal("29")

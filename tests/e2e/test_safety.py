"""Browser tests of safety on a phone: the guard fails an item of an inspection round, the director
assigns the hazard, the guard records the rectification with a photo, the principal re-checks and
closes it; a stranger at the gate is refused and the attempt is logged; the teacher confirms a
delegation by phone and the guard releases the child to the delegate.

Like the other browser tests these assert on addresses, data-testid hooks and data, not on the
wording of labels."""

import io
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_out(page):
    page.locator("form[action='/logout/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/login/"))


@pytest.fixture
def photo(tmp_path):
    from PIL import Image

    path = tmp_path / "after.png"
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 160, 40)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def template(world):
    from houqin import policy
    from houqin.org.models import Role
    from houqin.safety import services

    director = policy.actor_for_kindergarten(world.k1.users[Role.DIRECTOR], world.k1.kg)
    return services.template_save(actor=director, name="大型玩具周检", category="large_toys", frequency="weekly",
                                  items=["滑梯螺丝紧固", "秋千链条完好"], inspector=world.k1.users[Role.GUARD])


def test_a_failed_inspection_item_flows_to_a_closed_hazard(world, template, photo, page, live_server, sign_in,
                                                           open_menu):
    from houqin.safety.models import Hazard

    # the guard, on his phone, inspects the large toys: the swing chain fails
    sign_in("guard", expect_status=302)
    nav = open_menu()
    nav.locator("a[href='/k/k1/safety/']").click()
    page.wait_for_url(re.compile(r"/k/k1/safety/$"))
    page.get_by_test_id("rounds-due").get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/round/$"))
    items = page.get_by_test_id("check-item")
    items.nth(1).get_by_test_id("fail").click()
    items.nth(1).get_by_test_id("note").fill("秋千链条锈蚀断股")
    page.get_by_test_id("submit-round").click()
    page.wait_for_url(re.compile(r"/inspections/rounds/[0-9a-f-]{36}/$"))
    page.get_by_test_id("result-hazard").click()
    page.wait_for_url(re.compile(r"/hazards/[0-9a-f-]{36}/$"))
    expect(page.get_by_test_id("hazard-state")).to_have_attribute("data-state", "reported")
    hazard = Hazard.objects.get()
    assert "秋千链条锈蚀断股" in hazard.description and hazard.source.startswith("safety.inspection:")
    _sign_out(page)

    # the director assigns it to the guard with a deadline
    sign_in("director", expect_status=302)
    page.goto(live_server.url + f"/k/k1/safety/hazards/{hazard.code}/")
    page.locator("#id_assignee").select_option(str(world.k1.users["guard"].pk))
    page.get_by_test_id("assign").click()
    expect(page.get_by_test_id("hazard-state")).to_have_attribute("data-state", "assigned")
    _sign_out(page)

    # the guard replaces the chain and records it with a photo
    sign_in("guard", expect_status=302)
    page.goto(live_server.url + "/k/k1/safety/")
    page.get_by_test_id("my-hazards").get_by_role("link").first.click()
    page.locator("#id_rectification").fill("更换秋千链条")
    page.locator("#id_photo").set_input_files(str(photo))
    page.get_by_test_id("rectify").click()
    expect(page.get_by_test_id("hazard-state")).to_have_attribute("data-state", "rectified")
    assert page.get_by_test_id("verify-form").count() == 0  # the rectifier cannot close it
    _sign_out(page)

    # the principal re-checks and closes it
    sign_in("principal", expect_status=302)
    page.goto(live_server.url + "/k/k1/safety/")
    page.get_by_test_id("to-verify").get_by_role("link").first.click()
    page.get_by_test_id("close-hazard").click()
    expect(page.get_by_test_id("hazard-state")).to_have_attribute("data-state", "closed")
    expect(page.get_by_test_id("checked-by")).to_contain_text("principal")
    hazard.refresh_from_db()
    assert hazard.state == "closed" and hazard.rectification_photo and hazard.checked_by.username == "principal"


def test_the_gate_refuses_a_stranger_and_releases_to_a_confirmed_delegate(world, page, live_server, sign_in):
    from houqin.core.models import AuditEvent
    from houqin.safety.models import Delegation, Release

    child = world.k1.own_child
    # the parent asks for a delegate for today: one tap from home; the gate's tables stay closed to them
    assert sign_in("parent", expect_status=302) == "/k/k1/"
    page.get_by_test_id(f"delegate-{child.code}").first.click()
    page.wait_for_url(re.compile(rf"/pickup/{child.code}/delegate/$"))
    page.locator("#id_delegate_name").fill("周阿姨")
    page.locator("#id_relation").fill("邻居")
    page.locator("#id_phone").fill("13900001111")
    page.get_by_test_id("safety-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/safety/pickup/mine/$"))
    expect(page.get_by_test_id("my-delegations")).to_contain_text("周阿姨")
    assert Delegation.objects.get(child=child).confirmed_at is None
    response = page.goto(live_server.url + f"/k/k1/safety/pickup/{child.code}/")
    assert response.status == 403
    _sign_out(page)

    # a stranger comes to the gate: refused and logged; the unconfirmed delegate too
    sign_in("guard", expect_status=302)
    page.goto(live_server.url + f"/k/k1/safety/pickup/{child.code}/")
    page.locator("#collector_name").fill("孙先生")
    page.get_by_test_id("release-other").click()
    expect(page.locator(".alert-danger")).to_contain_text("孙先生")
    page.get_by_test_id("release-to-delegate").click()
    expect(page.locator(".alert-danger")).to_be_visible()
    assert Release.objects.filter(outcome="refused").count() == 2
    assert Release.objects.filter(outcome="released").count() == 0
    assert AuditEvent.objects.filter(action="safety.pickup.refused", outcome="denied").count() == 2
    page.goto(live_server.url + "/k/k1/safety/pickup/delegations/")
    expect(page.get_by_test_id("refused-list")).to_contain_text("孙先生")
    _sign_out(page)

    # the teacher calls the mother and confirms; the guard releases the child to the delegate
    sign_in("teacher", expect_status=302)
    page.goto(live_server.url + f"/k/k1/safety/pickup/{child.code}/")
    page.get_by_test_id("confirm-delegation").click()
    page.locator("#id_note").fill("已致电妈妈确认")
    page.get_by_test_id("safety-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("confirmation")).to_contain_text("已致电妈妈确认")
    _sign_out(page)
    sign_in("guard", expect_status=302)
    page.goto(live_server.url + f"/k/k1/safety/pickup/{child.code}/")
    page.get_by_test_id("release-to-delegate").click()
    expect(page.get_by_test_id("released")).to_contain_text("周阿姨")
    made = Release.objects.get(outcome="released")
    assert made.delegation == Delegation.objects.get() and made.released_by.username == "guard"

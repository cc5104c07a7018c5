"""Browser walk of custody restrictions on a phone: the mother files one for her child from her corner
with the court order; at the gate the barred person shows up under another name with the restricted
identity card and is refused in one line (the guard sees the photo and 不得接走, nothing else); the
refusal is logged, nobody is released, and the principal's home shows the alert at once and opens the
restriction.

Like the other browser tests these assert on addresses, data-testid hooks and data, not on the
wording of labels."""

import io
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BARRED_ID = "11010519491231002X"


def _sign_out(page):
    page.locator("form[action='/logout/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/login/"))


@pytest.fixture
def scans(tmp_path):
    from PIL import Image

    from houqin.testing import pdf_bytes

    order, face = tmp_path / "判决书.pdf", tmp_path / "face.png"
    order.write_bytes(pdf_bytes())
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), (90, 60, 40)).save(buffer, format="PNG")
    face.write_bytes(buffer.getvalue())
    return order, face


def test_a_restricted_person_is_refused_at_the_gate_and_the_principal_is_alerted(world, page, live_server, sign_in,
                                                                                  scans):
    from houqin.core.models import AuditEvent
    from houqin.safety.models import CustodyRestriction, Release

    order, face = scans
    child = world.k1.own_child
    # the mother files the restriction from her corner: without the court order nothing is saved
    sign_in("parent", expect_status=302)
    page.goto(live_server.url + "/k/k1/safety/pickup/mine/")
    page.get_by_test_id("custody-corner").click()
    page.wait_for_url(re.compile(r"/safety/custody/mine/$"))
    page.get_by_test_id("custody-new").click()
    page.wait_for_url(re.compile(r"/safety/custody/new/$"))
    page.locator("#id_person_name").fill("赵建国")
    page.locator("#id_id_number").fill(BARRED_ID)
    page.locator("#id_photo").set_input_files(str(face))
    page.get_by_test_id("safety-form").locator("button[type=submit]").click()
    expect(page.locator("#id_person_name")).to_have_value("赵建国")  # the form again: no document
    assert CustodyRestriction.objects.count() == 0
    page.locator("#id_photo").set_input_files(str(face))
    page.locator("#id_document").set_input_files(str(order))
    page.get_by_test_id("safety-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/safety/custody/mine/$"))
    expect(page.get_by_test_id("my-custody")).to_contain_text("赵建国")
    restriction = CustodyRestriction.objects.get(child=child)
    assert restriction.document and restriction.photo and restriction.id_number == BARRED_ID
    _sign_out(page)

    # at the gate: the card shows the photo and 不得接走, not the name; another name with the barred ID
    sign_in("guard", expect_status=302)
    page.goto(live_server.url + f"/k/k1/safety/pickup/{child.code}/")
    barred = page.get_by_test_id("barred")
    expect(barred).to_be_visible()
    expect(barred.locator("img")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("赵建国")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("#collector_name").fill("赵先生")
    page.locator("#id_number").fill(BARRED_ID.lower())
    page.get_by_test_id("release-other").click()
    expect(page.locator(".alert-danger").filter(has_text="赵先生")).to_be_visible()
    refused = Release.objects.get()
    assert refused.outcome == "refused" and refused.restriction == restriction
    assert not Release.objects.filter(outcome="released").exists()
    assert AuditEvent.objects.filter(action="safety.custody.refused", outcome="denied").count() == 1
    response = page.goto(live_server.url + f"/k/k1/safety/custody/{restriction.code}/")
    assert response.status == 403  # the guard never sees the details
    _sign_out(page)

    # the principal: the alert is on the home at once and opens the restriction with its refusal
    sign_in("principal", expect_status=302)
    page.goto(live_server.url + "/k/k1/")
    alert = page.get_by_test_id("todos").locator(f"a[href$='/safety/custody/{restriction.code}/']").first
    expect(alert).to_contain_text("赵先生")
    alert.click()
    page.wait_for_url(re.compile(rf"/safety/custody/{restriction.code}/$"))
    expect(page.get_by_test_id("custody-card")).to_contain_text("赵建国")
    expect(page.get_by_test_id("custody-refusals")).to_contain_text("赵先生")
    page.get_by_test_id("custody-confirm").click()
    expect(page.get_by_test_id("custody-confirm")).to_have_count(0)
    restriction.refresh_from_db()
    assert restriction.confirmed_by.username == "principal"

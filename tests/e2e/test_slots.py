"""Browser test of the staggered dismissal, on a phone: the director sets a dismissal slot for a class
at the east gate (the parents are told); the guard, on the day's afternoon duty at that gate, opens the
gate tabs and sees today's slot with the people on post.

Like the other browser tests this asserts on addresses, data-testid hooks and data, not on the
wording of labels."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_out(page):
    page.locator("form[action='/logout/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/login/"))


def test_the_director_sets_a_slot_and_the_guard_sees_it_at_the_gate(world, page, live_server, sign_in):
    from houqin.notices.models import Notice
    from houqin.org.models import Role
    from houqin.safety.models import DutyShift, GateSlot

    own_class = world.k1.own_class
    director = world.k1.users[Role.DIRECTOR].username
    guard = world.k1.users[Role.GUARD]
    DutyShift.objects.create(kindergarten=world.k1.kg, date=timezone.localdate(), slot="evening_peak",
                             volunteer_name="王家长", post="东门")

    # the director, on a phone, sets the class's dismissal slot
    sign_in(director, expect_status=302)
    page.goto(live_server.url + "/k/k1/safety/slots/all/")
    page.get_by_test_id("slot-new").click()
    page.wait_for_url(re.compile(r"/slots/new/$"))
    page.locator("#id_kind").select_option("dismissal")
    page.locator("#id_school_class").select_option(str(own_class.code))
    page.locator("#id_gate").fill("东门")
    page.locator("#id_start").fill("16:00")
    page.locator("#id_end").fill("15:45")  # an end before the start: refused, nothing saved
    page.get_by_test_id("safety-form").locator("button[type=submit]").click()
    expect(page.locator(".invalid-feedback, .errorlist, .alert-danger").first).to_be_visible()
    assert GateSlot.objects.count() == 0
    page.locator("#id_end").fill("16:15")
    page.get_by_test_id("safety-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/slots/all/$"))
    slot = GateSlot.objects.get()
    assert slot.school_class == own_class and slot.gate == "东门"
    assert Notice.objects.filter(code=slot.notice_code).exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _sign_out(page)

    # the guard opens the gate tabs and sees today's slot with the people on post
    sign_in(guard.username, expect_status=302)
    page.goto(live_server.url + "/k/k1/safety/pickup/")
    page.get_by_test_id("slots-tab").click()
    page.wait_for_url(re.compile(r"/safety/slots/$"))
    row = page.get_by_test_id("gate-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("gate-slot")).to_contain_text("16:00–16:15")
    expect(row.get_by_test_id("gate-slot")).to_contain_text(own_class.name)
    expect(row.get_by_test_id("gate-posts")).to_contain_text("王家长")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

"""Browser test of the injuries told to parents, on a phone: the class teacher records a child's
injury; the parent signs in, finds it in plain words on the parents' corner and acknowledges it.

Like the other browser tests this asserts on addresses, data-testid hooks and data, not on the
wording of labels."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_out(page):
    page.locator("form[action='/logout/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/login/"))


def test_a_teacher_records_an_injury_and_the_parent_acknowledges_it(world, page, live_server, sign_in):
    from houqin.org.models import Role
    from houqin.safety.models import Injury

    child = world.k1.own_child
    teacher = world.k1.users[Role.CLASS_TEACHER].username
    parent = world.k1.users[Role.PARENT].username

    # the class teacher, on her phone, records the injury
    sign_in(teacher, expect_status=302)
    page.goto(live_server.url + "/k/k1/safety/injuries/")
    page.get_by_test_id("injury-new").click()
    page.wait_for_url(re.compile(r"/injuries/new/$"))
    page.locator("#id_child").select_option(str(child.code))
    when = timezone.localtime() - dt.timedelta(minutes=20)
    page.locator("#id_occurred_at").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_location").fill("户外滑梯")
    page.locator("#id_description").fill("从滑梯滑下时摔倒，右膝擦破皮")
    page.locator("#id_first_aid").fill("保健老师清洗消毒，贴创可贴")
    page.locator("#id_witnesses").fill("王老师")
    page.get_by_test_id("safety-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/injuries/[0-9a-f-]{36}/$"))
    injury = Injury.objects.get()
    assert injury.child == child and injury.created_by.username == teacher
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    _sign_out(page)

    # the parent signs in and finds it on the parents' corner, in plain words
    sign_in(parent, expect_status=302)
    page.goto(live_server.url + "/k/k1/family/")
    card = page.get_by_test_id("family-injuries")
    expect(card).to_contain_text(child.name)
    expect(card).to_contain_text("从滑梯滑下时摔倒，右膝擦破皮")
    expect(page.get_by_test_id("family-notices")).to_contain_text(child.name)  # the notice of the same day
    card.get_by_test_id("family-injury").first.click()
    page.wait_for_url(re.compile(rf"/injuries/{injury.code}/$"))
    plain = page.get_by_test_id("injury-plain")
    expect(plain).to_contain_text("保健老师清洗消毒，贴创可贴")
    expect(plain).to_contain_text("王老师")
    assert "safety.injury" not in page.content()  # no codes or raw keys on the parent's page
    page.get_by_test_id("injury-acknowledge").click()
    page.wait_for_url(re.compile(rf"/injuries/{injury.code}/$"))
    expect(page.get_by_test_id("injury-answered")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    injury.refresh_from_db()
    assert injury.response == "acknowledged" and injury.responded_by.username == parent

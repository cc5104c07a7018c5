"""Two-step sign-in in the browser, on a phone: the principal enrols (the key read from the page, the
code computed as the phone app would), signs out, and signs in again with the password and a code."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import TOTP, hotp
from playwright.sync_api import expect

from houqin.testing import PASSWORD

pytestmark = pytest.mark.e2e


def _password(page, live_server, username):
    page.goto(live_server.url + "/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()


def _fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{page.url} scrolls sideways"


def test_principal_enrols_on_a_phone_then_signs_in_with_password_and_code(world, page, live_server):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _password(page, live_server, "principal")
    page.wait_for_url(re.compile(r"/account/2fa/setup/"))
    expect(page.get_by_role("heading", name="设置两步验证")).to_be_visible()
    _fits_the_phone(page)
    # nothing else opens before the enrolment is done
    assert page.request.get(live_server.url + "/k/k1/children/", max_redirects=0).status == 302
    api = page.request.get(live_server.url + "/api/me")
    assert api.status == 403 and "两步验证" in api.json()["detail"]

    expect(page.get_by_test_id("otp-qr").locator("svg")).to_be_visible()
    key = b32decode(page.get_by_test_id("otp-secret").inner_text().replace(" ", ""))
    page.locator("#id_token").fill(f"{TOTP(key).token():06d}")
    page.get_by_role("button", name="确认").click()

    page.wait_for_url(re.compile(r"/account/2fa/recovery-codes/"))
    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    _fits_the_phone(page)
    page.get_by_test_id("recovery-done").click()
    page.wait_for_url(re.compile(r"/k/k1/$"))
    assert TOTPDevice.objects.filter(user__username="principal", confirmed=True).count() == 1

    page.locator("form[action='/logout/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/login/"))

    # again: the password, then the code page
    _password(page, live_server, "principal")
    page.wait_for_url(re.compile(r"/account/2fa/verify/"))
    _fits_the_phone(page)
    assert page.request.get(live_server.url + "/k/k1/", max_redirects=0).status == 302
    page.locator("#id_token").fill(f"{(TOTP(key).token() + 1) % 1000000:06d}")
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_test_id("otp-error")).to_contain_text("验证码不对")

    # the phone's next code (the current one was used at enrolment); django-otp accepts one step of
    # drift, and its throttling wants a second's pause after the wrong code
    page.wait_for_timeout(2100)
    totp = TOTP(key)
    page.locator("#id_token").fill(f"{hotp(key, totp.t() + 1):06d}")
    page.get_by_role("button", name="验证").click()
    page.wait_for_url(re.compile(r"/k/k1/$"))
    assert page.request.get(live_server.url + "/api/me").status == 200
    page.goto(live_server.url + "/account/")
    expect(page.get_by_test_id("otp-status")).to_contain_text("已开启")
    expect(page.get_by_test_id("recovery-left")).to_contain_text("10")

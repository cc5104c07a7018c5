"""Two-step sign-in (core.otp): who is asked, the code page, enrolment, recovery codes, throttling,
the API, and the principal's reset. Codes are computed from the device's key as the phone would."""

import datetime as dt
import json
from base64 import b32decode

import pytest
import time_machine
from django.test import Client
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from houqin.core import otp
from houqin.core.models import AuditEvent
from houqin.core.tokens import api_token_create
from houqin.org.models import Role
from houqin.testing import PASSWORD, force_login_unverified, otp_device, totp_code

pytestmark = pytest.mark.django_db

REQUIRED = [Role.PRINCIPAL, Role.DIRECTOR, Role.ACCOUNTANT, Role.HEALTH_TEACHER]
NOT_REQUIRED = [Role.CANTEEN, Role.STOREKEEPER, Role.CLASS_TEACHER, Role.NURSERY, Role.GUARD, Role.PARENT]


def _password(username, ip="10.0.0.7"):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = client.post("/login/", {"username": username, "password": PASSWORD}, REMOTE_ADDR=ip)
    assert response.status_code == 302, response.content[:300]
    return client


def _code(client, token, next_url=""):
    return client.post("/account/2fa/verify/", {"token": token, "next": next_url})


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1000000:06d}"


# --- who is asked --------------------------------------------------------------------------------


def test_the_default_setting_asks_the_five_roles():
    assert set(otp.required_roles()) == {"principal", "director", "accountant", "health_teacher", "supervisor"}


@pytest.mark.parametrize("role", REQUIRED)
def test_required_roles_without_a_phone_are_sent_to_enrol_and_reach_nothing_else(world, role):
    user = world.k1.users[role]
    client = _password(user.username)
    for path in ("/", "/k/k1/", "/k/k1/children/", "/account/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith("/account/2fa/setup/?next="), (path, response.url)
    assert client.post("/k/k1/children/new/", {}).url.startswith("/account/2fa/setup/")
    response = client.get("/api/k/k1/children")
    assert response.status_code == 403
    assert "两步验证" in response.json()["detail"]
    assert client.get("/account/2fa/setup/").status_code == 200


def test_the_supervisor_is_asked_too(world):
    client = _password(world.supervisor.username)
    assert client.get("/d/chengnan/").url.startswith("/account/2fa/setup/")


@pytest.mark.parametrize("role", REQUIRED)
def test_required_roles_with_a_phone_give_the_code_before_any_page_or_api(world, role):
    user = world.k1.users[role]
    device = otp_device(user)
    client = _password(user.username)
    response = client.get("/k/k1/")
    assert response.url == "/account/2fa/verify/?next=%2Fk%2Fk1%2F"
    assert client.get("/api/me").status_code == 403
    page = client.get(response.url)
    assert page.status_code == 200 and "两步验证" in page.content.decode()

    response = _code(client, totp_code(device), "/k/k1/")
    assert response.status_code == 302 and response.url == "/k/k1/"
    assert client.get("/k/k1/").status_code == 200
    assert client.get("/api/me").status_code == 200
    assert AuditEvent.objects.filter(action="auth.otp.verify", actor=user, outcome="success").count() == 1


@pytest.mark.parametrize("role", NOT_REQUIRED)
def test_roles_not_in_the_setting_are_not_asked(world, role):
    client = _password(world.k1.users[role].username)
    assert client.get("/k/k1/").status_code == 200
    assert client.get("/api/me").status_code == 200


def test_a_role_not_in_the_setting_is_not_asked(world, settings):
    settings.HOUQIN_2FA_ROLES = ["principal"]
    client = _password("director")
    assert client.get("/k/k1/").status_code == 200
    assert client.get("/k/k1/").status_code == 200
    assert _password("principal").get("/k/k1/").status_code == 302


def test_the_setting_turned_off_asks_nobody(world, settings):
    settings.HOUQIN_2FA_ROLES = []
    otp_device(world.k1.users[Role.DIRECTOR])  # even someone who had enrolled
    for username in ("principal", "director", "health", "accountant"):
        client = _password(username)
        assert client.get("/k/k1/").status_code == 200, username
        assert client.get("/api/me").status_code == 200, username
    assert _password("district").get("/d/chengnan/").status_code == 200


def test_anyone_who_enrolled_is_asked(world):
    otp_device(world.k1.users[Role.CLASS_TEACHER])
    client = _password("teacher")
    assert client.get("/k/k1/").url.startswith("/account/2fa/verify/")


def test_a_bad_setting_is_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.HOUQIN_2FA_ROLES = ["principal", "headmaster"]
    with pytest.raises(ImproperlyConfigured):
        otp.required_roles()


# --- codes -------------------------------------------------------------------------------------


def test_a_wrong_code_is_refused_and_throttled(world):
    user = world.k1.users[Role.PRINCIPAL]
    device = otp_device(user)
    client = _password("principal")
    with time_machine.travel(dt.timedelta(0), tick=False):  # the clock stands still
        good = totp_code(device)
        response = _code(client, _wrong(good))
        assert response.status_code == 200 and "验证码不对" in response.content.decode()
        device.refresh_from_db()
        assert device.throttling_failure_count == 1
        # at once again: django-otp's throttling refuses even the right code until the wait is over
        response = _code(client, good)
        assert response.status_code == 429 and "次数过多" in response.content.decode()
    assert client.get("/k/k1/").status_code == 302
    for minutes in (1, 2, 3):
        with time_machine.travel(dt.timedelta(minutes=minutes), tick=False):  # the wait is over each time
            _code(client, _wrong(totp_code(device)))
    device.refresh_from_db()
    assert device.throttling_failure_count == 4
    assert AuditEvent.objects.filter(action="auth.otp.verify", actor=user, outcome="failed").count() == 4
    assert AuditEvent.objects.filter(action="auth.otp.verify", actor=user, outcome="denied").count() == 1
    with time_machine.travel(dt.timedelta(minutes=4), tick=False):
        assert _code(client, totp_code(device), "/k/k1/").url == "/k/k1/"
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_a_code_works_once(world):
    device = otp_device(world.k1.users[Role.PRINCIPAL])
    code = totp_code(device)
    assert _code(_password("principal"), code).status_code == 302
    assert _code(_password("principal"), code).status_code == 200  # the same code again: refused


def test_a_recovery_code_works_once(world):
    user = world.k1.users[Role.PRINCIPAL]
    otp_device(user)
    codes = otp.new_recovery_codes(user)
    assert len(codes) == 10 and len(set(codes)) == 10
    client = _password("principal")
    response = _code(client, codes[3].upper()[:4] + "-" + codes[3][4:], "/k/k1/")  # as printed or typed
    assert response.url == "/k/k1/"
    assert client.get("/k/k1/").status_code == 200
    assert otp.recovery_left(user) == 9

    other = _password("principal", ip="10.0.0.8")
    assert _code(other, codes[3]).status_code == 200
    assert other.get("/k/k1/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.otp.verify", actor=user, outcome="failed",
                                     detail__kind="recovery").count() == 1


def test_the_password_lockout_still_comes_first(world):
    otp_device(world.k1.users[Role.PRINCIPAL])
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": "principal", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    response = client.post("/login/", {"username": "principal", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert client.get("/account/2fa/verify/").status_code == 302  # not signed in: to the login page
    assert client.get("/account/2fa/verify/").url.startswith("/login/")


# --- enrolment ---------------------------------------------------------------------------------


def _secret(html: str) -> bytes:
    import re

    text = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', html).group(1)
    return b32decode(text.replace(" ", ""))


def test_enrolment_with_the_secret_from_the_page_shows_ten_recovery_codes_once(world):
    user = world.k1.users[Role.DIRECTOR]
    client = _password("director")
    page = client.get("/account/2fa/setup/?next=/k/k1/")
    html = page.content.decode()
    assert "<svg" in html  # the QR code
    key = _secret(html)
    assert client.get("/account/2fa/setup/").content.decode().count(_secret_text(key)) == 1  # same secret on reload

    wrong = client.post("/account/2fa/setup/?next=/k/k1/", {"token": _wrong(f"{totp(key):06d}")})
    assert wrong.status_code == 200 and "验证码不对" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert client.get("/k/k1/").status_code == 302

    with time_machine.travel(dt.timedelta(seconds=60), tick=False):  # past the throttle's wait
        response = client.post("/account/2fa/setup/?next=/k/k1/", {"token": f"{totp(key):06d}"})
        assert response.status_code == 302 and response.url.startswith("/account/2fa/recovery-codes/")
        shown = client.get(response.url)
        codes = [c for c in StaticToken.objects.filter(device__user=user).values_list("token", flat=True)]
        assert len(codes) == 10 and all(c in shown.content.decode() for c in codes)
        assert all(c not in client.get(response.url).content.decode() for c in codes)  # shown only once
        assert client.get("/k/k1/").status_code == 200  # the enrolment verified this session
    assert TOTPDevice.objects.get(user=user, confirmed=True)
    assert AuditEvent.objects.filter(action="auth.otp.enrol", actor=user, outcome="success").count() == 1

    # the next sign-in asks for the code from the same key
    again = _password("director", ip="10.0.0.11")
    assert again.get("/k/k1/").url.startswith("/account/2fa/verify/")
    with time_machine.travel(dt.timedelta(seconds=120), tick=False):
        code = TOTP(key)
        assert _code(again, f"{code.token():06d}", "/k/k1/").url == "/k/k1/"


def _secret_text(key: bytes) -> str:
    from base64 import b32encode

    raw = b32encode(key).decode()
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


# --- account page and reset -----------------------------------------------------------------------


def test_the_account_page_shows_the_phone_and_makes_new_recovery_codes(world, login):
    user = world.k1.users[Role.PRINCIPAL]
    client = login(user)  # force_login: a verified session (houqin.testing)
    old = otp.new_recovery_codes(user)
    page = client.get("/account/")
    assert page.status_code == 200
    assert "手机" in page.content.decode() and "10" in page.content.decode()
    response = client.post("/account/2fa/recovery-codes/new/")
    assert response.url == "/account/2fa/recovery-codes/"
    new = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(new) == 10 and not set(new) & set(old)
    shown = client.get(response.url).content.decode()
    assert all(c in shown for c in new), (new, shown[-1500:])
    assert AuditEvent.objects.filter(action="auth.otp.recovery_codes", actor=user).count() == 1


def test_new_recovery_codes_need_a_verified_session(world):
    user = world.k1.users[Role.CLASS_TEACHER]  # not required; enrolled, but this session gave no code
    otp_device(user)
    client = Client()
    force_login_unverified(client, user)
    response = client.post("/account/2fa/recovery-codes/new/")
    assert response.url.startswith("/account/2fa/verify/")
    assert not StaticToken.objects.filter(device__user=user).exists()


def test_the_principal_resets_a_staff_members_two_step_sign_in(world, login):
    director = world.k1.users[Role.DIRECTOR]
    otp_device(director)
    otp.new_recovery_codes(director)
    membership = director.memberships.get(kindergarten=world.k1.kg)
    staff_page = login(world.k1.users[Role.PRINCIPAL]).get("/k/k1/staff/")
    assert f"/k/k1/staff/{membership.code}/2fa-reset/" in staff_page.content.decode()

    assert login(director).post(f"/k/k1/staff/{membership.code}/2fa-reset/").status_code == 403
    director_session = _password("director")
    response = login(world.k1.users[Role.PRINCIPAL]).post(f"/k/k1/staff/{membership.code}/2fa-reset/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=director).exists()
    assert not StaticToken.objects.filter(device__user=director).exists()
    event = AuditEvent.objects.get(action="auth.otp.reset")
    assert event.actor == world.k1.users[Role.PRINCIPAL] and event.object_code == str(membership.code)
    assert director_session.get("/k/k1/").url.startswith("/account/2fa/setup/")  # enrols again
    # another kindergarten's staff cannot be reset from here
    other = world.k2.users[Role.DIRECTOR].memberships.first()
    assert login(world.k1.users[Role.PRINCIPAL]).post(f"/k/k1/staff/{other.code}/2fa-reset/").status_code == 404


# --- the API -------------------------------------------------------------------------------------


def test_the_api_refuses_an_unverified_session_but_not_a_bearer_token(world):
    user = world.k1.users[Role.PRINCIPAL]
    otp_device(user)
    _token, raw = api_token_create(user=user, kindergarten=world.k1.kg, name="门口平板")
    client = _password("principal")
    response = client.get("/api/k/k1/classes")
    assert response.status_code == 403
    body = json.loads(response.content)
    assert body["code"] == "otp_required" and "两步验证" in body["detail"]
    assert Client().get("/api/k/k1/classes", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    # a bogus token does not let the unverified session through
    assert client.get("/api/k/k1/classes", HTTP_AUTHORIZATION="Bearer hq_nope").status_code in (401, 403)


@pytest.mark.parametrize(("value", "roles"), [
    (None, ["principal", "director", "accountant", "health_teacher", "supervisor"]),
    ("", []),
    ("principal, guard", ["principal", "guard"]),
])
def test_the_setting_comes_from_the_environment(tmp_path, settings, value, roles):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "HOUQIN_2FA_ROLES"}
    env.update(HOUQIN_DATA_DIR=str(tmp_path), HOUQIN_SECRET_KEY="x" * 50)
    if value is not None:
        env["HOUQIN_2FA_ROLES"] = value
    out = subprocess.run([sys.executable, "-c", "import config.settings as s; print(','.join(s.HOUQIN_2FA_ROLES))"],
                         env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True).stdout.strip()
    assert (out.split(",") if out else []) == roles

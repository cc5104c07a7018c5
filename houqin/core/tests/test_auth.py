"""Sign-in, lockout, sessions and the security headers."""

import subprocess
import sys
import time

import pytest
from django.test import Client

from houqin.core.middleware import LOGIN_AT, SEEN_AT
from houqin.core.models import AuditEvent
from houqin.org.models import Role
from houqin.testing import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password, ip="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_with_the_right_password_lands_on_the_kindergarten(world):
    client = Client()
    response = _login(client, "principal", PASSWORD)
    assert response.status_code == 302
    assert client.get("/").url == "/k/k1/"
    assert AuditEvent.objects.filter(action="auth.login", outcome="success", actor_name="principal").count() == 1


def test_five_failures_lock_out_the_user_at_that_address_even_with_the_right_password(world):
    client = Client()
    for _ in range(4):
        assert _login(client, "teacher", "wrong-password").status_code == 200
    assert _login(client, "teacher", "wrong-password").status_code == 429  # the fifth failure locks
    response = _login(client, "teacher", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.login", outcome="failed", actor_name="teacher").count() >= 5


def test_lockout_does_not_lock_out_colleagues_behind_the_same_address(world):
    client = Client()
    for _ in range(6):
        _login(client, "teacher", "wrong-password")
    assert _login(Client(), "nursery", PASSWORD).status_code == 302


def test_unknown_and_known_user_names_get_the_same_answer(world):
    known = _login(Client(), "teacher", "wrong-password", ip="10.0.0.2")
    unknown = _login(Client(), "nobody-here", "wrong-password", ip="10.0.0.3")
    assert known.status_code == unknown.status_code == 200
    assert "登录名或密码错误" in known.content.decode() or "login name or password is wrong" in known.content.decode()


def test_failed_login_names_are_logged_without_control_characters(world):
    _login(Client(), "evil\r\nname\x1b[31m", "x", ip="10.0.0.4")
    event = AuditEvent.objects.filter(action="auth.login", outcome="failed").latest("at")
    assert "\n" not in event.actor_name and "\r" not in event.actor_name and "\x1b" not in event.actor_name


def test_staff_session_ends_after_30_idle_minutes(world):
    client = Client()
    client.force_login(world.k1.users[Role.PRINCIPAL])
    assert client.get("/k/k1/").status_code == 200
    session = client.session
    session[SEEN_AT] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/k/k1/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_staff_session_ends_after_10_hours_even_when_active(world):
    client = Client()
    client.force_login(world.k1.users[Role.PRINCIPAL])
    client.get("/k/k1/")
    session = client.session
    session[LOGIN_AT] = int(time.time()) - 10 * 3600 - 5
    session[SEEN_AT] = int(time.time()) - 10
    session.save()
    assert client.get("/k/k1/").status_code == 302


def test_parent_session_survives_a_day_of_idleness(world):
    client = Client()
    client.force_login(world.k1.users[Role.PARENT])
    client.get("/k/k1/")
    session = client.session
    session[SEEN_AT] = int(time.time()) - 24 * 3600
    session.save()
    assert client.get("/k/k1/").status_code == 200


def test_logout_needs_post_and_ends_the_session(world):
    client = Client()
    client.force_login(world.k1.users[Role.PRINCIPAL])
    assert client.get("/logout/").status_code == 405
    client.post("/logout/")
    assert client.get("/k/k1/").status_code == 302


def test_pages_carry_a_content_security_policy_without_inline_scripts(world, login):
    response = login(world.k1.users[Role.PRINCIPAL]).get("/k/k1/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert response["X-Frame-Options"] == "DENY"


def test_csrf_is_enforced_on_forms(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.k1.users[Role.PRINCIPAL])
    child = world.k1.own_child
    response = client.post(f"/k/k1/children/{child.code}/leave/", {"left_on": "2026-11-01"})
    assert response.status_code == 403
    child.refresh_from_db()
    assert child.left_on is None


def test_api_requires_authentication(world):
    assert Client().get("/api/k/k1/children").status_code == 401


def test_api_session_writes_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.k1.users[Role.PRINCIPAL])
    response = client.post(f"/api/k/k1/children/{world.k1.own_child.code}/leave", {"left_on": "2026-11-01"},
                           content_type="application/json")
    assert response.status_code == 403
    world.k1.own_child.refresh_from_db()
    assert world.k1.own_child.left_on is None


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    env = {"HOUQIN_DATA_DIR": str(tmp_path), "HOUQIN_SECRET_KEY": "x" * 20 + "production-like-secret-key-" + "y" * 30,
           "DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

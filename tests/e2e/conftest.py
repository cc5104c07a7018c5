"""Fixtures of the browser tests: a phone-sized page, the standard world, signing in through the
form, and a console watch that fails any test during which the Content Security Policy blocked
something (or a static file failed to load)."""

import re
import threading
import time

import pytest
from django.core.signals import request_finished, request_started
from playwright.sync_api import TimeoutError as PlaywrightTimeout

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_context_args(browser_context_args):
    """Every page is a phone (390×844, touch) asking for Chinese, as parents and teachers use it."""
    return {
        **browser_context_args,
        "viewport": PHONE,
        "is_mobile": True,
        "has_touch": True,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
    }


@pytest.fixture
def world(transactional_db):
    from houqin.testing import build_world

    return build_world()


class _InFlight:
    """The live server's threads answering a request right now (they send Django's request signals).
    A test that ends while the page's last htmx call is still being answered must wait for it:
    otherwise the server thread is still reading the database while the test database is flushed for
    the next test (on PostgreSQL the flush then fails on that thread's lock, and the next test starts
    on the last one's rows). Requests of the test client run in the main thread and are not counted
    (a streamed download a test never reads never sends request_finished)."""

    def __init__(self):
        self.threads: set[int] = set()
        self.lock = threading.Lock()
        request_started.connect(self.started, weak=False)
        request_finished.connect(self.finished, weak=False)

    def started(self, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            with self.lock:
                self.threads.add(threading.get_ident())

    def finished(self, **kwargs):
        with self.lock:
            self.threads.discard(threading.get_ident())

    def busy(self) -> int:
        alive = {t.ident for t in threading.enumerate()}
        with self.lock:
            self.threads &= alive  # a thread that ended without finishing answers nothing any more
            return len(self.threads)

    def wait_idle(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.busy() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not self.busy(), f"the live server was still answering {self.busy()} request(s) {timeout:.0f} s after the test"


IN_FLIGHT = _InFlight()


class Console:
    """What the browser reported while the test ran: console messages, page errors, failed loads."""

    def __init__(self):
        self.messages: list[str] = []
        self.failed_static: list[str] = []

    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m or "Content-Security-Policy" in m]


def _where(page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


@pytest.fixture(autouse=True)
def console(transactional_db, page):
    """Watch the page for the whole test; at the end nothing may have been blocked by the CSP and
    no CSS/JS file may have failed to load. It depends on the test database so that its end comes
    before the database is flushed: it closes the page and waits until the live server has answered
    every request the page had made."""
    seen = Console()
    page.on("console", lambda msg: seen.messages.append(f"{msg.type} on {_where(page)}: {msg.text}"))
    page.on("pageerror", lambda exc: seen.messages.append(f"pageerror on {_where(page)}: {exc}"))

    def _response(response):
        if "/static/" in response.url and response.status >= 400:
            seen.failed_static.append(f"{response.status} {response.url}")

    page.on("response", _response)
    def _failed(request):
        # a load cut short because the test moved on to the next page (net::ERR_ABORTED) is not a missing
        # file: a missing file answers 404, caught above
        if "/static/" in request.url and "ERR_ABORTED" not in (request.failure or ""):
            seen.failed_static.append(f"failed {request.url}: {request.failure}")

    page.on("requestfailed", _failed)
    yield seen
    try:
        page.wait_for_load_state("networkidle", timeout=10_000)
    except PlaywrightTimeout:  # a page that never settles is closed all the same
        pass
    page.close()
    IN_FLIGHT.wait_idle()
    if getattr(seen, "expect_csp_violation", False):
        return
    violations = seen.csp_violations()
    assert not violations, "The Content Security Policy blocked something:\n" + "\n".join(violations)
    assert not seen.failed_static, "Static files failed to load:\n" + "\n".join(seen.failed_static)


@pytest.fixture
def sign_in(page, live_server):
    """`sign_in(username)` fills in the login form and submits it; returns the landing path. A user
    whose role requires two-step sign-in has a phone app (houqin.testing.otp_device) and gives its
    code on the code page that follows (`code=False` stops at that page)."""
    from django.contrib.auth import get_user_model

    from houqin.core.otp import must_verify
    from houqin.testing import PASSWORD, otp_device, totp_code

    def _sign_in(username: str, password: str = PASSWORD, *, expect_status: int | None = None,
                 code: bool = True) -> str:
        user = get_user_model().objects.filter(username=username).first()
        device = otp_device(user) if user is not None and must_verify(user) else None
        page.goto(live_server.url + "/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        with page.expect_response(lambda r: r.url.rstrip("/").endswith("/login") and r.request.method == "POST") as info:
            page.locator("form[action='/login/'] button[type=submit]").click()
        response = info.value
        if expect_status is not None:
            assert response.status == expect_status, f"login as {username}: HTTP {response.status}"
        page.wait_for_load_state()
        if device is not None and code and "/account/2fa/verify/" in page.url:
            page.locator("#id_token").fill(totp_code(device, fresh=True))
            page.locator("form[action='/account/2fa/verify/'] button[type=submit]").click()
            page.wait_for_load_state()
        return re.sub(r"^https?://[^/]+", "", page.url)

    return _sign_in


@pytest.fixture
def open_menu(page):
    """On a phone the menu sits behind the hamburger button: open it, return the nav."""

    def _open_menu():
        nav = page.get_by_test_id("main-nav")
        toggler = page.locator("button.navbar-toggler[data-bs-target='#hq-nav']")
        assert toggler.is_visible(), "no hamburger button on a phone-sized screen"
        assert not nav.is_visible(), "the menu should be hidden on a phone until the hamburger is pressed"
        toggler.click()
        nav.wait_for(state="visible")  # Bootstrap's script ran: the offcanvas opened
        return nav

    return _open_menu

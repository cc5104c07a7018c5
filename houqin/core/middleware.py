"""Session lifetimes (an idle limit and an absolute limit, longer for parents than for staff), the
pages' answer to input that slipped past the forms (400, never 500), and to a write that met a
locked database (503, never 500)."""

import time

from django.conf import settings
from django.contrib.auth import logout

LOGIN_AT = "houqin_login_at"
SEEN_AT = "houqin_seen_at"
LIMITS = "houqin_limits"
TOUCH_EVERY = 60  # seconds: the session is written at most once a minute


def _limits(user) -> tuple[int, int]:
    from houqin.core.roles import Role

    roles = set(user.memberships.filter(is_active=True).values_list("role", flat=True))
    if roles and roles <= {Role.PARENT}:
        return settings.SESSION_IDLE_SECONDS_PARENT, settings.SESSION_ABSOLUTE_SECONDS_PARENT
    return settings.SESSION_IDLE_SECONDS_STAFF, settings.SESSION_ABSOLUTE_SECONDS_STAFF


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            session = request.session
            login_at = session.get(LOGIN_AT)
            seen_at = session.get(SEEN_AT)
            if login_at is None:
                session[LOGIN_AT] = session[SEEN_AT] = now
                session[LIMITS] = list(_limits(user))
            else:
                idle, absolute = session.get(LIMITS) or _limits(user)
                if now - (seen_at or login_at) > idle or now - login_at > absolute:
                    logout(request)
                elif now - (seen_at or 0) >= TOUCH_EVERY:
                    session[SEEN_AT] = now
        return self.get_response(request)


class RejectedInputMiddleware:
    """Pages: input that slipped past a form's rules and was refused by a model's rules on save
    (core.inputs.check_instance) or by the database is answered 400 with the reasons, in the user's
    language; the transaction of the request has rolled back, so nothing is saved. Requests whose
    query or form carries a NUL byte or a control character are refused before any view runs. (The
    API has its own handlers in core.api.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from houqin.core.inputs import text_problem

        if not request.path.startswith("/api/"):
            for data in ([request.GET, request.POST] if request.method == "POST" else [request.GET]):
                for key, values in data.lists():
                    texts = [v for v in [key, *values] if isinstance(v, str)]
                    problem = next((p for p in map(text_problem, texts) if p), None)
                    if problem:
                        return self._rejected(request, [problem])
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.core.exceptions import ValidationError
        from django.db import DataError, IntegrityError

        if request.path.startswith("/api/"):
            return None
        if isinstance(exception, ValidationError):
            return self._rejected(request, exception.messages)
        if isinstance(exception, (DataError, IntegrityError, OverflowError)):
            import logging

            logging.getLogger("houqin.input").warning("input refused by the database: %r", exception)
            return self._rejected(request, [])
        return None

    @staticmethod
    def _rejected(request, problems):
        from django.shortcuts import render

        return render(request, "400.html", {"problems": problems}, status=400)


class BusyDatabaseMiddleware:
    """Pages: a write that met a locked database (another writer held it longer than
    HOUQIN_DB_BUSY_TIMEOUT) is answered 503 "系统繁忙，未保存，请重试" with Retry-After, not a 500. The
    request's transaction has rolled back, so nothing is saved. (The API has its own handler.)"""

    RETRY_AFTER = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from houqin.core.errors import busy_message, is_lock_error

        if request.path.startswith("/api/") or not is_lock_error(exception):
            return None
        import logging

        from django.shortcuts import render

        logging.getLogger("houqin.busy").warning("write refused, database locked: %r", exception)
        response = render(request, "503.html", {"message": busy_message()}, status=503)
        response["Retry-After"] = str(self.RETRY_AFTER)
        return response


class PerRequestMiddleware:
    """A scope of core.per_request around each request: what several to-do providers and selectors
    read alike (the rule overrides, the served dishes) is read once per request, and again after
    any write in it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from houqin.core import per_request

        with per_request.scope():
            return self.get_response(request)

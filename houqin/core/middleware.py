"""Session lifetimes: an idle limit and an absolute limit, longer for parents than for staff."""

import time

from django.conf import settings
from django.contrib.auth import logout

LOGIN_AT = "houqin_login_at"
SEEN_AT = "houqin_seen_at"
LIMITS = "houqin_limits"
TOUCH_EVERY = 60  # seconds: the session is written at most once a minute


def _limits(user) -> tuple[int, int]:
    from houqin.org.models import Role

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

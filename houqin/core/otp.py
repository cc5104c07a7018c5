"""Two-step sign-in: a code from a phone app (TOTP) after the password, with recovery codes.

Built on django-otp: its TOTPDevice is the phone app, its StaticDevice holds the ten one-time
recovery codes, its OTPMiddleware says whether this session was verified (`request.user.is_verified()`)
and its throttling slows down wrong codes (after n wrong codes in a row, the next try waits 2^(n-1) s).

Who is asked: every member holding a role of settings.HOUQIN_2FA_ROLES, and anyone who has enrolled
a phone. A user who must be asked and has not given a code in this session reaches nothing but the
code page (or, with no phone enrolled yet, the enrolment page) and signing out
(TwoFactorMiddleware); the API answers such a session 403. API bearer tokens are for devices and
integrations: they are not asked (core.api.TokenAuth).
"""

import re

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from houqin.core.audit import audit_event
from houqin.core.roles import Role

RECOVERY_CODES = 10
RECOVERY_SESSION_KEY = "houqin_recovery_codes"  # shown once, then removed from the session
PHONE_NAME = "phone"
RECOVERY_NAME = "recovery"


def required_roles() -> set[str]:
    roles = set(settings.HOUQIN_2FA_ROLES)
    unknown = roles - set(Role.values)
    if unknown:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"HOUQIN_2FA_ROLES: unknown roles {sorted(unknown)}; known: {sorted(Role.values)}")
    return roles


def enabled() -> bool:
    return bool(settings.HOUQIN_2FA_ROLES)


def phone_device(user, confirmed: bool | None = True) -> TOTPDevice | None:
    devices = TOTPDevice.objects.filter(user=user)
    if confirmed is not None:
        devices = devices.filter(confirmed=confirmed)
    return devices.order_by("-pk").first()


def role_requires(user) -> bool:
    """The user holds a role for which the setting requires two-step sign-in."""
    roles = required_roles()
    return bool(roles) and user.memberships.filter(is_active=True, role__in=roles).exists()


def must_verify(user) -> bool:
    """The user must give a code before this session counts: a required role, or a phone enrolled."""
    if not enabled() or not user.is_authenticated:
        return False
    return role_requires(user) or TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_verified(request) -> bool:
    user = request.user
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def pending(request) -> bool:
    """This request's user must give a code and has not in this session."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    cached = getattr(request, "_houqin_otp_pending", None)
    if cached is None:
        # A verified session answers from the session and its device (one query), no role lookup.
        cached = request._houqin_otp_pending = not (
            request.session.get(DEVICE_ID_SESSION_KEY) and is_verified(request)) and must_verify(user)
    return cached


def refused_message() -> str:
    return _("Two-step sign-in is required: enter the code from your phone app on the sign-in page first.")


# --- enrolment and codes -----------------------------------------------------------------------


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed phone device an enrolment works on (made once, kept until confirmed)."""
    device = phone_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=PHONE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into the app by hand."""
    from base64 import b32encode

    raw = b32encode(device.bin_key).decode()
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> str:
    import segno

    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, omitsize=True)


def normalize(token: str) -> str:
    return re.sub(r"[\s-]", "", token or "").lower()


def throttled_seconds(device) -> int:
    """Seconds until django-otp's throttling lets the device try a code again (0: now)."""
    if device is None:
        return 0
    allowed, data = device.verify_is_allowed()
    if allowed:
        return 0
    from django.utils import timezone

    until = (data or {}).get("locked_until")
    return max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1


@transaction.atomic
def confirm_enrolment(request, device: TOTPDevice, token: str) -> list[str] | None:
    """Check the first code of a new phone; on success the phone is the user's only one, the
    recovery codes are new, and the session is verified. Returns the recovery codes, or None."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(normalize(token)):
        audit_event(action="auth.otp.enrol", actor=request.user, request=request, outcome="failed")
        return None
    user = request.user
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = new_recovery_codes(user)
    otp_login(request, device)
    request.session.cycle_key()
    request._houqin_otp_pending = False
    audit_event(action="auth.otp.enrol", actor=user, request=request)
    return codes


def new_recovery_codes(user) -> list[str]:
    """Ten new one-time recovery codes (the old ones stop working)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = []
    while len(codes) < RECOVERY_CODES:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def recovery_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def verify(request, token: str) -> tuple[bool, int]:
    """Check a code from the phone app (six digits) or a recovery code. Returns (verified, seconds
    to wait): a wrong code counts toward the device's throttling; while throttled nothing is tried."""
    user = request.user
    token = normalize(token)
    if re.fullmatch(r"\d{6}", token):
        devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
        kind = "totp"
    else:
        devices = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
        kind = "recovery"
    devices = list(devices)
    if devices and all(throttled_seconds(d) for d in devices):
        audit_event(action="auth.otp.verify", actor=user, request=request, outcome="denied",
                    detail={"kind": kind, "reason": "throttled"})
        return False, min(throttled_seconds(d) for d in devices)
    for device in devices:
        if token and device.verify_token(token):
            otp_login(request, device)
            request.session.cycle_key()  # a new session key for the verified session
            request._houqin_otp_pending = False
            audit_event(action="auth.otp.verify", actor=user, request=request, detail={"kind": kind})
            return True, 0
    audit_event(action="auth.otp.verify", actor=user, request=request, outcome="failed", detail={"kind": kind})
    return False, 0


@transaction.atomic
def reset(*, actor, membership, request=None) -> int:
    """A principal takes away a staff member's phone and recovery codes: they enrol again at their
    next sign-in (their open sessions stop counting as verified at once). Audited."""
    user = membership.user
    removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    audit_event(action="auth.otp.reset", actor=actor.user, kindergarten=actor.kindergarten, obj=membership,
                request=request, detail={"user": user.get_username()})
    return removed


# --- the gate ----------------------------------------------------------------------------------

ALWAYS_OPEN = ("login", "logout", "set_language", "healthz", "otp_verify", "otp_setup")


def _open_paths() -> tuple[str, ...]:
    return tuple(reverse(name) for name in ALWAYS_OPEN) + ("/static/", "/robots.txt", "/favicon.ico")


def _bearer(request) -> bool:
    return request.META.get("HTTP_AUTHORIZATION", "").lower().startswith("bearer ")


class TwoFactorMiddleware:
    """A user who must give a code and has not in this session: pages send them to the code page
    (or the enrolment page), the API answers 403. Bearer-token API calls are left to the API."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            if not _bearer(request) and pending(request):
                return JsonResponse({"detail": refused_message(), "code": "otp_required"}, status=403)
        elif not request.path.startswith(_open_paths()) and pending(request):
            name = "otp_verify" if phone_device(request.user) else "otp_setup"
            target = reverse(name)
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            if request.headers.get("HX-Request"):
                from django.http import HttpResponse

                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
        return self.get_response(request)

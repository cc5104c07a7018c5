"""The user's own account: the code page after the password, enrolling a phone app, the recovery
codes, and the account page (devices, new recovery codes). See core.otp."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from houqin import policy
from houqin.core import otp


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse("root")


@never_cache
@require_http_methods(["GET", "POST"])
@policy.requires(policy.AUTHENTICATED)
def verify(request):
    """After the password: the six-digit code from the phone app, or a recovery code."""
    if not otp.pending(request):
        return redirect(_next(request))
    if otp.phone_device(request.user) is None:
        return redirect(reverse("otp_setup") + "?" + request.GET.urlencode())
    error, status = "", 200
    if request.method == "POST":
        ok, wait = otp.verify(request, request.POST.get("token", ""))
        if ok:
            return redirect(_next(request))
        if wait:
            error, status = _("Too many wrong codes. Try again in %(seconds)s seconds.") % {"seconds": wait}, 429
        else:
            error = _("The code is wrong or has been used. Enter the current code from your phone app.")
    return render(request, "core/otp_verify.html", {"error": error, "next": _next(request)}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@policy.requires(policy.AUTHENTICATED)
def setup(request):
    """Enrol a phone app: the QR code and the secret as text, confirmed with a first code; then the
    recovery codes are shown once."""
    if not otp.enabled():
        return redirect("account")
    if otp.phone_device(request.user) is not None:
        return redirect("otp_verify" if otp.pending(request) else "account")
    device = otp.enrolment_device(request.user)
    error, status = "", 200
    if request.method == "POST":
        wait = otp.throttled_seconds(device)
        if wait:
            error, status = _("Too many wrong codes. Try again in %(seconds)s seconds.") % {"seconds": wait}, 429
        else:
            codes = otp.confirm_enrolment(request, device, request.POST.get("token", ""))
            if codes:
                request.session[otp.RECOVERY_SESSION_KEY] = codes
                return redirect(reverse("otp_recovery") + "?" + urlencode({"next": _next(request)}))
            error = _("The code is wrong. Check the phone's time and enter the current code.")
    return render(request, "core/otp_setup.html", {
        "qr": otp.qr_svg(device), "secret": otp.secret_text(device), "error": error,
        "required": otp.role_requires(request.user), "next": _next(request),
    }, status=status)


@never_cache
@policy.requires(policy.AUTHENTICATED)
def recovery(request):
    """The new recovery codes, shown once (they are not kept anywhere they could be shown again)."""
    codes = request.session.pop(otp.RECOVERY_SESSION_KEY, None)
    return render(request, "core/otp_recovery.html", {"codes": codes, "next": _next(request)})


@never_cache
@require_http_methods(["GET"])
@policy.requires(policy.AUTHENTICATED)
def account(request):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = request.user
    return render(request, "core/account.html", {
        "devices": TOTPDevice.objects.filter(user=user, confirmed=True).order_by("created_at"),
        "recovery_left": otp.recovery_left(user),
        "enabled": otp.enabled(),
        "required": otp.role_requires(user),
        "verified": otp.is_verified(request),
    })


@require_POST
@policy.requires(policy.AUTHENTICATED)
def recovery_regenerate(request):
    """New recovery codes (the old ones stop working): only in a session verified with a code."""
    from houqin.core.audit import audit_event

    if otp.phone_device(request.user) is None or not otp.is_verified(request):
        messages.error(request, _("Set up the phone app first."))
        return redirect("account")
    request.session[otp.RECOVERY_SESSION_KEY] = otp.new_recovery_codes(request.user)
    audit_event(action="auth.otp.recovery_codes", actor=request.user, request=request)
    return redirect("otp_recovery")

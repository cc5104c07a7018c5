"""Authentication events go to the audit log (success, failure, logout). Passwords never do."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from houqin.core.audit import audit_event
from houqin.core.models import AuditEvent


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_event(action="auth.login", actor=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_event(action="auth.logout", actor=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    safe = username.replace("\r", "\\r").replace("\n", "\\n").replace("\x1b", "\\x1b")
    audit_event(action="auth.login", outcome=AuditEvent.Outcome.FAILED, request=request, actor_name=safe)

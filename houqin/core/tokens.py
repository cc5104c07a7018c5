"""API tokens: made here, checked here. The plain token is returned once and never stored."""

import hashlib
import secrets

from django.utils import timezone

from houqin.core.models import ApiToken


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user, kindergarten, name: str) -> tuple[ApiToken, str]:
    raw = "hq_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, kindergarten=kindergarten, name=name, prefix=raw[3:11], key_hash=_hash(raw))
    return token, raw


def api_token_check(raw: str) -> ApiToken | None:
    if not raw or not raw.startswith("hq_"):
        return None
    token = (
        ApiToken.objects.select_related("user", "kindergarten")
        .filter(key_hash=_hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is not None and (token.last_used_at is None or (timezone.now() - token.last_used_at).total_seconds() > 300):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token

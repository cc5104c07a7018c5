"""Publishing and reading notices."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin.notices.models import Audience, Notice, NoticeKind, NoticeReceipt


@transaction.atomic
def publish_notice(*, kindergarten, user, title: str, body: str, kind: str = NoticeKind.GENERAL,
                   audience: str = Audience.PARENTS, classes=(), children=(), source: str = "",
                   publish: bool = True) -> Notice:
    """Create a notice (published now unless `publish` is false). Parents see it when it names
    their child, their child's class, or nobody in particular."""
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise ValidationError(_("A notice needs a title and a text."))
    for obj in [*classes, *children]:
        if obj.kindergarten_id != kindergarten.pk:
            raise ValidationError(_("A notice can only name classes and children of its own kindergarten."))
    notice = Notice.objects.create(
        kindergarten=kindergarten, created_by=user, title=title, body=body, kind=kind, audience=audience,
        source=source, published_at=timezone.now() if publish else None,
    )
    if classes:
        notice.classes.set(classes)
    if children:
        notice.children.set(children)
    if notice.published_at is not None:
        from houqin.notices.outbox import enqueue_notice

        enqueue_notice(notice)
    return notice


def mark_read(notice: Notice, user) -> NoticeReceipt:
    """Record that `user` read `notice` (the first reading counts; later ones change nothing)."""
    receipt, created = NoticeReceipt.objects.get_or_create(
        notice=notice, user=user, defaults={"read_at": timezone.now()}
    )
    if created:
        from houqin.notices.outbox import mark_read as mark_message_read

        mark_message_read(kindergarten=notice.kindergarten, user=user, keys=[f"notice:{notice.code}"])
    return receipt


# --- the use cases of the notices pages and API (acting users, the policy) -------------------------


def notice_publish(*, actor, title: str, body: str, kind: str = NoticeKind.GENERAL,
                   audience: str = Audience.PARENTS, classes=(), children=(), publish: bool = True) -> Notice:
    """Write a notice as `actor`. Class teachers write only to the parents of their own classes
    (and children in them); other writers to anyone in the kindergarten."""
    from houqin import policy
    from houqin.core.errors import DomainError, Forbidden
    from houqin.org.models import SchoolClass

    if not actor.has("notices.publish"):
        raise Forbidden()
    if kind not in NoticeKind.values or audience not in Audience.values:
        raise DomainError(_("Choose a kind and an audience from the list."), errors=[{"field": "kind", "message": _("Choose a kind and an audience from the list.")}])
    classes, children = list(classes), list(children)
    if actor.widest_scope("notices.publish") == policy.Scope.CLASS:
        own = set(policy.scoped(actor, "notices.publish", SchoolClass.objects.all()).values_list("pk", flat=True))
        if audience != Audience.PARENTS or (not classes and not children) \
                or any(c.pk not in own for c in classes) or any(ch.school_class_id not in own for ch in children):
            raise Forbidden(_("Class teachers write only to the parents of their own classes."))
    if audience == Audience.STAFF and (classes or children):
        raise DomainError(_("A notice to the staff names no class or child."), errors=[{"field": "classes", "message": _("A notice to the staff names no class or child.")}])
    try:
        return publish_notice(kindergarten=actor.kindergarten, user=actor.user, title=title, body=body, kind=kind,
                              audience=audience, classes=classes, children=children, publish=publish)
    except ValidationError as exc:
        raise DomainError(exc.messages[0]) from exc


@transaction.atomic
def notice_void(*, actor, notice: Notice, reason: str) -> Notice:
    """Withdraw a notice (it stays on record with the reason; readers no longer see it)."""
    from houqin.core.errors import Forbidden

    if not actor.has("notices.void") or notice.kindergarten_id != actor.kindergarten.pk:
        raise Forbidden()
    return notice.locked().void(actor=actor, reason=reason, already=_("This notice has already been withdrawn."),
                                missing=_("Give the reason for withdrawing the notice."))


@transaction.atomic
def notice_publish_draft(*, actor, notice: Notice) -> Notice:
    """Publish a notice saved as a draft."""
    from houqin.core.errors import Conflict, Forbidden

    if not actor.has("notices.publish") or notice.kindergarten_id != actor.kindergarten.pk:
        raise Forbidden()
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    if locked.published_at is not None or locked.voided_at is not None:
        raise Conflict(_("This notice is already published or withdrawn."))
    locked.published_at = timezone.now()
    locked.save(update_fields=["published_at", "updated_at"])
    from houqin.notices.outbox import enqueue_notice

    enqueue_notice(locked)
    return locked


def notice_read(*, actor, notice: Notice) -> NoticeReceipt | None:
    """Record the actor's reading of a published notice (the first reading counts). Writers reading
    their own notices leave no receipt."""
    if notice.published_at is None or notice.voided_at is not None or notice.created_by_id == actor.user.pk:
        return None
    return mark_read(notice, actor.user)


# --- the outbox's use cases: one's channels and quiet hours, reading one's messages ----------------


def _time(value, field: str):
    import datetime as dt

    from houqin.core.errors import DomainError

    try:
        value = value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value or "").strip())
    except ValueError:
        value = None
    if value is None or value.tzinfo is not None:  # a time of day here, never one with a zone
        message = _("Enter the time as hh:mm.")
        raise DomainError(message, errors=[{"field": field, "message": message}])
    return value.replace(second=0, microsecond=0)


MOBILE = r"1\d{10}"


@transaction.atomic
def preferences_set(*, actor, channels, quiet_start, quiet_end, email: str | None = None, phone: str | None = None):
    """Choose the channels besides the app (only those offered here, and only with an address for
    them), the e-mail address and mobile number they go to, and the quiet hours (only urgent health
    alerts are sent in them)."""
    import re

    from django.core.validators import validate_email

    from houqin.core.errors import DomainError, Forbidden
    from houqin.notices import channels as channel_adapters
    from houqin.notices.models import Channel, ChannelPreference

    if not actor.has("notices.messages"):
        raise Forbidden()
    user, changed = actor.user, []
    if email is not None:
        email = email.strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                message = _("Enter a valid e-mail address.")
                raise DomainError(message, errors=[{"field": "email", "message": message}]) from None
        user.email = email[:254]
        changed.append("email")
    if phone is not None:
        phone = re.sub(r"[\s-]", "", phone)
        if phone and not re.fullmatch(MOBILE, phone):
            message = _("Enter an 11-digit mobile number.")
            raise DomainError(message, errors=[{"field": "phone", "message": message}])
        user.phone = phone
        changed.append("phone")
    chosen = list(dict.fromkeys(channels or ()))
    offered = channel_adapters.offered(actor.kindergarten)
    if any(c not in offered for c in chosen):
        message = _("Choose the channels from the list.")
        raise DomainError(message, errors=[{"field": "channels", "message": message}])
    for c in chosen:
        if not channel_adapters.adapter(c).address(actor.user, actor.kindergarten):
            field = "email" if c == Channel.EMAIL else "phone"
            message = (_("Enter your e-mail address to get messages by e-mail.") if c == Channel.EMAIL
                       else _("Enter your mobile number to get messages on this channel."))
            raise DomainError(message, errors=[{"field": field, "message": message}])
    start, end = _time(quiet_start, "quiet_start"), _time(quiet_end, "quiet_end")
    if start == end:
        message = _("The quiet hours must start and end at different times.")
        raise DomainError(message, errors=[{"field": "quiet_end", "message": message}])
    if changed:
        user.save(update_fields=changed)
    pref, _created = ChannelPreference.objects.select_for_update().get_or_create(
        kindergarten=actor.kindergarten, user=actor.user, defaults={"created_by": actor.user})
    pref.channels, pref.quiet_start, pref.quiet_end = chosen, start, end
    pref.save(update_fields=["channels", "quiet_start", "quiet_end", "updated_at"])
    return pref


def messages_read(*, actor, messages=None) -> int:
    """Mark the actor's messages read (the given ones, or all of them)."""
    from houqin.notices.outbox import mark_read as mark_messages_read

    return mark_messages_read(kindergarten=actor.kindergarten, user=actor.user, messages=messages)

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
    return notice


def mark_read(notice: Notice, user) -> NoticeReceipt:
    """Record that `user` read `notice` (the first reading counts; later ones change nothing)."""
    receipt, _created = NoticeReceipt.objects.get_or_create(
        notice=notice, user=user, defaults={"read_at": timezone.now()}
    )
    return receipt

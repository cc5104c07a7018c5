"""The outbox: every notice, alert and reminder becomes a message per recipient, and a delivery per
channel they chose, written in the same transaction as the record that caused it (a rolled-back
notice leaves no message; a committed one cannot lose its messages). The worker (`send_due`) sends
what is due, outside any transaction, and records the result:

- sent → `sent`; the in-app delivery is `sent` at once and `read` when the person opens it;
- a failed send waits and is tried again after 1, 5, 30 minutes, 2 and 6 hours, then `failed`;
- quiet hours put e-mail, 企业微信 and SMS off until they end, except urgent health alerts;
- a delivery is claimed with a lease (its next attempt moved 10 minutes on) before it is sent, so a
  worker that dies mid-send leaves it queued, and two workers never send it at once.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from houqin.notices import channels
from houqin.notices.models import (
    Audience, Channel, ChannelPreference, Delivery, DeliveryStatus, Message, MessageKind, Notice, NoticeKind,
)

log = logging.getLogger("houqin.outbox")

BACKOFF = [dt.timedelta(minutes=m) for m in (1, 5, 30, 120, 360)]  # after attempt 1, 2, …; then failed
MAX_ATTEMPTS = len(BACKOFF) + 1
LEASE = dt.timedelta(minutes=10)
URGENT_NOTICE_KINDS = (NoticeKind.DISEASE,)
DEFAULT_QUIET = (dt.time(21, 30), dt.time(7, 0))


def default_channels(user) -> list[str]:
    """Without chosen preferences: the app, and e-mail when the person has an address."""
    return [Channel.EMAIL] if user.email else []


def preferences(kindergarten, users) -> dict[int, ChannelPreference | None]:
    ids = [u.pk for u in users]
    found = {p.user_id: p for p in ChannelPreference.objects.filter(kindergarten=kindergarten, user_id__in=ids)}
    return {i: found.get(i) for i in ids}


def in_quiet_hours(pref: ChannelPreference | None, at: dt.datetime) -> dt.datetime | None:
    """When `at` falls in the person's quiet hours: the end of them (the next send time); else None."""
    start, end = (pref.quiet_start, pref.quiet_end) if pref and pref.quiet_start and pref.quiet_end else DEFAULT_QUIET
    local = timezone.localtime(at)
    t = local.time()
    inside = (start <= t or t < end) if start > end else (start <= t < end)
    if not inside:
        return None
    day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, end))


@transaction.atomic
def enqueue(*, kindergarten, recipients, title: str, body: str = "", key: str, kind: str = MessageKind.NOTICE,
            url: str = "", urgent: bool = False, created_by=None, now=None) -> list[Message]:
    """A message for each recipient (once per recipient and `key`) with a delivery on the app and on
    each channel they chose. Returns the new messages (none when all were already there). Four
    queries whatever the number of recipients."""
    now = now or timezone.now()
    people = {u.pk: u for u in recipients if u is not None}
    if not people:
        return []
    have = set(Message.objects.filter(kindergarten=kindergarten, key=key, recipient_id__in=people)
               .values_list("recipient_id", flat=True))
    new = [Message(kindergarten=kindergarten, recipient=u, kind=kind, urgent=urgent, title=title[:160], body=body,
                   url=url[:200], key=key[:160], created_by=created_by, created_at=now)
           for pk, u in people.items() if pk not in have]
    if not new:
        return []
    Message.objects.bulk_create(new)
    if any(m.pk is None for m in new):  # databases that do not return keys from a bulk insert
        by_user = dict(Message.objects.filter(kindergarten=kindergarten, key=key[:160],
                                              recipient_id__in=[m.recipient_id for m in new])
                       .values_list("recipient_id", "pk"))
        for m in new:
            m.pk = by_user[m.recipient_id]
    prefs = preferences(kindergarten, [m.recipient for m in new])
    offered = set(channels.offered(kindergarten))
    rows = []
    for m in new:
        pref = prefs[m.recipient_id]
        chosen = pref.channels if pref is not None else default_channels(m.recipient)
        rows.append(Delivery(message=m, channel=Channel.IN_APP, status=DeliveryStatus.SENT, attempts=1,
                             sent_at=now, next_attempt_at=now))
        for channel in chosen:
            if channel in offered and channels.adapter(channel).address(m.recipient, kindergarten):
                later = None if urgent else in_quiet_hours(pref, now)
                rows.append(Delivery(message=m, channel=channel, next_attempt_at=later or now))
    Delivery.objects.bulk_create(rows)
    return new


def enqueue_notice(notice: Notice) -> list[Message]:
    """The messages of a published notice: one per person it is addressed to (the writer aside)."""
    return enqueue_notice_at(notice, None)


def enqueue_notice_at(notice: Notice, now) -> list[Message]:
    from django.urls import reverse

    from houqin.notices.selectors import addressed_users

    if notice.published_at is None or notice.voided_at is not None:
        return []
    users = [p["user"] for p in addressed_users(notice) if p["user"].pk != notice.created_by_id]
    url = reverse("notices:detail", kwargs={"kg": notice.kindergarten.slug, "code": notice.code})
    return enqueue(kindergarten=notice.kindergarten, recipients=users, title=notice.title, body=notice.body,
                   key=f"notice:{notice.code}", kind=MessageKind.NOTICE, url=url, created_by=notice.created_by,
                   urgent=notice.kind in URGENT_NOTICE_KINDS and notice.audience == Audience.PARENTS, now=now)


def staff_with_role(kindergarten, roles, campus_id=None) -> list:
    """Active staff of the kindergarten holding one of `roles` (a campus's staff and the whole
    kindergarten's when a campus is given)."""
    from houqin.org.models import Membership

    q = Q(kindergarten=kindergarten, is_active=True, role__in=list(roles), user__is_active=True)
    if campus_id is not None:
        q &= Q(campus_id=campus_id) | Q(campus__isnull=True)
    ids = Membership.objects.filter(q).values("user_id")
    return list(get_user_model().objects.filter(pk__in=ids).order_by("pk"))


def mark_read(*, kindergarten, user, keys=None, messages=None, now=None) -> int:
    """The person has seen these messages (by key, or the given ones): read, and their in-app
    delivery too. Two queries."""
    now = now or timezone.now()
    qs = Message.objects.filter(kindergarten=kindergarten, recipient=user, read_at__isnull=True)
    if keys is not None:
        qs = qs.filter(key__in=list(keys))
    if messages is not None:
        qs = qs.filter(pk__in=[m.pk for m in messages])
    ids = list(qs.values_list("pk", flat=True))
    if not ids:
        return 0
    with transaction.atomic():
        Message.objects.filter(pk__in=ids).update(read_at=now)
        Delivery.objects.filter(message_id__in=ids, channel=Channel.IN_APP).update(status=DeliveryStatus.READ)
    return len(ids)


# --- the worker's half: sending what is due -------------------------------------------------------


def _claim(now, limit: int) -> list[int]:
    """Take up to `limit` due deliveries: move their next attempt a lease on and count the attempt,
    in one short transaction (locked rows of another worker are skipped on PostgreSQL)."""
    with transaction.atomic():
        qs = Delivery.objects.filter(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        rows = list(qs.values_list("pk", "attempts")[:limit])
        for pk, attempts in rows:
            Delivery.objects.filter(pk=pk).update(attempts=attempts + 1, next_attempt_at=now + LEASE)
    return [pk for pk, _a in rows]


def _record(pk: int, *, ok: bool, error: str = "", now) -> None:
    with transaction.atomic():
        d = Delivery.objects.select_for_update().get(pk=pk)
        if ok:
            d.status, d.sent_at, d.last_error = DeliveryStatus.SENT, now, ""
        elif d.attempts >= MAX_ATTEMPTS:
            d.status, d.last_error = DeliveryStatus.FAILED, error[:200]
        else:
            d.next_attempt_at, d.last_error = now + BACKOFF[d.attempts - 1], error[:200]
        d.save(update_fields=["status", "sent_at", "last_error", "next_attempt_at"])


def send_due(*, now=None, limit: int = 500) -> dict:
    """Send the deliveries that are due; return the counts {sent, retry, failed}. A database that is
    busy (another writer's lock) leaves the rest queued for the next round."""
    now = now or timezone.now()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    try:
        ids = _claim(now, limit)
    except DatabaseError as exc:
        log.warning("outbox: could not claim deliveries: %s", exc)
        return counts
    deliveries = Delivery.objects.filter(pk__in=ids).select_related("message__recipient", "message__kindergarten")
    for d in deliveries.order_by("next_attempt_at", "pk"):
        m = d.message
        adapter = channels.adapter(d.channel)
        address = adapter.address(m.recipient, m.kindergarten)
        try:
            if not address:
                raise channels.ChannelError("no address")
            adapter.send(m, address)
        except channels.ChannelError as exc:
            ok, error = False, str(exc) or type(exc).__name__
        except Exception as exc:  # an adapter's bug must not stop the others; kept on the delivery
            log.exception("outbox: %s delivery %s", d.channel, d.pk)
            ok, error = False, f"{type(exc).__name__}: {exc}"
        else:
            ok, error = True, ""
        try:
            _record(d.pk, ok=ok, error=error, now=now)
        except DatabaseError as exc:  # the lease runs out and the delivery is tried again
            log.warning("outbox: could not record delivery %s: %s", d.pk, exc)
            continue
        if ok:
            counts["sent"] += 1
        elif d.attempts >= MAX_ATTEMPTS:  # claimed: already counted
            counts["failed"] += 1
        else:
            counts["retry"] += 1
    return counts

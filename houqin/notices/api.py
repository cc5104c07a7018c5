"""JSON API of notices: the same selectors and services as the pages, the same policy."""

from uuid import UUID

from django.http import Http404
from ninja import Router, Status

from houqin.core.inputs import Limit, Offset
from houqin import policy
from houqin.notices import selectors, services
from houqin.notices.schemas import (
    DeliveryOut, JobRunOut, MessageOut, NoticeIn, NoticeOut, NoticeReasonIn, PreferencesIn, PreferencesOut, ReceiptsOut,
)
from houqin.org.models import Child, SchoolClass

router = Router(tags=["notices"])


def _out(n, *, is_read=None, read_count=None) -> dict:
    return {
        "code": n.code, "kind": n.kind, "audience": n.audience, "title": n.title, "body": n.body,
        "classes": [c.name for c in n.classes.all()], "published_at": n.published_at,
        "voided": n.voided_at is not None, "void_reason": n.void_reason, "source": n.source,
        "author": n.created_by.display_name if n.created_by else None,
        "is_read": bool(getattr(n, "is_read", False) if is_read is None else is_read),
        "read_count": int(getattr(n, "read_count", 0) if read_count is None else read_count),
    }


@router.get("/k/{kg}/notices", response=list[NoticeOut])
@policy.requires("notices.view")
def list_notices(request, kg: str, kind: str = "", limit: Limit = 100, offset: Offset = 0):
    actor = request.actor
    qs = selectors.notice_list(actor=actor, kind=kind, include_drafts=actor.has("notices.publish"),
                               include_voided=actor.has("notices.void")).prefetch_related("classes")
    limit = max(1, min(limit, 500))
    return [_out(n) for n in qs[offset:offset + limit]]


@router.get("/k/{kg}/notices/{code}", response=NoticeOut)
@policy.requires("notices.view")
def get_notice(request, kg: str, code: UUID):
    """Reading a notice through the API does not mark it read: POST …/read does."""
    return _out(selectors.get_notice(actor=request.actor, code=code))


@router.post("/k/{kg}/notices", response={201: NoticeOut})
@policy.requires("notices.publish")
def create_notice(request, kg: str, payload: NoticeIn):
    actor = request.actor
    classes = list(SchoolClass.objects.filter(kindergarten=actor.kindergarten, code__in=payload.class_codes))
    children = list(Child.objects.active().filter(kindergarten=actor.kindergarten, code__in=payload.child_codes))
    if len(classes) != len(set(payload.class_codes)) or len(children) != len(set(payload.child_codes)):
        raise Http404
    notice = services.notice_publish(actor=actor, title=payload.title, body=payload.body, kind=payload.kind,
                                     audience=payload.audience, classes=classes, children=children,
                                     publish=payload.publish)
    return Status(201, _out(notice, is_read=False, read_count=0))


@router.post("/k/{kg}/notices/{code}/publish", response=NoticeOut)
@policy.requires("notices.publish")
def publish_notice(request, kg: str, code: UUID):
    notice = services.notice_publish_draft(actor=request.actor, notice=selectors.get_notice(actor=request.actor, code=code))
    return _out(notice, is_read=False, read_count=0)


@router.post("/k/{kg}/notices/{code}/void", response=NoticeOut)
@policy.requires("notices.void")
def void_notice(request, kg: str, code: UUID, payload: NoticeReasonIn):
    notice = services.notice_void(actor=request.actor, notice=selectors.get_notice(actor=request.actor, code=code),
                                  reason=payload.reason)
    return _out(notice, is_read=False, read_count=0)


@router.post("/k/{kg}/notices/{code}/read", response=NoticeOut)
@policy.requires("notices.view")
def read_notice(request, kg: str, code: UUID):
    services.notice_read(actor=request.actor, notice=selectors.get_notice(actor=request.actor, code=code))
    return _out(selectors.get_notice(actor=request.actor, code=code))


@router.get("/k/{kg}/notices/{code}/receipts", response=ReceiptsOut)
@policy.requires("notices.receipts.view")
def notice_receipts(request, kg: str, code: UUID):
    notice = selectors.get_notice(actor=request.actor, code=code)
    result = selectors.receipts(actor=request.actor, notice=notice)
    return {"read": result["read"], "total": result["total"], "rows": [
        {"reader": r["user"].display_name, "children": [c.name for c in r["children"]], "read_at": r["read_at"]}
        for r in result["rows"]]}


# --- the outbox: one's messages and channels; the director's outbox and job runs --------------------


def _message_out(m) -> dict:
    return {"code": m.code, "kind": m.kind, "urgent": m.urgent, "title": m.title, "body": m.body, "url": m.url,
            "created_at": m.created_at, "read_at": m.read_at}


@router.get("/k/{kg}/messages", response=list[MessageOut])
@policy.requires("notices.messages")
def list_messages(request, kg: str, unread: bool = False, limit: Limit = 100, offset: Offset = 0):
    qs = selectors.my_messages(actor=request.actor)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    limit = max(1, min(limit, 500))
    return [_message_out(m) for m in qs[offset:offset + limit]]


@router.post("/k/{kg}/messages/{code}/read", response=MessageOut)
@policy.requires("notices.messages")
def read_message(request, kg: str, code: UUID):
    message = selectors.get_my_message(actor=request.actor, code=code)
    services.messages_read(actor=request.actor, messages=[message])
    return _message_out(selectors.get_my_message(actor=request.actor, code=code))


def _preferences_out(actor) -> dict:
    p = selectors.my_preferences(actor=actor)
    return {**p, "quiet_start": p["quiet_start"].strftime("%H:%M"), "quiet_end": p["quiet_end"].strftime("%H:%M")}


@router.get("/k/{kg}/message-preferences", response=PreferencesOut)
@policy.requires("notices.messages")
def get_preferences(request, kg: str):
    return _preferences_out(request.actor)


@router.put("/k/{kg}/message-preferences", response=PreferencesOut)
@policy.requires("notices.messages")
def set_preferences(request, kg: str, payload: PreferencesIn):
    services.preferences_set(actor=request.actor, channels=payload.channels, quiet_start=payload.quiet_start,
                             quiet_end=payload.quiet_end, email=payload.email, phone=payload.phone)
    return _preferences_out(request.actor)


@router.get("/k/{kg}/outbox", response=list[DeliveryOut])
@policy.requires("notices.outbox.view")
def list_outbox(request, kg: str, status: str = "", limit: Limit = 100, offset: Offset = 0):
    limit = max(1, min(limit, 500))
    rows = selectors.outbox_deliveries(actor=request.actor, status=status)[offset:offset + limit]
    return [{"message_code": d.message.code, "title": d.message.title, "recipient": d.message.recipient.display_name,
             "urgent": d.message.urgent, "channel": d.channel, "status": d.status, "attempts": d.attempts,
             "next_attempt_at": d.next_attempt_at if d.status == "queued" else None, "sent_at": d.sent_at,
             "created_at": d.message.created_at} for d in rows]


@router.get("/k/{kg}/jobs", response=list[JobRunOut])
@policy.requires("notices.outbox.view")
def list_job_runs(request, kg: str, limit: Limit = 100, offset: Offset = 0):
    from houqin.notices.schedule import JOB_LABELS

    limit = max(1, min(limit, 500))
    return [{"job": r.job, "label": str(JOB_LABELS.get(r.job, r.job)), "period": r.period, "status": r.status,
             "started_at": r.started_at, "finished_at": r.finished_at, "messages": r.messages, "result": r.result}
            for r in selectors.job_runs(actor=request.actor)[offset:offset + limit]]

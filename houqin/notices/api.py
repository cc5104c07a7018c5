"""JSON API of notices: the same selectors and services as the pages, the same policy."""

from uuid import UUID

from django.http import Http404
from ninja import Router, Status

from houqin.core.inputs import Limit, Offset
from houqin import policy
from houqin.notices import selectors, services
from houqin.notices.schemas import NoticeIn, NoticeOut, NoticeReasonIn, ReceiptsOut
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

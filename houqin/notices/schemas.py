"""API shapes of notices."""

import datetime as dt
from uuid import UUID

from ninja import Schema

from houqin.core.inputs import Input


class NoticeOut(Schema):
    code: UUID
    kind: str
    audience: str
    title: str
    body: str
    classes: list[str]
    published_at: dt.datetime | None
    voided: bool
    void_reason: str
    source: str
    author: str | None
    is_read: bool
    read_count: int


class NoticeIn(Input):
    title: str
    body: str
    kind: str = "general"
    audience: str = "parents"
    class_codes: list[UUID] = []
    child_codes: list[UUID] = []
    publish: bool = True


class NoticeReasonIn(Input):
    reason: str


class NoticeReceiptOut(Schema):
    reader: str
    children: list[str]
    read_at: dt.datetime | None


class ReceiptsOut(Schema):
    read: int
    total: int
    rows: list[NoticeReceiptOut]

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


class MessageOut(Schema):
    code: UUID
    kind: str
    urgent: bool
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class PreferencesOut(Schema):
    channels: list[str]
    offered: list[str]
    quiet_start: str  # "hh:mm", a time of day without a zone (JSON Schema's "time" needs one)
    quiet_end: str
    email: str
    phone: str


class PreferencesIn(Input):
    channels: list[str] = []
    quiet_start: str = "21:30"
    quiet_end: str = "07:00"
    email: str | None = None
    phone: str | None = None


class DeliveryOut(Schema):
    message_code: UUID
    title: str
    recipient: str
    urgent: bool
    channel: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    sent_at: dt.datetime | None
    created_at: dt.datetime


class JobRunOut(Schema):
    job: str
    label: str
    period: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    messages: int
    result: str

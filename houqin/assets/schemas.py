"""API input and output shapes of fixed assets. No business rules here: the services hold them.
Quantities and money travel as decimal strings ("30", "128.50"), never as floats."""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from ninja import Schema

from houqin.core.inputs import Input, Patch


class RoomOut(Schema):
    code: UUID
    name: str
    campus: str
    class_code: UUID | None
    class_name: str | None
    is_active: bool


class RoomIn(Input):
    name: str
    campus_code: UUID
    class_code: UUID | None = None


class AssetOut(Schema):
    code: UUID
    label_code: str
    name: str
    category: str
    campus: str
    room_code: UUID | None
    room: str | None
    class_code: UUID | None
    class_name: str | None
    quantity: Decimal
    unit: str
    unit_price: Decimal | None
    value: Decimal | None
    purchase_date: dt.date | None
    state: str


class AssetDetailOut(AssetOut):
    supplier_name: str
    custodian: str | None
    notes: str
    photo_url: str | None
    scan_url: str
    state_reason: str
    voided: bool


class AssetIn(Input):
    name: str
    category: str
    quantity: Decimal
    room_code: UUID | None = None
    class_code: UUID | None = None
    custodian_username: str | None = None
    unit: str = ""
    unit_price: Decimal | None = None
    purchase_date: dt.date | None = None
    supplier_name: str = ""
    notes: str = ""


class AssetPatch(Patch):
    name: str | None = None
    category: str | None = None
    quantity: Decimal | None = None
    room_code: UUID | None = None
    class_code: UUID | None = None
    custodian_username: str | None = None
    unit: str | None = None
    unit_price: Decimal | None = None
    purchase_date: dt.date | None = None
    supplier_name: str | None = None
    notes: str | None = None


class StateIn(Input):
    state: str
    reason: str = ""


class AssetReasonIn(Input):
    reason: str


class HandoverOut(Schema):
    code: UUID
    class_code: UUID
    class_name: str
    school_year: int
    term: str
    kind: str
    status: str
    due_on: dt.date | None
    line_count: int
    counted_count: int
    signed_by: str | None
    signed_at: dt.datetime | None


class HandoverLineOut(Schema):
    code: UUID
    asset_code: UUID
    label_code: str
    name: str
    unit: str
    expected_quantity: Decimal
    counted_quantity: Decimal | None
    damaged_quantity: Decimal
    explanation: str
    negligence: bool
    responsible: str | None
    amount_charged: Decimal | None


class HandoverDetailOut(HandoverOut):
    closed_by: str | None
    closed_at: dt.datetime | None
    returned_reason: str
    voided: bool
    lines: list[HandoverLineOut]


class HandoverOpenIn(Input):
    class_code: UUID
    school_year: int
    term: str
    kind: str
    due_on: dt.date | None = None


class HandoverLineIn(Input):
    line_code: UUID
    counted_quantity: Decimal | None = None
    damaged_quantity: Decimal | None = None
    explanation: str | None = None


class HandoverCountIn(Input):
    lines: list[HandoverLineIn]
    sign: bool = False


class ChargeIn(Input):
    line_code: UUID
    negligence: bool
    responsible_username: str | None = None
    amount_charged: Decimal | None = None


class HandoverCloseIn(Input):
    charges: list[ChargeIn] = []


class AssetStocktakeOut(Schema):
    code: UUID
    campus: str
    room_code: UUID | None
    room: str | None
    counted_on: dt.date
    status: str
    line_count: int
    counted_count: int
    posted_at: dt.datetime | None


class AssetStocktakeLineOut(Schema):
    code: UUID
    asset_code: UUID
    label_code: str
    name: str
    expected_quantity: Decimal
    counted_quantity: Decimal | None
    explanation: str


class AssetStocktakeDetailOut(AssetStocktakeOut):
    voided: bool
    lines: list[AssetStocktakeLineOut]


class AssetStocktakeIn(Input):
    counted_on: dt.date
    room_code: UUID | None = None
    campus_code: UUID | None = None
    notes: str = ""


class StocktakeLineIn(Input):
    line_code: UUID
    counted_quantity: Decimal | None = None
    explanation: str | None = None


class StocktakeCountIn(Input):
    lines: list[StocktakeLineIn]
    post: bool = False


class AssetImportOut(Schema):
    kind: str
    created: int
    updated: int

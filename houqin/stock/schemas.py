"""API input and output shapes of the storeroom. Quantities and money are Decimals (strings in
JSON), never floats. No business rules here: the services hold them."""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from ninja import Schema

from houqin.core.inputs import Input


class WarehouseOut(Schema):
    code: UUID
    name: str
    kind: str
    campus: str
    is_active: bool


class SupplierOut(Schema):
    code: UUID
    name: str
    contact_person: str
    phone: str
    address: str
    is_active: bool


class StockItemOut(Schema):
    code: UUID
    name: str
    spec: str
    unit: str
    category: str
    is_food: bool
    minimum_level: Decimal
    shelf_life_days: int | None
    is_active: bool
    on_hand: Decimal


class StockItemIn(Input):
    name: str
    unit: str
    category: str
    spec: str = ""
    minimum_level: Decimal = Decimal("0")
    shelf_life_days: int | None = None
    notes: str = ""


class BatchOut(Schema):
    code: UUID
    item_code: UUID
    item: str
    unit: str
    warehouse_code: UUID
    warehouse: str
    batch_no: str
    production_date: dt.date | None
    expiry_date: dt.date | None
    supplier: str | None
    unit_cost: Decimal
    received_at: dt.datetime
    quantity: Decimal
    value: Decimal
    expired: bool


class ItemDetailOut(StockItemOut):
    notes: str
    value: Decimal
    batches: list[BatchOut]


class OnHandOut(Schema):
    item_code: UUID
    item: str
    unit: str
    category: str
    warehouse_code: UUID
    warehouse: str
    quantity: Decimal
    value: Decimal
    expired: Decimal
    next_expiry: dt.date | None
    below_minimum: bool


class MovementOut(Schema):
    code: UUID
    kind: str
    occurred_on: dt.date
    item_code: UUID
    item: str
    unit: str
    warehouse: str
    batch_code: UUID
    quantity: Decimal
    balance_after: Decimal
    unit_cost: Decimal
    value: Decimal
    reason: str
    school_class: str | None
    recipient: str | None
    requisition: str | None
    stocktake: str | None
    recorded_by: str | None
    recorded_at: dt.datetime


class StockReceiptIn(Input):
    warehouse_code: UUID
    item_code: UUID
    quantity: Decimal
    unit_cost: Decimal
    supplier_code: UUID | None = None
    batch_no: str = ""
    production_date: dt.date | None = None
    expiry_date: dt.date | None = None
    occurred_on: dt.date | None = None
    reason: str = ""


class IssueIn(Input):
    warehouse_code: UUID
    item_code: UUID
    quantity: Decimal
    batch_code: UUID | None = None
    class_code: UUID | None = None
    recipient: str | None = None  # login name of a staff member
    occurred_on: dt.date | None = None
    reason: str = ""


class KitchenLineIn(Input):
    item_code: UUID
    quantity: Decimal


class KitchenIssueIn(Input):
    warehouse_code: UUID
    lines: list[KitchenLineIn]
    occurred_on: dt.date | None = None
    reason: str = ""


class TransferIn(Input):
    item_code: UUID
    from_warehouse_code: UUID
    to_warehouse_code: UUID
    quantity: Decimal
    batch_code: UUID | None = None
    occurred_on: dt.date | None = None
    reason: str = ""


class DisposalIn(Input):
    batch_code: UUID
    quantity: Decimal
    kind: str = "disposal_expired"
    reason: str
    witness: str | None = None  # login name of a staff member
    occurred_on: dt.date | None = None


class AlertsOut(Schema):
    expiry_warning_days: int
    low_stock: list[StockItemOut]
    expiring: list[BatchOut]


class RequisitionLineOut(Schema):
    code: UUID
    item_code: UUID
    item: str
    unit: str
    quantity_requested: Decimal
    quantity_issued: Decimal
    note: str


class RequisitionOut(Schema):
    code: UUID
    number: str
    status: str
    campus: str
    class_code: UUID | None
    class_name: str | None
    purpose: str
    requested_by: str
    requested_at: dt.datetime
    issued_by: str | None
    issued_at: dt.datetime | None
    closed_by: str | None
    closed_at: dt.datetime | None
    close_reason: str
    lines: list[RequisitionLineOut]


class RequisitionLineIn(Input):
    item_code: UUID
    quantity: Decimal
    note: str = ""


class RequisitionIn(Input):
    lines: list[RequisitionLineIn]
    class_code: UUID | None = None
    campus_code: UUID | None = None
    purpose: str = ""


class RequisitionIssueIn(Input):
    warehouse_code: UUID
    quantities: dict[UUID, Decimal] | None = None  # line code → quantity; default: all still asked for
    recipient: str | None = None
    occurred_on: dt.date | None = None


class StockReasonIn(Input):
    reason: str = ""


class StockStocktakeLineOut(Schema):
    code: UUID
    batch_code: UUID
    item: str
    unit: str
    expiry_date: dt.date | None
    book_quantity: Decimal
    counted_quantity: Decimal | None
    difference: Decimal | None
    difference_value: Decimal | None
    explanation: str
    counted_by: str | None
    counted_at: dt.datetime | None


class StockStocktakeOut(Schema):
    code: UUID
    number: str
    status: str
    warehouse_code: UUID
    warehouse: str
    opened_at: dt.datetime
    posted_at: dt.datetime | None
    closed_at: dt.datetime | None
    close_reason: str
    note: str
    line_count: int
    counted_count: int


class StockStocktakeDetailOut(StockStocktakeOut):
    lines: list[StockStocktakeLineOut]


class StockStocktakeIn(Input):
    warehouse_code: UUID
    note: str = ""


class CountIn(Input):
    line_code: UUID
    counted_quantity: Decimal
    explanation: str | None = None

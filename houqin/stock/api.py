"""JSON API of the storeroom: the same selectors and services as the pages, the same policy."""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from ninja import Router, Status

from houqin.core.inputs import Day, Limit, Offset
from houqin import policy
from houqin.core.errors import DomainError
from houqin.org.models import Campus, SchoolClass
from houqin.stock import selectors, services
from houqin.stock.models import MovementKind
from houqin.stock.schemas import (
    AlertsOut,
    BatchOut,
    CountIn,
    DisposalIn,
    IssueIn,
    ItemDetailOut,
    StockItemIn,
    StockItemOut,
    KitchenIssueIn,
    MovementOut,
    OnHandOut,
    StockReasonIn,
    StockReceiptIn,
    RequisitionIn,
    RequisitionIssueIn,
    RequisitionOut,
    StockStocktakeDetailOut,
    StockStocktakeIn,
    StockStocktakeOut,
    SupplierOut,
    TransferIn,
    WarehouseOut,
)

router = Router(tags=["stock"])

MAX_LIMIT = 500


# --- shapes ------------------------------------------------------------------------------------


def _name(user) -> str | None:
    return user.display_name if user is not None else None


def _item_out(item, on_hand=None) -> dict:
    if on_hand is None:
        on_hand = Decimal(getattr(item, "on_hand", 0) or 0).quantize(Decimal("0.001"))  # SQLite sums as floats
    return {
        "code": item.code, "name": item.name, "spec": item.spec, "unit": item.unit, "category": item.category,
        "is_food": item.is_food, "minimum_level": item.minimum_level, "shelf_life_days": item.shelf_life_days,
        "is_active": item.is_active, "on_hand": on_hand,
    }


def _batch_out(b, today) -> dict:
    return {
        "code": b.code, "item_code": b.item.code, "item": str(b.item), "unit": b.item.unit,
        "warehouse_code": b.warehouse.code, "warehouse": b.warehouse.name, "batch_no": b.batch_no,
        "production_date": b.production_date, "expiry_date": b.expiry_date,
        "supplier": b.supplier.name if b.supplier else None, "unit_cost": b.unit_cost, "received_at": b.received_at,
        "quantity": b.quantity, "value": b.value, "expired": b.is_expired_on(today),
    }


def _movement_out(m) -> dict:
    return {
        "code": m.code, "kind": m.kind, "occurred_on": m.occurred_on, "item_code": m.item.code, "item": str(m.item),
        "unit": m.item.unit, "warehouse": m.warehouse.name, "batch_code": m.batch.code, "quantity": m.quantity,
        "balance_after": m.balance_after, "unit_cost": m.unit_cost, "value": m.value, "reason": m.reason,
        "school_class": m.school_class.name if m.school_class else None, "recipient": _name(m.recipient),
        "requisition": m.requisition.number if m.requisition else None,
        "stocktake": m.stocktake.number if m.stocktake else None, "recorded_by": _name(m.created_by),
        "recorded_at": m.created_at,
    }


def _requisition_out(r) -> dict:
    return {
        "code": r.code, "number": r.number, "status": r.status, "campus": r.campus.name,
        "class_code": r.school_class.code if r.school_class else None,
        "class_name": r.school_class.name if r.school_class else None, "purpose": r.purpose,
        "requested_by": _name(r.requested_by), "requested_at": r.requested_at, "issued_by": _name(r.issued_by),
        "issued_at": r.issued_at, "closed_by": _name(r.closed_by), "closed_at": r.closed_at,
        "close_reason": r.close_reason,
        "lines": [
            {"code": line.code, "item_code": line.item.code, "item": str(line.item), "unit": line.item.unit,
             "quantity_requested": line.quantity_requested, "quantity_issued": line.quantity_issued,
             "note": line.note}
            for line in r.lines.all()
        ],
    }


def _stocktake_out(s) -> dict:
    return {
        "code": s.code, "number": s.number, "status": s.status, "warehouse_code": s.warehouse.code,
        "warehouse": s.warehouse.name, "opened_at": s.opened_at, "posted_at": s.posted_at, "closed_at": s.closed_at,
        "close_reason": s.close_reason, "note": s.note, "line_count": getattr(s, "line_count", 0),
        "counted_count": getattr(s, "counted_count", 0),
    }


def _stocktake_detail(actor, code) -> dict:
    stocktake = selectors.stocktake_list(actor=actor).filter(code=code).first()
    if stocktake is None:
        raise Http404
    lines = [
        {"code": line.code, "batch_code": line.batch.code, "item": str(line.batch.item), "unit": line.batch.item.unit,
         "expiry_date": line.batch.expiry_date, "book_quantity": line.book_quantity,
         "counted_quantity": line.counted_quantity, "difference": line.difference,
         "difference_value": line.difference_value, "explanation": line.explanation,
         "counted_by": _name(line.counted_by), "counted_at": line.counted_at}
        for line in selectors.stocktake_lines(stocktake)
    ]
    return {**_stocktake_out(stocktake), "lines": lines}


def _staff(actor, username: str | None, field: str):
    if not username:
        return None
    user = selectors.staff_people(actor=actor).filter(username=username).first()
    if user is None:
        raise DomainError(_no_staff(), errors=[{"field": field, "message": _no_staff()}])
    return user


def _no_staff() -> str:
    from django.utils.translation import gettext

    return gettext("No staff member here has this login name.")


# --- catalogue -----------------------------------------------------------------------------------


@router.get("/k/{kg}/stock/warehouses", response=list[WarehouseOut])
@policy.requires("stock.view")
def list_warehouses(request, kg: str):
    return [{"code": w.code, "name": w.name, "kind": w.kind, "campus": w.campus.name, "is_active": w.is_active}
            for w in selectors.warehouse_list(actor=request.actor, include_inactive=True)]


@router.get("/k/{kg}/stock/suppliers", response=list[SupplierOut])
@policy.requires("stock.view")
def list_suppliers(request, kg: str):
    return [{"code": s.code, "name": s.name, "contact_person": s.contact_person, "phone": s.phone,
             "address": s.address, "is_active": s.is_active}
            for s in selectors.supplier_list(actor=request.actor, include_inactive=True)]


@router.get("/k/{kg}/stock/items", response=list[StockItemOut])
@policy.requires("stock.view")
def list_items(request, kg: str, q: str = "", category: str = ""):
    return [_item_out(i) for i in selectors.items_with_on_hand(actor=request.actor, search=q, category=category)]


@router.get("/k/{kg}/stock/items/{code}", response=ItemDetailOut)
@policy.requires("stock.view")
def get_item(request, kg: str, code: UUID):
    actor = request.actor
    item = selectors.get_item(actor=actor, code=code)
    totals = selectors.item_on_hand(actor=actor, item=item)
    today = timezone.localdate()
    return {**_item_out(item, totals["quantity"]), "notes": item.notes, "value": totals["value"],
            "batches": [_batch_out(b, today) for b in selectors.batch_list(actor=actor, item=item)]}


@router.post("/k/{kg}/stock/items", response={201: StockItemOut})
@policy.requires("stock.item.change")
def create_item(request, kg: str, payload: StockItemIn):
    item = services.item_create(actor=request.actor, **payload.dict())
    return Status(201, _item_out(item, 0))


# --- stock on hand, batches, the ledger ---------------------------------------------------------


@router.get("/k/{kg}/stock/on-hand", response=list[OnHandOut])
@policy.requires("stock.view")
def on_hand(request, kg: str, warehouse_code: UUID | None = None, q: str = ""):
    actor = request.actor
    warehouse = selectors.get_warehouse(actor=actor, code=warehouse_code) if warehouse_code else None
    return [
        {"item_code": r["item"].code, "item": str(r["item"]), "unit": r["item"].unit, "category": r["item"].category,
         "warehouse_code": r["warehouse"].code, "warehouse": r["warehouse"].name, "quantity": r["quantity"],
         "value": r["value"], "expired": r["expired"], "next_expiry": r["next_expiry"],
         "below_minimum": r["below_minimum"]}
        for r in selectors.stock_on_hand(actor=actor, warehouse=warehouse, search=q)
    ]


@router.get("/k/{kg}/stock/batches", response=list[BatchOut])
@policy.requires("stock.view")
def list_batches(request, kg: str, item_code: UUID | None = None, warehouse_code: UUID | None = None,
                 include_empty: bool = False):
    actor = request.actor
    item = selectors.get_item(actor=actor, code=item_code) if item_code else None
    warehouse = selectors.get_warehouse(actor=actor, code=warehouse_code) if warehouse_code else None
    today = timezone.localdate()
    return [_batch_out(b, today) for b in selectors.batch_list(actor=actor, item=item, warehouse=warehouse,
                                                               on_hand_only=not include_empty)]


@router.get("/k/{kg}/stock/batches/{code}", response=BatchOut)
@policy.requires("stock.view")
def get_batch(request, kg: str, code: UUID):
    return _batch_out(selectors.get_batch(actor=request.actor, code=code), timezone.localdate())


@router.get("/k/{kg}/stock/movements", response=list[MovementOut])
@policy.requires("stock.view")
def list_movements(request, kg: str, item_code: UUID | None = None, kind: str = "", start: Day | None = None,
                   end: Day | None = None, limit: Limit = 100, offset: Offset = 0):
    actor = request.actor
    item = selectors.get_item(actor=actor, code=item_code) if item_code else None
    limit, offset = max(1, min(limit, MAX_LIMIT)), max(0, offset)
    movements = selectors.movement_list(actor=actor, item=item, kind=kind, start=start, end=end)
    return [_movement_out(m) for m in movements[offset:offset + limit]]


@router.get("/k/{kg}/stock/alerts", response=AlertsOut)
@policy.requires("stock.view")
def alerts(request, kg: str):
    actor = request.actor
    days = selectors.expiry_warning_days(actor.kindergarten)
    today = timezone.localdate()
    return {"expiry_warning_days": days,
            "low_stock": [_item_out(i) for i in selectors.low_stock_items(actor=actor)],
            "expiring": [_batch_out(b, today) for b in selectors.expiring_batches(actor=actor, within_days=days)]}


@router.post("/k/{kg}/stock/receipts", response={201: MovementOut})
@policy.requires("stock.receive")
def create_receipt(request, kg: str, payload: StockReceiptIn):
    actor = request.actor
    data = payload.dict()
    warehouse = selectors.get_warehouse(actor=actor, code=data.pop("warehouse_code"), capability="stock.receive")
    item = selectors.get_item(actor=actor, code=data.pop("item_code"), capability="stock.receive")
    supplier_code = data.pop("supplier_code")
    supplier = selectors.get_supplier(actor=actor, code=supplier_code, capability="stock.receive") if supplier_code else None
    movement = services.receive(actor=actor, warehouse=warehouse, item=item, supplier=supplier, **data)
    return Status(201, _movement_out(selectors.get_movement(actor=actor, code=movement.code,
                                                            capability="stock.receive")))


def _issue_targets(actor, data, capability):
    warehouse = selectors.get_warehouse(actor=actor, code=data.pop("warehouse_code"), capability=capability)
    item = selectors.get_item(actor=actor, code=data.pop("item_code"), capability=capability)
    batch_code = data.pop("batch_code", None)
    batch = selectors.get_batch(actor=actor, code=batch_code, capability=capability) if batch_code else None
    return warehouse, item, batch


def _movements_out(actor, movements, capability) -> list[dict]:
    codes = [m.code for m in movements]
    return [_movement_out(m) for m in selectors.movement_list(actor=actor, capability=capability)
            .filter(code__in=codes).order_by("pk")]


@router.post("/k/{kg}/stock/issues", response={201: list[MovementOut]})
@policy.requires("stock.issue")
def create_issue(request, kg: str, payload: IssueIn):
    """Issue goods to a person or class (issue_requisition), FEFO unless `batch_code` is given."""
    actor = request.actor
    data = payload.dict()
    warehouse, item, batch = _issue_targets(actor, data, "stock.issue")
    class_code = data.pop("class_code")
    school_class = None
    if class_code:
        school_class = policy.scoped(actor, "stock.issue", SchoolClass.objects.filter(code=class_code)).first()
        if school_class is None:
            raise Http404
    recipient = _staff(actor, data.pop("recipient"), "recipient")
    movements = services.issue(actor=actor, item=item, warehouse=warehouse, batch=batch, school_class=school_class,
                               recipient=recipient, kind=MovementKind.ISSUE_REQUISITION, **data)
    return Status(201, _movements_out(actor, movements, "stock.issue"))


@router.post("/k/{kg}/stock/kitchen-issues", response={201: list[MovementOut]})
@policy.requires("stock.issue_kitchen")
def create_kitchen_issue(request, kg: str, payload: KitchenIssueIn):
    """A day's food for the kitchen: several foods at once, all or nothing."""
    actor = request.actor
    capability = "stock.issue_kitchen"
    warehouse = selectors.get_warehouse(actor=actor, code=payload.warehouse_code, capability=capability)
    lines = [{"item": selectors.get_item(actor=actor, code=line.item_code, capability=capability),
              "quantity": line.quantity, "field": f"lines.{index}.quantity"}
             for index, line in enumerate(payload.lines)]
    movements = services.kitchen_issue_day(actor=actor, warehouse=warehouse, lines=lines,
                                           occurred_on=payload.occurred_on, reason=payload.reason)
    return Status(201, _movements_out(actor, movements, capability))


@router.post("/k/{kg}/stock/transfers", response={201: list[MovementOut]})
@policy.requires("stock.issue")
def create_transfer(request, kg: str, payload: TransferIn):
    actor = request.actor
    data = payload.dict()
    item = selectors.get_item(actor=actor, code=data.pop("item_code"), capability="stock.issue")
    source = selectors.get_warehouse(actor=actor, code=data.pop("from_warehouse_code"), capability="stock.issue")
    target = selectors.get_warehouse(actor=actor, code=data.pop("to_warehouse_code"), capability="stock.issue")
    batch_code = data.pop("batch_code")
    batch = selectors.get_batch(actor=actor, code=batch_code, capability="stock.issue") if batch_code else None
    movements = services.transfer(actor=actor, item=item, from_warehouse=source, to_warehouse=target, batch=batch,
                                  **data)
    return Status(201, _movements_out(actor, movements, "stock.issue"))


@router.post("/k/{kg}/stock/disposals", response={201: MovementOut})
@policy.requires("stock.dispose")
def create_disposal(request, kg: str, payload: DisposalIn):
    actor = request.actor
    data = payload.dict()
    batch = selectors.get_batch(actor=actor, code=data.pop("batch_code"), capability="stock.dispose")
    witness = _staff(actor, data.pop("witness"), "witness")
    movement = services.dispose(actor=actor, batch=batch, witness=witness, **data)
    return Status(201, _movements_out(actor, [movement], "stock.dispose")[0])


# --- requisitions --------------------------------------------------------------------------------


@router.get("/k/{kg}/stock/requisitions", response=list[RequisitionOut])
@policy.requires("stock.requisition.view")
def list_requisitions(request, kg: str, status: str = "", open_only: bool = False, limit: Limit = 100,
                      offset: Offset = 0):
    limit, offset = max(1, min(limit, MAX_LIMIT)), max(0, offset)
    qs = selectors.requisition_list(actor=request.actor, status=status, open_only=open_only)
    return [_requisition_out(r) for r in qs[offset:offset + limit]]


@router.get("/k/{kg}/stock/requisitions/mine", response=list[RequisitionOut])
@policy.requires("stock.requisition.create")
def my_requisitions(request, kg: str):
    return [_requisition_out(r) for r in selectors.my_requisitions(actor=request.actor)[:MAX_LIMIT]]


@router.get("/k/{kg}/stock/requisitions/{code}", response=RequisitionOut)
@policy.requires("stock.requisition.view")
def get_requisition(request, kg: str, code: UUID):
    return _requisition_out(selectors.get_requisition(actor=request.actor, code=code))


@router.post("/k/{kg}/stock/requisitions", response={201: RequisitionOut})
@policy.requires("stock.requisition.create")
def create_requisition(request, kg: str, payload: RequisitionIn):
    actor = request.actor
    capability = "stock.requisition.create"
    items = {i.code: i for i in selectors.requestable_items(actor=actor).filter(
        code__in=[line.item_code for line in payload.lines])}
    lines = []
    for line in payload.lines:
        if line.item_code not in items:
            raise Http404
        lines.append({"item": items[line.item_code], "quantity": line.quantity, "note": line.note})
    school_class = campus = None
    if payload.class_code:
        school_class = policy.scoped(actor, capability, SchoolClass.objects.filter(code=payload.class_code)).first()
        if school_class is None:
            raise Http404
    if payload.campus_code:
        campus = policy.scoped(actor, capability, Campus.objects.filter(code=payload.campus_code)).first()
        if campus is None:
            raise Http404
    requisition = services.requisition_create(actor=actor, lines=lines, school_class=school_class, campus=campus,
                                              purpose=payload.purpose)
    return Status(201, _requisition_out(selectors.get_requisition(actor=actor, code=requisition.code,
                                                                  capability=capability)))


@router.post("/k/{kg}/stock/requisitions/{code}/issue", response=RequisitionOut)
@policy.requires("stock.requisition.issue")
def issue_requisition(request, kg: str, code: UUID, payload: RequisitionIssueIn):
    actor = request.actor
    capability = "stock.requisition.issue"
    requisition = selectors.get_requisition(actor=actor, code=code, capability=capability)
    warehouse = selectors.get_warehouse(actor=actor, code=payload.warehouse_code, capability=capability)
    services.requisition_issue(actor=actor, requisition=requisition, warehouse=warehouse,
                               quantities=payload.quantities, occurred_on=payload.occurred_on,
                               recipient=_staff(actor, payload.recipient, "recipient"))
    return _requisition_out(selectors.get_requisition(actor=actor, code=code, capability=capability))


@router.post("/k/{kg}/stock/requisitions/{code}/reject", response=RequisitionOut)
@policy.requires("stock.requisition.issue")
def reject_requisition(request, kg: str, code: UUID, payload: StockReasonIn):
    actor = request.actor
    requisition = selectors.get_requisition(actor=actor, code=code, capability="stock.requisition.issue")
    services.requisition_reject(actor=actor, requisition=requisition, reason=payload.reason)
    return _requisition_out(selectors.get_requisition(actor=actor, code=code, capability="stock.requisition.issue"))


@router.post("/k/{kg}/stock/requisitions/{code}/cancel", response=RequisitionOut)
@policy.requires("stock.requisition.create")
def cancel_requisition(request, kg: str, code: UUID, payload: StockReasonIn):
    actor = request.actor
    requisition = selectors.get_requisition_to_cancel(actor=actor, code=code)
    services.requisition_cancel(actor=actor, requisition=requisition, reason=payload.reason)
    return _requisition_out(selectors.get_requisition_to_cancel(actor=actor, code=code))


# --- stocktakes ---------------------------------------------------------------------------------


@router.get("/k/{kg}/stock/stocktakes", response=list[StockStocktakeOut])
@policy.requires("stock.stocktake.view")
def list_stocktakes(request, kg: str):
    return [_stocktake_out(s) for s in selectors.stocktake_list(actor=request.actor)[:MAX_LIMIT]]


@router.get("/k/{kg}/stock/stocktakes/{code}", response=StockStocktakeDetailOut)
@policy.requires("stock.stocktake.view")
def get_stocktake(request, kg: str, code: UUID):
    return _stocktake_detail(request.actor, code)


@router.post("/k/{kg}/stock/stocktakes", response={201: StockStocktakeDetailOut})
@policy.requires("stock.stocktake")
def open_stocktake(request, kg: str, payload: StockStocktakeIn):
    actor = request.actor
    warehouse = selectors.get_warehouse(actor=actor, code=payload.warehouse_code, capability="stock.stocktake")
    stocktake = services.stocktake_open(actor=actor, warehouse=warehouse, note=payload.note)
    return Status(201, _stocktake_detail(actor, stocktake.code))


@router.post("/k/{kg}/stock/stocktakes/{code}/count", response=StockStocktakeDetailOut)
@policy.requires("stock.stocktake")
def count_stocktake_line(request, kg: str, code: UUID, payload: CountIn):
    actor = request.actor
    stocktake = selectors.get_stocktake(actor=actor, code=code, capability="stock.stocktake")
    line = selectors.get_stocktake_line(actor=actor, stocktake=stocktake, code=payload.line_code)
    services.stocktake_record_count(actor=actor, line=line, counted_quantity=payload.counted_quantity,
                                    explanation=payload.explanation)
    return _stocktake_detail(actor, code)


@router.post("/k/{kg}/stock/stocktakes/{code}/post", response=StockStocktakeDetailOut)
@policy.requires("stock.stocktake")
def post_stocktake(request, kg: str, code: UUID):
    actor = request.actor
    stocktake = selectors.get_stocktake(actor=actor, code=code, capability="stock.stocktake")
    services.stocktake_post(actor=actor, stocktake=stocktake)
    return _stocktake_detail(actor, code)


@router.post("/k/{kg}/stock/stocktakes/{code}/close", response=StockStocktakeDetailOut)
@policy.requires("stock.stocktake")
def close_stocktake(request, kg: str, code: UUID, payload: StockReasonIn):
    actor = request.actor
    stocktake = selectors.get_stocktake(actor=actor, code=code, capability="stock.stocktake")
    services.stocktake_close(actor=actor, stocktake=stocktake, reason=payload.reason)
    return _stocktake_detail(actor, code)

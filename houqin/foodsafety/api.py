"""JSON API of food safety: the same selectors and services as the pages, the same policy."""


import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema, Status

from houqin.core.inputs import Day, Input, Limit, Offset
from houqin import policy
from houqin.core.errors import DomainError
from houqin.core.rule_api import add_rule_routes
from houqin.foodsafety import selectors, services

router = Router(tags=["foodsafety"])
MAX_LIMIT = 500


# --- schemas --------------------------------------------------------------------------------------


class FoodSafetyCertificateIn(Input):
    supplier_code: UUID
    kind: str
    number: str
    valid_until: dt.date | None = None
    issued_on: dt.date | None = None
    product: str = ""


class FoodSafetyCertificateOut(Schema):
    code: UUID
    supplier_code: UUID
    supplier: str
    kind: str
    number: str
    product: str
    issued_on: dt.date | None
    valid_until: dt.date
    has_scan: bool
    retain_until: dt.date
    voided: bool


class ReceiptLineIn(Input):
    item_code: UUID
    quantity: Decimal
    unit_price: Decimal
    production_date: dt.date | None = None
    shelf_life_days: int | None = None
    expiry_date: dt.date | None = None
    batch_no: str = ""
    look_ok: bool = True
    touch_ok: bool = True
    smell_ok: bool = True
    is_chilled: bool = False
    temperature: Decimal | None = None
    accepted: bool = True
    reject_reason: str = ""
    to_kitchen: bool = False


class FoodSafetyReceiptIn(Input):
    supplier_code: UUID | None = None
    warehouse_code: UUID
    received_on: dt.date | None = None
    note: str = ""
    override_reason: str = ""
    lines: list[ReceiptLineIn]


class ReceiptLineOut(Schema):
    code: UUID
    item_code: UUID
    item: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    production_date: dt.date
    expiry_date: dt.date
    batch_no: str
    look_ok: bool
    touch_ok: bool
    smell_ok: bool
    is_chilled: bool
    temperature: Decimal | None
    accepted: bool
    reject_reason: str
    to_kitchen: bool
    batch_code: UUID | None
    retain_until: dt.date


class FoodSafetyReceiptOut(Schema):
    code: UUID
    supplier: str
    supplier_code: UUID
    warehouse: str
    received_on: dt.date
    received_at: dt.datetime
    inspector: str
    note: str
    override_reason: str
    override_by: str | None
    retain_until: dt.date
    voided: bool
    lines: list[ReceiptLineOut] = []


class FoodSafetyReasonIn(Input):
    reason: str


class SampleIn(Input):
    day: dt.date | None = None
    meal: str
    dish_code: UUID
    weight_grams: Decimal
    fridge: str
    fridge_temperature: Decimal | None = None


class DiscardIn(Input):
    at: dt.datetime | None = None


class SampleOut(Schema):
    code: UUID
    day: dt.date
    meal: str
    meal_label: str
    dish_code: UUID
    dish_name: str
    weight_grams: Decimal
    fridge: str
    fridge_temperature: Decimal | None
    stored_at: dt.datetime
    stored_by: str
    discard_due: dt.datetime
    discarded_at: dt.datetime | None
    discarded_by: str | None


class KitchenDishOut(Schema):
    meal: str
    meal_label: str
    dish_code: UUID
    dish_name: str
    sample: SampleOut | None


class KitchenMealOut(Schema):
    meal: str
    meal_label: str
    tableware_code: UUID | None


class KitchenOut(Schema):
    day: dt.date
    missing: int
    dishes: list[KitchenDishOut]
    meals: list[KitchenMealOut]


class CheckResultIn(Input):
    batch_code: UUID
    production_date_ok: bool = True
    shelf_life_ok: bool = True
    certificate_ok: bool = True
    note: str = ""


class ExpiryCheckIn(Input):
    warehouse_code: UUID
    checked_on: dt.date | None = None
    note: str = ""
    results: list[CheckResultIn] = []


class ExpiryLineOut(Schema):
    code: UUID
    batch_code: UUID
    item: str
    quantity: Decimal
    state: str
    production_date_ok: bool
    shelf_life_ok: bool
    certificate_ok: bool
    note: str
    disposal_code: UUID | None


class ExpiryCheckOut(Schema):
    code: UUID
    warehouse: str
    checked_on: dt.date
    checked_by: str
    note: str
    lines: list[ExpiryLineOut] = []


class DisposeIn(Input):
    quantity: Decimal
    reason: str
    witness: str


class HygieneResultIn(Input):
    item_code: UUID
    passed: bool = True
    note: str = ""


class HygieneIn(Input):
    inspected_on: dt.date | None = None
    note: str = ""
    results: list[HygieneResultIn] = []


class HygieneItemOut(Schema):
    code: UUID
    area: str
    text: str
    is_active: bool


class HygieneResultOut(Schema):
    item_code: UUID
    text: str
    passed: bool
    note: str
    deadline: dt.date | None
    hazard_code: UUID | None


class HygieneOut(Schema):
    code: UUID
    inspected_on: dt.date
    inspector: str
    note: str
    results: list[HygieneResultOut] = []


class TablewareIn(Input):
    day: dt.date | None = None
    meal: str
    method: str
    minutes: int
    temperature: Decimal | None = None
    chlorine_mg_l: Decimal | None = None
    note: str = ""


class TablewareOut(Schema):
    code: UUID
    day: dt.date
    meal: str
    method: str
    minutes: int
    temperature: Decimal | None
    chlorine_mg_l: Decimal | None
    done_by: str
    note: str


class TodoOut(Schema):
    title: str
    urgency: int
    url: str
    detail: str
    due: dt.date | None


# --- shapes ---------------------------------------------------------------------------------------


def _name(user):
    return user.display_name if user is not None else None


def _cert_out(c) -> dict:
    return {"code": c.code, "supplier_code": c.supplier.code, "supplier": c.supplier.name, "kind": c.kind,
            "number": c.number, "product": c.product, "issued_on": c.issued_on, "valid_until": c.valid_until,
            "has_scan": bool(c.scan), "retain_until": c.retain_until, "voided": c.is_voided}


def _receipt_out(r, lines=True) -> dict:
    out = {"code": r.code, "supplier": r.supplier.name, "supplier_code": r.supplier.code, "warehouse": r.warehouse.name,
           "received_on": r.received_on, "received_at": r.received_at, "inspector": _name(r.inspector),
           "note": r.note, "override_reason": r.override_reason, "override_by": _name(r.override_by),
           "retain_until": r.retain_until, "voided": r.is_voided, "lines": []}
    if lines:
        out["lines"] = [
            {"code": ln.code, "item_code": ln.item.code, "item": str(ln.item), "unit": ln.item.unit,
             "quantity": ln.quantity, "unit_price": ln.unit_price, "production_date": ln.production_date,
             "expiry_date": ln.expiry_date, "batch_no": ln.batch_no, "look_ok": ln.look_ok, "touch_ok": ln.touch_ok,
             "smell_ok": ln.smell_ok, "is_chilled": ln.is_chilled, "temperature": ln.temperature,
             "accepted": ln.accepted, "reject_reason": ln.reject_reason, "to_kitchen": ln.to_kitchen,
             "batch_code": ln.movement.batch.code if ln.movement else None, "retain_until": ln.retain_until}
            for ln in r.lines.all()]
    return out


def _sample_out(s) -> dict:
    return {"code": s.code, "day": s.day, "meal": s.meal, "meal_label": s.meal_label, "dish_code": s.dish_code,
            "dish_name": s.dish_name, "weight_grams": s.weight_grams, "fridge": s.fridge,
            "fridge_temperature": s.fridge_temperature, "stored_at": s.stored_at, "stored_by": _name(s.stored_by),
            "discard_due": s.discard_due, "discarded_at": s.discarded_at, "discarded_by": _name(s.discarded_by)}


def _check_out(c, lines=True) -> dict:
    return {"code": c.code, "warehouse": c.warehouse.name, "checked_on": c.checked_on,
            "checked_by": _name(c.checked_by), "note": c.note,
            "lines": [{"code": ln.code, "batch_code": ln.batch.code, "item": str(ln.batch.item), "quantity": ln.quantity,
                       "state": ln.state, "production_date_ok": ln.production_date_ok,
                       "shelf_life_ok": ln.shelf_life_ok, "certificate_ok": ln.certificate_ok, "note": ln.note,
                       "disposal_code": ln.disposal.code if ln.disposal else None}
                      for ln in c.lines.all()] if lines else []}


def _hygiene_out(h, results=True) -> dict:
    return {"code": h.code, "inspected_on": h.inspected_on, "inspector": _name(h.inspector), "note": h.note,
            "results": [{"item_code": r.item.code, "text": r.text, "passed": r.passed, "note": r.note,
                         "deadline": r.deadline, "hazard_code": r.hazard_code}
                        for r in h.results.select_related("item")] if results else []}


def _tableware_out(t) -> dict:
    return {"code": t.code, "day": t.day, "meal": t.meal, "method": t.method, "minutes": t.minutes,
            "temperature": t.temperature, "chlorine_mg_l": t.chlorine_mg_l, "done_by": _name(t.done_by),
            "note": t.note}


def _limit(limit, offset):
    return max(1, min(limit, MAX_LIMIT)), max(0, offset)


# --- rules, to-dos ----------------------------------------------------------------------------------


add_rule_routes(router, area=services.AREA, path="/k/{kg}/foodsafety/rules", view_capability="foodsafety.view",
                change_capability="foodsafety.rules.change")


@router.get("/k/{kg}/foodsafety/todos", response=list[TodoOut])
@policy.requires("foodsafety.oversee")
def list_todos(request, kg: str):
    from houqin.foodsafety.navigation import todos_for

    return [{"title": t.title, "urgency": t.urgency, "url": t.url, "detail": t.detail,
             "due": t.due if isinstance(t.due, dt.date) else None}
            for t in todos_for(request.actor, timezone.localdate())]


# --- certificates -----------------------------------------------------------------------------------


@router.get("/k/{kg}/foodsafety/certificates", response=list[FoodSafetyCertificateOut])
@policy.requires("foodsafety.view")
def list_certificates(request, kg: str, supplier_code: UUID | None = None):
    actor = request.actor
    supplier = selectors.get_supplier(actor=actor, code=supplier_code) if supplier_code else None
    return [_cert_out(c) for c in selectors.certificate_list(actor=actor, supplier=supplier)]


@router.get("/k/{kg}/foodsafety/certificates/{code}", response=FoodSafetyCertificateOut)
@policy.requires("foodsafety.view")
def get_certificate(request, kg: str, code: UUID):
    return _cert_out(selectors.get_certificate(actor=request.actor, code=code))


@router.post("/k/{kg}/foodsafety/certificates", response={201: FoodSafetyCertificateOut})
@policy.requires("foodsafety.certificate.change")
def create_certificate(request, kg: str, payload: FoodSafetyCertificateIn):
    """Record a certificate (the scan is uploaded on the page)."""
    actor = request.actor
    data = payload.dict()
    supplier = selectors.get_supplier(actor=actor, code=data.pop("supplier_code"))
    cert = services.certificate_create(actor=actor, supplier=supplier, **data)
    return Status(201, _cert_out(cert))


# --- receiving ---------------------------------------------------------------------------------------


@router.get("/k/{kg}/foodsafety/receipts", response=list[FoodSafetyReceiptOut])
@policy.requires("foodsafety.view")
def list_receipts(request, kg: str, start: Day | None = None, end: Day | None = None, limit: Limit = 100,
                  offset: Offset = 0):
    limit, offset = _limit(limit, offset)
    rows = selectors.receipt_list(actor=request.actor, start=start, end=end)[offset:offset + limit]
    return [_receipt_out(r, lines=False) for r in rows]


@router.get("/k/{kg}/foodsafety/receipts/{code}", response=FoodSafetyReceiptOut)
@policy.requires("foodsafety.view")
def get_receipt(request, kg: str, code: UUID):
    return _receipt_out(selectors.get_receipt(actor=request.actor, code=code))


@router.post("/k/{kg}/foodsafety/receipts", response={201: FoodSafetyReceiptOut})
@policy.requires("foodsafety.receiving.record")
def create_receipt(request, kg: str, payload: FoodSafetyReceiptIn):
    """Record a delivery: accepted food goes into the food store (or straight to the kitchen)."""
    from houqin.stock.models import Item, Supplier, Warehouse

    actor = request.actor
    supplier = None
    if payload.supplier_code:
        supplier = policy.scoped(actor, "foodsafety.receiving.record",
                                 Supplier.objects.filter(code=payload.supplier_code)).first()
        if supplier is None:
            raise DomainError(_unknown_supplier(), errors=[{"field": "supplier_code", "message": _unknown_supplier()}])
    warehouse = policy.scoped(actor, "foodsafety.receiving.record",
                              Warehouse.objects.filter(code=payload.warehouse_code)).first()
    if warehouse is None:
        raise Http404
    items = {i.code: i for i in policy.scoped(actor, "foodsafety.receiving.record", Item.objects.filter(
        code__in=[line.item_code for line in payload.lines]))}
    lines = []
    for line in payload.lines:
        data = line.dict()
        data["item"] = items.get(data.pop("item_code"))
        if data["item"] is None:
            raise Http404
        lines.append(data)
    receipt = services.receipt_create(actor=actor, supplier=supplier, warehouse=warehouse, lines=lines,
                                      received_on=payload.received_on, note=payload.note,
                                      override_reason=payload.override_reason)
    return Status(201, _receipt_out(selectors.get_receipt(actor=actor, code=receipt.code)))


def _unknown_supplier() -> str:
    from django.utils.translation import gettext

    return gettext("Unknown supplier: goods from an unknown supplier are not accepted.")


@router.post("/k/{kg}/foodsafety/receipts/{code}/void", response=FoodSafetyReceiptOut)
@policy.requires("foodsafety.void")
def void_receipt(request, kg: str, code: UUID, payload: FoodSafetyReasonIn):
    actor = request.actor
    receipt = selectors.get_receipt(actor=actor, code=code, capability="foodsafety.void")
    services.void_record(actor=actor, record=receipt, reason=payload.reason)
    return _receipt_out(selectors.get_receipt(actor=actor, code=code))


# --- samples and the kitchen's day ------------------------------------------------------------------


@router.get("/k/{kg}/foodsafety/kitchen", response=KitchenOut)
@policy.requires("foodsafety.view")
def kitchen(request, kg: str, day: Day | None = None):
    data = selectors.kitchen_day(actor=request.actor, day=min(day or timezone.localdate(), timezone.localdate()))
    return {"day": data["day"], "missing": data["missing"],
            "dishes": [{"meal": d["meal"], "meal_label": str(d.get("meal_label", d["meal"])),
                        "dish_code": d["dish_code"], "dish_name": d["dish_name"],
                        "sample": _sample_out(d["sample"]) if d["sample"] else None} for d in data["dishes"]],
            "meals": [{"meal": m["meal"], "meal_label": str(m["meal_label"]),
                       "tableware_code": m["tableware"].code if m["tableware"] else None} for m in data["meals"]]}


@router.get("/k/{kg}/foodsafety/samples", response=list[SampleOut])
@policy.requires("foodsafety.view")
def list_samples(request, kg: str, start: Day | None = None, end: Day | None = None, limit: Limit = 100,
                 offset: Offset = 0):
    limit, offset = _limit(limit, offset)
    return [_sample_out(s) for s in selectors.sample_list(actor=request.actor, start=start, end=end)[offset:offset + limit]]


@router.get("/k/{kg}/foodsafety/samples/{code}", response=SampleOut)
@policy.requires("foodsafety.view")
def get_sample(request, kg: str, code: UUID):
    return _sample_out(selectors.get_sample(actor=request.actor, code=code))


@router.post("/k/{kg}/foodsafety/samples", response={201: SampleOut})
@policy.requires("foodsafety.sample.record")
def create_sample(request, kg: str, payload: SampleIn):
    sample = services.sample_record(actor=request.actor, **payload.dict())
    return Status(201, _sample_out(sample))


@router.post("/k/{kg}/foodsafety/samples/{code}/discard", response=SampleOut)
@policy.requires("foodsafety.sample.record")
def discard_sample(request, kg: str, code: UUID, payload: DiscardIn):
    actor = request.actor
    sample = selectors.get_sample(actor=actor, code=code, capability="foodsafety.sample.record")
    return _sample_out(services.sample_discard(actor=actor, sample=sample, at=payload.at))


# --- expiry checks ------------------------------------------------------------------------------------


@router.get("/k/{kg}/foodsafety/expiry-checks", response=list[ExpiryCheckOut])
@policy.requires("foodsafety.view")
def list_expiry_checks(request, kg: str, start: Day | None = None, end: Day | None = None):
    return [_check_out(c, lines=False) for c in selectors.expiry_check_list(actor=request.actor, start=start, end=end)[:MAX_LIMIT]]


@router.get("/k/{kg}/foodsafety/expiry-checks/{code}", response=ExpiryCheckOut)
@policy.requires("foodsafety.view")
def get_expiry_check(request, kg: str, code: UUID):
    return _check_out(selectors.get_expiry_check(actor=request.actor, code=code))


@router.post("/k/{kg}/foodsafety/expiry-checks", response={201: ExpiryCheckOut})
@policy.requires("foodsafety.expiry.check")
def create_expiry_check(request, kg: str, payload: ExpiryCheckIn):
    from houqin.stock.selectors import get_warehouse

    actor = request.actor
    warehouse = get_warehouse(actor=actor, code=payload.warehouse_code, capability="foodsafety.expiry.check")
    results = {str(r.batch_code): r.dict() for r in payload.results}
    check = services.expiry_check_create(actor=actor, warehouse=warehouse, results=results,
                                         checked_on=payload.checked_on, note=payload.note)
    return Status(201, _check_out(selectors.get_expiry_check(actor=actor, code=check.code)))


@router.post("/k/{kg}/foodsafety/expiry-checks/lines/{code}/dispose", response=ExpiryLineOut)
@policy.requires("foodsafety.expiry.dispose")
def dispose_expiry_line(request, kg: str, code: UUID, payload: DisposeIn):
    from houqin.stock.selectors import staff_people

    actor = request.actor
    line = selectors.get_expiry_line(actor=actor, code=code, capability="foodsafety.expiry.dispose")
    witness = staff_people(actor=actor).filter(username=payload.witness).first()
    if witness is None:
        from django.utils.translation import gettext

        message = gettext("No staff member here has this login name.")
        raise DomainError(message, errors=[{"field": "witness", "message": message}])
    line = services.expiry_line_dispose(actor=actor, line=line, quantity=payload.quantity, reason=payload.reason,
                                        witness=witness)
    return {"code": line.code, "batch_code": line.batch.code, "item": str(line.batch.item), "quantity": line.quantity,
            "state": line.state, "production_date_ok": line.production_date_ok, "shelf_life_ok": line.shelf_life_ok,
            "certificate_ok": line.certificate_ok, "note": line.note, "disposal_code": line.disposal.code}


# --- hygiene and tableware ----------------------------------------------------------------------------


@router.get("/k/{kg}/foodsafety/hygiene/checklist", response=list[HygieneItemOut])
@policy.requires("foodsafety.view")
def hygiene_checklist(request, kg: str):
    return [{"code": i.code, "area": i.area, "text": i.text, "is_active": i.is_active}
            for i in services.hygiene_items(request.actor.kindergarten, include_inactive=True)]


@router.get("/k/{kg}/foodsafety/hygiene", response=list[HygieneOut])
@policy.requires("foodsafety.view")
def list_hygiene(request, kg: str, start: Day | None = None, end: Day | None = None):
    return [_hygiene_out(h, results=False) for h in selectors.hygiene_list(actor=request.actor, start=start, end=end)[:MAX_LIMIT]]


@router.get("/k/{kg}/foodsafety/hygiene/{code}", response=HygieneOut)
@policy.requires("foodsafety.view")
def get_hygiene(request, kg: str, code: UUID):
    return _hygiene_out(selectors.get_hygiene(actor=request.actor, code=code))


@router.post("/k/{kg}/foodsafety/hygiene", response={201: HygieneOut})
@policy.requires("foodsafety.hygiene.inspect")
def create_hygiene(request, kg: str, payload: HygieneIn):
    results = {str(r.item_code): {"passed": r.passed, "note": r.note} for r in payload.results}
    inspection = services.hygiene_inspection_create(actor=request.actor, results=results,
                                                    inspected_on=payload.inspected_on, note=payload.note)
    return Status(201, _hygiene_out(inspection))


@router.get("/k/{kg}/foodsafety/tableware", response=list[TablewareOut])
@policy.requires("foodsafety.view")
def list_tableware(request, kg: str, start: Day | None = None, end: Day | None = None):
    return [_tableware_out(t) for t in selectors.tableware_list(actor=request.actor, start=start, end=end)[:MAX_LIMIT]]


@router.post("/k/{kg}/foodsafety/tableware", response={201: TablewareOut})
@policy.requires("foodsafety.tableware.record")
def create_tableware(request, kg: str, payload: TablewareIn):
    return Status(201, _tableware_out(services.tableware_record(actor=request.actor, **payload.dict())))


# --- production, serving and waste ----------------------------------------------------------------------


class ProductionIn(Input):
    day: dt.date | None = None
    meal: str
    dish_code: UUID
    planned_portions: int
    served_portions: int
    cooked_kg: Decimal
    served_kg: Decimal
    leftover_kg: Decimal
    plate_waste_kg: Decimal
    cooked_at: dt.time
    served_at: dt.time
    note: str = ""


class ProductionOut(Schema):
    code: UUID
    day: dt.date
    meal: str
    meal_label: str
    dish_code: UUID
    dish_name: str
    planned_portions: int
    served_portions: int
    cooked_kg: Decimal
    served_kg: Decimal
    leftover_kg: Decimal
    plate_waste_kg: Decimal
    cooked_by: str
    cooked_at: dt.datetime
    served_at: dt.datetime
    sample_code: UUID | None
    note: str


class DishWasteOut(Schema):
    dish_code: UUID
    dish_name: str
    times: int
    served_kg: Decimal
    plate_waste_kg: Decimal
    children: int
    grams_per_child: Decimal | None
    percent: Decimal | None
    flagged: bool


class DayWasteOut(Schema):
    day: dt.date
    dishes: int
    cooked_kg: Decimal
    served_kg: Decimal
    leftover_kg: Decimal
    plate_waste_kg: Decimal
    children: int
    grams_per_child: Decimal | None


class WasteOut(Schema):
    start: dt.date
    end: dt.date
    by_dish: list[DishWasteOut]
    by_day: list[DayWasteOut]


def _production_out(p) -> dict:
    return {"code": p.code, "day": p.day, "meal": p.meal, "meal_label": p.meal_label, "dish_code": p.dish_code,
            "dish_name": p.dish_name, "planned_portions": p.planned_portions, "served_portions": p.served_portions,
            "cooked_kg": p.cooked_kg, "served_kg": p.served_kg, "leftover_kg": p.leftover_kg,
            "plate_waste_kg": p.plate_waste_kg, "cooked_by": _name(p.cooked_by), "cooked_at": p.cooked_at,
            "served_at": p.served_at, "sample_code": p.sample.code if p.sample else None, "note": p.note}


@router.get("/k/{kg}/foodsafety/production", response=list[ProductionOut])
@policy.requires("foodsafety.view")
def list_production(request, kg: str, start: Day | None = None, end: Day | None = None, limit: Limit = 100,
                    offset: Offset = 0):
    from houqin.foodsafety import production

    limit, offset = _limit(limit, offset)
    rows = production.production_list(actor=request.actor, start=start, end=end)[offset:offset + limit]
    return [_production_out(p) for p in rows]


@router.get("/k/{kg}/foodsafety/production/waste", response=WasteOut)
@policy.requires("foodsafety.view")
def production_waste(request, kg: str, start: Day | None = None, end: Day | None = None):
    from houqin.foodsafety import production

    end = min(end or timezone.localdate(), timezone.localdate())
    start = start or end - dt.timedelta(days=27)
    if start > end:
        from django.utils.translation import gettext as _

        from houqin.core.errors import field_error

        raise field_error("start", _("The first day is after the last."))
    return {"start": start, "end": end, "by_dish": production.waste_by_dish(actor=request.actor, start=start, end=end),
            "by_day": production.waste_by_day(actor=request.actor, start=start, end=end)}


@router.get("/k/{kg}/foodsafety/production/{code}", response=ProductionOut)
@policy.requires("foodsafety.view")
def get_production(request, kg: str, code: UUID):
    from houqin.foodsafety import production

    return _production_out(production.get_production(actor=request.actor, code=code))


@router.post("/k/{kg}/foodsafety/production", response={201: ProductionOut})
@policy.requires("foodsafety.production.record")
def create_production(request, kg: str, payload: ProductionIn):
    from houqin.foodsafety import production

    return Status(201, _production_out(production.production_record(actor=request.actor, **payload.dict())))


# --- the kitchen's duties (日管控、周排查、月调度) and 园长陪餐 ---------------------------------------------


class KitchenDutyItemOut(Schema):
    key: str
    text: str


class KitchenDutyAnswerIn(Input):
    key: str
    passed: bool
    note: str = ""


class KitchenDutyIn(Input):
    kind: str
    done_on: dt.date | None = None
    attendees: str = ""
    note: str = ""
    results: list[KitchenDutyAnswerIn] = []


class KitchenDutyResultOut(Schema):
    key: str
    text: str
    passed: bool
    note: str
    deadline: dt.date | None
    hazard_code: UUID | None


class KitchenDutyOut(Schema):
    code: UUID
    kind: str
    kind_label: str
    done_on: dt.date
    done_by: str
    attendees: str
    note: str
    results: list[KitchenDutyResultOut] = []


class AccompanyIn(Input):
    day: dt.date | None = None
    meal: str
    place: str
    remarks: str
    problems: str = ""


class AccompanyOut(Schema):
    code: UUID
    day: dt.date
    meal: str
    meal_label: str
    diner: str
    place: str
    remarks: str
    problems: str


def _duty_out(c, results=True) -> dict:
    return {"code": c.code, "kind": c.kind, "kind_label": str(c.get_kind_display()), "done_on": c.done_on,
            "done_by": _name(c.done_by), "attendees": c.attendees, "note": c.note,
            "results": [{"key": r.item_key, "text": r.text, "passed": r.passed, "note": r.note, "deadline": r.deadline,
                         "hazard_code": r.hazard_code} for r in c.results.all()] if results else []}


def _accompany_out(m) -> dict:
    return {"code": m.code, "day": m.day, "meal": m.meal, "meal_label": m.meal_label, "diner": _name(m.diner),
            "place": m.place, "remarks": m.remarks, "problems": m.problems}


@router.get("/k/{kg}/foodsafety/duties/items", response=list[KitchenDutyItemOut])
@policy.requires("foodsafety.view")
def duty_items(request, kg: str, kind: str = "daily"):
    from houqin.foodsafety import duties

    return [{"key": key, "text": text} for key, text in duties.duty_items(kind)]


@router.get("/k/{kg}/foodsafety/duties", response=list[KitchenDutyOut])
@policy.requires("foodsafety.view")
def list_duties(request, kg: str, start: Day | None = None, end: Day | None = None, limit: Limit = 100,
                offset: Offset = 0):
    from houqin.foodsafety import duties

    limit, offset = _limit(limit, offset)
    rows = duties.duty_list(actor=request.actor, start=start, end=end)[offset:offset + limit]
    return [_duty_out(c, results=False) for c in rows]


@router.get("/k/{kg}/foodsafety/duties/{code}", response=KitchenDutyOut)
@policy.requires("foodsafety.view")
def get_duty(request, kg: str, code: UUID):
    from houqin.foodsafety import duties

    return _duty_out(duties.get_duty(actor=request.actor, code=code))


@router.post("/k/{kg}/foodsafety/duties", response={201: KitchenDutyOut})
@policy.requires("foodsafety.duty.record")
def create_duty(request, kg: str, payload: KitchenDutyIn):
    from houqin.foodsafety import duties

    check = duties.duty_record(actor=request.actor, kind=payload.kind, done_on=payload.done_on,
                               attendees=payload.attendees, note=payload.note,
                               results={r.key: {"passed": r.passed, "note": r.note} for r in payload.results})
    return Status(201, _duty_out(duties.get_duty(actor=request.actor, code=check.code)))


@router.get("/k/{kg}/foodsafety/meals", response=list[AccompanyOut])
@policy.requires("foodsafety.view")
def list_accompanied(request, kg: str, start: Day | None = None, end: Day | None = None, limit: Limit = 100,
                     offset: Offset = 0):
    from houqin.foodsafety import duties

    limit, offset = _limit(limit, offset)
    return [_accompany_out(m) for m in duties.accompany_list(actor=request.actor, start=start, end=end)
            [offset:offset + limit]]


@router.post("/k/{kg}/foodsafety/meals", response={201: AccompanyOut})
@policy.requires("foodsafety.accompany.record")
def create_accompanied(request, kg: str, payload: AccompanyIn):
    from houqin.foodsafety import duties

    return Status(201, _accompany_out(duties.accompany_record(actor=request.actor, **payload.dict())))


from houqin.foodsafety import log_api  # noqa: E402,F401 - the pest-control and drinking-water routes, on this router

"""Use cases of the storeroom: one function per use case, keyword-only, the acting `actor` first.

Every function checks the actor's capability on the object (houqin.policy), validates, writes in one
transaction and raises houqin.core.errors.DomainError (422), Forbidden (403) or Conflict (409).

The ledger: the only way stock changes is `_post`, which appends one Movement and updates the
batch's cached quantity and book value in the same transaction. Batches are locked with
select_for_update in pk order before they are read (on SQLite, settings' IMMEDIATE transactions
serialise writers instead). A batch's book value is its quantity × unit cost rounded to the fen,
and a movement's value is the change of that book value, so the sum of the ledger's values is
exactly the value on hand.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import time
from decimal import Decimal

from django.db import IntegrityError, OperationalError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from houqin import policy
from houqin.core.errors import Conflict, DomainError, Forbidden, field_error, is_lock_error, raise_for
from houqin.core.numbers import decimal_into
from houqin.core.workflow import move
from houqin.org.models import STAFF_ROLES, Campus, Membership, SchoolClass
from houqin.stock.models import (
    DISPOSALS,
    FOOD_CATEGORIES,
    ISSUES,
    OPEN_REQUISITION,
    REQUISITION_TRANSITIONS,
    STOCKTAKE_TRANSITIONS,
    Batch,
    Category,
    Item,
    Movement,
    MovementKind,
    Requisition,
    RequisitionLine,
    RequisitionStatus,
    StockSettings,
    Stocktake,
    StocktakeLine,
    StocktakeStatus,
    Supplier,
    Warehouse,
    WarehouseKind,
    book_value,
)

MAX_QUANTITY = Decimal("99999999.999")
MAX_UNIT_COST = Decimal("99999999.9999")
MAX_SHELF_LIFE_DAYS = 3650
MAX_LINES = 50
LOCK_ATTEMPTS = 8


# --- small helpers ------------------------------------------------------------------------------


def qty(value: Decimal) -> str:
    """A quantity as people write it: 12, 0.5, 2.25 (no trailing zeros)."""
    text = f"{Decimal(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _decimal(value, *, field: str, places: int, maximum: Decimal, allow_zero: bool, errors: list) -> Decimal | None:
    """A quantity or price (core.numbers: never through float)."""
    return decimal_into(errors, field, value, places=places, maximum=maximum, minimum=Decimal(0),
                        positive=not allow_zero, positive_message=_("Enter a quantity greater than zero."))


def _quantity(value, errors: list, field: str = "quantity", *, allow_zero: bool = False) -> Decimal | None:
    return _decimal(value, field=field, places=3, maximum=MAX_QUANTITY, allow_zero=allow_zero, errors=errors)


def _text(value, max_length: int) -> str:
    return (value or "").strip()[:max_length]


def _occurred_on(value: dt.date | None, errors: list) -> dt.date:
    today = timezone.localdate()
    if value is None:
        return today
    if value > today:
        errors.append({"field": "occurred_on", "message": _("The date is in the future.")})
    return value


def _moment(day: dt.date) -> dt.datetime:
    """A time on `day`: now when it is today, otherwise noon of that day (for back-dated entries)."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def _received_on(batch: Batch) -> dt.date:
    return timezone.localtime(batch.received_at).date()


def _is_member(kindergarten, user) -> bool:
    """Whether `user` works in the kindergarten (a staff role, not a parent)."""
    return Membership.objects.filter(kindergarten=kindergarten, user=user, is_active=True,
                                     role__in=STAFF_ROLES).exists()


def _is_lock_error(exc: OperationalError) -> bool:
    return is_lock_error(exc)


def atomic(func):
    """One transaction per use case. Losing a lock race (another writer holds the database or the
    rows) rolls everything back; the outermost call then tries again a few times after a short
    random pause, and finally answers a Conflict with a clear message, never a 500."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        attempts = 1 if transaction.get_connection().in_atomic_block else LOCK_ATTEMPTS
        for attempt in range(1, attempts + 1):
            try:
                with transaction.atomic():
                    return func(*args, **kwargs)
            except OperationalError as exc:
                if not _is_lock_error(exc):
                    raise
                if attempt == attempts:
                    raise Conflict(
                        _("Someone else is changing this stock at the same moment: nothing was changed, "
                          "please try again."),
                        code="busy",
                    ) from exc
                time.sleep(random.uniform(0.02, 0.06) * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper


def fefo_key(batch: Batch):
    """First expiring, first out; batches without an expiry date last, oldest receipt first."""
    return (batch.expiry_date is None, batch.expiry_date or dt.date.max, batch.received_at, batch.pk)


def _lock(queryset) -> list[Batch]:
    """Lock batch rows in pk order (the same order everywhere, so two writers cannot deadlock)."""
    return list(queryset.select_for_update().order_by("pk"))


def _post(*, actor, batch: Batch, kind: str, delta: Decimal, occurred_on: dt.date, reason: str = "",
          **links) -> Movement:
    """Append one movement and move the locked batch's cached quantity and value with it."""
    after = batch.quantity + delta
    if after < 0:
        raise Conflict(_("The stock changed in the meantime: nothing was changed, please try again."))
    value_after = book_value(after, batch.unit_cost)
    value_change = value_after - batch.value
    Batch.objects.filter(pk=batch.pk).update(quantity=after, value=value_after)
    batch.quantity, batch.value = after, value_after
    return Movement.objects.create(
        kindergarten_id=batch.kindergarten_id, batch=batch, item_id=batch.item_id, warehouse_id=batch.warehouse_id,
        kind=kind, quantity=delta, balance_after=after, unit_cost=batch.unit_cost, value=value_change,
        occurred_on=occurred_on, reason=_text(reason, 200), created_by=actor.user, **links,
    )


def stock_settings(kindergarten) -> StockSettings:
    """The kindergarten's storeroom rules (made with the shipped defaults on first use)."""
    row = StockSettings.objects.filter(kindergarten=kindergarten).first()
    if row is None:
        try:
            with transaction.atomic():
                row = StockSettings.objects.create(kindergarten=kindergarten)
        except IntegrityError:
            row = StockSettings.objects.get(kindergarten=kindergarten)
    return row


def _next_number(kindergarten, counter: str) -> int:
    """The next document number, under a lock on the kindergarten's settings row."""
    stock_settings(kindergarten)
    row = StockSettings.objects.select_for_update().get(kindergarten=kindergarten)
    number = getattr(row, counter)
    StockSettings.objects.filter(pk=row.pk).update(**{counter: number + 1})
    return number


# --- catalogue: suppliers, warehouses, items, settings -----------------------------------------


def _clean_supplier(data: dict, errors: list) -> dict:
    cleaned = {
        "name": _text(data.get("name"), 100),
        "contact_person": _text(data.get("contact_person"), 30),
        "phone": _text(data.get("phone"), 30),
        "address": _text(data.get("address"), 200),
        "notes": _text(data.get("notes"), 200),
    }
    if not cleaned["name"]:
        errors.append({"field": "name", "message": _("Enter a name.")})
    return cleaned


@atomic
def supplier_create(*, actor, name: str, contact_person: str = "", phone: str = "", address: str = "",
                    notes: str = "") -> Supplier:
    if not actor.has("stock.item.change"):
        raise Forbidden()
    errors: list = []
    data = _clean_supplier(locals(), errors)
    if not errors and Supplier.objects.filter(kindergarten=actor.kindergarten, name=data["name"]).exists():
        errors.append({"field": "name", "message": _("A supplier with this name already exists.")})
    if errors:
        raise_for(errors)
    return Supplier.objects.create(kindergarten=actor.kindergarten, created_by=actor.user, **data)


@atomic
def supplier_update(*, actor, supplier: Supplier, **changes) -> Supplier:
    if not policy.can(actor, "stock.item.change", supplier):
        raise Forbidden()
    unknown = set(changes) - {"name", "contact_person", "phone", "address", "notes", "is_active"}
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %s") % ", ".join(sorted(unknown)))
    errors: list = []
    merged = {f: getattr(supplier, f) for f in ("name", "contact_person", "phone", "address", "notes")} | changes
    data = _clean_supplier(merged, errors)
    if not errors and Supplier.objects.filter(kindergarten=supplier.kindergarten, name=data["name"]).exclude(
            pk=supplier.pk).exists():
        errors.append({"field": "name", "message": _("A supplier with this name already exists.")})
    if errors:
        raise_for(errors)
    for field, value in data.items():
        setattr(supplier, field, value)
    if "is_active" in changes:
        supplier.is_active = bool(changes["is_active"])
    supplier.save()
    return supplier


@atomic
def warehouse_create(*, actor, campus: Campus, name: str, kind: str) -> Warehouse:
    if not actor.has("stock.settings"):
        raise Forbidden()
    policy.same_kindergarten(actor, campus)
    if not policy.can(actor, "stock.settings", campus):
        raise Http404
    errors = []
    name = _text(name, 40)
    if not name:
        errors.append({"field": "name", "message": _("Enter a name.")})
    if kind not in WarehouseKind.values:
        errors.append({"field": "kind", "message": _("Choose a food store or a general store.")})
    if name and Warehouse.objects.filter(kindergarten=actor.kindergarten, campus=campus, name=name).exists():
        errors.append({"field": "name", "message": _("This campus already has a warehouse of this name.")})
    if errors:
        raise_for(errors)
    return Warehouse.objects.create(kindergarten=actor.kindergarten, campus=campus, name=name, kind=kind,
                                    created_by=actor.user)


@atomic
def settings_update(*, actor, expiry_warning_days: int, expiry_warning_source: str = "") -> StockSettings:
    if not actor.has("stock.settings"):
        raise Forbidden()
    if expiry_warning_days is None or not 0 <= int(expiry_warning_days) <= 365:
        raise field_error("expiry_warning_days", _("Enter a number of days from 0 to 365."))
    row = stock_settings(actor.kindergarten)
    row.expiry_warning_days = int(expiry_warning_days)
    row.expiry_warning_source = _text(expiry_warning_source, 100) or row.expiry_warning_source
    row.save(update_fields=["expiry_warning_days", "expiry_warning_source", "updated_at"])
    return row


ITEM_FIELDS = ("name", "spec", "unit", "category", "minimum_level", "shelf_life_days", "notes", "is_active")


def _clean_item(data: dict, errors: list) -> dict:
    cleaned = {
        "name": _text(data.get("name"), 60),
        "spec": _text(data.get("spec"), 60),
        "unit": _text(data.get("unit"), 10),
        "category": data.get("category") or "",
        "notes": _text(data.get("notes"), 200),
        "is_active": bool(data.get("is_active", True)),
    }
    if not cleaned["name"]:
        errors.append({"field": "name", "message": _("Enter a name.")})
    if not cleaned["unit"]:
        errors.append({"field": "unit", "message": _("Enter the unit (斤, 箱, 瓶…).")})
    if cleaned["category"] not in Category.values:
        errors.append({"field": "category", "message": _("Choose a category.")})
    minimum = data.get("minimum_level")
    cleaned["minimum_level"] = (
        _quantity(minimum, errors, "minimum_level", allow_zero=True) if minimum not in (None, "") else Decimal("0")
    )
    shelf_life = data.get("shelf_life_days")
    if shelf_life in (None, ""):
        cleaned["shelf_life_days"] = None
    else:
        try:
            shelf_life = int(shelf_life)
        except (TypeError, ValueError):
            shelf_life = -1
        if not 1 <= shelf_life <= MAX_SHELF_LIFE_DAYS:
            errors.append({"field": "shelf_life_days",
                           "message": _("Enter a shelf life from 1 to %(n)d days.") % {"n": MAX_SHELF_LIFE_DAYS}})
        cleaned["shelf_life_days"] = shelf_life
    return cleaned


def _check_item_unique(kindergarten, data: dict, errors: list, exclude_pk=None) -> None:
    if errors:
        return
    clash = Item.objects.filter(kindergarten=kindergarten, name=data["name"], spec=data["spec"])
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        errors.append({"field": "name", "message": _("An item with this name and specification already exists.")})


@atomic
def item_create(*, actor, name: str, unit: str, category: str, spec: str = "", minimum_level=Decimal("0"),
                shelf_life_days: int | None = None, notes: str = "", is_active: bool = True) -> Item:
    if not actor.has("stock.item.change"):
        raise Forbidden()
    errors: list = []
    data = _clean_item(locals(), errors)
    _check_item_unique(actor.kindergarten, data, errors)
    if errors:
        raise_for(errors)
    return Item.objects.create(kindergarten=actor.kindergarten, created_by=actor.user, **data)


@atomic
def item_update(*, actor, item: Item, **changes) -> Item:
    if not policy.can(actor, "stock.item.change", item):
        raise Forbidden()
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %s") % ", ".join(sorted(unknown)))
    errors: list = []
    data = _clean_item({f: getattr(item, f) for f in ITEM_FIELDS} | changes, errors)
    _check_item_unique(item.kindergarten, data, errors, exclude_pk=item.pk)
    becomes_food = data.get("category") in FOOD_CATEGORIES
    if not errors and becomes_food != item.is_food and item.batches.exists():
        errors.append({"field": "category", "message": _(
            "This item has batches in stock: it cannot change between food and other goods.")})
    if errors:
        raise_for(errors)
    for field, value in data.items():
        setattr(item, field, value)
    item.save()
    return item


# --- the ledger ---------------------------------------------------------------------------------


def _check_store_fits(item: Item, warehouse: Warehouse, errors: list, field: str = "warehouse") -> None:
    if item.is_food and not warehouse.is_food:
        errors.append({"field": field, "message": _("%(item)s is food: it belongs in a food store.") % {"item": item}})
    elif not item.is_food and warehouse.is_food:
        errors.append({"field": field, "message": _(
            "%(item)s is not food: it belongs in a general store.") % {"item": item}})


@atomic
def receive(*, actor, warehouse: Warehouse, item: Item, quantity, unit_cost, supplier: Supplier | None = None,
            batch_no: str = "", production_date: dt.date | None = None, expiry_date: dt.date | None = None,
            occurred_on: dt.date | None = None, reason: str = "") -> Movement:
    """Receive a batch into a warehouse (入库). Food needs its production date and an expiry date
    (given, or computed from the item's shelf life); expired food is refused."""
    policy.same_kindergarten(actor, warehouse, item, supplier)
    if not policy.can(actor, "stock.receive", warehouse):
        raise Forbidden()
    errors: list = []
    quantity = _quantity(quantity, errors)
    unit_cost = _decimal(unit_cost, field="unit_cost", places=4, maximum=MAX_UNIT_COST, allow_zero=True, errors=errors)
    occurred_on = _occurred_on(occurred_on, errors)
    if not item.is_active:
        errors.append({"field": "item", "message": _("This item is no longer in use.")})
    if not warehouse.is_active:
        errors.append({"field": "warehouse", "message": _("This warehouse is no longer in use.")})
    if supplier is not None and not supplier.is_active:
        errors.append({"field": "supplier", "message": _("This supplier is no longer in use.")})
    _check_store_fits(item, warehouse, errors)
    if production_date and production_date > occurred_on:
        errors.append({"field": "production_date", "message": _("The production date is after the day of receipt.")})
    if expiry_date is None and production_date and item.shelf_life_days:
        expiry_date = production_date + dt.timedelta(days=item.shelf_life_days)
    if expiry_date and production_date and expiry_date < production_date:
        errors.append({"field": "expiry_date", "message": _("The expiry date is before the production date.")})
    elif expiry_date and expiry_date < occurred_on:
        errors.append({"field": "expiry_date", "message": _(
            "This batch expired on %(date)s: expired goods must not be received.") % {"date": expiry_date}})
    if item.is_food:
        if production_date is None:
            errors.append({"field": "production_date", "message": _("Enter the production date of the food.")})
        if expiry_date is None:
            errors.append({"field": "expiry_date", "message": _(
                "Enter the expiry date, or the shelf life of the item.")})
    if errors:
        raise_for(errors)
    batch = Batch.objects.create(
        kindergarten=actor.kindergarten, item=item, warehouse=warehouse, batch_no=_text(batch_no, 40),
        production_date=production_date, expiry_date=expiry_date, supplier=supplier, unit_cost=unit_cost,
        received_at=_moment(occurred_on), created_by=actor.user,
    )
    return _post(actor=actor, batch=batch, kind=MovementKind.RECEIPT, delta=quantity, occurred_on=occurred_on,
                 reason=reason)


def _take(*, actor, item: Item, warehouse: Warehouse, quantity: Decimal, batch: Batch | None, occurred_on: dt.date,
          kind: str, reason: str = "", field: str = "quantity", **links) -> list[Movement]:
    """Take `quantity` out of the warehouse: the named batch, else first expiring first (FEFO), over
    as many batches as it takes. Expired batches and batches received after the day are not used."""
    candidates = Batch.objects.filter(kindergarten_id=warehouse.kindergarten_id, item=item, warehouse=warehouse,
                                      quantity__gt=0)
    if batch is not None:
        if batch.item_id != item.pk or batch.warehouse_id != warehouse.pk:
            raise field_error("batch", _("This batch is not of this item in this warehouse."))
        candidates = candidates.filter(pk=batch.pk)
    locked = _lock(candidates)
    expired = sum((b.quantity for b in locked if b.is_expired_on(occurred_on)), Decimal("0"))
    usable = [b for b in locked if not b.is_expired_on(occurred_on) and _received_on(b) <= occurred_on]
    if batch is not None and batch.is_expired_on(occurred_on):
        raise field_error("batch", _("This batch expired on %(date)s: dispose of it instead of issuing it.")
               % {"date": batch.expiry_date}, cls=Conflict, code="expired")
    available = sum((b.quantity for b in usable), Decimal("0"))
    if quantity > available:
        values = {"available": qty(available), "unit": item.unit, "item": item.name, "warehouse": warehouse.name,
                  "quantity": qty(quantity), "expired": qty(expired)}
        message = _("Only %(available)s %(unit)s of %(item)s are available in %(warehouse)s: "
                    "%(quantity)s %(unit)s cannot be taken.") % values
        if expired:
            message += " " + _("(%(expired)s %(unit)s more have expired and must be disposed of.)") % values
        raise field_error(field, message, cls=Conflict, code="insufficient_stock")
    movements, remaining = [], quantity
    for candidate in sorted(usable, key=fefo_key):
        if remaining <= 0:
            break
        taken = min(remaining, candidate.quantity)
        movements.append(_post(actor=actor, batch=candidate, kind=kind, delta=-taken, occurred_on=occurred_on,
                               reason=reason, **links))
        remaining -= taken
    return movements


@atomic
def issue(*, actor, item: Item, warehouse: Warehouse, quantity, kind: str = MovementKind.ISSUE_REQUISITION,
          batch: Batch | None = None, occurred_on: dt.date | None = None, school_class: SchoolClass | None = None,
          recipient=None, requisition: Requisition | None = None, requisition_line: RequisitionLine | None = None,
          reason: str = "") -> list[Movement]:
    """Issue goods out of a warehouse (出库): to a person or class (issue_requisition) or to the
    kitchen for a day's meals (issue_kitchen, food only). FEFO unless a batch is named; refuses
    beyond the stock on hand with a message naming what is available."""
    policy.same_kindergarten(actor, warehouse, item, batch, school_class, requisition)
    if kind not in ISSUES:
        raise field_error("kind", _("Choose what the goods are issued for."))
    if requisition is not None:
        capability = "stock.requisition.issue"
    elif kind == MovementKind.ISSUE_KITCHEN:
        capability = "stock.issue_kitchen"
    else:
        capability = "stock.issue"
    if not policy.can(actor, capability, warehouse):
        raise Forbidden()
    errors: list = []
    quantity = _quantity(quantity, errors)
    occurred_on = _occurred_on(occurred_on, errors)
    if kind == MovementKind.ISSUE_KITCHEN and not item.is_food:
        errors.append({"field": "item", "message": _(
            "Only food is issued to the kitchen for meals; issue other goods on a requisition.")})
    if recipient is not None and not _is_member(actor.kindergarten, recipient):
        errors.append({"field": "recipient", "message": _("The recipient does not work here.")})
    if errors:
        raise_for(errors)
    return _take(actor=actor, item=item, warehouse=warehouse, quantity=quantity, batch=batch, occurred_on=occurred_on,
                 kind=kind, reason=reason, school_class=school_class, recipient=recipient, requisition=requisition,
                 requisition_line=requisition_line)


@atomic
def kitchen_issue_day(*, actor, warehouse: Warehouse, lines, occurred_on: dt.date | None = None,
                      reason: str = "") -> list[Movement]:
    """A day's food for the kitchen, several foods at once (FEFO each): all of it or nothing.
    `lines`: [{"item", "quantity", "field"?}]; every line's problem is reported, not only the first."""
    policy.same_kindergarten(actor, warehouse)
    if not policy.can(actor, "stock.issue_kitchen", warehouse):
        raise Forbidden()
    lines = list(lines or [])
    if not lines:
        raise field_error("lines", _("Enter the quantity of at least one food."))
    movements, errors, conflict = [], [], False
    for line in lines:
        try:
            movements += issue(actor=actor, item=line["item"], warehouse=warehouse, quantity=line["quantity"],
                               kind=MovementKind.ISSUE_KITCHEN, occurred_on=occurred_on, reason=reason)
        except DomainError as exc:  # that line's savepoint is rolled back; collect and go on
            conflict = conflict or isinstance(exc, Conflict)
            field = line.get("field") or "lines"
            errors += [{"field": field, "message": str(e["message"])} for e in exc.errors] or [
                {"field": field, "message": str(exc.message)}]
    if errors:
        raise_for(errors, cls=Conflict if conflict else DomainError)
    return movements


@atomic
def transfer(*, actor, item: Item, from_warehouse: Warehouse, to_warehouse: Warehouse, quantity,
             batch: Batch | None = None, occurred_on: dt.date | None = None, reason: str = "") -> list[Movement]:
    """Move goods from one warehouse to another (调拨): a transfer_out of each source batch and a
    transfer_in of a new batch with the same dates, supplier and cost in the destination."""
    policy.same_kindergarten(actor, item, from_warehouse, to_warehouse, batch)
    if not (policy.can(actor, "stock.issue", from_warehouse) and policy.can(actor, "stock.issue", to_warehouse)):
        raise Forbidden()
    errors: list = []
    quantity = _quantity(quantity, errors)
    occurred_on = _occurred_on(occurred_on, errors)
    if from_warehouse.pk == to_warehouse.pk:
        errors.append({"field": "to_warehouse", "message": _("Choose another warehouse to move the goods to.")})
    elif not to_warehouse.is_active:
        errors.append({"field": "to_warehouse", "message": _("This warehouse is no longer in use.")})
    else:
        _check_store_fits(item, to_warehouse, errors, field="to_warehouse")
    if errors:
        raise_for(errors)
    outs = _take(actor=actor, item=item, warehouse=from_warehouse, quantity=quantity, batch=batch,
                 occurred_on=occurred_on, kind=MovementKind.TRANSFER_OUT, reason=reason)
    movements = []
    for out in outs:
        source = out.batch
        arrived = Batch.objects.create(
            kindergarten=source.kindergarten, item=item, warehouse=to_warehouse, batch_no=source.batch_no,
            production_date=source.production_date, expiry_date=source.expiry_date, supplier=source.supplier,
            unit_cost=source.unit_cost, received_at=_moment(occurred_on), source=source, created_by=actor.user,
        )
        movements += [out, _post(actor=actor, batch=arrived, kind=MovementKind.TRANSFER_IN, delta=-out.quantity,
                                 occurred_on=occurred_on, reason=reason, counterpart=out)]
    return movements


@atomic
def dispose(*, actor, batch: Batch, quantity, kind: str = MovementKind.DISPOSAL_EXPIRED, reason: str,
            witness=None, occurred_on: dt.date | None = None) -> Movement:
    """Take expired or damaged goods out of stock (报废), with the reason and, for food, optionally
    a witness (the food-safety area records expired food destroyed in front of a witness)."""
    policy.same_kindergarten(actor, batch)
    if not policy.can(actor, "stock.dispose", batch):
        raise Forbidden()
    errors: list = []
    if kind not in DISPOSALS:
        errors.append({"field": "kind", "message": _("Choose expired or damaged.")})
    quantity = _quantity(quantity, errors)
    occurred_on = _occurred_on(occurred_on, errors)
    reason = _text(reason, 200)
    if not reason:
        errors.append({"field": "reason", "message": _("Give the reason for the disposal.")})
    if kind == MovementKind.DISPOSAL_EXPIRED and batch.expiry_date is None:
        errors.append({"field": "kind", "message": _("This batch has no expiry date: dispose of it as damaged.")})
    if witness is not None:
        if witness.pk == actor.user.pk:
            errors.append({"field": "witness", "message": _("The witness must be someone else.")})
        elif not _is_member(actor.kindergarten, witness):
            errors.append({"field": "witness", "message": _("The witness does not work here.")})
    if errors:
        raise_for(errors)
    locked = _lock(Batch.objects.filter(pk=batch.pk))[0]
    if quantity > locked.quantity:
        raise field_error("quantity", _("Only %(available)s %(unit)s of this batch are on hand.")
               % {"available": qty(locked.quantity), "unit": locked.item.unit}, cls=Conflict, code="insufficient_stock")
    return _post(actor=actor, batch=locked, kind=kind, delta=-quantity, occurred_on=occurred_on, reason=reason,
                 witness=witness)


@atomic
def receipt_correct(*, actor, movement: Movement, reason: str) -> Movement:
    """Put right a receipt entered by mistake: a correction movement takes its quantity back out of
    the batch. The receipt itself stays in the ledger; it can be corrected once, while none of it
    has been issued."""
    policy.same_kindergarten(actor, movement)
    if not policy.can(actor, "stock.receive", movement.warehouse):
        raise Forbidden()
    if movement.kind != MovementKind.RECEIPT:
        raise field_error("movement", _("Only a receipt can be corrected this way."))
    reason = _text(reason, 200)
    if not reason:
        raise field_error("reason", _("Give the reason for the correction."))
    if Movement.objects.filter(reverses=movement).exists():
        raise field_error("movement", _("This receipt has already been corrected."), cls=Conflict, code="already_corrected")
    locked = _lock(Batch.objects.filter(pk=movement.batch_id))[0]
    if locked.quantity < movement.quantity:
        raise field_error("movement", _("Part of this receipt has already been used (%(left)s %(unit)s left of %(received)s): "
                             "correct the rest with a disposal or a stocktake.")
               % {"left": qty(locked.quantity), "unit": movement.item.unit, "received": qty(movement.quantity)},
               cls=Conflict, code="already_used")
    try:
        with transaction.atomic():
            return _post(actor=actor, batch=locked, kind=MovementKind.CORRECTION, delta=-movement.quantity,
                         occurred_on=timezone.localdate(), reason=reason, reverses=movement)
    except IntegrityError as exc:
        raise Conflict(_("This receipt has already been corrected."), code="already_corrected") from exc


# --- requisitions (领用申请) ---------------------------------------------------------------------


def _requisition_lines(actor, lines, errors: list) -> list[tuple[Item, Decimal, str]]:
    cleaned, seen = [], set()
    lines = list(lines or [])
    if not lines:
        errors.append({"field": "lines", "message": _("Add at least one item.")})
    if len(lines) > MAX_LINES:
        errors.append({"field": "lines", "message": _("At most %(n)d items per requisition.") % {"n": MAX_LINES}})
        return []
    for number, line in enumerate(lines, start=1):
        item = line.get("item")
        if item is None:
            errors.append({"field": "lines", "message": _("Line %(n)d: choose an item.") % {"n": number}})
            continue
        policy.same_kindergarten(actor, item)
        line_errors: list = []
        quantity = _quantity(line.get("quantity"), line_errors)
        for e in line_errors:
            errors.append({"field": "lines", "message": _("Line %(n)d (%(item)s): %(problem)s")
                           % {"n": number, "item": item.name, "problem": e["message"]}})
        if not item.is_active:
            errors.append({"field": "lines", "message": _("Line %(n)d: %(item)s is no longer in use.")
                           % {"n": number, "item": item.name}})
        if item.pk in seen:
            errors.append({"field": "lines", "message": _("%(item)s is listed twice: put it on one line.")
                           % {"item": item.name}})
        seen.add(item.pk)
        if quantity is not None:
            cleaned.append((item, quantity, _text(line.get("note"), 100)))
    return cleaned


@atomic
def requisition_create(*, actor, lines, school_class: SchoolClass | None = None, campus: Campus | None = None,
                       purpose: str = "") -> Requisition:
    """A staff member asks for items (领用申请): for their class (class teachers and nursery staff
    must name one of theirs) or for themselves. `lines`: [{"item", "quantity", "note"}]."""
    capability = "stock.requisition.create"
    if not actor.has(capability):
        raise Forbidden()
    policy.same_kindergarten(actor, school_class, campus)
    errors: list = []
    if school_class is not None:
        if not policy.can(actor, capability, school_class):
            raise Http404
        campus = school_class.campus
    elif actor.widest_scope(capability) == policy.Scope.CLASS:
        errors.append({"field": "school_class", "message": _("Choose the class the items are for.")})
    if campus is not None and school_class is None and not policy.can(actor, capability, campus):
        raise Http404
    if campus is None and not errors:
        campuses = list(policy.scoped(actor, capability, Campus.objects.filter(kindergarten=actor.kindergarten))[:2])
        if len(campuses) == 1:
            campus = campuses[0]
        else:
            errors.append({"field": "campus", "message": _("Choose the campus the items are for.")})
    cleaned = _requisition_lines(actor, lines, errors)
    if errors:
        raise_for(errors)
    number = _next_number(actor.kindergarten, "next_requisition_number")
    requisition = Requisition.objects.create(
        kindergarten=actor.kindergarten, number=f"LY{number:05d}", campus=campus, school_class=school_class,
        requested_by=actor.user, requested_at=timezone.now(), purpose=_text(purpose, 200),
        status=RequisitionStatus.REQUESTED, created_by=actor.user,
    )
    for item, quantity, note in cleaned:
        RequisitionLine.objects.create(kindergarten=actor.kindergarten, requisition=requisition, item=item,
                                       quantity_requested=quantity, note=note, created_by=actor.user)
    return requisition


def _is_requester(actor, requisition: Requisition) -> bool:
    return requisition.requested_by_id == actor.user.pk and policy.can(actor, "stock.requisition.create", requisition)


@atomic
def OWN_REQUISITION():  # noqa: N802 - a message, translated when raised
    return _("You cannot issue or reject your own requisition: another storekeeper or the director does.")


def requisition_set_status(*, actor, requisition: Requisition, status: str, reason: str = "") -> Requisition:
    """The one place a requisition changes state. Refuses moves the transitions map does not allow,
    and records who made the move and when. Issued / partly issued must match the lines (which
    only requisition_issue fills); rejecting needs a reason; the requester may cancel their own."""
    policy.same_kindergarten(actor, requisition)
    if status not in RequisitionStatus.values:
        raise field_error("status", _("Unknown status."))
    may_issue = policy.can(actor, "stock.requisition.issue", requisition)
    if status == RequisitionStatus.CANCELLED:
        allowed = may_issue or _is_requester(actor, requisition)
    else:
        allowed = may_issue
    if not allowed:
        raise Forbidden()
    locked = Requisition.objects.select_for_update().get(pk=requisition.pk)
    if status == RequisitionStatus.REJECTED:
        policy.forbid_self_approval(actor, locked, "requested_by_id", "created_by_id", message=OWN_REQUISITION())
    move(locked, status, REQUISITION_TRANSITIONS,
         message=_("This requisition is %(current)s: it cannot become %(new)s.")
         % {"current": locked.get_status_display(), "new": RequisitionStatus(status).label})
    now = timezone.now()
    reason = _text(reason, 200)
    if status in (RequisitionStatus.ISSUED, RequisitionStatus.PARTLY_ISSUED):
        lines = list(locked.lines.all())
        complete = all(line.quantity_issued == line.quantity_requested for line in lines)
        started = any(line.quantity_issued > 0 for line in lines)
        expected = RequisitionStatus.ISSUED if complete else RequisitionStatus.PARTLY_ISSUED if started else None
        if expected != status:
            raise Conflict(_("The issued quantities do not match this status: issue the items first."),
                           code="illegal_transition")
        locked.issued_by, locked.issued_at = actor.user, now
    else:
        if status == RequisitionStatus.REJECTED and not reason:
            raise field_error("reason", _("Give the reason for rejecting the requisition."))
        locked.closed_by, locked.closed_at, locked.close_reason = actor.user, now, reason
    locked.status = status
    locked._change_reason = reason[:100] or str(RequisitionStatus(status).label)
    locked.save()
    requisition.refresh_from_db()
    return locked


@atomic
def requisition_issue(*, actor, requisition: Requisition, warehouse: Warehouse, quantities: dict | None = None,
                      occurred_on: dt.date | None = None, recipient=None) -> Requisition:
    """The storekeeper issues a requisition from a warehouse: each line's quantity (default: what is
    still outstanding), FEFO. Less than asked leaves it partly issued; all of it, issued.
    `quantities`: {line code or RequisitionLine: quantity}."""
    policy.same_kindergarten(actor, requisition, warehouse)
    if not (policy.can(actor, "stock.requisition.issue", requisition)
            and policy.can(actor, "stock.requisition.issue", warehouse)):
        raise Forbidden()
    locked = Requisition.objects.select_for_update().get(pk=requisition.pk)
    policy.forbid_self_approval(actor, locked, "requested_by_id", "created_by_id", message=OWN_REQUISITION())
    if locked.status not in OPEN_REQUISITION:
        raise Conflict(_("This requisition is %(status)s: nothing more can be issued on it.")
                       % {"status": locked.get_status_display()}, code="illegal_transition")
    lines = list(locked.lines.select_related("item").order_by("pk"))
    given = {str(getattr(k, "code", k)): v for k, v in (quantities or {}).items()}
    errors: list = []
    occurred_on = _occurred_on(occurred_on, errors)
    plan = []
    for line in lines:
        raw = line.quantity_outstanding if quantities is None else given.get(str(line.code), Decimal("0"))
        line_errors: list = []
        amount = _quantity(raw, line_errors, field=f"line-{line.code}", allow_zero=True)
        errors += line_errors
        if amount is None:
            continue
        if amount > line.quantity_outstanding:
            errors.append({"field": f"line-{line.code}", "message": _(
                "%(item)s: %(quantity)s %(unit)s is more than the %(outstanding)s %(unit)s still asked for.")
                % {"item": line.item.name, "quantity": qty(amount), "unit": line.item.unit,
                   "outstanding": qty(line.quantity_outstanding)}})
        elif amount > 0:
            plan.append((line, amount))
    if recipient is not None and not _is_member(actor.kindergarten, recipient):
        errors.append({"field": "recipient", "message": _("The recipient does not work here.")})
    if not errors and not plan:
        errors.append({"field": "quantities", "message": _("Enter a quantity to issue.")})
    if errors:
        raise_for(errors)
    for line, amount in plan:
        issue(actor=actor, item=line.item, warehouse=warehouse, quantity=amount,
              kind=MovementKind.ISSUE_REQUISITION, occurred_on=occurred_on, school_class=locked.school_class,
              recipient=recipient or locked.requested_by, requisition=locked, requisition_line=line,
              reason=locked.purpose)
        line.quantity_issued += amount
        line.save(update_fields=["quantity_issued", "updated_at"])
    complete = all(line.quantity_issued == line.quantity_requested for line in lines)
    status = RequisitionStatus.ISSUED if complete else RequisitionStatus.PARTLY_ISSUED
    return requisition_set_status(actor=actor, requisition=locked, status=status)


def requisition_cancel(*, actor, requisition: Requisition, reason: str = "") -> Requisition:
    """The requester withdraws an open requisition, or the storekeeper closes the rest of it."""
    return requisition_set_status(actor=actor, requisition=requisition, status=RequisitionStatus.CANCELLED,
                                  reason=reason)


def requisition_reject(*, actor, requisition: Requisition, reason: str) -> Requisition:
    return requisition_set_status(actor=actor, requisition=requisition, status=RequisitionStatus.REJECTED,
                                  reason=reason)


# --- stocktakes (盘点) ---------------------------------------------------------------------------


@atomic
def stocktake_open(*, actor, warehouse: Warehouse, note: str = "") -> Stocktake:
    """Open a count of a warehouse: one line for each batch on hand, with its book quantity."""
    policy.same_kindergarten(actor, warehouse)
    if not policy.can(actor, "stock.stocktake", warehouse):
        raise Forbidden()
    current = Stocktake.objects.filter(kindergarten=actor.kindergarten, warehouse=warehouse,
                                       status=StocktakeStatus.OPEN).first()
    if current is not None:
        raise Conflict(_("%(warehouse)s already has a stocktake in progress (%(number)s).")
                       % {"warehouse": warehouse.name, "number": current.number}, code="already_open")
    number = _next_number(actor.kindergarten, "next_stocktake_number")
    try:
        with transaction.atomic():
            stocktake = Stocktake.objects.create(
                kindergarten=actor.kindergarten, number=f"PD{number:04d}", warehouse=warehouse,
                opened_at=timezone.now(), note=_text(note, 200), created_by=actor.user,
            )
    except IntegrityError as exc:
        raise Conflict(_("%(warehouse)s already has a stocktake in progress.") % {"warehouse": warehouse.name},
                       code="already_open") from exc
    batches = Batch.objects.filter(kindergarten=actor.kindergarten, warehouse=warehouse, quantity__gt=0).order_by("pk")
    lines = [
        StocktakeLine(kindergarten=actor.kindergarten, stocktake=stocktake, batch=b, book_quantity=b.quantity,
                      created_by=actor.user)
        for b in batches
    ]
    bulk_create_with_history(lines, StocktakeLine, batch_size=500, default_user=actor.user)
    return stocktake


def _lock_open_stocktake(stocktake: Stocktake) -> Stocktake:
    locked = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
    if locked.status != StocktakeStatus.OPEN:
        raise Conflict(_("This stocktake is closed: it can no longer change."), code="closed")
    return locked


@atomic
def stocktake_record_count(*, actor, line: StocktakeLine, counted_quantity, explanation: str | None = None
                           ) -> StocktakeLine:
    """Enter the counted quantity of one line (at the shelf, on a phone). The book quantity is taken
    from the ledger at this moment, so issues during the count do not show as differences."""
    policy.same_kindergarten(actor, line)
    if not policy.can(actor, "stock.stocktake", line):
        raise Forbidden()
    _lock_open_stocktake(line.stocktake)
    errors: list = []
    counted = _quantity(counted_quantity, errors, field="counted_quantity", allow_zero=True)
    if errors:
        raise_for(errors)
    line = StocktakeLine.objects.select_for_update().get(pk=line.pk)
    line.book_quantity = Batch.objects.values_list("quantity", flat=True).get(pk=line.batch_id)
    line.counted_quantity = counted
    if explanation is not None:
        line.explanation = _text(explanation, 200)
    line.counted_by, line.counted_at = actor.user, timezone.now()
    line.save()
    return line


@atomic
def stocktake_explain(*, actor, line: StocktakeLine, explanation: str) -> StocktakeLine:
    """Explain the difference of a counted line (损耗, 记录错误…)."""
    policy.same_kindergarten(actor, line)
    if not policy.can(actor, "stock.stocktake", line):
        raise Forbidden()
    _lock_open_stocktake(line.stocktake)
    line = StocktakeLine.objects.select_for_update().get(pk=line.pk)
    line.explanation = _text(explanation, 200)
    line.save(update_fields=["explanation", "updated_at"])
    return line


@atomic
def stocktake_set_status(*, actor, stocktake: Stocktake, status: str, reason: str = "") -> Stocktake:
    """The one place a stocktake changes state. Posting writes a stocktake_adjustment movement for
    every difference (all lines counted, every difference explained); closing ends the count
    without adjustments and needs a reason. Posted and closed stocktakes never change again."""
    policy.same_kindergarten(actor, stocktake)
    if not policy.can(actor, "stock.stocktake", stocktake):
        raise Forbidden()
    if status not in StocktakeStatus.values:
        raise field_error("status", _("Unknown status."))
    locked = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
    move(locked, status, STOCKTAKE_TRANSITIONS,
         message=_("This stocktake is %(current)s: it cannot become %(new)s.")
         % {"current": locked.get_status_display(), "new": StocktakeStatus(status).label})
    now = timezone.now()
    reason = _text(reason, 200)
    if status == StocktakeStatus.POSTED:
        lines = list(locked.lines.select_related("batch__item").order_by("pk"))
        uncounted = [line for line in lines if line.counted_quantity is None]
        if uncounted:
            raise field_error("lines", _("%(n)d lines are not counted yet: count them (enter 0 for none) before posting.")
                   % {"n": len(uncounted)})
        unexplained = [line for line in lines if line.difference and not line.explanation]
        if unexplained:
            raise field_error("lines", _("Explain the differences of: %(items)s.")
                   % {"items": "、".join(str(line.batch.item.name) for line in unexplained[:10])})
        changed = [line for line in lines if line.difference]
        batches = {b.pk: b for b in _lock(Batch.objects.filter(pk__in=[line.batch_id for line in changed]))}
        for line in changed:
            batch = batches[line.batch_id]
            if batch.quantity + line.difference < 0:
                raise field_error("lines", _("%(item)s: only %(left)s %(unit)s are on hand now, less than the shortfall "
                                  "counted; count it again.")
                       % {"item": batch.item.name, "left": qty(batch.quantity), "unit": batch.item.unit},
                       cls=Conflict, code="changed")
            _post(actor=actor, batch=batch, kind=MovementKind.STOCKTAKE_ADJUSTMENT, delta=line.difference,
                  occurred_on=timezone.localdate(), reason=line.explanation, stocktake=locked)
        locked.posted_by, locked.posted_at = actor.user, now
    else:
        if not reason:
            raise field_error("reason", _("Give the reason for closing the stocktake without posting it."))
        locked.closed_by, locked.closed_at, locked.close_reason = actor.user, now, reason
    locked.status = status
    locked._change_reason = reason[:100] or str(StocktakeStatus(status).label)
    locked.save()
    return locked


def stocktake_post(*, actor, stocktake: Stocktake) -> Stocktake:
    return stocktake_set_status(actor=actor, stocktake=stocktake, status=StocktakeStatus.POSTED)


def stocktake_close(*, actor, stocktake: Stocktake, reason: str) -> Stocktake:
    return stocktake_set_status(actor=actor, stocktake=stocktake, status=StocktakeStatus.CLOSED, reason=reason)

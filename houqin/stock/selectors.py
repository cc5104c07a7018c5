"""Reads of the storeroom, always through the actor's scope (houqin.policy.scoped). Out of scope
looks like missing (Http404).

Other areas call `low_stock_items`, `expiring_batches`, `stock_on_hand`, `kitchen_issues`,
`consumption_by_class` and `consumption_by_person`: keep their names and signatures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import (
    Count, DecimalField, F, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value, Window,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from houqin import policy
from houqin.core.text import name_search
from houqin.stock.models import (
    QUANTITY,
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
    Supplier,
    Warehouse,
)

ZERO = Decimal("0")
_QTY = DecimalField(**QUANTITY)
_MILLI, _CENT = Decimal("0.001"), Decimal("0.01")


def _q(value) -> Decimal:
    """A summed quantity, exact: SQLite sums decimals as floats, so round back to the field's places."""
    return Decimal(value or 0).quantize(_MILLI)


def _m(value) -> Decimal:
    """A summed amount of money, exact to the fen (see _q)."""
    return Decimal(value or 0).quantize(_CENT)


def _search_q(search: str, prefix: str = "") -> Q:
    return name_search(search, name_field=f"{prefix}name", pinyin_field=f"{prefix}name_pinyin",
                       initials_field=f"{prefix}name_initials")


# --- catalogue -----------------------------------------------------------------------------------


def warehouse_list(*, actor, capability: str = "stock.view", include_inactive: bool = False) -> QuerySet:
    qs = Warehouse.objects.select_related("campus")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return policy.scoped(actor, capability, qs).order_by("campus_id", "kind", "name")


def get_warehouse(*, actor, code, capability: str = "stock.view") -> Warehouse:
    return policy.get_or_404(actor, capability, Warehouse.objects.select_related("campus"), code=code)


def supplier_list(*, actor, capability: str = "stock.view", include_inactive: bool = False) -> QuerySet:
    qs = Supplier.objects.all() if include_inactive else Supplier.objects.filter(is_active=True)
    return policy.scoped(actor, capability, qs).order_by("name_pinyin", "name")


def get_supplier(*, actor, code, capability: str = "stock.view") -> Supplier:
    return policy.get_or_404(actor, capability, Supplier.objects.all(), code=code)


def item_list(*, actor, search: str = "", category: str = "", food: bool | None = None,
              include_inactive: bool = False, capability: str = "stock.view") -> QuerySet:
    qs = Item.objects.all() if include_inactive else Item.objects.filter(is_active=True)
    if category:
        qs = qs.filter(category=category)
    if food is not None:
        qs = qs.filter(is_food=food)
    qs = qs.filter(_search_q(search))
    return policy.scoped(actor, capability, qs).order_by("category", "name_pinyin")


def get_item(*, actor, code, capability: str = "stock.view") -> Item:
    return policy.get_or_404(actor, capability, Item.objects.all(), code=code)


def requestable_items(*, actor, search: str = "") -> QuerySet:
    """The catalogue a requester picks from: names, units and categories of the kindergarten's
    active items, nothing about quantities or values. It is reference data of the whole
    kindergarten, not rows of a class, so a class-scoped requester sees it too: the one read here
    that is gated by the capability alone rather than by policy.scoped."""
    if not actor.has("stock.requisition.create"):
        return Item.objects.none()
    return (Item.objects.filter(kindergarten=actor.kindergarten, is_active=True).filter(_search_q(search))
            .order_by("is_food", "category", "name_pinyin"))


def expiry_warning_days(kindergarten) -> int:
    """The kindergarten's own rule for "expiring soon" (StockSettings; shipped default 7 days)."""
    from houqin.stock.models import DEFAULT_EXPIRY_WARNING_DAYS

    days = StockSettings.objects.filter(kindergarten=kindergarten).values_list("expiry_warning_days", flat=True).first()
    return DEFAULT_EXPIRY_WARNING_DAYS if days is None else days


# --- batches and the ledger ---------------------------------------------------------------------


def batch_list(*, actor, item: Item | None = None, warehouse: Warehouse | None = None, on_hand_only: bool = True,
               capability: str = "stock.view") -> QuerySet:
    qs = Batch.objects.select_related("item", "warehouse", "warehouse__campus", "supplier")
    if on_hand_only:
        qs = qs.filter(quantity__gt=0)
    if item is not None:
        qs = qs.filter(item=item)
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    return policy.scoped(actor, capability, qs).order_by("item__name_pinyin", "warehouse__name", "expiry_date",
                                                         "received_at", "pk")


def get_batch(*, actor, code, capability: str = "stock.view") -> Batch:
    qs = Batch.objects.select_related("item", "warehouse", "warehouse__campus", "supplier")
    return policy.get_or_404(actor, capability, qs, code=code)


def movement_list(*, actor, item: Item | None = None, warehouse: Warehouse | None = None, kind: str = "",
                  start: dt.date | None = None, end: dt.date | None = None,
                  capability: str = "stock.view") -> QuerySet:
    qs = Movement.objects.select_related("item", "warehouse", "batch", "created_by", "recipient", "school_class",
                                         "requisition", "stocktake", "witness")
    if item is not None:
        qs = qs.filter(item=item)
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    if kind:
        qs = qs.filter(kind=kind)
    if start is not None:
        qs = qs.filter(occurred_on__gte=start)
    if end is not None:
        qs = qs.filter(occurred_on__lte=end)
    return policy.scoped(actor, capability, qs).order_by("-occurred_on", "-pk")


def item_ledger(*, actor, item: Item) -> QuerySet:
    """The item's ledger (明细账), newest first, each line with `running`: the item's quantity in that
    warehouse after it (结存), summed over the lines in the reader's scope in the ledger's own order."""
    return movement_list(actor=actor, item=item).annotate(running=Window(
        Sum("quantity"), partition_by=[F("warehouse_id")], order_by=[F("occurred_on").asc(), F("pk").asc()],
    ))


def get_movement(*, actor, code, capability: str = "stock.view") -> Movement:
    qs = Movement.objects.select_related("item", "warehouse", "batch", "created_by")
    return policy.get_or_404(actor, capability, qs, code=code)


def stock_on_hand(*, actor, warehouse: Warehouse | None = None, search: str = "", category: str = "") -> list[dict]:
    """Quantity and value on hand per item and warehouse, summed from the batches (the ledger's
    cache), with the expired part, the next expiry date and whether the item (over all warehouses)
    is under its minimum. Five queries, whatever the size."""
    today = timezone.localdate()
    batches = policy.scoped(actor, "stock.view", Batch.objects.filter(quantity__gt=0))
    if warehouse is not None:
        batches = batches.filter(warehouse=warehouse)
    if category:
        batches = batches.filter(item__category=category)
    batches = batches.filter(_search_q(search, "item__"))
    grouped = list(
        batches.values("item_id", "warehouse_id")
        .annotate(total_quantity=Sum("quantity"), total_value=Sum("value"), next_expiry=Min("expiry_date"),
                  expired=Coalesce(Sum("quantity", filter=Q(expiry_date__lt=today)), Value(ZERO), output_field=_QTY))
        .order_by()
    )
    items = Item.objects.in_bulk({row["item_id"] for row in grouped})
    warehouses = Warehouse.objects.select_related("campus").in_bulk({row["warehouse_id"] for row in grouped})
    low = {item.pk for item in low_stock_items(actor=actor)} if grouped else set()
    rows = []
    for row in grouped:
        item = items[row["item_id"]]
        rows.append({
            "item": item, "warehouse": warehouses[row["warehouse_id"]], "quantity": _q(row["total_quantity"]),
            "value": _m(row["total_value"]), "next_expiry": row["next_expiry"], "expired": _q(row["expired"]),
            "below_minimum": item.pk in low,
        })
    rows.sort(key=lambda r: (r["warehouse"].campus_id, r["warehouse"].kind, r["warehouse"].name, r["item"].category,
                             r["item"].name_pinyin))
    return rows


def item_on_hand(*, actor, item: Item) -> dict:
    """Totals of one item over the warehouses in scope: quantity, value, expired quantity."""
    today = timezone.localdate()
    totals = policy.scoped(actor, "stock.view", Batch.objects.filter(item=item, quantity__gt=0)).aggregate(
        total_quantity=Coalesce(Sum("quantity"), Value(ZERO), output_field=_QTY),
        total_value=Coalesce(Sum("value"), Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2)),
        expired=Coalesce(Sum("quantity", filter=Q(expiry_date__lt=today)), Value(ZERO), output_field=_QTY),
    )
    return {"quantity": _q(totals["total_quantity"]), "value": _m(totals["total_value"]),
            "expired": _q(totals["expired"])}


def low_stock_items(*, actor) -> list[Item]:
    """Active items with a minimum level whose usable (not expired) quantity on hand is under it,
    each with `on_hand` and `last_unit_price` (the unit cost of its latest batch). Two queries; the
    comparison is made on exact Decimals."""
    today = timezone.localdate()
    latest_cost = Batch.objects.filter(item=OuterRef("pk")).order_by("-received_at", "-pk").values("unit_cost")[:1]
    items = list(
        policy.scoped(actor, "stock.view", Item.objects.filter(is_active=True, minimum_level__gt=0))
        .annotate(last_unit_price=Subquery(latest_cost, output_field=DecimalField(max_digits=12, decimal_places=4)))
        .order_by("category", "name_pinyin")
    )
    usable = (policy.scoped(actor, "stock.view", Batch.objects.filter(item__in=[i.pk for i in items], quantity__gt=0))
              .filter(Q(expiry_date__isnull=True) | Q(expiry_date__gte=today)))
    held = dict(usable.values("item_id").annotate(total=Sum("quantity")).values_list("item_id", "total").order_by())
    low = []
    for item in items:
        item.on_hand = _q(held.get(item.pk))
        if item.on_hand < item.minimum_level:
            low.append(item)
    return low


def expiring_batches(*, actor, within_days: int | None = None) -> QuerySet:
    """Batches on hand that have expired or expire within `within_days` (default: the
    kindergarten's own rule, StockSettings.expiry_warning_days), soonest first."""
    today = timezone.localdate()
    if within_days is None:
        within_days = expiry_warning_days(actor.kindergarten)
    limit = today + dt.timedelta(days=within_days)
    qs = Batch.objects.filter(quantity__gt=0, expiry_date__isnull=False, expiry_date__lte=limit).select_related(
        "item", "warehouse", "warehouse__campus", "supplier")
    return policy.scoped(actor, "stock.view", qs).order_by("expiry_date", "item__name_pinyin", "pk")


# --- what the kitchen, classes and people took -------------------------------------------------


def kitchen_issues(*, kindergarten, start: dt.date, end: dt.date) -> dict:
    """Food issued to the kitchen at cost, from `start` to `end` inclusive, for the meal account:
    {"by_date": {date: value}, "by_category": {category: value}, "rows": [{"date", "category",
    "value"}], "total": value}. Values are positive yuan (Decimal, to the fen). Not scoped to an
    actor: the caller (the canteen's meal account) checks its own capability."""
    grouped = (
        Movement.objects.filter(kindergarten=kindergarten, kind=MovementKind.ISSUE_KITCHEN,
                                occurred_on__gte=start, occurred_on__lte=end)
        .values("occurred_on", "item__category").annotate(v=Sum("value")).order_by("occurred_on", "item__category")
    )
    rows, by_date, by_category = [], defaultdict(Decimal), defaultdict(Decimal)
    for row in grouped:
        value = -_m(row["v"])
        rows.append({"date": row["occurred_on"], "category": row["item__category"], "value": value})
        by_date[row["occurred_on"]] += value
        by_category[row["item__category"]] += value
    return {"rows": rows, "by_date": dict(by_date), "by_category": dict(by_category),
            "total": sum(by_date.values(), ZERO)}


def _taken(actor, start, end) -> QuerySet:
    qs = Movement.objects.filter(kind=MovementKind.ISSUE_REQUISITION, occurred_on__gte=start, occurred_on__lte=end)
    return policy.scoped(actor, "stock.requisition.view", qs)


def consumption_by_class(*, actor, start: dt.date, end: dt.date) -> list[dict]:
    """What each class took over the period (issues on requisitions naming the class), per item:
    [{"school_class", "value", "lines": [{"item", "unit", "quantity", "value"}]}]. Class teachers
    see their own classes."""
    grouped = (
        _taken(actor, start, end).filter(school_class__isnull=False)
        .values("school_class_id", "school_class__name", "school_class__sort_order", "school_class__campus__name",
                "school_class__campus_id", "item_id", "item__name", "item__unit")
        .annotate(q=Sum("quantity"), v=Sum("value"))
        .order_by("school_class__campus_id", "school_class__sort_order", "item__name")
    )
    classes: dict[int, dict] = {}
    for row in grouped:
        entry = classes.setdefault(row["school_class_id"], {
            "school_class": row["school_class__name"], "campus": row["school_class__campus__name"],
            "value": ZERO, "lines": []})
        entry["lines"].append({"item": row["item__name"], "unit": row["item__unit"], "quantity": -_q(row["q"]),
                               "value": -_m(row["v"])})
        entry["value"] -= _m(row["v"])
    return list(classes.values())


def consumption_by_person(*, actor, start: dt.date, end: dt.date) -> list[dict]:
    """What each person received over the period, per item: [{"person", "value", "lines": [...]}]."""
    grouped = (
        _taken(actor, start, end).filter(recipient__isnull=False)
        .values("recipient_id", "recipient__full_name", "recipient__username", "item_id", "item__name", "item__unit")
        .annotate(q=Sum("quantity"), v=Sum("value"))
        .order_by("recipient__full_name", "recipient__username", "item__name")
    )
    people: dict[int, dict] = {}
    for row in grouped:
        entry = people.setdefault(row["recipient_id"], {
            "person": row["recipient__full_name"] or row["recipient__username"], "value": ZERO, "lines": []})
        entry["lines"].append({"item": row["item__name"], "unit": row["item__unit"], "quantity": -_q(row["q"]),
                               "value": -_m(row["v"])})
        entry["value"] -= _m(row["v"])
    return list(people.values())


# --- requisitions --------------------------------------------------------------------------------


def _requisition_qs():
    return (Requisition.objects.select_related("campus", "school_class", "requested_by", "issued_by", "closed_by")
            .prefetch_related(Prefetch("lines", queryset=RequisitionLine.objects.select_related("item").order_by("pk"))))


def requisition_list(*, actor, status: str = "", open_only: bool = False) -> QuerySet:
    qs = _requisition_qs()
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=[RequisitionStatus.REQUESTED, RequisitionStatus.PARTLY_ISSUED])
    return policy.scoped(actor, "stock.requisition.view", qs).order_by("-requested_at", "-pk")


def my_requisitions(*, actor) -> QuerySet:
    """The requisitions the actor asked for (within what they may still ask for)."""
    qs = _requisition_qs().filter(requested_by=actor.user)
    return policy.scoped(actor, "stock.requisition.create", qs).order_by("-requested_at", "-pk")


def get_requisition(*, actor, code, capability: str = "stock.requisition.view") -> Requisition:
    return policy.get_or_404(actor, capability, _requisition_qs(), code=code)


def get_requisition_to_cancel(*, actor, code) -> Requisition:
    """A requisition the actor may cancel: their own, or any they may issue."""
    own = policy.scoped(actor, "stock.requisition.create", Requisition.objects.filter(requested_by=actor.user))
    issuable = policy.scoped(actor, "stock.requisition.issue", Requisition.objects.all())
    qs = _requisition_qs().filter(Q(pk__in=own.values("pk")) | Q(pk__in=issuable.values("pk")))
    return policy.get_or_404(actor, None, qs, code=code)


def requisition_movements(requisition: Requisition) -> QuerySet:
    return requisition.movements.select_related("item", "batch", "warehouse", "created_by", "recipient").order_by("pk")


def open_requisition_count(*, actor) -> int:
    return requisition_list(actor=actor, open_only=True).count()


# --- stocktakes ---------------------------------------------------------------------------------


def stocktake_list(*, actor) -> QuerySet:
    qs = Stocktake.objects.select_related("warehouse", "warehouse__campus", "created_by", "posted_by").annotate(
        line_count=Count("lines"), counted_count=Count("lines", filter=Q(lines__counted_quantity__isnull=False)))
    return policy.scoped(actor, "stock.stocktake.view", qs).order_by("-opened_at", "-pk")


def get_stocktake(*, actor, code, capability: str = "stock.stocktake.view") -> Stocktake:
    qs = Stocktake.objects.select_related("warehouse", "warehouse__campus", "created_by", "posted_by", "closed_by")
    return policy.get_or_404(actor, capability, qs, code=code)


def stocktake_lines(stocktake: Stocktake) -> QuerySet:
    live = Batch.objects.filter(pk=OuterRef("batch_id")).values("quantity")[:1]
    return (stocktake.lines.select_related("batch", "batch__item", "batch__supplier", "counted_by")
            .annotate(live_quantity=Subquery(live, output_field=_QTY))
            .order_by("batch__item__category", "batch__item__name_pinyin", "batch__expiry_date", "pk"))


def get_stocktake_line(*, actor, stocktake: Stocktake, code, capability: str = "stock.stocktake") -> StocktakeLine:
    qs = StocktakeLine.objects.filter(stocktake=stocktake).select_related("batch", "batch__item", "batch__supplier",
                                                                         "stocktake", "counted_by")
    return policy.get_or_404(actor, capability, qs, code=code)


def stocktake_summary(lines) -> dict:
    """Counted lines, differences and their value, over the lines of one stocktake."""
    lines = list(lines)
    counted = [line for line in lines if line.counted_quantity is not None]
    differing = [line for line in counted if line.difference]
    return {
        "lines": len(lines), "counted": len(counted), "differences": len(differing),
        "gain_value": sum((line.difference_value for line in differing if line.difference > 0), ZERO),
        "loss_value": sum((line.difference_value for line in differing if line.difference < 0), ZERO),
        "unexplained": sum(1 for line in differing if not line.explanation),
    }


# --- reports ------------------------------------------------------------------------------------


OUT_KINDS = [MovementKind.ISSUE_KITCHEN, MovementKind.ISSUE_REQUISITION, MovementKind.TRANSFER_OUT,
             MovementKind.DISPOSAL_EXPIRED, MovementKind.DISPOSAL_DAMAGED]
IN_KINDS = [MovementKind.RECEIPT, MovementKind.TRANSFER_IN]
OTHER_KINDS = [MovementKind.STOCKTAKE_ADJUSTMENT, MovementKind.CORRECTION]


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, month, 1)
    end = dt.date(year + (month == 12), month % 12 + 1, 1)
    return start, end


def monthly_report(*, actor, year: int, month: int, capability: str = "stock.export") -> dict:
    """The month's 进销存 per warehouse and item: opening quantity and value, each kind of movement,
    closing quantity and value, all summed from the ledger. Four queries."""
    start, end = month_bounds(year, month)
    ledger = policy.scoped(actor, capability, Movement.objects.all())
    opening = {
        (r["warehouse_id"], r["item_id"]): (_q(r["q"]), _m(r["v"]))
        for r in ledger.filter(occurred_on__lt=start).values("warehouse_id", "item_id")
        .annotate(q=Sum("quantity"), v=Sum("value")).order_by()
    }
    during = defaultdict(dict)
    for r in (ledger.filter(occurred_on__gte=start, occurred_on__lt=end).values("warehouse_id", "item_id", "kind")
              .annotate(q=Sum("quantity"), v=Sum("value")).order_by()):
        during[(r["warehouse_id"], r["item_id"])][r["kind"]] = (_q(r["q"]), _m(r["v"]))
    keys = set(opening) | set(during)
    items = Item.objects.in_bulk({k[1] for k in keys})
    warehouses = Warehouse.objects.select_related("campus").in_bulk({k[0] for k in keys})
    rows = []
    totals = defaultdict(lambda: ZERO)
    for key in keys:
        open_q, open_v = opening.get(key, (ZERO, ZERO))
        kinds = during.get(key, {})
        received_q = sum((kinds.get(k, (ZERO, ZERO))[0] for k in IN_KINDS), ZERO)
        received_v = sum((kinds.get(k, (ZERO, ZERO))[1] for k in IN_KINDS), ZERO)
        out_q = -sum((kinds.get(k, (ZERO, ZERO))[0] for k in OUT_KINDS), ZERO)
        out_v = -sum((kinds.get(k, (ZERO, ZERO))[1] for k in OUT_KINDS), ZERO)
        other_q = sum((kinds.get(k, (ZERO, ZERO))[0] for k in OTHER_KINDS), ZERO)
        other_v = sum((kinds.get(k, (ZERO, ZERO))[1] for k in OTHER_KINDS), ZERO)
        close_q = open_q + received_q - out_q + other_q
        close_v = open_v + received_v - out_v + other_v
        if not (open_q or close_q or kinds):
            continue
        row = {
            "warehouse": warehouses[key[0]], "item": items[key[1]],
            "opening_quantity": open_q, "opening_value": open_v,
            "in_quantity": received_q, "in_value": received_v,
            "out_quantity": out_q, "out_value": out_v,
            "kitchen_value": -kinds.get(MovementKind.ISSUE_KITCHEN, (ZERO, ZERO))[1],
            "requisition_value": -kinds.get(MovementKind.ISSUE_REQUISITION, (ZERO, ZERO))[1],
            "disposal_value": -sum((kinds.get(k, (ZERO, ZERO))[1] for k in
                                    (MovementKind.DISPOSAL_EXPIRED, MovementKind.DISPOSAL_DAMAGED)), ZERO),
            "other_quantity": other_q, "other_value": other_v,
            "closing_quantity": close_q, "closing_value": close_v,
        }
        rows.append(row)
        for field in ("opening_value", "in_value", "out_value", "kitchen_value", "requisition_value",
                      "disposal_value", "other_value", "closing_value"):
            totals[field] += row[field]
    rows.sort(key=lambda r: (r["warehouse"].campus_id, r["warehouse"].kind, r["warehouse"].name,
                             r["item"].category, r["item"].name_pinyin))
    return {"start": start, "end": end - dt.timedelta(days=1), "rows": rows, "totals": dict(totals)}


def month_movements(*, actor, year: int, month: int, capability: str = "stock.export") -> QuerySet:
    start, end = month_bounds(year, month)
    return movement_list(actor=actor, start=start, end=end - dt.timedelta(days=1), capability=capability).order_by(
        "occurred_on", "pk")


def category_label(code: str) -> str:
    try:
        return str(Category(code).label)
    except ValueError:
        return code


def items_with_on_hand(*, actor, search: str = "", category: str = "", capability: str = "stock.view") -> QuerySet:
    """Items (active and not) with their quantity on hand over all warehouses. One query."""
    return item_list(actor=actor, search=search, category=category, include_inactive=True,
                     capability=capability).annotate(
        on_hand=Coalesce(Sum("batches__quantity", filter=Q(batches__quantity__gt=0)), Value(ZERO), output_field=_QTY))


def staff_people(*, actor) -> QuerySet:
    """The kindergarten's staff, to name a recipient or a witness: names only, no other personal data."""
    from houqin.org.selectors import staff_users

    return staff_users(actor.kindergarten)

"""Purchase plans and cost control (采购计划与伙食成本控制).

From a published week's menu × the children expected (each class's attendance rate over the last
weeks, applied to the children enrolled minus those already on leave) × grams per child (raw, scaled
by the class's portion factor) → what to buy of each stock item (through StockFoodLink), minus what
is in stock, at the latest price (the unit cost of the item's newest batch, from its supplier):
fresh food (a shelf life of 4 days or less) on the day it is cooked, food that keeps on the week's
first school day. The cost of the food planned per child-day is compared with the meal fee; a
difference beyond the rule figure `purchase.cost_tolerance_pct` is a warning (on the plan, and while
the menu is being written).

`compute_plan` is pure (plain data in, exact Decimals out); `expected_attendance`, `plan_inputs` and
the selectors read the database; `plan_generate` is the one write. Plans are kept as planned: making
one again voids the old one with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import policy
from houqin.canteen import selectors
from houqin.canteen.models import Menu, PurchasePlan, PurchasePlanLine, StockFoodLink
from houqin.canteen.rules import rules_for
from houqin.core.errors import Conflict, raise_for

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
MILLI = Decimal("0.001")
FRESH_DAYS = 4  # shelf life (days) up to which food is delivered on the morning it is cooked (as the menu warnings)
ZERO = Decimal("0")


# --- pure arithmetic --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemInfo:
    """The stock item a food is bought as, with its latest price and supplier (None: never received)."""

    item_id: int
    name: str
    unit: str
    grams_per_unit: Decimal
    fresh: bool
    unit_price: Decimal | None = None
    price_on: dt.date | None = None
    supplier_id: int | None = None
    supplier_name: str = ""


@dataclass
class PlanResult:
    lines: list[dict] = field(default_factory=list)
    child_days: Decimal = ZERO
    food_cost: Decimal = ZERO
    to_buy_cost: Decimal = ZERO
    cost_per_child_day: Decimal | None = None
    unpriced: list[str] = field(default_factory=list)


def compute_plan(*, days: list[dt.date], portions: dict[dt.date, Decimal], children: dict[dt.date, Decimal],
                 grams: dict[dt.date, dict[int, Decimal]], food_names: dict[int, str], items: dict[int, ItemInfo],
                 on_hand: dict[int, Decimal]) -> PlanResult:
    """The plan's lines and totals.

    days: the menu's dates; portions[day]: children expected that day, each weighted by the portion
    factor of their class's age group; children[day]: children expected (heads); grams[day][food_id]:
    raw grams per child (base portion) of the day's menu; items[food_id]: how the food is bought (absent:
    no stock item); on_hand[item_id]: units in stock now, taken by the earliest days first.
    """
    result = PlanResult()
    result.child_days = sum((children.get(d, ZERO) for d in days), ZERO)
    needs: dict[tuple, Decimal] = defaultdict(Decimal)  # (day, food_id) → grams
    for day in days:
        for food_id, per_child in grams.get(day, {}).items():
            needs[(day, food_id)] += portions.get(day, ZERO) * per_child
    # fresh food on its day; food that keeps: the week's total on the first day
    by_line: dict[tuple, Decimal] = defaultdict(Decimal)
    for (day, food_id), g in needs.items():
        info = items.get(food_id)
        key_day = day if info is None or info.fresh else days[0]
        key = ("item", info.item_id) if info is not None else ("food", food_id)
        by_line[(key_day, key)] += g
    stock = {k: Decimal(v) for k, v in on_hand.items()}
    infos = {info.item_id: info for info in items.values()}
    unpriced = set()
    for (day, key), g in sorted(by_line.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        g = g.quantize(TENTH, rounding=ROUND_HALF_UP)
        if key[0] == "food":
            name = food_names.get(key[1], "")
            unpriced.add(name)
            result.lines.append({"day": day, "item_id": None, "supplier_id": None, "supplier_name": "", "name": name,
                                 "unit": _("g"), "grams": g, "needed": g, "from_stock": ZERO, "to_buy": g,
                                 "unit_price": None, "price_on": None, "amount": ZERO})
            continue
        info = infos[key[1]]
        needed = (g / info.grams_per_unit).quantize(MILLI, rounding=ROUND_HALF_UP)
        taken = min(stock.get(info.item_id, ZERO), needed)
        stock[info.item_id] = stock.get(info.item_id, ZERO) - taken
        to_buy = (needed - taken).quantize(TENTH, rounding=ROUND_CEILING)
        amount = ZERO
        if info.unit_price is None:
            unpriced.add(info.name)
        else:
            amount = (to_buy * info.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
            result.food_cost += needed * info.unit_price
        result.to_buy_cost += amount
        result.lines.append({"day": day, "item_id": info.item_id, "supplier_id": info.supplier_id,
                             "supplier_name": info.supplier_name, "name": info.name, "unit": info.unit, "grams": g,
                             "needed": needed, "from_stock": taken, "to_buy": to_buy, "unit_price": info.unit_price,
                             "price_on": info.price_on, "amount": amount})
    result.food_cost = result.food_cost.quantize(CENT, rounding=ROUND_HALF_UP)
    if result.child_days:
        result.cost_per_child_day = (result.food_cost / result.child_days).quantize(CENT, rounding=ROUND_HALF_UP)
    result.unpriced = sorted(n for n in unpriced if n)
    return result


def difference_pct(cost: Decimal | None, fee: Decimal | None) -> Decimal | None:
    """How far the planned cost per child-day is above (+) or below (−) the fee, in % of the fee."""
    if cost is None or not fee:
        return None
    return ((cost - fee) / fee * 100).quantize(CENT, rounding=ROUND_HALF_UP)


def expected_for_class(*, enrolled: int, on_leave: int, rate: Decimal) -> int:
    """Children expected in a class on a day: those enrolled and not on known leave, at the class's rate."""
    return int((Decimal(max(enrolled - on_leave, 0)) * rate).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


# --- what the database says -----------------------------------------------------------------------


def expected_attendance(*, kindergarten, days: list[dt.date], today: dt.date | None = None,
                        weeks: int | None = None) -> dict:
    """The children expected per class and day: {"classes": [{"class_id", "name", "grade", "rate",
    "recorded", "enrolled", "leave": {iso day: n}, "expected": {iso day: n}}], "window": (start, end),
    "recorded": rows of attendance in the window}. A class with no attendance recorded in the window
    takes the kindergarten's rate."""
    from houqin.health.models import Attendance, AttendanceStatus
    from houqin.org.models import Child, SchoolClass

    today = today or timezone.localdate()
    weeks = weeks or int(rules_for(kindergarten).value("purchase.attendance_weeks"))
    end = min(today, days[0]) - dt.timedelta(days=1)
    start = end - dt.timedelta(days=7 * weeks - 1)
    rows = (Attendance.objects.filter(kindergarten=kindergarten, date__gte=start, date__lte=end)
            .values("school_class_id").annotate(n=Count("pk"), present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT))))
    rates = {r["school_class_id"]: (r["present"], r["n"]) for r in rows}
    total_present = sum(p for p, _n in rates.values())
    total = sum(n for _p, n in rates.values())
    overall = (Decimal(total_present) / Decimal(total)) if total else None
    leave = defaultdict(int)
    for r in (Attendance.objects.filter(kindergarten=kindergarten, date__in=days)
              .exclude(status=AttendanceStatus.PRESENT).values("school_class_id", "date").annotate(n=Count("pk"))):
        leave[(r["school_class_id"], r["date"])] = r["n"]
    children = defaultdict(list)  # class → (enrolled on, left on) of its children: each child read once
    for cid, on, left in (Child.objects.active().filter(kindergarten=kindergarten, school_class__isnull=False,
                                                        enrolled_on__lte=days[-1])
                          .filter(Q(left_on__isnull=True) | Q(left_on__gte=days[0]))
                          .values_list("school_class_id", "enrolled_on", "left_on")):
        children[cid].append((on, left))
    classes = []
    for sc in SchoolClass.objects.filter(kindergarten=kindergarten, is_active=True).order_by("campus_id", "grade", "name"):
        present, n = rates.get(sc.pk, (0, 0))
        rate = Decimal(present) / Decimal(n) if n else overall
        row = {"class_id": sc.pk, "name": sc.name, "grade": sc.grade, "recorded": n,
               "rate": str(rate.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)) if rate is not None else None,
               "enrolled": {}, "leave": {}, "expected": {}}
        for day in days:
            enrolled = sum(1 for on, left in children[sc.pk] if on <= day and (left is None or left >= day))
            on_leave = leave.get((sc.pk, day), 0)
            row["enrolled"][day.isoformat()] = enrolled
            row["leave"][day.isoformat()] = on_leave
            row["expected"][day.isoformat()] = (expected_for_class(enrolled=enrolled, on_leave=on_leave, rate=rate)
                                                if rate is not None else 0)
        if any(row["enrolled"].values()):
            classes.append(row)
    return {"classes": classes, "window": (start, end), "recorded": total}


def menu_days(menu: Menu) -> list[dt.date]:
    return [menu.week_start + dt.timedelta(days=d) for d in range(menu.days)]


def _items_for(kindergarten, food_ids) -> dict[int, ItemInfo]:
    """How each food is bought: its linked stock item (the one received last when there are several),
    with the latest batch's unit cost, date and supplier. Two queries: the links with their item's
    newest batch (a subquery), then those batches only, not every batch of the items."""
    from houqin.stock.models import Batch

    newest = (Batch.objects.filter(kindergarten=kindergarten, item_id=OuterRef("item_id"))
              .order_by("-received_at", "-pk").values("pk")[:1])
    links = list(StockFoodLink.objects.filter(kindergarten=kindergarten, food_id__in=list(food_ids),
                                              item__is_active=True).select_related("item")
                 .annotate(newest_batch=Subquery(newest)))
    latest = {b.item_id: b for b in Batch.objects.filter(pk__in={lk.newest_batch for lk in links} - {None})
              .select_related("supplier")}
    result: dict[int, ItemInfo] = {}
    for link in sorted(links, key=lambda lk: (latest[lk.item_id].received_at if lk.item_id in latest else None) is None):
        if link.food_id in result:
            continue
        batch = latest.get(link.item_id)
        item = link.item
        result[link.food_id] = ItemInfo(
            item_id=item.pk, name=str(item), unit=item.unit, grams_per_unit=link.grams_per_unit,
            fresh=item.shelf_life_days is not None and item.shelf_life_days <= FRESH_DAYS,
            unit_price=batch.unit_cost if batch else None,
            price_on=timezone.localtime(batch.received_at).date() if batch else None,
            supplier_id=batch.supplier_id if batch else None,
            supplier_name=batch.supplier.name if batch and batch.supplier else "")
    return result


def _on_hand(kindergarten, item_ids, first_day: dt.date) -> dict[int, Decimal]:
    """Units in stock that will still be good on the first day (expired batches do not count)."""
    from houqin.stock.models import Batch

    rows = (Batch.objects.filter(kindergarten=kindergarten, item_id__in=list(item_ids), quantity__gt=0)
            .filter(Q(expiry_date__isnull=True) | Q(expiry_date__gte=first_day))
            .values("item_id").annotate(q=Sum("quantity")))
    return {r["item_id"]: Decimal(r["q"]) for r in rows}


def plan_inputs(menu: Menu, *, entries=None, today: dt.date | None = None, with_stock: bool = True,
                settings=None) -> dict:
    """Everything compute_plan needs for a menu, read from the database (a fixed number of queries);
    `settings`: the kindergarten's canteen settings, when read already."""
    kg = menu.kindergarten
    settings = settings or selectors.settings_for(kg)
    entries = entries if entries is not None else selectors.menu_entries(menu)
    days = menu_days(menu)
    attendance = expected_attendance(kindergarten=kg, days=days, today=today)
    portions: dict[dt.date, Decimal] = defaultdict(Decimal)
    children: dict[dt.date, Decimal] = defaultdict(Decimal)
    for row in attendance["classes"]:
        factor = settings.factor_for(row["grade"])
        for day in days:
            n = Decimal(row["expected"][day.isoformat()])
            portions[day] += n * factor
            children[day] += n
    grams: dict[dt.date, dict[int, Decimal]] = {d: defaultdict(Decimal) for d in days}
    names = {}
    for e in entries:
        if e.day >= len(days):
            continue
        for ef in e.foods.all():
            grams[days[e.day]][ef.food_id] += ef.grams_raw
            names[ef.food_id] = ef.food.kitchen_name
    items = _items_for(kg, names)
    on_hand = _on_hand(kg, [i.item_id for i in items.values()], days[0]) if with_stock else {}
    fee, fee_source = selectors.meal_fee(kindergarten=kg, month=days[0], settings=settings)
    return {"days": days, "portions": dict(portions), "children": dict(children), "grams": grams, "food_names": names,
            "items": items, "on_hand": on_hand, "attendance": attendance, "fee": fee, "fee_source": fee_source,
            "tolerance": Decimal(str(rules_for(kg).value("purchase.cost_tolerance_pct")))}


def _compute(inputs: dict) -> PlanResult:
    return compute_plan(**{k: inputs[k] for k in ("days", "portions", "children", "grams", "food_names", "items",
                                                  "on_hand")})


# --- the write ------------------------------------------------------------------------------------


@transaction.atomic
def plan_generate(*, actor, menu: Menu, replace: bool = False, reason: str = "") -> PurchasePlan:
    """Make the purchase plan of a published menu (or make it again: the old plan is voided with the
    reason). Refused, with nothing saved, for a menu not yet published or with no attendance to go on."""
    policy.require(actor, "canteen.purchase.change", menu)
    menu = Menu.objects.select_for_update().get(pk=menu.pk)
    if menu.is_voided:
        raise Conflict(_("This menu has been voided."))
    if not menu.is_published:
        raise_for([{"field": "menu", "message": _(
            "This menu has not been published yet: the purchase plan is made from the published menu, as the "
            "kitchen will cook it. Publish the menu first.")}])
    existing = PurchasePlan.objects.active().select_for_update().filter(menu=menu).first()
    reason = (reason or "").strip()
    if existing is not None and not replace:
        raise Conflict(_("This menu already has a purchase plan. To replace it, make it again and say why."),
                       errors=[{"field": "replace", "message": _("This menu already has a purchase plan.")}])
    if existing is not None and not reason:
        raise_for([{"field": "reason", "message": _("Say why the purchase plan is made again.")}])
    entries = selectors.menu_entries(menu)
    if not entries:
        raise_for([{"field": "menu", "message": _("This menu has no meals: there is nothing to buy.")}])
    inputs = plan_inputs(menu, entries=entries)
    weeks = int(rules_for(menu.kindergarten).value("purchase.attendance_weeks"))
    if not inputs["attendance"]["recorded"]:
        raise_for([{"field": "menu", "message": _(
            "No attendance has been recorded in the last %(n)d weeks: there is nothing to estimate how many children "
            "will eat. Record the morning checks (attendance) first.") % {"n": weeks}}])
    result = _compute(inputs)
    if not result.child_days:
        raise_for([{"field": "menu", "message": _(
            "No children are expected this week (none enrolled, or all on leave): there is nothing to buy.")}])
    if existing is not None:
        existing.voided_at, existing.voided_by = timezone.now(), actor.user
        existing.void_reason = (_("Made again: %(reason)s") % {"reason": reason})[:200]
        existing.save()
    fee = inputs["fee"]
    try:
        with transaction.atomic():
            plan = PurchasePlan.objects.create(
                kindergarten=menu.kindergarten, menu=menu, week_start=menu.week_start, menu_version=menu.version,
                child_days=result.child_days, attendance=_attendance_json(inputs["attendance"]),
                food_cost=result.food_cost, to_buy_cost=result.to_buy_cost.quantize(CENT),
                cost_per_child_day=result.cost_per_child_day, fee_per_day=fee, fee_source=inputs["fee_source"][:120],
                difference_pct=difference_pct(result.cost_per_child_day, fee), tolerance_pct=inputs["tolerance"],
                unpriced=result.unpriced, created_by=actor.user)
    except IntegrityError:
        raise Conflict(_("This menu already has a purchase plan. To replace it, make it again and say why."))
    PurchasePlanLine.objects.bulk_create([
        PurchasePlanLine(kindergarten=menu.kindergarten, plan=plan, created_by=actor.user,
                         **{k: line[k] for k in ("day", "supplier_id", "supplier_name", "item_id", "name", "unit",
                                                 "grams", "needed", "from_stock", "to_buy", "unit_price", "price_on",
                                                 "amount")})
        for line in result.lines])
    return plan


def food_in_budget(kindergarten) -> bool:
    """Whether this kindergarten buys food from its budget (finance's setting): only then does a plan
    become a purchase request; otherwise food is paid from the meal account and bought at receiving."""
    from houqin.finance.services import finance_settings

    return finance_settings(kindergarten).food_in_budget


def request_lines(plan: PurchasePlan) -> list[PurchasePlanLine]:
    """The part of a plan a purchase request covers: the food that keeps (bought for the week at
    once), priced, with something to buy. Fresh food is ordered day by day from the delivery list."""
    return [ln for ln in plan.lines.select_related("item").order_by("day", "supplier_name", "name", "pk")
            if ln.item_id and ln.to_buy > 0 and ln.unit_price is not None
            and not (ln.item.shelf_life_days is not None and ln.item.shelf_life_days <= FRESH_DAYS)]


@transaction.atomic
def plan_request_purchase(*, actor, plan: PurchasePlan, category, submit: bool = True):
    """One finance purchase request for the food of the plan that keeps, made through finance's own
    service (its checks: the budget category, food only where the kindergarten buys food from its
    budget; its approvals), linked to the plan. Once only; refused for a replaced plan."""
    from houqin.finance import services as finance

    policy.require(actor, "canteen.purchase.change", plan)
    # of=("self",): PostgreSQL locks no row of the nullable side of an outer join (the request)
    plan = PurchasePlan.objects.select_for_update(of=("self",)).select_related("purchase_request").get(pk=plan.pk)
    if plan.voided_at is not None:
        raise Conflict(_("This purchase plan has been replaced: make the request from the plan in force."))
    if plan.purchase_request_id:
        raise Conflict(_("This plan's purchase request has been made already (%(number)s).")
                       % {"number": plan.purchase_request.number}, code="already_requested")
    lines = request_lines(plan)
    if not lines:
        raise_for([{"field": "lines", "message": _(
            "Nothing of this plan that keeps is to be bought: fresh food is ordered day by day.")}])
    request = finance.purchase_request_create(
        actor=actor, title=(_("Food that keeps for the week of %(week)s") % {"week": plan.week_start})[:100],
        reason=_("Purchase plan of the published menu of the week of %(week)s: %(days)s child-days expected, "
                 "%(cost)s yuan a child-day planned.") % {"week": plan.week_start, "days": _num(plan.child_days),
                                                            "cost": plan.cost_per_child_day},
        category=category, budget_year=plan.week_start.year,
        needed_by=max(plan.week_start - dt.timedelta(days=1), timezone.localdate()),
        lines=[{"description": f"{ln.name}（{ln.supplier_name}）" if ln.supplier_name else ln.name,
                "quantity": str(ln.to_buy), "unit": ln.unit, "unit_price": str(ln.unit_price.quantize(CENT))}
               for ln in lines], submit=submit)
    plan.purchase_request = request
    plan.save(update_fields=["purchase_request", "updated_at"])
    return request


def _attendance_json(attendance: dict) -> list[dict]:
    return [{k: row[k] for k in ("name", "grade", "rate", "recorded", "enrolled", "leave", "expected")}
            for row in attendance["classes"]]


# --- reads ----------------------------------------------------------------------------------------


def plan_list(*, actor, capability: str = "canteen.purchase.view"):
    return (policy.scoped(actor, capability, PurchasePlan.objects.active())
            .select_related("menu", "created_by", "purchase_request").annotate(line_count=Count("lines")))


def get_plan(*, actor, code, capability: str = "canteen.purchase.view") -> PurchasePlan:
    plan = policy.scoped(actor, capability, PurchasePlan.objects.active()).select_related(
        "menu", "purchase_request").filter(code=code).first()
    if plan is None:
        raise Http404
    return plan


def plan_for_menu(menu: Menu) -> PurchasePlan | None:
    return PurchasePlan.objects.active().filter(menu=menu).first()


def plan_groups(plan: PurchasePlan) -> list[dict]:
    """The plan's lines by delivery day, then supplier: [{"day", "suppliers": [{"name", "lines", "total"}],
    "total"}] — what the storekeeper expects at receiving each morning."""
    lines = list(plan.lines.all().select_related("receipt").order_by("day", "supplier_name", "name", "pk"))
    days: dict[dt.date, dict[str, list]] = {}
    for line in lines:
        days.setdefault(line.day, {}).setdefault(line.supplier_name, []).append(line)
    return [{"day": day, "total": sum((ln.amount for s in by.values() for ln in s), ZERO),
             "received": _received_total(ln for s in by.values() for ln in s),
             "suppliers": [{"name": name, "lines": ls, "total": sum((ln.amount for ln in ls), ZERO),
                            "received": _received_total(ls)}
                           for name, ls in by.items()]}
            for day, by in days.items()]


def _received_total(lines) -> dict | None:
    """Of the lines received: what they were planned at, what they cost, the difference (None: none received)."""
    got = [ln for ln in lines if ln.receipt_id]
    if not got:
        return None
    planned = sum((ln.amount for ln in got), ZERO)
    cost = sum((ln.received_amount for ln in got), ZERO)
    return {"count": len(got), "planned": planned, "cost": cost, "difference": cost - planned}


def delivery_lines(*, kindergarten, day: dt.date) -> list[PurchasePlanLine]:
    """The lines the active purchase plans expect delivered on `day` (bought, of a stock item), with
    their item, supplier and receipt (one query)."""
    return list(PurchasePlanLine.objects.filter(kindergarten=kindergarten, day=day, plan__voided_at__isnull=True,
                                                to_buy__gt=0, item__isnull=False)
                .select_related("item", "supplier", "receipt", "plan").order_by("supplier_name", "name", "pk"))


def deliveries_by_supplier(lines: list[PurchasePlanLine]) -> list[dict]:
    """[{"supplier", "supplier_name", "lines", "planned", "received", "open"}] in the lines' order."""
    out: dict = {}
    for line in lines:
        group = out.setdefault(line.supplier_id, {"supplier": line.supplier, "supplier_name": line.supplier_name,
                                                  "lines": [], "planned": ZERO, "received": ZERO, "open": 0})
        group["lines"].append(line)
        group["planned"] += line.amount
        if line.receipt_id:
            group["received"] += line.received_amount
        else:
            group["open"] += 1
    return list(out.values())


def expected_deliveries(*, kindergarten, day: dt.date) -> list[dict]:
    """The contract receiving reads: what the active purchase plans expect delivered on `day`, per
    supplier: [{"supplier_code", "supplier", "lines": [{"line_code", "item_code", "name", "unit", "quantity",
    "unit_price", "amount", "received"}]}]; "received" is None until the line is received, then
    {"quantity", "unit_price", "amount", "quantity_difference", "cost_difference", "movement_code"}."""
    return [{"supplier_code": g["supplier"].code if g["supplier"] else None, "supplier": g["supplier_name"],
             "lines": [_delivery_out(line) for line in g["lines"]]}
            for g in deliveries_by_supplier(delivery_lines(kindergarten=kindergarten, day=day))]


def _delivery_out(line: PurchasePlanLine) -> dict:
    received = None
    if line.receipt_id:
        received = {"quantity": line.received_quantity, "unit_price": line.receipt.unit_cost,
                    "amount": line.received_amount, "quantity_difference": line.quantity_difference,
                    "cost_difference": line.cost_difference, "movement_code": line.receipt.code}
    return {"line_code": line.code, "item_code": line.item.code, "name": line.name, "unit": line.unit,
            "quantity": line.to_buy, "unit_price": line.unit_price, "amount": line.amount, "received": received}


def receive_line(*, actor, line: PurchasePlanLine, warehouse, quantity, unit_cost, production_date=None,
                 expiry_date=None, batch_no: str = "", occurred_on: dt.date | None = None, reason: str = ""):
    """Receive one expected delivery of a purchase plan (按计划验收入库): the quantity and the price as
    delivered go through the storeroom's own receiving (stock.services.receive: its checks, its
    ledger), and the receipt is linked back to the plan's line. Refused, nothing saved: a line of a
    voided plan, a line received already, a line without a stock item, or a day other than the
    line's delivery day (a delivery on another day is received as an ordinary receipt)."""
    from houqin.stock import services as stock

    policy.same_kindergarten(actor, line, warehouse)
    with transaction.atomic():
        line = (PurchasePlanLine.objects.select_for_update(of=("self",)).select_related("plan", "item", "supplier")
                .filter(pk=line.pk).first())
        if line is None:
            raise Http404
        if line.plan.voided_at is not None:
            raise Conflict(_("This purchase plan has been replaced: receive against the plan in force."))
        if line.receipt_id is not None:
            raise Conflict(_("%(item)s of this plan has already been received.") % {"item": line.name},
                           code="already_received")
        if line.item is None:
            raise_for([{"field": "line", "message": _(
                "%(food)s has no stock item: receive it as an ordinary receipt.") % {"food": line.name}}])
        day = occurred_on or timezone.localdate()
        if day != line.day:
            raise_for([{"field": "occurred_on", "message": _(
                "This delivery is expected on %(day)s, not on %(other)s: receive it as an ordinary receipt, or on "
                "its day.") % {"day": line.day, "other": day}}])
        movement = stock.receive(actor=actor, warehouse=warehouse, item=line.item, quantity=quantity,
                                 unit_cost=unit_cost, supplier=line.supplier, batch_no=batch_no,
                                 production_date=production_date, expiry_date=expiry_date, occurred_on=day,
                                 reason=(reason or "").strip() or _("Purchase plan of the week of %(week)s") % {
                                     "week": line.plan.week_start})
        line.receipt = movement
        line.save(update_fields=["receipt", "updated_at"])
    return movement


def cost_warning(menu: Menu, entries=None, *, settings=None) -> dict | None:
    """While the menu is written: its cost per child-day at the latest prices for the children expected,
    against the meal fee; a warning {"kind": "cost", "message"} beyond the rule figure, else None. (No
    warning when there is no fee, no attendance to go on, or nothing priced.)"""
    entries = entries if entries is not None else selectors.menu_entries(menu)
    if not entries:
        return None
    inputs = plan_inputs(menu, entries=entries, with_stock=False, settings=settings)
    result = _compute(inputs)
    diff = difference_pct(result.cost_per_child_day, inputs["fee"])
    if diff is None or not result.food_cost or abs(diff) <= inputs["tolerance"]:
        return None
    values = {"cost": result.cost_per_child_day, "fee": inputs["fee"], "pct": abs(diff),
              "limit": _num(inputs["tolerance"])}
    if diff > 0:
        message = _("This week's food costs %(cost)s yuan a child-day at the latest prices: %(pct)s %% above the meal "
                    "fee of %(fee)s yuan (allowed ±%(limit)s %%).") % values
    else:
        message = _("This week's food costs %(cost)s yuan a child-day at the latest prices: %(pct)s %% below the meal "
                    "fee of %(fee)s yuan (allowed ±%(limit)s %%).") % values
    return {"kind": "cost", "message": message}


def _num(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def month_balance(*, kindergarten, today: dt.date | None = None) -> dict:
    """The month's running meal balance for the canteen's home: income and children's food so far (as
    the meal account computes them), and the plans' cost and child-days for the rest of the month.
    {"month", "income", "spent", "balance", "pct", "planned_cost", "planned_days", "projected", "projected_pct",
    "fee", "limit"}."""
    from houqin.canteen.services import compute_account

    today = today or timezone.localdate()
    data = compute_account(kindergarten=kindergarten, month=today.replace(day=1))
    _start, end = selectors.month_bounds(today)
    planned_cost, planned_days = ZERO, ZERO
    plans = PurchasePlan.objects.active().filter(kindergarten=kindergarten, week_start__lte=end,
                                                 week_start__gt=today - dt.timedelta(days=7))
    for plan in plans:  # the days after today: today's food is in the ledger already (issued at 9 a.m.)
        days = sum((Decimal(n) for row in plan.attendance for iso, n in row["expected"].items()
                    if today < dt.date.fromisoformat(iso) <= end), ZERO)
        planned_days += days
        planned_cost += (days * plan.cost_per_child_day).quantize(CENT)
    fee = data["fee_per_day"]
    income = data["income"]
    balance = data["balance"]
    projected = projected_pct = None
    if fee is not None and income is not None:
        projected_income = income + (fee * planned_days).quantize(CENT)
        projected = balance + (fee * planned_days).quantize(CENT) - planned_cost
        projected_pct = selectors.pct(projected, projected_income)
    return {"month": data["month"], "income": income, "spent": data["expenditure"], "balance": balance,
            "pct": data["balance_pct"], "planned_cost": planned_cost, "planned_days": planned_days,
            "projected": projected, "projected_pct": projected_pct, "fee": fee, "limit": data["limit_pct"],
            "flagged": projected_pct is not None and abs(projected_pct) > data["limit_pct"]}

"""JSON API of the canteen: the same selectors and services as the pages, the same policy."""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Status

from houqin.core.inputs import Day, Input, Limit
from houqin import policy
from houqin.canteen import selectors, services
from houqin.canteen.models import MenuEntry
from houqin.canteen.rules import AREA
from houqin.core.errors import DomainError
from houqin.core.rule_api import add_rule_routes
from houqin.org.models import Grade

router = Router(tags=["canteen"])


# --- input shapes ---------------------------------------------------------------------------------


class FoodIn(Input):
    name: str
    pagoda_group: str
    edible_pct: Decimal = Decimal("100")
    energy_kcal: Decimal | None = None
    protein_g: Decimal | None = None
    fat_g: Decimal | None = None
    carbohydrate_g: Decimal | None = None
    calcium_mg: Decimal | None = None
    iron_mg: Decimal | None = None
    zinc_mg: Decimal | None = None
    vitamin_a_ug: Decimal | None = None
    thiamin_mg: Decimal | None = None
    riboflavin_mg: Decimal | None = None
    vitamin_c_mg: Decimal | None = None
    sodium_mg: Decimal | None = None
    allergens: str = ""
    source: str = ""


class IngredientIn(Input):
    food_code: UUID
    grams_raw: Decimal
    grams_edible: Decimal | None = None


class DishIn(Input):
    name: str
    category: str
    notes: str = ""
    ingredients: list[IngredientIn]


class MenuIn(Input):
    week_start: dt.date
    days: int = 5
    title: str = ""
    cycle_week: int | None = None
    copy_from: UUID | None = None


class EntryIn(Input):
    day: int
    meal: str
    dish_code: UUID
    factor: Decimal = Decimal("1")
    reason: str = ""
    meeting_code: UUID | None = None


class CanteenReasonIn(Input):
    reason: str = ""


class MonthIn(Input):
    month: dt.date
    conclusion: str = ""


class CanteenMeetingIn(Input):
    held_on: dt.date
    members: str
    minutes: str
    decisions: str = ""
    survey_month: dt.date | None = None


class NoteIn(Input):
    note: str = ""


# --- output shapes --------------------------------------------------------------------------------


def _food_out(f) -> dict:
    return {"code": f.code, "name": f.name, "food_code": f.food_code, "own": not f.is_shipped,
            "pagoda_group": f.pagoda_group, "edible_pct": f.edible_pct, "allergens": f.allergens, "source": f.source,
            **{k: getattr(f, k) for k in ("energy_kcal", "protein_g", "fat_g", "carbohydrate_g", "calcium_mg",
                                          "iron_mg", "zinc_mg", "vitamin_a_ug", "thiamin_mg", "riboflavin_mg",
                                          "vitamin_c_mg", "phosphorus_mg", "sodium_mg")}}


def _dish_out(d) -> dict:
    return {"code": d.code, "name": d.name, "category": d.category, "notes": d.notes, "is_active": d.is_active,
            "ingredients": [{"food_code": i.food.code, "food": i.food.name, "grams_raw": i.grams_raw,
                             "grams_edible": i.grams_edible} for i in d.ingredients.all()]}


def _menu_out(m) -> dict:
    return {"code": m.code, "week_start": m.week_start, "days": m.days, "title": m.title, "cycle_week": m.cycle_week,
            "status": m.status, "version": m.version, "published_at": m.published_at,
            "published_by": m.published_by.display_name if m.published_by else None, "summary": m.summary}


def _entries_out(entries) -> list[dict]:
    return [{"code": e.code, "day": e.day, "meal": e.meal, "dish_code": e.dish.code,
             "dish": e.dish_name, "category": e.dish_category,
             "foods": [{"food_code": ef.food.code, "food": ef.food.name, "grams_raw": ef.grams_raw,
                        "grams_edible": ef.grams_edible} for ef in e.foods.all()]} for e in entries]


def _menu_detail(menu, *, actor=None) -> dict:
    """A menu with its entries; with the warnings for `actor` (the editors' views) when given."""
    entries = selectors.menu_entries(menu)
    return {**_menu_out(menu), "entries": _entries_out(entries),
            "warnings": selectors.menu_warnings(menu, entries, actor=actor) if actor is not None else [],
            "revisions": [{"version": r.version, "reason": r.reason, "change": r.change, "at": r.created_at}
                          for r in menu.revisions.all()]}


def _account_out(a) -> dict:
    return {"code": a.code, "month": a.month, "status": a.status, "child_days": a.child_days,
            "billed_days": a.billed_days, "refunded_days": a.refunded_days, "fee_per_day": a.fee_per_day,
            "fee_source": a.fee_source, "income": a.income, "refunds": a.refunds, "expenditure": a.expenditure,
            "staff_share": a.staff_share, "by_category": a.by_category, "balance": a.balance,
            "balance_pct": a.balance_pct, "cumulative_balance": a.cumulative_balance,
            "cumulative_pct": a.cumulative_pct, "limit_pct": a.limit_pct, "flagged": a.flagged, "note": a.note,
            "published_at": a.published_at}


def _menu_by_code(actor, code, capability="canteen.menu.view"):
    return selectors.get_menu(actor=actor, code=code, capability=capability)


# --- foods and dishes -----------------------------------------------------------------------------


@router.get("/k/{kg}/canteen/foods")
@policy.requires("canteen.menu.view")
def list_foods(request, kg: str, q: str = "", own: bool = False):
    return [_food_out(f) for f in selectors.food_search(kindergarten=request.actor.kindergarten, q=q[:20],
                                                        own_only=own)]


@router.post("/k/{kg}/canteen/foods", response={201: dict})
@policy.requires("canteen.menu.change")
def create_food(request, kg: str, payload: FoodIn):
    return Status(201, _food_out(services.food_create(actor=request.actor, **payload.dict())))


@router.get("/k/{kg}/canteen/dishes")
@policy.requires("canteen.menu.view")
def list_dishes(request, kg: str, q: str = "", category: str = ""):
    return [_dish_out(d) for d in selectors.dish_list(actor=request.actor, q=q[:20], category=category,
                                                      include_inactive=True)]


@router.get("/k/{kg}/canteen/dishes/{code}")
@policy.requires("canteen.menu.view")
def get_dish(request, kg: str, code: UUID):
    return _dish_out(selectors.get_dish(actor=request.actor, code=code))


@router.post("/k/{kg}/canteen/dishes", response={201: dict})
@policy.requires("canteen.menu.change")
def create_dish(request, kg: str, payload: DishIn):
    actor = request.actor
    ingredients = []
    for i, line in enumerate(payload.ingredients):
        try:
            food = selectors.get_food(kindergarten=actor.kindergarten, code=line.food_code)
        except Http404:
            raise DomainError(_("Choose a food of the table or of your kindergarten."),
                              errors=[{"field": f"ingredients-{i}", "message": _("Choose a food of the table or of "
                                                                                 "your kindergarten.")}])
        ingredients.append({"food": food, "grams_raw": line.grams_raw, "grams_edible": line.grams_edible})
    dish = services.dish_save(actor=actor, name=payload.name, category=payload.category, notes=payload.notes,
                              ingredients=ingredients)
    return Status(201, _dish_out(dish))


# --- menus ----------------------------------------------------------------------------------------


@router.get("/k/{kg}/canteen/menus")
@policy.requires("canteen.menu.view")
def list_menus(request, kg: str, limit: Limit = 50):
    return [_menu_out(m) for m in selectors.menu_list(actor=request.actor)[: max(1, min(limit, 200))]]


@router.get("/k/{kg}/canteen/menus/{code}")
@policy.requires("canteen.menu.view")
def get_menu(request, kg: str, code: UUID):
    return _menu_detail(_menu_by_code(request.actor, code), actor=request.actor)


@router.post("/k/{kg}/canteen/menus", response={201: dict})
@policy.requires("canteen.menu.change")
def create_menu(request, kg: str, payload: MenuIn):
    actor = request.actor
    data = payload.dict()
    source = data.pop("copy_from")
    copy_from = _menu_by_code(actor, source) if source else None
    menu = services.menu_create(actor=actor, copy_from=copy_from, **data)
    return Status(201, _menu_detail(menu, actor=request.actor))


@router.post("/k/{kg}/canteen/menus/{code}/entries", response={201: dict})
@policy.requires("canteen.menu.change")
def add_entry(request, kg: str, code: UUID, payload: EntryIn):
    actor = request.actor
    menu = _menu_by_code(actor, code, "canteen.menu.change")
    dish = selectors.get_dish(actor=actor, code=payload.dish_code, capability="canteen.menu.change")
    meeting = selectors.get_meeting(actor=actor, code=payload.meeting_code) if payload.meeting_code else None
    services.entry_add(actor=actor, menu=menu, day=payload.day, meal=payload.meal, dish=dish, factor=payload.factor,
                       reason=payload.reason, meeting=meeting)
    menu.refresh_from_db()
    return Status(201, _menu_detail(menu, actor=request.actor))


@router.post("/k/{kg}/canteen/menus/{code}/entries/{entry}/remove")
@policy.requires("canteen.menu.change")
def remove_entry(request, kg: str, code: UUID, entry: UUID, payload: CanteenReasonIn):
    actor = request.actor
    menu = _menu_by_code(actor, code, "canteen.menu.change")
    item = MenuEntry.objects.filter(menu=menu, code=entry).first()
    if item is None:
        raise Http404
    services.entry_remove(actor=actor, entry=item, reason=payload.reason)
    menu.refresh_from_db()
    return _menu_detail(menu, actor=request.actor)


@router.post("/k/{kg}/canteen/menus/{code}/publish")
@policy.requires("canteen.menu.publish")
def publish_menu(request, kg: str, code: UUID):
    actor = request.actor
    menu = services.menu_publish(actor=actor, menu=_menu_by_code(actor, code, "canteen.menu.publish"))
    return _menu_detail(menu)


@router.get("/k/{kg}/canteen/menus/{code}/analysis")
@policy.requires("canteen.menu.view")
def menu_analysis(request, kg: str, code: UUID, grade: str = Grade.MIDDLE):
    menu = _menu_by_code(request.actor, code)
    if grade not in Grade.values:
        raise DomainError(_("Choose an age group."), errors=[{"field": "grade", "message": _("Choose an age group.")}])
    entries = selectors.menu_entries(menu)
    if not entries:
        raise DomainError(_("This menu has no meals yet."))
    return selectors.menu_analysis(menu, grade=grade, entries=entries).as_dict()


@router.get("/k/{kg}/canteen/published")
@policy.requires("canteen.menu.published")
def list_published(request, kg: str):
    return [_menu_out(m) for m in selectors.menu_list(actor=request.actor, published_only=True,
                                                      capability="canteen.menu.published")[:30]]


@router.get("/k/{kg}/canteen/published/{code}")
@policy.requires("canteen.menu.published")
def get_published(request, kg: str, code: UUID):
    menu = selectors.get_menu(actor=request.actor, code=code, capability="canteen.menu.published", published_only=True)
    return _menu_detail(menu)


@router.get("/k/{kg}/canteen/served")
@policy.requires("canteen.menu.published")
def served(request, kg: str, day: Day):
    return selectors.served_dishes(kindergarten=request.actor.kindergarten, day=day)


# --- diet survey and committee --------------------------------------------------------------------


@router.get("/k/{kg}/canteen/survey")
@policy.requires("canteen.menu.view")
def survey(request, kg: str, month: Day):
    data = selectors.survey_compute(kindergarten=request.actor.kindergarten, month=month)
    return {"month": data["start"], "child_days": data["child_days"], "age": data["age"],
            "analysis": data["analysis"].as_dict() if data["analysis"] else None,
            "unlinked": [r["name"] for r in data["unlinked"]],
            "lines": [{"item": r["name"], "food": r["food"], "quantity": r["quantity"], "unit": r["unit"],
                       "grams_per_child_day": r["per_child_day"]} for r in data["lines"]]}


@router.post("/k/{kg}/canteen/surveys", response={201: dict})
@policy.requires("canteen.menu.change")
def save_survey(request, kg: str, payload: MonthIn):
    s = services.survey_save(actor=request.actor, month=payload.month, conclusion=payload.conclusion)
    return Status(201, {"code": s.code, "month": s.month, "child_days": s.child_days, "conclusion": s.conclusion})


@router.get("/k/{kg}/canteen/committee")
@policy.requires("canteen.committee.view")
def list_meetings(request, kg: str):
    return [{"code": m.code, "held_on": m.held_on, "members": m.member_list, "minutes": m.minutes,
             "decisions": m.decisions, "menu_changes": m.revision_count} for m in selectors.meeting_list(actor=request.actor)[:100]]


@router.get("/k/{kg}/canteen/committee/{code}")
@policy.requires("canteen.committee.view")
def get_meeting(request, kg: str, code: UUID):
    """A meeting with the dishes the children left in the four weeks before it (production records)."""
    from houqin.foodsafety.production import committee_dishes_before

    m = selectors.get_meeting(actor=request.actor, code=code)
    left = committee_dishes_before(actor=request.actor, day=m.held_on)
    return {"code": m.code, "held_on": m.held_on, "members": m.member_list, "minutes": m.minutes,
            "decisions": m.decisions, "waste_start": left["start"], "waste_end": left["end"],
            "waste_flag_percent": left["flag"].value,
            "dishes_left": [{"dish_code": d["dish_code"], "dish_name": d["dish_name"], "times": d["times"],
                             "served_kg": d["served_kg"], "plate_waste_kg": d["plate_waste_kg"],
                             "percent": d["percent"], "grams_per_child": d["grams_per_child"]}
                            for d in left["dishes"]]}


@router.post("/k/{kg}/canteen/committee", response={201: dict})
@policy.requires("canteen.committee.change")
def create_meeting(request, kg: str, payload: CanteenMeetingIn):
    actor = request.actor
    data = payload.dict()
    month = data.pop("survey_month")
    survey = selectors.survey_list(actor=actor).filter(month=month.replace(day=1)).first() if month else None
    m = services.meeting_create(actor=actor, survey=survey, **data)
    return Status(201, {"code": m.code, "held_on": m.held_on, "members": m.member_list})


# --- meal account ---------------------------------------------------------------------------------


@router.get("/k/{kg}/canteen/accounts")
@policy.requires("canteen.account.view")
def list_accounts(request, kg: str):
    return [_account_out(a) for a in selectors.account_list(actor=request.actor)[:60]]


@router.get("/k/{kg}/canteen/accounts/published")
@policy.requires("canteen.account.published")
def list_published_accounts(request, kg: str):
    return [_account_out(a) for a in selectors.account_list(actor=request.actor, published_only=True,
                                                            capability="canteen.account.published")[:60]]


@router.get("/k/{kg}/canteen/accounts/{month}")
@policy.requires("canteen.account.view")
def get_account(request, kg: str, month: Day):
    account = selectors.get_account(actor=request.actor, month=month.replace(day=1))
    if account is None:
        raise Http404
    return _account_out(account)


@router.post("/k/{kg}/canteen/accounts", response={201: dict})
@policy.requires("canteen.account.change")
def prepare_account(request, kg: str, payload: MonthIn):
    return Status(201, _account_out(services.account_prepare(actor=request.actor, month=payload.month)))


@router.post("/k/{kg}/canteen/accounts/{month}/publish")
@policy.requires("canteen.account.change")
def publish_account(request, kg: str, month: Day, payload: NoteIn):
    actor = request.actor
    account = selectors.get_account(actor=actor, month=month.replace(day=1), capability="canteen.account.change")
    if account is None:
        raise Http404
    return _account_out(services.account_publish(actor=actor, account=account, note=payload.note))


# --- rule figures ---------------------------------------------------------------------------------


add_rule_routes(router, area=AREA, path="/k/{kg}/canteen/rules", view_capability="canteen.menu.view",
                change_capability="canteen.settings.change")


# --- 替代餐: substitute dishes ---------------------------------------------------------------------


class SubstituteIn(Input):
    avoid: str
    dish: UUID | None = None  # none: remove the substitute


def _substitute_rows(menu, actor) -> dict:
    from houqin.canteen import substitutes
    from houqin.canteen.models import Meal

    rows = substitutes.menu_rows(menu, actor=actor)
    return {"menu": menu.code, "week_start": menu.week_start, "missing": len(substitutes.uncovered(rows)),
            "rows": [{"date": r["date"], "meal": r["meal"], "meal_label": str(dict(Meal.choices)[r["meal"]]),
                      "dish": r["dish"], "child": r["child"], "class": r["class"], "avoid": r["avoid"],
                      "severe": r["severe"], "substitute": r["substitute"], "whole_meal": r["whole_meal"]}
                     for r in rows]}


@router.get("/k/{kg}/canteen/menus/{code}/substitutes")
@policy.requires("canteen.allergy.view")
def list_substitutes(request, kg: str, code: UUID):
    """Who gets what instead, by day and meal (class staff: their classes only)."""
    return _substitute_rows(_menu_by_code(request.actor, code), request.actor)


@router.post("/k/{kg}/canteen/menus/{code}/entries/{entry}/substitute")
@policy.requires("canteen.substitute.change")
def set_substitute(request, kg: str, code: UUID, entry: UUID, payload: SubstituteIn):
    from houqin.canteen import substitutes
    from houqin.canteen.models import Dish

    actor = request.actor
    menu = _menu_by_code(actor, code, "canteen.substitute.change")
    item = MenuEntry.objects.filter(menu=menu, code=entry).first()
    if item is None:
        raise Http404
    dish = None
    if payload.dish is not None:
        dish = policy.scoped(actor, "canteen.menu.view", Dish.objects.all()).filter(code=payload.dish).first()
        if dish is None:
            raise Http404
    substitutes.substitute_set(actor=actor, entry=item, avoid=payload.avoid[:16], dish=dish)
    return _substitute_rows(menu, actor)


# --- purchase plans and cost control -----------------------------------------------------------------


class PurchasePlanIn(Input):
    replace: bool = False  # make the plan of the menu again (the old one is voided with the reason)
    reason: str = ""


def _plan_out(p) -> dict:
    return {"code": p.code, "menu": p.menu.code, "week_start": p.week_start, "menu_version": p.menu_version,
            "child_days": p.child_days, "food_cost": p.food_cost, "to_buy_cost": p.to_buy_cost,
            "cost_per_child_day": p.cost_per_child_day, "fee_per_day": p.fee_per_day, "fee_source": p.fee_source,
            "difference_pct": p.difference_pct, "tolerance_pct": p.tolerance_pct, "outside_fee": p.outside_fee,
            "unpriced": p.unpriced, "created_at": p.created_at,
            "purchase_request": p.purchase_request.code if p.purchase_request_id else None}


def _plan_detail(p) -> dict:
    return {**_plan_out(p), "attendance": p.attendance,
            "lines": [{"day": ln.day, "supplier": ln.supplier_name, "item": ln.name, "unit": ln.unit,
                       "grams": ln.grams, "needed": ln.needed, "from_stock": ln.from_stock, "to_buy": ln.to_buy,
                       "unit_price": ln.unit_price, "price_on": ln.price_on, "amount": ln.amount,
                       "line_code": ln.code, "received_quantity": ln.received_quantity,
                       "received_amount": ln.received_amount, "cost_difference": ln.cost_difference}
                      for ln in p.lines.all().select_related("receipt").order_by("day", "supplier_name", "name", "pk")]}


@router.get("/k/{kg}/canteen/purchase-plans")
@policy.requires("canteen.purchase.view")
def list_purchase_plans(request, kg: str, limit: Limit = 30):
    from houqin.canteen import purchasing

    return [_plan_out(p) for p in purchasing.plan_list(actor=request.actor)[:limit]]


@router.get("/k/{kg}/canteen/purchase-plans/{code}")
@policy.requires("canteen.purchase.view")
def get_purchase_plan(request, kg: str, code: UUID):
    from houqin.canteen import purchasing

    return _plan_detail(purchasing.get_plan(actor=request.actor, code=code))


@router.post("/k/{kg}/canteen/menus/{code}/purchase-plan", response={201: dict})
@policy.requires("canteen.purchase.change")
def make_purchase_plan(request, kg: str, code: UUID, payload: PurchasePlanIn):
    from houqin.canteen import purchasing

    actor = request.actor
    menu = _menu_by_code(actor, code, "canteen.purchase.change")
    plan = purchasing.plan_generate(actor=actor, menu=menu, replace=payload.replace, reason=payload.reason)
    return Status(201, _plan_detail(plan))


@router.get("/k/{kg}/canteen/deliveries-expected")
@policy.requires("canteen.purchase.view")
def expected_deliveries(request, kg: str, day: Day):
    """What the purchase plans expect delivered on a day, per supplier (for receiving)."""
    from houqin.canteen import purchasing

    return purchasing.expected_deliveries(kindergarten=request.actor.kindergarten, day=day)


class DeliveryReceiveIn(Input):
    warehouse: UUID  # the food store it goes into
    quantity: Decimal
    unit_cost: Decimal
    production_date: dt.date | None = None
    expiry_date: dt.date | None = None
    batch_no: str = ""
    occurred_on: dt.date | None = None  # the line's delivery day (default today)


@router.post("/k/{kg}/canteen/deliveries-expected/{line}/receive", response={201: dict})
@policy.requires("stock.receive")
def receive_expected_delivery(request, kg: str, line: UUID, payload: DeliveryReceiveIn):
    """Receive one expected delivery of a purchase plan as delivered (stock's receiving), linked to the line."""
    from houqin.canteen import purchasing
    from houqin.canteen.models import PurchasePlanLine
    from houqin.stock.models import Warehouse

    actor = request.actor
    plan_line = PurchasePlanLine.objects.filter(kindergarten=actor.kindergarten, code=line).first()
    store = policy.scoped(actor, "stock.receive", Warehouse.objects.filter(is_active=True)).filter(
        code=payload.warehouse).first()
    if plan_line is None or store is None:
        raise Http404
    purchasing.receive_line(actor=actor, line=plan_line, warehouse=store, quantity=payload.quantity,
                            unit_cost=payload.unit_cost, production_date=payload.production_date,
                            expiry_date=payload.expiry_date, batch_no=payload.batch_no[:40],
                            occurred_on=payload.occurred_on)
    plan_line = PurchasePlanLine.objects.select_related("item", "receipt").get(pk=plan_line.pk)
    return Status(201, purchasing._delivery_out(plan_line))


class PlanRequestIn(Input):
    category: UUID  # the budget category (a food category: only where food is bought from the budget)
    submit: bool = True


@router.post("/k/{kg}/canteen/purchase-plans/{code}/purchase-request", response={201: dict})
@policy.requires("canteen.purchase.change")
def request_purchase_of_plan(request, kg: str, code: UUID, payload: PlanRequestIn):
    """The food of the plan that keeps, as one finance purchase request (once)."""
    from houqin.canteen import purchasing
    from houqin.finance.models import BudgetCategory

    actor = request.actor
    plan = purchasing.get_plan(actor=actor, code=code, capability="canteen.purchase.change")
    category = BudgetCategory.objects.filter(kindergarten=actor.kindergarten, code=payload.category).first()
    if category is None:
        raise Http404
    made = purchasing.plan_request_purchase(actor=actor, plan=plan, category=category, submit=payload.submit)
    return Status(201, {"code": made.code, "number": made.number, "status": made.status, "total": made.total,
                        "lines": made.lines.count()})


@router.get("/k/{kg}/canteen/meal-balance")
@policy.requires("canteen.purchase.view")
def meal_balance(request, kg: str):
    """The month's running meal balance so far, and with the purchase plans for the rest of the month."""
    from houqin.canteen import purchasing

    data = purchasing.month_balance(kindergarten=request.actor.kindergarten)
    return {k: v for k, v in data.items()}
# --- menu optimizer -------------------------------------------------------------------------------


class ProposalIn(Input):
    week_start: dt.date
    grade: str = Grade.MIDDLE
    days: int = 5
    budget: Decimal | None = None  # yuan a child-day; none: the meal fee


def _proposal_out(p) -> dict:
    return {"code": p.code, "week_start": p.week_start, "days": p.days, "grade": p.grade, "budget": p.budget,
            "status": p.status, "menu": p.menu.code if p.menu_id else None, "met": p.result.get("met"),
            "cost": p.result.get("cost"), "shortfalls": p.result.get("shortfalls", []),
            "entries": [{"day": e["day"], "meal": e["meal"], "dish": e["dish"], "category": e["category"],
                         "scale": e["scale"], "foods": [{"food_id": f["food_id"], "grams_raw": f["raw"],
                                                         "grams_edible": f["edible"]} for f in e["foods"]],
                         "substitutes": {t: s["dish"] for t, s in e.get("substitutes", {}).items()}}
                        for e in p.result.get("entries", [])],
            "figures": p.result.get("figures", [])}


def _proposal(actor, code):
    from houqin.canteen.optimizer_views import get_proposal

    return get_proposal(actor, code)


@router.get("/k/{kg}/canteen/optimizer/proposals")
@policy.requires("canteen.menu.change")
def list_proposals(request, kg: str, limit: Limit = 20):
    from houqin.canteen.optimizer_views import proposals

    return [_proposal_out(p) for p in proposals(request.actor)[: max(1, min(limit, 100))]]


@router.post("/k/{kg}/canteen/optimizer/proposals", response={201: dict})
@policy.requires("canteen.menu.change")
def create_proposal(request, kg: str, payload: ProposalIn):
    """Propose a week: the cheapest dishes and grams meeting every nutrition target, or the closest
    week with the targets it misses (`met` false, `shortfalls` in words)."""
    from houqin.canteen import optimizer

    proposal = optimizer.proposal_create(actor=request.actor, **payload.dict())
    return Status(201, _proposal_out(proposal))


@router.get("/k/{kg}/canteen/optimizer/proposals/{code}")
@policy.requires("canteen.menu.change")
def get_proposal(request, kg: str, code: UUID):
    return _proposal_out(_proposal(request.actor, code))


class RedoDayIn(Input):
    day: int  # 0 = Monday


@router.post("/k/{kg}/canteen/optimizer/proposals/{code}/redo")
@policy.requires("canteen.menu.change")
def redo_proposal_day(request, kg: str, code: UUID, payload: RedoDayIn):
    """Propose one day again: the other days keep their dishes."""
    from houqin.canteen import optimizer

    return _proposal_out(optimizer.proposal_redo_day(actor=request.actor, proposal=_proposal(request.actor, code),
                                                     day=payload.day))


@router.post("/k/{kg}/canteen/optimizer/proposals/{code}/accept", response={201: dict})
@policy.requires("canteen.menu.change")
def accept_proposal(request, kg: str, code: UUID):
    """The proposal becomes a draft menu (with its substitutes); the menu is returned."""
    from houqin.canteen import optimizer

    menu = optimizer.proposal_accept(actor=request.actor, proposal=_proposal(request.actor, code))
    return Status(201, _menu_detail(menu, actor=request.actor))

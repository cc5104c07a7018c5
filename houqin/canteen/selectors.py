"""Read-side queries of the canteen. Each takes the actor (scoped by the policy) or, for the
contracts other areas call, the kindergarten."""

from __future__ import annotations


import calendar
import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Prefetch, Q, Sum
from django.http import Http404

from houqin import policy
from houqin.core import per_request
from houqin.core.text import name_search
from houqin.canteen import nutrition
from houqin.canteen.models import (
    MEAL_ORDER,
    CanteenSettings,
    CommitteeMeeting,
    DietSurvey,
    Dish,
    DishIngredient,
    Food,
    MealAccount,
    Menu,
    MenuEntry,
    MenuEntryFood,
    MenuStatus,
    StockFoodLink,
)
from houqin.canteen.rules import rules_for
from houqin.org.models import GRADE_AGE, Grade

CENT = Decimal("0.01")


def week_start_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def settings_for(kindergarten) -> CanteenSettings:
    found = CanteenSettings.objects.filter(kindergarten=kindergarten).first()
    return found or CanteenSettings(kindergarten=kindergarten, meals=[])


# --- the contract other areas read ----------------------------------------------------------------


def served_dishes(*, kindergarten, day: dt.date) -> list[dict]:
    """The dishes of the PUBLISHED menu served on `day`, in meal order: [{"meal", "meal_label",
    "dish_code", "dish_name"}]; [] when no published menu covers the day. (Food safety's sample
    retention screen reads it: every dish of every meal is sampled.)"""
    return served_dishes_on(kindergarten=kindergarten, days=[day])[day]


def served_dishes_on(*, kindergarten, days) -> dict[dt.date, list[dict]]:
    """served_dishes of several days at once, {day: dishes}: two queries whatever the number of days
    (the published menus of their weeks, then those menus' entries of those days)."""
    days = list(dict.fromkeys(days))
    pk = kindergarten.pk
    # Within a request (core.per_request) each day is read once, whichever provider asks first.
    found = per_request.shared_many(
        [("canteen.served_dishes", pk, day) for day in days],
        lambda keys: {("canteen.served_dishes", pk, day): dishes
                      for day, dishes in _served_dishes_on(kindergarten, [k[2] for k in keys]).items()})
    return {day: [dict(dish) for dish in found[("canteen.served_dishes", pk, day)]] for day in days}


def _served_dishes_on(kindergarten, days: list) -> dict[dt.date, list[dict]]:
    from houqin.canteen.models import Meal

    out = {day: [] for day in days}
    if not days:
        return out
    menus = {}
    for menu in (Menu.objects.active().filter(kindergarten=kindergarten, status=MenuStatus.PUBLISHED,
                                              week_start__in={week_start_of(d) for d in days}).order_by("pk")):
        menus.setdefault(menu.week_start, menu)  # the first by pk, as .first() took it for one day
    wanted = {}
    for day in days:
        menu = menus.get(week_start_of(day))
        if menu is not None and day.weekday() < menu.days:
            wanted[(menu.pk, day.weekday())] = day
    if not wanted:
        return out
    entries = (MenuEntry.objects.filter(menu_id__in={m for m, _d in wanted}, day__in={d for _m, d in wanted})
               .select_related("dish"))
    labels = dict(Meal.choices)
    for e in sorted(entries, key=lambda e: (MEAL_ORDER.index(e.meal), e.sort_order, e.pk)):
        day = wanted.get((e.menu_id, e.day))
        if day is not None:
            out[day].append({"meal": e.meal, "meal_label": str(labels[e.meal]), "dish_code": e.dish.code,
                             "dish_name": e.dish_name})
    return out


# --- foods and dishes -----------------------------------------------------------------------------


def food_search(*, kindergarten, q: str = "", limit: int = 50, own_only: bool = False):
    """Foods of the shipped table and the kindergarten's own, by Chinese name or pinyin initials."""
    foods = Food.objects.visible_to(kindergarten).filter(is_active=True)
    if own_only:
        foods = foods.filter(kindergarten=kindergarten)
    q = (q or "").strip()
    if q:
        foods = foods.filter(name_search(q, initials_field="name_initials"))
    # the kindergarten's own foods first, then shorter (more general) names
    return list(foods.order_by("kindergarten_id", "name_pinyin")[:limit]) if not q else sorted(
        foods[:400], key=lambda f: (f.kindergarten_id is None, len(f.name), f.name_pinyin))[:limit]


def get_food(*, kindergarten, code) -> Food:
    food = Food.objects.visible_to(kindergarten).filter(code=code).first()
    if food is None:
        raise Http404
    return food


def dish_list(*, actor, q: str = "", category: str = "", include_inactive: bool = False, ingredients: bool = True):
    """The dishes of the library; with `ingredients`, each dish's ingredients and their foods prefetched
    (a picker that shows only names and codes does without: the foods are the costly part)."""
    dishes = policy.scoped(actor, "canteen.menu.view", Dish.objects.all())
    if not include_inactive:
        dishes = dishes.filter(is_active=True)
    if q:
        dishes = dishes.filter(Q(name__contains=q) | Q(name_initials__startswith=q.lower()))
    if category:
        dishes = dishes.filter(category=category)
    if not ingredients:
        return dishes
    return dishes.prefetch_related(Prefetch("ingredients", DishIngredient.objects.select_related("food")))


def get_dish(*, actor, code, capability: str = "canteen.menu.view") -> Dish:
    dish = policy.scoped(actor, capability, Dish.objects.all()).filter(code=code).first()
    if dish is None:
        raise Http404
    return dish


# --- menus ----------------------------------------------------------------------------------------


def menu_list(*, actor, published_only: bool = False, capability: str = "canteen.menu.view"):
    menus = policy.scoped(actor, capability, Menu.objects.active())
    if published_only:
        menus = menus.filter(status=MenuStatus.PUBLISHED)
    return menus.select_related("published_by").annotate(entry_count=Count("entries"))


def get_menu(*, actor, code, capability: str = "canteen.menu.view", published_only: bool = False) -> Menu:
    menus = policy.scoped(actor, capability, Menu.objects.active())
    if published_only:
        menus = menus.filter(status=MenuStatus.PUBLISHED)
    menu = menus.filter(code=code).first()
    if menu is None:
        raise Http404
    return menu


def menu_entries(menu) -> list[MenuEntry]:
    return list(MenuEntry.objects.filter(menu=menu).select_related("dish").prefetch_related(
        Prefetch("foods", MenuEntryFood.objects.select_related("food"))).order_by("day", "sort_order", "pk"))


def menu_grid(menu, entries=None, meals=None) -> list[dict]:
    """Rows by meal, columns by day: [{"meal", "label", "days": [[entry, …], …]}]."""
    from houqin.canteen.models import Meal

    entries = entries if entries is not None else menu_entries(menu)
    labels = dict(Meal.choices)
    used = {e.meal for e in entries}
    meal_codes = [m for m in MEAL_ORDER if m in set(meals or []) | used]
    grid = []
    for meal in meal_codes:
        days = [[] for _ in range(menu.days)]
        for e in entries:
            if e.meal == meal and e.day < menu.days:
                days[e.day].append(e)
        grid.append({"meal": meal, "label": labels[meal], "days": days})
    return grid


def food_data(food: Food) -> nutrition.FoodData:
    return nutrition.FoodData(id=food.pk, name=food.name, group=food.pagoda_group,
                              values={k: getattr(food, k) for k in nutrition.NUTRIENT_KEYS})


def menu_portions(entries, factor: Decimal = Decimal("1")) -> list[nutrition.Portion]:
    f = float(factor)
    cache: dict[int, nutrition.FoodData] = {}
    portions = []
    for e in entries:
        for ef in e.foods.all():
            data = cache.get(ef.food_id) or cache.setdefault(ef.food_id, food_data(ef.food))
            portions.append(nutrition.Portion(food=data, grams_edible=float(ef.grams_edible) * f,
                                              grams_raw=float(ef.grams_raw) * f, meal=e.meal))
    return portions


def menu_analysis(menu, *, grade: str = Grade.MIDDLE, entries=None, settings=None, rules=None):
    settings = settings or settings_for(menu.kindergarten)
    rules = rules or rules_for(menu.kindergarten)
    entries = entries if entries is not None else menu_entries(menu)
    portions = menu_portions(entries, settings.factor_for(grade))
    return nutrition.analyse(portions, divisor=menu.days, age=GRADE_AGE.get(grade, 4), care_type=settings.care_type,
                             rules=rules, meals=settings.meal_list)


def menu_warnings(menu, entries=None, *, actor, allergy=None, settings=None) -> list[dict]:
    """What the health teacher should look at while editing: a dish repeated within the week, a
    dish with a child's allergen (from the health register) and no substitute yet (children within
    the reader's scope only, with the allergen), a food out of stock, and for the menu's writers the
    week's food cost a child-day beyond the rule's distance from the meal fee (purchasing.cost_warning).
    [{"kind": "repeat"|"allergen"|"stock"|"cost", "message"}]. `allergy` (substitutes.menu_data of the
    menu, its entries and the actor) and `settings` (the kindergarten's canteen settings): when the page
    has read them already."""
    from django.utils.translation import gettext as _

    entries = entries if entries is not None else menu_entries(menu)
    warnings = []
    by_dish = defaultdict(list)
    for e in entries:
        by_dish[e.dish_id].append(e)
    weekdays = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    for items in by_dish.values():
        days = sorted({e.day for e in items})
        if len(items) > 1 and items[0].dish_category not in ("milk", "fruit", "staple"):
            warnings.append({"kind": "repeat", "message": _("%(dish)s is served %(n)d times this week (%(days)s).") % {
                "dish": items[0].dish_name, "n": len(items), "days": "、".join(str(weekdays[d]) for d in days)}})
    foods = {}
    for e in entries:
        for ef in e.foods.all():
            foods.setdefault(ef.food_id, (ef.food, e))
    from houqin.canteen import substitutes

    for row in substitutes.uncovered(substitutes.menu_rows(menu, entries, actor=actor, data=allergy)):
        warnings.append({"kind": "allergen", "message": _(
            "%(day)s: %(dish)s contains %(allergen)s: %(child)s (%(class)s) has no substitute yet.") % {
            "day": weekdays[row["day"]], "dish": row["dish"], "allergen": "、".join(row["avoid"]),
            "child": row["child"], "class": row["class"]}})
    warnings += _stock_warnings(menu, foods)
    if actor is not None and actor.has("canteen.menu.change"):
        from houqin.canteen.purchasing import cost_warning

        cost = cost_warning(menu, entries, settings=settings)
        if cost is not None:
            warnings.append(cost)
    return warnings


def _stock_warnings(menu, foods: dict) -> list[dict]:
    from django.utils.translation import gettext as _

    from houqin.stock.models import Batch

    links = list(StockFoodLink.objects.filter(kindergarten=menu.kindergarten, food_id__in=list(foods))
                 .select_related("item"))
    if not links:
        return []
    on_hand = dict(Batch.objects.filter(kindergarten=menu.kindergarten, item_id__in=[lk.item_id for lk in links],
                                        quantity__gt=0).values("item_id").annotate(q=Sum("quantity"))
                   .values_list("item_id", "q"))
    warnings = []
    for link in links:
        if not link.item.is_active:
            continue
        # fresh food is delivered on the morning it is cooked: only keep-in-store items are checked
        if link.item.shelf_life_days is not None and link.item.shelf_life_days <= 4:
            continue
        if not on_hand.get(link.item_id):
            food, entry = foods[link.food_id]
            warnings.append({"kind": "stock", "message": _("%(item)s (for %(dish)s) is out of stock.") % {
                "item": link.item, "dish": entry.dish_name}})
    return warnings


# --- diet survey (记账法) --------------------------------------------------------------------------


def kitchen_food_issued(*, kindergarten, start: dt.date, end: dt.date) -> list[dict]:
    """Food issued to the kitchen from the stock ledger, per item: [{"item_id", "name", "unit",
    "category", "quantity", "value"}] (positive quantities and yuan)."""
    from houqin.stock.models import Movement, MovementKind

    rows = (Movement.objects.filter(kindergarten=kindergarten, kind=MovementKind.ISSUE_KITCHEN, occurred_on__gte=start,
                                    occurred_on__lte=end)
            .values("item_id", "item__name", "item__unit", "item__category").annotate(q=Sum("quantity"), v=Sum("value"))
            .order_by("item__category", "item__name"))
    return [{"item_id": r["item_id"], "name": r["item__name"], "unit": r["item__unit"], "category": r["item__category"],
             "quantity": -Decimal(str(r["q"] or 0)), "value": -Decimal(str(r["v"] or 0)).quantize(CENT)} for r in rows]


def grade_child_days(*, kindergarten, start: dt.date, end: dt.date) -> dict[str, int]:
    from houqin.health.selectors import child_days_by_class
    from houqin.org.models import SchoolClass

    by_class = child_days_by_class(kindergarten=kindergarten, start=start, end=end)
    grades = dict(SchoolClass.objects.filter(pk__in=list(by_class)).values_list("pk", "grade"))
    result: dict[str, int] = defaultdict(int)
    for class_id, n in by_class.items():
        result[grades.get(class_id, Grade.MIDDLE)] += n
    return dict(result)


def survey_compute(*, kindergarten, month: dt.date, settings=None, rules=None) -> dict:
    """The diet survey of a month by the bookkeeping method: food issued to the kitchen (children's
    share) ÷ child-days = average intake per child per day, judged for the children's mean age.
    {"child_days", "analysis", "lines", "unlinked", "age"}; child_days 0 when nobody attended."""
    start, end = month_bounds(month)
    settings = settings or settings_for(kindergarten)
    rules = rules or rules_for(kindergarten)
    by_grade = grade_child_days(kindergarten=kindergarten, start=start, end=end)
    child_days = sum(by_grade.values())
    issued = kitchen_food_issued(kindergarten=kindergarten, start=start, end=end)
    links = {lk.item_id: lk for lk in StockFoodLink.objects.filter(kindergarten=kindergarten).select_related("food")}
    children_share = (Decimal("100") - settings.staff_meal_share) / Decimal("100")
    portions, lines, unlinked = [], [], []
    for row in issued:
        link = links.get(row["item_id"])
        if link is None:
            unlinked.append(row)
            continue
        grams_raw = float(row["quantity"] * link.grams_per_unit * children_share)
        grams_edible = grams_raw * float(link.food.edible_pct) / 100
        portions.append(nutrition.Portion(food=food_data(link.food), grams_raw=grams_raw, grams_edible=grams_edible))
        lines.append({**row, "food": link.food.name, "grams_raw": grams_raw,
                      "per_child_day": grams_raw / child_days if child_days else None})
    analysis = None
    age = 4
    if child_days:
        age = round(sum(GRADE_AGE.get(g, 4) * n for g, n in by_grade.items()) / child_days)
        analysis = nutrition.analyse(portions, divisor=child_days, age=age, care_type=settings.care_type, rules=rules)
    return {"child_days": child_days, "by_grade": by_grade, "analysis": analysis, "lines": lines,
            "unlinked": unlinked, "age": age, "start": start, "end": end}


def survey_list(*, actor):
    return policy.scoped(actor, "canteen.menu.view", DietSurvey.objects.active()).select_related("created_by")


def meeting_list(*, actor):
    return policy.scoped(actor, "canteen.committee.view", CommitteeMeeting.objects.active()).select_related(
        "created_by", "survey").annotate(revision_count=Count("menu_revisions"))


def get_meeting(*, actor, code) -> CommitteeMeeting:
    m = policy.scoped(actor, "canteen.committee.view", CommitteeMeeting.objects.active()).filter(code=code).first()
    if m is None:
        raise Http404
    return m


# --- the children's meal account ------------------------------------------------------------------


def meal_fee(*, kindergarten, month: dt.date, settings=None) -> tuple[Decimal | None, str]:
    """The daily meal fee for the month: the finance area's published 伙食费 fee standard per day for
    the term, else the canteen settings' fee. (fee, where it came from)."""
    from django.utils.translation import gettext as _

    try:
        from houqin.finance.models import FeeStandard, FeeUnit
    except ImportError:  # pragma: no cover - finance is installed
        FeeStandard = None
    if FeeStandard is not None:
        year = month.year if month.month >= 8 else month.year - 1
        term = "autumn" if month.month >= 8 or month.month == 1 else "spring"
        fee = (FeeStandard.objects.filter(kindergarten=kindergarten, school_year=year, term=term, unit=FeeUnit.PER_DAY,
                                          item__contains="伙食", voided_at__isnull=True).order_by("sort_order").first())
        if fee is not None:
            return fee.amount, _("fee standard “%(item)s” of the finance area") % {"item": fee.item}
    settings = settings or settings_for(kindergarten)
    if settings.meal_fee_per_day is not None:
        return settings.meal_fee_per_day, _("canteen settings")
    return None, ""


def attendance_counts(*, kindergarten, start: dt.date, end: dt.date) -> dict[str, int]:
    from houqin.health.selectors import days_by_child

    totals: dict[str, int] = defaultdict(int)
    for statuses in days_by_child(kindergarten=kindergarten, start=start, end=end).values():
        for status, n in statuses.items():
            totals[status] += n
    return dict(totals)


def pct(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole) * 100).quantize(CENT, rounding=ROUND_HALF_UP)


def account_list(*, actor, published_only: bool = False, capability: str = "canteen.account.view"):
    accounts = policy.scoped(actor, capability, MealAccount.objects.active())
    if published_only:
        accounts = accounts.filter(status="published")
    return accounts.select_related("published_by")


def get_account(*, actor, month: dt.date, capability: str = "canteen.account.view",
                published_only: bool = False) -> MealAccount | None:
    return account_list(actor=actor, published_only=published_only, capability=capability).filter(month=month).first()


def term_figures(kindergartens, start: dt.date, end: dt.date) -> dict[int, dict]:
    """The canteen's figures of a period for several kindergartens, in a fixed number of queries."""
    ids = [k.pk for k in kindergartens]
    result = {pk: {"menus": 0, "energy": [], "protein": [], "surveys": 0, "account": None} for pk in ids}
    menus = Menu.objects.active().filter(kindergarten_id__in=ids, status=MenuStatus.PUBLISHED,
                                         week_start__gte=week_start_of(start), week_start__lte=end)
    for kg_id, summary in menus.values_list("kindergarten_id", "summary"):
        r = result[kg_id]
        r["menus"] += 1
        for key in ("energy", "protein"):
            if summary and summary.get(f"{key}_pct") is not None:
                r[key].append(summary[f"{key}_pct"])
    for row in (DietSurvey.objects.active().filter(kindergarten_id__in=ids, month__gte=start.replace(day=1),
                                                    month__lte=end).values("kindergarten_id").annotate(n=Count("pk"))):
        result[row["kindergarten_id"]]["surveys"] = row["n"]
    accounts = (MealAccount.objects.active().filter(kindergarten_id__in=ids, status="published",
                                                   month__gte=start.replace(day=1), month__lte=end)
                .values("kindergarten_id").annotate(income=Sum("income"), balance=Sum("balance")))
    for row in accounts:
        result[row["kindergarten_id"]]["account"] = (row["balance"], row["income"])
    return result

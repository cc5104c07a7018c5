"""Write-side rules of the canteen. Every function is one transaction: bad input raises a
DomainError with every problem found, and nothing is saved."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import policy
from houqin.canteen import selectors, substitutes
from houqin.canteen.models import (
    ACCOUNT_TRANSITIONS,
    MEAL_ORDER,
    MENU_TRANSITIONS,
    NUTRIENT_FIELDS,
    AccountStatus,
    CanteenSettings,
    CareType,
    CommitteeMeeting,
    DietSurvey,
    Dish,
    DishCategory,
    DishIngredient,
    Food,
    Meal,
    MealAccount,
    Menu,
    MenuEntry,
    MenuEntryFood,
    MenuRevision,
    MenuStatus,
    MenuSubstitute,
    PagodaGroup,
    StockFoodLink,
)
from houqin.canteen.rules import rules_for
from houqin.core.errors import Conflict, Forbidden, raise_for
from houqin.core.numbers import decimal_into
from houqin.core.workflow import move

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
atomic = transaction.atomic


def _check(actor, capability: str, obj=None):
    """Shared rows (kindergarten None: the national food table) need only the capability."""
    policy.require(actor, capability, obj if getattr(obj, "kindergarten_id", None) is not None else None)


def _decimal(value, field: str, errors: list, *, label: str = "", required: bool = True) -> Decimal | None:
    return decimal_into(errors, field, value, required=required,
                        required_message=_("Enter %(what)s.") % {"what": label or field})


def _num(value: Decimal) -> str:
    """1000 → "1000", 12.50 → "12.5" (never "1E+3")."""
    return format(Decimal(value).normalize(), "f")


def max_grams(kindergarten) -> Decimal:
    return Decimal(str(rules_for(kindergarten).value("grams.max_per_meal")))


def check_grams(value, field: str, errors: list, limit: Decimal) -> Decimal | None:
    grams = _decimal(value, field, errors, label=_("the grams per child"))
    if grams is None:
        return None
    if grams <= 0:
        errors.append({"field": field, "message": _("Grams per child must be more than 0.")})
        return None
    if grams > limit:
        errors.append({"field": field, "message": _(
            "%(grams)s g of one food per child per meal is more than %(limit)s g: check the amount.") % {
            "grams": _num(grams), "limit": _num(limit)}})
        return None
    return grams.quantize(TENTH, rounding=ROUND_HALF_UP)


# --- settings and rule figures --------------------------------------------------------------------

SETTINGS_FIELDS = ("meals", "care_type", "factor_toddler", "factor_small", "factor_middle", "factor_large",
                   "meal_fee_per_day", "refund_sick_days", "refund_personal_days", "staff_meal_share")


@atomic
def settings_update(*, actor, **data) -> CanteenSettings:
    _check(actor, "canteen.settings.change")
    errors = []
    meals = [m for m in MEAL_ORDER if m in (data.get("meals") or [])]
    if not meals:
        errors.append({"field": "meals", "message": _("Choose at least one meal the kindergarten serves.")})
    if data.get("care_type") not in CareType.values:
        errors.append({"field": "care_type", "message": _("Choose the care type.")})
    for name in ("factor_toddler", "factor_small", "factor_middle", "factor_large"):
        f = _decimal(data.get(name), name, errors)
        if f is not None and not (Decimal("0.3") <= f <= Decimal("2")):
            errors.append({"field": name, "message": _("A portion factor lies between 0.3 and 2.")})
    fee = _decimal(data.get("meal_fee_per_day"), "meal_fee_per_day", errors, required=False)
    if fee is not None and fee < 0:
        errors.append({"field": "meal_fee_per_day", "message": _("The meal fee cannot be negative.")})
    share = _decimal(data.get("staff_meal_share"), "staff_meal_share", errors)
    if share is not None and not (0 <= share < 100):
        errors.append({"field": "staff_meal_share", "message": _("The staff meals share lies between 0 and 99 %.")})
    if errors:
        raise_for(errors)
    settings, _created = CanteenSettings.objects.select_for_update().get_or_create(
        kindergarten=actor.kindergarten, defaults={"created_by": actor.user})
    for name in SETTINGS_FIELDS:
        if name in data:
            setattr(settings, name, meals if name == "meals" else data[name])
    settings.save()
    return settings


@atomic
def stock_link_set(*, actor, item, food: Food, grams_per_unit) -> StockFoodLink:
    _check(actor, "canteen.settings.change", item)
    errors = []
    grams = _decimal(grams_per_unit, "grams_per_unit", errors, label=_("the grams per unit"))
    if grams is not None and grams <= 0:
        errors.append({"field": "grams_per_unit", "message": _("Grams per unit must be more than 0.")})
    if not item.is_food:
        errors.append({"field": "item", "message": _("Only food items can be linked to a food.")})
    if food.kindergarten_id not in (None, actor.kindergarten.pk):
        errors.append({"field": "food", "message": _("Choose a food of the table or of your kindergarten.")})
    if errors:
        raise_for(errors)
    link, _created = StockFoodLink.objects.update_or_create(
        item=item, defaults={"kindergarten": actor.kindergarten, "food": food, "grams_per_unit": grams,
                             "created_by": actor.user})
    return link


# --- foods and dishes -----------------------------------------------------------------------------


@atomic
def food_create(*, actor, name: str, pagoda_group: str, edible_pct=100, source: str = "", allergens: str = "",
                **values) -> Food:
    """A kindergarten's own food (a local product, a condiment) with its label's values per 100 g."""
    _check(actor, "canteen.menu.change")
    errors = []
    name = (name or "").strip()
    if not name:
        errors.append({"field": "name", "message": _("Enter the food's name.")})
    elif Food.objects.filter(kindergarten=actor.kindergarten, name=name).exists():
        errors.append({"field": "name", "message": _("Your kindergarten already has a food with this name.")})
    if pagoda_group not in PagodaGroup.values:
        errors.append({"field": "pagoda_group", "message": _("Choose the food group.")})
    edible = _decimal(edible_pct, "edible_pct", errors)
    if edible is not None and not (0 < edible <= 100):
        errors.append({"field": "edible_pct", "message": _("The edible portion lies between 1 and 100 %.")})
    numbers = {}
    for key in NUTRIENT_FIELDS:
        number = _decimal(values.get(key), key, errors, required=False)
        if number is not None and number < 0:
            errors.append({"field": key, "message": _("A nutrient value cannot be negative.")})
        numbers[key] = float(number) if number is not None else None
    if numbers.get("energy_kcal") is None or numbers.get("protein_g") is None:
        errors.append({"field": "energy_kcal", "message": _(
            "Enter at least the energy and the protein per 100 g (from the label): a food with no nutrient data "
            "cannot be analysed.")})
    if errors:
        raise_for(errors)
    return Food.objects.create(kindergarten=actor.kindergarten, name=name, pagoda_group=pagoda_group,
                               edible_pct=edible, source=(source or _("label")).strip()[:200],
                               allergens=(allergens or "").replace("，", ",")[:100], created_by=actor.user, **numbers)


def _ingredient_rows(actor, ingredients, errors) -> list[dict]:
    limit = max_grams(actor.kindergarten)
    rows = []
    seen = set()
    for i, line in enumerate(ingredients or []):
        food = line.get("food")
        field = line.get("field") or f"ingredients-{i}"
        if food is None:
            errors.append({"field": field, "message": _("Choose a food.")})
            continue
        if food.kindergarten_id not in (None, actor.kindergarten.pk):
            errors.append({"field": field, "message": _("Choose a food of the table or of your kindergarten.")})
            continue
        if not food.has_core_nutrients:
            errors.append({"field": field, "message": _(
                "%(food)s has no energy or protein value in the food table: choose another food or add it as your "
                "own food with its label values.") % {"food": food.name}})
            continue
        if food.pk in seen:
            errors.append({"field": field, "message": _("%(food)s is listed twice.") % {"food": food.name}})
            continue
        seen.add(food.pk)
        raw = check_grams(line.get("grams_raw"), field, errors, limit)
        if raw is None:
            continue
        edible = line.get("grams_edible")
        if edible in (None, ""):
            edible = (raw * food.edible_pct / 100).quantize(TENTH, rounding=ROUND_HALF_UP)
            edible = max(edible, TENTH)
        else:
            edible = check_grams(edible, field, errors, limit)
            if edible is None:
                continue
            if edible > raw:
                errors.append({"field": field, "message": _("The edible grams cannot be more than the raw grams.")})
                continue
        rows.append({"food": food, "grams_raw": raw, "grams_edible": edible})
    if not rows and not errors:
        errors.append({"field": "ingredients", "message": _("A dish needs at least one food.")})
    return rows


@atomic
def dish_save(*, actor, name: str, category: str, ingredients, notes: str = "", dish: Dish | None = None) -> Dish:
    """Create a dish (or replace an existing dish's foods): all of it or nothing."""
    _check(actor, "canteen.menu.change", dish)
    errors = []
    name = (name or "").strip()
    if not name:
        errors.append({"field": "name", "message": _("Enter the dish's name.")})
    else:
        clash = Dish.objects.filter(kindergarten=actor.kindergarten, name=name)
        if dish is not None:
            clash = clash.exclude(pk=dish.pk)
        if clash.exists():
            errors.append({"field": "name", "message": _("There is already a dish with this name.")})
    if category not in DishCategory.values:
        errors.append({"field": "category", "message": _("Choose the category.")})
    rows = _ingredient_rows(actor, ingredients, errors)
    if errors:
        raise_for(errors)
    if dish is None:
        dish = Dish.objects.create(kindergarten=actor.kindergarten, name=name, category=category, notes=notes or "",
                                   created_by=actor.user)
    else:
        dish = Dish.objects.select_for_update().get(pk=dish.pk)
        dish.name, dish.category, dish.notes = name, category, notes or ""
        dish.save()
        for old in dish.ingredients.all():
            old.delete()
    for row in rows:
        DishIngredient.objects.create(kindergarten=actor.kindergarten, dish=dish, created_by=actor.user, **row)
    return dish


# --- menus ----------------------------------------------------------------------------------------


def _week_start(value, errors) -> dt.date | None:
    if not isinstance(value, dt.date):
        errors.append({"field": "week_start", "message": _("Enter the Monday the week starts on.")})
        return None
    if value.weekday() != 0:
        errors.append({"field": "week_start", "message": _("A menu week starts on a Monday.")})
        return None
    return value


@atomic
def menu_create(*, actor, week_start: dt.date, days: int = 5, title: str = "", cycle_week=None,
                copy_from: Menu | None = None) -> Menu:
    """A new week's menu, empty or as a copy of another week's dishes and grams."""
    _check(actor, "canteen.menu.change", copy_from)
    errors = []
    week_start = _week_start(week_start, errors)
    if not (1 <= int(days or 0) <= 7):
        errors.append({"field": "days", "message": _("A menu covers 1 to 7 days.")})
    if week_start and Menu.objects.active().filter(kindergarten=actor.kindergarten, week_start=week_start).exists():
        errors.append({"field": "week_start", "message": _("There is already a menu for this week.")})
    if errors:
        raise_for(errors)
    try:
        with transaction.atomic():
            menu = Menu.objects.create(kindergarten=actor.kindergarten, week_start=week_start, days=days,
                                       title=(title or "").strip()[:60], cycle_week=cycle_week or None,
                                       copied_from=copy_from, created_by=actor.user)
    except IntegrityError:
        raise Conflict(_("There is already a menu for this week."),
                       errors=[{"field": "week_start", "message": _("There is already a menu for this week.")}])
    if copy_from is not None:
        _copy_entries(actor, copy_from, menu)
    return menu


def _copy_entries(actor, source: Menu, target: Menu) -> None:
    entries = selectors.menu_entries(source)
    new_entries = [MenuEntry(kindergarten=target.kindergarten, menu=target, day=e.day, meal=e.meal, dish_id=e.dish_id,
                             dish_name=e.dish_name, dish_category=e.dish_category, sort_order=e.sort_order,
                             created_by=actor.user) for e in entries if e.day < target.days]
    MenuEntry.objects.bulk_create(new_entries)
    foods = []
    for old, new in zip([e for e in entries if e.day < target.days], new_entries, strict=True):
        foods += [MenuEntryFood(kindergarten=target.kindergarten, entry=new, food_id=f.food_id, grams_raw=f.grams_raw,
                                grams_edible=f.grams_edible) for f in old.foods.all()]
    MenuEntryFood.objects.bulk_create(foods)
    # the substitutes the health teacher chose come along (the coverage check at publishing still runs)
    new_of = {old.pk: new for old, new in zip([e for e in entries if e.day < target.days], new_entries, strict=True)}
    MenuSubstitute.objects.bulk_create([
        MenuSubstitute(kindergarten=target.kindergarten, entry=new_of[s.entry_id], avoid=s.avoid, dish_id=s.dish_id,
                       dish_name=s.dish_name, created_by=actor.user)
        for s in MenuSubstitute.objects.filter(entry__menu=source, entry_id__in=list(new_of))])


def _revise(actor, menu: Menu, reason: str, change: str, meeting=None) -> None:
    """A published menu changes only with a reason, kept as a new version."""
    if not menu.is_published:
        return
    if not actor.has("canteen.menu.publish"):
        raise Forbidden(_("Only the principal, the logistics director or the health teacher may change a published "
                          "menu."))
    reason = (reason or "").strip()
    if not reason:
        raise_for([{"field": "reason", "message": _(
            "This menu is published: meals are served as published. Give the reason for the change.")}])
    if meeting is not None and meeting.kindergarten_id != menu.kindergarten_id:
        raise Forbidden()
    menu.version += 1
    menu.save(update_fields=["version", "updated_at"])
    MenuRevision.objects.create(kindergarten=menu.kindergarten, menu=menu, version=menu.version, reason=reason[:200],
                                change=change[:300], meeting=meeting, created_by=actor.user)


@atomic
def entry_add(*, actor, menu: Menu, day: int, meal: str, dish: Dish, factor=1, reason: str = "",
              meeting=None) -> MenuEntry:
    """Serve `dish` at `meal` of `day`: its foods are copied at grams × factor per child."""
    _check(actor, "canteen.menu.change", menu)
    _check(actor, "canteen.menu.change", dish)
    menu = menu.locked()
    if menu.is_voided:
        raise Conflict(_("This menu has been voided."))
    errors = []
    settings = selectors.settings_for(actor.kindergarten)
    if not isinstance(day, int) or not (0 <= day < menu.days):
        errors.append({"field": "day", "message": _("Choose a day of the menu's week.")})
    if meal not in settings.meal_list:
        errors.append({"field": "meal", "message": _("Choose one of the meals the kindergarten serves.")})
    f = _decimal(factor, "factor", errors)
    if f is not None and not (Decimal("0.1") <= f <= Decimal("5")):
        errors.append({"field": "factor", "message": _("The portion factor lies between 0.1 and 5.")})
    if not dish.is_active:
        errors.append({"field": "dish", "message": _("This dish is no longer in use.")})
    ingredients = list(dish.ingredients.select_related("food"))
    if not ingredients:
        errors.append({"field": "dish", "message": _("This dish has no foods yet.")})
    limit = max_grams(actor.kindergarten)
    if f is not None:
        for ing in ingredients:
            if ing.grams_raw * f > limit:
                errors.append({"field": "factor", "message": _(
                    "%(food)s would be %(grams)s g per child: more than %(limit)s g.") % {
                    "food": ing.food.name, "grams": _num((ing.grams_raw * f).quantize(TENTH)), "limit": _num(limit)}})
    if errors:
        raise_for(errors)
    weekday = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")][day]
    _revise(actor, menu, reason, _("added %(dish)s to %(day)s %(meal)s") % {
        "dish": dish.name, "day": weekday, "meal": Meal(meal).label}, meeting)
    last = MenuEntry.objects.filter(menu=menu, day=day, meal=meal).order_by("-sort_order").first()
    entry = MenuEntry.objects.create(kindergarten=menu.kindergarten, menu=menu, day=day, meal=meal, dish=dish,
                                     dish_name=dish.name, dish_category=dish.category,
                                     sort_order=(last.sort_order + 1) if last else 0, created_by=actor.user)
    MenuEntryFood.objects.bulk_create([
        MenuEntryFood(kindergarten=menu.kindergarten, entry=entry, food=ing.food,
                      grams_raw=(ing.grams_raw * f).quantize(TENTH, rounding=ROUND_HALF_UP),
                      grams_edible=max((ing.grams_edible * f).quantize(TENTH, rounding=ROUND_HALF_UP), TENTH))
        for ing in ingredients])
    if menu.is_published:
        _refresh_summary(menu)
    return entry


@atomic
def entry_remove(*, actor, entry: MenuEntry, reason: str = "", meeting=None) -> None:
    _check(actor, "canteen.menu.change", entry)
    menu = entry.menu.locked()
    weekday = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")][entry.day]
    _revise(actor, menu, reason, _("removed %(dish)s from %(day)s %(meal)s") % {
        "dish": entry.dish_name, "day": weekday, "meal": Meal(entry.meal).label}, meeting)
    MenuEntryFood.objects.filter(entry=entry).delete()
    entry.delete()
    if menu.is_published:
        _refresh_summary(menu)


def summary_of(menu: Menu) -> dict:
    """The figures of a menu kept when it is published (for the term's figures): energy and protein
    as % of the reference intake for the middle class."""
    analysis = selectors.menu_analysis(menu)
    energy, protein = analysis.nutrient("energy_kcal"), analysis.nutrient("protein_g")
    return {"energy_kcal": round(energy.intake, 1), "energy_pct": round(energy.pct_of_dri or 0, 1),
            "protein_g": round(protein.intake, 1), "protein_pct": round(protein.pct_of_dri or 0, 1),
            "target_pct": analysis.share_pct, "grade": "middle"}


def _refresh_summary(menu: Menu) -> None:
    menu.summary = summary_of(menu)
    menu.save(update_fields=["summary", "updated_at"])


@atomic
def menu_publish(*, actor, menu: Menu, notify: bool = True) -> Menu:
    """Publish a week's menu: read-only from now on, visible to parents (a notice tells them)."""
    _check(actor, "canteen.menu.publish", menu)
    menu = menu.locked()
    if menu.is_voided:
        raise Conflict(_("This menu has been voided."))
    move(menu, MenuStatus.PUBLISHED, MENU_TRANSITIONS, message=_("This menu is already published."))
    entries = selectors.menu_entries(menu)
    if not entries:
        raise_for([{"field": None, "message": _("This menu has no meals yet: add dishes before publishing it.")}])
    empty_days = sorted({d for d in range(menu.days)} - {e.day for e in entries})
    if empty_days:
        names = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
        raise_for([{"field": None, "message": _("These days have no meals yet: %(days)s.") % {
            "days": "、".join(str(names[d]) for d in empty_days)}}])
    substitutes.check_coverage(menu, entries)
    menu.published_at = timezone.now()
    menu.published_by = actor.user
    menu.summary = summary_of(menu)
    menu.save()
    if notify:
        _notify_parents(actor, title=_("Menu of the week of %(day)s") % {"day": f"{menu.week_start:%-m月%-d日}"},
                        body=_menu_text(menu, entries), source=f"canteen.menu:{menu.code}")
    return menu


def _menu_text(menu: Menu, entries) -> str:
    names = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    lines = []
    for day in range(menu.days):
        meals = []
        for meal in MEAL_ORDER:
            dishes = [e.dish_name for e in entries if e.day == day and e.meal == meal]
            if dishes:
                meals.append(f"{Meal(meal).label}：{'、'.join(dishes)}")
        lines.append(f"{names[day]}（{menu.week_start + dt.timedelta(days=day):%-m月%-d日}）" + "；".join(meals))
    return "\n".join(lines)


def _notify_parents(actor, *, title: str, body: str, source: str) -> None:
    try:
        from houqin.notices.models import Audience, NoticeKind
        from houqin.notices.services import publish_notice
    except ImportError:  # pragma: no cover - notices is installed
        return
    publish_notice(kindergarten=actor.kindergarten, user=actor.user, title=title, body=body, kind=NoticeKind.MEALS,
                   audience=Audience.PARENTS, source=source)


@atomic
def menu_void(*, actor, menu: Menu, reason: str) -> Menu:
    _check(actor, "canteen.menu.publish", menu)
    return menu.locked().void(actor=actor, reason=reason)


# --- diet survey and meal committee ---------------------------------------------------------------


@atomic
def survey_save(*, actor, month: dt.date, conclusion: str = "") -> DietSurvey:
    """Keep the month's diet survey (记账法) as computed now."""
    _check(actor, "canteen.menu.change")
    month = month.replace(day=1)
    data = selectors.survey_compute(kindergarten=actor.kindergarten, month=month)
    if not data["child_days"]:
        raise_for([{"field": "month", "message": _(
            "No attendance is recorded for this month: the survey divides the food by child-days.")}])
    if not data["lines"]:
        raise_for([{"field": "month", "message": _(
            "No food issued to the kitchen this month is linked to a food of the table: link the stock items first.")}])
    existing = DietSurvey.objects.active().select_for_update().filter(kindergarten=actor.kindergarten, month=month).first()
    result = {"analysis": data["analysis"].as_dict(), "age": data["age"], "by_grade": data["by_grade"],
              "lines": [{"name": r["name"], "food": r["food"], "grams_raw": round(r["grams_raw"], 1),
                         "per_child_day": round(r["per_child_day"], 2)} for r in data["lines"]],
              "unlinked": [r["name"] for r in data["unlinked"]]}
    if existing is not None:
        existing.child_days, existing.result, existing.conclusion = data["child_days"], result, conclusion or ""
        existing.save()
        return existing
    return DietSurvey.objects.create(kindergarten=actor.kindergarten, month=month, child_days=data["child_days"],
                                     result=result, conclusion=conclusion or "", created_by=actor.user)


@atomic
def meeting_create(*, actor, held_on: dt.date, members: str, minutes: str, decisions: str = "",
                   survey: DietSurvey | None = None) -> CommitteeMeeting:
    _check(actor, "canteen.committee.change", survey)
    errors = []
    if not isinstance(held_on, dt.date):
        errors.append({"field": "held_on", "message": _("Enter the date of the meeting.")})
    elif held_on > timezone.localdate():
        errors.append({"field": "held_on", "message": _("A meeting is recorded after it was held.")})
    if len([m for m in (members or "").splitlines() if m.strip()]) < 2:
        errors.append({"field": "members", "message": _("List the members present, one per line.")})
    if not (minutes or "").strip():
        errors.append({"field": "minutes", "message": _("Write the minutes.")})
    if errors:
        raise_for(errors)
    return CommitteeMeeting.objects.create(kindergarten=actor.kindergarten, held_on=held_on, members=members.strip(),
                                           minutes=minutes.strip(), decisions=(decisions or "").strip(), survey=survey,
                                           created_by=actor.user)


# --- the children's meal account ------------------------------------------------------------------


def compute_account(*, kindergarten, month: dt.date) -> dict:
    """The figures of a month's meal account (nothing saved)."""
    start, end = selectors.month_bounds(month)
    settings = selectors.settings_for(kindergarten)
    rules = rules_for(kindergarten)
    counts = selectors.attendance_counts(kindergarten=kindergarten, start=start, end=end)
    present = counts.get("present", 0)
    sick, personal = counts.get("sick", 0), counts.get("personal", 0)
    refunded = (sick if settings.refund_sick_days else 0) + (personal if settings.refund_personal_days else 0)
    billed = present + sick + personal - refunded
    fee, fee_source = selectors.meal_fee(kindergarten=kindergarten, month=start, settings=settings)
    issued = selectors.kitchen_food_issued(kindergarten=kindergarten, start=start, end=end)
    food_issued = sum((r["value"] for r in issued), Decimal("0"))
    share = settings.staff_meal_share / Decimal("100")
    by_category: dict[str, Decimal] = {}
    for r in issued:
        by_category[r["category"]] = by_category.get(r["category"], Decimal("0")) + r["value"]
    children = {k: (v * (1 - share)).quantize(CENT, rounding=ROUND_HALF_UP) for k, v in by_category.items()}
    expenditure = sum(children.values(), Decimal("0"))
    staff_share = food_issued - expenditure
    income = (fee * billed).quantize(CENT) if fee is not None else None
    refunds = (fee * refunded).quantize(CENT) if fee is not None else None
    billed_fees = _billed_meal_fees(kindergarten=kindergarten, month=start)
    if billed_fees is not None:  # the month's fee bills are issued: their meal fees are the income
        income, refunds = billed_fees["income"], billed_fees["refunds"]
        billed, refunded = billed_fees["billed_days"], billed_fees["refunded_days"]
        fee_source = _("the meal fees of %(n)d fee bills of the month") % {"n": billed_fees["bills"]}
    balance = income - expenditure if income is not None else None
    previous = (MealAccount.objects.active().filter(kindergarten=kindergarten, month__lt=start,
                                                    month__gte=_term_start(start))
                .aggregate(i=Sum("income"), b=Sum("balance")))
    cum_income = (previous["i"] or Decimal("0")) + (income or Decimal("0"))
    cum_balance = (previous["b"] or Decimal("0")) + (balance or Decimal("0"))
    return {
        "month": start, "child_days": present, "sick": sick, "personal": personal, "refunded_days": refunded,
        "billed_days": billed, "fee_per_day": fee, "fee_source": fee_source, "income": income, "refunds": refunds,
        "food_issued": food_issued, "staff_share": staff_share, "expenditure": expenditure,
        "by_category": {k: str(v) for k, v in sorted(children.items())}, "balance": balance,
        "balance_pct": selectors.pct(balance, income) if balance is not None else None,
        "cumulative_income": cum_income, "cumulative_balance": cum_balance,
        "cumulative_pct": selectors.pct(cum_balance, cum_income),
        "limit_pct": Decimal(str(rules.value("account.balance_limit_pct"))),
        "limit": rules.figure("account.balance_limit_pct"),
    }


def _billed_meal_fees(*, kindergarten, month: dt.date) -> dict | None:
    """The meal fees of the month's issued fee bills (houqin.finance.billing), or None."""
    from houqin.finance.billing import meal_income

    return meal_income(kindergarten=kindergarten, month=month)


def _term_start(month: dt.date) -> dt.date:
    """The first month of the term the month belongs to (Sept–Jan autumn, Feb–Jul spring)."""
    if month.month >= 9:
        return dt.date(month.year, 9, 1)
    if month.month == 1:
        return dt.date(month.year - 1, 9, 1)
    return dt.date(month.year, 2, 1)


ACCOUNT_FIELDS = ("child_days", "refunded_days", "billed_days", "fee_per_day", "fee_source", "income", "refunds",
                  "food_issued", "staff_share", "expenditure", "by_category", "balance", "balance_pct",
                  "cumulative_income", "cumulative_balance", "cumulative_pct", "limit_pct")


@atomic
def account_prepare(*, actor, month: dt.date, note: str = "") -> MealAccount:
    """Compute (or recompute) the draft meal account of a month."""
    _check(actor, "canteen.account.change")
    month = month.replace(day=1)
    if month > timezone.localdate():
        raise_for([{"field": "month", "message": _("This month has not begun.")}])
    existing = (MealAccount.objects.active().select_for_update()
                .filter(kindergarten=actor.kindergarten, month=month).first())
    if existing is not None and existing.is_published:
        raise Conflict(_("This month's account is published and can no longer change."))
    data = compute_account(kindergarten=actor.kindergarten, month=month)
    errors = []
    if not data["child_days"]:
        errors.append({"field": "month", "message": _(
            "No attendance is recorded for this month: the meal fees are billed by child-days.")})
    if data["fee_per_day"] is None:
        errors.append({"field": "month", "message": _(
            "There is no daily meal fee: publish a 伙食费 fee standard per day in finance, or set it in the canteen "
            "settings.")})
    if errors:
        raise_for(errors)
    values = {k: data[k] for k in ACCOUNT_FIELDS}
    if existing is None:
        return MealAccount.objects.create(kindergarten=actor.kindergarten, month=month, note=note or "",
                                          created_by=actor.user, **values)
    for k, v in values.items():
        setattr(existing, k, v)
    existing.note = note or existing.note
    existing.save()
    return existing


@atomic
def account_publish(*, actor, account: MealAccount, note: str = "") -> MealAccount:
    """Publish a month's account to parents; outside the limit, an explanation is required."""
    _check(actor, "canteen.account.change", account)
    account = MealAccount.objects.select_for_update().get(pk=account.pk)
    move(account, AccountStatus.PUBLISHED, ACCOUNT_TRANSITIONS, message=_("This month's account is already published."))
    if account.is_voided:
        raise Conflict(_("This account has been voided."))
    note = (note or account.note or "").strip()
    if (account.flagged or account.cumulative_flagged) and not note:
        raise_for([{"field": "note", "message": _(
            "The surplus or deficit is outside ±%(limit)s %%: explain it to the parents before publishing.") % {
            "limit": _num(account.limit_pct)}}])
    account.note = note
    account.published_at = timezone.now()
    account.published_by = actor.user
    account.save()
    body = _("Child-days %(days)d; income %(income)s yuan; children's food %(spent)s yuan; %(word)s %(balance)s yuan "
             "(%(pct)s %% of income); cumulated this term %(cum)s yuan (%(cum_pct)s %%).") % {
        "days": account.child_days, "income": account.income, "spent": account.expenditure,
        "word": _("surplus") if account.balance >= 0 else _("deficit"), "balance": abs(account.balance),
        "pct": account.balance_pct, "cum": account.cumulative_balance, "cum_pct": account.cumulative_pct}
    if note:
        body += "\n" + note
    _notify_parents(actor, title=_("Meal account of %(month)s") % {"month": f"{account.month:%Y年%-m月}"}, body=body,
                    source=f"canteen.account:{account.code}")
    return account

"""Menu optimizer (食谱优化): a week's dishes and grams that meet every nutrition target at the least
food cost, or the targets that cannot be met and by how much.

An integer programme solved by HiGHS (highspy): for every day, every slot of the meal pattern (a
lunch has a staple, a meat dish, a vegetable dish and a soup…) and every dish of the library that
fits the slot, a binary "served" and a continuous portion scale (0.7–1.3 × the dish's recipe when
served, 0 when not). Everything the nutrition analysis (`nutrition.analyse`) judges is linear in the
scales — the week's nutrients against the share of the DRIs, energy from protein / fat /
carbohydrate (ratios, written as linear inequalities), high-quality protein, the meal split, the
pagoda groups — and so is the food cost (stock prices through StockFoodLink, else a typical price of
the food's group) against the meal fee. Variety: a meat, vegetable, soup or snack dish at most once a
week, a fruit at most twice, no dish twice a day, at least one fish or shrimp dish a week. Children's
allergies: a dish that some child present that day must avoid is proposed only when the library has a
substitute safe for every such child; the substitute comes with the proposal, so that the week is
publishable.

Every target is elastic: a shortfall is allowed at a large penalty per per cent, so that an
impossible week still yields the closest menu, and the analysis of that menu says what is short.
The proposal's grams are checked by the same `nutrition.analyse` as a menu's (never by the solver's
own arithmetic).

The top half is pure (plain data in and out); the bottom half loads the library and writes.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from houqin.canteen import nutrition

# The meal pattern: per meal, the slots and the dish categories each slot takes.
SLOTS = {
    "breakfast": [("milk",), ("staple", "snack")],
    "morning_snack": [("fruit", "snack")],
    "lunch": [("staple",), ("meat",), ("vegetable",), ("soup",)],
    "afternoon_snack": [("fruit",), ("snack", "staple")],
    "supper": [("staple",), ("meat",), ("vegetable",)],
}
# At most this many times a week (categories not named: any number of times, e.g. rice).
WEEKLY_MAX = {"meat": 1, "vegetable": 1, "soup": 1, "snack": 1, "fruit": 2}
FISH_GROUP = "鱼虾蟹贝"  # the food table's group of fish, shrimp, crab and shellfish
FISH_GRAMS = 20
SCALE_LOW, SCALE_HIGH = 0.7, 1.3
CAPPED_ONLY = frozenset({"salt"})  # pagoda groups with an upper limit only
PENALTY = 1000.0  # per per cent of a target missed, against yuan of cost
# A typical price (yuan per kg as bought) of a food group, for foods with no stock price.
TYPICAL_PRICE = {"cereals": 6, "tubers": 4, "vegetables": 6, "fruit": 10, "meat": 40, "egg": 12, "milk": 12,
                 "soy": 8, "beans": 12, "nuts": 60, "oil": 16, "salt": 4, "sugar": 8, "other": 20}


@dataclass(frozen=True)
class DishData:
    id: int
    name: str
    category: str
    foods: tuple  # ((FoodData, grams raw, grams edible, food table group, yuan per g), …)
    tags: frozenset = frozenset()

    @property
    def is_fish(self) -> bool:
        """A fish or shrimp dish: at least FISH_GRAMS of the table's fish group (dried shrimp in a soup is not)."""
        return sum(raw for _f, raw, _e, table_group, _p in self.foods if table_group == FISH_GROUP) >= FISH_GRAMS


@dataclass
class Problem:
    days: int
    meals: list
    dishes: list
    rules: object
    age: int
    care_type: str
    factor: float = 1.0  # the age group's portion factor (the analysis multiplies the grams by it)
    budget: float | None = None  # yuan a child-day
    excluded: dict = field(default_factory=dict)  # {day: {dish id}} (allergens without a substitute)
    fixed: dict = field(default_factory=dict)  # {day: [(meal, slot, dish id)]}: days kept as they are
    forbid: dict = field(default_factory=dict)  # {day: {(meal, slot, dish id)}}: not this combination again
    fish_min: int = 1
    time_limit: float = 20.0  # seconds a phase; a week takes 1–2 s of CPU


@dataclass
class Result:
    entries: list  # [{"day", "meal", "slot", "dish_id", "dish", "category", "scale", "foods": [...]}]
    cost: float  # yuan a child-day
    shortfalls: list  # Chinese sentences: the targets not met
    met: bool
    solve_ms: float
    binaries: int
    analysis: object = None


def slots_for(meals) -> list[tuple[str, int, tuple]]:
    return [(meal, i, cats) for meal in meals for i, cats in enumerate(SLOTS.get(meal, []))]


def _coefs(dish: DishData, factor: float) -> dict:
    """What one recipe portion of `dish` brings (× the age factor), in the analysis' terms."""
    c = {"cost": 0.0, "hq": 0.0, "groups": {}, "n": {}}
    for food, raw, edible, _table_group, price in dish.foods:
        c["cost"] += raw * price
        c["groups"][food.group] = c["groups"].get(food.group, 0.0) + raw * factor
        for key in nutrition.NUTRIENT_KEYS:
            value = food.values.get(key)
            if value is not None:
                c["n"][key] = c["n"].get(key, 0.0) + edible * factor * value / 100
        protein = food.values.get("protein_g")
        if protein is not None and food.group in nutrition.HIGH_QUALITY:
            c["hq"] += edible * factor * protein / 100
    return c


def _targets(p: Problem):
    """The analysis' targets as (label, kind, data) for a week of p.days."""
    rules = p.rules
    share = float(rules.value(nutrition.SHARE_KEYS.get(p.care_type, nutrition.SHARE_KEYS["full_day_two"])))
    ref_age = nutrition.dri_age(p.age)
    out = []
    energy_target = None
    for key, label, _unit, _dec, compared in nutrition.NUTRIENTS:
        dri_key = f"dri.{key}.{ref_age}"
        if compared and dri_key in rules.figures and rules.value(dri_key):
            low = float(rules.value(dri_key)) * share / 100 * p.days
            out.append(("nutrient", key, label, low * 1.005, None))
            if key == "energy_kcal":
                energy_target = low
                out.append(("nutrient", key, label, None,
                            low * float(rules.value("energy.high_pct")) / 100 * 0.995))
    for key, label, kcal in (("protein", _("Protein"), 4), ("fat", _("Fat"), 9), ("carbohydrate", _("Carbohydrate"), 4)):
        out.append(("energy_share", f"{key}_g", (label, kcal), float(rules.value(f"pe.{key}.low")) + 0.1,
                    float(rules.value(f"pe.{key}.high")) - 0.1))
    out.append(("high_quality", "protein_g", None, float(rules.value("protein.high_quality_min")) + 0.2, None))
    groups_present = []
    for meal in p.meals:
        g = nutrition.MEAL_GROUPS.get(meal)
        if g and g not in groups_present:
            groups_present.append(g)
    total = sum(float(rules.value(f"meals.{g}")) for g in groups_present) or 1.0
    tol = float(rules.value("meals.tolerance"))
    if len(groups_present) > 1:
        for g in groups_present:
            expected = float(rules.value(f"meals.{g}")) / total * 100
            out.append(("meal", g, nutrition.MEAL_GROUP_LABELS[g], expected - tol + 0.2, expected + tol - 0.2))
    bracket = nutrition.pagoda_bracket(p.age)
    for group, label in nutrition.PAGODA_GROUPS:
        low, high = rules.value(f"pagoda.{bracket}.{group}.low"), rules.value(f"pagoda.{bracket}.{group}.high")
        low = float(low) * share / 100 * p.days if low is not None else None
        high = float(high) * share / 100 * p.days if high is not None else None
        if low is not None and high is not None and high - low > 0.02 * high:
            margin = min(0.01 * low, (high - low) / 4)
            low, high = low + margin, high - margin
        elif low is None and high is not None:
            high *= 0.99
        elif high is None and low is not None:
            low *= 1.01
        out.append(("group", group, label, low, high))
    return out, energy_target or 1000.0


def solve(p: Problem) -> Result:
    """The cheapest week meeting every target; when there is none (proven, or none found in the time
    allowed), the closest one: every target elastic at a large penalty per per cent missed."""
    started = time.perf_counter()
    found = _model(p, hard=True)
    if found is None:
        found = _model(p, hard=False)
    if found is None:
        raise RuntimeError("no solution")
    chosen, targets, by_id, binaries = found
    entries = []
    for (day, meal, s, j), scale in chosen:
        d = by_id[j]
        entries.append({"day": day, "meal": meal, "slot": s, "dish_id": j, "dish": d.name,
                        "category": d.category, "scale": scale, "foods": _grams(d, scale)})
    entries.sort(key=lambda e: (e["day"], list(SLOTS).index(e["meal"]), e["slot"]))
    _exact_groups(p, entries, by_id, targets)
    analysis = analyse(p, entries, by_id)
    day_cost = sum(f["raw"] * f["price"] for e in entries for f in e["foods"]) * p.factor / p.days
    shortfalls = shortfalls_of(analysis)
    if p.budget is not None and day_cost > p.budget + 0.005:
        shortfalls.append(_("The food costs at least ¥%(cost).2f a child-day, more than the ¥%(budget).2f of the meal "
                            "fee.") % {"cost": day_cost, "budget": p.budget})
    return Result(entries=entries, cost=round(day_cost, 2), shortfalls=shortfalls, met=not shortfalls,
                  solve_ms=(time.perf_counter() - started) * 1000, binaries=binaries, analysis=analysis)


def _model(p: Problem, *, hard: bool):
    """Build and solve the programme: with `hard`, every target a constraint (None when there is no
    such week, or none was found in time); else every target elastic. [((day, meal, slot, dish id),
    scale)] of the dishes served, the targets, the dishes by id, the number of binaries."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(p.time_limit))
    h.setOptionValue("mip_rel_gap", 0.02)
    h.setOptionValue("mip_heuristic_effort", 0.3)
    h.setOptionValue("random_seed", 1)
    slots = slots_for(p.meals)
    coefs = {d.id: _coefs(d, p.factor) for d in p.dishes}
    by_id = {d.id: d for d in p.dishes}
    xs, ys = {}, {}  # (day, meal, slot, dish id) → variable
    for day in range(p.days):
        fixed = {(m, s): j for m, s, j in p.fixed.get(day, [])}
        for meal, s, cats in slots:
            if (meal, s) in fixed:
                pool = [by_id[fixed[(meal, s)]]] if fixed[(meal, s)] in by_id else []
            else:
                pool = [d for d in p.dishes if d.category in cats and d.id not in p.excluded.get(day, set())]
            for d in pool:
                key = (day, meal, s, d.id)
                xs[key] = h.addBinary()
                ys[key] = h.addVariable(lb=0, ub=SCALE_HIGH)
                h.addConstr(ys[key] <= SCALE_HIGH * xs[key])
                h.addConstr(ys[key] >= SCALE_LOW * xs[key])
            if not pool:
                raise ValueError(f"no dish for {meal} slot {s}")
            h.addConstr(h.qsum([xs[(day, meal, s, d.id)] for d in pool]) == 1)
        for j in {k[3] for k in xs if k[0] == day}:
            same = [xs[k] for k in xs if k[0] == day and k[3] == j]
            if len(same) > 1:
                h.addConstr(h.qsum(same) <= 1)
        if p.forbid.get(day):
            old = [xs[(day, m, s, j)] for m, s, j in p.forbid[day] if (day, m, s, j) in xs]
            if len(old) == len(p.forbid[day]):
                h.addConstr(h.qsum(old) <= len(old) - 1)
    only = {}  # slots of the week that take one category only, by category
    for _meal, _s, cats in slots:
        if len(cats) == 1:
            only[cats[0]] = only.get(cats[0], 0) + p.days
    pool = {}
    for d in p.dishes:
        pool[d.category] = pool.get(d.category, 0) + 1
    for d in p.dishes:
        limit = WEEKLY_MAX.get(d.category)
        if limit is not None:  # a library too small for the rule repeats its dishes as little as it can
            limit = max(limit, -(-only.get(d.category, 0) // max(pool[d.category], 1)))
        mine = [xs[k] for k in xs if k[3] == d.id]
        if limit is not None and len(mine) > limit:
            h.addConstr(h.qsum(mine) <= limit)
    fish = [xs[k] for k in xs if by_id[k[3]].is_fish]
    if p.fish_min and fish:
        h.addConstr(h.qsum(fish) >= min(p.fish_min, p.days))

    def total(fn):
        terms = [(fn(k), ys[k]) for k in ys]
        return h.qsum([c * y for c, y in terms if c])

    targets, energy_target = _targets(p)
    slacks = []

    def elastic(expr, low, high, norm):
        if hard:
            if low is not None:
                h.addConstr(expr >= low)
            if high is not None:
                h.addConstr(expr <= high)
            return
        if low is not None:
            s = h.addVariable(lb=0, ub=100)
            slacks.append(s)
            h.addConstr(expr + norm / 100 * s >= low)
        if high is not None:
            s = h.addVariable(lb=0, ub=100)
            slacks.append(s)
            h.addConstr(expr - norm / 100 * s <= high)

    energy = total(lambda k: coefs[k[3]]["n"].get("energy_kcal", 0.0))
    week_energy = energy_target * p.days / 1.0
    for kind, key, _label, low, high in targets:
        if kind == "nutrient":
            elastic(total(lambda k, key=key: coefs[k[3]]["n"].get(key, 0.0)), low, high, low or high)
        elif kind == "energy_share":
            kcal = _label[1]
            part = total(lambda k, key=key, kcal=kcal: coefs[k[3]]["n"].get(key, 0.0) * kcal)
            # low % ≤ part ÷ energy × 100 ≤ high %
            elastic(part - energy * (low / 100), 0.0, None, week_energy)
            elastic(part - energy * (high / 100), None, 0.0, week_energy)
        elif kind == "high_quality":
            hq = total(lambda k: coefs[k[3]]["hq"])
            protein = total(lambda k: coefs[k[3]]["n"].get("protein_g", 0.0))
            elastic(hq - protein * (low / 100), 0.0, None, week_energy / 40)
        elif kind == "meal":
            part = total(lambda k, g=key: coefs[k[3]]["n"].get("energy_kcal", 0.0)
                         if nutrition.MEAL_GROUPS.get(k[1]) == g else 0.0)
            elastic(part - energy * (low / 100), 0.0, None, week_energy)
            elastic(part - energy * (high / 100), None, 0.0, week_energy)
        elif kind == "group":
            expr = total(lambda k, g=key: coefs[k[3]]["groups"].get(g, 0.0))
            elastic(expr, low, high, (low or high or 100.0))
    cost = total(lambda k: coefs[k[3]]["cost"])
    if p.budget is not None:
        elastic(cost, None, p.budget * p.days, p.budget * p.days)
    h.setObjective(cost + PENALTY * h.qsum(slacks) if slacks else cost, sense=highspy.ObjSense.kMinimize)
    h.run()
    if h.getInfo().primal_solution_status != 2:
        return None
    chosen = [(key, round(h.val(ys[key]), 3)) for key, x in xs.items() if h.val(x) > 0.5]
    return chosen, targets, by_id, len(xs)


def _tenth(value: float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _grams(dish: DishData, scale: float) -> list[dict]:
    foods = []
    for food, raw, edible, _table_group, price in dish.foods:
        if food.group in CAPPED_ONLY:  # salt: rounded down, so that rounding never takes it over its cap
            r = max(float(Decimal(str(raw * scale)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)), 0.1)
        else:
            r = max(_tenth(raw * scale), 0.1)
        e = min(max(_tenth(edible * scale), 0.1), r)
        foods.append({"food_id": food.id, "raw": r, "edible": e, "price": price})
    return foods


def _exact_groups(p: Problem, entries: list, by_id: dict, targets) -> None:
    """A pagoda group whose range is one figure (eggs: 50 g, no less, no more) is met exactly after
    rounding: its portions in whole grams, the difference put on the largest one."""
    for kind, group, _label, low, high in targets:
        if kind != "group" or low is None or high is None or abs(high - low) > 1e-9:
            continue
        want = round(low / p.factor)
        portions = []
        for e in entries:
            foods = dict((f.id, f) for f, *_rest in by_id[e["dish_id"]].foods)
            for f in e["foods"]:
                if foods[f["food_id"]].group == group:
                    portions.append(f)
        if not portions:
            continue
        for f in portions:
            ratio = f["edible"] / f["raw"]
            f["raw"] = float(max(round(f["raw"]), 1))
            f["edible"] = min(max(_tenth(f["raw"] * ratio), 0.1), f["raw"])
        diff = want - sum(f["raw"] for f in portions)
        biggest = max(portions, key=lambda f: f["raw"])
        if biggest["raw"] + diff >= 1:
            ratio = biggest["edible"] / biggest["raw"]
            biggest["raw"] = float(biggest["raw"] + diff)
            biggest["edible"] = min(max(_tenth(biggest["raw"] * ratio), 0.1), biggest["raw"])


def analyse(p: Problem, entries: list, by_id: dict) -> nutrition.Analysis:
    """The proposal judged by the canteen's nutrition analysis, exactly as a menu of these grams."""
    foods = {f.id: f for d in by_id.values() for f, *_rest in d.foods}
    portions = [nutrition.Portion(food=foods[f["food_id"]], grams_edible=f["edible"] * p.factor,
                                  grams_raw=f["raw"] * p.factor, meal=e["meal"])
                for e in entries for f in e["foods"]]
    return nutrition.analyse(portions, divisor=p.days, age=p.age, care_type=p.care_type, rules=p.rules,
                             meals=p.meals)


def shortfalls_of(analysis: nutrition.Analysis) -> list[str]:
    """The targets the analysis finds not met, in plain Chinese with how far they are."""
    out = []
    for n in analysis.nutrients:
        if n.status == nutrition.LOW and n.target_pct:
            out.append(_("%(nutrient)s can reach at most %(pct).0f %% of the target (%(value).0f %% of the reference "
                         "intake against %(target).0f %%).") % {
                "nutrient": n.label, "pct": n.pct_of_dri / n.target_pct * 100, "value": n.pct_of_dri,
                "target": n.target_pct})
        elif n.status == nutrition.HIGH:
            out.append(_("%(nutrient)s is at least %(value).0f %% of the reference intake, above the limit.") % {
                "nutrient": n.label, "value": n.pct_of_dri})
    ranges = list(analysis.energy_sources) + list(analysis.meals) + list(analysis.groups)
    if analysis.high_quality_protein is not None:
        ranges.append(analysis.high_quality_protein)
    for r in ranges:
        if r.status not in (nutrition.LOW, nutrition.HIGH) or r.value is None:
            continue
        bound = r.low if r.status == nutrition.LOW else r.high
        unit = "%" if r.unit in ("%E", "%") else " g"
        if r.status == nutrition.LOW:
            out.append(_("%(what)s: at most %(value).1f%(unit)s, short of the %(bound).1f%(unit)s asked.") % {
                "what": r.label, "value": r.value, "bound": bound, "unit": unit})
        else:
            out.append(_("%(what)s: at least %(value).1f%(unit)s, above the %(bound).1f%(unit)s allowed.") % {
                "what": r.label, "value": r.value, "bound": bound, "unit": unit})
    return out


def substitutes_for(dishes: list, needs: list, day_date: dt.date) -> dict:
    """{dish id: {tag: substitute dish id}} for the dishes that some child present on `day_date` must
    avoid, or None for a dish that has no substitute safe for every such child. `needs` are rows of
    houqin.health.diets.needs_between (whole-meal diets are served apart and do not count)."""
    from houqin.health.allergens import WHOLE_MEAL_DIETS

    current = [n for n in needs if n["start"] <= day_date and (n["end"] is None or day_date <= n["end"])
               and n["key"] not in WHOLE_MEAL_DIETS]
    by_child: dict = {}
    for n in current:
        by_child.setdefault(n["child_id"], set()).update(n["tags"])
    out = {}
    for d in dishes:
        hits = set()
        for tags in by_child.values():
            hits |= d.tags & tags
        if not hits:
            continue
        chosen = {}
        for tag in sorted(hits):
            avoid = set().union(*(tags for tags in by_child.values() if tag in tags))
            safe = [s for s in dishes if s.id != d.id and not (s.tags & avoid)]
            safe.sort(key=lambda s: (s.category != d.category, s.name))
            if not safe:
                chosen = None
                break
            chosen[tag] = safe[0].id
        out[d.id] = chosen
    return out


# --- loading and writing ---------------------------------------------------------------------------


def food_prices(kindergarten, foods) -> dict:
    """Yuan per gram as bought of each food: the newest stock batch's unit cost of the stock item
    linked to it (StockFoodLink), else the typical price of its group."""
    from houqin.canteen.models import StockFoodLink
    from houqin.stock.models import Batch

    links = {lk.item_id: lk for lk in StockFoodLink.objects.filter(kindergarten=kindergarten,
                                                                 food_id__in=[f.pk for f in foods])}
    prices = {}
    batches = (Batch.objects.filter(kindergarten=kindergarten, item_id__in=list(links), unit_cost__gt=0)
               .order_by("item_id", "-received_at", "-pk").values_list("item_id", "unit_cost"))
    for item_id, unit_cost in batches:
        link = links[item_id]
        prices.setdefault(link.food_id, float(unit_cost) / float(link.grams_per_unit))
    return {f.pk: prices.get(f.pk, TYPICAL_PRICE.get(f.pagoda_group, 20) / 1000) for f in foods}


def library(kindergarten) -> list[DishData]:
    """The kindergarten's active dishes with their foods, as plain data."""
    from django.db.models import Prefetch

    from houqin.canteen.models import Dish, DishIngredient
    from houqin.canteen.selectors import food_data
    from houqin.canteen.substitutes import dish_tags

    dishes = list(Dish.objects.filter(kindergarten=kindergarten, is_active=True).prefetch_related(
        Prefetch("ingredients", DishIngredient.objects.select_related("food"))).order_by("category", "name"))
    foods = {i.food_id: i.food for d in dishes for i in d.ingredients.all()}
    prices = food_prices(kindergarten, list(foods.values()))
    data = {fid: food_data(f) for fid, f in foods.items()}
    out = []
    for d in dishes:
        ings = list(d.ingredients.all())
        if not ings or any(not i.food.has_core_nutrients for i in ings):
            continue
        out.append(DishData(id=d.pk, name=d.name, category=d.category, tags=dish_tags(i.food for i in ings),
                            foods=tuple((data[i.food_id], float(i.grams_raw), float(i.grams_edible),
                                         i.food.food_group, prices[i.food_id]) for i in ings)))
    return out


def problem_for(kindergarten, *, week_start: dt.date, days: int, grade: str, budget=None) -> Problem:
    from houqin.canteen.rules import rules_for
    from houqin.canteen.selectors import settings_for
    from houqin.health.diets import needs_between
    from houqin.org.models import GRADE_AGE

    settings = settings_for(kindergarten)
    dishes = library(kindergarten)
    needs = needs_between(kindergarten=kindergarten, start=week_start, end=week_start + dt.timedelta(days=days - 1))
    excluded = {}
    for day in range(days):
        subs = substitutes_for(dishes, needs, week_start + dt.timedelta(days=day))
        excluded[day] = {dish_id for dish_id, chosen in subs.items() if chosen is None}
    return Problem(days=days, meals=settings.meal_list, dishes=dishes, rules=rules_for(kindergarten),
                   age=GRADE_AGE.get(grade, 4), care_type=settings.care_type, factor=float(settings.factor_for(grade)),
                   budget=float(budget) if budget is not None else None, excluded=excluded)


def _week(kindergarten, week_start, errors) -> None:
    from houqin.canteen.models import Menu

    if not isinstance(week_start, dt.date) or week_start.weekday() != 0:
        errors.append({"field": "week_start", "message": _("A menu week starts on a Monday.")})
    elif Menu.objects.active().filter(kindergarten=kindergarten, week_start=week_start).exists():
        errors.append({"field": "week_start", "message": _("There is already a menu for this week.")})


def _run(kindergarten, *, week_start, days, grade, budget, fixed=None, forbid=None) -> dict:
    """Solve, and the result as the JSON kept on the proposal (with the substitutes of each entry)."""
    from houqin.core.errors import raise_for
    from houqin.health.diets import needs_between

    problem = problem_for(kindergarten, week_start=week_start, days=days, grade=grade, budget=budget)
    problem.fixed, problem.forbid = fixed or {}, forbid or {}
    try:
        result = solve(problem)
    except ValueError:
        raise_for([{"field": None, "message": _(
            "The dish library has no dish for some part of the meal pattern: add dishes of every category "
            "(staple, meat, vegetable, soup, milk, fruit, snack) first.")}])
    except RuntimeError:
        raise_for([{"field": None, "message": _("No menu could be found for this week: change the day or the "
                                                "dish library and try again.")}])
    names = {d.id: d.name for d in problem.dishes}
    needs = needs_between(kindergarten=kindergarten, start=week_start, end=week_start + dt.timedelta(days=days - 1))
    by_day = {day: substitutes_for(problem.dishes, needs, week_start + dt.timedelta(days=day)) for day in range(days)}
    for e in result.entries:
        chosen = by_day[e["day"]].get(e["dish_id"]) or {}
        e["substitutes"] = {tag: {"dish_id": sid, "dish": names[sid]} for tag, sid in chosen.items()}
    a = result.analysis
    figures = [{"kind": "nutrient", "key": n.key, "value": n.pct_of_dri, "low": n.target_pct, "status": n.status}
               for n in a.nutrients if n.pct_of_dri is not None]
    for kind, rows in (("energy", a.energy_sources), ("meal", a.meals), ("group", a.groups),
                       ("hq", [a.high_quality_protein] if a.high_quality_protein else [])):
        figures += [{"kind": kind, "key": r.key, "value": r.value, "low": r.low, "high": r.high, "status": r.status}
                    for r in rows]
    return {"entries": result.entries, "cost": result.cost, "shortfalls": result.shortfalls, "met": result.met,
            "solve_ms": round(result.solve_ms), "binaries": result.binaries, "figures": figures}


def _grade(grade, errors) -> str:
    from houqin.org.models import Grade

    if grade not in Grade.values:
        errors.append({"field": "grade", "message": _("Choose the age group.")})
    return grade


@transaction.atomic
def proposal_create(*, actor, week_start: dt.date, grade: str = "middle", days: int = 5, budget=None):
    """Propose a week's menu for `grade` at the least food cost (at most `budget` yuan a child-day,
    else the meal fee)."""
    from houqin import policy
    from houqin.canteen.models import MenuProposal
    from houqin.canteen.selectors import meal_fee
    from houqin.core.errors import raise_for
    from houqin.core.numbers import decimal_into

    policy.require(actor, "canteen.menu.change")
    kg = actor.kindergarten
    errors = []
    _week(kg, week_start, errors)
    _grade(grade, errors)
    if not isinstance(days, int) or not (1 <= days <= 7):
        errors.append({"field": "days", "message": _("A menu covers 1 to 7 days.")})
    if budget in (None, "") and isinstance(week_start, dt.date):
        budget = meal_fee(kindergarten=kg, month=week_start)[0]
    else:
        budget = decimal_into(errors, "budget", budget, required=False)
        if budget is not None and budget <= 0:
            errors.append({"field": "budget", "message": _("The food cost a child-day must be more than 0.")})
    if errors:
        raise_for(errors)
    result = _run(kg, week_start=week_start, days=days, grade=grade, budget=budget)
    return MenuProposal.objects.create(kindergarten=kg, week_start=week_start, days=days, grade=grade,
                                       budget=budget, result=result, created_by=actor.user)


def _locked_open(proposal):
    from houqin.canteen.models import MenuProposal
    from houqin.core.errors import Conflict

    proposal = MenuProposal.objects.select_for_update().get(pk=proposal.pk)
    if not proposal.is_open:
        raise Conflict(_("This proposal has already been accepted as a draft menu."))
    return proposal


@transaction.atomic
def proposal_redo_day(*, actor, proposal, day: int):
    """Propose `day` again: the other days keep their dishes; this day gets other dishes."""
    from houqin import policy
    from houqin.core.errors import raise_for

    policy.require(actor, "canteen.menu.change", proposal)
    proposal = _locked_open(proposal)
    if not isinstance(day, int) or not (0 <= day < proposal.days):
        raise_for([{"field": "day", "message": _("Choose a day of the menu's week.")}])
    entries = proposal.result.get("entries", [])
    fixed = {}
    for e in entries:
        if e["day"] != day:
            fixed.setdefault(e["day"], []).append((e["meal"], e["slot"], e["dish_id"]))
    forbid = {day: {(e["meal"], e["slot"], e["dish_id"]) for e in entries if e["day"] == day}}
    proposal.result = _run(proposal.kindergarten, week_start=proposal.week_start, days=proposal.days,
                           grade=proposal.grade, budget=proposal.budget, fixed=fixed, forbid=forbid)
    proposal.save(update_fields=["result", "updated_at"])
    return proposal


@transaction.atomic
def proposal_accept(*, actor, proposal):
    """The proposal becomes a draft menu of its week (canteen's menu service), with its grams and the
    substitutes for the children who must avoid a dish; the health teacher edits and publishes it."""
    from houqin import policy
    from houqin.canteen import services
    from houqin.canteen.models import Dish, MenuEntry, MenuEntryFood, MenuSubstitute, ProposalStatus
    from houqin.core.errors import raise_for

    policy.require(actor, "canteen.menu.change", proposal)
    proposal = _locked_open(proposal)
    entries = proposal.result.get("entries", [])
    dish_ids = {e["dish_id"] for e in entries} | {s["dish_id"] for e in entries
                                                  for s in e.get("substitutes", {}).values()}
    dishes = {d.pk: d for d in Dish.objects.filter(kindergarten=proposal.kindergarten, pk__in=dish_ids,
                                                   is_active=True)}
    if not entries or len(dishes) != len(dish_ids):
        raise_for([{"field": None, "message": _(
            "A dish of this proposal has been changed or taken out of use since: propose the week again.")}])
    menu = services.menu_create(actor=actor, week_start=proposal.week_start, days=proposal.days,
                                title=_("Optimized menu"))
    kg = proposal.kindergarten
    rows = [MenuEntry(kindergarten=kg, menu=menu, day=e["day"], meal=e["meal"], dish=dishes[e["dish_id"]],
                      dish_name=dishes[e["dish_id"]].name, dish_category=dishes[e["dish_id"]].category,
                      sort_order=i, created_by=actor.user) for i, e in enumerate(entries)]
    MenuEntry.objects.bulk_create(rows)
    MenuEntryFood.objects.bulk_create([
        MenuEntryFood(kindergarten=kg, entry=row, food_id=f["food_id"], grams_raw=Decimal(str(f["raw"])),
                      grams_edible=Decimal(str(f["edible"])))
        for row, e in zip(rows, entries, strict=True) for f in e["foods"]])
    MenuSubstitute.objects.bulk_create([
        MenuSubstitute(kindergarten=kg, entry=row, avoid=tag, dish=dishes[s["dish_id"]],
                       dish_name=dishes[s["dish_id"]].name, created_by=actor.user)
        for row, e in zip(rows, entries, strict=True) for tag, s in e.get("substitutes", {}).items()])
    proposal.status, proposal.menu = ProposalStatus.ACCEPTED, menu
    proposal.save(update_fields=["status", "menu", "updated_at"])
    return menu

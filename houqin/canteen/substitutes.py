"""替代餐: which child gets what instead, for every day and meal of a menu.

A dish's avoid tags are its foods' tags (houqin.health.allergens.food_tags: the food composition
table's allergen words, and pork / meat for the diets). A child's tags come from the confirmed
records of the health register in force that day (never from Child.notes). For each menu entry whose
tags meet a child's, the child gets the substitute the health teacher chose for that entry and one of
the tags met — provided the substitute itself carries none of the child's tags. Liquid and soft diets
change the whole meal: the child is listed for every meal of those days, with no dish to check.

The top half is pure (plain data in, plain data out, unit-tested); the bottom half loads it and
writes the substitutes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils.translation import gettext as _

from houqin import policy
from houqin.core.errors import raise_for
from houqin.health.allergens import WHOLE_MEAL_DIETS, food_tags, tag_label

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _weekday(day: int) -> str:
    return str(_(WEEKDAYS[day]))


def dish_tags(foods) -> frozenset[str]:
    """The avoid tags of a dish from its foods (objects with allergens, pagoda_group, name, food_group)."""
    tags = set()
    for f in foods:
        tags |= food_tags(allergens=f.allergens, pagoda_group=f.pagoda_group, name=f.name, food_group=f.food_group)
    return frozenset(tags)


TAG_FIELDS = ("allergens", "pagoda_group", "name", "food_group")  # the fields of a food dish_tags reads


def dishes_tags(dish_ids) -> dict[int, frozenset[str]]:
    """The avoid tags (dish_tags) of each dish of the library, in one query of its foods' tag fields only
    (not whole foods with their nutrients). {dish id: tags}; a dish with no ingredient: no tags."""
    from types import SimpleNamespace

    from houqin.canteen.models import DishIngredient

    dish_ids = list(dish_ids)
    foods: dict[int, list] = defaultdict(list)
    for dish_id, *values in (DishIngredient.objects.filter(dish_id__in=dish_ids)
                             .values_list("dish_id", *(f"food__{f}" for f in TAG_FIELDS))):
        foods[dish_id].append(SimpleNamespace(**dict(zip(TAG_FIELDS, values))))
    return {pk: dish_tags(foods.get(pk, ())) for pk in dish_ids}


def _in_force(need: dict, day: dt.date) -> bool:
    return need["start"] <= day and (need["end"] is None or day <= need["end"])


def assign(*, week_start: dt.date, entries: list[dict], needs: list[dict], substitutes: dict) -> list[dict]:
    """Every child affected by every entry of a menu, and what they get instead.

    entries: [{"id", "day", "meal", "dish", "tags"}]; needs: rows of houqin.health.diets.needs_between;
    substitutes: {(entry id, tag): {"dish", "tags"}}.
    Returns rows sorted by day, meal order of the entries, class, child:
    {"day", "date", "meal", "entry_id", "dish", "child_id", "child", "class_id", "class", "avoid" (labels of
    the tags met, or of the whole-meal diet), "tags", "severe", "substitute" (name or None),
    "whole_meal", "unsafe" (a substitute exists but the child must avoid it too)}."""
    by_child: dict[int, list[dict]] = defaultdict(list)
    for need in needs:
        by_child[need["child_id"]].append(need)
    rows = []
    meals_seen: dict[tuple[int, str], None] = {}
    for entry in entries:
        meals_seen.setdefault((entry["day"], entry["meal"]), None)
    for entry in entries:
        date = week_start + dt.timedelta(days=entry["day"])
        for child_needs in by_child.values():
            current = [n for n in child_needs if _in_force(n, date)]
            if not current or any(n["key"] in WHOLE_MEAL_DIETS for n in current):
                continue
            child_tags = frozenset().union(*(n["tags"] for n in current))
            hits = sorted(entry["tags"] & child_tags)
            if not hits:
                continue
            chosen, unsafe = None, False
            for tag in hits:
                sub = substitutes.get((entry["id"], tag))
                if sub is None:
                    continue
                if sub["tags"] & child_tags:
                    unsafe = True
                    continue
                chosen = sub["dish"]
                break
            first = current[0]
            rows.append({
                "day": entry["day"], "date": date, "meal": entry["meal"], "entry_id": entry["id"],
                "dish": entry["dish"], "child_id": first["child_id"], "child": first["child"],
                "class_id": first["class_id"], "class": first["class"], "avoid": [tag_label(t) for t in hits],
                "tags": hits, "severe": any(n["severity"] == "severe" and n["key"] in hits for n in current),
                "substitute": chosen, "whole_meal": False, "unsafe": unsafe and chosen is None})
    for (day, meal) in meals_seen:
        date = week_start + dt.timedelta(days=day)
        for child_needs in by_child.values():
            whole = [n for n in child_needs if _in_force(n, date) and n["key"] in WHOLE_MEAL_DIETS]
            if whole:
                n = whole[0]
                rows.append({
                    "day": day, "date": date, "meal": meal, "entry_id": None, "dish": "", "child_id": n["child_id"],
                    "child": n["child"], "class_id": n["class_id"], "class": n["class"], "avoid": [n["label"]],
                    "tags": [], "severe": False, "substitute": n["label"], "whole_meal": True, "unsafe": False})
    order = {key: i for i, key in enumerate(meals_seen)}
    rows.sort(key=lambda r: (r["day"], order[(r["day"], r["meal"])], r["class"], r["child"], r["dish"]))
    return rows


def uncovered(rows: list[dict]) -> list[dict]:
    """The rows where an affected child has no safe substitute."""
    return [r for r in rows if r["substitute"] is None and not r["whole_meal"]]


def coverage_messages(rows: list[dict], meal_labels: dict) -> list[str]:
    """One Chinese sentence per day, meal, dish and allergen still without a substitute, naming the children."""
    groups: dict[tuple, list[str]] = {}
    for r in uncovered(rows):
        key = (r["day"], r["meal"], r["dish"], "、".join(r["avoid"]))
        groups.setdefault(key, []).append(f"{r['child']}（{r['class']}）")
    return [_("%(day)s %(meal)s: %(dish)s contains %(allergen)s and has no substitute for %(children)s.") % {
        "day": _weekday(day), "meal": meal_labels.get(meal, meal), "dish": dish, "allergen": allergen,
        "children": "、".join(children)} for (day, meal, dish, allergen), children in groups.items()]


def by_day_and_meal(rows: list[dict], meal_labels: dict) -> list[dict]:
    """The kitchen's list: [{"day", "date", "label", "meals": [{"meal", "label", "rows"}]}]."""
    days: dict[int, dict] = {}
    for r in rows:
        day = days.setdefault(r["day"], {"day": r["day"], "date": r["date"], "label": _weekday(r["day"]),
                                         "meals": {}})
        day["meals"].setdefault(r["meal"], {"meal": r["meal"], "label": meal_labels.get(r["meal"], r["meal"]),
                                            "rows": []})["rows"].append(r)
    return [{**d, "meals": list(d["meals"].values())} for d in days.values()]


def by_class(rows: list[dict], meal_labels: dict) -> list[dict]:
    """The cards at each class's serving table: [{"class_id", "class", "days": by_day_and_meal}]."""
    classes: dict[int, dict] = {}
    for r in rows:
        classes.setdefault(r["class_id"], {"class_id": r["class_id"], "class": r["class"], "rows": []})["rows"].append(r)
    return [{"class_id": c["class_id"], "class": c["class"], "days": by_day_and_meal(c["rows"], meal_labels)}
            for c in sorted(classes.values(), key=lambda c: c["class"])]


def affected_tags(entries: list[dict], needs: list[dict], week_start: dt.date) -> dict[int, list[str]]:
    """For the menu edit page: per entry id, the tags met by some child on that day (those that need a
    substitute)."""
    out: dict[int, set[str]] = defaultdict(set)
    for entry in entries:
        date = week_start + dt.timedelta(days=entry["day"])
        for n in needs:
            if _in_force(n, date) and n["key"] not in WHOLE_MEAL_DIETS:
                out[entry["id"]] |= entry["tags"] & n["tags"]
    return {k: sorted(v) for k, v in out.items() if v}


# --- loading and writing ---------------------------------------------------------------------------


def _entries_data(entries) -> list[dict]:
    return [{"id": e.pk, "day": e.day, "meal": e.meal, "dish": e.dish_name,
             "tags": dish_tags(ef.food for ef in e.foods.all())} for e in entries]


def _substitutes_data(menu) -> dict:
    from houqin.canteen.models import MenuSubstitute

    subs = list(MenuSubstitute.objects.filter(entry__menu=menu))
    tags = dishes_tags({s.dish_id for s in subs}) if subs else {}
    return {(s.entry_id, s.avoid): {"dish": s.dish_name, "tags": tags[s.dish_id], "code": s.code} for s in subs}


def _needs(menu, *, actor=None, mark_scope: bool = False) -> list[dict]:
    from houqin.health.diets import needs_between

    end = menu.week_start + dt.timedelta(days=menu.days - 1)
    return needs_between(kindergarten=menu.kindergarten, start=menu.week_start, end=end, actor=actor,
                         capability="canteen.allergy.view", mark_scope=mark_scope)


def menu_data(menu, entries, *, actor) -> dict:
    """What the menu page reads for both its allergy warnings (menu_rows: the children within the
    actor's scope) and its substitute editor (edit_data: every child), read once: {"needs" (every
    child's), "scoped" (the actor's children's), "entries" (_entries_data), "substitutes"
    (_substitutes_data)}; the entries and substitutes are read only when some child has a need."""
    needs = _needs(menu, actor=actor, mark_scope=True)
    return {"needs": needs, "scoped": [n for n in needs if n["in_scope"]],
            "entries": _entries_data(entries) if needs else [], "substitutes": _substitutes_data(menu) if needs else {}}


def menu_rows(menu, entries=None, *, actor=None, data=None) -> list[dict]:
    """Every affected child of the menu; with an actor, only the children within its scope of
    canteen.allergy.view (the kitchen and menu writers: all; class staff: their class). `data`: the
    menu_data of the same menu, entries and actor, read already."""
    from houqin.canteen.selectors import menu_entries

    if data is not None:
        needs = data["scoped"]
        return assign(week_start=menu.week_start, entries=data["entries"], needs=needs,
                      substitutes=data["substitutes"]) if needs else []
    entries = entries if entries is not None else menu_entries(menu)
    needs = _needs(menu, actor=actor)
    if not needs:
        return []
    return assign(week_start=menu.week_start, entries=_entries_data(entries), needs=needs,
                  substitutes=_substitutes_data(menu))


def edit_data(menu, entries, *, data=None) -> dict:
    """For the menu edit page: {entry id: [{"tag", "label", "substitute", "code"}]} for every entry that
    some child must avoid. `data`: the menu_data of the same menu and entries, read already."""
    needs = data["needs"] if data is not None else _needs(menu)
    if not needs:
        return {}
    entries_data = data["entries"] if data is not None else _entries_data(entries)
    subs = data["substitutes"] if data is not None else _substitutes_data(menu)
    out = {}
    for entry_id, tags in affected_tags(entries_data, needs, menu.week_start).items():
        out[entry_id] = [{"tag": t, "label": tag_label(t), "substitute": subs.get((entry_id, t), {}).get("dish")}
                         for t in tags]
    return out


def check_coverage(menu, entries=None) -> None:
    """Refuse (DomainError) when some child would be served a dish with their allergen and no substitute."""
    from houqin.canteen.models import Meal

    messages = coverage_messages(menu_rows(menu, entries), dict(Meal.choices))
    raise_for([{"field": None, "message": m} for m in messages])


@transaction.atomic
def substitute_set(*, actor, entry, avoid: str, dish=None):
    """Choose (or, with no dish, remove) the dish served instead of `entry` to the children who must
    avoid `avoid`. The substitute may not itself carry that tag."""
    from django.db.models import Prefetch

    from houqin.canteen.models import Dish, DishIngredient, MenuEntry, MenuSubstitute

    policy.require(actor, "canteen.substitute.change", entry.menu)
    entry = MenuEntry.objects.select_for_update().select_related("menu").get(pk=entry.pk)
    if entry.menu.is_voided:
        raise_for({"avoid": _("This menu has been voided.")})
    tags = dish_tags(ef.food for ef in entry.foods.select_related("food"))
    if avoid not in tags:
        raise_for({"avoid": _("%(dish)s does not contain %(allergen)s: no substitute is needed.") % {
            "dish": entry.dish_name, "allergen": tag_label(avoid)}})
    if dish is None:
        MenuSubstitute.objects.filter(entry=entry, avoid=avoid).delete()
        return None
    dish = (Dish.objects.filter(pk=dish.pk, kindergarten=entry.kindergarten, is_active=True)
            .prefetch_related(Prefetch("ingredients", DishIngredient.objects.select_related("food"))).first())
    if dish is None:
        raise_for({"dish": _("Choose a dish of the kindergarten's dish library.")})
    if avoid in dish_tags(i.food for i in dish.ingredients.all()):
        raise_for({"dish": _("%(dish)s contains %(allergen)s too: choose another dish.") % {
            "dish": dish.name, "allergen": tag_label(avoid)}})
    sub, _created = MenuSubstitute.objects.update_or_create(
        entry=entry, avoid=avoid, defaults={"kindergarten": entry.kindergarten, "dish": dish, "dish_name": dish.name,
                                            "created_by": actor.user})
    return sub

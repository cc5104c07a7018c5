"""The pure half of houqin.canteen.substitutes and houqin.health.allergens: plain data, no database."""

import datetime as dt

from django.utils.translation import override

from houqin.canteen import substitutes
from houqin.health import allergens

MON = dt.date(2026, 11, 23)


def need(child_id, key, *, kind="allergy", start=MON, end=None, child=None, klass="中一班", severity="moderate"):
    tags = allergens.need_tags(allergen=key if kind == "allergy" else "", diet=key if kind == "diet" else "")
    return {"child_id": child_id, "child": child or f"孩子{child_id}", "class_id": 1 if klass == "中一班" else 2,
            "class": klass, "kind": kind, "key": key, "label": key, "severity": severity, "tags": tags,
            "start": start, "end": end}


def entry(id_, day, meal, dish, *tags):
    return {"id": id_, "day": day, "meal": meal, "dish": dish, "tags": frozenset(tags)}


def test_food_words_become_allergen_groups():
    assert allergens.words_to_tags("牛奶,鸡蛋") == {"milk", "egg"}
    assert allergens.words_to_tags("虾，蟹、花生") == {"shellfish", "peanut"}
    assert allergens.words_to_tags("核桃 腰果") == {"tree_nut"}
    assert allergens.words_to_tags("") == set()
    assert allergens.words_to_tags("海鲜酱") == {"海鲜酱"}  # unknown words are kept, not dropped


def test_food_tags_add_pork_and_meat_for_the_diets():
    pork = allergens.food_tags(allergens="", pagoda_group="meat", name="猪肉（瘦）", food_group="畜肉")
    assert pork == {"pork", "meat"}
    assert allergens.food_tags(allergens="鸡蛋", pagoda_group="egg", name="鸡蛋") == {"egg"}
    assert allergens.food_tags(allergens="", pagoda_group="meat", name="鸡腿", food_group="禽肉") == {"meat"}
    assert "pork" in allergens.need_tags(diet="halal") and allergens.need_tags(allergen="egg") == {"egg"}


def test_an_egg_dish_gives_the_egg_child_its_substitute_and_nobody_else():
    entries = [entry(1, 0, "lunch", "番茄炒蛋", "egg"), entry(2, 0, "lunch", "米饭", "wheat"),
               entry(3, 1, "lunch", "紫菜蛋花汤", "egg")]
    needs = [need(10, "egg", child="王小明"), need(11, "milk")]
    subs = {(1, "egg"): {"dish": "番茄烩鸡丁", "tags": frozenset({"meat"})}}
    rows = substitutes.assign(week_start=MON, entries=entries, needs=needs, substitutes=subs)
    assert [(r["child"], r["dish"], r["substitute"], r["date"]) for r in rows] == [
        ("王小明", "番茄炒蛋", "番茄烩鸡丁", MON), ("王小明", "紫菜蛋花汤", None, MON + dt.timedelta(days=1))]
    assert [r["dish"] for r in substitutes.uncovered(rows)] == ["紫菜蛋花汤"]


def test_a_substitute_with_another_of_the_childs_allergens_does_not_count():
    entries = [entry(1, 0, "breakfast", "燕麦粥", "milk", "wheat")]
    needs = [need(10, "milk"), need(10, "egg")]
    subs = {(1, "milk"): {"dish": "鸡蛋羹", "tags": frozenset({"egg"})}}
    [row] = substitutes.assign(week_start=MON, entries=entries, needs=needs, substitutes=subs)
    assert row["substitute"] is None and row["unsafe"]


def test_records_out_of_force_on_the_day_do_not_count_and_whole_meal_diets_list_every_meal():
    entries = [entry(1, 0, "lunch", "番茄炒蛋", "egg"), entry(2, 2, "lunch", "番茄炒蛋", "egg"),
               entry(3, 2, "afternoon_snack", "苹果")]
    needs = [need(10, "egg", end=MON + dt.timedelta(days=1)),
             need(12, "soft", kind="diet", start=MON + dt.timedelta(days=2), klass="大一班")]
    rows = substitutes.assign(week_start=MON, entries=entries, needs=needs, substitutes={})
    assert [(r["child_id"], r["day"], r["meal"], r["whole_meal"]) for r in rows] == [
        (10, 0, "lunch", False), (12, 2, "lunch", True), (12, 2, "afternoon_snack", True)]
    assert len(substitutes.uncovered(rows)) == 1  # the soft diet needs no dish


def test_coverage_messages_name_day_meal_dish_allergen_and_children():
    entries = [entry(1, 3, "lunch", "虾仁炒蛋", "egg", "shellfish")]
    needs = [need(10, "shellfish", child="李乐乐"), need(11, "shellfish", child="张一一", klass="大一班")]
    rows = substitutes.assign(week_start=MON, entries=entries, needs=needs, substitutes={})
    with override("en"):
        [message] = substitutes.coverage_messages(rows, {"lunch": "午餐"})
    assert message == ("Thu 午餐: 虾仁炒蛋 contains Shrimp and crab and has no substitute for "
                       "李乐乐（中一班）、张一一（大一班）.")


def test_lists_by_day_and_meal_and_by_class():
    entries = [entry(1, 0, "breakfast", "牛奶", "milk"), entry(2, 0, "lunch", "番茄炒蛋", "egg")]
    needs = [need(10, "milk"), need(11, "egg", klass="大一班")]
    subs = {(1, "milk"): {"dish": "豆浆", "tags": frozenset({"soy"})}, (2, "egg"): {"dish": "番茄烩鸡丁", "tags": frozenset()}}
    rows = substitutes.assign(week_start=MON, entries=entries, needs=needs, substitutes=subs)
    days = substitutes.by_day_and_meal(rows, {"breakfast": "早餐", "lunch": "午餐"})
    assert [(m["label"], [r["substitute"] for r in m["rows"]]) for m in days[0]["meals"]] == [
        ("早餐", ["豆浆"]), ("午餐", ["番茄烩鸡丁"])]
    cards = substitutes.by_class(rows, {})
    assert [c["class"] for c in cards] == ["中一班", "大一班"]
    assert substitutes.affected_tags(entries, needs, MON) == {1: ["milk"], 2: ["egg"]}


def test_every_allergen_word_the_food_table_gets_is_a_group_the_register_knows():
    """Two word lists with two jobs: canteen's words are looked for in a food's name (芒果 in 芒果干), health's
    map a word to its allergen group. Every word the shipped food table is tagged with must map to a group,
    or a child's register entry would never meet the dish that holds it."""
    from houqin.canteen import foods

    known = set(allergens.Allergen.values)
    assert set(foods.ALLERGEN_WORDS) <= set(allergens.WORDS)
    tagged = {word for row in foods.read_table() for word in foods.allergens_of(row).split(",") if word}
    assert {"牛奶", "鸡蛋", "花生", "小麦", "大豆"} <= tagged
    unmapped = {word: allergens.words_to_tags(word) for word in tagged if not allergens.words_to_tags(word) <= known}
    assert unmapped == {}


def test_the_substitute_select_options_are_the_templates_markup_escaped_and_selected_by_name():
    from types import SimpleNamespace

    from django.template import engines

    dishes = [SimpleNamespace(code="a1", name="豆腐<羹>"), SimpleNamespace(code="b&2", name="番茄炒蛋"),
              SimpleNamespace(code="c3", name="番茄炒蛋")]
    engine = engines["django"]
    loop = engine.from_string(  # the loop the page had, one template render per option
        '{% for d in options %}<option value="{{ d.code }}"{% if d.name == chosen %} selected{% endif %}>'
        "{{ d.name }}</option>{% endfor %}|")
    tag = engine.from_string("{% load canteen_tags %}{% dish_options options chosen %}|")
    for chosen in ("番茄炒蛋", "豆腐<羹>", None):
        assert tag.render({"options": dishes, "chosen": chosen}) == loop.render({"options": dishes, "chosen": chosen})
    assert tag.render({"options": dishes, "chosen": "豆腐<羹>"}) == (
        '<option value="a1" selected>豆腐&lt;羹&gt;</option><option value="b&amp;2">番茄炒蛋</option>'
        '<option value="c3">番茄炒蛋</option>|')
    # several selects of one page: each its own options and choice, the escaping done once a dish
    many = engine.from_string("{% load canteen_tags %}{% for n in needs %}[{% dish_options n.options n.chosen %}]"
                              "{% endfor %}")
    needs = [{"options": dishes[:2], "chosen": "豆腐<羹>"}, {"options": dishes[1:], "chosen": "番茄炒蛋"},
             {"options": [], "chosen": None}]
    assert many.render({"needs": needs}) == "".join(
        f"[{loop.render({'options': n['options'], 'chosen': n['chosen']})[:-1]}]" for n in needs)

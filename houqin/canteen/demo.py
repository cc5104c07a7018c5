"""A term of the canteen for the demo kindergartens (a step of `manage.py seed_demo`).

For `demo`: the canteen settings (breakfast, lunch, afternoon snack; the fee comes from finance's
伙食费 standard), the kindergarten's own condiments with their label values (食盐, 酱油, 白砂糖), a
library of ~30 dishes of table foods, a published weekly quantified menu for every school week from
TERM_START to the week of 2026-11-23 (a four-week cycle, varied by ctx.rng) and next week's menu as a
draft, the stock item → food links of the food items the stock demo created, October's diet survey,
a meal committee meeting about it, and the meal accounts of September and October computed by the
services from the stock ledger and the attendance and published to parents.

For `demo2`: settings, condiments, a smaller dish library, the links, and the last four weeks'
menus (next week as a draft).

Menus, dishes and foods are written with bulk_create (a few dozen queries); the figures of the
menus (their summary) and of the accounts come from the services. Deterministic: ctx.rng only,
and every date is fixed (published_at is the Friday before the week, never the clock).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from houqin.canteen.models import (
    AccountStatus,
    CanteenSettings,
    CareType,
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
    PagodaGroup,
    StockFoodLink,
)
from houqin.core.text import pinyin_initials
from houqin.org.demo import CHANGE_REASON, TERM_START, demo_step

TENTH = Decimal("0.1")
LAST_PUBLISHED_WEEK = dt.date(2026, 11, 23)  # published on Friday 2026-11-20; the next week is a draft
SHORT_WEEKS = {dt.date(2026, 9, 21): 4, dt.date(2026, 9, 28): 3}  # 中秋 (Fri 25 Sept), 国庆 (from 1 Oct)

# The kindergarten's own condiments, values per 100 g from the label (energy, protein, fat, carbohydrate, sodium).
CONDIMENTS = [
    ("salt", "食盐（加碘）", PagodaGroup.SALT, {"energy_kcal": 0, "protein_g": 0, "fat_g": 0, "carbohydrate_g": 0,
                                                  "sodium_mg": 39000}, "包装标签：精制碘盐 400g"),
    ("soy", "酱油（生抽）", PagodaGroup.SALT, {"energy_kcal": 63, "protein_g": 7.0, "fat_g": 0, "carbohydrate_g": 8.6,
                                                "sodium_mg": 6200}, "包装标签：特级生抽 500ml"),
    ("sugar", "白砂糖", PagodaGroup.SUGAR, {"energy_kcal": 400, "protein_g": 0, "fat_g": 0, "carbohydrate_g": 99.9,
                                          "sodium_mg": 0}, "包装标签：一级白砂糖 400g"),
]

# Table foods by short key → food code of the composition table.
T = {
    "rice": "012101", "millet": "015101", "noodles": "011305x", "huajuan": "011401", "mantou": "011404x",
    "flour": "011202", "pork": "081110", "pork_fat": "081101x", "beef": "082101x", "chicken": "091113",
    "bass": "121226", "shrimp": "122206", "egg": "111101x", "tofu": "031301x", "milk": "101101x",
    "yogurt": "103001x", "greens": "045120", "tomato": "043119", "carrot": "041201", "broccoli": "045217",
    "cabbage": "045101x", "fungus": "051013", "potato": "021101", "rape": "045125", "mushroom": "051019",
    "laver": "052008", "wax_gourd": "043221", "pumpkin": "043213", "apple": "061101x", "orange": "064101",
    "pear": "061201x", "dates": "062302", "mung": "032101", "sweet_potato": "021205", "oil": "192004",
    "oats": "019012",
}

# name, category, [(food key, grams raw per child)] — keys in T or CONDIMENTS
DISHES = [
    ("米饭", "staple", [("rice", 75)]),
    ("二米饭", "staple", [("rice", 60), ("millet", 15)]),
    ("肉丝青菜面", "staple", [("noodles", 80), ("pork", 20), ("greens", 30), ("oil", 3), ("salt", 0.6)]),
    ("花卷", "staple", [("huajuan", 50)]),
    ("馒头", "staple", [("mantou", 50)]),
    ("小米粥", "staple", [("millet", 25)]),
    ("南瓜粥", "staple", [("rice", 20), ("pumpkin", 40)]),
    ("番茄炒蛋", "meat", [("tomato", 60), ("egg", 46), ("oil", 5), ("salt", 0.8), ("sugar", 2)]),
    ("红烧鸡腿", "meat", [("chicken", 70), ("soy", 4), ("sugar", 2), ("oil", 3)]),
    ("青菜肉丝", "meat", [("greens", 60), ("pork", 30), ("oil", 5), ("salt", 0.8)]),
    ("清蒸鲈鱼", "meat", [("bass", 70), ("soy", 3), ("oil", 2)]),
    ("土豆烧牛肉", "meat", [("potato", 50), ("beef", 35), ("oil", 5), ("soy", 3)]),
    ("胡萝卜炒肉片", "meat", [("carrot", 40), ("pork", 30), ("oil", 5), ("salt", 0.8)]),
    ("虾仁炒蛋", "meat", [("shrimp", 25), ("egg", 40), ("oil", 5), ("salt", 0.6)]),
    ("肉末豆腐", "meat", [("tofu", 60), ("pork", 20), ("soy", 3), ("oil", 5)]),
    ("清炒西兰花", "vegetable", [("broccoli", 70), ("oil", 5), ("salt", 0.8)]),
    ("木耳炒白菜", "vegetable", [("cabbage", 70), ("fungus", 3), ("oil", 5), ("salt", 0.8)]),
    ("醋溜土豆丝", "vegetable", [("potato", 60), ("oil", 5), ("salt", 0.8)]),
    ("香菇油菜", "vegetable", [("rape", 70), ("mushroom", 15), ("oil", 5), ("salt", 0.8)]),
    ("紫菜蛋花汤", "soup", [("laver", 2), ("egg", 15), ("salt", 0.5)]),
    ("冬瓜肉片汤", "soup", [("wax_gourd", 50), ("pork_fat", 15), ("salt", 0.6)]),
    ("番茄豆腐汤", "soup", [("tomato", 30), ("tofu", 30), ("salt", 0.5)]),
    ("牛奶", "milk", [("milk", 200)]),
    ("酸奶", "milk", [("yogurt", 150)]),
    ("苹果", "fruit", [("apple", 120)]),
    ("橙子", "fruit", [("orange", 120)]),
    ("梨", "fruit", [("pear", 120)]),
    ("红枣发糕", "snack", [("flour", 40), ("dates", 5), ("sugar", 3)]),
    ("绿豆汤", "snack", [("mung", 10), ("sugar", 5)]),
    ("蒸红薯", "snack", [("sweet_potato", 80)]),
    ("燕麦粥", "snack", [("oats", 20), ("milk", 100)]),
]
DEMO2_DISHES = {"米饭", "花卷", "小米粥", "番茄炒蛋", "红烧鸡腿", "青菜肉丝", "肉末豆腐", "清炒西兰花", "木耳炒白菜",
                "紫菜蛋花汤", "番茄豆腐汤", "牛奶", "苹果", "橙子", "红枣发糕", "蒸红薯"}

# stock demo item name → (food key, grams per unit)
STOCK_LINKS = {
    "大米": ("rice", 500), "面粉": ("flour", 500), "食用油": ("oil", 4600), "鸡蛋": ("egg", 500),
    "猪肉": ("pork_fat", 500), "鸡腿": ("chicken", 500), "青菜": ("greens", 500), "豆腐": ("tofu", 500),
    "牛奶": ("milk", 4800), "苹果": ("apple", 500), "香蕉": ("banana", 500), "酱油": ("soy", 500),
    "食盐": ("salt", 400), "黑木耳": ("fungus", 500), "燕麦片": ("oats", 1000), "红枣": ("dates", 500),
}

MEETING_MEMBERS = """{director} 后勤主任（主任委员）
{health} 保健老师
{canteen} 营养员
李梅 家长代表（中一班）
王建华 家长代表（大二班）
陈晓燕 教师代表"""
MEETING_MINUTES = """1. 保健老师通报十月份膳食调查：热能、蛋白质达到推荐量，优质蛋白占比合格；钙摄入偏低，蔬菜中深色蔬菜比例不足。
2. 家长代表反映孩子喜欢红烧鸡腿、番茄炒蛋，建议午点少用甜食。
3. 营养员介绍食谱四周循环的安排，及入冬后的时令菜。
4. 会计通报九、十月伙食帐收支情况：结余偏高，超出控制线，须增加奶制品、鱼虾和时令水果。"""
MEETING_DECISIONS = """1. 下周起每周增加一次酸奶或奶制品点心，提高钙摄入。
2. 绿豆汤减少用糖量，红枣发糕每两周一次。
3. 每周至少三次深色蔬菜（青菜、西兰花、油菜）。"""


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _weeks(first: dt.date, last: dt.date) -> list[dt.date]:
    weeks, monday = [], first - dt.timedelta(days=first.weekday())
    while monday <= last:
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    return weeks


@demo_step
def build_canteen(ctx):
    """The canteen of each demo kindergarten (see the module's docstring)."""
    table = {f.food_code: f for f in Food.objects.filter(kindergarten__isnull=True, food_code__in=list(T.values()))}
    banana = (Food.objects.filter(kindergarten__isnull=True, name__startswith="香蕉").order_by("food_code").first())
    totals = {"dishes": 0, "menus": 0, "menu entries": 0, "meal accounts": 0}
    for slug in ctx.kindergartens:
        full = slug == "demo"
        counts = _build_kindergarten(ctx, slug, table, banana, full=full)
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
    ctx.counts.update({f"canteen {k}": v for k, v in totals.items()})


def _build_kindergarten(ctx, slug: str, table: dict, banana, *, full: bool) -> dict:
    from houqin.stock.models import Item

    kg = ctx.kindergartens[slug]
    suffix = "" if slug == "demo" else "2"
    users = {role: ctx.users[role + suffix] for role in ("director", "health", "canteen", "accountant", "principal")}
    health = users["health"]
    setup = _at(TERM_START - dt.timedelta(days=10), 9)

    settings = CanteenSettings(kindergarten=kg, meals=["breakfast", "lunch", "afternoon_snack"],
                               care_type=CareType.FULL_DAY_TWO, factor_toddler=Decimal("0.8"),
                               factor_small=Decimal("0.9"), factor_middle=Decimal("1"), factor_large=Decimal("1.1"),
                               meal_fee_per_day=Decimal("18.00"), staff_meal_share=Decimal("8"),
                               created_by=users["director"], created_at=setup)
    bulk_create_with_history([settings], CanteenSettings, default_user=users["director"], default_date=setup,
                             default_change_reason=CHANGE_REASON)

    own = []
    for _key, name, group, values, source in CONDIMENTS:
        food = Food(kindergarten=kg, name=name, pagoda_group=group, source=source, created_by=health,
                    created_at=setup, **{k: float(v) for k, v in values.items()})
        own.append(food.fill_derived())
    own = bulk_create_with_history(own, Food, default_user=health, default_date=setup,
                                   default_change_reason=CHANGE_REASON)
    foods = {code_key: table[code] for code_key, code in T.items() if code in table}
    foods.update({key: food for (key, *_rest), food in zip(CONDIMENTS, own, strict=True)})
    if banana is not None:
        foods["banana"] = banana

    # the dish library
    specs = [d for d in DISHES if full or d[0] in DEMO2_DISHES]
    dishes = [Dish(kindergarten=kg, name=name, name_initials=pinyin_initials(name)[:40], category=category,
                   created_by=health, created_at=setup) for name, category, _ in specs]
    dishes = bulk_create_with_history(dishes, Dish, default_user=health, default_date=setup,
                                      default_change_reason=CHANGE_REASON)
    ingredients: dict[int, list[DishIngredient]] = {}
    rows = []
    for dish, (_name, _category, parts) in zip(dishes, specs, strict=True):
        for key, grams in parts:
            food = foods[key]
            raw = Decimal(str(grams)).quantize(TENTH)
            edible = max((raw * food.edible_pct / 100).quantize(TENTH, rounding=ROUND_HALF_UP), TENTH)
            row = DishIngredient(kindergarten=kg, dish=dish, food=food, grams_raw=raw, grams_edible=edible,
                                 created_by=health, created_at=setup)
            rows.append(row)
            ingredients.setdefault(dish.pk, []).append(row)
    bulk_create_with_history(rows, DishIngredient, batch_size=500, default_user=health, default_date=setup,
                             default_change_reason=CHANGE_REASON)
    by_category: dict[str, list[Dish]] = {}
    for dish in dishes:
        by_category.setdefault(dish.category, []).append(dish)

    # stock items → foods
    items = {i.name: i for i in Item.objects.filter(kindergarten=kg, is_food=True)}
    links = [StockFoodLink(kindergarten=kg, item=items[name], food=foods[key], grams_per_unit=Decimal(grams),
                           created_by=health, created_at=setup)
             for name, (key, grams) in STOCK_LINKS.items() if name in items and key in foods]
    bulk_create_with_history(links, StockFoodLink, default_user=health, default_date=setup,
                             default_change_reason=CHANGE_REASON)

    # the weekly menus: a four-week cycle drawn once, each week varied a little
    weeks = _weeks(TERM_START, LAST_PUBLISHED_WEEK + dt.timedelta(days=7))
    if not full:
        weeks = weeks[-5:]
    rng = ctx.rng
    cycle = [_draw_week(rng, by_category) for _ in range(4)]
    menus, plans = [], []
    for n, monday in enumerate(weeks):
        plan = [dict(day) for day in cycle[n % 4]]
        for day in plan:  # a seasonal swap now and then
            if rng.random() < 0.3:
                day["vegetable"] = rng.choice(by_category["vegetable"])
            if rng.random() < 0.3:
                day["fruit"] = rng.choice(by_category["fruit"])
        published = monday <= LAST_PUBLISHED_WEEK
        friday_before = monday - dt.timedelta(days=3)
        menu = Menu(kindergarten=kg, week_start=monday, days=SHORT_WEEKS.get(monday, 5), cycle_week=n % 4 + 1,
                    title=f"第{n + 1}周食谱" if full else "", created_by=health,
                    created_at=_at(friday_before - dt.timedelta(days=2), 14),
                    status=MenuStatus.PUBLISHED if published else MenuStatus.DRAFT,
                    published_at=_at(friday_before, 16) if published else None,
                    published_by=health if published else None)
        menu._history_date, menu._history_user = menu.published_at or menu.created_at, health
        menus.append(menu)
        plans.append(plan)
    menus = bulk_create_with_history(menus, Menu, default_change_reason=CHANGE_REASON)
    entries, entry_foods = [], []
    for menu, plan in zip(menus, plans, strict=True):
        for day_no in range(menu.days):
            day = plan[day_no]
            meals = [("breakfast", day["milk"]), ("breakfast", day["breakfast"]), ("lunch", day["staple"]),
                     ("lunch", day["meat"]), ("lunch", day["vegetable"]), ("lunch", day["soup"]),
                     ("afternoon_snack", day["fruit"]), ("afternoon_snack", day["snack"])]
            for order, (meal, dish) in enumerate(meals):
                entry = MenuEntry(kindergarten=kg, menu=menu, day=day_no, meal=meal, dish=dish, dish_name=dish.name,
                                  dish_category=dish.category, sort_order=order, created_by=health,
                                  created_at=menu.created_at)
                entries.append(entry)
                for ing in ingredients[dish.pk]:
                    entry_foods.append(MenuEntryFood(kindergarten=kg, entry=entry, food=ing.food,
                                                     grams_raw=ing.grams_raw, grams_edible=ing.grams_edible,
                                                     created_at=menu.created_at))
    MenuEntry.objects.bulk_create(entries, batch_size=1000)
    for ef in entry_foods:
        ef.entry_id = ef.entry.pk
    MenuEntryFood.objects.bulk_create(entry_foods, batch_size=1000)

    from houqin.canteen.services import summary_of

    for menu in menus:
        if menu.status == MenuStatus.PUBLISHED:
            menu.summary = summary_of(menu)
    Menu.objects.bulk_update([m for m in menus if m.summary], ["summary"])

    counts = {"dishes": len(dishes), "menus": len(menus), "menu entries": len(entries), "meal accounts": 0}
    if full:
        counts["meal accounts"] = _survey_meeting_and_accounts(ctx, kg, users)
    return counts


def _draw_week(rng, by_category) -> list[dict]:
    """Five days of dishes: no meat dish, staple or fruit twice in a row."""
    staples = [d for d in by_category["staple"] if d.name in ("米饭", "二米饭", "肉丝青菜面")]
    breakfasts = [d for d in by_category["staple"] if d not in staples] or staples
    days, previous = [], {}
    for _ in range(5):
        day = {}
        for key, pool in (("milk", by_category["milk"]), ("breakfast", breakfasts), ("staple", staples),
                          ("meat", by_category["meat"]), ("vegetable", by_category["vegetable"]),
                          ("soup", by_category["soup"]), ("fruit", by_category["fruit"]),
                          ("snack", by_category["snack"])):
            choices = [d for d in pool if d is not previous.get(key)] or pool
            day[key] = rng.choice(choices)
        days.append(day)
        previous = day
    return days


def _survey_meeting_and_accounts(ctx, kg, users) -> int:
    """October's diet survey, the committee meeting of 2026-11-06 about it, and the meal accounts
    of September and October (computed by the services, published to parents)."""
    from houqin import policy
    from houqin.canteen import selectors, services

    october = dt.date(2026, 10, 1)
    data = selectors.survey_compute(kindergarten=kg, month=october)
    survey = None
    if data["child_days"] and data["lines"]:
        saved_at = _at(dt.date(2026, 11, 3), 15)
        survey = DietSurvey(
            kindergarten=kg, month=october, child_days=data["child_days"], created_by=users["health"],
            created_at=saved_at, conclusion="热能、蛋白质基本达到推荐量；钙偏低，建议增加奶制品和深色蔬菜。",
            result={"analysis": data["analysis"].as_dict(), "age": data["age"], "by_grade": data["by_grade"],
                    "lines": [{"name": r["name"], "food": r["food"], "grams_raw": round(r["grams_raw"], 1),
                               "per_child_day": round(r["per_child_day"], 2)} for r in data["lines"]],
                    "unlinked": [r["name"] for r in data["unlinked"]]})
        survey._history_date, survey._history_user = saved_at, users["health"]
        bulk_create_with_history([survey], DietSurvey, default_change_reason=CHANGE_REASON)

    held = dt.date(2026, 11, 6)
    members = MEETING_MEMBERS.format(**{k: u.full_name for k, u in users.items()})
    meeting = CommitteeMeeting(kindergarten=kg, held_on=held, members=members, minutes=MEETING_MINUTES,
                               decisions=MEETING_DECISIONS, survey=survey, created_by=users["director"],
                               created_at=_at(held, 17))
    meeting._history_date, meeting._history_user = meeting.created_at, users["director"]
    bulk_create_with_history([meeting], CommitteeMeeting, default_change_reason=CHANGE_REASON)

    accountant = policy.actor_for_kindergarten(users["accountant"], kg)
    made = 0
    for month in (dt.date(2026, 9, 1), october):
        account = services.account_prepare(actor=accountant, month=month)
        note = ""
        if account.flagged or account.cumulative_flagged:
            note = ("本月结余超出控制线：食堂按带量食谱采购，米面油等大宗食材按学期合同价结算，单价低于预算；"
                    "膳委会已决定增加奶制品、鱼虾和时令水果，逐月把结余降到控制范围内。")
        account = services.account_publish(actor=accountant, account=account, note=note)
        published = _at(month.replace(month=month.month + 1, day=5), 10)
        MealAccount.objects.filter(pk=account.pk).update(created_at=published - dt.timedelta(hours=2),
                                                         published_at=published, status=AccountStatus.PUBLISHED)
        made += 1
    return made

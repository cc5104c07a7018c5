"""A term of the canteen for the demo kindergartens (a step of `manage.py seed_demo`).

For `demo`: the canteen settings (breakfast, lunch, afternoon snack; the fee comes from finance's
伙食费 standard, MEAL_FEE a child-day), the kindergarten's own condiments with their label values
(食盐, 酱油, 白砂糖), a library of ~30 dishes of table foods, a weekly quantified menu for every
school week of ctx.dates (a four-week cycle, varied by ctx.rng), each published on the Friday ten
days before its week (so this week's and next week's are published whatever the day; the next
unpublished week is a draft; the weeks from this week on are written to the meal fee), the stock item → food
links of the food items the stock demo created, last month's diet survey, a meal committee meeting
about it, the meal account of every complete month of the records, computed by the services from
the stock ledger and the attendance and published to parents, and the purchase plan of each
published menu from this week on (made by the service on the Friday the menu was published).

The accounts: the stock demo's kitchen spends what meal_cost_target says, so each month's balance is
within ±2 % of its income (BALANCE_TARGETS) except the planted month (planted_account_month: the
month before last), −3.25 %, explained in its note and in the committee's minutes; the term's total
stays within ±2 %.

The menu optimizer's extra dishes (OPTIMIZER_DISHES, after the cycle is drawn) and its proposal for
the week after the draft (the health teacher accepts it on the 智能配餐 page).

For `demo2`: settings, condiments, a smaller dish library, the links, and the last four weeks'
menus (next week as a draft).

Menus, dishes and foods are written with bulk_create (a few dozen queries); the figures of the
menus (their summary) and of the accounts come from the services. Deterministic: ctx.rng only, and
every date from ctx.dates (published_at is the Friday ten days before the week, never the clock).
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
from houqin.core import calendar
from houqin.org.demo import CHANGE_REASON, DemoDates, demo_step

TENTH = Decimal("0.1")

# The demo's meal money (demo figures): the fee a child-day (finance's 伙食费 standard), the share of
# the food the staff eat (canteen settings), and the balance each month aims at, as a share of its
# income: most months a small surplus; the planted month a deficit outside the ±2 % line.
MEAL_FEE = Decimal("13.50")
STAFF_MEAL_SHARE = Decimal("8")
BALANCE_TARGETS = [Decimal("0.012"), Decimal("0.008"), Decimal("0.015"), Decimal("0.005"), Decimal("0.010")]
PLANTED_BALANCE = Decimal("-0.0325")
# The weeks with a purchase plan are written to the fee, a little over or under it by the week of the
# year (% of the fee: the rule purchase.cost_tolerance_pct allows 2).
FIT_OFFSETS = [Decimal("-0.6"), Decimal("0.4"), Decimal("-0.3"), Decimal("0.9")]


def planted_account_month(dates: DemoDates) -> dt.date | None:
    """The month whose account is planted outside ±2 %: the month before last month (or the only one)."""
    months = dates.months
    return months[-2] if len(months) >= 2 else (months[-1] if months else None)


def meal_cost_target(dates: DemoDates, day: dt.date) -> Decimal:
    """What the kitchen spends on food a child present on `day` (yuan, staff's share included), so that
    the month's account ends near its BALANCE_TARGETS (income = fee × child-days; spending = the
    children's share of the food issued)."""
    month = day.replace(day=1)
    if month == planted_account_month(dates):
        balance = PLANTED_BALANCE
    else:
        index = dates.months.index(month) if month in dates.months else len(dates.months)
        balance = BALANCE_TARGETS[index % len(BALANCE_TARGETS)]
    return MEAL_FEE * (1 - balance) / (1 - STAFF_MEAL_SHARE / 100)

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
    "oats": "019012", "soymilk": "031405", "cheese": "104001", "dried_shrimp": "122205", "celery": "045312",
    "dried_tofu": "031516", "kelp": "052004", "soft_tofu": "031307",
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
# Dishes of the library that the health teacher serves instead (替代餐): created after the weekly cycle is
# drawn, so they are never on the menu itself.
SUBSTITUTE_DISHES = [
    ("豆浆", "milk", [("soymilk", 200)]),
    ("番茄烩鸡丁", "meat", [("tomato", 60), ("chicken", 40), ("oil", 5), ("salt", 0.8)]),
    ("青菜豆腐汤", "soup", [("greens", 30), ("tofu", 30), ("salt", 0.5)]),
    ("小米南瓜粥", "snack", [("millet", 20), ("pumpkin", 30)]),
]
# Dishes the menu optimizer may choose (egg dishes for the pagoda's daily egg, a second fish dish):
# created after the weekly cycle and its substitutes are drawn, so the past menus do not change.
OPTIMIZER_DISHES = [
    ("水煮蛋", "snack", [("egg", 50)]),
    ("鸡蛋饼", "staple", [("flour", 35), ("egg", 25), ("oil", 3), ("salt", 0.3)]),
    ("蒸蛋羹", "meat", [("egg", 45), ("soy", 2), ("oil", 1)]),
    ("番茄鸡蛋面", "staple", [("noodles", 70), ("egg", 25), ("tomato", 30), ("oil", 3), ("salt", 0.6)]),
    ("虾仁豆腐", "meat", [("shrimp", 25), ("tofu", 50), ("oil", 4), ("salt", 0.6)]),
    ("胡萝卜炒蛋", "vegetable", [("carrot", 60), ("egg", 30), ("oil", 5), ("salt", 0.6)]),
    # calcium without much protein (dark greens, kelp, cheese, dried shrimp), energy from tubers
    ("奶酪块", "snack", [("cheese", 10)]),
    ("虾皮紫菜汤", "soup", [("laver", 2), ("dried_shrimp", 3), ("salt", 0.3)]),
    ("奶香南瓜羹", "snack", [("milk", 100), ("pumpkin", 50)]),
    ("香干炒芹菜", "vegetable", [("celery", 60), ("dried_tofu", 15), ("oil", 6), ("salt", 0.6)]),
    ("红薯饭", "staple", [("rice", 55), ("sweet_potato", 40)]),
    ("土豆泥", "snack", [("potato", 80), ("milk", 30), ("oil", 2)]),
    ("土豆饼", "staple", [("potato", 60), ("flour", 15), ("oil", 5), ("salt", 0.3)]),
    ("蒸双薯", "staple", [("sweet_potato", 60), ("potato", 40), ("sugar", 2)]),
    ("蒜蓉小白菜", "vegetable", [("greens", 80), ("oil", 5), ("salt", 0.5)]),
    ("清炒油菜", "vegetable", [("rape", 80), ("oil", 5), ("salt", 0.5)]),
    ("海带豆腐汤", "soup", [("kelp", 20), ("soft_tofu", 30), ("salt", 0.4)]),
]
DEMO2_DISHES = {"米饭", "花卷", "小米粥", "番茄炒蛋", "红烧鸡腿", "青菜肉丝", "肉末豆腐", "清炒西兰花", "木耳炒白菜",
                "紫菜蛋花汤", "番茄豆腐汤", "牛奶", "苹果", "橙子", "红枣发糕", "蒸红薯"}

# stock demo item name → (food key, grams per unit)
STOCK_LINKS = {
    "大米": ("rice", 500), "面粉": ("flour", 500), "食用油": ("oil", 4600), "鸡蛋": ("egg", 500),
    "猪肉": ("pork", 500), "鸡腿": ("chicken", 500), "青菜": ("greens", 500), "豆腐": ("tofu", 500),
    "牛奶": ("milk", 4800), "苹果": ("apple", 500), "香蕉": ("banana", 500), "酱油": ("soy", 500),
    "食盐": ("salt", 400), "黑木耳": ("fungus", 500), "燕麦片": ("oats", 1000), "红枣": ("dates", 500),
    # the rest of the menus' foods the store keeps (the purchase plan prices the menus through these)
    "小米": ("millet", 500), "牛肉": ("beef", 500), "鲈鱼": ("bass", 500), "虾仁": ("shrimp", 500),
    "酸奶": ("yogurt", 2400), "番茄": ("tomato", 500), "西兰花": ("broccoli", 500), "橙子": ("orange", 500),
    "五花肉": ("pork_fat", 500), "面条": ("noodles", 500), "花卷": ("huajuan", 500), "土豆": ("potato", 500),
    "胡萝卜": ("carrot", 500), "大白菜": ("cabbage", 500), "油菜": ("rape", 500), "香菇": ("mushroom", 500),
    "冬瓜": ("wax_gourd", 500), "南瓜": ("pumpkin", 500), "梨": ("pear", 500), "红薯": ("sweet_potato", 500),
    "馒头": ("mantou", 500), "白砂糖": ("sugar", 400), "紫菜": ("laver", 50), "绿豆": ("mung", 500),
}

MEETING_MEMBERS = """{director} 后勤主任（主任委员）
{health} 保健老师
{canteen} 营养员
李梅 家长代表（中一班）
王建华 家长代表（大二班）
陈晓燕 教师代表"""
MEETING_MINUTES = """1. 保健老师通报{survey}月份膳食调查：蛋白质达到推荐量，优质蛋白占比合格；热能略低于目标，钙摄入偏低，蔬菜中深色蔬菜比例不足。
2. 家长代表反映孩子喜欢红烧鸡腿、番茄炒蛋，建议午点少用甜食。
3. 营养员介绍食谱四周循环的安排，及时令菜的调整。
4. 会计通报伙食帐收支情况：{planted}月猪肉、鸡蛋涨价，又按上次会议增加了鱼虾和酸奶，支出超出收入约3%，超出±2%的控制线；其余月份收支基本平衡，学期累计在控制线以内。"""
PLANTED_NOTE = ("本月猪肉、鸡蛋等价格上涨，又按膳委会决定每周增加鱼虾和酸奶，支出超出收入，超出±2%的控制线；"
                "下月起调整食谱、控制采购单价，学期累计仍在控制线以内。")
MEETING_DECISIONS = """1. 下周起每周增加一次酸奶或奶制品点心，提高钙摄入。
2. 绿豆汤减少用糖量，红枣发糕每两周一次。
3. 每周至少三次深色蔬菜（青菜、西兰花、油菜）。"""


PUBLISH_AHEAD = dt.timedelta(days=10)  # a week's menu is published on the Friday ten days before its Monday


def published_on(monday: dt.date) -> dt.date:
    """The day the demo publishes the menu of the week starting `monday` (at 16:00)."""
    return monday - PUBLISH_AHEAD


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
    setup = _at(ctx.term_start - dt.timedelta(days=10), 9)

    settings = CanteenSettings(kindergarten=kg, meals=["breakfast", "lunch", "afternoon_snack"],
                               care_type=CareType.FULL_DAY_TWO, factor_toddler=Decimal("0.8"),
                               factor_small=Decimal("0.9"), factor_middle=Decimal("1"), factor_large=Decimal("1.1"),
                               meal_fee_per_day=MEAL_FEE, staff_meal_share=STAFF_MEAL_SHARE,
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
    ingredients: dict[int, list[DishIngredient]] = {}
    dishes = _add_dishes(kg, specs, foods, health, setup, ingredients)
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

    # the weekly menus: a four-week cycle drawn once, each week varied a little; each week's menu is
    # published on the Friday ten days before it (PUBLISH_AHEAD: the kitchen orders from it a week
    # ahead), so this week's and next week's are published whatever the day; the first week not yet
    # published is a draft
    dates = ctx.dates
    weeks = []
    for monday in _weeks(ctx.term_start, dates.term_end):
        open_days = calendar.school_days(monday, monday + dt.timedelta(days=4))
        if not open_days:
            continue  # a holiday week: no menu
        published = published_on(monday) < dates.today
        weeks.append((monday, open_days[-1].weekday() + 1, published))
        if not published:
            break
    if not full:
        weeks = weeks[-5:]
    rng = ctx.rng
    cycle = [_draw_week(rng, by_category) for _ in range(4)]
    menus, plans = [], []
    for n, (monday, open_days, published) in enumerate(weeks):
        plan = [dict(day) for day in cycle[n % 4]]
        for day in plan:  # a seasonal swap now and then
            if rng.random() < 0.3:
                day["vegetable"] = rng.choice(by_category["vegetable"])
            if rng.random() < 0.3:
                day["fruit"] = rng.choice(by_category["fruit"])
        friday_before = published_on(monday)
        menu = Menu(kindergarten=kg, week_start=monday, days=open_days, cycle_week=n % 4 + 1,
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

    counts_subs = _substitutes(ctx, kg, health, foods, menus, entries, ingredients, setup, by_category)
    if full:
        _add_dishes(kg, [d for d in OPTIMIZER_DISHES if all(key in foods for key, _g in d[2])], foods, health, setup,
                    ingredients)
        if weeks:  # the optimizer's proposal for the week after the draft, for the health teacher to accept
            from houqin import policy
            from houqin.canteen import optimizer

            optimizer.proposal_create(actor=policy.actor_for_kindergarten(health, kg),
                                      week_start=weeks[-1][0] + dt.timedelta(days=7), grade="middle")

    if full:
        _fit_to_fee(ctx, kg, menus)

    from houqin.canteen.services import summary_of

    for menu in menus:
        if menu.status == MenuStatus.PUBLISHED:
            menu.summary = summary_of(menu)
    Menu.objects.bulk_update([m for m in menus if m.summary], ["summary"])

    counts = {"dishes": len(dishes), "menus": len(menus), "menu entries": len(entries), "meal accounts": 0,
              "substitutes": counts_subs}
    if full:
        counts["meal accounts"] = _survey_meeting_and_accounts(ctx, kg, users)
        counts["purchase plans"] = _purchase_plans(ctx, kg, users, menus)
    return counts


def _fit_to_fee(ctx, kg, menus) -> None:
    """The health teacher writes each week from this week on to the meal fee: the menu's cost per
    child-day at the latest prices (the cost warning while it is written) within 1 % of the fee,
    every food's grams of the week scaled by the same factor (a few per cent, about a tenth at most at
    the demo's prices), as she would trim or add to the portions until the warning clears."""
    from houqin.canteen import purchasing

    this_week = ctx.dates.today - dt.timedelta(days=ctx.dates.today.weekday())
    for menu in menus:
        if menu.status != MenuStatus.PUBLISHED or menu.week_start < this_week:
            continue
        inputs = purchasing.plan_inputs(menu, with_stock=False)
        cost = purchasing._compute(inputs).cost_per_child_day
        if not cost or not inputs["fee"]:
            continue
        target = inputs["fee"] * (100 + FIT_OFFSETS[menu.week_start.isocalendar()[1] % len(FIT_OFFSETS)]) / 100
        factor = target / cost
        rows = list(MenuEntryFood.objects.filter(entry__menu=menu))
        for row in rows:
            row.grams_raw = max(TENTH, (row.grams_raw * factor).quantize(TENTH, rounding=ROUND_HALF_UP))
            row.grams_edible = min(row.grams_raw, max(TENTH, (row.grams_edible * factor).quantize(
                TENTH, rounding=ROUND_HALF_UP)))
        MenuEntryFood.objects.bulk_update(rows, ["grams_raw", "grams_edible"])


def _purchase_plans(ctx, kg, users, menus) -> int:
    """The purchase plan of each published menu from this week on, made by the canteen staff from the
    published menu (by the service: the children expected, the stock and the latest prices of the
    ledger), dated on the Friday the menu was published, after publishing."""
    from houqin import policy
    from houqin.canteen import purchasing
    from houqin.canteen.models import PurchasePlan

    canteen = policy.actor_for_kindergarten(users["canteen"], kg)
    this_week = ctx.dates.today - dt.timedelta(days=ctx.dates.today.weekday())
    made = 0
    for menu in menus:
        if menu.status != MenuStatus.PUBLISHED or menu.week_start < this_week:
            continue
        plan = purchasing.plan_generate(actor=canteen, menu=menu)
        at = menu.published_at + dt.timedelta(minutes=40)
        PurchasePlan.objects.filter(pk=plan.pk).update(created_at=at, updated_at=at)
        PurchasePlan.history.filter(code=plan.code).update(history_date=at)
        made += 1
    return made


def _add_dishes(kg, specs, foods, health, setup, ingredients: dict) -> list[Dish]:
    """The dishes of `specs` [(name, category, [(food key, grams raw per child)])] with their ingredients
    (edible grams from each food's edible share); `ingredients` gets each dish's rows by its pk."""
    dishes = [Dish(kindergarten=kg, name=name, name_initials=pinyin_initials(name)[:40], category=category,
                   created_by=health, created_at=setup) for name, category, _parts in specs]
    dishes = bulk_create_with_history(dishes, Dish, default_user=health, default_date=setup,
                                      default_change_reason=CHANGE_REASON)
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
    return dishes


def _substitutes(ctx, kg, health, foods, menus, entries, ingredients, setup, by_category) -> int:
    """The substitute dishes (SUBSTITUTE_DISHES) and, on every menu, the substitute of each dish a child
    of the health register must avoid: a dish of the same category (else any) that carries none of the
    tags of the children it is for. Plain data through houqin.canteen.substitutes.assign."""
    from houqin.canteen import substitutes
    from houqin.canteen.models import MenuSubstitute
    from houqin.health.diets import needs_between

    specs = [d for d in SUBSTITUTE_DISHES if all(key in foods for key, _g in d[2])]
    extra = _add_dishes(kg, specs, foods, health, setup, ingredients)
    if not menus:
        return 0
    end = max(m.week_start for m in menus) + dt.timedelta(days=6)
    needs = needs_between(kindergarten=kg, start=min(m.week_start for m in menus), end=end)
    if not needs:
        return 0
    tags_of = {pk: substitutes.dish_tags(i.food for i in rows_) for pk, rows_ in ingredients.items()}
    library = extra + [d for category in sorted(by_category) for d in by_category[category]]
    made = []
    for menu in menus:
        mine = [e for e in entries if e.menu_id == menu.pk]
        data = [{"id": e.pk, "day": e.day, "meal": e.meal, "dish": e.dish_name, "tags": tags_of[e.dish_id]}
                for e in mine]
        category = {e.pk: e.dish_category for e in mine}
        wanted: dict[tuple[int, str], set[str]] = {}
        for row in substitutes.assign(week_start=menu.week_start, entries=data, needs=needs, substitutes={}):
            if row["whole_meal"]:
                continue
            child_tags = frozenset().union(*(n["tags"] for n in needs if n["child_id"] == row["child_id"]))
            wanted.setdefault((row["entry_id"], row["tags"][0]), set()).update(child_tags)
        for (entry_id, tag), avoid in wanted.items():
            fits = [d for d in library if not tags_of[d.pk] & avoid]
            dish = next((d for d in fits if d.category == category[entry_id]), None) or next(iter(fits), None)
            if dish is not None:
                made.append(MenuSubstitute(kindergarten=kg, entry_id=entry_id, avoid=tag, dish=dish,
                                           dish_name=dish.name, created_by=health,
                                           created_at=menu.published_at or menu.created_at))
    bulk_create_with_history(made, MenuSubstitute, default_user=health, default_date=setup,
                             default_change_reason=CHANGE_REASON)
    return len(made)


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


def _weekday_on_or_before(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _survey_meeting_and_accounts(ctx, kg, users) -> int:
    """Last month's diet survey, the committee meeting about it, and the meal account of every
    complete month of the records (computed by the services, published to parents)."""
    from houqin import policy
    from houqin.canteen import selectors, services

    dates = ctx.dates
    surveyed = dates.last_month
    yesterday = dates.today - dt.timedelta(days=1)
    data = selectors.survey_compute(kindergarten=kg, month=surveyed)
    survey = None
    saved_on = _weekday_on_or_before(min(dates.this_month + dt.timedelta(days=2), yesterday))
    if data["child_days"] and data["lines"]:
        saved_at = _at(saved_on, 15)
        survey = DietSurvey(
            kindergarten=kg, month=surveyed, child_days=data["child_days"], created_by=users["health"],
            created_at=saved_at, conclusion="热能、蛋白质基本达到推荐量；钙偏低，建议增加奶制品和深色蔬菜。",
            result={"analysis": data["analysis"].as_dict(), "age": data["age"], "by_grade": data["by_grade"],
                    "lines": [{"name": r["name"], "food": r["food"], "grams_raw": round(r["grams_raw"], 1),
                               "per_child_day": round(r["per_child_day"], 2)} for r in data["lines"]],
                    "unlinked": [r["name"] for r in data["unlinked"]]})
        survey._history_date, survey._history_user = saved_at, users["health"]
        bulk_create_with_history([survey], DietSurvey, default_change_reason=CHANGE_REASON)

    held = _weekday_on_or_before(min(saved_on + dt.timedelta(days=3), yesterday))
    members = MEETING_MEMBERS.format(**{k: u.full_name for k, u in users.items()})
    planted = planted_account_month(dates)
    minutes = MEETING_MINUTES.format(survey=surveyed.month, planted=planted.month if planted else "")
    meeting = CommitteeMeeting(kindergarten=kg, held_on=held, members=members, minutes=minutes,
                               decisions=MEETING_DECISIONS, survey=survey, created_by=users["director"],
                               created_at=_at(held, 17))
    meeting._history_date, meeting._history_user = meeting.created_at, users["director"]
    bulk_create_with_history([meeting], CommitteeMeeting, default_change_reason=CHANGE_REASON)

    accountant = policy.actor_for_kindergarten(users["accountant"], kg)
    # The month's fee bills first: each account's income is the meal fees of its month's bills.
    from houqin.finance.billing_demo import build_bills

    bills = build_bills(ctx, kg, users["accountant"], ctx.users.get("parent" if kg.slug == "demo" else "parent2"))
    ctx.counts["fee bills"] = ctx.counts.get("fee bills", 0) + bills["bills"]
    ctx.counts["fee payments"] = ctx.counts.get("fee payments", 0) + bills["payments"]
    made = 0
    for month in dates.months:
        account = services.account_prepare(actor=accountant, month=month)
        note = PLANTED_NOTE if (account.flagged or account.cumulative_flagged) else ""
        account = services.account_publish(actor=accountant, account=account, note=note)
        next_month = (month + dt.timedelta(days=32)).replace(day=1)
        published = _at(min(next_month + dt.timedelta(days=4), dates.today), 8)
        MealAccount.objects.filter(pk=account.pk).update(created_at=published - dt.timedelta(hours=2),
                                                         published_at=published, status=AccountStatus.PUBLISHED)
        made += 1
    return made

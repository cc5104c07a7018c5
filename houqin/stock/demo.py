"""A term of the storeroom for the demo kindergartens (a step of `manage.py seed_demo`).

For each kindergarten: a food store and a general store per campus, local suppliers, the usual items
of a kindergarten's stores, and the school days of ctx.dates simulated day by day (today only up to
9 a.m.: the morning's deliveries and the kitchen's issue): the kitchen's daily issues (fresh food
received and issued the same morning, staples restocked when they run low), class and staff
requisitions issued by the storekeeper, a transfer between campuses, a receipt corrected, disposals,
and one posted stocktake with two differences. A few things are planted for the to-dos: items under
their minimum, a batch that has expired and batches about to, and open requisitions (one from the
demo teacher's class, 中一班 of 本部).

The kitchen cooks for the children expected that day (PRESENT_SHARE of those enrolled), the day's
quantities scaled so that the food costs what the meal fee pays for (see houqin.canteen.demo's
meal_cost_target): the children's meal account comes out within ±2 % most months, one month out.

The simulation follows the ledger's rules (FEFO, never below zero, never an expired batch) in
memory, then writes everything with bulk_create: a few dozen queries, whatever the length of the
term. Deterministic: every choice comes from ctx.rng, every date from ctx.dates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from houqin.core.text import pinyin_key
from houqin.org.demo import CHANGE_REASON, demo_step
from houqin.org.models import Child, Membership, Role
from houqin.stock.models import (
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
    StocktakeStatus,
    Supplier,
    Warehouse,
    WarehouseKind,
    book_value,
)

HALF = Decimal("0.5")
PRESENT_SHARE = Decimal("0.942")  # of the enrolled children, present on a school day (health's demo attendance)

SUPPLIERS = [
    # key, name, contact, phone, address
    ("grain", "南京城南粮油贸易有限公司", "周建国", "025-52261837", "城南区中华路 228 号"),
    ("meat", "秦淮放心肉禽配送中心", "刘海", "025-52230416", "秦淮区小心桥东街 12 号"),
    ("veg", "城南农贸蔬菜配送站", "陈红梅", "13951762204", "城南区农副产品批发市场 B 区 18 号"),
    ("dairy", "南京绿源乳品配送部", "吴晓东", "025-84472093", "玄武区龙蟠路 66 号"),
    ("daily", "金陵日用百货批发部", "孙丽", "025-52413358", "城南区应天大街 502 号"),
    ("stationery", "城南文教用品商店", "李俊", "13813967751", "城南区长乐路 88 号"),
    ("hygiene", "江苏洁安消毒用品有限公司", "赵志强", "025-86620519", "江宁区天元东路 391 号"),
]


@dataclass(frozen=True)
class ItemSpec:
    key: str
    name: str
    unit: str
    category: str
    cost: str  # unit cost, yuan
    minimum: str
    shelf_life: int | None = None
    supplier: str = ""
    spec: str = ""
    per_child: str = "0"  # kitchen use per child per serving day (food), in the item's unit
    days: tuple[int, ...] = (0, 1, 2, 3, 4)  # weekdays it is served
    fresh: bool = False  # delivered each morning and used the same day
    restock_days: int = 10  # staples: days of use bought at a time


FOOD = [
    ItemSpec("rice", "大米", "斤", Category.GRAIN_OIL, "3.40", "150", 180, "grain", "东北粳米 25kg/袋", "0.14",
             restock_days=15),
    ItemSpec("flour", "面粉", "斤", Category.GRAIN_OIL, "3.60", "40", 180, "grain", "特一粉 25kg/袋", "0.10", (1, 3),
             restock_days=20),
    ItemSpec("oil", "食用油", "桶", Category.GRAIN_OIL, "94.00", "4", 540, "grain", "非转基因大豆油 5L", "0.0022",
             restock_days=20),
    ItemSpec("eggs", "鸡蛋", "斤", Category.MEAT_EGG, "7.50", "30", 30, "meat", "", "0.10", restock_days=5),
    ItemSpec("pork", "猪肉", "斤", Category.MEAT_EGG, "21.00", "0", 3, "meat", "前腿肉", "0.08", (0, 2, 4), fresh=True),
    ItemSpec("chicken", "鸡腿", "斤", Category.MEAT_EGG, "17.90", "0", 3, "meat", "", "0.10", (1, 3), fresh=True),
    ItemSpec("greens", "青菜", "斤", Category.VEGETABLE, "4.20", "0", 3, "veg", "", "0.28", fresh=True),
    ItemSpec("tofu", "豆腐", "斤", Category.SOY, "3.90", "0", 2, "veg", "", "0.06", (1, 4), fresh=True),
    ItemSpec("milk", "牛奶", "箱", Category.DAIRY, "81.00", "10", 21, "dairy", "200ml×24盒", "0.042",
             restock_days=5),
    ItemSpec("apples", "苹果", "斤", Category.FRUIT, "5.90", "20", 14, "veg", "", "0.20", (0, 2, 4), restock_days=3),
    ItemSpec("bananas", "香蕉", "斤", Category.FRUIT, "4.90", "0", 4, "veg", "", "0.20", (1, 3), fresh=True),
    ItemSpec("soy_sauce", "酱油", "瓶", Category.SEASONING, "12.40", "6", 540, "grain", "生抽 500ml", "0.0025",
             restock_days=20),
    ItemSpec("salt", "食盐", "袋", Category.SEASONING, "3.30", "10", 1095, "grain", "加碘 400g", "0.004",
             restock_days=20),
    ItemSpec("fungus", "黑木耳", "斤", Category.DRY_GOODS, "55.00", "2", 365, "grain", "", "0.004", (2,),
             restock_days=30),
    ItemSpec("millet", "小米", "斤", Category.GRAIN_OIL, "7.80", "20", 180, "grain", "", "0.05", restock_days=20),
    ItemSpec("beef", "牛肉", "斤", Category.MEAT_EGG, "55.00", "0", 3, "meat", "牛腩", "0.07", (3,), fresh=True),
    ItemSpec("bass", "鲈鱼", "斤", Category.MEAT_EGG, "36.00", "0", 2, "meat", "活鱼现杀", "0.14", (2,), fresh=True),
    ItemSpec("shrimp", "虾仁", "斤", Category.MEAT_EGG, "62.00", "0", 2, "meat", "", "0.05", (4,), fresh=True),
    ItemSpec("yogurt", "酸奶", "箱", Category.DAIRY, "125.00", "0", 21, "dairy", "100g×24杯", "0.042", (1, 3),
             fresh=True),
    ItemSpec("tomato", "番茄", "斤", Category.VEGETABLE, "5.90", "0", 5, "veg", "", "0.18", fresh=True),
    ItemSpec("broccoli", "西兰花", "斤", Category.VEGETABLE, "8.50", "0", 4, "veg", "", "0.14", (0, 3), fresh=True),
    ItemSpec("oranges", "橙子", "斤", Category.FRUIT, "7.20", "0", 10, "veg", "", "0.24", (1, 4), fresh=True),
    # the rest of what the menus cook (so that the purchase plan prices every food of the menus)
    ItemSpec("pork_belly", "五花肉", "斤", Category.MEAT_EGG, "23.00", "0", 3, "meat", "", "0.03", (2,), fresh=True),
    ItemSpec("noodles", "面条", "斤", Category.GRAIN_OIL, "4.60", "0", 3, "grain", "鲜切面", "0.08", (0,), fresh=True),
    ItemSpec("mantou", "馒头", "斤", Category.GRAIN_OIL, "5.20", "0", 2, "grain", "", "0.06", (0, 4), fresh=True),
    ItemSpec("huajuan", "花卷", "斤", Category.GRAIN_OIL, "6.50", "0", 2, "grain", "", "0.10", (1, 3), fresh=True),
    ItemSpec("potatoes", "土豆", "斤", Category.VEGETABLE, "2.60", "0", 20, "veg", "", "0.12", (0, 3), fresh=True),
    ItemSpec("carrots", "胡萝卜", "斤", Category.VEGETABLE, "3.30", "0", 14, "veg", "", "0.08", (2, 4), fresh=True),
    ItemSpec("cabbage", "大白菜", "斤", Category.VEGETABLE, "2.30", "0", 7, "veg", "", "0.14", (1,), fresh=True),
    ItemSpec("rape", "油菜", "斤", Category.VEGETABLE, "4.60", "0", 3, "veg", "", "0.14", (2,), fresh=True),
    ItemSpec("mushrooms", "香菇", "斤", Category.VEGETABLE, "15.60", "0", 4, "veg", "鲜香菇", "0.03", (2,), fresh=True),
    ItemSpec("wax_gourd", "冬瓜", "斤", Category.VEGETABLE, "2.10", "0", 10, "veg", "", "0.10", (2,), fresh=True),
    ItemSpec("pumpkin", "南瓜", "斤", Category.VEGETABLE, "2.90", "0", 30, "veg", "", "0.08", (0,), fresh=True),
    ItemSpec("pears", "梨", "斤", Category.FRUIT, "6.20", "0", 14, "veg", "", "0.24", (3,), fresh=True),
    ItemSpec("sweet_potato", "红薯", "斤", Category.VEGETABLE, "3.30", "0", 30, "veg", "", "0.16", (4,), fresh=True),
    ItemSpec("sugar", "白砂糖", "袋", Category.SEASONING, "5.90", "0", 730, "grain", "一级 400g", "0.005",
             restock_days=20),
    ItemSpec("laver", "紫菜", "包", Category.DRY_GOODS, "7.80", "0", 365, "grain", "50g", "0.04", (1,),
             restock_days=30),
    ItemSpec("mung", "绿豆", "斤", Category.DRY_GOODS, "8.50", "0", 365, "grain", "", "0.02", (3,), restock_days=30),
    # used now and then, never in the daily rotation: planted for the expiry to-dos
    ItemSpec("sesame", "芝麻酱", "瓶", Category.SEASONING, "12.00", "0", 270, "grain", "250g"),
    ItemSpec("oats", "燕麦片", "袋", Category.GRAIN_OIL, "18.00", "0", 365, "grain", "1kg"),
    ItemSpec("dates", "红枣", "斤", Category.DRY_GOODS, "15.00", "0", 240, "grain"),
]

GENERAL = [
    ItemSpec("tissues", "抽纸", "包", Category.PAPER, "3.20", "60", None, "daily", "3层130抽"),
    ItemSpec("rolls", "卷纸", "卷", Category.PAPER, "1.80", "80", None, "daily", "4层140g"),
    ItemSpec("handwash", "洗手液", "瓶", Category.CLEANING, "12.50", "20", 1095, "daily", "500ml"),
    ItemSpec("bleach", "84消毒液", "瓶", Category.DISINFECTANT, "6.80", "20", 365, "hygiene", "500ml"),
    ItemSpec("bags", "垃圾袋", "卷", Category.CLEANING, "4.50", "30", None, "daily", "45×50cm 30只"),
    ItemSpec("paper", "彩纸", "包", Category.TEACHING, "8.00", "20", None, "stationery", "A4 100张"),
    ItemSpec("crayons", "蜡笔", "盒", Category.TEACHING, "9.90", "15", None, "stationery", "24色"),
    ItemSpec("a4", "A4打印纸", "包", Category.OFFICE, "24.00", "8", None, "stationery", "70g 500张"),
    ItemSpec("gloves", "一次性手套", "盒", Category.KITCHEN, "15.00", "10", None, "daily", "100只"),
    ItemSpec("masks", "医用口罩", "盒", Category.MEDICAL, "25.00", "10", 730, "hygiene", "50只"),
    ItemSpec("plasters", "创可贴", "盒", Category.MEDICAL, "12.00", "5", 1095, "hygiene", "100片"),
    ItemSpec("mops", "拖把", "把", Category.CLEANING, "18.00", "6", None, "daily"),
]

# What classes and staff ask for: item key, (low, high) quantity.
CLASS_ASKS = [("tissues", (2, 6)), ("rolls", (4, 10)), ("handwash", (1, 2)), ("bags", (1, 3)), ("paper", (1, 3)),
              ("crayons", (1, 2))]
NURSERY_ASKS = [("bleach", (1, 2)), ("bags", (1, 3)), ("rolls", (4, 8)), ("mops", (1, 1)), ("gloves", (1, 1))]
PURPOSES = ["日常使用", "美工活动", "班级卫生", "消毒用", "区角活动材料", ""]
PLANTED_LOW = ("handwash", "masks", "paper")


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _half(value: Decimal) -> Decimal:
    """Kitchen quantities in half units (half a 斤), at least half a unit."""
    return max(HALF, (value / HALF).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * HALF)


@dataclass
class _Ledger:
    """The ledger in memory, with the services' rules: FEFO over usable batches, never below zero."""

    kindergarten: object
    batches: list = field(default_factory=list)
    movements: list = field(default_factory=list)
    shelves: dict = field(default_factory=lambda: defaultdict(list))  # (item, warehouse) → its batches

    def receive(self, *, item, warehouse, quantity, cost, day, by, supplier=None, produced=None, expiry=None,
                batch_no="", hour=7, minute=30, reason="") -> Batch:
        shelf_life = getattr(item, "shelf_life_days", None)
        if produced is None and item.is_food:
            produced = day - dt.timedelta(days=1)
        if expiry is None and produced is not None and shelf_life:
            expiry = produced + dt.timedelta(days=shelf_life)
        batch = Batch(kindergarten=self.kindergarten, item=item, warehouse=warehouse, batch_no=batch_no,
                      production_date=produced, expiry_date=expiry, supplier=supplier, unit_cost=Decimal(cost),
                      received_at=_at(day, hour, minute), created_by=by, created_at=_at(day, hour, minute))
        batch.quantity, batch.value, batch.seq = Decimal("0"), Decimal("0"), len(self.batches)
        self.batches.append(batch)
        self.shelves[(id(item), id(warehouse))].append(batch)
        self.post(batch, MovementKind.RECEIPT, Decimal(quantity), day, by, hour=hour, minute=minute, reason=reason)
        return batch

    def usable(self, item, warehouse, day) -> list:
        found = [b for b in self.shelves[(id(item), id(warehouse))] if b.quantity > 0
                 and b.received_at.date() <= day and not (b.expiry_date and b.expiry_date < day)]
        return sorted(found, key=lambda b: (b.expiry_date is None, b.expiry_date or dt.date.max, b.received_at, b.seq))

    def on_hand(self, item, warehouse, day) -> Decimal:
        return sum((b.quantity for b in self.usable(item, warehouse, day)), Decimal("0"))

    def take(self, item, warehouse, quantity, day, kind, by, **links) -> list:
        remaining, taken = Decimal(quantity), []
        for batch in self.usable(item, warehouse, day):
            if remaining <= 0:
                break
            amount = min(remaining, batch.quantity)
            taken.append(self.post(batch, kind, -amount, day, by, **links))
            remaining -= amount
        return taken

    def post(self, batch, kind, delta, day, by, hour=9, minute=0, **links) -> Movement:
        after = batch.quantity + delta
        assert after >= 0, (batch.item.name, day, delta)
        value_after = book_value(after, batch.unit_cost)
        movement = Movement(
            kindergarten=self.kindergarten, batch=batch, item=batch.item, warehouse=batch.warehouse, kind=kind,
            quantity=delta, balance_after=after, unit_cost=batch.unit_cost, value=value_after - batch.value,
            occurred_on=day, created_by=by, created_at=_at(day, hour, minute), **links,
        )
        batch.quantity, batch.value = after, value_after
        self.movements.append(movement)
        return movement


def _amount(rng, low_high) -> Decimal:
    low, high = low_high
    return Decimal(rng.randint(low, high))


@demo_step
def build_stock(ctx):
    """The storeroom's term in each demo kindergarten."""
    totals = defaultdict(int)
    for slug in ctx.kindergartens:
        for key, value in _build_kindergarten(ctx, slug).items():
            totals[key] += value
    ctx.counts.update({f"stock {key}": value for key, value in totals.items()})


def _build_kindergarten(ctx, slug: str) -> dict:
    rng = ctx.rng
    kg = ctx.kindergartens[slug]
    suffix = "" if slug == "demo" else "2"
    storekeeper = ctx.users["storekeeper" + suffix]
    director = ctx.users["director" + suffix]
    health = ctx.users["health" + suffix]
    canteen = ctx.users["canteen" + suffix]
    setup_at = _at(ctx.term_start - dt.timedelta(days=7), 9)

    # --- catalogue ----------------------------------------------------------------------------
    campuses = [c for (s, _), c in ctx.campuses.items() if s == slug]
    warehouses = []
    stores = {}
    for campus in campuses:
        prefix = "" if campus.name == "本部" else campus.name
        for kind, name in ((WarehouseKind.FOOD, "食品库"), (WarehouseKind.GENERAL, "物品仓库")):
            w = Warehouse(kindergarten=kg, campus=campus, name=prefix + name, kind=kind, created_by=director,
                          created_at=setup_at)
            w._history_date, w._history_user = setup_at, director
            warehouses.append(w)
            stores[(campus.name, kind)] = w
    bulk_create_with_history(warehouses, Warehouse, default_change_reason=CHANGE_REASON)
    suppliers = {}
    for key, name, contact, phone, address in SUPPLIERS:
        s = Supplier(kindergarten=kg, name=name, name_pinyin=pinyin_key(name), contact_person=contact, phone=phone,
                     address=address, created_by=storekeeper, created_at=setup_at)
        s._history_date, s._history_user = setup_at, storekeeper
        suppliers[key] = s
    bulk_create_with_history(list(suppliers.values()), Supplier, default_change_reason=CHANGE_REASON)
    items = {}
    for spec in FOOD + GENERAL:
        item = Item(kindergarten=kg, name=spec.name, spec=spec.spec, unit=spec.unit, category=spec.category,
                    minimum_level=Decimal(spec.minimum), shelf_life_days=spec.shelf_life, created_by=storekeeper,
                    created_at=setup_at)
        item.fill_derived()
        item._history_date, item._history_user = setup_at, storekeeper
        items[spec.key] = item

    # --- who eats where, who asks --------------------------------------------------------------
    children = dict(Child.objects.filter(kindergarten=kg, left_on__isnull=True, voided_at__isnull=True)
                    .values_list("school_class__campus__name").annotate(n=Count("id")).order_by())
    joined = defaultdict(list)  # campus name → the days its children joined
    for campus_name, enrolled_on in (Child.objects.filter(kindergarten=kg, left_on__isnull=True, voided_at__isnull=True)
                                     .values_list("school_class__campus__name", "enrolled_on")):
        joined[campus_name].append(enrolled_on)
    class_staff = defaultdict(dict)  # class pk → {role: user}
    others = defaultdict(list)  # role → users without classes
    for m in (Membership.objects.filter(kindergarten=kg, is_active=True).select_related("user")
              .prefetch_related("classes").order_by("pk")):
        classes = list(m.classes.all())
        for c in classes:
            class_staff[c.pk].setdefault(m.role, m.user)
        if not classes:
            others[m.role].append(m.user)
    classes = sorted(ctx.classes_of(slug), key=lambda c: (c.campus.name, c.sort_order))
    own_class = ctx.classes.get((slug, "中一班")) if slug == "demo" else None
    own_class = next((c for c in classes if c.name == "中一班" and c.campus.name == "本部"), own_class)

    from houqin.canteen.demo import meal_cost_target

    dates = ctx.dates
    ledger = _Ledger(kg)
    days = list(dates.days)  # today too, if a school day: its morning only
    past = list(dates.past_days)
    first = days[0]
    last = dates.last_day

    # --- opening stock: the summer's order arrives before term ---------------------------------
    before = ctx.term_start - dt.timedelta(days=3)
    for campus in campuses:
        food, general = stores[(campus.name, WarehouseKind.FOOD)], stores[(campus.name, WarehouseKind.GENERAL)]
        eaters = Decimal(children.get(campus.name, 0))
        for spec in FOOD:
            if spec.fresh or spec.per_child == "0":
                continue
            need = _half(eaters * Decimal(spec.per_child)) * spec.restock_days
            ledger.receive(item=items[spec.key], warehouse=food, quantity=need, cost=spec.cost, day=before,
                           by=storekeeper, supplier=suppliers[spec.supplier],
                           produced=before - dt.timedelta(days=rng.randint(1, max(2, min(20, spec.shelf_life // 8)))),
                           batch_no=f"{before:%m%d}-{spec.key[:2].upper()}")
        share = max(Decimal("1"), (eaters / Decimal("100")).quantize(Decimal("1")))
        for spec in GENERAL:
            quantity = Decimal(spec.minimum) * 2 * share / 2 + rng.randint(5, 20)
            if spec.key in PLANTED_LOW:
                quantity = Decimal(spec.minimum) + rng.randint(2, 6) * share
            produced = before - dt.timedelta(days=rng.randint(30, 120)) if spec.shelf_life else None
            ledger.receive(item=items[spec.key], warehouse=general, quantity=quantity.quantize(Decimal("1")),
                           cost=spec.cost, day=before, by=storekeeper, supplier=suppliers[spec.supplier],
                           produced=produced, hour=10)

    # planted food: a jar of sesame paste past its date, oats about to expire, dates disposed of
    main = campuses[0]
    main_food = stores[(main.name, WarehouseKind.FOOD)]
    main_general = stores[(main.name, WarehouseKind.GENERAL)]
    ledger.receive(item=items["sesame"], warehouse=main_food, quantity=6, cost="12.00", day=first, by=storekeeper,
                   supplier=suppliers["grain"], produced=dates.today - dt.timedelta(days=273), batch_no="ZMJ2602")
    ledger.receive(item=items["oats"], warehouse=main_food, quantity=8, cost="18.00", day=first, by=storekeeper,
                   supplier=suppliers["grain"], produced=dates.today - dt.timedelta(days=360), batch_no="YMP2511")
    disposal_day = dates.moved(dt.date(2026, 11, 2))
    dates_batch = ledger.receive(item=items["dates"], warehouse=main_food, quantity=5, cost="15.00", day=first,
                                 by=storekeeper, supplier=suppliers["grain"],
                                 produced=disposal_day - dt.timedelta(days=243))

    # --- the term, day by day --------------------------------------------------------------------
    requisitions: list[Requisition] = []
    lines_of: dict[int, list[RequisitionLine]] = {}
    pending: list[tuple[dt.date, Requisition]] = []
    number = 0

    def ask(day, user, school_class, campus, wants, purpose, hour) -> Requisition:
        nonlocal number
        number += 1
        at = _at(day, hour, rng.randint(0, 59))
        r = Requisition(kindergarten=kg, number=f"LY{number:05d}", campus=campus, school_class=school_class,
                        requested_by=user, requested_at=at, purpose=purpose, status=RequisitionStatus.REQUESTED,
                        created_by=user, created_at=at)
        r._history_date, r._history_user = at, user
        requisitions.append(r)
        lines_of[id(r)] = [
            RequisitionLine(kindergarten=kg, requisition=r, item=items[key], quantity_requested=quantity,
                            created_by=user, created_at=at)
            for key, quantity in wants
        ]
        return r

    def issue(day, r):
        warehouse = stores[(r.campus.name, WarehouseKind.GENERAL)]
        at = max(_at(day, 14, rng.randint(0, 59)), r.requested_at + dt.timedelta(minutes=30))  # never before asked
        issued_any = complete = False
        complete = True
        for line in lines_of[id(r)]:
            available = ledger.on_hand(line.item, warehouse, day)
            amount = min(line.quantity_requested, available)
            if amount > 0:
                ledger.take(line.item, warehouse, amount, day, MovementKind.ISSUE_REQUISITION, storekeeper,
                            hour=14, school_class=r.school_class, recipient=r.requested_by, requisition=r,
                            requisition_line=line, reason=r.purpose)
                line.quantity_issued = amount
                issued_any = True
            complete = complete and amount == line.quantity_requested
        if issued_any:
            r.status = RequisitionStatus.ISSUED if complete else RequisitionStatus.PARTLY_ISSUED
            r.issued_by, r.issued_at = storekeeper, at

    last_days = set(past[-2:])
    stocktake_day = dates.moved(dt.date(2026, 10, 30))
    stocktakes: list[Stocktake] = []
    guard = ctx.users.get("guard" + suffix)
    second_class = classes[1] if len(classes) > 1 else classes[0]
    second_teacher = class_staff.get(second_class.pk, {}).get(Role.CLASS_TEACHER)
    for day in days:
        weekday = day.weekday()
        # before anything else, the canteen clears food found past its date (the planted jar stays)
        for batch in ledger.batches:
            if (batch.item.is_food and batch.quantity > 0 and batch.expiry_date and batch.expiry_date < day
                    and batch.item is not items["sesame"] and batch is not dates_batch):
                ledger.post(batch, MovementKind.DISPOSAL_EXPIRED, -batch.quantity, day, canteen, hour=7,
                            reason="过期，已按规定销毁", witness=health)
        # morning: deliveries and the kitchen's issues, per campus, for the children expected today, in
        # the quantities the meal fee pays for
        for campus in campuses:
            food = stores[(campus.name, WarehouseKind.FOOD)]
            eaters = Decimal(children.get(campus.name, 0))
            expected = Decimal(sum(1 for d in joined[campus.name] if d <= day)) * PRESENT_SHARE
            served = [spec for spec in FOOD if spec.per_child != "0" and weekday in spec.days]
            plain = sum((expected * Decimal(spec.per_child) * Decimal(spec.cost) for spec in served), Decimal("0"))
            scale = meal_cost_target(dates, day) * expected / plain if plain else Decimal("1")
            for spec in served:
                item = items[spec.key]
                need = _half(expected * Decimal(spec.per_child) * scale * Decimal(rng.randint(97, 103)) / 100)
                if spec.fresh:
                    ledger.receive(item=item, warehouse=food, quantity=need, cost=spec.cost, day=day, by=canteen,
                                   supplier=suppliers[spec.supplier], produced=day, hour=6, minute=50)
                elif ledger.on_hand(item, food, day) < need * 2:
                    order = _half(eaters * Decimal(spec.per_child)) * spec.restock_days
                    cost = (Decimal(spec.cost) * Decimal(rng.randint(98, 102)) / 100).quantize(Decimal("0.01"))
                    ledger.receive(item=item, warehouse=food, quantity=order, cost=cost, day=day,
                                   by=storekeeper, supplier=suppliers[spec.supplier],
                                   produced=day - dt.timedelta(days=rng.randint(1, 12 if spec.shelf_life > 60 else 2)),
                                   batch_no=f"{day:%m%d}-{spec.key[:2].upper()}", hour=7, minute=10)
                ledger.take(item, food, need, day, MovementKind.ISSUE_KITCHEN, canteen, hour=8, minute=20)
        if day == dates.today:
            break  # 9 a.m.: the rest of today has not happened yet
        # sesame paste and dates now and then (so their batches are part used)
        if day in (past[10], past[30]):
            ledger.take(items["sesame"], main_food, Decimal("1"), day, MovementKind.ISSUE_KITCHEN, canteen, hour=8)
        if day == past[15]:
            ledger.take(items["oats"], main_food, Decimal("2"), day, MovementKind.ISSUE_KITCHEN, canteen, hour=8)

        # requisitions: classes ask, the storekeeper issues the next school day (or the same afternoon)
        for school_class in classes:
            staff = class_staff.get(school_class.pk, {})
            if rng.random() < 0.10 and Role.CLASS_TEACHER in staff:
                wants = [(key, _amount(rng, span)) for key, span in rng.sample(CLASS_ASKS, rng.randint(1, 3))]
                r = ask(day, staff[Role.CLASS_TEACHER], school_class, school_class.campus, wants, rng.choice(PURPOSES),
                        hour=rng.randint(8, 11))
                pending.append((day, r))
            if rng.random() < 0.05 and Role.NURSERY in staff:
                wants = [(key, _amount(rng, span)) for key, span in rng.sample(NURSERY_ASKS, rng.randint(1, 2))]
                r = ask(day, staff[Role.NURSERY], school_class, school_class.campus, wants, "班级卫生消毒",
                        hour=rng.randint(12, 16))
                pending.append((day, r))
        if weekday == 0 and others.get(Role.HEALTH_TEACHER):
            user = others[Role.HEALTH_TEACHER][0]
            if rng.random() < 0.4:
                r = ask(day, user, None, main, [("masks", Decimal(rng.randint(1, 2))), ("plasters", Decimal(1))],
                        "保健室", hour=9)
                pending.append((day, r))
        if weekday == 2 and rng.random() < 0.3:
            r = ask(day, director, None, main, [("a4", Decimal(rng.randint(1, 3)))], "办公室打印", hour=10)
            pending.append((day, r))
        still = []
        for asked_on, r in pending:
            if day in last_days and asked_on >= past[-2]:
                still.append((asked_on, r))  # the last two days' requisitions wait for the storekeeper
            elif asked_on < day or rng.random() < 0.4:
                issue(day, r)
            else:
                still.append((asked_on, r))
        pending = still

        # restock the general stores when they run low (not the planted low items late in term)
        if weekday == 4:
            for campus in campuses:
                general = stores[(campus.name, WarehouseKind.GENERAL)]
                for spec in GENERAL:
                    if spec.key in PLANTED_LOW and day >= dates.moved(dt.date(2026, 10, 19)):
                        continue
                    item = items[spec.key]
                    if ledger.on_hand(item, general, day) < Decimal(spec.minimum) / 2:
                        produced = day - dt.timedelta(days=rng.randint(20, 90)) if spec.shelf_life else None
                        ledger.receive(item=item, warehouse=general, quantity=Decimal(spec.minimum), cost=spec.cost,
                                       day=day, by=storekeeper, supplier=suppliers[spec.supplier], produced=produced,
                                       hour=15)

        # one-off events
        if day == past[6]:  # 卷纸 entered as 2000 instead of 200: corrected, then received again
            wrong = ledger.receive(item=items["rolls"], warehouse=main_general, quantity=2000, cost="1.80", day=day,
                                   by=storekeeper, supplier=suppliers["daily"], hour=10)
            ledger.post(wrong, MovementKind.CORRECTION, Decimal("-2000"), day, storekeeper, hour=10, minute=12,
                        reason="数量录错，应为200卷", reverses=ledger.movements[-1])
            ledger.receive(item=items["rolls"], warehouse=main_general, quantity=200, cost="1.80", day=day,
                           by=storekeeper, supplier=suppliers["daily"], hour=10, minute=15)
        if day == past[20] and len(campuses) > 1:  # the east campus runs short of tissues
            source = main_general
            target = stores[(campuses[1].name, WarehouseKind.GENERAL)]
            outs = ledger.take(items["tissues"], source, Decimal("20"), day, MovementKind.TRANSFER_OUT, storekeeper,
                               hour=11, reason="东园区抽纸不足")
            for out in outs:
                arrived = ledger.receive(item=items["tissues"], warehouse=target, quantity=-out.quantity,
                                         cost=out.unit_cost, day=day, by=storekeeper, supplier=out.batch.supplier,
                                         hour=11, minute=1)
                arrived.source = out.batch
                receipt = ledger.movements[-1]
                receipt.kind, receipt.counterpart, receipt.reason = MovementKind.TRANSFER_IN, out, "东园区抽纸不足"
        if day == past[25]:
            ledger.take(items["bleach"], main_general, Decimal("2"), day, MovementKind.DISPOSAL_DAMAGED, storekeeper,
                        hour=16, reason="搬运时瓶身破裂渗漏")
        if day == disposal_day:
            ledger.post(dates_batch, MovementKind.DISPOSAL_EXPIRED, -dates_batch.quantity, day, storekeeper, hour=9,
                        reason="超过保质期，当众销毁", witness=health)

        # a month's stocktake of the main general store
        if day == stocktake_day:
            stocktakes.append(_stocktake(ledger, kg, main_general, day, storekeeper, rng))
        # planted: a guard's request rejected, a class's request withdrawn, and the demo teacher's class
        # asking on the last day (open, for the storekeeper)
        if day == past[-8] and guard is not None:
            r = ask(day, guard, None, main, [("bags", Decimal("20"))], "门岗", hour=7)
            r.status, r.closed_by, r.closed_at = RequisitionStatus.REJECTED, storekeeper, _at(day, 15)
            r.close_reason = "数量过多，请按周领取"
        if day == past[-6] and second_teacher is not None:
            r = ask(day, second_teacher, second_class, second_class.campus, [("paper", Decimal("3"))], "美工活动",
                    hour=9)
            r.status, r.closed_by, r.closed_at = RequisitionStatus.CANCELLED, second_teacher, _at(day, 11)
            r.close_reason = "已向隔壁班借用"
        if day == last and own_class is not None:
            ask(day, ctx.users["teacher"], own_class, own_class.campus,
                [("tissues", Decimal("4")), ("paper", Decimal("2")), ("crayons", Decimal("1"))], "美工活动", hour=9)

    # --- minimum levels: the planted items are under theirs, the others above ---------------------
    on_hand = defaultdict(Decimal)
    for b in ledger.batches:
        if not (b.expiry_date and b.expiry_date < dates.today):
            on_hand[b.item.name] += b.quantity
    for key, item in items.items():
        held = on_hand[item.name]
        if key in PLANTED_LOW:
            item.minimum_level = max(item.minimum_level, (held * Decimal("1.3") + 5).quantize(Decimal("1")))
        elif item.minimum_level > 0 and held < item.minimum_level:
            item.minimum_level = (held * Decimal("0.6")).quantize(Decimal("1"))

    # --- write ---------------------------------------------------------------------------------
    bulk_create_with_history(list(items.values()), Item, batch_size=500, default_change_reason=CHANGE_REASON)
    for b in ledger.batches:
        b.item_id, b.warehouse_id = b.item.pk, b.warehouse.pk
        b.supplier_id = b.supplier.pk if b.supplier else None
    saved = Batch.objects.bulk_create([b for b in ledger.batches if b.source is None], batch_size=500)
    for b in ledger.batches:
        if b.source is not None:
            b.source_id = b.source.pk
    saved += Batch.objects.bulk_create([b for b in ledger.batches if b.source is not None], batch_size=500)

    for r in requisitions:
        r._final = (r.status, r.issued_by, r.issued_at, r.closed_by, r.closed_at, r.close_reason)
        r.status, r.issued_by, r.issued_at, r.closed_by, r.closed_at, r.close_reason = (
            RequisitionStatus.REQUESTED, None, None, None, None, "")
    bulk_create_with_history(requisitions, Requisition, batch_size=500, default_change_reason="演示数据 demo data")
    moved = []
    for r in requisitions:
        r.status, r.issued_by, r.issued_at, r.closed_by, r.closed_at, r.close_reason = r._final
        if r.status != RequisitionStatus.REQUESTED:
            r._history_date = r.issued_at or r.closed_at
            r._history_user = r.issued_by or r.closed_by
            moved.append(r)
    Requisition.objects.bulk_update(moved, ["status", "issued_by", "issued_at", "closed_by", "closed_at",
                                            "close_reason"], batch_size=500)
    Requisition.history.bulk_history_create(moved, update=True, default_change_reason=CHANGE_REASON)
    all_lines = [line for r in requisitions for line in lines_of[id(r)]]
    for line in all_lines:
        line.requisition_id = line.requisition.pk
        line._history_date, line._history_user = line.created_at, line.created_by
    bulk_create_with_history(all_lines, RequisitionLine, batch_size=500, default_change_reason=CHANGE_REASON)

    for st in stocktakes:
        final = (st.status, st.posted_by, st.posted_at)
        st.status, st.posted_by, st.posted_at = StocktakeStatus.OPEN, None, None
        bulk_create_with_history([st], Stocktake, default_change_reason=CHANGE_REASON)
        st.status, st.posted_by, st.posted_at = final
        st._history_date, st._history_user = st.posted_at, st.posted_by
        Stocktake.objects.filter(pk=st.pk).update(status=st.status, posted_by=st.posted_by, posted_at=st.posted_at)
        Stocktake.history.bulk_history_create([st], update=True, default_change_reason=CHANGE_REASON)
        for line in st._lines:
            line.stocktake_id, line.batch_id = st.pk, line.batch.pk
        bulk_create_with_history(st._lines, StocktakeLine, batch_size=500, default_change_reason=CHANGE_REASON)
    # movements: first those without a counterpart or correction target, then the rest
    for m in ledger.movements:
        m.batch_id, m.item_id, m.warehouse_id = m.batch.pk, m.item.pk, m.warehouse.pk
        for attr in ("requisition", "requisition_line", "stocktake"):
            obj = getattr(m, attr)
            if obj is not None:
                setattr(m, f"{attr}_id", obj.pk)
    first_wave = [m for m in ledger.movements if m.counterpart is None and m.reverses is None]
    Movement.objects.bulk_create(first_wave, batch_size=1000)
    second_wave = [m for m in ledger.movements if m.counterpart is not None or m.reverses is not None]
    for m in second_wave:
        if m.counterpart is not None:
            m.counterpart_id = m.counterpart.pk
        if m.reverses is not None:
            m.reverses_id = m.reverses.pk
    Movement.objects.bulk_create(second_wave, batch_size=1000)

    rules = StockSettings(kindergarten=kg, expiry_warning_days=7, expiry_warning_source="本园食品安全管理制度",
                          next_requisition_number=number + 1, next_stocktake_number=len(stocktakes) + 1,
                          created_by=director, created_at=setup_at)
    rules._history_date, rules._history_user = setup_at, director
    rules.save()
    return {"batches": len(saved), "movements": len(ledger.movements), "requisitions": len(requisitions),
            "items": len(items), "stocktakes": len(stocktakes)}


def _stocktake(ledger: _Ledger, kg, warehouse, day, by, rng) -> Stocktake:
    """Count the warehouse at the end of the day: two differences, explained and posted (in memory;
    written with the rest)."""
    opened = _at(day, 15, 30)
    stocktake = Stocktake(kindergarten=kg, number="PD0001", warehouse=warehouse, status=StocktakeStatus.OPEN,
                          opened_at=opened, note=f"{day.month}月盘点", created_by=by, created_at=opened)
    stocktake._history_date, stocktake._history_user = opened, by
    on_hand = [b for b in ledger.batches if b.warehouse is warehouse and b.quantity > 0]
    # exactly two differences, whatever the day: the first two of these that the shelf allows
    candidates = [("抽纸", Decimal("-2"), "两包受潮破损，未及时登记"), ("彩纸", Decimal("1"), "上次领用时多记一包"),
                  ("卷纸", Decimal("-4"), "一提卷纸被雨水打湿，已报损"), ("垃圾袋", Decimal("1"), "上次领用时多记一卷")]
    differences, seen = {}, set()
    for name, delta, why in candidates:
        if len(differences) < 2 and any(b.item.name == name and b.quantity + delta >= 0 for b in on_hand):
            differences[name] = (delta, why)
    lines = []
    for batch in on_hand:
        line = StocktakeLine(kindergarten=kg, stocktake=stocktake, batch=batch, book_quantity=batch.quantity,
                             counted_quantity=batch.quantity, counted_by=by, counted_at=_at(day, 16, rng.randint(0, 40)),
                             created_by=by, created_at=opened)
        diff = differences.get(batch.item.name)
        if diff and batch.item.name not in seen and batch.quantity + diff[0] >= 0:
            seen.add(batch.item.name)
            line.counted_quantity = batch.quantity + diff[0]
            line.explanation = diff[1]
            ledger.post(batch, MovementKind.STOCKTAKE_ADJUSTMENT, diff[0], day, by, hour=17, reason=diff[1],
                        stocktake=stocktake)
        line._history_date, line._history_user = line.counted_at, by
        lines.append(line)
    stocktake._lines = lines  # written once the batches have their keys
    stocktake.status, stocktake.posted_by, stocktake.posted_at = StocktakeStatus.POSTED, by, _at(day, 17)
    return stocktake

"""Demo data of fixed assets: the autumn term 2026 (1 September – 20 November).

Per kindergarten: rooms (each class's 活动室, and per campus the kitchen, gatehouse, health room,
office, hall, playground and store room); a register of class furniture, toys and appliances per
class, kitchen appliances, outdoor play equipment, surveillance and fire equipment, office IT — about
300 lines in the big kindergarten — with prices, suppliers, custodians, a few under repair or
scrapped, and photos of the demo class's toys (统一式图片资料); the start-of-term handovers of every
class, signed by the class teachers and closed by the director, with a few differences (chairs
missing, a dispenser damaged, one charge for negligence) already applied to the register — except
two classes that have not signed yet (one of them the demo teacher's 中一班) and a few signed ones
waiting to be closed; a posted stocktake of the kitchen and an open one of the hall.

Deterministic: every choice comes from `ctx.rng`, every date from ctx.dates (never the clock);
the photos are drawn from the same numbers.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from simple_history.utils import bulk_create_with_history

from houqin.assets.models import (
    Asset,
    AssetState,
    AssetStocktake,
    AssetStocktakeLine,
    Category,
    Handover,
    HandoverKind,
    HandoverLine,
    HandoverStatus,
    Room,
    StocktakeStatus,
    Term,
)
from houqin.org.demo import CHANGE_REASON, demo_step

TZ = ZoneInfo("Asia/Shanghai")
C = Category

SUPPLIERS = {
    C.FURNITURE: ["南京童乐幼教家具有限公司", "江苏贝乐儿童用品有限公司", "南京森林之家家具厂"],
    C.TEACHING: ["南京启智教玩具有限公司", "上海童画教育用品有限公司", "南京新华书店教育服务部"],
    C.APPLIANCE: ["苏宁易购城南店", "南京五星电器建康路店", "格力空调南京服务中心"],
    C.KITCHEN: ["南京厨王商用厨具有限公司", "江苏美厨设备工程有限公司"],
    C.OUTDOOR: ["浙江永嘉童趣游乐设备有限公司", "南京乐园户外设施有限公司"],
    C.SECURITY: ["南京安盾安防科技有限公司", "南京消防器材总公司城南门市部"],
    C.IT: ["联想南京授权服务中心", "南京华海电脑城"],
    C.OTHER: ["南京百货批发市场"],
}

# Per class: name, category, unit, quantity (int, or "seats"/"quarter" of the class capacity), price range (yuan),
# share of classes that have it.
CLASS_ITEMS = [
    ("幼儿椅", C.FURNITURE, "把", "seats", (45, 68), 1.0),
    ("幼儿桌", C.FURNITURE, "张", "quarter", (260, 380), 1.0),
    ("幼儿床", C.FURNITURE, "张", "seats", (220, 320), 0.9),
    ("玩具柜", C.FURNITURE, "个", (3, 5), (560, 780), 1.0),
    ("图书架", C.FURNITURE, "个", (1, 2), (420, 620), 0.8),
    ("毛巾架", C.FURNITURE, "个", 1, (180, 260), 0.7),
    ("空调", C.APPLIANCE, "台", 2, (3299, 4599), 1.0),
    ("教学一体机", C.IT, "台", 1, (6800, 9800), 0.8),
    ("电子琴", C.TEACHING, "台", 1, (1280, 2980), 0.6),
    ("消毒柜", C.APPLIANCE, "台", 1, (1480, 1980), 0.9),
    ("饮水机", C.APPLIANCE, "台", 1, (680, 1180), 0.8),
    ("积木", C.TEACHING, "套", (2, 4), (168, 380), 0.9),
    ("娃娃家玩具", C.TEACHING, "套", 1, (260, 560), 0.5),
    ("绘本", C.TEACHING, "本", (80, 160), (18, 32), 0.6),
]
# Per campus: room, items (name, category, unit, quantity, price range).
CAMPUS_ITEMS = {
    "厨房": [("冰箱", C.KITCHEN, "台", 2, (3200, 4800)), ("冷藏柜", C.KITCHEN, "台", 2, (4600, 6800)),
           ("留样冰箱", C.KITCHEN, "台", 1, (1980, 2600)), ("消毒柜", C.KITCHEN, "台", 2, (4800, 6500)),
           ("蒸饭柜", C.KITCHEN, "台", 1, (5200, 7800)), ("燃气灶", C.KITCHEN, "台", 1, (3800, 5600)),
           ("和面机", C.KITCHEN, "台", 1, (2600, 3600)), ("绞肉机", C.KITCHEN, "台", 1, (1800, 2800)),
           ("不锈钢操作台", C.KITCHEN, "张", 4, (980, 1480)), ("洗碗机", C.KITCHEN, "台", 1, (12800, 16800))],
    "户外场地": [("大型组合滑梯", C.OUTDOOR, "套", 1, (38000, 56000)), ("攀爬架", C.OUTDOOR, "套", 1, (8800, 12800)),
             ("秋千", C.OUTDOOR, "架", 2, (2600, 3800)), ("平衡木", C.OUTDOOR, "根", 2, (680, 980)),
             ("小木马", C.OUTDOOR, "个", 4, (380, 560)), ("攀爬球", C.OUTDOOR, "个", 1, (4800, 6800)),
             ("毛毛虫钻筒", C.OUTDOOR, "个", 2, (1200, 1800)), ("沙水池玩具", C.OUTDOOR, "套", 1, (1600, 2600))],
    "门卫室": [("监控主机", C.SECURITY, "台", 1, (6800, 9800)), ("监控摄像头", C.SECURITY, "个", (16, 32), (380, 680)),
            ("刷卡门禁系统", C.SECURITY, "套", 1, (12800, 18800)), ("电警棒", C.SECURITY, "根", 2, (260, 380)),
            ("钢叉", C.SECURITY, "把", 2, (180, 260)), ("防刺手套", C.SECURITY, "副", 4, (60, 120)),
            ("防暴头盔", C.SECURITY, "顶", 2, (120, 180)), ("一键报警器", C.SECURITY, "台", 1, (1800, 2600))],
    "仓库": [("灭火器（4kg干粉）", C.SECURITY, "具", (30, 48), (85, 120)), ("应急照明灯", C.SECURITY, "个", (12, 20), (60, 95))],
    "办公室": [("台式电脑", C.IT, "台", (4, 8), (3800, 5600)), ("打印机", C.IT, "台", 2, (1280, 2680)),
            ("复印机", C.IT, "台", 1, (12800, 18800)), ("办公桌", C.FURNITURE, "张", (4, 8), (680, 980)),
            ("文件柜", C.FURNITURE, "个", (3, 6), (480, 780))],
    "保健室": [("体重秤", C.OTHER, "台", 1, (680, 980)), ("身高测量仪", C.OTHER, "台", 1, (880, 1280)),
            ("视力表灯箱", C.OTHER, "个", 1, (260, 380)), ("紫外线消毒灯", C.APPLIANCE, "台", 2, (320, 480)),
            ("观察床", C.FURNITURE, "张", 1, (680, 980))],
    "多功能厅": [("钢琴", C.TEACHING, "台", 1, (18800, 32800)), ("音响设备", C.IT, "套", 1, (6800, 12800)),
             ("投影仪", C.IT, "台", 1, (4800, 7800)), ("舞台地毯", C.OTHER, "块", 1, (2600, 3800)),
             ("体操垫", C.TEACHING, "块", (10, 20), (120, 220))],
}
CUSTODIAN_OF_ROOM = {"厨房": "canteen", "户外场地": "director", "门卫室": "guard", "仓库": "storekeeper",
                     "办公室": "director", "保健室": "health", "多功能厅": "storekeeper"}
REPAIR_REASONS = ["压缩机不制冷，已报修", "链条松动，暂停使用", "屏幕不亮，送修中", "电机异响，待厂家上门"]
SCRAP_REASONS = ["使用年限已到，严重老化", "主板烧坏，维修费用高于新购"]
MISSING_REASONS = ["学期初清点少了，可能上学期借给其他班未归还", "已损坏丢弃，未及时报后勤"]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def _price(rng, low, high) -> Decimal:
    """A shop price: whole yuan, often ending in 8 or 0."""
    value = rng.randint(low, high)
    return Decimal(value - value % 10 + rng.choice([0, 8, 8, 9])).quantize(Decimal("0.01"))


def _quantity(rng, spec, capacity) -> Decimal:
    if spec == "seats":
        return Decimal(capacity + rng.choice([0, 0, 2, 5]))
    if spec == "quarter":
        return Decimal(-(-capacity // 4) + rng.choice([0, 1]))
    if isinstance(spec, tuple):
        return Decimal(rng.randint(*spec))
    return Decimal(spec)


def _purchase_date(rng, before: dt.date) -> dt.date:
    start = before.replace(year=before.year - 8)
    return start + dt.timedelta(days=rng.randrange((before - start).days))


def _photo(rng, name: str) -> ContentFile:
    """A small generated JPEG: shapes in the colours of a toy (the demo's 统一式图片资料)."""
    from PIL import Image, ImageDraw

    palette = [(231, 76, 60), (241, 196, 15), (46, 204, 113), (52, 152, 219), (155, 89, 182), (230, 126, 34)]
    image = Image.new("RGB", (480, 360), (246, 240, 228))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 280, 480, 360), fill=(214, 196, 168))
    for _ in range(rng.randint(5, 9)):
        x, y = rng.randint(20, 380), rng.randint(60, 230)
        w, h = rng.randint(40, 100), rng.randint(30, 80)
        colour = rng.choice(palette)
        if rng.random() < 0.5:
            draw.rectangle((x, y, x + w, y + h), fill=colour, outline=(60, 60, 60), width=2)
        else:
            draw.ellipse((x, y, x + w, y + w), fill=colour, outline=(60, 60, 60), width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return ContentFile(buffer.getvalue(), name=f"demo-{name}.jpg")


@demo_step
def build_asset_register(ctx):
    """Rooms, the register, the start-of-term handovers and two stocktakes of each kindergarten."""
    from houqin.org.models import Membership, Role

    rng = ctx.rng
    totals = {"rooms": 0, "assets": 0, "asset handovers": 0, "asset stocktakes": 0}
    for slug, kg in ctx.kindergartens.items():
        suffix = "" if slug == "demo" else "2"
        director = ctx.users["director" + suffix]
        storekeeper = ctx.users["storekeeper" + suffix]
        teachers = {}
        nursery = {}
        for m in (Membership.objects.filter(kindergarten=kg, role__in=[Role.CLASS_TEACHER, Role.NURSERY])
                  .select_related("user").prefetch_related("classes").order_by("pk")):
            for school_class in m.classes.all():
                (teachers if m.role == Role.CLASS_TEACHER else nursery).setdefault(school_class.pk, m.user)
        campuses = [c for (s, _), c in ctx.campuses.items() if s == slug]
        classes = sorted(ctx.classes_of(slug), key=lambda c: (c.campus_id, c.sort_order))
        registered = _at(ctx.term_start - dt.timedelta(days=10), 9)

        # rooms
        rooms = []
        class_room = {}
        for school_class in classes:
            room = Room(kindergarten=kg, campus=school_class.campus, name=f"{school_class.name}活动室",
                        school_class=school_class, created_by=storekeeper, created_at=registered)
            rooms.append(room)
            class_room[school_class.pk] = room
        campus_rooms = {}
        for campus in campuses:
            for name in CAMPUS_ITEMS:
                room = Room(kindergarten=kg, campus=campus, name=name, created_by=storekeeper, created_at=registered)
                rooms.append(room)
                campus_rooms[(campus.pk, name)] = room
        bulk_create_with_history(rooms, Room, default_user=storekeeper, default_change_reason=CHANGE_REASON,
                                 default_date=registered)
        totals["rooms"] += len(rooms)

        # the register
        assets = []
        for school_class in classes:
            for name, category, unit, spec, prices, share in CLASS_ITEMS:
                if rng.random() > share:
                    continue
                room = class_room[school_class.pk]
                assets.append(Asset(
                    kindergarten=kg, name=name, category=category, campus=school_class.campus, room=room,
                    school_class=school_class, custodian=teachers.get(school_class.pk),
                    quantity=_quantity(rng, spec, school_class.capacity), unit=unit, unit_price=_price(rng, *prices),
                    purchase_date=_purchase_date(rng, ctx.term_start - dt.timedelta(days=7)), supplier_name=rng.choice(SUPPLIERS[category]),
                    created_by=storekeeper, created_at=registered,
                ))
        for campus in campuses:
            for room_name, items in CAMPUS_ITEMS.items():
                custodian = ctx.users.get(CUSTODIAN_OF_ROOM[room_name] + suffix)
                for name, category, unit, spec, prices in items:
                    if room_name == "办公室" and campus != campuses[0] and rng.random() < 0.4:
                        continue  # a smaller office on the other campuses
                    assets.append(Asset(
                        kindergarten=kg, name=name, category=category, campus=campus,
                        room=campus_rooms[(campus.pk, room_name)], custodian=custodian,
                        quantity=_quantity(rng, spec, 0), unit=unit, unit_price=_price(rng, *prices),
                        purchase_date=_purchase_date(rng, ctx.term_start - dt.timedelta(days=7)), supplier_name=rng.choice(SUPPLIERS[category]),
                        created_by=storekeeper, created_at=registered,
                    ))
        # label codes by year of purchase, in purchase order
        assets.sort(key=lambda a: (a.purchase_date, a.campus_id, a.name))
        per_year: dict[int, int] = {}
        for asset in assets:
            year = asset.purchase_date.year
            per_year[year] = per_year.get(year, 0) + 1
            asset.label_code = f"ZC-{year}-{per_year[year]:04d}"
        # a few under repair, a couple scrapped (not the class furniture the handovers count)
        others = [a for a in assets if a.school_class_id is None]
        for asset in rng.sample(others, 4):
            asset.state = AssetState.UNDER_REPAIR
            asset.state_reason = rng.choice(REPAIR_REASONS)
            asset.state_changed_by = storekeeper
            asset.state_changed_at = _at(ctx.term_start + dt.timedelta(days=rng.randint(20, 70)), 10)
        for asset in rng.sample([a for a in others if a.state == AssetState.IN_USE and a.purchase_date.year < 2021],
                                2):
            asset.state = AssetState.SCRAPPED
            asset.state_reason = rng.choice(SCRAP_REASONS)
            asset.state_changed_by = director
            asset.state_changed_at = _at(ctx.term_start + dt.timedelta(days=rng.randint(20, 70)), 15)
        # photos of the demo class's toys and teaching equipment
        demo_class = ctx.classes[(slug, "中一班")] if (slug, "中一班") in ctx.classes else None
        for asset in assets:
            if demo_class is not None and asset.school_class is demo_class and asset.category in (C.TEACHING, C.IT):
                content = _photo(rng, f"{slug}-{asset.label_code}")
                asset.photo.name = default_storage.save(f"assets/{kg.code}/{content.name}", content)
        bulk_create_with_history(assets, Asset, batch_size=500, default_user=storekeeper,
                                 default_change_reason=CHANGE_REASON, default_date=registered)
        totals["assets"] += len(assets)

        # start-of-term handovers: signed by the class teachers, most closed by the director
        by_class: dict[int, list[Asset]] = {}
        for asset in assets:
            if asset.school_class_id and asset.state != AssetState.SCRAPPED:
                by_class.setdefault(asset.school_class_id, []).append(asset)
        unsigned = set()
        if slug == "demo":
            unsigned = {ctx.classes[("demo", "中一班")].pk,
                        next(c.pk for c in reversed(classes) if c.campus != ctx.campuses[("demo", "本部")])}
        handovers, lines, changed = [], [], []
        term = ctx.dates.term  # the start-of-term handovers of the current term
        due = term.start + dt.timedelta(days=9)
        for index, school_class in enumerate(classes):
            handover = Handover(kindergarten=kg, school_class=school_class, school_year=term.school_year,
                                term=term.name, kind=HandoverKind.START, due_on=due, created_by=director,
                                created_at=_at(term.start - dt.timedelta(days=3), 9))
            signed = school_class.pk not in unsigned
            closed = signed and index % 7 != 3
            if signed:
                day = min(term.start + dt.timedelta(days=rng.randint(0, 8)), ctx.dates.today - dt.timedelta(days=1))
                handover.status = HandoverStatus.CLOSED if closed else HandoverStatus.SIGNED
                handover.signed_by = teachers.get(school_class.pk, director)
                handover.signed_at = _at(day, 16, rng.randint(0, 59))
                if closed:
                    handover.closed_by = director
                    handover.closed_at = _at(day + dt.timedelta(days=rng.randint(1, 5)), 10, rng.randint(0, 59))
            handovers.append(handover)
            for asset in by_class.get(school_class.pk, []):
                line = HandoverLine(kindergarten=kg, handover=handover, asset=asset, expected_quantity=asset.quantity,
                                    created_by=director, created_at=handover.created_at)
                if signed:
                    line.counted_quantity = asset.quantity
                    roll = rng.random()
                    if asset.name == "幼儿椅" and roll < 0.25:
                        line.counted_quantity = asset.quantity - rng.randint(1, 2)
                        line.explanation = rng.choice(MISSING_REASONS)
                        if roll < 0.08 and nursery.get(school_class.pk):
                            line.negligence = True
                            line.responsible = nursery[school_class.pk]
                            line.amount_charged = asset.unit_price * (asset.quantity - line.counted_quantity)
                        if closed:
                            asset.quantity = line.counted_quantity
                            changed.append(asset)
                    elif asset.name == "饮水机" and roll < 0.15:
                        line.damaged_quantity = asset.quantity
                        line.explanation = "出水口漏水"
                        if closed:
                            asset.state = AssetState.UNDER_REPAIR
                            asset.state_reason = "交接时发现出水口漏水"
                            asset.state_changed_by = director
                            asset.state_changed_at = handover.closed_at
                            changed.append(asset)
                lines.append(line)
        bulk_create_with_history(handovers, Handover, default_user=director, default_change_reason=CHANGE_REASON,
                                 default_date=_at(ctx.term_start + dt.timedelta(days=12), 18))
        for line in lines:
            line.handover_id = line.handover.pk
        bulk_create_with_history(lines, HandoverLine, batch_size=500, default_user=director,
                                 default_change_reason=CHANGE_REASON,
                                 default_date=_at(ctx.term_start + dt.timedelta(days=12), 18))
        for asset in {a.pk: a for a in changed}.values():
            asset._history_date = _at(ctx.term_start + dt.timedelta(days=14), 10)
            asset._change_reason = "开学交接 start-of-term handover"
            asset._history_user = director
            asset.save(update_fields=["quantity", "state", "state_reason", "state_changed_by", "state_changed_at"])
        totals["asset handovers"] += len(handovers)

        # a posted stocktake of the first kitchen, an open one of the first hall
        kitchen = campus_rooms[(campuses[0].pk, "厨房")]
        hall = campus_rooms[(campuses[0].pk, "多功能厅")]
        counted_on = ctx.dates.moved(dt.date(2026, 10, 30))
        posted = AssetStocktake(kindergarten=kg, campus=campuses[0], room=kitchen, counted_on=counted_on,
                                status=StocktakeStatus.POSTED, posted_by=storekeeper,
                                posted_at=_at(counted_on, 16, 30), notes="月底厨房设备核对", created_by=storekeeper,
                                created_at=_at(counted_on, 14))
        pending = AssetStocktake(kindergarten=kg, campus=campuses[0], room=hall, counted_on=ctx.dates.back(3),
                                 created_by=storekeeper, created_at=_at(ctx.dates.back(3), 14))
        bulk_create_with_history([posted, pending], AssetStocktake, default_user=storekeeper,
                                 default_change_reason=CHANGE_REASON, default_date=_at(ctx.dates.back(3), 15))
        stock_lines, moved = [], None
        for asset in sorted((a for a in assets if a.room is kitchen and a.state != AssetState.SCRAPPED),
                            key=lambda a: a.label_code):
            line = AssetStocktakeLine(kindergarten=kg, stocktake=posted, asset=asset, expected_quantity=asset.quantity,
                                      counted_quantity=asset.quantity, counted_by=storekeeper,
                                      counted_at=_at(counted_on, 15), created_by=storekeeper,
                                      created_at=_at(counted_on, 14))
            if asset.name == "不锈钢操作台" and moved is None:
                line.counted_quantity = asset.quantity - 1
                line.explanation = "一张调往东园区厨房" if slug == "demo" else "一张锈蚀严重，已拆除"
                moved = asset
            stock_lines.append(line)
        for i, asset in enumerate(sorted((a for a in assets if a.room is hall and a.state != AssetState.SCRAPPED),
                                         key=lambda a: a.label_code)):
            line = AssetStocktakeLine(kindergarten=kg, stocktake=pending, asset=asset, expected_quantity=asset.quantity,
                                      created_by=storekeeper, created_at=pending.created_at)
            if i < 2:
                line.counted_quantity, line.counted_by = asset.quantity, storekeeper
                line.counted_at = _at(pending.counted_on, 15)
            stock_lines.append(line)
        bulk_create_with_history(stock_lines, AssetStocktakeLine, default_user=storekeeper,
                                 default_change_reason=CHANGE_REASON, default_date=_at(counted_on, 16))
        if moved is not None:
            moved.quantity -= 1
            moved._history_date = _at(counted_on, 16, 30)
            moved._change_reason = f"盘点 stocktake {counted_on.isoformat()}"
            moved._history_user = storekeeper
            moved.save(update_fields=["quantity"])
        totals["asset stocktakes"] += 2
    for key, value in totals.items():
        ctx.counts[key] = ctx.counts.get(key, 0) + value

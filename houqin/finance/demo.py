"""Demo data of purchasing, repairs and money over the records of ctx.dates (the story's windows,
first told on the autumn term of 2026, are placed on the demo's days by DemoDates.moved).

Per kindergarten: the usual budget categories with the year's budgets; purchase and repair requests in
every state (draft, awaiting the director, awaiting the principal, approved, ordered / under repair,
done, rejected, cancelled) with the approvals the kindergarten's ¥2,000 rule asks for; expenses with
small generated receipt images, signed handler → acceptor → principal, most of them paid, a few still
in the chain and one voided; the fee standards of the current term (and of the previous one, when
the records begin there) published to parents (demo figures, labelled so; 伙食费 is the canteen
demo's MEAL_FEE a child-day) and a draft for the next term.

Deterministic: every choice comes from `ctx.rng`, every date from ctx.dates (never the clock), and
the receipt images are drawn from the same numbers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from houqin.finance.models import (
    Budget,
    BudgetCategory,
    Expense,
    ExpenseStatus,
    FeeStandard,
    FeeUnit,
    FixedBy,
    PaymentMethod,
    PurchaseRequest,
    PurchaseRequestLine,
    Receipt,
    RepairRequest,
    RequestStatus,
    Signature,
    SignatureStep,
    Term,
    money,
)
from houqin.canteen.demo import MEAL_FEE
from houqin.finance.services import DEFAULT_CATEGORIES
from houqin.org.demo import CHANGE_REASON, demo_step

S = RequestStatus
E = ExpenseStatus
THRESHOLD = Decimal("2000.00")

BUDGETS_2026 = {  # yuan, for the big kindergarten; the small one gets about a third
    "办公用品": 36000, "教玩具": 80000, "保教材料": 45000, "维修": 60000, "水电": 96000, "设备购置": 120000,
    "卫生保健": 18000, "其他": 20000,
}

# title, category, requester (login base), lines: (description, quantity, unit, unit price), supplier, status
PURCHASES = [
    ("A4复印纸补充", "办公用品", "storekeeper", [("A4复印纸 70g（5包/箱）", 20, "箱", "128.00")], "晨光办公用品城南店", S.DONE),
    ("秋季主题墙手工材料", "保教材料", "director",
     [("彩色卡纸 A3", 30, "包", "18.50"), ("皱纹纸", 40, "卷", "6.80"), ("热熔胶棒", 10, "盒", "22.00")],
     "南京文教用品批发市场", S.DONE),
    ("户外沙水区玩具更新", "教玩具", "director",
     [("沙水玩具套装（12件）", 12, "套", "168.00"), ("儿童小水桶", 30, "个", "15.00")], "童趣教玩具有限公司", S.DONE),
    ("班级消毒液、洗手液", "卫生保健", "health",
     [("84消毒液 5L", 24, "桶", "36.00"), ("儿童洗手液 500ml", 60, "瓶", "12.90")], "康洁卫生用品商行", S.DONE),
    ("绘本图书（秋季书目）", "保教材料", "director", [("绘本（精装）", 120, "本", "32.80")], "凤凰书城", S.ORDERED),
    ("打印机硒鼓", "办公用品", "storekeeper", [("硒鼓 CF226A", 6, "个", "135.00")], "晨光办公用品城南店", S.ORDERED),
    ("体育器械：平衡木和软垫", "教玩具", "director",
     [("木质平衡木", 2, "套", "1680.00"), ("折叠体操软垫", 8, "块", "260.00")], "童趣教玩具有限公司", S.APPROVED),
    ("幼儿不锈钢餐盘", "设备购置", "canteen", [("304不锈钢分格餐盘", 200, "个", "18.50")], "金厨餐具", S.APPROVED),
    ("监控硬盘扩容", "设备购置", "storekeeper", [("监控专用硬盘 4TB", 4, "块", "780.00")], "", S.DIRECTOR_APPROVED),
    ("午睡室被褥更换（托班）", "设备购置", "storekeeper", [("儿童被褥三件套", 40, "套", "189.00")], "", S.DIRECTOR_APPROVED),
    ("医务室急救箱补充", "卫生保健", "health",
     [("医用纱布", 20, "包", "8.50"), ("碘伏棉签", 30, "盒", "9.80"), ("电子体温计", 10, "支", "39.00")], "", S.SUBMITTED),
    ("厨房保鲜膜、一次性手套", "其他", "canteen", [("食品级保鲜膜", 12, "卷", "25.00"), ("一次性手套", 20, "盒", "16.00")],
     "", S.SUBMITTED),
    ("期末班级奖品", "保教材料", "director", [("小贴纸奖励卡", 50, "套", "6.00")], "", S.DRAFT),
    ("办公室绿植", "其他", "storekeeper", [("绿萝（大盆）", 10, "盆", "45.00")], "", S.REJECTED),
    ("会议室投影幕布", "设备购置", "storekeeper", [("电动投影幕布 100寸", 1, "块", "899.00")], "", S.CANCELLED),
]

# title, where, campus (None: first), requester, estimate, status, fixed_by, fixer, actual cost
REPAIRS = [
    ("大型滑梯扶手松动", "户外大型玩具区", "director", "0.00", S.DONE, FixedBy.IN_HOUSE, "后勤维修组", "35.00"),
    ("中二班水龙头漏水", "中二班盥洗室", "teacher", "80.00", S.DONE, FixedBy.IN_HOUSE, "后勤维修组", "46.00"),
    ("厨房消毒柜不加热", "厨房", "canteen", "600.00", S.DONE, FixedBy.CONTRACTOR, "康佳厨房设备维修部", "480.00"),
    ("东门监控摄像头画面模糊", "东门", "guard", "450.00", S.DONE, FixedBy.CONTRACTOR, "安视达监控工程", "380.00"),
    ("大一班空调不制冷", "大一班活动室", "teacher", "2600.00", S.DONE, FixedBy.CONTRACTOR, "格力特约维修站", "2350.00"),
    ("刷卡门禁读卡失灵", "正门门禁", "guard", "900.00", S.IN_REPAIR, FixedBy.CONTRACTOR, "安视达监控工程", None),
    ("午睡室灯管不亮", "小三班午睡室", "nursery", "60.00", S.IN_REPAIR, FixedBy.IN_HOUSE, "后勤维修组", None),
    ("沙水池排水堵塞", "沙水区", "director", "300.00", S.APPROVED, "", "", None),
    ("钢琴琴键卡住、需调音", "音乐室", "teacher", "2200.00", S.DIRECTOR_APPROVED, "", "", None),
    ("围墙栏杆油漆剥落", "南侧围墙", "guard", "3800.00", S.SUBMITTED, "", "", None),
    ("洗衣机脱水漏水", "洗衣房", "nursery", "350.00", S.SUBMITTED, "", "", None),
    ("小一班门把手损坏", "小一班", "nursery", "40.00", S.DRAFT, "", "", None),
    ("走廊地胶翘边", "二楼走廊", "health", "1500.00", S.REJECTED, "", "", None),
    ("旧电视机维修", "多功能厅", "storekeeper", "500.00", S.CANCELLED, "", "", None),
]

# Repairs of a registered asset: title → (asset name, a word of its place); linked when the register has it.
REPAIR_ASSETS = {
    "大型滑梯扶手松动": ("大型组合滑梯", ""),
    "厨房消毒柜不加热": ("消毒柜", "厨房"),
    "东门监控摄像头画面模糊": ("监控摄像头", ""),
    "大一班空调不制冷": ("空调", "大一班"),
    "钢琴琴键卡住、需调音": ("钢琴", ""),
}

# Expenses not tied to a request: title, category, payee, amount, handler, status
STANDALONE = [
    ("9月电费", "水电", "国网南京供电公司", "6820.40", "accountant", E.PAID),
    ("9月水费", "水电", "南京水务集团", "1435.60", "accountant", E.PAID),
    ("10月电费", "水电", "国网南京供电公司", "5976.80", "accountant", E.PAID),
    ("10月水费", "水电", "南京水务集团", "1288.20", "accountant", E.PAID),
    ("11月上旬电费（预缴）", "水电", "国网南京供电公司", "2000.00", "accountant", E.PRINCIPAL_SIGNED),
    ("快递费（9月）", "办公用品", "顺丰速运", "86.00", "storekeeper", E.PAID),
    ("教师节布置气球", "保教材料", "南京文教用品批发市场", "156.00", "director", E.PAID),
    ("国庆主题活动道具", "保教材料", "南京文教用品批发市场", "412.50", "director", E.PAID),
    ("灭火器年检充装", "维修", "消安消防器材公司", "960.00", "director", E.PAID),
    ("饮水机滤芯更换", "卫生保健", "沁园净水服务部", "540.00", "storekeeper", E.PAID),
    ("厨房燃气灶点火器", "维修", "康佳厨房设备维修部", "120.00", "canteen", E.PAID),
    ("园所宣传展板制作", "其他", "城南广告制作部", "880.00", "director", E.PAID),
    ("保洁用品（扫帚、拖把）", "卫生保健", "康洁卫生用品商行", "326.00", "storekeeper", E.PAID),
    ("教研活动用书", "保教材料", "凤凰书城", "468.00", "director", E.PAID),
    ("儿童剪刀、胶水", "保教材料", "晨光办公用品城南店", "233.60", "storekeeper", E.PAID),
    ("门卫室取暖器", "设备购置", "苏宁易购城南店", "299.00", "storekeeper", E.PAID),
    ("园内绿化修剪", "其他", "城南园林养护队", "1200.00", "director", E.PAID),
    ("打印纸（临时）", "办公用品", "晨光办公用品城南店", "64.00", "storekeeper", E.ACCEPTOR_SIGNED),
    ("运动会奖牌", "保教材料", "南京文教用品批发市场", "360.00", "director", E.ACCEPTOR_SIGNED),
    ("空调遥控器", "维修", "苏宁易购城南店", "78.00", "storekeeper", E.HANDLER_SIGNED),
    ("厨房抹布、钢丝球", "其他", "康洁卫生用品商行", "95.00", "canteen", E.HANDLER_SIGNED),
    ("门卫室手电筒电池", "其他", "苏宁易购城南店", "48.00", "storekeeper", E.DRAFT),
    ("重复录入的快递费", "办公用品", "顺丰速运", "86.00", "storekeeper", "void"),
]

FEES_AUTUMN_2026 = [
    ("保育教育费", "1200.00", FeeUnit.PER_MONTH, "省级示范园收费标准（演示数据）"),
    ("伙食费", str(MEAL_FEE), FeeUnit.PER_DAY, "按实际出勤天数收取，单独核算，每月公示（演示数据）"),
    ("幼儿被褥（代办，自愿）", "380.00", FeeUnit.ONCE, "家长自愿，可自带（演示数据）"),
    ("延时照护服务（自愿）", "200.00", FeeUnit.PER_MONTH, "17:00–18:00，家长自愿报名（演示数据）"),
]
FEE_BASIS = "城南区发展和改革局 城发改收费〔2025〕12号（演示）"

# When requests in each state were made: done ones through the term, open ones lately.
WINDOWS = {
    S.DONE: (dt.date(2026, 9, 2), dt.date(2026, 11, 2)),
    S.ORDERED: (dt.date(2026, 10, 20), dt.date(2026, 11, 6)),
    S.APPROVED: (dt.date(2026, 10, 26), dt.date(2026, 11, 10)),
    S.IN_REPAIR: (dt.date(2026, 11, 4), dt.date(2026, 11, 12)),
    S.REJECTED: (dt.date(2026, 9, 20), dt.date(2026, 11, 6)),
    S.CANCELLED: (dt.date(2026, 9, 20), dt.date(2026, 11, 6)),
    S.DIRECTOR_APPROVED: (dt.date(2026, 11, 9), dt.date(2026, 11, 13)),
    S.SUBMITTED: (dt.date(2026, 11, 12), dt.date(2026, 11, 17)),
    S.DRAFT: (dt.date(2026, 11, 13), dt.date(2026, 11, 18)),
}


def _spread(ctx, specs, status_of, windows) -> list[dt.date]:
    """A date per spec: the specs of one state spaced evenly over that state's window, with a little jitter."""
    positions: dict = {}
    totals: dict = {}
    for spec in specs:
        totals[status_of(spec)] = totals.get(status_of(spec), 0) + 1
    days = []
    for spec in specs:
        status = status_of(spec)
        index = positions[status] = positions.get(status, -1) + 1
        start, end = (ctx.dates.moved(d) for d in windows[status])
        width = (end - start).days
        step = width // max(totals[status], 1)
        day = start + dt.timedelta(days=index * step + ctx.rng.randrange(max(step, 1)))
        days.append(_weekday(min(day, end)))
    return days


def _at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _day(ctx, start: dt.date, spread: int) -> dt.date:
    return min(start + dt.timedelta(days=ctx.rng.randrange(spread + 1)), ctx.dates.last_day)


def _weekday(day: dt.date) -> dt.date:
    """The day, or the Monday after it if it is a weekend (days come capped at a school day by _day)."""
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _save(obj, when: dt.datetime, user):
    obj._history_date = when
    obj._history_user = user
    obj._change_reason = CHANGE_REASON
    obj.save()
    return obj


def receipt_png(rng, number: str, amount: Decimal) -> bytes:
    """A small receipt-like image (grey lines, a stamp, the number and amount) drawn from `rng`."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (180, 240), 250)
    draw = ImageDraw.Draw(image)
    draw.rectangle((6, 6, 173, 233), outline=120)
    draw.text((14, 14), "RECEIPT", fill=30)
    draw.text((14, 30), number, fill=60)
    for row in range(6):
        y = 56 + row * 18
        draw.line((14, y, 14 + rng.randrange(60, 150), y), fill=rng.randrange(90, 170), width=2)
    draw.text((14, 176), f"CNY {amount}", fill=20)
    cx, cy = rng.randrange(110, 150), rng.randrange(180, 205)
    draw.ellipse((cx - 22, cy - 22, cx + 22, cy + 22), outline=90, width=3)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


class _Kg:
    """Helpers for one kindergarten of the demo."""

    def __init__(self, ctx, slug: str, suffix: str, scale: Decimal):
        self.ctx, self.slug, self.suffix, self.scale = ctx, slug, suffix, scale
        self.kg = ctx.kindergartens[slug]
        self.numbers: dict[str, int] = {}
        self.categories: dict[str, BudgetCategory] = {}

    def user(self, base: str):
        return self.ctx.users[base + self.suffix]

    def number(self, prefix: str) -> str:
        self.numbers[prefix] = self.numbers.get(prefix, 0) + 1
        return f"{prefix}-{self.ctx.dates.today.year}-{self.numbers[prefix]:04d}"

    def build_budgets(self):
        accountant = self.user("accountant")
        years = sorted({self.ctx.dates.start.year, self.ctx.dates.today.year})
        when = _at(dt.date(years[0], 1, 8), 9)
        for name, order, is_food in DEFAULT_CATEGORIES:
            category = BudgetCategory(kindergarten=self.kg, name=name, sort_order=order, is_food=is_food,
                                      created_by=accountant, created_at=when)
            self.categories[name] = _save(category, when, accountant)
            amount = money(Decimal(BUDGETS_2026[name]) * self.scale / 100) * 100
            for year in years:
                at = _at(dt.date(year, 1, 8), 9)
                _save(Budget(kindergarten=self.kg, category=category, year=year, amount=amount,
                             notes=f"{year}年度预算（演示数据）", created_by=accountant, created_at=at), at, accountant)

    def approve(self, req, status, submitted: dt.date):
        """Fill in the approvals the ¥2,000 rule asks for, up to `status`."""
        requester = req.created_by
        director, principal = self.user("director"), self.user("principal")
        req.requester_is_director = requester == director
        req.needs_principal = req.requester_is_director or req.estimated_total >= THRESHOLD
        req.threshold_at_submission = THRESHOLD
        req.submitted_at, req.submitted_by = _at(submitted, 9, 30), requester
        if status in (S.DRAFT,):
            req.submitted_at = req.submitted_by = None
            req.needs_principal = req.requester_is_director = False
            req.threshold_at_submission = None
            return submitted
        day = submitted
        if status == S.SUBMITTED:
            return day
        if status == S.REJECTED:
            day = _weekday(_day(self.ctx, day, 2))
            req.closed_at, req.closed_by = _at(day, 16), principal if req.requester_is_director else director
            req.decision_note = "本学期预算已安排同类项目，暂缓" if req.estimated_total < 1000 else "请先比较三家报价后再申请"
            return day
        if status == S.CANCELLED:
            day = _weekday(_day(self.ctx, day, 3))
            req.closed_at, req.closed_by = _at(day, 11), requester
            req.decision_note = "已有闲置物品可用，无需购买" if isinstance(req, PurchaseRequest) else "设备已报废，不再维修"
            return day
        if not req.requester_is_director:
            day = _weekday(_day(self.ctx, day, 1))
            req.director_approved_at, req.director_approved_by = _at(day, 14), director
        if status == S.DIRECTOR_APPROVED:
            return day
        if req.needs_principal:
            day = _weekday(_day(self.ctx, day, 2))
            req.principal_approved_at, req.principal_approved_by = _at(day, 15), principal
        return day

    def build_purchases(self, specs) -> list[PurchaseRequest]:
        made = []
        dates = _spread(self.ctx, specs, lambda spec: spec[5], WINDOWS)
        ordered = sorted(zip(dates, range(len(specs)), specs, strict=True))  # numbered in the order they were made
        for created, _index, (title, cat, who, lines, supplier, status) in ordered:
            requester = self.user(who)
            total = sum((money(Decimal(q) * Decimal(p)) for _, q, _, p in lines), Decimal("0.00"))
            req = PurchaseRequest(
                kindergarten=self.kg, number=self.number("SG"), title=title, reason=f"{title}：日常保教和后勤所需，按计划申购。",
                category=self.categories[cat], budget_year=created.year, supplier_name=supplier, total=total,
                created_by=requester, created_at=_at(created, 9), status=status,
            )
            day = self.approve(req, status, created)
            if status in (S.ORDERED, S.DONE):
                day = _weekday(_day(self.ctx, day, 3))
                req.ordered_at, req.ordered_by = _at(day, 10), self.user("storekeeper")
            if status == S.DONE:
                day = _weekday(_day(self.ctx, day, 5))
                req.done_at, req.done_by = _at(day, 11), self.user("storekeeper")
            _save(req, _at(day, 17), requester)
            for position, (description, quantity, unit, price) in enumerate(lines):
                line = PurchaseRequestLine(kindergarten=self.kg, request=req, position=position,
                                           description=description, quantity=Decimal(quantity), unit=unit,
                                           unit_price=Decimal(price), created_by=requester, created_at=req.created_at)
                _save(line, req.created_at, requester)
            req.finished_on = day
            made.append(req)
        return made

    def build_repairs(self, specs) -> list[RepairRequest]:
        made = []
        campuses = sorted((c for (s, _), c in self.ctx.campuses.items() if s == self.slug), key=lambda c: c.pk)
        dates = _spread(self.ctx, specs, lambda spec: spec[4], WINDOWS)
        ordered = sorted(zip(dates, range(len(specs)), specs, strict=True))
        for created, index, (title, where, who, estimate, status, fixed_by, fixer, actual) in ordered:
            requester = self.user(who)
            req = RepairRequest(
                kindergarten=self.kg, number=self.number("WX"), title=title, location=where,
                campus=campuses[index % len(campuses)] if len(campuses) > 1 and who == "guard" else None,
                reason=f"{title}，影响正常使用，请安排维修。", category=self.categories["维修"], budget_year=created.year,
                estimated_cost=Decimal(estimate), created_by=requester, created_at=_at(created, 8, 40), status=status,
            )
            req.asset = self.asset_for(title) if status != S.IN_REPAIR else None
            if req.asset is not None:
                req.campus = req.asset.campus if len(campuses) > 1 else None
            day = self.approve(req, status, created)
            if status in (S.IN_REPAIR, S.DONE):
                day = _weekday(_day(self.ctx, day, 2))
                req.started_at, req.fixed_by, req.fixer_name = _at(day, 9), fixed_by, fixer
            if status == S.DONE:
                day = _weekday(_day(self.ctx, day, 4))
                req.actual_cost, req.repaired_on = Decimal(actual), day
                req.asset_returned_on = day
                req.repair_notes = "已修复，试用正常" if fixed_by == FixedBy.IN_HOUSE else "厂家上门维修，保修三个月"
                req.done_at, req.done_by = _at(day, 16), self.user("director")
            _save(req, _at(day, 17), requester)
            req.finished_on = day
            made.append(req)
        return made

    def asset_for(self, title: str):
        """The registered asset a demo repair is about (one in use), if the asset register has it."""
        from houqin.assets.models import Asset, AssetState

        if title not in REPAIR_ASSETS:
            return None
        name, place = REPAIR_ASSETS[title]
        candidates = list(Asset.objects.filter(kindergarten=self.kg, name=name, state=AssetState.IN_USE,
                                               voided_at__isnull=True).select_related("room", "school_class")
                          .order_by("label_code"))
        preferred = [a for a in candidates if place and place in a.location]
        return (preferred or candidates or [None])[0]

    def build_expense(self, *, title, category, payee, amount, handler, status, spent_on, request=None):
        ctx = self.ctx
        handler_user = self.user(handler)
        acceptor = self.user("storekeeper") if handler != "storekeeper" else self.user("director")
        principal, accountant = self.user("principal"), self.user("accountant")
        amount = Decimal(amount)
        expense = Expense(
            kindergarten=self.kg, number=self.number("BX"), title=title, amount=amount, category=category,
            spent_on=spent_on, payee=payee, handler=handler_user, created_by=handler_user,
            created_at=_at(spent_on, 15, ctx.rng.randrange(60)),
            purchase_request=request if isinstance(request, PurchaseRequest) else None,
            repair_request=request if isinstance(request, RepairRequest) else None,
            description="演示数据" if request is None else f"{request.number} 的报销",
        )
        order = [E.DRAFT, E.HANDLER_SIGNED, E.ACCEPTOR_SIGNED, E.PRINCIPAL_SIGNED, E.PAID]
        target = E.DRAFT if status == "void" else status
        reached = order.index(target)
        day = spent_on
        signatures = []
        for step, signer, position in ((SignatureStep.HANDLER, handler_user, 1), (SignatureStep.ACCEPTOR, acceptor, 2),
                                       (SignatureStep.PRINCIPAL, principal, 3)):
            if reached < position:
                break
            day = _weekday(_day(ctx, day, 2))
            role = {SignatureStep.HANDLER: handler, SignatureStep.PRINCIPAL: "principal",
                    SignatureStep.ACCEPTOR: "storekeeper" if signer == self.user("storekeeper") else "director"}[step]
            signatures.append((step, signer, _at(day, 10 + position, ctx.rng.randrange(60)), role))
        if target == E.PAID:
            day = _weekday(_day(ctx, day, 3))
            expense.paid_on, expense.paid_by = day, accountant
            expense.payment_method = PaymentMethod.TRANSFER if amount >= 500 else ctx.rng.choice(
                [PaymentMethod.TRANSFER, PaymentMethod.CARD, PaymentMethod.CASH])
            expense.payment_reference = f"PZ{day:%m%d}{ctx.rng.randrange(100, 999)}"
        expense.status = target
        if status == "void":
            expense.status = E.VOIDED
            expense.voided_at, expense.voided_by = _at(_weekday(_day(ctx, day, 1)), 16), principal
            expense.void_reason = "与 9 月快递费重复录入"
        _save(expense, _at(day, 17), handler_user)
        for step, signer, when, role in signatures:
            Signature.objects.create(kindergarten=self.kg, expense=expense, step=step, user=signer, role=role,
                                     signed_at=when, created_by=signer, created_at=when)
        content = receipt_png(ctx.rng, expense.number, amount)
        receipt = Receipt(kindergarten=self.kg, expense=expense, content_type="image/png", size=len(content),
                          original_name=f"{expense.number}.png", created_by=handler_user, created_at=expense.created_at)
        receipt.sha256 = hashlib.sha256(content).hexdigest()
        receipt.file.save("receipt", ContentFile(content), save=False)
        _save(receipt, expense.created_at, handler_user)
        return expense

    def build_fees(self) -> int:
        """The fee standards of the terms of the records, published a week before each began, and a
        draft for the next term. Returns how many."""
        from houqin.core import calendar

        dates = self.ctx.dates
        principal = self.user("principal")
        terms = [t for t in (dates.previous, dates.term) if t.end >= dates.start]
        made = 0
        for term in terms:
            published = _at(term.start - dt.timedelta(days=7), 10)
            for order, (item, amount, unit, notes) in enumerate(FEES_AUTUMN_2026):
                fee = FeeStandard(kindergarten=self.kg, school_year=term.school_year, term=term.name, item=item,
                                  amount=Decimal(amount), unit=unit, basis=FEE_BASIS, notes=notes,
                                  sort_order=order * 10, published_at=published, published_by=principal,
                                  created_by=self.user("accountant"), created_at=_at(term.start - dt.timedelta(days=12), 9))
                _save(fee, published, principal)
                made += 1
        coming = calendar.current_term(dates.term.end + dt.timedelta(days=60))
        draft = FeeStandard(kindergarten=self.kg, school_year=coming.school_year, term=coming.name, item="保育教育费",
                            amount=Decimal("1200.00"), unit=FeeUnit.PER_MONTH, basis=FEE_BASIS,
                            notes="下学期草稿，待物价部门核定（演示数据）", created_by=self.user("accountant"),
                            created_at=_at(dates.moved(dt.date(2026, 11, 18)), 9))
        _save(draft, draft.created_at, self.user("accountant"))
        return made + 1


def _request_expense_plans(k: _Kg, purchases, repairs, statuses) -> list[dict]:
    """Expenses of the requests that are done: most paid, the latest still in the signature chain."""
    plans = []
    done = sorted((r for r in [*purchases, *repairs] if r.status == S.DONE), key=lambda r: (r.finished_on, r.number))
    for req, status in zip(done, statuses, strict=False):
        handler = "storekeeper" if isinstance(req, PurchaseRequest) else "director"
        if isinstance(req, PurchaseRequest) and req.created_by == k.user("canteen"):
            handler = "canteen"
        amount = req.total if isinstance(req, PurchaseRequest) else req.actual_cost
        if not amount:
            continue
        payee = req.supplier_name if isinstance(req, PurchaseRequest) else req.fixer_name
        plans.append({"title": req.title, "category": req.category, "payee": payee or "供应商", "amount": amount,
                      "handler": handler, "status": status, "spent_on": req.finished_on, "request": req})
    return plans


EXPENSE_WINDOWS = {
    E.PAID: (dt.date(2026, 9, 3), dt.date(2026, 11, 9)),
    "void": (dt.date(2026, 10, 12), dt.date(2026, 10, 30)),
    E.PRINCIPAL_SIGNED: (dt.date(2026, 11, 9), dt.date(2026, 11, 13)),
    E.ACCEPTOR_SIGNED: (dt.date(2026, 11, 11), dt.date(2026, 11, 16)),
    E.HANDLER_SIGNED: (dt.date(2026, 11, 13), dt.date(2026, 11, 17)),
    E.DRAFT: (dt.date(2026, 11, 16), dt.date(2026, 11, 19)),
}


def _standalone_plans(k: _Kg, standalone) -> list[dict]:
    ctx = k.ctx
    plans = []
    dates = _spread(ctx, standalone, lambda spec: spec[5], EXPENSE_WINDOWS)
    for (title, cat, payee, amount, handler, status), start in zip(standalone, dates, strict=True):
        if title.startswith("9月"):  # the September bills arrive in early October
            start = ctx.dates.moved(dt.date(2026, 10, 8))
        elif title.startswith("10月"):
            start = ctx.dates.moved(dt.date(2026, 11, 5))
        plans.append({"title": title, "category": k.categories[cat], "payee": payee, "amount": amount,
                      "handler": handler, "status": status, "spent_on": _weekday(_day(ctx, start, 1))})
    return plans


@demo_step
def build_finance(ctx):
    """Budgets, requests, expenses with receipts and fee standards of the autumn term 2026."""
    counts = {"budgets": 0, "purchase requests": 0, "repair requests": 0, "expenses": 0, "fee standards": 0}
    plans = [("demo", "", Decimal("1"), PURCHASES, REPAIRS, STANDALONE),
             ("demo2", "2", Decimal("0.35"), PURCHASES[::3], REPAIRS[::3], STANDALONE[:4] + STANDALONE[17:19])]
    for slug, suffix, scale, purchases_spec, repairs_spec, standalone in plans:
        if slug not in ctx.kindergartens:
            continue
        k = _Kg(ctx, slug, suffix, scale)
        k.build_budgets()
        purchases = k.build_purchases(purchases_spec)
        repairs = k.build_repairs(repairs_spec)
        plans = _request_expense_plans(k, purchases, repairs, [E.PAID] * 7 + [E.PRINCIPAL_SIGNED, E.ACCEPTOR_SIGNED])
        plans += _standalone_plans(k, standalone)
        plans.sort(key=lambda plan: (plan["spent_on"], plan["title"]))  # numbered in the order they were recorded
        expenses = [k.build_expense(**plan) for plan in plans]
        fees = k.build_fees()
        counts["budgets"] += len(k.categories)
        counts["purchase requests"] += len(purchases)
        counts["repair requests"] += len(repairs)
        counts["expenses"] += len(expenses)
        counts["fee standards"] += fees
    ctx.counts.update(counts)


METERS = [  # name, kind, base monthly use, summer factor, winter factor
    ("主楼电表", "electricity", Decimal("5200"), Decimal("1.45"), Decimal("1.25")),
    ("总水表", "water", Decimal("410"), Decimal("1.30"), Decimal("0.85")),
]


@demo_step
def build_utilities(ctx):
    """Energy and water (水电气): the main building's electricity meter and the water meter read at the
    end of each month for the last two years; this year's use is some 8 % under last year's after the
    saving measures the seeds report (air conditioners set to 26 °C, sensor taps, lights off at nap
    time), noted on the readings; the water meter was changed six months ago (its reading fell)."""
    from houqin.finance.models import Meter, MeterReading
    from houqin.finance.utilities import add_months, month_start

    last = add_months(month_start(ctx.dates.today), -1)
    made = 0
    for slug, suffix in (("demo", ""), ("demo2", "2")):
        kg = ctx.kindergartens.get(slug)
        director = ctx.users.get("director" + suffix)
        if kg is None or director is None:
            continue
        for name, kind, base, summer, winter in METERS:
            meter = Meter(kindergarten=kg, name=name, kind=kind, created_by=director)
            meter._history_user = director
            meter.save()
            reading, rows = Decimal("10000") if kind == "electricity" else Decimal("3000"), []
            for back in range(24, -1, -1):
                month = add_months(last, -back)
                factor = summer if month.month in (6, 7, 8, 9) else winter if month.month in (12, 1, 2) else Decimal(1)
                saving = Decimal("0.92") if back < 12 else Decimal(1)  # this year's measures
                usage = (base * factor * saving * Decimal(1 + ((month.month * 7) % 5 - 2) / 100)).quantize(Decimal("1"))
                changed, old_final = kind == "water" and back == 6, None
                if back == 24:
                    usage = None  # the first reading gives no use
                elif changed:  # the old meter's last figure, then 12 m³ on the new one
                    old_final, reading = reading + usage - Decimal("12"), Decimal("12")
                else:
                    reading += usage
                note = ""
                if back == 11:
                    note = "空调统一设定26℃，午睡时段关灯" if kind == "electricity" else "更换感应水龙头"
                elif changed:
                    note = "旧表老化更换新表"
                rows.append(MeterReading(kindergarten=kg, meter=meter, month=month, reading=reading, usage=usage,
                                         meter_changed=changed, old_meter_final=old_final, note=note,
                                         created_by=director))
            MeterReading.objects.bulk_create(rows)
            made += len(rows)
    ctx.counts.update({"meter readings": made})


EVENTS = [  # title, kind, days from today, place, children share, guests, budget, needs
    ("元旦迎新亲子活动", "new_year", 23, "多功能厅", 1.0, 260, "3000", [
        ("catering", "小包装饼干（每人一份）", "620", "份", True, "1.80", "食堂 王师傅"),
        ("catering", "温开水、一次性纸杯", "900", "个", True, "0.15", "保育组"),
        ("materials", "彩带、气球、舞台背景布", "1", "套", True, "680", "后勤主任"),
        ("materials", "音响、话筒", "1", "套", False, None, "后勤主任"),
        ("safety", "急救箱（医务室取用）", "2", "个", False, None, "保健医生"),
    ]),
    ("秋季亲子运动会", "sports", -40, "操场", 1.0, 420, "2500", [
        ("catering", "饮用水", "60", "箱", True, "24", "后勤主任"),
        ("materials", "奖牌与贴纸", "600", "个", True, "1.20", "教研组"),
        ("safety", "安全员（每区两名）", "8", "人", False, None, "保安队长"),
    ]),
]


@demo_step
def build_events(ctx):
    """Big events (大型活动): the New Year family party in three weeks, its needs listed and its purchase
    request sent for approval; the autumn sports meet held six weeks ago."""
    from houqin import policy as _policy
    from houqin.finance import events
    from houqin.finance.models import BudgetCategory

    kg, director = ctx.kindergartens.get("demo"), ctx.users.get("director")
    if kg is None or director is None:
        return
    actor = _policy.actor_for_kindergarten(director, kg)
    from houqin.org.models import Child

    children = Child.objects.filter(kindergarten=kg, left_on__isnull=True, voided_at__isnull=True).count()
    category = BudgetCategory.objects.filter(kindergarten=kg, name="其他").first()
    made = 0
    for title, kind, days, place, share, guests, budget, needs in EVENTS:
        event = events.event_create(actor=actor, title=title, kind=kind,
                                    date=ctx.dates.today + dt.timedelta(days=days), place=place,
                                    children=int(children * share), guests=guests, lead=director, budget=budget)
        for need_kind, item, quantity, unit, to_buy, price, who in needs:
            events.need_add(actor=actor, event=event, kind=need_kind, item=item, quantity=quantity, unit=unit,
                            to_buy=to_buy, unit_price=price, responsible=who)
        if days > 0 and category is not None:
            events.event_request_purchase(actor=actor, event=event, category=category)
            ctx.counts["purchase requests"] = ctx.counts.get("purchase requests", 0) + 1
        made += 1
    ctx.counts.update({"finance events": made})

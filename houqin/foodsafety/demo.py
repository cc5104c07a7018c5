"""A term of food safety for the demo kindergartens (a step of `manage.py seed_demo`).

Built on the storeroom's demo term: every food receipt of the stock ledger becomes a receiving
inspection by the canteen staff (with a few rejected foods); every supplier of food has its two
licences; every dish of the published menus (houqin.canteen) gets its sample, discarded 48 hours
later; every served meal its tableware disinfection; each food store an expiry check every half
month; the kitchen a hygiene inspection every week. Records run to the last school day before
ctx.dates.today.

Planted in `demo` (the director's to-dos on ctx.dates.today show these):
- one dish served on the last school day without a sample (when the canteen's demo publishes menus;
  a to-do while that day is within the to-dos' look-back);
- a supplier's food licence expiring 10 days after today; another supplier's business licence
  expired 10 days before today: every delivery of that supplier since was accepted only with the
  director's recorded override (the kindergarten allows it; the reason is on the receipt);
- no expiry check of the first food store in the half-month before the current one.
Deterministic: choices come from ctx.rng, dates from ctx.dates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from houqin.foodsafety import selectors, services
from houqin.foodsafety.models import (
    CertificateKind,
    FigureKey,
    DisinfectionMethod,
    ExpiryCheck,
    ExpiryCheckLine,
    HygieneInspection,
    HygieneResult,
    ProductionRecord,
    Receipt,
    ReceiptLine,
    Sample,
    SupplierCertificate,
    TablewareDisinfection,
)
from houqin.org.demo import CHANGE_REASON, DemoDates, demo_step

OVERRIDE_REASON = "新证已在办理，已收办证回执复印件存档；主任同意临时接收，新证到后补录"
REJECT_REASONS = ["包装破损", "叶菜发黄、不新鲜", "有异味", "温度超标", "无合格证明"]
FRIDGES = ["留样冰箱1号", "留样冰箱2号"]
PRODUCTION_DAYS = 10  # the last two school weeks have their production, serving and waste weighed
MEAL_TIMES = {"breakfast": (7, 30, 8, 0), "morning_snack": (9, 20, 9, 45), "lunch": (10, 40, 11, 20),
              "afternoon_snack": (14, 40, 15, 10), "supper": (16, 30, 17, 0)}
GRAMS_PER_CHILD = {"breakfast": 120, "morning_snack": 80, "lunch": 110, "afternoon_snack": 90, "supper": 110}


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def left_dish(dishes: list[dict]) -> str | None:
    """The dish the children leave (planted: its plate waste is flagged for the meal committee): the
    first lunch dish named as a vegetable, else the first lunch dish."""
    lunch = sorted({str(d["dish_name"]) for d in dishes if d["meal"] == "lunch"})
    return next((n for n in lunch if "菜" in n or "芹" in n or "菠" in n), lunch[0] if lunch else None)


def _production(ctx, kg, cook, plan: dict) -> int:
    """Production, serving and waste of every dish of the last school days, each linked to its sample;
    in `demo` one dish is mostly left on the plates."""
    from houqin.org.models import Child

    children = Child.objects.filter(kindergarten=kg, left_on__isnull=True).count() or 100
    days = list(ctx.dates.past_days[-PRODUCTION_DAYS:])
    kept = {(s.day, s.meal, str(s.dish_code)): s for s in Sample.objects.filter(kindergarten=kg, day__in=days)}
    served = services.served_dishes_on(kg, days)  # two queries for all the days
    disliked = left_dish([d for dishes in served.values() for d in dishes]) if plan else None
    rows = []
    for day in days:
        for dish in served[day]:
            h1, m1, h2, m2 = MEAL_TIMES.get(dish["meal"], MEAL_TIMES["lunch"])
            planned = children + ctx.rng.randint(0, 4)
            eaten = max(1, children - ctx.rng.randint(2, 12))  # a few children absent
            grams = GRAMS_PER_CHILD.get(dish["meal"], 100)
            cooked = Decimal(planned * grams * ctx.rng.randint(100, 108) // 100) / 1000
            served_kg = (cooked * Decimal(ctx.rng.randint(88, 95)) / 100).quantize(Decimal("0.01"))
            leftover = ((cooked - served_kg) * Decimal(ctx.rng.randint(60, 95)) / 100).quantize(Decimal("0.01"))
            share = ctx.rng.randint(22, 32) if dish["dish_name"] == disliked else ctx.rng.randint(2, 9)
            waste = (served_kg * share / 100).quantize(Decimal("0.01"))
            rows.append(ProductionRecord(
                kindergarten=kg, day=day, meal=dish["meal"], meal_label=str(dish.get("meal_label", ""))[:20],
                dish_code=dish["dish_code"], dish_name=str(dish["dish_name"])[:60], planned_portions=planned,
                served_portions=eaten, cooked_kg=cooked.quantize(Decimal("0.01")), served_kg=served_kg,
                leftover_kg=leftover, plate_waste_kg=waste, cooked_by=cook, cooked_at=_at(day, h1, m1),
                served_at=_at(day, h2, m2), sample=kept.get((day, dish["meal"], str(dish["dish_code"]))),
                created_by=cook, retain_until=services.add_months(day, 24), created_at=_at(day, h2, m2) + dt.timedelta(minutes=20)))
    _save(rows, ProductionRecord)
    return len(rows)


DUTY_DAYS = 20  # the daily checks of the last four school weeks
ACCOMPANY_REMARKS = ["饭菜温度适宜，孩子们吃得很香", "米饭略硬，已提醒厨房加水", "青菜偏咸，请减少用盐",
                     "分量合适，个别孩子挑食，老师耐心引导", "汤偏凉，分餐时间需再提前", "口味清淡，色泽好，孩子们爱吃"]


def _duties(ctx, kg, officer, principal, canteen) -> None:
    """The food-safety officer's daily checks, the weekly reviews (Fridays), the monthly scheduling
    meetings with the principal (first school day of each month), and the principal's lunch with a
    class every week (with the dish children leave noticed)."""
    from houqin.foodsafety import duties
    from houqin.foodsafety.models import AccompaniedMeal, DutyCheck, DutyKind, DutyResult
    from houqin.org.models import SchoolClass

    past = list(ctx.dates.past_days)
    plan: list[tuple[str, dt.date]] = [(DutyKind.DAILY, d) for d in past[-DUTY_DAYS:]]
    plan += [(DutyKind.WEEKLY, d) for d in past[-DUTY_DAYS:] if d.weekday() == 4]
    months = {}
    for d in past:
        months.setdefault((d.year, d.month), d)
    plan += [(DutyKind.MONTHLY, d) for d in months.values()]
    checks, results = [], []
    for kind, day in plan:
        monthly = kind == DutyKind.MONTHLY
        by = principal if monthly else officer
        check = DutyCheck(kindergarten=kg, kind=kind, done_on=day, done_by=by, created_by=by,
                          attendees=f"{principal.display_name}、{officer.display_name}、{canteen.display_name}"
                          if monthly else "", retain_until=services.add_months(day, 24),
                          created_at=_at(day, 16 if monthly else 15))
        checks.append(check)
        items = duties.duty_items(kind)
        failed = ctx.rng.choice(items)[0] if kind == DutyKind.DAILY and ctx.rng.random() < 0.1 else None
        for key, text in items:
            ok = key != failed
            results.append((check, DutyResult(kindergarten=kg, item_key=key, text=text, passed=ok,
                                              note="" if ok else "当场指出，已整改", created_by=by,
                                              deadline=None if ok else day + dt.timedelta(days=3))))
    _save(checks, DutyCheck)
    for check, result in results:
        result.check_record = check
    _save([r for _c, r in results], DutyResult)
    classes = [c.name for c in SchoolClass.objects.filter(kindergarten=kg).order_by("pk")] or ["小一班"]
    meals = []
    for day in past[-DUTY_DAYS:]:
        if day.weekday() != 2:  # Wednesdays
            continue
        remark = ctx.rng.choice(ACCOMPANY_REMARKS)
        meals.append(AccompaniedMeal(
            kindergarten=kg, day=day, meal="lunch", meal_label="午餐", diner=principal, place=ctx.rng.choice(classes),
            remarks=remark, problems="青菜剩得多，建议膳食委员会研究换做法" if "咸" in remark else "",
            created_by=principal, retain_until=services.add_months(day, 24), created_at=_at(day, 12, 30)))
    _save(meals, AccompaniedMeal)


PEST_PLACES = [("厨房", "rodent", "粘鼠板"), ("食品库", "rodent", "诱饵站"), ("厨房", "fly", "灭蝇灯"),
               ("备餐间", "fly", "灭蝇灯"), ("厨房", "cockroach", "杀蟑胶饵"), ("垃圾存放点", "mosquito", "灭蚊灯")]
PEST_SIGNS = [("食品库", "rodent", "诱饵站", "诱饵站内诱饵被啃食，墙角见少量鼠粪", "更换诱饵，封堵排水口缝隙，三天后复查"),
              ("厨房", "cockroach", "杀蟑胶饵", "灶台下见活蟑螂两只", "清理灶台下油污，补投胶饵"),
              ("备餐间", "fly", "灭蝇灯", "灭蝇灯粘板苍蝇较多，纱门关不严", "更换粘板，报修纱门闭门器")]
CONTRACTOR = ("城南绿盾有害生物防制有限公司", "PCO-3201-2024-0173")
WATER_UNITS = [("小一班", "dispenser", "PP棉+活性炭 WF-10"), ("中一班", "direct", "RO反渗透 RO-400G"),
               ("大一班", "direct", "RO反渗透 RO-400G"), ("厨房", "boiler", "")]
WATER_LAB = "城南区疾病预防控制中心"


def _pest_control(ctx, kg, canteen, plan: dict) -> int:
    """The canteen's weekly round of the devices (Mondays), the licensed contractor's monthly
    treatment (first school day of each month); a few rounds found signs and say what was done."""
    from houqin.foodsafety.models import PestCheck

    rows, signs = [], list(PEST_SIGNS)
    for day in ctx.dates.past_days:
        monthly = day == next(d for d in ctx.dates.past_days if (d.year, d.month) == (day.year, day.month))
        if day.weekday() == 0 or day == ctx.dates.past_days[0] or day == ctx.dates.last_day:
            for place, kind, method in ctx.rng.sample(PEST_PLACES, 3):
                rows.append(PestCheck(kindergarten=kg, done_on=day, place=place, kind=kind, method=method,
                                      recorded_by=canteen, created_by=canteen, retain_until=services.add_months(day, 24),
                                      created_at=_at(day, 16, ctx.rng.randint(0, 40))))
            if plan and signs and ctx.rng.random() < 0.3:
                place, kind, method, found, action = signs.pop(0)
                rows.append(PestCheck(kindergarten=kg, done_on=day, place=place, kind=kind, method=method,
                                      signs_found=True, findings=found, action=action, recorded_by=canteen,
                                      created_by=canteen, retain_until=services.add_months(day, 24),
                                      created_at=_at(day, 16, 50)))
        if monthly:
            rows.append(PestCheck(kindergarten=kg, done_on=day, place="厨房、食品库、餐厅", kind="rodent",
                                  method="专业消杀：诱饵站布放、滞留喷洒", contractor=CONTRACTOR[0],
                                  contractor_licence=CONTRACTOR[1], recorded_by=canteen, created_by=canteen,
                                  retain_until=services.add_months(day, 24), created_at=_at(day, 17)))
    _save(rows, PestCheck)
    return len(rows)


def _drinking_water(ctx, kg, director, canteen, plan: dict) -> None:
    """The units, their filters changed at the start of term and every three months after, a
    laboratory's test of each at the start of term; in `demo` the 中一班 unit's last self-test failed
    (turbid) and the laboratory's re-test passed, and the 小一班 filter is a few days past its date."""
    from houqin.foodsafety.models import FilterChange, WaterTest, WaterUnit

    months = services.figure_int(kg, FigureKey.WATER_FILTER_MONTHS)
    units = [WaterUnit(kindergarten=kg, place=place, kind=kind, filter_model=model, created_by=director,
                       created_at=_at(ctx.term_start, 9)) for place, kind, model in WATER_UNITS]
    _save(units, WaterUnit)
    start, today, last = ctx.term_start, ctx.dates.today, ctx.dates.last_day
    changes, tests = [], []

    def change(unit, day):
        due = services.add_months(day, months)
        changes.append(FilterChange(kindergarten=kg, unit=unit, changed_on=day, changed_by="净水设备维保公司",
                                    recorded_by=canteen, filter_model=unit.filter_model, next_due=due,
                                    created_by=canteen, retain_until=services.add_months(day, 24),
                                    created_at=_at(day, 15)))
        return due

    for unit in units:
        if not unit.filter_model:
            continue
        if plan and unit.place == "小一班":  # planted: changed once, its next change a few days overdue
            change(unit, services.add_months(plan["filter_due"], -months))
            continue
        day = start
        while True:
            due = change(unit, day)
            day = due - dt.timedelta(days=ctx.rng.randint(0, 5))  # changed a few days before it is due
            if day > last:
                if due > today:
                    break
                day = last  # due by today: changed on the last school day
    for unit in units:
        day = start + dt.timedelta(days=3)
        tests.append(WaterTest(kindergarten=kg, unit=unit, tested_on=day, tester="lab", lab=WATER_LAB, passed=True,
                               result="菌落总数、总大肠菌群、浑浊度等指标符合 GB 5749-2022", recorded_by=director,
                               created_by=director, retain_until=services.add_months(day, 24), created_at=_at(day, 10)))
        if plan and unit.place == "中一班":
            failed_on = ctx.dates.past_days[-15] if len(ctx.dates.past_days) > 15 else ctx.dates.last_day
            retest = min(failed_on + dt.timedelta(days=4), ctx.dates.last_day)
            tests.append(WaterTest(kindergarten=kg, unit=unit, tested_on=failed_on, tester="self", passed=False,
                                   result="出水浑浊，TDS 85 mg/L 偏高，已停用并通知维保公司", recorded_by=canteen,
                                   created_by=canteen, retain_until=services.add_months(failed_on, 24),
                                   created_at=_at(failed_on, 10)))
            tests.append(WaterTest(kindergarten=kg, unit=unit, tested_on=retest, tester="lab", lab=WATER_LAB,
                                   passed=True, result="更换滤芯、清洗消毒后复检合格", recorded_by=director,
                                   created_by=director, retain_until=services.add_months(retest, 24),
                                   created_at=_at(retest, 16)))
    _save(changes, FilterChange)
    _save(tests, WaterTest)


def planted(slug: str, dates: DemoDates) -> dict:
    """What the demo plants in kindergarten `slug` (read by the test of the demo)."""
    if slug != "demo":
        return {}
    current = selectors.check_period(dates.today, 15)
    return {"sample_missing_day": dates.last_day, "certificate_expiring_on": dates.today + dt.timedelta(days=10),
            "certificate_expired_on": dates.today - dt.timedelta(days=10),
            "check_missed": selectors.check_period(current[0] - dt.timedelta(days=1), 15),
            "filter_due": dates.today - dt.timedelta(days=4)}


def _save(rows, model):
    return bulk_create_with_history(rows, model, batch_size=500, default_change_reason=CHANGE_REASON)


@demo_step
def build_foodsafety(ctx):
    """Food safety's term in each demo kindergarten."""
    from houqin.stock.models import Batch, Movement, MovementKind, Warehouse, WarehouseKind

    for slug, kg in ctx.kindergartens.items():
        suffix = "" if slug == "demo" else "2"
        canteen = ctx.users.get("canteen" + suffix)
        director = ctx.users.get("director" + suffix)
        health = ctx.users.get("health" + suffix) or director
        if canteen is None or director is None:
            continue
        dates = ctx.dates
        plan = planted(slug, dates)
        figures = services.rule_figures(kg)
        fs = services.fs_settings(kg)
        if plan:  # the demo kindergarten lets its director accept despite an expired certificate
            fs.allow_certificate_override = True
            fs.save(update_fields=["allow_certificate_override"])
        items = list(services.hygiene_items(kg))
        retain = lambda day: services.add_months(day, 24)  # noqa: E731 - the shipped 2 years

        # --- certificates of every supplier of food
        receipts = list(Movement.objects.filter(kindergarten=kg, kind=MovementKind.RECEIPT, item__is_food=True)
                        .select_related("batch", "item").order_by("occurred_on", "pk"))
        supplier_ids = sorted({m.batch.supplier_id for m in receipts if m.batch.supplier_id})
        certs = []
        expired_supplier = None
        for index, supplier_id in enumerate(supplier_ids):
            for kind in (CertificateKind.BUSINESS_LICENCE, CertificateKind.FOOD_LICENCE):
                valid = dt.date(2028 + ctx.rng.randint(0, 2), ctx.rng.randint(1, 12), ctx.rng.randint(1, 28))
                if plan and index == 1 and kind == CertificateKind.FOOD_LICENCE:
                    valid = plan["certificate_expiring_on"]
                if plan and index == 0 and kind == CertificateKind.BUSINESS_LICENCE:
                    valid = plan["certificate_expired_on"]
                    expired_supplier = supplier_id
                prefix = "JY" if kind == CertificateKind.FOOD_LICENCE else "91320"
                certs.append(SupplierCertificate(
                    kindergarten=kg, supplier_id=supplier_id, kind=kind, valid_until=valid,
                    number=f"{prefix}{ctx.rng.randint(10**9, 10**10 - 1)}", issued_on=dt.date(2024, 3, 1),
                    retain_until=services.add_months(valid, 24), created_by=director,
                    created_at=_at(ctx.term_start, 9)))
        _save(certs, SupplierCertificate)

        # --- receiving inspections from the ledger's food receipts (plus rejected foods)
        groups = defaultdict(list)
        for movement in receipts:
            groups[(movement.occurred_on, movement.batch.supplier_id, movement.warehouse_id)].append(movement)
        issued_same_day = set(Movement.objects.filter(kindergarten=kg, kind=MovementKind.ISSUE_KITCHEN)
                              .values_list("batch_id", "occurred_on"))
        receipt_rows, line_rows = [], []
        for (day, supplier_id, warehouse_id), movements in groups.items():
            if supplier_id is None:
                continue
            receipt = Receipt(kindergarten=kg, supplier_id=supplier_id, warehouse_id=warehouse_id, received_on=day,
                              received_at=_at(day, 7, ctx.rng.randint(0, 40)), inspector=canteen,
                              created_by=canteen, retain_until=day, created_at=_at(day, 8))
            if supplier_id == expired_supplier and day > plan["certificate_expired_on"]:
                receipt.override_reason, receipt.override_by = OVERRIDE_REASON, director
            receipt_rows.append(receipt)
            for m in movements:
                b = m.batch
                expiry = b.expiry_date or day + dt.timedelta(days=m.item.shelf_life_days or 3)
                production = b.production_date or day
                chilled = m.item.category in ("meat_egg", "aquatic", "dairy")
                line_rows.append((receipt, ReceiptLine(
                    kindergarten=kg, item_id=m.item_id, quantity=m.quantity, unit_price=m.unit_cost,
                    production_date=production, expiry_date=max(expiry, production), batch_no=b.batch_no,
                    is_chilled=chilled, temperature=(ctx.rng.choice([2, 3, 4, 5]) if chilled else None),
                    to_kitchen=(b.pk, day) in issued_same_day, movement=m, created_by=canteen,
                    retain_until=max(services.add_months(max(expiry, production), 6), retain(day)))))
                if ctx.rng.random() < 0.03:
                    line_rows.append((receipt, ReceiptLine(
                        kindergarten=kg, item_id=m.item_id, quantity=max(m.quantity / 10, 1), unit_price=m.unit_cost,
                        production_date=production, expiry_date=max(expiry, production), smell_ok=False,
                        accepted=False, reject_reason=ctx.rng.choice(REJECT_REASONS), created_by=canteen,
                        retain_until=retain(day))))
        for receipt, line in line_rows:
            receipt.retain_until = max(receipt.retain_until, line.retain_until)
        _save(receipt_rows, Receipt)
        for receipt, line in line_rows:
            line.receipt = receipt
        _save([line for _r, line in line_rows], ReceiptLine)

        # --- samples and tableware for every dish served
        days = list(dates.past_days)
        samples, logs = [], []
        missing_planted = False
        served = services.served_dishes_on(kg, days)  # two queries for all the days
        for day in days:
            meals = {}
            for dish in served[day]:
                meals.setdefault(dish["meal"], dish.get("meal_label", dish["meal"]))
                if plan and day == plan["sample_missing_day"] and not missing_planted and dish["meal"] == "lunch":
                    missing_planted = True
                    continue
                stored = _at(day, 11 if dish["meal"] == "lunch" else 8 if dish["meal"] == "breakfast" else 15,
                             ctx.rng.randint(0, 30))
                due = stored + dt.timedelta(hours=48)
                discarded = due + dt.timedelta(minutes=ctx.rng.randint(10, 120))
                done = discarded <= _at(dates.today, 8)
                samples.append(Sample(
                    kindergarten=kg, day=day, meal=dish["meal"], meal_label=str(dish.get("meal_label", ""))[:20],
                    dish_code=dish["dish_code"], dish_name=str(dish["dish_name"])[:60],
                    weight_grams=ctx.rng.choice([125, 130, 135, 140, 150, 160]), stored_at=stored,
                    fridge=ctx.rng.choice(FRIDGES), fridge_temperature=ctx.rng.choice([2, 3, 4, 5]), stored_by=canteen,
                    discard_due=due, discarded_at=discarded if done else None, discarded_by=canteen if done else None,
                    created_by=canteen, retain_until=retain(day), created_at=stored))
            for meal, label in meals.items():
                method = ctx.rng.choice([DisinfectionMethod.CABINET, DisinfectionMethod.CABINET,
                                         DisinfectionMethod.STEAM])
                heat = ctx.rng.choice([120, 125]) if method == DisinfectionMethod.CABINET else 100  # within the rule
                logs.append(TablewareDisinfection(
                    kindergarten=kg, day=day, meal=meal, meal_label=str(label)[:20], method=method,
                    started_at=_at(day, 13 if meal == "lunch" else 9), minutes=ctx.rng.choice([20, 30, 40]),
                    temperature=heat, done_by=canteen, created_by=canteen, retain_until=retain(day)))
        _save(samples, Sample)
        _save(logs, TablewareDisinfection)
        made = _production(ctx, kg, canteen, plan)
        _duties(ctx, kg, health, ctx.users.get("principal" + suffix) or director, canteen)
        pests = _pest_control(ctx, kg, canteen, plan)
        _drinking_water(ctx, kg, director, canteen, plan)

        # --- half-monthly expiry checks of each food store
        stores = list(Warehouse.objects.filter(kindergarten=kg, kind=WarehouseKind.FOOD).order_by("pk"))
        batches = defaultdict(list)
        for b in Batch.objects.filter(kindergarten=kg, warehouse__in=stores, quantity__gt=0):
            batches[b.warehouse_id].append(b)
        soon = services.figure_int(kg, "expiry_soon_days", figures)
        checks, check_lines = [], []
        for period in selectors.periods_between(ctx.term_start, dates.last_day, 15):
            for n, store in enumerate(stores):
                if plan and n == 0 and period == plan["check_missed"]:
                    continue
                day = min(period[0] + dt.timedelta(days=ctx.rng.randint(3, 10)), dates.last_day)
                while day.weekday() >= 5:
                    day -= dt.timedelta(days=1)
                check = ExpiryCheck(kindergarten=kg, warehouse=store, checked_on=day, checked_by=health,
                                    created_by=health, retain_until=retain(day), created_at=_at(day, 15))
                checks.append(check)
                for b in batches[store.pk]:
                    if timezone.localtime(b.received_at).date() <= day:
                        check_lines.append((check, ExpiryCheckLine(
                            kindergarten=kg, batch=b, quantity=b.quantity, state=services.batch_state(b, day, soon),
                            certificate_ok=True, created_by=health)))
        _save(checks, ExpiryCheck)
        for check, line in check_lines:
            line.expiry_check = check
        _save([line for _c, line in check_lines], ExpiryCheckLine)

        # --- weekly kitchen hygiene inspections (Mondays), a few failed items
        inspections, results = [], []
        for day in dates.past_days:
            if day.weekday() == 0 or day == dates.past_days[0]:
                inspection = HygieneInspection(kindergarten=kg, inspected_on=day, inspector=director,
                                               created_by=director, retain_until=retain(day), created_at=_at(day, 16))
                inspections.append(inspection)
                failed = ctx.rng.choice(items) if ctx.rng.random() < 0.25 else None
                for item in items:
                    ok = item is not failed
                    results.append((inspection, HygieneResult(
                        kindergarten=kg, item=item, text=item.text, passed=ok, note="" if ok else "当场提醒，已整改",
                        deadline=None if ok else day + dt.timedelta(days=3), created_by=director)))
        _save(inspections, HygieneInspection)
        for inspection, result in results:
            result.inspection = inspection
        _save([r for _i, r in results], HygieneResult)
        ctx.counts["food-safety receipts"] = ctx.counts.get("food-safety receipts", 0) + len(receipt_rows)
        ctx.counts["food samples"] = ctx.counts.get("food samples", 0) + len(samples)
        ctx.counts["production records"] = ctx.counts.get("production records", 0) + made
        ctx.counts["pest-control checks"] = ctx.counts.get("pest-control checks", 0) + pests

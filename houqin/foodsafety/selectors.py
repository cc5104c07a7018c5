"""Reads of food safety, through the actor's scope (houqin.policy.scoped); out of scope looks missing.

Also the pure computations behind the to-dos, figures and findings: each takes the day it is judged
on (`today`), so that the demo and the tests judge against a fixed day.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from houqin import policy
from houqin.foodsafety import services
from houqin.foodsafety.models import (
    REQUIRED_CERTIFICATE_KINDS,
    ExpiryCheck,
    ExpiryCheckLine,
    FigureKey,
    HygieneInspection,
    HygieneResult,
    ProductionRecord,
    Receipt,
    ReceiptLine,
    Sample,
    SupplierCertificate,
    TablewareDisinfection,
)

TODO_LOOKBACK_DAYS = 3  # today and the two days before: what the director can still act on


# --- certificates ----------------------------------------------------------------------------------


def certificate_list(*, actor, supplier=None, include_voided: bool = False) -> QuerySet:
    qs = SupplierCertificate.objects.select_related("supplier", "item")
    if not include_voided:
        qs = qs.filter(voided_at__isnull=True)
    if supplier is not None:
        qs = qs.filter(supplier=supplier)
    return policy.scoped(actor, "foodsafety.view", qs).order_by("supplier__name_pinyin", "kind", "-valid_until")


def get_certificate(*, actor, code, capability: str = "foodsafety.view") -> SupplierCertificate:
    return policy.get_or_404(actor, capability, SupplierCertificate.objects.select_related("supplier"), code=code)


def supplier_list(*, actor) -> QuerySet:
    from houqin.stock.models import Supplier

    return policy.scoped(actor, "foodsafety.view", Supplier.objects.filter(is_active=True)).order_by("name_pinyin")


def get_supplier(*, actor, code, capability: str = "foodsafety.view"):
    from houqin.stock.models import Supplier

    return policy.get_or_404(actor, capability, Supplier.objects.all(), code=code)


def certificate_register(*, actor, today: dt.date | None = None) -> list[dict]:
    """Each active supplier with its current certificate of each kind (the latest valid), flagged
    expired / expiring within the warning days. Two queries."""
    today = today or timezone.localdate()
    warning = services.figure_int(actor.kindergarten, FigureKey.CERTIFICATE_WARNING_DAYS)
    suppliers = list(supplier_list(actor=actor))
    certs = defaultdict(list)
    for cert in certificate_list(actor=actor).filter(supplier__in=suppliers):
        certs[cert.supplier_id].append(cert)
    rows = []
    for supplier in suppliers:
        current = _current(certs[supplier.pk])
        for cert in current:
            cert.expired = cert.valid_until < today
            cert.expiring = not cert.expired and cert.valid_until <= today + dt.timedelta(days=warning)
        kinds = {c.kind for c in current}
        rows.append({"supplier": supplier, "current": current,
                     "missing": [k for k in REQUIRED_CERTIFICATE_KINDS if k not in kinds],
                     "problem": any(c.expired and c.is_required_kind for c in current)})
    return rows


def _current(certs) -> list:
    """The latest certificate of each (kind, product): older ones are superseded."""
    latest = {}
    for cert in certs:
        key = (cert.kind, cert.product, cert.item_id)
        if key not in latest or cert.valid_until > latest[key].valid_until:
            latest[key] = cert
    return sorted(latest.values(), key=lambda c: (c.kind, c.valid_until))


def certificate_alerts(kindergarten, today: dt.date, warning_days: int) -> tuple[list, list]:
    """(expired, expiring) current certificates of active suppliers. One query."""
    certs = defaultdict(list)
    for cert in (SupplierCertificate.objects.active().filter(kindergarten=kindergarten, supplier__is_active=True)
                 .select_related("supplier")):
        certs[cert.supplier_id].append(cert)
    expired, expiring = [], []
    for rows in certs.values():
        for cert in _current(rows):
            if cert.valid_until < today:
                expired.append(cert)
            elif cert.valid_until <= today + dt.timedelta(days=warning_days):
                expiring.append(cert)
    return (sorted(expired, key=lambda c: c.valid_until), sorted(expiring, key=lambda c: c.valid_until))


# --- receiving -------------------------------------------------------------------------------------


def receipt_list(*, actor, start: dt.date | None = None, end: dt.date | None = None,
                 include_voided: bool = False) -> QuerySet:
    qs = (Receipt.objects.select_related("supplier", "warehouse", "inspector")
          .annotate(line_count=Count("lines"), rejected_count=Count("lines", filter=Q(lines__accepted=False))))
    if not include_voided:
        qs = qs.filter(voided_at__isnull=True)
    if start:
        qs = qs.filter(received_on__gte=start)
    if end:
        qs = qs.filter(received_on__lte=end)
    return policy.scoped(actor, "foodsafety.view", qs).order_by("-received_at", "-pk")


def get_receipt(*, actor, code, capability: str = "foodsafety.view") -> Receipt:
    qs = (Receipt.objects.select_related("supplier", "warehouse", "inspector", "override_by", "voided_by")
          .prefetch_related(Prefetch("lines", ReceiptLine.objects.select_related("item", "movement__batch"))))
    return policy.get_or_404(actor, capability, qs, code=code)


# --- samples and the kitchen's day ----------------------------------------------------------------


def sample_list(*, actor, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet:
    qs = Sample.objects.filter(voided_at__isnull=True).select_related("stored_by", "discarded_by")
    if start:
        qs = qs.filter(day__gte=start)
    if end:
        qs = qs.filter(day__lte=end)
    return policy.scoped(actor, "foodsafety.view", qs).order_by("-day", "meal", "dish_name")


def get_sample(*, actor, code, capability: str = "foodsafety.view") -> Sample:
    return policy.get_or_404(actor, capability, Sample.objects.select_related("stored_by", "discarded_by"), code=code)


def kitchen_day(*, actor, day: dt.date, now: dt.datetime | None = None) -> dict:
    """The kitchen's screen for a day: each served dish with its sample (or none), each meal with
    its tableware disinfection (or none), and the samples due to be discarded."""
    now = now or timezone.now()
    kg = actor.kindergarten
    dishes = services.served_dishes(kg, day)
    samples = {(s.meal, str(s.dish_code)): s for s in sample_list(actor=actor, start=day, end=day)}
    logs = {t.meal: t for t in TablewareDisinfection.objects.active().filter(kindergarten=kg, day=day)
            .select_related("done_by")}
    made = {(p.meal, str(p.dish_code)): p for p in ProductionRecord.objects.active().filter(kindergarten=kg, day=day)}
    rows, meals = [], {}
    for dish in dishes:
        sample = samples.get((dish["meal"], str(dish["dish_code"])))
        rows.append({**dish, "sample": sample, "production": made.get((dish["meal"], str(dish["dish_code"])))})
        meals.setdefault(dish["meal"], {"meal": dish["meal"], "meal_label": dish.get("meal_label", dish["meal"]),
                                        "tableware": logs.get(dish["meal"])})
    to_discard = list(sample_list(actor=actor).filter(discarded_at__isnull=True, discard_due__lte=now)
                      .order_by("discard_due")[:50])
    return {"day": day, "dishes": rows, "meals": list(meals.values()),
            "missing": sum(1 for r in rows if r["sample"] is None), "to_discard": to_discard}


def missing_samples(kindergarten, days: list[dt.date]) -> list[dict]:
    """Dishes served on `days` with no sample kept. One query plus the canteen's two."""
    if not days:
        return []
    kept = set(Sample.objects.active().filter(kindergarten=kindergarten, day__in=days)
               .values_list("day", "meal", "dish_code"))
    kept = {(d, m, str(c)) for d, m, c in kept}
    missing = []
    for day, dishes in services.served_dishes_on(kindergarten, days).items():
        for dish in dishes:
            if (day, dish["meal"], str(dish["dish_code"])) not in kept:
                missing.append({**dish, "day": day})
    return missing


def missing_tableware(kindergarten, days: list[dt.date]) -> list[dict]:
    """Meals served on `days` with no tableware disinfection recorded."""
    if not days:
        return []
    logged = set(TablewareDisinfection.objects.active().filter(kindergarten=kindergarten, day__in=days)
                 .values_list("day", "meal"))
    missing, seen = [], set()
    for day, dishes in services.served_dishes_on(kindergarten, days).items():
        for dish in dishes:
            key = (day, dish["meal"])
            if key not in logged and key not in seen:
                seen.add(key)
                missing.append({"day": day, "meal": dish["meal"], "meal_label": dish.get("meal_label", dish["meal"])})
    return missing


def missing_production(kindergarten, *, today: dt.date, now: dt.datetime, due_by: dt.time) -> dict:
    """The dishes served on the last days (the to-dos' look-back) with no production record: past
    days, and today once `due_by` has passed. {day: [dish, …]}, oldest first. One query plus the
    canteen's two."""
    days = [today - dt.timedelta(days=n) for n in range(TODO_LOOKBACK_DAYS - 1, 0, -1)]
    local = timezone.localtime(now)
    if local.date() > today or (local.date() == today and local.time() >= due_by):
        days.append(today)
    if not days:
        return {}
    made = {(d, m, str(c)) for d, m, c in ProductionRecord.objects.active().filter(
        kindergarten=kindergarten, day__in=days).values_list("day", "meal", "dish_code")}
    out = {}
    for day, dishes in services.served_dishes_on(kindergarten, days).items():
        missing = [dish for dish in dishes
                   if (day, dish["meal"], str(dish["dish_code"])) not in made]
        if missing:
            out[day] = missing
    return out


# --- expiry checks ---------------------------------------------------------------------------------


def check_period(day: dt.date, every_days: int) -> tuple[dt.date, dt.date]:
    """The check period containing `day`: chunks of `every_days` from the 1st of the month, the last
    short chunk joined to the one before (15 days: the 1st–15th and the 16th–end of the month)."""
    every_days = max(1, every_days)
    last = calendar.monthrange(day.year, day.month)[1]
    starts = list(range(1, last + 1, every_days))
    if len(starts) > 1 and (last - starts[-1] + 1) < every_days / 2:
        starts.pop()
    start = max(s for s in starts if s <= day.day)
    index = starts.index(start)
    end = starts[index + 1] - 1 if index + 1 < len(starts) else last
    return dt.date(day.year, day.month, start), dt.date(day.year, day.month, end)


def periods_between(start: dt.date, end: dt.date, every_days: int) -> list[tuple[dt.date, dt.date]]:
    periods, day = [], start
    while day <= end:
        period = check_period(day, every_days)
        periods.append(period)
        day = period[1] + dt.timedelta(days=1)
    return periods


def food_stores(kindergarten):
    from houqin.stock.models import Warehouse, WarehouseKind

    return list(Warehouse.objects.filter(kindergarten=kindergarten, kind=WarehouseKind.FOOD, is_active=True)
                .select_related("campus").order_by("pk"))


def expiry_check_list(*, actor, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet:
    qs = (ExpiryCheck.objects.filter(voided_at__isnull=True).select_related("warehouse", "checked_by")
          .annotate(line_count=Count("lines"),
                    problem_count=Count("lines", filter=~Q(lines__state="ok") | Q(lines__certificate_ok=False)
                                        | Q(lines__production_date_ok=False) | Q(lines__shelf_life_ok=False))))
    if start:
        qs = qs.filter(checked_on__gte=start)
    if end:
        qs = qs.filter(checked_on__lte=end)
    return policy.scoped(actor, "foodsafety.view", qs).order_by("-checked_on", "-pk")


def get_expiry_check(*, actor, code, capability: str = "foodsafety.view") -> ExpiryCheck:
    qs = ExpiryCheck.objects.select_related("warehouse", "checked_by").prefetch_related(
        Prefetch("lines", ExpiryCheckLine.objects.select_related("batch__item", "batch__supplier", "disposal")))
    return policy.get_or_404(actor, capability, qs, code=code)


def get_expiry_line(*, actor, code, capability: str) -> ExpiryCheckLine:
    return policy.get_or_404(actor, capability, ExpiryCheckLine.objects.select_related("batch__item",
                                                                                          "expiry_check"), code=code)


def expiry_gaps(kindergarten, today: dt.date, every_days: int) -> tuple[list, list]:
    """(missed, due): food stores with no check in the previous period (missed), and with none yet
    in the current period when it ends within three days (due). One query plus the stores."""
    current = check_period(today, every_days)
    previous = check_period(current[0] - dt.timedelta(days=1), every_days)
    stores = food_stores(kindergarten)
    done = set(ExpiryCheck.objects.active().filter(kindergarten=kindergarten, checked_on__gte=previous[0],
                                                   checked_on__lte=current[1])
               .values_list("warehouse_id", "checked_on"))
    def checked(store, period):
        return any(w == store.pk and period[0] <= d <= period[1] for w, d in done)
    missed = [(store, previous) for store in stores if not checked(store, previous)]
    due = [(store, current) for store in stores
           if not checked(store, current) and (current[1] - today).days < 3]
    return missed, due


# --- hygiene and tableware -------------------------------------------------------------------------


def hygiene_list(*, actor, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet:
    qs = (HygieneInspection.objects.filter(voided_at__isnull=True).select_related("inspector")
          .annotate(item_count=Count("results"), failed_count=Count("results", filter=Q(results__passed=False))))
    if start:
        qs = qs.filter(inspected_on__gte=start)
    if end:
        qs = qs.filter(inspected_on__lte=end)
    return policy.scoped(actor, "foodsafety.view", qs).order_by("-inspected_on", "-pk")


def get_hygiene(*, actor, code, capability: str = "foodsafety.view") -> HygieneInspection:
    qs = HygieneInspection.objects.select_related("inspector").prefetch_related(
        Prefetch("results", HygieneResult.objects.order_by("pk")))
    return policy.get_or_404(actor, capability, qs, code=code)


def tableware_list(*, actor, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet:
    qs = TablewareDisinfection.objects.filter(voided_at__isnull=True).select_related("done_by")
    if start:
        qs = qs.filter(day__gte=start)
    if end:
        qs = qs.filter(day__lte=end)
    return policy.scoped(actor, "foodsafety.view", qs).order_by("-day", "meal")


def get_tableware(*, actor, code, capability: str = "foodsafety.view") -> TablewareDisinfection:
    return policy.get_or_404(actor, capability, TablewareDisinfection.objects.select_related("done_by"), code=code)


# --- to-dos, figures, findings (computed for a given day) -----------------------------------------


def gaps(kindergarten, *, today: dt.date, now: dt.datetime | None = None) -> dict:
    """Everything the director should act on, judged on `today`: dishes served without a sample
    (red for past days and, after the kindergarten's time, for today; amber before), meals without a
    tableware log (past days), certificates expired (red) or expiring (amber), expiry checks missed
    (red) or due (amber), the kitchen hygiene inspection overdue (red)."""
    figures = services.rule_figures(kindergarten)
    settings_row = services.fs_settings(kindergarten)
    now = now or timezone.now()
    days = [today - dt.timedelta(days=n) for n in range(TODO_LOOKBACK_DAYS - 1, -1, -1)]
    samples = missing_samples(kindergarten, days)
    local_now = timezone.localtime(now)
    today_late = local_now.date() > today or (local_now.date() == today
                                              and local_now.time() >= settings_row.samples_due_by)
    tableware = missing_tableware(kindergarten, days[:-1])
    expired, expiring = certificate_alerts(kindergarten, today, services.figure_int(
        kindergarten, FigureKey.CERTIFICATE_WARNING_DAYS, figures))
    missed, due = expiry_gaps(kindergarten, today, services.figure_int(kindergarten, FigureKey.EXPIRY_CHECK_DAYS,
                                                                      figures))
    every = services.figure_int(kindergarten, FigureKey.HYGIENE_INSPECTION_DAYS, figures)
    last = HygieneInspection.objects.active().filter(kindergarten=kindergarten, inspected_on__lte=today).aggregate(
        last=Max("inspected_on"))["last"]
    return {
        "samples_past": [s for s in samples if s["day"] < today],
        "samples_today": [s for s in samples if s["day"] == today],
        "samples_today_late": today_late,
        "tableware": tableware,
        "certificates_expired": expired, "certificates_expiring": expiring,
        "checks_missed": missed, "checks_due": due,
        "hygiene_overdue": last is None or (today - last).days > every, "hygiene_last": last,
        "hygiene_every": every,
    }


def findings(kindergarten, start: dt.date, end: dt.date) -> list[dict]:
    """Lapses in the period up to yesterday: each dish served without a sample and each meal without
    a tableware log, charged to who kept that day's samples / did that day's tableware (the person on
    duty), skipped when nobody recorded anything that day."""
    end = min(end, timezone.localdate() - dt.timedelta(days=1))
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)] if end >= start else []
    if not days:
        return []
    keepers: dict = defaultdict(Counter)
    for day, user_id in Sample.objects.active().filter(kindergarten=kindergarten, day__in=days).values_list(
            "day", "stored_by_id"):
        keepers[day][user_id] += 1
    washers: dict = defaultdict(Counter)
    for day, user_id in TablewareDisinfection.objects.active().filter(kindergarten=kindergarten, day__in=days
                                                                      ).values_list("day", "done_by_id"):
        washers[day][user_id] += 1
    found = []
    for dish in missing_samples(kindergarten, days):
        duty = keepers[dish["day"]] or washers[dish["day"]]
        if duty:
            found.append({"kind": "foodsafety.sample_missing", "user_id": duty.most_common(1)[0][0],
                          "date": dish["day"], "what": dish})
    for meal in missing_tableware(kindergarten, days):
        duty = washers[meal["day"]] or keepers[meal["day"]]
        if duty:
            found.append({"kind": "foodsafety.tableware_log_missing", "user_id": duty.most_common(1)[0][0],
                          "date": meal["day"], "what": meal})
    return found


def term_figures(kindergartens, start: dt.date, end: dt.date) -> dict[int, dict]:
    """Counts per kindergarten for the period, in a fixed number of queries."""
    pks = [k.pk for k in kindergartens]
    out = {pk: {"receipts": 0, "rejected": 0, "samples": 0, "checks": 0, "check_periods": set(), "hygiene": 0,
                "certificates_expired": 0, "stores": 0} for pk in pks}
    for row in (Receipt.objects.active().filter(kindergarten_id__in=pks, received_on__range=(start, end))
                .values("kindergarten_id").annotate(n=Count("pk"))):
        out[row["kindergarten_id"]]["receipts"] = row["n"]
    for row in (ReceiptLine.objects.filter(kindergarten_id__in=pks, receipt__voided_at__isnull=True, accepted=False,
                                           receipt__received_on__range=(start, end))
                .values("kindergarten_id").annotate(n=Count("pk"))):
        out[row["kindergarten_id"]]["rejected"] = row["n"]
    for row in (Sample.objects.active().filter(kindergarten_id__in=pks, day__range=(start, end))
                .values("kindergarten_id").annotate(n=Count("pk"))):
        out[row["kindergarten_id"]]["samples"] = row["n"]
    for row in (HygieneInspection.objects.active().filter(kindergarten_id__in=pks, inspected_on__range=(start, end))
                .values("kindergarten_id").annotate(n=Count("pk"))):
        out[row["kindergarten_id"]]["hygiene"] = row["n"]
    for kg_id, warehouse_id, day in (ExpiryCheck.objects.active()
                                     .filter(kindergarten_id__in=pks, checked_on__range=(start, end))
                                     .values_list("kindergarten_id", "warehouse_id", "checked_on")):
        out[kg_id]["check_periods"].add((warehouse_id, check_period(day, 15)))
    from houqin.stock.models import Warehouse, WarehouseKind

    for row in (Warehouse.objects.filter(kindergarten_id__in=pks, kind=WarehouseKind.FOOD, is_active=True)
                .values("kindergarten_id").annotate(n=Count("pk"))):
        out[row["kindergarten_id"]]["stores"] = row["n"]
    certs = defaultdict(list)
    for cert in SupplierCertificate.objects.active().filter(kindergarten_id__in=pks, supplier__is_active=True,
                                                            valid_until__lte=end + dt.timedelta(days=3650)):
        certs[(cert.kindergarten_id, cert.supplier_id)].append(cert)
    for (kg_id, _supplier), rows in certs.items():
        out[kg_id]["certificates_expired"] += sum(1 for c in _current(rows) if c.valid_until < end)
    for values in out.values():
        values["checks"] = len(values.pop("check_periods"))
    for kg_id, values in kitchen_term_figures(pks, start, end).items():
        out[kg_id].update(values)
    return out


def kitchen_term_figures(pks: list[int], start: dt.date, end: dt.date) -> dict[int, dict]:
    """The kitchen's own records of the period per kindergarten: days of production weighed and the
    plate waste per child and dish, the duties kept (daily, weekly, monthly), the leaders' meals with
    the children, pest control and drinking water. Six queries."""
    from django.db.models import Sum

    from houqin.foodsafety import logs
    from houqin.foodsafety.models import AccompaniedMeal, DutyCheck

    out = {pk: {"production_days": 0, "production_records": 0, "plate_waste_g": None, "duties_daily": 0,
                "duties_weekly": 0, "duties_monthly": 0, "accompanied_meals": 0} for pk in pks}
    for row in (ProductionRecord.objects.active().filter(kindergarten_id__in=pks, day__range=(start, end))
                .values("kindergarten_id").annotate(n=Count("pk"), days=Count("day", distinct=True),
                                                    waste=Sum("plate_waste_kg"), children=Sum("served_portions"))):
        out[row["kindergarten_id"]].update(
            production_days=row["days"], production_records=row["n"],
            plate_waste_g=(row["waste"] * 1000 / row["children"]).quantize(Decimal("1")) if row["children"] else None)
    for row in (DutyCheck.objects.active().filter(kindergarten_id__in=pks, done_on__range=(start, end))
                .values("kindergarten_id", "kind").annotate(n=Count("pk"))):
        out[row["kindergarten_id"]][f"duties_{row['kind']}"] = row["n"]
    for row in (AccompaniedMeal.objects.active().filter(kindergarten_id__in=pks, day__range=(start, end))
                .values("kindergarten_id").annotate(n=Count("pk"))):
        out[row["kindergarten_id"]]["accompanied_meals"] = row["n"]
    for kg_id, values in logs.term_counts(pks, start, end).items():
        out[kg_id].update(values)
    return out

"""Use cases of food safety: one function per use case, keyword-only, the acting `actor` first.

Each checks the actor's capability, validates everything (every problem reported, not only the
first), writes in one transaction and raises houqin.core.errors.DomainError (422), Forbidden (403)
or Conflict (409): bad input changes nothing.

Rule figures are read through core.rules (shipped in data/rules.json, the kindergarten's own values
in place), never from constants. Records are never deleted; voiding is refused before their `retain_until` date.

Receiving puts accepted food into the food store through houqin.stock.services (the ledger), in the
same transaction. The food-safety capability "foodsafety.receiving.record" is what lets canteen
staff receive at the kitchen door: the stock ledger is then written on the area's behalf
(`_ledger_actor`), with the canteen staff member as the recorded user.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from houqin import policy
from houqin.core import files
from houqin.core import rules as core_rules
from houqin.core.errors import Conflict, DomainError, Forbidden, field_error, raise_for
from houqin.core.numbers import decimal_into
from houqin.core.rules import Figure, shipped_figure
from houqin.foodsafety.models import (
    REQUIRED_CERTIFICATE_KINDS,
    BatchState,
    CertificateKind,
    DisinfectionMethod,
    ExpiryCheck,
    ExpiryCheckLine,
    FigureKey,
    FilterChange,
    FoodSafetySettings,
    HygieneInspection,
    HygieneItem,
    HygieneResult,
    PestCheck,
    Receipt,
    ReceiptLine,
    Sample,
    SupplierCertificate,
    TablewareDisinfection,
    WaterTest,
)
from houqin.org.models import STAFF_ROLES, Membership, Role

DATA = Path(__file__).resolve().parent / "data"
MAX_LINES = 40


# --- small helpers ------------------------------------------------------------------------------


def _text(value, max_length: int) -> str:
    return (value or "").strip()[:max_length]


def _require(actor, capability: str) -> None:
    if not actor.has(capability):
        raise Forbidden()


def _decimal(value, *, field: str, errors: list, places: int = 3, allow_zero: bool = False,
             maximum: Decimal = Decimal("99999999"), signed: bool = False) -> Decimal | None:
    return decimal_into(errors, field, value, places=places, maximum=maximum, minimum=None if signed else Decimal(0),
                        positive=not signed and not allow_zero)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30,
            31, 30, 31][month - 1]
    return dt.date(year, month, min(day.day, last))


def retain_until(kindergarten, day: dt.date, figures: dict | None = None) -> dt.date:
    """The first day a food-safety record made on `day` may be voided: `day` plus the kindergarten's
    record retention years (rule figure; `figures` when the caller has read them already)."""
    return add_months(day, 12 * figure_int(kindergarten, FigureKey.RECORD_RETENTION_YEARS, figures))


def _is_staff(kindergarten, user) -> bool:
    return Membership.objects.filter(kindergarten=kindergarten, user=user, is_active=True,
                                     role__in=STAFF_ROLES).exists()


def _ledger_actor(actor):
    """The actor the stock ledger sees for food received or disposed of through food safety.

    Canteen staff inspect deliveries at the kitchen door (foodsafety.receiving.record) but hold no
    stock capability: the ledger is written on the area's behalf, as the same user, in the same
    kindergarten and campus (the membership's scope is kept)."""
    if actor.has("stock.receive") and actor.has("stock.dispose") and actor.has("stock.issue_kitchen"):
        return actor
    memberships = []
    for membership in actor.memberships:
        delegate = copy.copy(membership)
        delegate.role = Role.STOREKEEPER
        memberships.append(delegate)
    return policy.Actor(user=actor.user, memberships=memberships, kindergarten=actor.kindergarten)


# --- rule figures ---------------------------------------------------------------------------------


@cache
def shipped_rules() -> dict:
    with open(DATA / "rules.json", encoding="utf-8") as handle:
        return json.load(handle)


AREA = "foodsafety"
SIGNED_FIGURES = (FigureKey.SAMPLE_FRIDGE_MIN_C, FigureKey.SAMPLE_FRIDGE_MAX_C)


def shipped_figures() -> list[Figure]:
    """The figures as shipped (data/rules.json), for core.rules: fridge temperatures may be below zero."""
    return [shipped_figure(key=f["key"], label=str(FigureKey(f["key"]).label), value=f["value"], unit=f["unit"],
                           source=f["source"], status=f["status"], note=f.get("note", ""),
                           minimum=None if f["key"] in SIGNED_FIGURES else Decimal(0), maximum=Decimal("99999"))
            for f in shipped_rules()["figures"]]


def rule_figures(kindergarten) -> dict[str, Figure]:
    """The kindergarten's rule figures in force, by key (one query)."""
    return core_rules.figures(kindergarten, AREA)


def figure(kindergarten, key: str, figures: dict | None = None) -> Decimal:
    figures = figures if figures is not None else rule_figures(kindergarten)
    return figures[key].value


def figure_int(kindergarten, key: str, figures: dict | None = None) -> int:
    return int(figure(kindergarten, key, figures))


def fs_settings(kindergarten) -> FoodSafetySettings:
    row = FoodSafetySettings.objects.filter(kindergarten=kindergarten).first()
    if row is None:
        try:
            with transaction.atomic():
                row = FoodSafetySettings.objects.create(kindergarten=kindergarten)
        except IntegrityError:
            row = FoodSafetySettings.objects.get(kindergarten=kindergarten)
    return row


@transaction.atomic
def settings_update(*, actor, allow_certificate_override: bool, samples_due_by: dt.time | None = None
                    ) -> FoodSafetySettings:
    _require(actor, "foodsafety.rules.change")
    row = fs_settings(actor.kindergarten)
    row.allow_certificate_override = bool(allow_certificate_override)
    if samples_due_by is not None:
        row.samples_due_by = samples_due_by
    row.save(update_fields=["allow_certificate_override", "samples_due_by", "updated_at"])
    return row


# --- supplier certificates ------------------------------------------------------------------------


@transaction.atomic
def certificate_create(*, actor, supplier, kind: str, number: str, valid_until: dt.date | None,
                       issued_on: dt.date | None = None, product: str = "", item=None, scan=None
                       ) -> SupplierCertificate:
    policy.same_kindergarten(actor, supplier, item)
    _require(actor, "foodsafety.certificate.change")
    errors: list = []
    number = _text(number, 60)
    if kind not in CertificateKind.values:
        errors.append({"field": "kind", "message": _("Choose the kind of certificate.")})
    if not number:
        errors.append({"field": "number", "message": _("Enter the certificate number.")})
    if valid_until is None:
        errors.append({"field": "valid_until", "message": _("Enter the date the certificate is valid until.")})
    elif issued_on and valid_until < issued_on:
        errors.append({"field": "valid_until", "message": _("The certificate ends before it was issued.")})
    if issued_on and issued_on > timezone.localdate():
        errors.append({"field": "issued_on", "message": _("The date of issue is in the future.")})
    if kind == CertificateKind.INSPECTION_REPORT and not (_text(product, 60) or item):
        errors.append({"field": "product", "message": _("Name the product the inspection report covers.")})
    content = None
    if scan:
        try:
            content = files.read_upload(scan, field="scan", accept=files.DOCUMENTS)
        except DomainError as exc:
            errors += exc.errors
    if errors:
        raise_for(errors)
    years = figure_int(actor.kindergarten, FigureKey.PURCHASE_RECORD_MIN_YEARS)
    cert = SupplierCertificate(
        kindergarten=actor.kindergarten, supplier=supplier, kind=kind, number=number, product=_text(product, 60),
        item=item, issued_on=issued_on, valid_until=valid_until, created_by=actor.user,
        retain_until=add_months(max(valid_until, timezone.localdate()), 12 * years),
    )
    if content is not None:
        cert.scan.save(content.name, content.as_content_file(), save=False)
    cert.save()
    return cert


def certificate_problems(kindergarten, supplier, day: dt.date) -> list[str]:
    """What is wrong with the supplier's required certificates on `day` (empty: all present, in date)."""
    current: dict[str, dt.date] = {}
    for kind, valid_until in (SupplierCertificate.objects.active()
                              .filter(kindergarten=kindergarten, supplier=supplier, kind__in=REQUIRED_CERTIFICATE_KINDS)
                              .values_list("kind", "valid_until")):
        current[kind] = max(current.get(kind, valid_until), valid_until)
    problems = []
    for kind in REQUIRED_CERTIFICATE_KINDS:
        label = CertificateKind(kind).label
        if kind not in current:
            problems.append(_("%(supplier)s has no %(certificate)s on file.") % {"supplier": supplier,
                                                                                 "certificate": label})
        elif current[kind] < day:
            problems.append(_("The %(certificate)s of %(supplier)s expired on %(date)s.") % {
                "supplier": supplier, "certificate": label, "date": current[kind].strftime("%Y-%m-%d")})
    return problems


# --- receiving inspection -------------------------------------------------------------------------

_BOOL_FIELDS = ("look_ok", "touch_ok", "smell_ok", "is_chilled", "accepted", "to_kitchen")


def _clean_line(actor, index: int, line: dict, received_on: dt.date, figures: dict, errors: list) -> dict | None:
    prefix = f"lines.{index}."
    start = len(errors)
    item = line.get("item")
    if item is None:
        errors.append({"field": prefix + "item", "message": _("Choose the food.")})
        return None
    policy.same_kindergarten(actor, item)
    if not item.is_food:
        errors.append({"field": prefix + "item", "message": _("%(item)s is not food.") % {"item": item}})
    data = {"item": item, **{f: bool(line.get(f, f in ("look_ok", "touch_ok", "smell_ok", "accepted")))
                             for f in _BOOL_FIELDS}}
    data["quantity"] = _decimal(line.get("quantity"), field=prefix + "quantity", errors=errors)
    data["unit_price"] = _decimal(line.get("unit_price"), field=prefix + "unit_price", errors=errors, places=4,
                                  allow_zero=True)
    data["batch_no"] = _text(line.get("batch_no"), 40)
    data["reject_reason"] = _text(line.get("reject_reason"), 200)
    production, expiry = line.get("production_date"), line.get("expiry_date")
    shelf = line.get("shelf_life_days")
    if shelf in ("", None):
        shelf = None
    else:
        try:
            shelf = int(shelf)
            if shelf <= 0 or shelf > 3650:
                raise ValueError
        except (TypeError, ValueError):
            errors.append({"field": prefix + "shelf_life_days", "message": _("Enter the shelf life in days.")})
            shelf = None
    if production is None:
        errors.append({"field": prefix + "production_date", "message": _("Enter the production date.")})
    elif production > received_on:
        errors.append({"field": prefix + "production_date",
                       "message": _("The production date is after the day of receipt.")})
    if expiry is None and production is not None:
        days = shelf or item.shelf_life_days
        if days:
            expiry = production + dt.timedelta(days=days)
    if expiry is None:
        errors.append({"field": prefix + "expiry_date", "message": _("Enter the expiry date or the shelf life.")})
    elif production is not None and expiry < production:
        errors.append({"field": prefix + "expiry_date", "message": _("The expiry date is before the production date.")})
    data.update(production_date=production, expiry_date=expiry, shelf_life_days=shelf)
    temperature = line.get("temperature")
    data["temperature"] = None
    if temperature not in (None, ""):
        data["temperature"] = _decimal(temperature, field=prefix + "temperature", errors=errors, places=1,
                                       maximum=Decimal("99"), signed=True)
    if data["is_chilled"] and temperature in (None, ""):
        errors.append({"field": prefix + "temperature", "message": _("Enter the temperature of the chilled food.")})
    if data["accepted"]:
        problems = []
        if not (data["look_ok"] and data["touch_ok"] and data["smell_ok"]):
            problems.append(_("it failed the look / touch / smell check"))
        if expiry is not None and production is not None and expiry >= production and expiry < received_on:
            problems.append(_("it expired on %(date)s") % {"date": expiry.strftime("%Y-%m-%d")})
        limit = figures[FigureKey.CHILLED_RECEIVING_MAX_C].value
        if data["is_chilled"] and data["temperature"] is not None and data["temperature"] > limit:
            problems.append(_("it arrived at %(t)s °C, above %(max)s °C") % {"t": _plain(data["temperature"]), "max": _plain(limit)})
        if problems:
            errors.append({"field": prefix + "accepted", "message": _("%(item)s must be rejected: %(why)s.") % {
                "item": item.name, "why": "；".join(str(p) for p in problems)}})
        data["reject_reason"] = ""
    elif not data["reject_reason"]:
        errors.append({"field": prefix + "reject_reason", "message": _("Give the reason for rejecting %(item)s.") % {
            "item": item.name}})
    if not data["accepted"]:
        data["to_kitchen"] = False
    return data if len(errors) == start else None


@transaction.atomic
def receipt_create(*, actor, supplier, warehouse, lines, received_on: dt.date | None = None, invoice_photo=None,
                   note: str = "", override_reason: str = "") -> Receipt:
    """Record a delivery inspected at the kitchen door. Accepted food goes into the food store as
    batches (stock ledger), or straight to the kitchen for the day's meals (received and issued at
    once); rejected food is recorded with its reason. A supplier whose required certificates are
    missing or expired is refused, unless the kindergarten allows the director to accept with a
    recorded reason. All or nothing."""
    _require(actor, "foodsafety.receiving.record")
    errors: list = []
    if supplier is None:
        errors.append({"field": "supplier", "message": _("Choose a known supplier: goods from an unknown supplier "
                                                         "are not accepted.")})
    else:
        policy.same_kindergarten(actor, supplier)
        if not supplier.is_active:
            errors.append({"field": "supplier", "message": _("This supplier is no longer in use.")})
    if warehouse is None:
        errors.append({"field": "warehouse", "message": _("Choose the food store.")})
    else:
        policy.same_kindergarten(actor, warehouse)
        if not policy.can(actor, "foodsafety.receiving.record", warehouse):
            raise Http404
        if not warehouse.is_food or not warehouse.is_active:
            errors.append({"field": "warehouse", "message": _("Choose a food store in use.")})
    today = timezone.localdate()
    received_on = received_on or today
    if received_on > today:
        errors.append({"field": "received_on", "message": _("The date of receipt is in the future.")})
    lines = list(lines or [])
    if not lines:
        errors.append({"field": "lines", "message": _("Enter at least one food.")})
    if len(lines) > MAX_LINES:
        errors.append({"field": "lines", "message": _("At most %(n)d foods per delivery.") % {"n": MAX_LINES}})
    figures = rule_figures(actor.kindergarten)
    cleaned = [_clean_line(actor, i, line, received_on, figures, errors) for i, line in enumerate(lines[:MAX_LINES])]
    override_reason = _text(override_reason, 200)
    override = False
    if supplier is not None and any(c and c["accepted"] for c in cleaned):
        problems = certificate_problems(actor.kindergarten, supplier, received_on)
        if problems:
            allowed = fs_settings(actor.kindergarten).allow_certificate_override and actor.has(
                "foodsafety.receiving.override")
            if allowed and override_reason:
                override = True
            else:
                message = " ".join(problems) + " " + (
                    _("Give the reason to accept the goods anyway.") if allowed
                    else _("Goods from this supplier cannot be accepted until the certificate is renewed."))
                errors.append({"field": "override_reason" if allowed else "supplier", "message": message,
                               "code": "certificate"})
    photo = None
    if invoice_photo:
        try:
            photo = files.read_upload(invoice_photo, field="invoice_photo", accept=files.IMAGES)
        except DomainError as exc:
            errors += exc.errors
    if errors:
        raise_for(errors)

    months = figure_int(actor.kindergarten, FigureKey.PURCHASE_RECORD_MONTHS, figures)
    years = figure_int(actor.kindergarten, FigureKey.PURCHASE_RECORD_MIN_YEARS, figures)
    at = timezone.now() if received_on == today else timezone.make_aware(dt.datetime.combine(received_on, dt.time(7)))
    receipt = Receipt(
        kindergarten=actor.kindergarten, supplier=supplier, warehouse=warehouse, received_on=received_on,
        received_at=at, inspector=actor.user, note=_text(note, 200), created_by=actor.user,
        override_reason=override_reason if override else "", override_by=actor.user if override else None,
        retain_until=received_on,
    )
    if photo is not None:
        receipt.invoice_photo.save(photo.name, photo.as_content_file(), save=False)
    line_rows = []
    for data in cleaned:
        retain = max(add_months(data["expiry_date"], months), add_months(received_on, 12 * years))
        line_rows.append(ReceiptLine(kindergarten=actor.kindergarten, created_by=actor.user, retain_until=retain,
                                     **data))
    receipt.retain_until = max(r.retain_until for r in line_rows)
    receipt.save()
    ledger = _ledger_actor(actor)
    from houqin.stock import services as stock
    from houqin.stock.models import MovementKind

    for row in line_rows:
        row.receipt = receipt
        if row.accepted:
            reason = _("Receiving inspection %(date)s") % {"date": received_on.strftime("%Y-%m-%d")}
            try:
                row.movement = stock.receive(
                    actor=ledger, warehouse=warehouse, item=row.item, quantity=row.quantity, unit_cost=row.unit_price,
                    supplier=supplier, batch_no=row.batch_no, production_date=row.production_date,
                    expiry_date=row.expiry_date, occurred_on=received_on, reason=reason)
                if row.to_kitchen:
                    stock.issue(actor=ledger, item=row.item, warehouse=warehouse, quantity=row.quantity,
                                kind=MovementKind.ISSUE_KITCHEN, batch=row.movement.batch, occurred_on=received_on,
                                reason=_("Same-day fresh food, straight to the kitchen"))
            except DomainError as exc:
                index = line_rows.index(row)
                raise_for([{"field": f"lines.{index}.{e.get('field', 'item')}", "message": e["message"]}
                          for e in exc.errors] or [{"field": f"lines.{index}.item", "message": str(exc.message)}],
                         cls=type(exc))
        row.save()
    return receipt


# --- sample retention -----------------------------------------------------------------------------


def served_dishes(kindergarten, day: dt.date) -> list[dict]:
    """The dishes of the published menu served on `day` (houqin.canteen's contract); [] while the
    canteen area does not provide it."""
    try:
        from houqin.canteen.selectors import served_dishes as canteen_served
    except ImportError:
        return _published_menu_dishes(kindergarten, day)
    return list(canteen_served(kindergarten=kindergarten, day=day))


def served_dishes_on(kindergarten, days) -> dict[dt.date, list[dict]]:
    """served_dishes of several days, {day: dishes}: the canteen's two queries for all of them."""
    try:
        from houqin.canteen.selectors import served_dishes_on as canteen_served_on
    except ImportError:
        return {day: _published_menu_dishes(kindergarten, day) for day in days}
    return canteen_served_on(kindergarten=kindergarten, days=days)


def _published_menu_dishes(kindergarten, day: dt.date) -> list[dict]:
    """Stand-in for the canteen's contract until it exists: the entries of the published weekly
    menu covering `day`, in the contract's shape."""
    try:
        from houqin.canteen.models import MEAL_ORDER, Meal, Menu, MenuEntry
    except ImportError:
        return []
    menu = (Menu.objects.filter(kindergarten=kindergarten, status="published", voided_at__isnull=True,
                                week_start__lte=day, week_start__gt=day - dt.timedelta(days=7))
            .order_by("-week_start").first())
    if menu is None or (day - menu.week_start).days >= menu.days:
        return []
    entries = MenuEntry.objects.filter(menu=menu, day=(day - menu.week_start).days).select_related("dish")
    entries = sorted(entries, key=lambda e: (MEAL_ORDER.index(e.meal) if e.meal in MEAL_ORDER else 99,
                                             e.sort_order, e.pk))
    return [{"meal": e.meal, "meal_label": str(Meal(e.meal).label) if e.meal in Meal.values else e.meal,
             "dish_code": e.dish.code, "dish_name": e.dish_name} for e in entries]


@transaction.atomic
def sample_record(*, actor, day: dt.date | None, meal: str, dish_code, weight_grams, fridge: str,
                  stored_at: dt.datetime | None = None, fridge_temperature=None, dishes: list[dict] | None = None
                  ) -> Sample:
    """Keep a sample of a dish served that day: at least the kindergarten's minimum weight, in a
    fridge within its temperature range; it may be discarded after the retention time."""
    _require(actor, "foodsafety.sample.record")
    kg = actor.kindergarten
    figures = rule_figures(kg)
    errors: list = []
    today = timezone.localdate()
    day = day or today
    now = timezone.now()
    stored_at = stored_at or now
    if day > today:
        errors.append({"field": "day", "message": _("The day is in the future.")})
    if stored_at > now + dt.timedelta(minutes=5):
        errors.append({"field": "stored_at", "message": _("The time is in the future.")})
    dishes = dishes if dishes is not None else served_dishes(kg, day)
    dish = next((d for d in dishes if str(d["dish_code"]) == str(dish_code) and d["meal"] == meal), None)
    if dish is None:
        errors.append({"field": "dish_code", "message": _("This dish is not on the published menu of that day.")})
    minimum = figures[FigureKey.SAMPLE_MIN_GRAMS].value
    weight = _decimal(weight_grams, field="weight_grams", errors=errors, places=1, maximum=Decimal("9999"))
    if weight is not None and weight < minimum:
        errors.append({"field": "weight_grams", "message": _(
            "A sample must weigh at least %(min)s g: this one weighs %(weight)s g. Add more and weigh it again.")
            % {"min": _plain(minimum), "weight": _plain(weight)}})
    fridge = _text(fridge, 30)
    if not fridge:
        errors.append({"field": "fridge", "message": _("Name the fridge the sample is kept in.")})
    temperature = None
    if fridge_temperature not in (None, ""):
        temperature = _decimal(fridge_temperature, field="fridge_temperature", errors=errors, places=1,
                               maximum=Decimal("99"), signed=True)
        low, high = figures[FigureKey.SAMPLE_FRIDGE_MIN_C].value, figures[FigureKey.SAMPLE_FRIDGE_MAX_C].value
        if temperature is not None and not (low <= temperature <= high):
            errors.append({"field": "fridge_temperature", "message": _(
                "The fridge is at %(t)s °C: samples must be kept at %(low)s–%(high)s °C. Use another fridge.")
                % {"t": _plain(temperature), "low": _plain(low), "high": _plain(high)}})
    if errors:
        raise_for(errors)
    if Sample.objects.active().filter(kindergarten=kg, day=day, meal=meal, dish_code=dish["dish_code"]).exists():
        raise field_error("dish_code", _("A sample of this dish has already been kept."), cls=Conflict, code="duplicate")
    hours = figures[FigureKey.SAMPLE_HOLD_HOURS].value
    try:
        with transaction.atomic():
            return Sample.objects.create(
                kindergarten=kg, day=day, meal=meal, meal_label=_text(str(dish.get("meal_label", "")), 20),
                dish_code=dish["dish_code"], dish_name=_text(str(dish["dish_name"]), 60), weight_grams=weight,
                stored_at=stored_at, fridge=fridge, fridge_temperature=temperature, stored_by=actor.user,
                discard_due=stored_at + dt.timedelta(hours=float(hours)), created_by=actor.user,
                retain_until=retain_until(kg, day, figures),
            )
    except IntegrityError as exc:
        raise Conflict(_("A sample of this dish has already been kept."), code="duplicate") from exc


def _plain(number: Decimal) -> str:
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@transaction.atomic
def sample_discard(*, actor, sample: Sample, at: dt.datetime | None = None) -> Sample:
    """Record that a sample was discarded: not before it has been kept the full retention time."""
    policy.same_kindergarten(actor, sample)
    _require(actor, "foodsafety.sample.record")
    sample = Sample.objects.select_for_update().get(pk=sample.pk)
    now = timezone.now()
    at = at or now
    if sample.is_voided:
        raise field_error("sample", _("This sample record has been voided."), cls=Conflict, code="voided")
    if sample.discarded_at is not None:
        raise field_error("sample", _("This sample was already discarded."), cls=Conflict, code="already_discarded")
    if at > now + dt.timedelta(minutes=5):
        raise field_error("discarded_at", _("The time is in the future."))
    if at < sample.discard_due:
        kept = at - sample.stored_at
        hours = int(kept.total_seconds() // 3600)
        raise field_error("discarded_at", _(
            "This sample has been kept only %(hours)s hours: it must be kept until %(due)s.") % {
            "hours": hours, "due": timezone.localtime(sample.discard_due).strftime("%Y-%m-%d %H:%M")},
            cls=Conflict, code="too_early")
    sample.discarded_at, sample.discarded_by = at, actor.user
    sample.save(update_fields=["discarded_at", "discarded_by", "updated_at"])
    return sample


# --- expiry checks --------------------------------------------------------------------------------


def batch_state(batch, day: dt.date, soon_days: int) -> str:
    if batch.expiry_date is None:
        return BatchState.OK
    if batch.expiry_date < day:
        return BatchState.EXPIRED
    if batch.expiry_date <= day + dt.timedelta(days=soon_days):
        return BatchState.SOON
    return BatchState.OK


def batches_to_check(warehouse):
    from houqin.stock.models import Batch

    return (Batch.objects.filter(kindergarten_id=warehouse.kindergarten_id, warehouse=warehouse, quantity__gt=0)
            .select_related("item", "supplier").order_by("expiry_date", "pk"))


def certified_suppliers(kindergarten, day: dt.date) -> set[int]:
    """Suppliers whose required certificates are all on file and in date on `day`."""
    found: dict[int, set] = {}
    for supplier_id, kind in (SupplierCertificate.objects.active()
                              .filter(kindergarten=kindergarten, kind__in=REQUIRED_CERTIFICATE_KINDS,
                                      valid_until__gte=day).values_list("supplier_id", "kind")):
        found.setdefault(supplier_id, set()).add(kind)
    return {s for s, kinds in found.items() if kinds >= set(REQUIRED_CERTIFICATE_KINDS)}


@transaction.atomic
def expiry_check_create(*, actor, warehouse, results: dict | None = None, checked_on: dt.date | None = None,
                        note: str = "") -> ExpiryCheck:
    """Record a check of every batch on hand in a food store. `results` maps a batch's code to what
    was found ({"production_date_ok", "shelf_life_ok", "certificate_ok", "note"}); unlisted batches
    are recorded as found in order. The state (in date / soon / expired) is computed."""
    policy.same_kindergarten(actor, warehouse)
    _require(actor, "foodsafety.expiry.check")
    if not policy.can(actor, "foodsafety.expiry.check", warehouse):
        raise Http404
    errors: list = []
    today = timezone.localdate()
    checked_on = checked_on or today
    if checked_on > today:
        errors.append({"field": "checked_on", "message": _("The date is in the future.")})
    if not warehouse.is_food:
        errors.append({"field": "warehouse", "message": _("Choose a food store.")})
    if errors:
        raise_for(errors)
    results = {str(k): v for k, v in (results or {}).items()}
    figures = rule_figures(actor.kindergarten)
    soon = figure_int(actor.kindergarten, FigureKey.EXPIRY_SOON_DAYS, figures)
    certified = certified_suppliers(actor.kindergarten, checked_on)
    check = ExpiryCheck.objects.create(
        kindergarten=actor.kindergarten, warehouse=warehouse, checked_on=checked_on, checked_by=actor.user,
        note=_text(note, 200), created_by=actor.user,
        retain_until=retain_until(actor.kindergarten, checked_on, figures))
    rows = []
    for batch in batches_to_check(warehouse):
        found = results.get(str(batch.code), {})
        rows.append(ExpiryCheckLine(
            kindergarten=actor.kindergarten, expiry_check=check, batch=batch, quantity=batch.quantity,
            state=batch_state(batch, checked_on, soon), created_by=actor.user,
            production_date_ok=bool(found.get("production_date_ok", batch.production_date is not None)),
            shelf_life_ok=bool(found.get("shelf_life_ok", batch.expiry_date is not None)),
            certificate_ok=bool(found.get("certificate_ok", batch.supplier_id in certified)),
            note=_text(found.get("note"), 200),
        ))
    bulk_create_with_history(rows, ExpiryCheckLine)
    return check


@transaction.atomic
def expiry_line_dispose(*, actor, line: ExpiryCheckLine, quantity, reason: str, witness) -> ExpiryCheckLine:
    """Dispose of a batch found in a check, through the stock ledger, with reason and witness."""
    policy.same_kindergarten(actor, line)
    _require(actor, "foodsafety.expiry.dispose")
    from houqin.stock import services as stock
    from houqin.stock.models import MovementKind

    line = ExpiryCheckLine.objects.select_for_update().select_related("batch__item").get(pk=line.pk)
    if line.disposal_id:
        raise field_error("line", _("This batch has already been disposed of."), cls=Conflict, code="already_disposed")
    if witness is None:
        raise field_error("witness", _("Name the witness of the disposal."))
    kind = MovementKind.DISPOSAL_EXPIRED if line.batch.expiry_date else MovementKind.DISPOSAL_DAMAGED
    movement = stock.dispose(actor=_ledger_actor(actor), batch=line.batch, quantity=quantity, kind=kind,
                             reason=reason, witness=witness)
    line.disposal = movement
    line.save(update_fields=["disposal", "updated_at"])
    return line


# --- kitchen hygiene ------------------------------------------------------------------------------


def hygiene_items(kindergarten, *, include_inactive: bool = False):
    """The kindergarten's checklist (the shipped template is copied in on first use)."""
    qs = HygieneItem.objects.filter(kindergarten=kindergarten)
    if not qs.exists():
        bulk_create_with_history([
            HygieneItem(kindergarten=kindergarten, area=area, text=text, order=(i + 1) * 10)
            for i, (area, text) in enumerate(shipped_rules()["hygiene_checklist"])
        ], HygieneItem)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("order", "pk")


@transaction.atomic
def hygiene_item_save(*, actor, text: str, area: str = "", order: int | None = None, is_active: bool = True,
                      item: HygieneItem | None = None) -> HygieneItem:
    _require(actor, "foodsafety.hygiene.template")
    policy.same_kindergarten(actor, item)
    text = _text(text, 120)
    if not text:
        raise field_error("text", _("Enter what is checked."))
    if item is None:
        hygiene_items(actor.kindergarten)
        last = HygieneItem.objects.filter(kindergarten=actor.kindergarten).order_by("-order").first()
        item = HygieneItem(kindergarten=actor.kindergarten, created_by=actor.user,
                           order=order if order is not None else (last.order + 10 if last else 10))
    elif order is not None:
        item.order = order
    item.text, item.area, item.is_active = text, _text(area, 20), bool(is_active)
    item.save()
    return item


def _report_hazard(*, actor, location: str, description: str, source: str):
    """houqin.safety's contract; None while the safety area does not provide it."""
    try:
        from houqin.safety.services import report_hazard
    except ImportError:
        return None
    return report_hazard(actor=actor, location=location, description=description, severity="normal", source=source)


@transaction.atomic
def hygiene_inspection_create(*, actor, results: dict, inspected_on: dt.date | None = None, note: str = ""
                              ) -> HygieneInspection:
    """Record a kitchen hygiene inspection: every item of the checklist passed or failed. Each
    failed item gets a deadline (the kindergarten's figure) and is reported as a hazard."""
    _require(actor, "foodsafety.hygiene.inspect")
    kg = actor.kindergarten
    errors: list = []
    today = timezone.localdate()
    inspected_on = inspected_on or today
    if inspected_on > today:
        errors.append({"field": "inspected_on", "message": _("The date is in the future.")})
    items = list(hygiene_items(kg))
    results = {str(k): v for k, v in (results or {}).items()}
    for item in items:
        found = results.get(str(item.code))
        if not isinstance(found, dict) or not isinstance(found.get("passed"), bool):
            # Every item of the checklist is answered: an empty inspection was saved as all passed.
            errors.append({"field": f"item-{item.code}", "message": _("Answer this item, passed or failed: %(item)s")
                           % {"item": item.text}})
        elif not found["passed"] and not _text(found.get("note"), 200):
            errors.append({"field": f"item-{item.code}", "message": _("Say what was wrong: %(item)s") % {
                "item": item.text}})
    if errors:
        raise_for(errors)
    figures = rule_figures(kg)
    days = figure_int(kg, FigureKey.HAZARD_DEADLINE_DAYS, figures)
    inspection = HygieneInspection.objects.create(
        kindergarten=kg, inspected_on=inspected_on, inspector=actor.user, note=_text(note, 200),
        created_by=actor.user, retain_until=retain_until(kg, inspected_on, figures))
    rows = []
    for item in items:
        found = results[str(item.code)]
        passed = found["passed"]
        row = HygieneResult(kindergarten=kg, inspection=inspection, item=item, text=item.text, passed=passed,
                            note=_text(found.get("note"), 200), created_by=actor.user,
                            deadline=None if passed else inspected_on + dt.timedelta(days=days))
        if not passed:
            hazard = _report_hazard(actor=actor, location=_("Kitchen"), description=f"{item.text}：{row.note}",
                                    source=f"foodsafety.hygiene:{inspection.code}")
            row.hazard_code = getattr(hazard, "code", None)
        rows.append(row)
    bulk_create_with_history(rows, HygieneResult)
    return inspection


@transaction.atomic
def tableware_record(*, actor, day: dt.date | None, meal: str, method: str, minutes, started_at=None,
                     temperature=None, note: str = "", meal_label: str = "", chlorine_mg_l=None
                     ) -> TablewareDisinfection:
    """Record the disinfection of a meal's tableware, checked against the kindergarten's rule figures
    (disinfection.py): heat needs its temperature and time, a chlorine solution its test-strip reading
    within the range; a record outside the rule is refused."""
    from houqin.foodsafety.disinfection import check_disinfection

    _require(actor, "foodsafety.tableware.record")
    kg = actor.kindergarten
    errors: list = []
    today = timezone.localdate()
    day = day or today
    if day > today:
        errors.append({"field": "day", "message": _("The day is in the future.")})
    meal = _text(meal, 20)
    if not meal:
        errors.append({"field": "meal", "message": _("Choose the meal.")})
    if method not in DisinfectionMethod.values:
        errors.append({"field": "method", "message": _("Choose the method.")})
    try:
        minutes = int(minutes)
        if minutes <= 0 or minutes > 600:
            raise ValueError
    except (TypeError, ValueError):
        errors.append({"field": "minutes", "message": _("Enter the minutes of disinfection.")})
    if temperature not in (None, ""):
        temperature = _decimal(temperature, field="temperature", errors=errors, places=1, maximum=Decimal("200"),
                               signed=True)
    else:
        temperature = None
    chlorine = None
    if chlorine_mg_l not in (None, ""):
        chlorine = _decimal(chlorine_mg_l, field="chlorine_mg_l", errors=errors, places=1, maximum=Decimal("5000"))
    if not errors:
        errors += check_disinfection(kg, method=method, minutes=minutes, temperature=temperature, chlorine=chlorine)
    if errors:
        raise_for(errors)
    if TablewareDisinfection.objects.active().filter(kindergarten=kg, day=day, meal=meal).exists():
        raise field_error("meal", _("The disinfection of this meal's tableware has already been recorded."), cls=Conflict,
               code="duplicate")
    started_at = started_at or (timezone.now() if day == today
                                else timezone.make_aware(dt.datetime.combine(day, dt.time(13, 0))))
    try:
        with transaction.atomic():
            return TablewareDisinfection.objects.create(
                kindergarten=kg, day=day, meal=meal, meal_label=_text(meal_label, 20), method=method,
                started_at=started_at, minutes=minutes, temperature=temperature, chlorine_mg_l=chlorine,
                done_by=actor.user,
                note=_text(note, 200), created_by=actor.user, retain_until=retain_until(kg, day))
    except IntegrityError as exc:
        raise Conflict(_("The disinfection of this meal's tableware has already been recorded."),
                       code="duplicate") from exc


# --- voiding (never deleting) ---------------------------------------------------------------------

VOIDABLE = (SupplierCertificate, Receipt, Sample, ExpiryCheck, HygieneInspection, TablewareDisinfection, PestCheck,
            FilterChange, WaterTest)


@transaction.atomic
def void_record(*, actor, record, reason: str):
    """Void a record entered by mistake, with a reason — refused before its retention date: a
    food-safety record must stay on file that long (食品安全法 第五十条 for receiving records)."""
    policy.same_kindergarten(actor, record)
    _require(actor, "foodsafety.void")
    if not isinstance(record, VOIDABLE):
        raise Forbidden()
    record = type(record).objects.select_for_update().get(pk=record.pk)
    if not record.is_voided and timezone.localdate() < record.retain_until:
        raise field_error("record", _("This record must be kept until %(date)s and cannot be voided before then.") % {
            "date": record.retain_until.strftime("%Y-%m-%d")}, cls=Conflict, code="retention")
    return record.void(actor=actor, reason=reason)

"""The kitchen's remaining logs: pest control (病媒生物防制) and drinking water (饮用水).

Pest control: each check or treatment of a place (kitchen, food store, dining room …) against
rodents, flies, cockroaches or mosquitoes, with the device or method (粘鼠板、灭蝇灯、诱饵站 …), who did
it (the kindergarten's own staff, or a contractor with their licence), whether signs were found and
what was done. A check is due every `pest_check_days` (rule figure, unconfirmed): past that without a
record it is a to-do.

Drinking water: the dispensers and direct drinking-water units as a small register; each filter
change (the next one due after `water_filter_months`) and each water test (a laboratory's with its
report, or the kindergarten's own), passed or failed. A failed test becomes a hazard
(services._report_hazard, as the duties' failed items do) and stays a to-do until a later test of
the unit passes; a filter past its date and a test older than `water_test_months` are to-dos.

Bad input is refused with every problem at once and nothing saved (core.errors); records are voided,
never deleted (services.void_record).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import policy
from houqin.core import files
from houqin.core.errors import Conflict, DomainError, field_error, raise_for
from houqin.foodsafety import services
from houqin.foodsafety.models import (
    FigureKey,
    FilterChange,
    PestCheck,
    PestKind,
    WaterTest,
    WaterTester,
    WaterUnit,
    WaterUnitKind,
)

PLACES = ["厨房", "食品库", "餐厅", "备餐间", "洗消间", "垃圾存放点"]  # suggestions on the form
METHODS = ["粘鼠板", "鼠夹", "诱饵站", "灭蝇灯", "粘蝇纸", "纱窗纱门", "杀蟑胶饵", "灭蚊灯", "喷洒药物"]


def _future(day: dt.date | None, field: str, errors: list) -> dt.date:
    today = timezone.localdate()
    day = day or today
    if day > today:
        errors.append({"field": field, "message": _("The date is in the future.")})
    return day


# --- pest control -----------------------------------------------------------------------------------


@transaction.atomic
def pest_record(*, actor, place: str, kind: str, method: str, done_on: dt.date | None = None,
                contractor: str = "", contractor_licence: str = "", signs_found: bool = False,
                findings: str = "", action: str = "") -> PestCheck:
    """Record a check or treatment against pests in one place. Signs found need what was found and
    the action taken; a contractor needs their licence number."""
    services._require(actor, "foodsafety.pest.record")
    kg = actor.kindergarten
    errors: list = []
    done_on = _future(done_on, "done_on", errors)
    place = services._text(place, 40)
    if not place:
        errors.append({"field": "place", "message": _("Name the place checked (kitchen, food store …).")})
    if kind not in PestKind.values:
        errors.append({"field": "kind", "message": _("Choose what the check was against.")})
    method = services._text(method, 60)
    if not method:
        errors.append({"field": "method", "message": _("Name the method or device (glue board, fly lamp …).")})
    contractor, licence = services._text(contractor, 60), services._text(contractor_licence, 60)
    if contractor and not licence:
        errors.append({"field": "contractor_licence", "message": _(
            "Enter the contractor's licence number: only a licensed pest-control company may treat the kitchen.")})
    if licence and not contractor:
        errors.append({"field": "contractor", "message": _("Name the contractor the licence belongs to.")})
    findings, action = services._text(findings, 200), services._text(action, 200)
    if not isinstance(signs_found, bool):
        errors.append({"field": "signs_found", "message": _("Say whether signs of pests were found.")})
    elif signs_found:
        if not findings:
            errors.append({"field": "findings", "message": _("Say what signs were found (droppings, gnawing …).")})
        if not action:
            errors.append({"field": "action", "message": _(
                "Signs were found: say what was done (bait laid, hole sealed, contractor called …).")})
    if errors:
        raise_for(errors)
    return PestCheck.objects.create(
        kindergarten=kg, done_on=done_on, place=place, kind=kind, method=method, recorded_by=actor.user,
        contractor=contractor, contractor_licence=licence, signs_found=signs_found, findings=findings,
        action=action, created_by=actor.user, retain_until=services.retain_until(kg, done_on))


def pest_list(*, actor, start: dt.date | None = None, end: dt.date | None = None):
    qs = PestCheck.objects.filter(voided_at__isnull=True).select_related("recorded_by")
    if start:
        qs = qs.filter(done_on__gte=start)
    if end:
        qs = qs.filter(done_on__lte=end)
    return policy.scoped(actor, "foodsafety.view", qs).order_by("-done_on", "-pk")


def get_pest(*, actor, code, capability: str = "foodsafety.view") -> PestCheck:
    return policy.get_or_404(actor, capability, PestCheck.objects.select_related("recorded_by"), code=code)


def pest_due(kindergarten, today: dt.date) -> dict:
    """The last check on or before `today`, the interval in force, and whether it has passed."""
    every = services.figure_int(kindergarten, FigureKey.PEST_CHECK_DAYS)
    last = (PestCheck.objects.active().filter(kindergarten=kindergarten, done_on__lte=today)
            .order_by("-done_on").values_list("done_on", flat=True).first())
    return {"last": last, "every": every, "overdue": last is None or (today - last).days > every,
            "due": (last + dt.timedelta(days=every)) if last else today}


# --- drinking water: the register ---------------------------------------------------------------------


@transaction.atomic
def water_unit_save(*, actor, place: str, kind: str, filter_model: str = "", is_active: bool = True,
                    unit: WaterUnit | None = None) -> WaterUnit:
    """Add a water dispenser or direct drinking-water unit to the register, or change one."""
    services._require(actor, "foodsafety.water.units")
    policy.same_kindergarten(actor, unit)
    errors: list = []
    place = services._text(place, 40)
    if not place:
        errors.append({"field": "place", "message": _("Name where the unit stands.")})
    if kind not in WaterUnitKind.values:
        errors.append({"field": "kind", "message": _("Choose the kind of unit.")})
    if errors:
        raise_for(errors)
    unit = unit or WaterUnit(kindergarten=actor.kindergarten, created_by=actor.user)
    unit.place, unit.kind, unit.filter_model = place, kind, services._text(filter_model, 60)
    unit.is_active = bool(is_active)
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as exc:
        raise field_error("place", _("This unit is already in the register."), cls=Conflict,
                          code="duplicate") from exc
    return unit


def water_units(*, actor, include_inactive: bool = False):
    qs = WaterUnit.objects.all() if include_inactive else WaterUnit.objects.filter(is_active=True)
    return policy.scoped(actor, "foodsafety.view", qs).order_by("place", "pk")


def get_water_unit(*, actor, code, capability: str = "foodsafety.view") -> WaterUnit:
    return policy.get_or_404(actor, capability, WaterUnit.objects.all(), code=code)


def _usable_unit(actor, unit, errors: list) -> None:
    if unit is None:
        errors.append({"field": "unit", "message": _("Choose the drinking-water unit.")})
        return
    policy.same_kindergarten(actor, unit)
    if not unit.is_active:
        errors.append({"field": "unit", "message": _("This unit is no longer in use.")})


# --- filter changes -------------------------------------------------------------------------------------


@transaction.atomic
def filter_change_record(*, actor, unit: WaterUnit | None, changed_by: str = "", changed_on: dt.date | None = None,
                         filter_model: str = "", note: str = "") -> FilterChange:
    """Record a filter change of a unit; the next change is due after the kindergarten's months."""
    services._require(actor, "foodsafety.water.record")
    kg = actor.kindergarten
    errors: list = []
    _usable_unit(actor, unit, errors)
    changed_on = _future(changed_on, "changed_on", errors)
    changed_by = services._text(changed_by, 60) or actor.user.display_name
    if errors:
        raise_for(errors)
    months = services.figure_int(kg, FigureKey.WATER_FILTER_MONTHS)
    return FilterChange.objects.create(
        kindergarten=kg, unit=unit, changed_on=changed_on, changed_by=changed_by[:60], recorded_by=actor.user,
        filter_model=services._text(filter_model, 60) or unit.filter_model, note=services._text(note, 200),
        next_due=services.add_months(changed_on, max(1, months)), created_by=actor.user,
        retain_until=services.retain_until(kg, changed_on))


def filter_change_list(*, actor, unit: WaterUnit | None = None):
    qs = FilterChange.objects.filter(voided_at__isnull=True).select_related("unit", "recorded_by")
    if unit is not None:
        qs = qs.filter(unit=unit)
    return policy.scoped(actor, "foodsafety.view", qs).order_by("-changed_on", "-pk")


def get_filter_change(*, actor, code, capability: str = "foodsafety.view") -> FilterChange:
    return policy.get_or_404(actor, capability, FilterChange.objects.select_related("unit", "recorded_by"), code=code)


# --- water tests ------------------------------------------------------------------------------------------


@transaction.atomic
def water_test_record(*, actor, unit: WaterUnit | None, tester: str, passed, tested_on: dt.date | None = None,
                      lab: str = "", result: str = "", report=None) -> WaterTest:
    """Record a water test of a unit: a laboratory's (named, with its report if there is one) or the
    kindergarten's own. A failed test says what failed and becomes a hazard."""
    services._require(actor, "foodsafety.water.record")
    kg = actor.kindergarten
    errors: list = []
    _usable_unit(actor, unit, errors)
    tested_on = _future(tested_on, "tested_on", errors)
    if tester not in WaterTester.values:
        errors.append({"field": "tester", "message": _("Choose who tested the water: a laboratory or your own test.")})
    lab = services._text(lab, 60)
    if tester == WaterTester.LAB and not lab:
        errors.append({"field": "lab", "message": _("Name the laboratory that tested the water.")})
    if not isinstance(passed, bool):
        errors.append({"field": "passed", "message": _("Say whether the water passed or failed.")})
    result = services._text(result, 200)
    if passed is False and not result:
        errors.append({"field": "result", "message": _(
            "The water failed: say what failed (e.g. total bacterial count over the limit).")})
    content = None
    if report:
        try:
            content = files.read_upload(report, field="report", accept=files.DOCUMENTS)
        except DomainError as exc:
            errors += exc.errors
    if errors:
        raise_for(errors)
    test = WaterTest(kindergarten=kg, unit=unit, tested_on=tested_on, tester=tester, lab=lab, passed=passed,
                     result=result, recorded_by=actor.user, created_by=actor.user,
                     retain_until=services.retain_until(kg, tested_on))
    if content is not None:
        test.report.save(content.name, content.as_content_file(), save=False)
    if not passed:
        hazard = services._report_hazard(
            actor=actor, location=unit.place,
            description=_("Drinking water failed its test (%(unit)s): %(result)s") % {"unit": unit, "result": result},
            source=f"foodsafety.water:{test.code}")
        test.hazard_code = getattr(hazard, "code", None)
    test.save()
    return test


def water_test_list(*, actor, unit: WaterUnit | None = None):
    qs = WaterTest.objects.filter(voided_at__isnull=True).select_related("unit", "recorded_by")
    if unit is not None:
        qs = qs.filter(unit=unit)
    return policy.scoped(actor, "foodsafety.view", qs).order_by("-tested_on", "-pk")


def get_water_test(*, actor, code, capability: str = "foodsafety.view") -> WaterTest:
    return policy.get_or_404(actor, capability, WaterTest.objects.select_related("unit", "recorded_by"), code=code)


# --- the state of each unit, and what is due ---------------------------------------------------------------


def unit_states(kindergarten, today: dt.date, units=None) -> list[dict]:
    """Each unit in use with its last filter change (and the next due), its last test, and what is
    wrong: filter overdue, never changed, last test failed, test overdue. Three queries, reading the
    units and the last change and test of each."""
    units = list(units if units is not None else
                 WaterUnit.objects.filter(kindergarten=kindergarten, is_active=True).order_by("place", "pk"))
    ids = [u.pk for u in units]
    last_change = _latest_per_unit(FilterChange, "changed_on", kindergarten, ids)
    last_test = _latest_per_unit(WaterTest, "tested_on", kindergarten, ids)
    months = services.figure_int(kindergarten, FigureKey.WATER_TEST_MONTHS)
    rows = []
    for unit in units:
        change, test = last_change.get(unit.pk), last_test.get(unit.pk)
        test_due = services.add_months(test.tested_on, max(1, months)) if test else today
        rows.append({"unit": unit, "change": change, "test": test,
                     "filter_overdue": change is not None and change.next_due < today,
                     "filter_never": change is None and bool(unit.filter_model),
                     "test_failed": test is not None and not test.passed,
                     "test_overdue": test is None or test_due < today, "test_due": test_due})
    return rows


def _latest_per_unit(model, day_field: str, kindergarten, ids: list[int]) -> dict:
    """{unit pk: its latest record of `model` in force (by day, then entry)}: one query, which reads
    one row per unit however many years of records the units have."""
    latest = (model.objects.active().filter(kindergarten=kindergarten, unit_id=OuterRef("pk"))
              .order_by(f"-{day_field}", "-pk").values("pk")[:1])
    wanted = WaterUnit.objects.filter(pk__in=ids).annotate(latest=Subquery(latest)).values("latest")
    return {row.unit_id: row for row in model.objects.filter(pk__in=wanted)}


def water_gaps(kindergarten, today: dt.date) -> dict:
    states = unit_states(kindergarten, today)
    return {"filters_overdue": [s for s in states if s["filter_overdue"] or s["filter_never"]],
            "tests_failed": [s for s in states if s["test_failed"]],
            "tests_overdue": [s for s in states if s["test_overdue"] and not s["test_failed"]]}


def term_counts(pks: list[int], start: dt.date, end: dt.date) -> dict[int, dict]:
    """Pest checks (and those with signs found), filter changes, water tests (and failed) per
    kindergarten in the period. Three queries."""
    out = {pk: {"pest_checks": 0, "pest_signs": 0, "filter_changes": 0, "water_tests": 0, "water_failed": 0}
           for pk in pks}
    for row in (PestCheck.objects.active().filter(kindergarten_id__in=pks, done_on__range=(start, end))
                .values("kindergarten_id").annotate(n=Count("pk"), signs=Count("pk", filter=Q(signs_found=True)))):
        out[row["kindergarten_id"]].update(pest_checks=row["n"], pest_signs=row["signs"])
    for row in (FilterChange.objects.active().filter(kindergarten_id__in=pks, changed_on__range=(start, end))
                .values("kindergarten_id").annotate(n=Count("pk"))):
        out[row["kindergarten_id"]]["filter_changes"] = row["n"]
    for row in (WaterTest.objects.active().filter(kindergarten_id__in=pks, tested_on__range=(start, end))
                .values("kindergarten_id").annotate(n=Count("pk"), failed=Count("pk", filter=Q(passed=False)))):
        out[row["kindergarten_id"]].update(water_tests=row["n"], water_failed=row["failed"])
    return out

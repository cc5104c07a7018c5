"""JSON API of the pest-control log and of drinking water: the same functions as the pages
(logs.py), the same policy. Mounted on food safety's router (imported at the end of api.py).
A water test's report is uploaded on its page (core.files); the API records the test itself."""

import datetime as dt
from uuid import UUID

from django.utils import timezone
from ninja import Schema, Status

from houqin import policy
from houqin.core.inputs import Day, Input, Limit, Offset
from houqin.foodsafety import logs, services
from houqin.foodsafety.api import FoodSafetyReasonIn, _limit, _name, router


class PestIn(Input):
    done_on: dt.date | None = None
    place: str = ""
    kind: str
    method: str = ""
    contractor: str = ""
    contractor_licence: str = ""
    signs_found: bool = False
    findings: str = ""
    action: str = ""


class PestOut(Schema):
    code: UUID
    done_on: dt.date
    place: str
    kind: str
    kind_label: str
    method: str
    contractor: str
    contractor_licence: str
    signs_found: bool
    findings: str
    action: str
    recorded_by: str
    voided: bool


class PestDueOut(Schema):
    last: dt.date | None
    every_days: int
    overdue: bool
    due: dt.date


class WaterUnitIn(Input):
    place: str = ""
    kind: str
    filter_model: str = ""


class WaterUnitOut(Schema):
    code: UUID
    place: str
    kind: str
    kind_label: str
    filter_model: str
    is_active: bool
    last_filter_change: dt.date | None = None
    filter_due: dt.date | None = None
    filter_overdue: bool = False
    last_test: dt.date | None = None
    last_test_passed: bool | None = None
    test_due: dt.date | None = None


class FilterChangeIn(Input):
    unit_code: UUID
    changed_on: dt.date | None = None
    changed_by: str = ""
    filter_model: str = ""
    note: str = ""


class FilterChangeOut(Schema):
    code: UUID
    unit_code: UUID
    unit: str
    changed_on: dt.date
    changed_by: str
    filter_model: str
    next_due: dt.date
    note: str
    recorded_by: str
    voided: bool


class WaterTestIn(Input):
    unit_code: UUID
    tested_on: dt.date | None = None
    tester: str
    lab: str = ""
    passed: bool
    result: str = ""


class WaterTestOut(Schema):
    code: UUID
    unit_code: UUID
    unit: str
    tested_on: dt.date
    tester: str
    lab: str
    passed: bool
    result: str
    has_report: bool
    hazard_code: UUID | None
    recorded_by: str
    voided: bool


def _pest_out(p) -> dict:
    return {"code": p.code, "done_on": p.done_on, "place": p.place, "kind": p.kind, "kind_label": str(p.get_kind_display()),
            "method": p.method, "contractor": p.contractor, "contractor_licence": p.contractor_licence,
            "signs_found": p.signs_found, "findings": p.findings, "action": p.action,
            "recorded_by": _name(p.recorded_by), "voided": p.is_voided}


def _unit_out(u, state: dict | None = None) -> dict:
    out = {"code": u.code, "place": u.place, "kind": u.kind, "kind_label": str(u.get_kind_display()),
           "filter_model": u.filter_model, "is_active": u.is_active}
    if state:
        change, test = state["change"], state["test"]
        out.update(last_filter_change=change.changed_on if change else None, filter_due=change.next_due if change else None,
                   filter_overdue=state["filter_overdue"], last_test=test.tested_on if test else None,
                   last_test_passed=test.passed if test else None, test_due=state["test_due"])
    return out


def _change_out(c) -> dict:
    return {"code": c.code, "unit_code": c.unit.code, "unit": str(c.unit), "changed_on": c.changed_on,
            "changed_by": c.changed_by, "filter_model": c.filter_model, "next_due": c.next_due, "note": c.note,
            "recorded_by": _name(c.recorded_by), "voided": c.is_voided}


def _test_out(t) -> dict:
    return {"code": t.code, "unit_code": t.unit.code, "unit": str(t.unit), "tested_on": t.tested_on,
            "tester": t.tester, "lab": t.lab, "passed": t.passed, "result": t.result, "has_report": bool(t.report),
            "hazard_code": t.hazard_code, "recorded_by": _name(t.recorded_by), "voided": t.is_voided}


# --- pest control -----------------------------------------------------------------------------------


@router.get("/k/{kg}/foodsafety/pests", response=list[PestOut])
@policy.requires("foodsafety.view")
def list_pests(request, kg: str, start: Day | None = None, end: Day | None = None, limit: Limit = 100,
               offset: Offset = 0):
    limit, offset = _limit(limit, offset)
    return [_pest_out(p) for p in logs.pest_list(actor=request.actor, start=start, end=end)[offset:offset + limit]]


@router.get("/k/{kg}/foodsafety/pests/due", response=PestDueOut)
@policy.requires("foodsafety.view")
def pest_due(request, kg: str):
    due = logs.pest_due(request.actor.kindergarten, timezone.localdate())
    return {"last": due["last"], "every_days": due["every"], "overdue": due["overdue"], "due": due["due"]}


@router.get("/k/{kg}/foodsafety/pests/{code}", response=PestOut)
@policy.requires("foodsafety.view")
def get_pest(request, kg: str, code: UUID):
    return _pest_out(logs.get_pest(actor=request.actor, code=code))


@router.post("/k/{kg}/foodsafety/pests", response={201: PestOut})
@policy.requires("foodsafety.pest.record")
def create_pest(request, kg: str, payload: PestIn):
    return Status(201, _pest_out(logs.pest_record(actor=request.actor, **payload.dict())))


@router.post("/k/{kg}/foodsafety/pests/{code}/void", response=PestOut)
@policy.requires("foodsafety.void")
def void_pest(request, kg: str, code: UUID, payload: FoodSafetyReasonIn):
    record = logs.get_pest(actor=request.actor, code=code, capability="foodsafety.void")
    return _pest_out(services.void_record(actor=request.actor, record=record, reason=payload.reason))


# --- drinking water -----------------------------------------------------------------------------------


@router.get("/k/{kg}/foodsafety/water/units", response=list[WaterUnitOut])
@policy.requires("foodsafety.view")
def list_water_units(request, kg: str):
    actor = request.actor
    states = logs.unit_states(actor.kindergarten, timezone.localdate(), units=logs.water_units(actor=actor))
    return [_unit_out(s["unit"], s) for s in states]


@router.get("/k/{kg}/foodsafety/water/units/{code}", response=WaterUnitOut)
@policy.requires("foodsafety.view")
def get_water_unit(request, kg: str, code: UUID):
    unit = logs.get_water_unit(actor=request.actor, code=code)
    return _unit_out(unit, logs.unit_states(request.actor.kindergarten, timezone.localdate(), units=[unit])[0])


@router.post("/k/{kg}/foodsafety/water/units", response={201: WaterUnitOut})
@policy.requires("foodsafety.water.units")
def create_water_unit(request, kg: str, payload: WaterUnitIn):
    return Status(201, _unit_out(logs.water_unit_save(actor=request.actor, **payload.dict())))


def _unit(request, code):
    return logs.get_water_unit(actor=request.actor, code=code)


@router.get("/k/{kg}/foodsafety/water/filters", response=list[FilterChangeOut])
@policy.requires("foodsafety.view")
def list_filter_changes(request, kg: str, limit: Limit = 100, offset: Offset = 0):
    limit, offset = _limit(limit, offset)
    return [_change_out(c) for c in logs.filter_change_list(actor=request.actor)[offset:offset + limit]]


@router.get("/k/{kg}/foodsafety/water/filters/{code}", response=FilterChangeOut)
@policy.requires("foodsafety.view")
def get_filter_change(request, kg: str, code: UUID):
    return _change_out(logs.get_filter_change(actor=request.actor, code=code))


@router.post("/k/{kg}/foodsafety/water/filters", response={201: FilterChangeOut})
@policy.requires("foodsafety.water.record")
def create_filter_change(request, kg: str, payload: FilterChangeIn):
    data = payload.dict()
    unit = _unit(request, data.pop("unit_code"))
    return Status(201, _change_out(logs.filter_change_record(actor=request.actor, unit=unit, **data)))


@router.post("/k/{kg}/foodsafety/water/filters/{code}/void", response=FilterChangeOut)
@policy.requires("foodsafety.void")
def void_filter_change(request, kg: str, code: UUID, payload: FoodSafetyReasonIn):
    record = logs.get_filter_change(actor=request.actor, code=code, capability="foodsafety.void")
    return _change_out(services.void_record(actor=request.actor, record=record, reason=payload.reason))


@router.get("/k/{kg}/foodsafety/water/tests", response=list[WaterTestOut])
@policy.requires("foodsafety.view")
def list_water_tests(request, kg: str, limit: Limit = 100, offset: Offset = 0):
    limit, offset = _limit(limit, offset)
    return [_test_out(t) for t in logs.water_test_list(actor=request.actor)[offset:offset + limit]]


@router.get("/k/{kg}/foodsafety/water/tests/{code}", response=WaterTestOut)
@policy.requires("foodsafety.view")
def get_water_test(request, kg: str, code: UUID):
    return _test_out(logs.get_water_test(actor=request.actor, code=code))


@router.post("/k/{kg}/foodsafety/water/tests", response={201: WaterTestOut})
@policy.requires("foodsafety.water.record")
def create_water_test(request, kg: str, payload: WaterTestIn):
    data = payload.dict()
    unit = _unit(request, data.pop("unit_code"))
    return Status(201, _test_out(logs.water_test_record(actor=request.actor, unit=unit, **data)))


@router.post("/k/{kg}/foodsafety/water/tests/{code}/void", response=WaterTestOut)
@policy.requires("foodsafety.void")
def void_water_test(request, kg: str, code: UUID, payload: FoodSafetyReasonIn):
    record = logs.get_water_test(actor=request.actor, code=code, capability="foodsafety.void")
    return _test_out(services.void_record(actor=request.actor, record=record, reason=payload.reason))

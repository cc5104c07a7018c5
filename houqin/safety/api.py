"""JSON API of safety and security: the same selectors and services as the pages, the same policy.
Photos are sent as multipart form fields where an operation takes one."""

import datetime as dt
from uuid import UUID

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from houqin.core.inputs import Day, Input, Page
from houqin import policy
from houqin.core.errors import DomainError
from houqin.core.rule_api import add_rule_routes
from houqin.org.models import SchoolClass
from houqin.safety import selectors, services
from houqin.safety.figures import report_figures
from houqin.safety.rules import AREA
from houqin.safety.models import InspectionRound

router = Router(tags=["safety"])
K = "/k/{kg}/safety"


def _name(user):
    return user.display_name if user is not None else None


def _staff(actor, code, field: str):
    if code is None:
        return None
    user = get_user_model().objects.filter(memberships__kindergarten=actor.kindergarten,
                                           memberships__code=code).first()
    if user is None:
        raise DomainError(_("Choose a member of staff of this kindergarten."),
                          errors=[{"field": field, "message": _("Choose a member of staff of this kindergarten.")}])
    return user


# --- schemas --------------------------------------------------------------------------------


class HazardOut(Schema):
    code: UUID
    number: str
    state: str
    location: str
    description: str
    severity: str
    source: str
    zone: str | None
    reported_at: dt.datetime
    reported_by: str | None
    assignee: str | None
    deadline: dt.date | None
    overdue: bool
    has_photo: bool
    repair_request: str | None


class HazardDetailOut(HazardOut):
    rectification: str
    rectified_by: str | None
    rectified_at: dt.datetime | None
    checked_by: str | None
    checked_at: dt.datetime | None
    check_note: str
    reopen_count: int


class SafetyAssignIn(Input):
    assignee: str  # the membership code of the person (as /api/k/{kg}/safety/staff lists them)
    deadline: dt.date
    note: str = ""


class VerifyIn(Input):
    accept: bool
    note: str = ""
    deadline: dt.date | None = None


class SafetyRepairIn(Input):
    estimated_cost: str = "0"


class SafetyStaffOut(Schema):
    membership: UUID
    name: str
    role: str


class ZoneOut(Schema):
    code: UUID
    name: str
    kind: str
    post: str
    owner: str | None
    checklist: list[str]
    checked_today: bool


class CheckItemIn(Input):
    item: str
    ok: bool
    note: str = ""


class SelfCheckIn(Input):
    results: list[CheckItemIn]


class SelfCheckOut(Schema):
    code: UUID
    date: dt.date
    all_ok: bool
    results: list[dict]


class TemplateOut(Schema):
    code: UUID
    name: str
    category: str
    frequency: str
    items: list[str]
    inspector: str | None
    due: bool


class ResultIn(Input):
    item: str
    passed: bool
    note: str = ""


class SafetyRoundIn(Input):
    results: list[ResultIn]
    note: str = ""


class SafetyRoundOut(Schema):
    code: UUID
    template: str
    date: dt.date
    inspector: str
    failed_count: int
    results: list[dict]


class EquipmentOut(Schema):
    code: UUID
    kind: str
    label: str
    model_type: str
    location: str
    last_inspected_on: dt.date | None
    last_refilled_on: dt.date | None
    expires_on: dt.date | None
    last_checked_on: dt.date | None
    due: list[dict]


class FireCheckIn(Input):
    equipment: UUID
    ok: bool
    note: str = ""


class FireRoundIn(Input):
    checks: list[FireCheckIn]


class DrillIn(Input):
    kind: str
    planned_on: dt.date
    announced: bool = True
    plan: UUID | None = None  # the rule book's plan it rehearses


class DrillRecordIn(Input):
    held_at: dt.datetime
    classes: list[UUID] = []
    children_count: int = 0
    staff_count: int = 0
    evacuation_seconds: int | None = None
    summary: str
    problems: list[str] = []


class DrillOut(Schema):
    code: UUID
    kind: str
    planned_on: dt.date
    announced: bool
    held_at: dt.datetime | None
    classes: int
    children_count: int
    staff_count: int
    evacuation_seconds: int | None
    summary: str
    plan: UUID | None = None


class VisitorIn(Input):
    name: str
    reason: str
    host: str
    id_number: str = ""
    organisation: str = ""
    phone: str = ""


class VisitorOut(Schema):
    code: UUID
    name: str
    id_number: str  # masked
    organisation: str
    reason: str
    host: str
    arrived_at: dt.datetime
    left_at: dt.datetime | None


class CollectorOut(Schema):
    collector: str  # the value to send to the release endpoint
    name: str
    kind: str
    relation: str
    confirmed: bool
    barred: bool = False  # a custody restriction bars this person: a release is refused


class BarredOut(Schema):
    """What the gate sees of a custody restriction: 不得接走 and the photo, no details."""
    label: str
    photo_url: str | None


class PickupOut(Schema):
    child: UUID
    name: str
    school_class: str
    released: dict | None
    collectors: list[CollectorOut]
    barred: list[BarredOut]


class ReleaseIn(Input):
    collector: str
    collector_name: str = ""
    note: str = ""
    id_number: str = ""  # the identity card the collector showed, if any


class CustodyOut(Schema):
    code: UUID
    child: UUID
    child_name: str
    person_name: str
    id_number: str  # masked
    document_kind: str
    reason: str
    valid_from: dt.date
    valid_until: dt.date | None
    in_force: bool
    filed_by: str
    confirmed: bool
    confirmed_by: str | None
    voided: bool
    void_reason: str
    refusals: int


class VoidIn(Input):
    reason: str


class ReleaseOut(Schema):
    code: UUID
    child: str
    at: dt.datetime
    outcome: str
    collector_kind: str
    collector_name: str
    released_by: str


class DelegationIn(Input):
    child: UUID
    date: dt.date
    delegate_name: str
    relation: str
    phone: str
    reason: str = ""


class DelegationOut(Schema):
    code: UUID
    child: str
    date: dt.date
    delegate_name: str
    relation: str
    requested_via: str
    requested_by: str
    confirmed: bool
    confirmed_by: str | None
    confirmation_note: str


class ConfirmIn(Input):
    note: str


class DutyIn(Input):
    date: dt.date
    slot: str
    person: str | None = None  # membership code
    volunteer_name: str = ""
    post: str = ""


class DutyOut(Schema):
    code: UUID
    date: dt.date
    slot: str
    who: str
    volunteer: bool
    post: str
    swapped_from: str


class IncidentIn(Input):
    kind: str
    occurred_at: dt.datetime
    location: str
    description: str
    actions: str = ""


class IncidentOut(Schema):
    code: UUID
    kind: str
    occurred_at: dt.datetime
    reported_at: dt.datetime
    location: str
    description: str
    actions: str


class ReportIn(Input):
    period: str
    day: dt.date


class SafetySignIn(Input):
    remarks: str = ""


class SafetyReportOut(Schema):
    code: UUID
    period: str
    start: dt.date
    end: dt.date
    signed: bool
    signed_by: str | None
    signed_at: dt.datetime | None
    figures: dict


# --- mapping --------------------------------------------------------------------------------


def _hazard_out(h, today=None) -> dict:
    today = today or timezone.localdate()
    return {"code": h.code, "number": h.number, "state": h.state, "location": h.location,
            "description": h.description, "severity": h.severity, "source": h.source,
            "zone": h.zone.name if h.zone_id else None, "reported_at": h.reported_at,
            "reported_by": _name(h.created_by), "assignee": _name(h.assignee), "deadline": h.deadline,
            "overdue": h.is_overdue(today), "has_photo": bool(h.photo),
            "repair_request": str(h.repair_request.code) if h.repair_request_id else None}


def _hazard_detail(h) -> dict:
    return {**_hazard_out(h), "rectification": h.rectification, "rectified_by": _name(h.rectified_by),
            "rectified_at": h.rectified_at, "checked_by": _name(h.checked_by), "checked_at": h.checked_at,
            "check_note": h.check_note, "reopen_count": h.reopen_count}


def _round_out(r) -> dict:
    return {"code": r.code, "template": r.template.name, "date": r.date, "inspector": r.inspector.display_name,
            "failed_count": r.failed_count,
            "results": [{"item": x.item, "passed": x.passed, "note": x.note,
                         "hazard": str(x.hazard.code) if x.hazard_id else None}
                        for x in r.results.select_related("hazard").order_by("position")]}


def _drill_out(d) -> dict:
    return {"code": d.code, "kind": d.kind, "planned_on": d.planned_on, "announced": d.announced,
            "held_at": d.held_at, "classes": getattr(d, "n_classes", None) or d.classes.count(),
            "children_count": d.children_count, "staff_count": d.staff_count,
            "evacuation_seconds": d.evacuation_seconds, "summary": d.summary,
            "plan": d.plan.code if d.plan_id else None}


def _visitor_out(v) -> dict:
    from houqin.org.validators import mask_id_number

    return {"code": v.code, "name": v.name, "id_number": mask_id_number(v.id_number) if v.id_number else "",
            "organisation": v.organisation, "reason": v.reason, "host": v.host, "arrived_at": v.arrived_at,
            "left_at": v.left_at}


def _release_out(r) -> dict:
    return {"code": r.code, "child": r.child.name, "at": r.at, "outcome": r.outcome,
            "collector_kind": r.collector_kind, "collector_name": r.collector_name,
            "released_by": r.released_by.display_name}


def _delegation_out(d) -> dict:
    return {"code": d.code, "child": d.child.name, "date": d.date, "delegate_name": d.delegate_name,
            "relation": d.relation, "requested_via": d.requested_via, "requested_by": d.requested_by.display_name,
            "confirmed": d.is_confirmed, "confirmed_by": _name(d.confirmed_by),
            "confirmation_note": d.confirmation_note}


def _report_out(r) -> dict:
    figures = r.figures if r.is_signed else report_figures(r.kindergarten, r.start, r.end)
    return {"code": r.code, "period": r.period, "start": r.start, "end": r.end, "signed": r.is_signed,
            "signed_by": _name(r.signed_by), "signed_at": r.signed_at, "figures": figures}


# --- hazards --------------------------------------------------------------------------------


@router.get(K + "/hazards", response=list[HazardOut])
@policy.requires("safety.view")
def list_hazards(request, kg: str, status: str = "open"):
    today = timezone.localdate()
    return [_hazard_out(h, today) for h in selectors.hazard_list(actor=request.actor, status=status)
            .select_related("repair_request")[:500]]


@router.get(K + "/hazards/{code}", response=HazardDetailOut)
@policy.requires("safety.view")
def get_hazard(request, kg: str, code: UUID):
    return _hazard_detail(selectors.get_hazard(actor=request.actor, code=code))


@router.post(K + "/hazards", response={201: HazardDetailOut})
@policy.requires("safety.hazard.report")
def create_hazard(request, kg: str, location: Form[str] = "", description: Form[str] = "",
                  severity: Form[str] = "normal", zone: Form[str] = "", photo: File[UploadedFile] = None):
    actor = request.actor
    zone_obj = selectors.get_zone(actor=actor, code=zone, capability="safety.hazard.report") if zone else None
    hazard = services.report_hazard(actor=actor, location=location, description=description, severity=severity,
                                    photo=photo, zone=zone_obj)
    return Status(201, _hazard_detail(selectors.get_hazard(actor=actor, code=hazard.code)))


@router.post(K + "/hazards/{code}/assign", response=HazardDetailOut)
@policy.requires("safety.hazard.assign")
def assign_hazard(request, kg: str, code: UUID, payload: SafetyAssignIn):
    actor = request.actor
    hazard = selectors.get_hazard(actor=actor, code=code)
    services.hazard_assign(actor=actor, hazard=hazard, assignee=_staff(actor, payload.assignee, "assignee"),
                           deadline=payload.deadline, note=payload.note)
    return _hazard_detail(selectors.get_hazard(actor=actor, code=code))


@router.post(K + "/hazards/{code}/rectify", response=HazardDetailOut)
@policy.requires("safety.hazard.rectify")
def rectify_hazard(request, kg: str, code: UUID, rectification: Form[str] = "", photo: File[UploadedFile] = None):
    actor = request.actor
    hazard = selectors.get_hazard(actor=actor, code=code)
    services.hazard_rectify(actor=actor, hazard=hazard, rectification=rectification, photo=photo)
    return _hazard_detail(selectors.get_hazard(actor=actor, code=code))


@router.post(K + "/hazards/{code}/verify", response=HazardDetailOut)
@policy.requires("safety.hazard.verify")
def verify_hazard(request, kg: str, code: UUID, payload: VerifyIn):
    actor = request.actor
    hazard = selectors.get_hazard(actor=actor, code=code)
    services.hazard_verify(actor=actor, hazard=hazard, accept=payload.accept, note=payload.note,
                           deadline=payload.deadline)
    return _hazard_detail(selectors.get_hazard(actor=actor, code=code))


@router.post(K + "/hazards/{code}/repair", response=HazardDetailOut)
@policy.requires("safety.hazard.assign")
def repair_hazard(request, kg: str, code: UUID, payload: SafetyRepairIn):
    actor = request.actor
    hazard = selectors.get_hazard(actor=actor, code=code)
    services.hazard_to_repair(actor=actor, hazard=hazard, estimated_cost=payload.estimated_cost)
    return _hazard_detail(selectors.get_hazard(actor=actor, code=code))


@router.get(K + "/staff", response=list[SafetyStaffOut])
@policy.requires("safety.hazard.assign")
def list_staff(request, kg: str):
    from houqin.org.models import Membership, Role

    rows = (Membership.objects.filter(kindergarten=request.actor.kindergarten, is_active=True)
            .exclude(role__in=[Role.PARENT, Role.SUPERVISOR]).select_related("user").order_by("role", "id"))
    return [{"membership": m.code, "name": m.user.display_name, "role": m.role} for m in rows]


# --- zones and self-checks ------------------------------------------------------------------


@router.get(K + "/zones", response=list[ZoneOut])
@policy.requires("safety.view")
def list_zones(request, kg: str):
    return [{"code": z.code, "name": z.name, "kind": z.kind, "post": z.post, "owner": _name(z.owner),
             "checklist": z.checklist, "checked_today": bool(z.checked_today)}
            for z in selectors.zone_list(actor=request.actor)]


@router.post(K + "/zones/{code}/self-checks", response={201: SelfCheckOut})
@policy.requires("safety.selfcheck")
def create_self_check(request, kg: str, code: UUID, payload: SelfCheckIn):
    actor = request.actor
    zone = selectors.get_zone(actor=actor, code=code, capability="safety.selfcheck")
    check = services.self_check_record(actor=actor, zone=zone, results=[r.dict() for r in payload.results])
    return Status(201, {"code": check.code, "date": check.date, "all_ok": check.all_ok, "results": check.results})


# --- inspections ----------------------------------------------------------------------------


@router.get(K + "/inspections/templates", response=list[TemplateOut])
@policy.requires("safety.view")
def list_templates(request, kg: str):
    actor = request.actor
    due = {d["template"].pk for d in selectors.rounds_due(actor=actor)}
    return [{"code": t.code, "name": t.name, "category": t.category, "frequency": t.frequency, "items": t.items,
             "inspector": _name(t.inspector), "due": t.pk in due} for t in selectors.template_list(actor=actor)]


@router.get(K + "/inspections/rounds", response=list[SafetyRoundOut])
@policy.requires("safety.view")
def list_rounds(request, kg: str, start: Day | None = None, end: Day | None = None):
    from django.db.models import Prefetch

    from houqin.safety.models import InspectionResult

    rounds = selectors.round_list(actor=request.actor, start=start, end=end).prefetch_related(
        Prefetch("results", queryset=InspectionResult.objects.order_by("position")))[:500]
    return [{"code": r.code, "template": r.template.name, "date": r.date, "inspector": r.inspector.display_name,
             "failed_count": r.failed_count,
             "results": [{"item": x.item, "passed": x.passed, "note": x.note} for x in r.results.all()]}
            for r in rounds]


@router.get(K + "/inspections/rounds/{code}", response=SafetyRoundOut)
@policy.requires("safety.view")
def get_round(request, kg: str, code: UUID):
    return _round_out(selectors.get_round(actor=request.actor, code=code))


@router.post(K + "/inspections/templates/{code}/rounds", response={201: SafetyRoundOut})
@policy.requires("safety.inspection.record")
def create_round(request, kg: str, code: UUID, payload: SafetyRoundIn):
    actor = request.actor
    template = selectors.get_template(actor=actor, code=code)
    rnd = services.round_record(actor=actor, template=template, results=[r.dict() for r in payload.results],
                                note=payload.note)
    return Status(201, _round_out(InspectionRound.objects.select_related("template", "inspector").get(pk=rnd.pk)))


# --- fire equipment -------------------------------------------------------------------------


@router.get(K + "/fire-equipment", response=list[EquipmentOut])
@policy.requires("safety.view")
def list_equipment(request, kg: str):
    actor = request.actor
    today = timezone.localdate()
    values = {k: r.value for k, r in services.rules(actor.kindergarten).items()}
    return [{"code": e.code, "kind": e.kind, "label": e.label, "model_type": e.model_type, "location": e.location,
             "last_inspected_on": e.last_inspected_on, "last_refilled_on": e.last_refilled_on,
             "expires_on": e.expires_on, "last_checked_on": e.last_checked_on,
             "due": [{"what": w, "on": d, "overdue": o} for w, d, o in services.equipment_due(e, today, values)]}
            for e in selectors.equipment_list(actor=actor)]


@router.post(K + "/fire-checks", response={201: dict})
@policy.requires("safety.fire.check")
def create_fire_checks(request, kg: str, payload: FireRoundIn):
    actor = request.actor
    checks = [{"equipment": selectors.get_equipment(actor=actor, code=c.equipment), "ok": c.ok, "note": c.note}
              for c in payload.checks]
    made = services.fire_round_record(actor=actor, checks=checks)
    return Status(201, {"checked": len(made), "not_in_order": sum(1 for c in made if not c.ok)})


# --- drills ---------------------------------------------------------------------------------


@router.get(K + "/drills", response=list[DrillOut])
@policy.requires("safety.view")
def list_drills(request, kg: str):
    return [_drill_out(d) for d in selectors.drill_list(actor=request.actor).select_related("plan")]


@router.get(K + "/drills/{code}", response=DrillOut)
@policy.requires("safety.view")
def get_drill(request, kg: str, code: UUID):
    return _drill_out(selectors.get_drill(actor=request.actor, code=code))


@router.post(K + "/drills", response={201: DrillOut})
@policy.requires("safety.drill.change")
def create_drill(request, kg: str, payload: DrillIn):
    from houqin.safety import rulebook

    data = payload.dict()
    data["plan"] = rulebook.plan_by_code(request.actor, data.pop("plan"))
    drill = services.drill_plan(actor=request.actor, **data)
    return Status(201, _drill_out(drill))


@router.post(K + "/drills/{code}/record", response=DrillOut)
@policy.requires("safety.drill.change")
def record_drill(request, kg: str, code: UUID, payload: DrillRecordIn):
    actor = request.actor
    drill = selectors.get_drill(actor=actor, code=code)
    data = payload.dict()
    codes = data.pop("classes")
    classes = list(SchoolClass.objects.filter(kindergarten=actor.kindergarten, code__in=codes))
    if len(classes) != len(set(codes)):
        raise Http404
    services.drill_record(actor=actor, drill=drill, classes=classes, **data)
    return _drill_out(selectors.get_drill(actor=actor, code=code))


# --- visitors -------------------------------------------------------------------------------


@router.get(K + "/visitors", response=list[VisitorOut])
@policy.requires("safety.gate.view")
def list_visitors(request, kg: str, inside: bool = False, day: Day | None = None):
    rows = selectors.visitor_list(actor=request.actor, day=day or timezone.localdate(), inside_only=inside)
    return [_visitor_out(v) for v in rows[:500]]


@router.post(K + "/visitors", response={201: VisitorOut})
@policy.requires("safety.visitor.record")
def create_visitor(request, kg: str, payload: VisitorIn):
    return Status(201, _visitor_out(services.visitor_arrive(actor=request.actor, **payload.dict())))


@router.post(K + "/visitors/{code}/leave", response=VisitorOut)
@policy.requires("safety.visitor.record")
def leave_visitor(request, kg: str, code: UUID):
    actor = request.actor
    return _visitor_out(services.visitor_leave(actor=actor, visitor=selectors.get_visitor(actor=actor, code=code)))


# --- pick-up --------------------------------------------------------------------------------


@router.get(K + "/pickup/{code}", response=PickupOut)
@policy.requires("safety.pickup.view")
def get_pickup(request, kg: str, code: UUID):
    actor = request.actor
    child = selectors.get_child(actor=actor, code=code)
    today = timezone.localdate()
    found = services.authorised_collectors(child, today)
    from houqin.safety import custody

    restrictions = list(custody.in_force(child, today))
    custody.mark_barred(found, restrictions)
    released = selectors.released_today([child.pk], today).get(child.pk)
    collectors = (
        [{"collector": f"guardian:{g.code}", "name": g.name, "kind": "guardian", "relation": g.get_relation_display(),
          "confirmed": True, "barred": g.is_barred} for g in found["guardians"]]
        + [{"collector": f"pickup:{p.code}", "name": p.name, "kind": "pickup_person", "relation": p.relation,
            "confirmed": True, "barred": p.is_barred} for p in found["pickup_people"]]
        + [{"collector": f"delegation:{d.code}", "name": d.delegate_name, "kind": "delegate", "relation": d.relation,
            "confirmed": d.is_confirmed, "barred": d.is_barred} for d in found["delegations"]])
    return {"child": child.code, "name": child.name, "school_class": child.school_class.name,
            "released": _release_out(released) if released else None, "collectors": collectors,
            "barred": _barred_out(child, restrictions)}


def _barred_out(child, restrictions) -> list[dict]:
    from django.urls import reverse

    return [{"label": _("Must not collect the child"),
             "photo_url": reverse("safety:custody_photo", kwargs={"kg": child.kindergarten.slug, "code": r.code})
             if r.photo else None} for r in restrictions]


@router.post(K + "/pickup/{code}/release", response={201: ReleaseOut})
@policy.requires("safety.pickup.release")
def release(request, kg: str, code: UUID, payload: ReleaseIn):
    actor = request.actor
    child = selectors.get_child(actor=actor, code=code, capability="safety.pickup.release")
    made = services.release_child(actor=actor, child=child, request=request, **payload.dict())
    return Status(201, _release_out(made))


# --- custody restrictions (不得接走) ----------------------------------------------------------


def _custody_out(r, today=None) -> dict:
    from houqin.org.validators import mask_id_number

    today = today or timezone.localdate()
    return {"code": r.code, "child": r.child.code, "child_name": r.child.name, "person_name": r.person_name,
            "id_number": mask_id_number(r.id_number), "document_kind": r.document_kind, "reason": r.reason,
            "valid_from": r.valid_from, "valid_until": r.valid_until, "in_force": r.in_force(today),
            "filed_by": r.filed_by.display_name, "confirmed": r.is_confirmed, "confirmed_by": _name(r.confirmed_by),
            "voided": r.is_voided, "void_reason": r.void_reason, "refusals": getattr(r, "refusal_count", 0)}


@router.get(K + "/custody", response=list[CustodyOut])
@policy.requires("safety.custody.view")
def list_custody(request, kg: str):
    return [_custody_out(r) for r in selectors.custody_list(actor=request.actor)[:500]]


@router.get(K + "/custody/{code}", response=CustodyOut)
@policy.requires("safety.custody.view")
def get_custody(request, kg: str, code: UUID):
    return _custody_out(selectors.get_custody(actor=request.actor, code=code))


@router.post(K + "/custody", response={201: CustodyOut})
@policy.requires("safety.custody.file")
def file_custody(request, kg: str, child: Form[UUID], person_name: Form[str] = "", document_kind: Form[str] = "",
                 valid_from: Form[dt.date | None] = None, valid_until: Form[dt.date | None] = None,
                 id_number: Form[str] = "", reason: Form[str] = "", document: File[UploadedFile] = None,
                 photo: File[UploadedFile] = None):
    """A guardian (their own child) or the principal files a restriction; the document (a court order
    or the signed statement) is required."""
    from houqin.safety import custody

    actor = request.actor
    child_obj = selectors.get_child(actor=actor, code=child, capability="safety.custody.file")
    made = custody.restriction_file(actor=actor, child=child_obj, person_name=person_name,
                                    document_kind=document_kind, document=document, valid_from=valid_from,
                                    valid_until=valid_until, id_number=id_number, photo=photo, reason=reason)
    return Status(201, _custody_out(made))


@router.post(K + "/custody/{code}/confirm", response=CustodyOut)
@policy.requires("safety.custody.decide")
def confirm_custody(request, kg: str, code: UUID):
    from houqin.safety import custody

    actor = request.actor
    restriction = selectors.get_custody(actor=actor, code=code, capability="safety.custody.decide")
    custody.restriction_confirm(actor=actor, restriction=restriction)
    return _custody_out(selectors.get_custody(actor=actor, code=code, capability="safety.custody.decide"))


@router.post(K + "/custody/{code}/void", response=CustodyOut)
@policy.requires("safety.custody.decide")
def void_custody(request, kg: str, code: UUID, payload: VoidIn):
    from houqin.safety import custody

    actor = request.actor
    restriction = selectors.get_custody(actor=actor, code=code, capability="safety.custody.decide")
    custody.restriction_void(actor=actor, restriction=restriction, reason=payload.reason)
    return _custody_out(selectors.get_custody(actor=actor, code=code, capability="safety.custody.decide"))


@router.get(K + "/pickup-releases", response=list[ReleaseOut])
@policy.requires("safety.pickup.view")
def list_releases(request, kg: str, day: Day | None = None, refused: bool = False):
    rows = selectors.release_list(actor=request.actor, day=day or timezone.localdate(), refused_only=refused)
    return [_release_out(r) for r in rows[:1000]]


@router.get(K + "/delegations", response=list[DelegationOut])
@policy.requires("safety.pickup.view")
def list_delegations(request, kg: str, day: Day | None = None):
    return [_delegation_out(d) for d in selectors.delegation_list(actor=request.actor, day=day)]


@router.get(K + "/my-delegations", response=list[DelegationOut])
@policy.requires("safety.pickup.request")
def list_my_delegations(request, kg: str):
    """A parent's own delegations (the last 30 days and the coming ones); never the gate's tables."""
    return [_delegation_out(d) for d in selectors.own_delegations(actor=request.actor)]


@router.post(K + "/delegations", response={201: DelegationOut})
@policy.requires("safety.pickup.request")
def create_delegation(request, kg: str, payload: DelegationIn):
    actor = request.actor
    data = payload.dict()
    child = selectors.get_child(actor=actor, code=data.pop("child"), capability="safety.pickup.request")
    return Status(201, _delegation_out(services.delegation_request(actor=actor, child=child, **data)))


@router.post(K + "/delegations/{code}/confirm", response=DelegationOut)
@policy.requires("safety.pickup.confirm")
def confirm_delegation(request, kg: str, code: UUID, payload: ConfirmIn):
    actor = request.actor
    delegation = selectors.get_delegation(actor=actor, code=code)
    return _delegation_out(services.delegation_confirm(actor=actor, delegation=delegation, note=payload.note))


# --- duty roster ----------------------------------------------------------------------------


def _duty_out(s) -> dict:
    return {"code": s.code, "date": s.date, "slot": s.slot, "who": s.who, "volunteer": not s.person_id,
            "post": s.post, "swapped_from": s.swapped_from}


@router.get(K + "/duty", response=list[DutyOut])
@policy.requires("safety.view")
def list_duty(request, kg: str, start: Day | None = None, end: Day | None = None):
    start = start or timezone.localdate()
    end = end or start + dt.timedelta(days=6)
    return [_duty_out(s) for s in selectors.duty_list(actor=request.actor, start=start, end=end)]


@router.post(K + "/duty", response={201: DutyOut})
@policy.requires("safety.duty.change")
def create_duty(request, kg: str, payload: DutyIn):
    actor = request.actor
    data = payload.dict()
    data["person"] = _staff(actor, data.pop("person"), "person")
    return Status(201, _duty_out(services.duty_assign(actor=actor, **data)))


# --- incidents and reports ------------------------------------------------------------------


def _incident_out(i) -> dict:
    return {"code": i.code, "kind": i.kind, "occurred_at": i.occurred_at, "reported_at": i.reported_at,
            "location": i.location, "description": i.description, "actions": i.actions}


@router.get(K + "/incidents", response=list[IncidentOut])
@policy.requires("safety.incident.view")
def list_incidents(request, kg: str):
    return [_incident_out(i) for i in selectors.incident_list(actor=request.actor)[:500]]


@router.get(K + "/incidents/{code}", response=IncidentOut)
@policy.requires("safety.incident.view")
def get_incident(request, kg: str, code: UUID):
    return _incident_out(selectors.get_incident(actor=request.actor, code=code))


@router.post(K + "/incidents", response={201: IncidentOut})
@policy.requires("safety.incident.report")
def create_incident(request, kg: str, payload: IncidentIn):
    return Status(201, _incident_out(services.incident_report(actor=request.actor, **payload.dict())))


@router.get(K + "/reports", response=list[SafetyReportOut])
@policy.requires("safety.report.view")
def list_reports(request, kg: str):
    return [{"code": r.code, "period": r.period, "start": r.start, "end": r.end, "signed": r.is_signed,
             "signed_by": _name(r.signed_by), "signed_at": r.signed_at, "figures": r.figures}
            for r in selectors.report_list(actor=request.actor)[:200]]


@router.get(K + "/reports/{code}", response=SafetyReportOut)
@policy.requires("safety.report.view")
def get_report(request, kg: str, code: UUID):
    return _report_out(selectors.get_report(actor=request.actor, code=code))


@router.post(K + "/reports", response={201: SafetyReportOut})
@policy.requires("safety.report.change")
def create_report(request, kg: str, payload: ReportIn):
    return Status(201, _report_out(services.report_create(actor=request.actor, **payload.dict())))


@router.post(K + "/reports/{code}/sign", response=SafetyReportOut)
@policy.requires("safety.report.sign")
def sign_report(request, kg: str, code: UUID, payload: SafetySignIn):
    actor = request.actor
    report = selectors.get_report(actor=actor, code=code)
    return _report_out(services.report_sign(actor=actor, report=report, remarks=payload.remarks))


# --- rule figures ----------------------------------------------------------------------------------

add_rule_routes(router, area=AREA, path=K + "/rules", view_capability="safety.settings",
                change_capability="safety.settings")


# --- injuries told to parents (safety/injuries.py) ---------------------------------------------------


class InjuryIn(Input):
    child: UUID
    occurred_at: dt.datetime | None = None
    location: str
    description: str
    first_aid: str = ""
    witnesses: str = ""
    doctor_needed: bool = False
    severity: str = "minor"
    incident: UUID | None = None  # an incident already in the incident book


class InjuryAnswerIn(Input):
    acknowledged: bool
    words: str = ""


class InjuryOut(Schema):
    code: UUID
    child: str
    school_class: str
    occurred_at: dt.datetime
    location: str
    description: str
    first_aid: str
    witnesses: str
    doctor_needed: bool
    severity: str
    incident: UUID | None
    response: str
    response_text: str
    responded_at: dt.datetime | None
    district_due: bool
    district_reported_at: dt.datetime | None


def _injury_out(i) -> dict:
    return {"code": i.code, "child": i.child.name, "school_class": i.school_class.name, "occurred_at": i.occurred_at,
            "location": i.location, "description": i.description, "first_aid": i.first_aid,
            "witnesses": i.witnesses, "doctor_needed": i.doctor_needed, "severity": i.severity,
            "incident": i.incident.code if i.incident_id else None, "response": i.response,
            "response_text": i.response_text, "responded_at": i.responded_at, "district_due": i.district_due,
            "district_reported_at": i.district_reported_at}


@router.get(K + "/injuries", response=list[InjuryOut])
@policy.requires("safety.injury.view")
def list_injuries(request, kg: str, status: str = "all"):
    from houqin.safety import injuries

    status = status if status in injuries.INJURY_FILTERS else "all"
    return [_injury_out(i) for i in injuries.injury_list(actor=request.actor, status=status)
            .select_related("incident")[:500]]


@router.get(K + "/injuries/{code}", response=InjuryOut)
@policy.requires("safety.injury.view")
def get_injury(request, kg: str, code: UUID):
    from houqin.safety import injuries

    return _injury_out(injuries.get_injury(actor=request.actor, code=code))


@router.post(K + "/injuries", response={201: InjuryOut})
@policy.requires("safety.injury.record")
def create_injury(request, kg: str, payload: InjuryIn):
    from houqin.safety import injuries

    actor = request.actor
    data = payload.dict()
    child = selectors.get_child(actor=actor, code=data.pop("child"), capability="safety.injury.record")
    incident_code = data.pop("incident")
    incident = selectors.get_incident(actor=actor, code=incident_code) if incident_code else None
    return Status(201, _injury_out(injuries.injury_record(actor=actor, child=child, incident=incident, **data)))


@router.post(K + "/injuries/{code}/answer", response=InjuryOut)
@policy.requires("safety.injury.acknowledge")
def answer_injury(request, kg: str, code: UUID, payload: InjuryAnswerIn):
    from houqin.safety import injuries

    actor = request.actor
    injury = injuries.get_injury(actor=actor, code=code)
    return _injury_out(injuries.injury_answer(actor=actor, injury=injury, **payload.dict()))


@router.post(K + "/injuries/{code}/district", response=InjuryOut)
@policy.requires("safety.injury.district")
def report_injury_district(request, kg: str, code: UUID):
    from houqin.safety import injuries

    actor = request.actor
    injury = injuries.get_injury(actor=actor, code=code)
    return _injury_out(injuries.injury_report_district(actor=actor, injury=injury))


# --- staggered arrival and dismissal (safety/dismissal.py) --------------------------------------------


def _own(model, actor, code, field: str, message):
    """A class or campus of the actor's kindergarten by its code; another kindergarten's and a missing
    one get the same answer (a field error, nothing saved)."""
    if code is None:
        return None
    obj = model.objects.filter(kindergarten=actor.kindergarten, code=code).first()
    if obj is None:
        raise DomainError(message, errors=[{"field": field, "message": message}])
    return obj


class GateSlotIn(Input):
    kind: str
    gate: str
    start: dt.time
    end: dt.time
    valid_from: Day
    valid_until: Day | None = None
    school_class: UUID | None = None
    grade: str = ""
    campus: UUID | None = None  # the campus of a grade's slot
    note: str = ""
    announce: bool = True


class GateSlotChangeIn(Input):
    gate: str
    start: dt.time
    end: dt.time
    valid_from: Day
    valid_until: Day | None = None
    note: str = ""
    announce: bool = True


class GateSlotOut(Schema):
    code: UUID
    kind: str
    campus: str
    gate: str
    grade: str
    school_class: str | None
    who: str
    start: dt.time
    end: dt.time
    valid_from: dt.date
    valid_until: dt.date | None
    note: str
    notice: str


class GatePostOut(Schema):
    who: str
    volunteer: bool
    post: str


class GateRowOut(Schema):
    kind: str
    campus: str
    gate: str
    slots: list[GateSlotOut]
    posts: list[GatePostOut]


class GateScreenOut(Schema):
    day: dt.date
    gates: list[GateRowOut]
    other_posts: list[GatePostOut]


def _slot_out(s) -> dict:
    return {"code": s.code, "kind": s.kind, "campus": s.campus.name, "gate": s.gate, "grade": s.grade,
            "school_class": s.school_class.name if s.school_class_id else None, "who": s.who, "start": s.start,
            "end": s.end, "valid_from": s.valid_from, "valid_until": s.valid_until, "note": s.note,
            "notice": s.notice_code}


def _post_out(shift) -> dict:
    return {"who": shift.who, "volunteer": not shift.person_id, "post": shift.post}


@router.get(K + "/slots", response=list[GateSlotOut])
@policy.requires("safety.slot.view")
def list_slots(request, kg: str, kind: str = "", day: dt.date | None = None):
    from houqin.safety import dismissal

    return [_slot_out(s) for s in dismissal.slot_list(actor=request.actor, kind=kind or None, on=day)[:500]]


@router.get(K + "/slots/today", response=GateScreenOut)
@policy.requires("safety.slot.view")
def gate_screen(request, kg: str, day: dt.date | None = None):
    """The gate screen: the day's slots gate by gate with the people on post (default: today)."""
    from houqin.safety import dismissal

    today = timezone.localdate()
    day = day or today
    screen = dismissal.gate_screen(actor=request.actor, day=day, now=None)
    return {"day": day, "other_posts": [_post_out(s) for s in screen["other_posts"]],
            "gates": [{"kind": r.kind, "campus": r.campus.name, "gate": r.gate,
                       "slots": [_slot_out(s) for s in r.slots], "posts": [_post_out(p) for p in r.posts]}
                      for r in screen["rows"]]}


@router.get(K + "/slots/{code}", response=GateSlotOut)
@policy.requires("safety.slot.view")
def get_slot(request, kg: str, code: UUID):
    from houqin.safety import dismissal

    return _slot_out(dismissal.get_slot(actor=request.actor, code=code))


@router.post(K + "/slots", response={201: GateSlotOut})
@policy.requires("safety.slot.change")
def create_slot(request, kg: str, payload: GateSlotIn):
    from houqin.org.models import Campus
    from houqin.safety import dismissal

    actor = request.actor
    data = payload.dict()
    data["school_class"] = _own(SchoolClass, actor, data["school_class"], "school_class",
                                _("Choose a class of this kindergarten."))
    data["campus"] = _own(Campus, actor, data["campus"], "campus", _("Choose a campus of this kindergarten."))
    return Status(201, _slot_out(dismissal.slot_create(actor=actor, **data)))


@router.post(K + "/slots/{code}/change", response=GateSlotOut)
@policy.requires("safety.slot.change")
def change_slot(request, kg: str, code: UUID, payload: GateSlotChangeIn):
    from houqin.safety import dismissal

    actor = request.actor
    slot = dismissal.get_slot(actor=actor, code=code)
    return _slot_out(dismissal.slot_change(actor=actor, slot=slot, **payload.dict()))


@router.post(K + "/slots/{code}/withdraw", response=GateSlotOut)
@policy.requires("safety.slot.change")
def withdraw_slot(request, kg: str, code: UUID, payload: VoidIn):
    from houqin.safety import dismissal

    actor = request.actor
    slot = dismissal.get_slot(actor=actor, code=code)
    return _slot_out(dismissal.slot_void(actor=actor, slot=slot, reason=payload.reason))


# --- safety education (safety/education.py) ----------------------------------------------------------


class LessonIn(Input):
    audience: str
    topic: str
    title: str
    form: str = "lesson"
    school_class: UUID | None = None
    planned_on: Day
    held_on: Day | None = None
    participants: int | None = None
    summary: str = ""


class LessonHeldIn(Input):
    held_on: Day
    participants: int | None = None
    summary: str = ""


class LessonOut(Schema):
    code: UUID
    audience: str
    topic: str
    title: str
    form: str
    school_class: str | None
    planned_on: dt.date
    held_on: dt.date | None
    participants: int
    summary: str
    notice: str


class LessonTopicOut(Schema):
    topic: str
    label: str
    planned: int
    held: int
    late: int


def _lesson_out(lesson) -> dict:
    return {"code": lesson.code, "audience": lesson.audience, "topic": lesson.topic, "title": lesson.title,
            "form": lesson.form, "school_class": lesson.school_class.name if lesson.school_class_id else None,
            "planned_on": lesson.planned_on, "held_on": lesson.held_on, "participants": lesson.participants,
            "summary": lesson.summary, "notice": lesson.notice_code}


@router.get(K + "/education", response=list[LessonOut])
@policy.requires("safety.education.view")
def list_lessons(request, kg: str, status: str = "all", start: dt.date | None = None, end: dt.date | None = None):
    from houqin.safety import education

    status = status if status in education.LESSON_FILTERS else "all"
    return [_lesson_out(x) for x in education.lesson_list(actor=request.actor, status=status, start=start,
                                                         end=end)[:500]]


@router.get(K + "/education/plan", response=list[LessonTopicOut])
@policy.requires("safety.education.view")
def lesson_plan_against_done(request, kg: str, start: dt.date | None = None, end: dt.date | None = None):
    """The term's plan against what was held, topic by topic (default: the current term)."""
    from houqin.core.calendar import current_term
    from houqin.safety import education

    term = current_term(timezone.localdate())
    start, end = start or term.start, end or term.end
    return education.plan_against_done(actor=request.actor, start=start, end=max(start, end))


@router.get(K + "/education/{code}", response=LessonOut)
@policy.requires("safety.education.view")
def get_lesson(request, kg: str, code: UUID):
    from houqin.safety import education

    return _lesson_out(education.get_lesson(actor=request.actor, code=code))


@router.post(K + "/education", response={201: LessonOut})
@policy.requires("safety.education.record")
def create_lesson(request, kg: str, payload: LessonIn):
    from houqin.safety import education

    actor = request.actor
    data = payload.dict()
    data["school_class"] = _own(SchoolClass, actor, data["school_class"], "school_class",
                                _("Choose a class of this kindergarten."))
    return Status(201, _lesson_out(education.lesson_plan(actor=actor, **data)))


@router.post(K + "/education/{code}/held", response=LessonOut)
@policy.requires("safety.education.record")
def hold_lesson(request, kg: str, code: UUID, payload: LessonHeldIn):
    from houqin.safety import education

    actor = request.actor
    lesson = education.get_lesson(actor=actor, code=code)
    return _lesson_out(education.lesson_hold(actor=actor, lesson=lesson, **payload.dict()))


@router.post(K + "/education/{code}/void", response=LessonOut)
@policy.requires("safety.education.record")
def void_lesson(request, kg: str, code: UUID, payload: VoidIn):
    from houqin.safety import education

    actor = request.actor
    lesson = education.get_lesson(actor=actor, code=code)
    return _lesson_out(education.lesson_void(actor=actor, lesson=lesson, reason=payload.reason))


# --- the rule book (制度与应急预案: safety/rulebook.py) -------------------------------------------------


class PlanIn(Input):
    title: str
    kind: str = "contingency"


class DrillPlanLinkIn(Input):
    plan: UUID | None = None


class PlanVersionOut(Schema):
    number: int
    changes: str
    approved_by: str
    approved_on: dt.date
    review_due: dt.date
    has_document: bool
    read_count: int


class PlanOut(Schema):
    code: UUID
    title: str
    kind: str
    current: PlanVersionOut | None
    read_by_me: bool
    drills: int


class PlanDetailOut(PlanOut):
    text: str
    versions: list[PlanVersionOut]
    drill_codes: list[UUID]


class PlanReceiptOut(Schema):
    reader: str
    read_at: dt.datetime | None


class PlanReceiptsOut(Schema):
    read: int
    total: int
    rows: list[PlanReceiptOut]


def _version_out(v) -> dict | None:
    if v is None:
        return None
    return {"number": v.number, "changes": v.changes, "approved_by": v.approved_by.display_name,
            "approved_on": v.approved_on, "review_due": v.review_due, "has_document": bool(v.document),
            "read_count": getattr(v, "read_count", 0)}


def _plan_out(p) -> dict:
    current = p.current
    return {"code": p.code, "title": p.title, "kind": p.kind, "current": _version_out(current),
            "read_by_me": bool(current is not None and getattr(current, "is_read", False)),
            "drills": getattr(p, "n_drills", None) if getattr(p, "n_drills", None) is not None else p.drills.active().count()}


def _plan_detail_out(p) -> dict:
    return {**_plan_out(p), "text": p.current.text if p.current else "",
            "versions": [_version_out(v) for v in p.all_versions],
            "drill_codes": list(p.drills.active().order_by("-planned_on").values_list("code", flat=True)[:50])}


@router.get(K + "/plans", response=list[PlanOut])
@policy.requires("safety.rulebook.view")
def list_plans(request, kg: str):
    from houqin.safety import rulebook

    return [_plan_out(p) for p in rulebook.plan_list(actor=request.actor)]


@router.get(K + "/plans/{code}", response=PlanDetailOut)
@policy.requires("safety.rulebook.view")
def get_plan(request, kg: str, code: UUID):
    from houqin.safety import rulebook

    return _plan_detail_out(rulebook.get_plan(actor=request.actor, code=code))


@router.post(K + "/plans", response={201: PlanDetailOut})
@policy.requires("safety.rulebook.change")
def create_plan(request, kg: str, payload: PlanIn):
    from houqin.safety import rulebook

    plan = rulebook.plan_create(actor=request.actor, **payload.dict())
    return Status(201, _plan_detail_out(rulebook.get_plan(actor=request.actor, code=plan.code)))


@router.post(K + "/plans/{code}/versions", response={201: PlanDetailOut})
@policy.requires("safety.rulebook.change")
def add_plan_version(request, kg: str, code: UUID, approved_by: Form[UUID | None] = None,
                     approved_on: Form[dt.date | None] = None, review_due: Form[dt.date | None] = None,
                     text: Form[str] = "", changes: Form[str] = "", document: File[UploadedFile] = None):
    """A new version: its text and/or file (multipart), the approver (the membership code of the
    principal or a director), the approval date and the review date."""
    from houqin.safety import rulebook

    actor = request.actor
    plan = rulebook.get_plan(actor=actor, code=code, capability="safety.rulebook.change")
    rulebook.version_add(actor=actor, plan=plan, approved_by=_staff(actor, approved_by, "approved_by"),
                         approved_on=approved_on, review_due=review_due, text=text, changes=changes,
                         document=document)
    return Status(201, _plan_detail_out(rulebook.get_plan(actor=actor, code=code)))


@router.post(K + "/plans/{code}/read", response=PlanDetailOut)
@policy.requires("safety.rulebook.acknowledge")
def acknowledge_plan(request, kg: str, code: UUID):
    """The acting member of staff has read the current version."""
    from houqin.safety import rulebook

    actor = request.actor
    rulebook.version_acknowledge(actor=actor, plan=rulebook.get_plan(actor=actor, code=code,
                                                                     capability="safety.rulebook.acknowledge"))
    return _plan_detail_out(rulebook.get_plan(actor=actor, code=code))


@router.post(K + "/plans/{code}/void", response=PlanDetailOut)
@policy.requires("safety.rulebook.change")
def void_plan(request, kg: str, code: UUID, payload: VoidIn):
    from houqin.safety import rulebook

    actor = request.actor
    plan = rulebook.get_plan(actor=actor, code=code, capability="safety.rulebook.change")
    plan = rulebook.plan_void(actor=actor, plan=plan, reason=payload.reason)
    plan.all_versions, plan.current = [], None
    return _plan_detail_out(plan)


@router.get(K + "/plans/{code}/versions/{number}/receipts", response=PlanReceiptsOut)
@policy.requires("safety.rulebook.receipts")
def plan_receipts(request, kg: str, code: UUID, number: Page):
    from houqin.safety import rulebook

    actor = request.actor
    plan = rulebook.get_plan(actor=actor, code=code, capability="safety.rulebook.receipts")
    found = rulebook.receipts(actor=actor, version=rulebook.get_version(actor=actor, plan=plan, number=number))
    rows = [{"reader": u.display_name, "read_at": at} for u, at in found["read"]] + \
           [{"reader": u.display_name, "read_at": None} for u in found["unread"]]
    return {"read": len(found["read"]), "total": len(rows), "rows": rows}


@router.post(K + "/drills/{code}/plan", response=DrillOut)
@policy.requires("safety.drill.change")
def link_drill_plan(request, kg: str, code: UUID, payload: DrillPlanLinkIn):
    """Say which plan of the rule book a drill rehearses (null: none)."""
    from houqin.safety import rulebook

    actor = request.actor
    drill = selectors.get_drill(actor=actor, code=code)
    rulebook.drill_link_plan(actor=actor, drill=drill, plan=rulebook.plan_by_code(actor, payload.plan))
    return _drill_out(selectors.get_drill(actor=actor, code=code))

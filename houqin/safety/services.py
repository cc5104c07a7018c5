"""Use cases of safety and security.

Every function takes the acting `actor` (houqin.policy.Actor), checks its capability (and the finer
rule: the hazard's assignee rectifies, someone else re-checks, only the holder signs an agreement…),
validates, writes in one transaction and raises houqin.core.errors.DomainError with a message for
the user; nothing is written when a rule refuses. The one exception is a refused pick-up: the
attempt is saved (a refused Release and an AuditEvent) and then the refusal is raised.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import policy
from houqin.core import files
from houqin.core.audit import audit_event
from houqin.core.errors import Conflict, DomainError, Forbidden, field_error, raise_for
from houqin.core.workflow import allowed_moves, move
from houqin.safety.rules import equipment_due, rules  # noqa: F401 (services.equipment_due, services.rules)
from houqin.safety.models import (
    HAZARD_TRANSITIONS,
    Agreement,
    CollectorKind,
    Delegation,
    Drill,
    DrillKind,
    DutyShift,
    DutySlot,
    FireCheck,
    FireEquipment,
    Frequency,
    GroupRole,
    Hazard,
    HazardState,
    Incident,
    IncidentKind,
    InspectionCategory,
    InspectionResult,
    InspectionRound,
    InspectionTemplate,
    LeadershipMember,
    Release,
    ReleaseOutcome,
    ReportPeriod,
    RequestedVia,
    SafetyReport,
    SelfCheck,
    Severity,
    Visitor,
    Zone,
    ZoneKind,
)

H = HazardState
MAX_ITEMS = 40

# Rules (the shipped defaults with their sources, the kindergarten's overrides): houqin.safety.rules


def rule(kindergarten, key: str) -> int:
    return rules(kindergarten)[key].value


# --------------------------------------------------------------------------------------------
# Small helpers


def _text(value, limit: int) -> str:
    return (value or "").strip()[:limit]


def _save(instance, actor, reason: str = "", **kwargs):
    instance._history_user = actor.user
    if reason:
        instance._change_reason = reason[:100]
    instance.save(**kwargs)
    return instance


def _need(actor, capability: str, obj=None) -> None:
    policy.require(actor, capability, obj)


def _is_manager(actor) -> bool:
    return actor.has("safety.hazard.assign")


def _member_user(actor, user, field: str):
    """`user` must be active staff of the actor's kindergarten."""
    from houqin.org.models import Membership, Role

    if user is None:
        raise field_error(field, _("Choose a person."))
    ok = Membership.objects.filter(user=user, kindergarten=actor.kindergarten, is_active=True).exclude(
        role__in=[Role.PARENT, Role.SUPERVISOR]).exists()
    if not ok:
        raise field_error(field, _("Choose a member of staff of this kindergarten."))
    return user


def _next_number(kindergarten, year: int) -> str:
    stem = f"YH-{year}-"
    last = Hazard.objects.filter(kindergarten=kindergarten, number__startswith=stem).aggregate(m=Max("number"))["m"]
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{n:04d}"


def _save_numbered(hazard: Hazard, actor, reason: str) -> Hazard:
    year = timezone.localdate().year
    for _attempt in range(5):
        hazard.number = _next_number(hazard.kindergarten, year)
        try:
            with transaction.atomic():
                return _save(hazard, actor, reason)
        except IntegrityError:
            hazard.pk = None
            continue
    raise Conflict(_("Could not number the record: please try again."))


# --------------------------------------------------------------------------------------------
# Hazards: the closed loop


@transaction.atomic
def report_hazard(*, actor, location: str, description: str, severity: str = Severity.NORMAL, photo=None,
                  source: str = "", zone=None) -> Hazard:
    """Anyone on the staff writes a hazard in the safety and repair book (安全维修记录本); it appears
    on the director's list in state "reported". Other areas call this with `source`, e.g.
    "foodsafety.hygiene:<code>"."""
    _need(actor, "safety.hazard.report")
    if zone is not None:
        policy.same_kindergarten(actor, zone)
    errors = {}
    location = _text(location, 100) or (zone.name if zone is not None else "")
    description = _text(description, 1000)
    if not location:
        errors["location"] = _("Say where it is.")
    if not description:
        errors["description"] = _("Describe the hazard.")
    if severity not in Severity.values:
        errors["severity"] = _("Choose how serious it is.")
    raise_for(errors)
    content = files.read_optional(photo, field="photo", accept=files.IMAGES)
    hazard = Hazard(kindergarten=actor.kindergarten, location=location, description=description, severity=severity,
                    source=_text(source, 80), zone=zone, campus=zone.campus if zone is not None else None,
                    reported_at=timezone.now(), created_by=actor.user)
    if content is not None:
        hazard.photo.save(content.name, content.as_content_file(), save=False)
    return _save_numbered(hazard, actor, "reported")


def _check_deadline(deadline, errors: dict) -> None:
    if not deadline:
        errors["deadline"] = _("Set a deadline.")
    elif deadline < timezone.localdate():
        errors["deadline"] = _("The deadline is in the past.")
    elif deadline > timezone.localdate() + dt.timedelta(days=366):
        errors["deadline"] = _("The deadline is more than a year away: check it.")


@transaction.atomic
def hazard_assign(*, actor, hazard: Hazard, assignee, deadline: dt.date, note: str = "") -> Hazard:
    """The director names who rectifies it and by when (also to reassign an open hazard)."""
    _need(actor, "safety.hazard.assign", hazard)
    hazard = hazard.locked()
    if hazard.is_voided or hazard.state not in (H.REPORTED, H.ASSIGNED):  # a rectified one is re-checked first
        raise Conflict(_("This hazard is no longer waiting to be assigned."))
    errors = {}
    try:
        _member_user(actor, assignee, "assignee")
    except DomainError as exc:
        errors["assignee"] = exc.message
    _check_deadline(deadline, errors)
    raise_for(errors)
    hazard.assignee, hazard.deadline = assignee, deadline
    hazard.assigned_by, hazard.assigned_at = actor.user, timezone.now()
    move(hazard, H.ASSIGNED, HAZARD_TRANSITIONS, field="state")
    if note:
        hazard.check_note = _text(note, 200)
    return _save(hazard, actor, "assigned")


@transaction.atomic
def hazard_rectify(*, actor, hazard: Hazard, rectification: str, photo=None) -> Hazard:
    """The assignee (or the director) records what was done, with a photo."""
    _need(actor, "safety.hazard.rectify", hazard)
    hazard = hazard.locked()
    if hazard.is_voided or H.RECTIFIED not in allowed_moves(HAZARD_TRANSITIONS, hazard.state):
        raise Conflict(_("This hazard is not waiting for rectification."))
    if hazard.assignee_id != actor.user.pk and not _is_manager(actor):
        raise Forbidden(_("Only the person it is assigned to records the rectification."))
    rectification = _text(rectification, 1000)
    if not rectification:
        raise field_error("rectification", _("Describe what was done."))
    content = files.read_optional(photo, field="photo", accept=files.IMAGES)
    if content is None and not hazard.repair_request_id:
        raise field_error("photo", _("Add a photo of the rectified hazard."))
    hazard.rectification = rectification
    if content is not None:
        hazard.rectification_photo.save(content.name, content.as_content_file(), save=False)
    hazard.rectified_by, hazard.rectified_at = actor.user, timezone.now()
    move(hazard, H.RECTIFIED, HAZARD_TRANSITIONS, field="state")
    return _save(hazard, actor, "rectified")


@transaction.atomic
def hazard_verify(*, actor, hazard: Hazard, accept: bool, note: str = "", deadline: dt.date | None = None) -> Hazard:
    """Someone other than the rectifier re-checks it: closes it, or reopens it (back to the assignee,
    with a new deadline when given)."""
    _need(actor, "safety.hazard.verify", hazard)
    hazard = hazard.locked()
    if hazard.is_voided or H.CLOSED not in allowed_moves(HAZARD_TRANSITIONS, hazard.state):
        raise Conflict(_("This hazard is not waiting for a re-check."))
    if hazard.rectified_by_id == actor.user.pk:
        raise Forbidden(_("The person who rectified a hazard cannot re-check it: ask someone else."))
    note = _text(note, 200)
    if accept:
        move(hazard, H.CLOSED, HAZARD_TRANSITIONS, field="state")
    else:
        if not note:
            raise field_error("note", _("Say what is still wrong."))
        if deadline is not None:
            errors = {}
            _check_deadline(deadline, errors)
            raise_for(errors)
            hazard.deadline = deadline
        elif hazard.deadline and hazard.deadline < timezone.localdate():
            raise field_error("deadline", _("The deadline has passed: set a new one."))
        move(hazard, H.ASSIGNED, HAZARD_TRANSITIONS, field="state")
        hazard.reopen_count += 1
    hazard.checked_by, hazard.checked_at, hazard.check_note = actor.user, timezone.now(), note
    return _save(hazard, actor, "closed" if accept else "reopened")


@transaction.atomic
def hazard_to_repair(*, actor, hazard: Hazard, estimated_cost="0", category=None) -> Hazard:
    """A hazard that needs a repair becomes a repair request (finance), linked both ways: the
    request's reason names the hazard and its photos stay on the hazard page it links to."""
    from houqin.finance import services as finance_services
    from houqin.finance.models import BudgetCategory

    _need(actor, "safety.hazard.assign", hazard)
    hazard = hazard.locked()
    if hazard.repair_request_id:
        raise Conflict(_("This hazard already has a repair request."))
    if hazard.is_voided or hazard.state == H.CLOSED:
        raise Conflict(_("This hazard is closed."))
    if category is None:
        cats = BudgetCategory.objects.filter(kindergarten=actor.kindergarten, is_active=True)
        category = cats.filter(name="维修").first() or cats.first()
        if category is None:
            raise DomainError(_("A repair request needs a budget category: ask the accountant to set up the "
                                "budget categories first."))
    photos = [f.url for f in (hazard.photo, hazard.rectification_photo) if f]
    reason = _("Hazard %(number)s: %(description)s") % {"number": hazard.number, "description": hazard.description}
    if photos:
        reason += "\n" + _("Photos: on the hazard's page.")
    request = finance_services.repair_request_create(
        actor=actor, title=hazard.description[:100], location=hazard.location, reason=reason[:1000],
        category=category, estimated_cost=estimated_cost, campus=hazard.campus, submit=True)
    hazard.repair_request = request
    return _save(hazard, actor, "repair request")


@transaction.atomic
def hazard_void(*, actor, hazard: Hazard, reason: str) -> Hazard:
    _need(actor, "safety.hazard.assign", hazard)
    return hazard.locked().void(actor=actor, reason=reason)


# --------------------------------------------------------------------------------------------
# Zones, agreements, the leadership group, self-checks


def _lines(value) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    return [s for s in (str(v).strip()[:100] for v in (value or [])) if s][:MAX_ITEMS]


@transaction.atomic
def zone_save(*, actor, zone: Zone | None = None, name: str, kind: str, post: str, owner=None, campus=None,
              school_class=None, checklist=()) -> Zone:
    _need(actor, "safety.zone.change")
    policy.same_kindergarten(actor, zone, campus, school_class)
    errors = {}
    name, post = _text(name, 60), _text(post, 40)
    if not name:
        errors["name"] = _("Name the zone.")
    if kind not in ZoneKind.values:
        errors["kind"] = _("Choose a kind.")
    if not post:
        errors["post"] = _("Name the responsible post.")
    if owner is not None:
        try:
            _member_user(actor, owner, "owner")
        except DomainError as exc:
            errors["owner"] = exc.message
    items = _lines(checklist)
    if not items:
        errors["checklist"] = _("Write at least one self-check item, one a line.")
    dup = Zone.objects.active().filter(kindergarten=actor.kindergarten, name=name)
    if zone is not None:
        dup = dup.exclude(pk=zone.pk)
    if name and dup.exists():
        errors["name"] = _("There is already a zone with this name.")
    raise_for(errors)
    zone = zone or Zone(kindergarten=actor.kindergarten, created_by=actor.user)
    zone.name, zone.kind, zone.post, zone.owner, zone.checklist = name, kind, post, owner, items
    zone.campus = campus or (school_class.campus if school_class is not None else None)
    zone.school_class = school_class
    return _save(zone, actor, "saved")


@transaction.atomic
def agreement_create(*, actor, year: int, post: str, holder, duties: str) -> Agreement:
    _need(actor, "safety.zone.change")
    errors = {}
    post, duties = _text(post, 40), _text(duties, 2000)
    if not post:
        errors["post"] = _("Name the post.")
    if not duties:
        errors["duties"] = _("Write the responsibilities.")
    if not year or not 2000 <= int(year) <= 2100:
        errors["year"] = _("Enter the year.")
    try:
        _member_user(actor, holder, "holder")
    except DomainError as exc:
        errors["holder"] = exc.message
    raise_for(errors)
    if Agreement.objects.active().filter(kindergarten=actor.kindergarten, year=year, holder=holder, post=post).exists():
        raise field_error("holder", _("This person already has an agreement for this post and year."))
    agreement = Agreement(kindergarten=actor.kindergarten, year=year, post=post, holder=holder, duties=duties,
                          created_by=actor.user)
    return _save(agreement, actor, "created")


@transaction.atomic
def agreement_sign(*, actor, agreement: Agreement) -> Agreement:
    """The holder signs their own agreement in Houqin (who and when are recorded)."""
    _need(actor, "safety.agreement.sign", agreement)
    agreement = agreement.locked()
    if agreement.holder_id != actor.user.pk:
        raise Forbidden(_("Only the holder signs their responsibility agreement."))
    if agreement.signed_at:
        raise Conflict(_("Already signed."))
    if agreement.is_voided:
        raise Conflict(_("This agreement is void."))
    agreement.signed_at = timezone.now()
    return _save(agreement, actor, "signed")


@transaction.atomic
def leadership_add(*, actor, user, group_role: str, duty: str = "") -> LeadershipMember:
    _need(actor, "safety.zone.change")
    _member_user(actor, user, "user")
    if group_role not in GroupRole.values:
        raise field_error("group_role", _("Choose a role in the group."))
    if LeadershipMember.objects.active().filter(kindergarten=actor.kindergarten, user=user).exists():
        raise field_error("user", _("This person is already in the group."))
    member = LeadershipMember(kindergarten=actor.kindergarten, user=user, group_role=group_role,
                              duty=_text(duty, 100), created_by=actor.user)
    return _save(member, actor, "added")


@transaction.atomic
def self_check_record(*, actor, zone: Zone, results: list[dict], date: dt.date | None = None) -> SelfCheck:
    """The zone's owner (or the director) checks the zone: each item ok or not; each item not ok
    becomes a hazard of the zone."""
    _need(actor, "safety.selfcheck", zone)
    if zone.is_voided:
        raise Http404
    if zone.owner_id != actor.user.pk and not _is_manager(actor):
        raise Forbidden(_("Only the person responsible for the zone does its self-check."))
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise field_error("date", _("The date is in the future."))
    by_item = {r.get("item"): r for r in results}
    rows, failed = [], []
    for item in zone.checklist:
        r = by_item.get(item)
        if r is None or r.get("ok") is None:
            raise field_error("results", _("Mark every item as in order or not."))
        ok = bool(r["ok"])
        note = _text(r.get("note"), 200)
        if not ok and not note:
            raise field_error("results", _("Say what is wrong with “%(item)s”.") % {"item": item})
        rows.append({"item": item, "ok": ok, "note": note})
        if not ok:
            failed.append((item, note))
    if SelfCheck.objects.filter(zone=zone, date=date).exists():
        raise Conflict(_("This zone was already checked on that day."))
    check = SelfCheck(kindergarten=actor.kindergarten, zone=zone, date=date, checked_by=actor.user, results=rows,
                      all_ok=not failed, created_by=actor.user)
    try:
        with transaction.atomic():
            _save(check, actor, "recorded")
    except IntegrityError:
        raise Conflict(_("This zone was already checked on that day.")) from None
    for item, note in failed:
        report_hazard(actor=actor, location=zone.name, description=f"{item}：{note}", zone=zone,
                      source=f"safety.selfcheck:{check.code}")
    return check


# --------------------------------------------------------------------------------------------
# Inspections


@transaction.atomic
def template_save(*, actor, template: InspectionTemplate | None = None, name: str, category: str, frequency: str,
                  items, inspector=None, zone=None, is_active: bool = True) -> InspectionTemplate:
    _need(actor, "safety.zone.change")
    policy.same_kindergarten(actor, template, zone)
    errors = {}
    name = _text(name, 60)
    if not name:
        errors["name"] = _("Name the inspection.")
    if category not in InspectionCategory.values:
        errors["category"] = _("Choose a category.")
    if frequency not in Frequency.values:
        errors["frequency"] = _("Choose how often.")
    lines = _lines(items)
    if not lines:
        errors["items"] = _("Write at least one item, one a line.")
    if inspector is not None:
        try:
            _member_user(actor, inspector, "inspector")
        except DomainError as exc:
            errors["inspector"] = exc.message
    raise_for(errors)
    template = template or InspectionTemplate(kindergarten=actor.kindergarten, created_by=actor.user)
    template.name, template.category, template.frequency, template.items = name, category, frequency, lines
    template.inspector, template.zone, template.is_active = inspector, zone, is_active
    return _save(template, actor, "saved")


def period_of(frequency: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The day, the week (Monday–Sunday) or the month that `day` falls in."""
    if frequency == Frequency.DAILY:
        return day, day
    if frequency == Frequency.WEEKLY:
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    start = day.replace(day=1)
    nxt = (start + dt.timedelta(days=32)).replace(day=1)
    return start, nxt - dt.timedelta(days=1)


@transaction.atomic
def round_record(*, actor, template: InspectionTemplate, results: list[dict], date: dt.date | None = None,
                 note: str = "") -> InspectionRound:
    """A round of a template: every item passed or failed (a failed one with a note); each failed
    item becomes a hazard, linked to the item, with the item's photo."""
    _need(actor, "safety.inspection.record")
    policy.same_kindergarten(actor, template)
    if template.is_voided or not template.is_active:
        raise Http404
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise field_error("date", _("The date is in the future."))
    by_item = {r.get("item"): r for r in results}
    rows = []
    for position, item in enumerate(template.items):
        r = by_item.get(item)
        if r is None or r.get("passed") is None:
            raise field_error("results", _("Mark every item as passed or failed."))
        passed = bool(r["passed"])
        item_note = _text(r.get("note"), 200)
        if not passed and not item_note:
            raise field_error("results", _("Say what is wrong with “%(item)s”.") % {"item": item})
        rows.append((position, item, passed, item_note, files.read_optional(r.get("photo"), field="results", accept=files.IMAGES)))
    failed = sum(1 for row in rows if not row[2])
    rnd = InspectionRound(kindergarten=actor.kindergarten, template=template, date=date, inspector=actor.user,
                          done_at=timezone.now(), failed_count=failed, note=_text(note, 200), created_by=actor.user)
    _save(rnd, actor, "recorded")
    for position, item, passed, item_note, photo in rows:
        result = InspectionResult(kindergarten=actor.kindergarten, round=rnd, position=position, item=item,
                                  passed=passed, note=item_note, created_by=actor.user)
        if photo is not None:
            result.photo.save(photo.name, photo.as_content_file(), save=False)
        if not passed:
            location = template.zone.name if template.zone_id else template.name
            hazard = report_hazard(actor=actor, location=location, description=f"{item}：{item_note}",
                                   zone=template.zone, source=f"safety.inspection:{rnd.code}")
            if result.photo:
                hazard.photo.name = result.photo.name  # the same file: the item's photo is the hazard's
                _save(hazard, actor, "photo")
            result.hazard = hazard
        _save(result, actor, "recorded")
    return rnd


# --------------------------------------------------------------------------------------------
# Fire equipment


@transaction.atomic
def equipment_save(*, actor, equipment: FireEquipment | None = None, kind: str, label: str, location: str,
                   model_type: str = "", campus=None, zone=None, last_inspected_on=None, last_refilled_on=None,
                   refill_due_on=None, expires_on=None) -> FireEquipment:
    _need(actor, "safety.fire.change")
    policy.same_kindergarten(actor, equipment, campus, zone)
    errors = {}
    label, location = _text(label, 30), _text(location, 100)
    if kind not in [k for k, _l in FireEquipment._meta.get_field("kind").choices]:
        errors["kind"] = _("Choose a kind.")
    if not label:
        errors["label"] = _("Enter the number on the equipment.")
    if not location:
        errors["location"] = _("Say where it is.")
    today = timezone.localdate()
    for field, value in (("last_inspected_on", last_inspected_on), ("last_refilled_on", last_refilled_on)):
        if value and value > today:
            errors[field] = _("The date is in the future.")
    dup = FireEquipment.objects.active().filter(kindergarten=actor.kindergarten, label=label)
    if equipment is not None:
        dup = dup.exclude(pk=equipment.pk)
    if label and dup.exists():
        errors["label"] = _("There is already equipment with this number.")
    raise_for(errors)
    equipment = equipment or FireEquipment(kindergarten=actor.kindergarten, created_by=actor.user)
    for field, value in dict(kind=kind, label=label, location=location, model_type=_text(model_type, 60),
                             campus=campus or (zone.campus if zone is not None else None), zone=zone,
                             last_inspected_on=last_inspected_on, last_refilled_on=last_refilled_on,
                             refill_due_on=refill_due_on, expires_on=expires_on).items():
        setattr(equipment, field, value)
    return _save(equipment, actor, "saved")


@transaction.atomic
def fire_round_record(*, actor, checks: list[dict], date: dt.date | None = None) -> list[FireCheck]:
    """The monthly self-check round: each piece of equipment in order or not (with a note); each one
    not in order becomes a hazard."""
    _need(actor, "safety.fire.check")
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise field_error("date", _("The date is in the future."))
    if not checks:
        raise field_error("checks", _("Check at least one piece of equipment."))
    made = []
    for entry in checks:
        equipment = entry["equipment"]
        policy.same_kindergarten(actor, equipment)
        ok = bool(entry.get("ok"))
        note = _text(entry.get("note"), 200)
        if not ok and not note:
            raise field_error("checks", _("Say what is wrong with %(label)s.") % {"label": equipment.label})
        check = FireCheck(kindergarten=actor.kindergarten, equipment=equipment, date=date, checked_by=actor.user,
                          ok=ok, note=note, created_by=actor.user)
        if not ok:
            check.hazard = report_hazard(actor=actor, location=equipment.location, zone=equipment.zone,
                                         description=f"{equipment.label} {equipment.get_kind_display()}：{note}",
                                         severity=Severity.HIGH, source=f"safety.fire:{equipment.code}")
        _save(check, actor, "checked")
        locked = equipment.locked()
        if locked.last_checked_on is None or locked.last_checked_on < date:
            locked.last_checked_on = date
            _save(locked, actor, "checked")
        made.append(check)
    return made


# --------------------------------------------------------------------------------------------
# Drills


@transaction.atomic
def drill_plan(*, actor, kind: str, planned_on: dt.date, announced: bool = True, campus=None, plan=None) -> Drill:
    """Plan a drill; `plan` is the rule book's plan it rehearses (rulebook.check_plan)."""
    from houqin.safety.rulebook import check_plan

    _need(actor, "safety.drill.change")
    policy.same_kindergarten(actor, campus)
    check_plan(actor, plan)
    if kind not in DrillKind.values:
        raise field_error("kind", _("Choose a kind of drill."))
    if not planned_on:
        raise field_error("planned_on", _("Enter the date."))
    drill = Drill(kindergarten=actor.kindergarten, kind=kind, planned_on=planned_on, announced=announced,
                  campus=campus, plan=plan, created_by=actor.user)
    return _save(drill, actor, "planned")


@transaction.atomic
def drill_record(*, actor, drill: Drill, held_at: dt.datetime, classes, children_count: int, staff_count: int,
                 evacuation_seconds: int | None, summary: str, problems=(), photo=None) -> Drill:
    """Record the drill as held: classes and people taking part, the evacuation time, the summary;
    each problem found becomes a hazard."""
    _need(actor, "safety.drill.change", drill)
    drill = drill.locked()
    if drill.is_voided:
        raise Http404
    if drill.held_at is not None:
        raise Conflict(_("This drill is already recorded."))
    classes = list(classes or [])
    policy.same_kindergarten(actor, *classes)
    errors = {}
    if not held_at:
        errors["held_at"] = _("Enter when it was held.")
    elif held_at > timezone.now():
        errors["held_at"] = _("The drill cannot be recorded before it is held.")
    children_count, staff_count = int(children_count or 0), int(staff_count or 0)
    if not classes and children_count + staff_count == 0:
        errors["classes"] = _("A drill needs participants: choose the classes and enter the number of people.")
    elif children_count + staff_count == 0:
        errors["children_count"] = _("Enter how many children and staff took part.")
    if evacuation_seconds is not None and not 0 < int(evacuation_seconds) <= 3600:
        errors["evacuation_seconds"] = _("Enter the evacuation time in seconds (up to an hour).")
    summary = _text(summary, 2000)
    if not summary:
        errors["summary"] = _("Write a summary.")
    raise_for(errors)
    content = files.read_optional(photo, field="photo", accept=files.IMAGES)
    drill.held_at, drill.children_count, drill.staff_count = held_at, children_count, staff_count
    drill.evacuation_seconds, drill.summary, drill.recorded_by = evacuation_seconds, summary, actor.user
    if content is not None:
        drill.photo.save(content.name, content.as_content_file(), save=False)
    _save(drill, actor, "held")
    drill.classes.set(classes)
    for problem in _lines(problems):
        report_hazard(actor=actor, location=drill.get_kind_display(), description=problem,
                      source=f"safety.drill:{drill.code}")
    return drill


# --------------------------------------------------------------------------------------------
# The gate: visitors


def _valid_id_number(value: str) -> bool:
    """A mainland resident identity card number: 17 digits and a check character (GB 11643)."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(value[:17], weights, strict=True))
    return "10X98765432"[total % 11] == value[17].upper()


@transaction.atomic
def visitor_arrive(*, actor, name: str, reason: str, host: str, id_number: str = "", organisation: str = "",
                   phone: str = "", arrived_at: dt.datetime | None = None, campus=None) -> Visitor:
    _need(actor, "safety.visitor.record")
    policy.same_kindergarten(actor, campus)
    errors = {}
    name, reason, host = _text(name, 30), _text(reason, 100), _text(host, 30)
    id_number = _text(id_number, 18).upper()
    if not name:
        errors["name"] = _("Enter the visitor's name.")
    if not reason:
        errors["reason"] = _("Enter the reason for the visit.")
    if not host:
        errors["host"] = _("Enter whom they visit.")
    if id_number and not _valid_id_number(id_number):
        errors["id_number"] = _("This is not a valid identity card number.")
    arrived_at = arrived_at or timezone.now()
    if arrived_at > timezone.now() + dt.timedelta(minutes=5):
        errors["arrived_at"] = _("The time in is in the future.")
    raise_for(errors)
    visitor = Visitor(kindergarten=actor.kindergarten, name=name, reason=reason, host=host, id_number=id_number,
                      organisation=_text(organisation, 60), phone=_text(phone, 20), arrived_at=arrived_at,
                      campus=campus, created_by=actor.user)
    return _save(visitor, actor, "arrived")


@transaction.atomic
def visitor_leave(*, actor, visitor: Visitor, left_at: dt.datetime | None = None) -> Visitor:
    _need(actor, "safety.visitor.record", visitor)
    visitor = visitor.locked()
    if visitor.left_at is not None:
        raise Conflict(_("This visitor has already left."))
    left_at = left_at or timezone.now()
    if left_at < visitor.arrived_at:
        raise field_error("left_at", _("A visitor cannot leave before arriving."))
    if left_at > timezone.now() + dt.timedelta(minutes=5):
        raise field_error("left_at", _("The time out is in the future."))
    visitor.left_at = left_at
    return _save(visitor, actor, "left")


def visitor_reveal_id(*, actor, visitor: Visitor, request=None) -> str:
    """The full identity card number, for those allowed; every look is in the audit log (the policy's
    check writes it: safety.visitor.view_id is a sensitive capability)."""
    _need(actor, "safety.visitor.view_id", visitor)
    return visitor.id_number


# --------------------------------------------------------------------------------------------
# The gate: pick-up


@transaction.atomic
def delegation_request(*, actor, child, date: dt.date, delegate_name: str, relation: str, phone: str,
                       reason: str = "") -> Delegation:
    """A parent asks (in Houqin) for a one-off delegate, or the teacher records the parent's request."""
    _need(actor, "safety.pickup.request", child)
    errors = {}
    delegate_name, relation, phone = _text(delegate_name, 30), _text(relation, 30), _text(phone, 20)
    if not delegate_name:
        errors["delegate_name"] = _("Enter the delegate's name.")
    if not relation:
        errors["relation"] = _("Enter the delegate's relation to the child.")
    digits = phone.replace(" ", "").replace("-", "")
    if not (digits.isdigit() and len(digits) == 11 and digits.startswith("1")):
        errors["phone"] = _("Enter an 11-digit mobile number.")
    if not date:
        errors["date"] = _("Enter the date.")
    elif date < timezone.localdate():
        errors["date"] = _("The date is in the past.")
    elif date > timezone.localdate() + dt.timedelta(days=30):
        errors["date"] = _("Ask at most 30 days ahead.")
    raise_for(errors)
    via = RequestedVia.PARENT if policy.Scope.CHILD == actor.widest_scope("safety.pickup.request") else RequestedVia.TEACHER
    delegation = Delegation(kindergarten=actor.kindergarten, child=child, date=date, delegate_name=delegate_name,
                            relation=relation, phone=digits, reason=_text(reason, 100), requested_via=via,
                            requested_by=actor.user, created_by=actor.user)
    return _save(delegation, actor, "requested")


@transaction.atomic
def delegation_confirm(*, actor, delegation: Delegation, note: str) -> Delegation:
    """The teacher called the parent and the parent confirmed the delegate."""
    _need(actor, "safety.pickup.confirm", delegation)
    delegation = delegation.locked()
    if delegation.is_voided:
        raise Conflict(_("This delegation was cancelled."))
    if delegation.confirmed_at:
        raise Conflict(_("Already confirmed."))
    note = _text(note, 100)
    if not note:
        raise field_error("note", _("Say whom you called and what they said."))
    if delegation.date < timezone.localdate():
        raise Conflict(_("This delegation was for a past day."))
    delegation.confirmed_by, delegation.confirmed_at, delegation.confirmation_note = actor.user, timezone.now(), note
    return _save(delegation, actor, "confirmed")


@transaction.atomic
def delegation_cancel(*, actor, delegation: Delegation, reason: str) -> Delegation:
    _need(actor, "safety.pickup.request", delegation)
    delegation = delegation.locked()
    if delegation.is_voided:
        raise Conflict(_("Already cancelled."))
    if delegation.releases.filter(outcome=ReleaseOutcome.RELEASED).exists():
        raise Conflict(_("The child was already collected by this delegate."))
    delegation.voided_at, delegation.voided_by = timezone.now(), actor.user
    delegation.void_reason = _text(reason, 200) or _("cancelled")
    return _save(delegation, actor, "cancelled")


def authorised_collectors(child, day: dt.date) -> dict:
    """Who may collect the child on `day`: guardians allowed to, authorised pick-up people valid that
    day, and that day's delegations (with their confirmation)."""
    from houqin.org.models import Guardian, PickupPerson

    guardians = list(Guardian.objects.active().filter(child=child, can_pick_up=True))
    people = [p for p in PickupPerson.objects.active().filter(child=child, valid_from__lte=day)
              if p.valid_until is None or p.valid_until >= day]
    delegations = list(Delegation.objects.active().filter(child=child, date=day).select_related("confirmed_by"))
    return {"guardians": guardians, "pickup_people": people, "delegations": delegations}


class ReleaseRefused(DomainError):
    """The child was not released; the attempt is saved (`release`) and audited."""

    status_code = 422

    def __init__(self, message, release):
        super().__init__(message, code="refused")
        self.release = release


def release_child(*, actor, child, collector: str, collector_name: str = "", note: str = "", id_number: str = "",
                  request=None) -> Release:
    """Hand the child over. `collector` is "guardian:<code>", "pickup:<code>", "delegation:<code>" or
    "other" (with `collector_name`); `id_number` is the identity card the collector showed, if any.
    A collector barred by a custody restriction (houqin.safety.custody: by name or identity card
    number, whoever they are listed as), who is not authorised today, or a delegation not confirmed
    by phone, is refused: the refused attempt is saved and audited, then ReleaseRefused is raised. A
    second release of the same child on the same day is a Conflict."""
    from houqin.safety import custody

    _need(actor, "safety.pickup.release", child)
    if child.is_voided:
        raise Http404
    today = timezone.localdate()
    found = authorised_collectors(child, today)
    kind, _sep, code = (collector or "").partition(":")
    pick = {"guardian": ("guardians", CollectorKind.GUARDIAN), "pickup": ("pickup_people", CollectorKind.PICKUP_PERSON),
            "delegation": ("delegations", CollectorKind.DELEGATE)}
    fields = {"guardian": None, "pickup_person": None, "delegation": None}
    refusal = None
    if kind in pick:
        key, collector_kind = pick[kind]
        match = next((x for x in found[key] if str(x.code) == code), None)
        if match is None:
            raise field_error("collector", _("Choose one of the people listed."))
        name = match.delegate_name if kind == "delegation" else match.name
        fields[{"guardian": "guardian", "pickup": "pickup_person", "delegation": "delegation"}[kind]] = match
        if kind == "delegation" and not match.is_confirmed:
            refusal = _("The delegation of %(name)s has not been confirmed by phone by the teacher: the child "
                        "cannot be released to them.") % {"name": name}
    else:
        collector_kind = CollectorKind.UNKNOWN
        name = _text(collector_name, 30)
        if not name:
            raise field_error("collector_name", _("Enter the name of the person at the gate."))
        refusal = _("%(name)s is not authorised to collect %(child)s today: the child was not released.") % {
            "name": name, "child": child.name}
    shown = custody.id_key(id_number)
    if shown and not custody.id_number_checksum_ok(shown):
        raise field_error("id_number", _("Not a valid identity card number (18 characters, check digit wrong)."))
    barred = custody.barred_collector(child, name=name, id_number=shown, day=today)
    if barred is not None:
        refusal = custody.refusal_line(barred, name)
        collector_kind = CollectorKind.RESTRICTED
    now = timezone.now()

    def refuse(line, restriction, kind):
        release = Release.objects.create(
            kindergarten=actor.kindergarten, child=child, date=today, at=now, outcome=ReleaseOutcome.REFUSED,
            collector_kind=kind, collector_name=name, released_by=actor.user, note=_text(note, 200),
            created_by=actor.user, restriction=restriction, **fields)
        detail = {"child": str(child.code), "collector": name, "kind": kind}
        if restriction is not None:
            detail["restriction"] = str(restriction.code)
        audit_event(action="safety.custody.refused" if restriction else "safety.pickup.refused", actor=actor.user,
                    kindergarten=actor.kindergarten, outcome="denied", obj=release, request=request, detail=detail)
        return ReleaseRefused(line, release)

    if refusal is not None:
        with transaction.atomic():
            refused = refuse(refusal, barred, collector_kind)
        raise refused
    refused = None
    with transaction.atomic():
        from houqin.org.models import Child

        Child.objects.select_for_update().get(pk=child.pk)  # two guards at once: one wins
        # A restriction filed while the guard was deciding (filing locks the child too): checked again
        # under the lock, and the refusal saved in this transaction.
        late = custody.barred_collector(child, name=name, id_number=shown, day=today)
        if late is not None:
            refused = refuse(custody.refusal_line(late, name), late, CollectorKind.RESTRICTED)
        elif Release.objects.filter(child=child, date=today, outcome=ReleaseOutcome.RELEASED).exists():
            raise Conflict(_("%(child)s has already been collected today.") % {"child": child.name})
        else:
            try:
                with transaction.atomic():
                    return Release.objects.create(
                        kindergarten=actor.kindergarten, child=child, date=today, at=now,
                        outcome=ReleaseOutcome.RELEASED, collector_kind=collector_kind, collector_name=name,
                        released_by=actor.user, note=_text(note, 200), created_by=actor.user, **fields)
            except IntegrityError:
                raise Conflict(_("%(child)s has already been collected today.") % {"child": child.name}) from None
    raise refused


# --------------------------------------------------------------------------------------------
# Duty roster


@transaction.atomic
def duty_assign(*, actor, date: dt.date, slot: str, person=None, volunteer_name: str = "", post: str = "",
                campus=None) -> DutyShift:
    _need(actor, "safety.duty.change")
    policy.same_kindergarten(actor, campus)
    errors = {}
    volunteer_name = _text(volunteer_name, 30)
    if slot not in DutySlot.values:
        errors["slot"] = _("Choose the time.")
    if not date:
        errors["date"] = _("Enter the date.")
    if (person is None) == (not volunteer_name):
        errors["person"] = _("Choose a member of staff or enter a parent volunteer, not both.")
    elif person is not None:
        try:
            _member_user(actor, person, "person")
        except DomainError as exc:
            errors["person"] = exc.message
    raise_for(errors)
    if person is not None and DutyShift.objects.active().filter(kindergarten=actor.kindergarten, date=date, slot=slot,
                                                                person=person).exists():
        raise field_error("person", _("This person is already on duty at that time."))
    shift = DutyShift(kindergarten=actor.kindergarten, date=date, slot=slot, person=person,
                      volunteer_name=volunteer_name, post=_text(post, 30), campus=campus, created_by=actor.user)
    return _save(shift, actor, "assigned")


@transaction.atomic
def duty_swap(*, actor, shift: DutyShift, person=None, volunteer_name: str = "", reason: str = "") -> DutyShift:
    """Someone else takes the shift; who had it is kept on the shift and in its history."""
    _need(actor, "safety.duty.change", shift)
    shift = shift.locked()
    volunteer_name = _text(volunteer_name, 30)
    if (person is None) == (not volunteer_name):
        raise field_error("person", _("Choose a member of staff or enter a parent volunteer, not both."))
    if person is not None:
        _member_user(actor, person, "person")
        if person.pk == shift.person_id:
            raise field_error("person", _("This person already has the shift."))
    shift.swapped_from = _text(shift.who, 60)
    shift.person, shift.volunteer_name = person, volunteer_name
    return _save(shift, actor, _text(reason, 100) or "swap")


# --------------------------------------------------------------------------------------------
# Incidents


@transaction.atomic
def incident_report(*, actor, kind: str, occurred_at: dt.datetime, location: str, description: str,
                    actions: str = "", child=None, campus=None) -> Incident:
    _need(actor, "safety.incident.report")
    policy.same_kindergarten(actor, child, campus)
    errors = {}
    location, description = _text(location, 100), _text(description, 2000)
    if kind not in IncidentKind.values:
        errors["kind"] = _("Choose what happened.")
    if not occurred_at:
        errors["occurred_at"] = _("Enter when it happened.")
    elif occurred_at > timezone.now() + dt.timedelta(minutes=5):
        errors["occurred_at"] = _("The time is in the future.")
    if not location:
        errors["location"] = _("Say where it happened.")
    if not description:
        errors["description"] = _("Describe what happened.")
    raise_for(errors)
    incident = Incident(kindergarten=actor.kindergarten, kind=kind, occurred_at=occurred_at,
                        reported_at=timezone.now(), location=location, description=description,
                        actions=_text(actions, 2000), child=child,
                        campus=campus or (child.school_class.campus if child is not None else None),
                        created_by=actor.user)
    return _save(incident, actor, "reported")


# --------------------------------------------------------------------------------------------
# Reports upward


def report_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    return period_of(Frequency.WEEKLY if period == ReportPeriod.WEEK else Frequency.MONTHLY, day)


@transaction.atomic
def report_create(*, actor, period: str, day: dt.date) -> SafetyReport:
    """The weekly or monthly report for the week or month of `day` (a draft until signed)."""
    _need(actor, "safety.report.change")
    if period not in ReportPeriod.values:
        raise field_error("period", _("Choose weekly or monthly."))
    if not day or day > timezone.localdate():
        raise field_error("day", _("A report covers a period that has begun."))
    start, end = report_bounds(period, day)
    existing = SafetyReport.objects.active().filter(kindergarten=actor.kindergarten, period=period, start=start).first()
    if existing is not None:
        return existing
    report = SafetyReport(kindergarten=actor.kindergarten, period=period, start=start, end=end, created_by=actor.user)
    try:
        with transaction.atomic():
            return _save(report, actor, "created")
    except IntegrityError:
        return SafetyReport.objects.active().get(kindergarten=actor.kindergarten, period=period, start=start)


@transaction.atomic
def report_sign(*, actor, report: SafetyReport, remarks: str = "") -> SafetyReport:
    """The principal signs: the figures counted now are frozen into the report."""
    from houqin.safety.figures import report_figures

    _need(actor, "safety.report.sign", report)
    report = report.locked()
    if report.is_signed:
        raise Conflict(_("This report is already signed."))
    if report.end > timezone.localdate():
        raise Conflict(_("The period has not ended yet: sign the report after %(end)s.") % {"end": report.end})
    report.figures = report_figures(actor.kindergarten, report.start, report.end)
    report.remarks = _text(remarks, 2000) or report.remarks
    report.signed_by, report.signed_at = actor.user, timezone.now()
    return _save(report, actor, "signed")

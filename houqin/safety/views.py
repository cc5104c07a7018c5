"""HTML pages of safety and security. Thin: parse, call a selector or service, render.

Every state change is a POST to its own address, declared with the capability it needs; the service
decides the finer rules (the assignee rectifies, someone else re-checks…) and its message is shown."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from houqin import policy
from houqin.core import files
from houqin.core.errors import DomainError
from houqin.core.history import history_rows
from houqin.core.web import add_domain_errors, day_param, rule_figure_post, xlsx_response
from houqin.safety import exports, forms, selectors, services
from houqin.safety.rules import AREA
from houqin.safety.models import (
    HAZARD_OPEN,
    PEAK_SLOTS,
    DutySlot,
    HazardState,
    InspectionResult,
    ReportPeriod,
)

PAGE_SIZE = 50


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _url(name, kg, **kwargs):
    return reverse(f"safety:{name}", kwargs={"kg": kg, **kwargs})


def _run(http, func, success: str | None = None, /, **kwargs):
    """Call a service as the request's actor; on a refusal show its message. Returns (result, ok)."""
    try:
        result = func(actor=http.actor, **kwargs)
    except DomainError as exc:
        messages.error(http, exc.message)
        return None, False
    if success:
        messages.success(http, success)
    return result, True


def _form_page(request, form, action, *, title: str, success, template: str = "safety/form.html",
               context: dict | None = None, message: str = ""):
    """A form page: on a valid POST run `action(cleaned_data)` → object; redirect to `success(obj)`;
    a DomainError is shown on the form and nothing is saved."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = action(form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            if message:
                messages.success(request, message)
            return redirect(success(obj))
    return render(request, template, {"form": form, "title": title, **(context or {})})


def _history(obj):
    return history_rows(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[:50])


def _today():
    return timezone.localdate()


# --------------------------------------------------------------------------------------------
# The safety home: what the person has to do today


@policy.requires("safety.view")
def index(request, kg):
    actor = request.actor
    today = _today()
    mine = list(selectors.my_zones(actor=actor, today=today))
    context = {
        "today": today,
        "my_zones": mine,
        "my_hazards": list(selectors.hazard_list(actor=actor, status="open").filter(assignee=actor.user,
                                                                                    state=HazardState.ASSIGNED)),
        "rounds_due": selectors.rounds_due(actor=actor, today=today, mine=not actor.has("safety.hazard.assign")),
        "counts": selectors.hazard_counts(actor=actor, today=today),
        "to_verify": (list(selectors.hazard_list(actor=actor, status=HazardState.RECTIFIED).exclude(
            rectified_by=actor.user)[:20]) if actor.has("safety.hazard.verify") else []),
    }
    return render(request, "safety/index.html", context)


# --------------------------------------------------------------------------------------------
# Hazards


@policy.requires("safety.view")
def hazard_list(request, kg):
    actor = request.actor
    status = request.GET.get("status", "open")
    if status not in selectors.HAZARD_FILTERS:
        status = "open"
    page = _page(request, selectors.hazard_list(actor=actor, status=status))
    return render(request, "safety/hazard_list.html", {
        "page": page, "status": status, "today": _today(), "counts": selectors.hazard_counts(actor=actor),
        "filters": [("open", _("Open")), ("reported", _("To assign")), ("assigned", _("Being rectified")),
                    ("rectified", _("To re-check")), ("overdue", _("Overdue")), ("closed", _("Closed")),
                    ("mine", _("Mine")), ("all", _("All"))],
    })


@policy.requires("safety.hazard.report")
def hazard_create(request, kg):
    actor = request.actor
    zone = None
    if request.GET.get("zone"):
        try:
            zone = selectors.get_zone(actor=actor, code=request.GET["zone"], capability="safety.hazard.report")
        except (Http404, ValueError, DomainError):
            zone = None
    form = forms.HazardForm(request.POST or None, request.FILES or None,
                            initial={"location": zone.name if zone else ""})

    def action(data):
        return services.report_hazard(actor=actor, location=data["location"], description=data["description"],
                                      severity=data["severity"], photo=data.get("photo"), zone=zone)

    return _form_page(request, form, action, title=_("Report a hazard"), template="safety/hazard_form.html",
                      success=lambda h: _url("hazard_detail", kg, code=h.code), context={"zone": zone},
                      message=_("Thank you: the hazard is reported."))


@policy.requires("safety.view")
def hazard_detail(request, kg, code):
    actor = request.actor
    hazard = selectors.get_hazard(actor=actor, code=code)
    today = _today()
    can_assign = actor.has("safety.hazard.assign") and hazard.state in (HazardState.REPORTED, HazardState.ASSIGNED)
    can_rectify = (hazard.state == HazardState.ASSIGNED and actor.has("safety.hazard.rectify")
                   and (hazard.assignee_id == actor.user.pk or actor.has("safety.hazard.assign")))
    can_verify = (hazard.state == HazardState.RECTIFIED and actor.has("safety.hazard.verify")
                  and hazard.rectified_by_id != actor.user.pk)
    rules = services.rules(actor.kindergarten)
    return render(request, "safety/hazard_detail.html", {
        "hazard": hazard, "today": today, "overdue": hazard.is_overdue(today),
        "assign_form": forms.AssignForm(kindergarten=actor.kindergarten, initial={
            "assignee": hazard.assignee_id,
            "deadline": hazard.deadline or today + dt.timedelta(days=rules["hazard_days"].value)}) if can_assign else None,
        "rectify_form": forms.RectifyForm() if can_rectify else None,
        "verify_form": forms.VerifyForm() if can_verify else None,
        "can_repair": actor.has("safety.hazard.assign") and not hazard.repair_request_id and hazard.is_open,
        "repair_form": forms.RepairForm(),
        "can_void": actor.has("safety.hazard.assign") and not hazard.is_voided,
        "history": _history(hazard),
    })


def _hazard_action(request, kg, code, form_class, call, success_message, **form_kwargs):
    actor = request.actor
    hazard = selectors.get_hazard(actor=actor, code=code)
    form = form_class(request.POST, request.FILES or None, **form_kwargs)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    else:
        _run(request, call, success_message, hazard=hazard, **{k: v for k, v in form.cleaned_data.items()})
    return redirect(_url("hazard_detail", kg, code=hazard.code))


@require_POST
@policy.requires("safety.hazard.assign")
def hazard_assign(request, kg, code):
    return _hazard_action(request, kg, code, forms.AssignForm, services.hazard_assign, _("Assigned."),
                          kindergarten=request.actor.kindergarten)


@require_POST
@policy.requires("safety.hazard.rectify")
def hazard_rectify(request, kg, code):
    return _hazard_action(request, kg, code, forms.RectifyForm, services.hazard_rectify,
                          _("Rectification recorded: it now waits for a re-check."))


@require_POST
@policy.requires("safety.hazard.verify")
def hazard_verify(request, kg, code):
    actor = request.actor
    hazard = selectors.get_hazard(actor=actor, code=code)
    form = forms.VerifyForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    accept = request.POST.get("decision") == "close"
    _run(request, services.hazard_verify, _("Closed.") if accept else _("Reopened: back to the assignee."),
         hazard=hazard, accept=accept, note=data.get("note", ""), deadline=data.get("deadline"))
    return redirect(_url("hazard_detail", kg, code=hazard.code))


@require_POST
@policy.requires("safety.hazard.assign")
def hazard_repair(request, kg, code):
    actor = request.actor
    hazard = selectors.get_hazard(actor=actor, code=code)
    form = forms.RepairForm(request.POST)
    cost = form.cleaned_data["estimated_cost"] if form.is_valid() else "0"
    result, ok = _run(request, services.hazard_to_repair, _("A repair request was made from the hazard."),
                      hazard=hazard, estimated_cost=str(cost))
    return redirect(_url("hazard_detail", kg, code=hazard.code))


@require_POST
@policy.requires("safety.hazard.assign")
def hazard_void(request, kg, code):
    actor = request.actor
    hazard = selectors.get_hazard(actor=actor, code=code)
    _run(request, services.hazard_void, _("Voided."), hazard=hazard, reason=request.POST.get("reason", ""))
    return redirect(_url("hazard_detail", kg, code=hazard.code))


PHOTO_FIELDS = {"hazard": "photo", "rectification": "rectification_photo", "drill": "photo", "result": "photo"}


@policy.requires("safety.view")
def photo(request, kg, kind, code):
    """A photo of a hazard, a rectification, a drill or an inspection item, for those who may see it."""
    actor = request.actor
    if kind in ("hazard", "rectification"):
        obj = selectors.get_hazard(actor=actor, code=code)
    elif kind == "drill":
        obj = selectors.get_drill(actor=actor, code=code)
    elif kind == "result":
        obj = policy.scoped(actor, "safety.view", InspectionResult.objects.filter(code=code)).first()
    else:
        raise Http404
    if obj is None:
        raise Http404
    return files.file_response(getattr(obj, PHOTO_FIELDS[kind]))


# --------------------------------------------------------------------------------------------
# Zones, agreements, the leadership group, self-checks


@policy.requires("safety.view")
def zone_list(request, kg):
    actor = request.actor
    return render(request, "safety/zone_list.html", {
        "zones": selectors.zone_list(actor=actor), "can_change": actor.has("safety.zone.change"),
        "leadership": selectors.leadership(actor=actor),
    })


def _zone_initial(zone):
    if zone is None:
        return {}
    return {"name": zone.name, "kind": zone.kind, "post": zone.post, "owner": zone.owner_id,
            "school_class": zone.school_class_id, "checklist": "\n".join(zone.checklist)}


def _zone_form(request, kg, zone=None):
    actor = request.actor
    form = forms.ZoneForm(request.POST or None, kindergarten=actor.kindergarten, initial=_zone_initial(zone))

    def action(data):
        return services.zone_save(actor=actor, zone=zone, name=data["name"], kind=data["kind"], post=data["post"],
                                  owner=data.get("owner"), school_class=data.get("school_class"),
                                  campus=zone.campus if zone else None, checklist=data["checklist"])

    return _form_page(request, form, action, title=_("Edit the zone") if zone else _("New zone"),
                      success=lambda z: _url("zone_detail", kg, code=z.code), message=_("Saved."))


@policy.requires("safety.zone.change")
def zone_create(request, kg):
    return _zone_form(request, kg)


@policy.requires("safety.zone.change")
def zone_edit(request, kg, code):
    return _zone_form(request, kg, selectors.get_zone(actor=request.actor, code=code))


@policy.requires("safety.view")
def zone_detail(request, kg, code):
    actor = request.actor
    zone = selectors.get_zone(actor=actor, code=code)
    today = _today()
    checks = list(selectors.self_checks(actor=actor, zone=zone))
    return render(request, "safety/zone_detail.html", {
        "zone": zone, "checks": checks, "checked_today": any(c.date == today for c in checks),
        "can_check": (zone.owner_id == actor.user.pk or actor.has("safety.hazard.assign"))
        and policy.can(actor, "safety.selfcheck", zone),
        "hazards": zone.hazards.active().filter(state__in=HAZARD_OPEN).select_related("assignee"),
        "can_change": actor.has("safety.zone.change"),
        "report_url": request.build_absolute_uri(_url("hazard_create", kg) + f"?zone={zone.code}"),
    })


@policy.requires("safety.selfcheck")
def zone_check(request, kg, code):
    actor = request.actor
    zone = selectors.get_zone(actor=actor, code=code, capability="safety.selfcheck")
    errors = None
    if request.method == "POST":
        results = [{"item": item, "ok": {"1": True, "0": False}.get(request.POST.get(f"ok-{i}")),
                    "note": request.POST.get(f"note-{i}", "")} for i, item in enumerate(zone.checklist)]
        try:
            check = services.self_check_record(actor=actor, zone=zone, results=results)
        except DomainError as exc:
            errors = exc.message
        else:
            if check.all_ok:
                messages.success(request, _("Self-check recorded: all in order."))
            else:
                messages.warning(request, _("Self-check recorded; the items not in order were reported as hazards."))
            return redirect(_url("zone_detail", kg, code=zone.code))
    items = [{"i": i, "item": item, "value": request.POST.get(f"ok-{i}", "1"), "note": request.POST.get(f"note-{i}", "")}
             for i, item in enumerate(zone.checklist)]
    return render(request, "safety/zone_check.html", {"zone": zone, "items": items, "error": errors})


@policy.requires("safety.zone.change")
def zone_qr(request, kg, code=None):
    """A printable sheet of QR codes (A4 PDF): each opens the hazard report form of its zone."""
    actor = request.actor
    zones = [selectors.get_zone(actor=actor, code=code)] if code else list(selectors.zone_list(actor=actor))
    base = request.build_absolute_uri(_url("hazard_create", kg))
    pdf = exports.qr_sheet_pdf(actor.kindergarten, [(z.name, z.post, f"{base}?zone={z.code}") for z in zones])
    return HttpResponse(pdf, content_type="application/pdf")


@policy.requires("safety.view")
def agreement_list(request, kg):
    actor = request.actor
    year = request.GET.get("year")
    year = int(year) if year and year.isdigit() else _today().year
    return render(request, "safety/agreement_list.html", {
        "agreements": selectors.agreement_list(actor=actor, year=year), "year": year,
        "can_change": actor.has("safety.zone.change"), "leadership": selectors.leadership(actor=actor),
        "leadership_form": forms.LeadershipForm(kindergarten=actor.kindergarten)
        if actor.has("safety.zone.change") else None,
    })


@policy.requires("safety.zone.change")
def agreement_create(request, kg):
    actor = request.actor
    form = forms.AgreementForm(request.POST or None, kindergarten=actor.kindergarten,
                               initial={"year": _today().year})

    def action(data):
        return services.agreement_create(actor=actor, **data)

    return _form_page(request, form, action, title=_("New responsibility agreement"),
                      success=lambda a: _url("agreement_list", kg) + f"?year={a.year}", message=_("Saved."))


@require_POST
@policy.requires("safety.agreement.sign")
def agreement_sign(request, kg, code):
    agreement = selectors.get_agreement(actor=request.actor, code=code)
    _run(request, services.agreement_sign, _("Signed."), agreement=agreement)
    return redirect(_url("agreement_list", kg) + f"?year={agreement.year}")


@require_POST
@policy.requires("safety.zone.change")
def leadership_add(request, kg):
    actor = request.actor
    form = forms.LeadershipForm(request.POST, kindergarten=actor.kindergarten)
    if form.is_valid():
        _run(request, services.leadership_add, _("Added to the group."), **form.cleaned_data)
    else:
        messages.error(request, _("Choose a person."))
    return redirect(_url("agreement_list", kg))


# --------------------------------------------------------------------------------------------
# Inspections


@policy.requires("safety.view")
def inspection_list(request, kg):
    actor = request.actor
    today = _today()
    start = today - dt.timedelta(days=30)
    return render(request, "safety/inspection_list.html", {
        "templates": selectors.template_list(actor=actor), "due": selectors.rounds_due(actor=actor, today=today),
        "rounds": _page(request, selectors.round_list(actor=actor, start=start)),
        "can_change": actor.has("safety.zone.change"), "can_record": actor.has("safety.inspection.record"),
    })


def _template_form(request, kg, template=None):
    actor = request.actor
    initial = {}
    if template is not None:
        initial = {"name": template.name, "category": template.category, "frequency": template.frequency,
                   "inspector": template.inspector_id, "items": "\n".join(template.items),
                   "is_active": template.is_active}
    form = forms.TemplateForm(request.POST or None, kindergarten=actor.kindergarten, initial=initial)

    def action(data):
        return services.template_save(actor=actor, template=template, zone=template.zone if template else None,
                                      **data)

    return _form_page(request, form, action, title=_("Inspection template"),
                      success=lambda t: _url("inspection_list", kg), message=_("Saved."))


@policy.requires("safety.zone.change")
def template_create(request, kg):
    return _template_form(request, kg)


@policy.requires("safety.zone.change")
def template_edit(request, kg, code):
    return _template_form(request, kg, selectors.get_template(actor=request.actor, code=code))


@policy.requires("safety.inspection.record")
def round_create(request, kg, code):
    actor = request.actor
    template = selectors.get_template(actor=actor, code=code)
    error = None
    if request.method == "POST":
        results = [{"item": item, "passed": {"1": True, "0": False}.get(request.POST.get(f"passed-{i}")),
                    "note": request.POST.get(f"note-{i}", ""), "photo": request.FILES.get(f"photo-{i}")}
                   for i, item in enumerate(template.items)]
        try:
            rnd = services.round_record(actor=actor, template=template, results=results,
                                        note=request.POST.get("note", ""))
        except DomainError as exc:
            error = exc.message
        else:
            if rnd.failed_count:
                messages.warning(request, _("Round recorded; %(n)d failed item(s) became hazards.") % {
                    "n": rnd.failed_count})
            else:
                messages.success(request, _("Round recorded: every item passed."))
            return redirect(_url("round_detail", kg, code=rnd.code))
    items = [{"i": i, "item": item, "value": request.POST.get(f"passed-{i}", "1"),
              "note": request.POST.get(f"note-{i}", "")} for i, item in enumerate(template.items)]
    return render(request, "safety/round_form.html", {"template": template, "items": items, "error": error})


@policy.requires("safety.view")
def round_detail(request, kg, code):
    rnd = selectors.get_round(actor=request.actor, code=code)
    return render(request, "safety/round_detail.html", {
        "round": rnd, "results": rnd.results.select_related("hazard").order_by("position")})


# --------------------------------------------------------------------------------------------
# Fire equipment


@policy.requires("safety.view")
def fire_list(request, kg):
    actor = request.actor
    today = _today()
    values = {k: r.value for k, r in services.rules(actor.kindergarten).items()}
    rows = [{"e": e, "due": services.equipment_due(e, today, values)} for e in selectors.equipment_list(actor=actor)]
    return render(request, "safety/fire_list.html", {
        "rows": rows, "today": today, "can_change": actor.has("safety.fire.change"),
        "can_check": actor.has("safety.fire.check"),
    })


def _equipment_form(request, kg, equipment=None):
    actor = request.actor
    fields = ["kind", "label", "model_type", "location", "last_inspected_on", "last_refilled_on", "refill_due_on",
              "expires_on"]
    initial = {f: getattr(equipment, f) for f in fields} if equipment else {}
    form = forms.EquipmentForm(request.POST or None, initial=initial)

    def action(data):
        return services.equipment_save(actor=actor, equipment=equipment, **data)

    return _form_page(request, form, action, title=_("Fire equipment"), success=lambda e: _url("fire_list", kg),
                      message=_("Saved."))


@policy.requires("safety.fire.change")
def equipment_create(request, kg):
    return _equipment_form(request, kg)


@policy.requires("safety.fire.change")
def equipment_edit(request, kg, code):
    return _equipment_form(request, kg, selectors.get_equipment(actor=request.actor, code=code))


@policy.requires("safety.fire.check")
def fire_check(request, kg):
    actor = request.actor
    equipment = list(selectors.equipment_list(actor=actor))
    error = None
    if request.method == "POST":
        checks = [{"equipment": e, "ok": request.POST.get(f"ok-{e.code}") == "1",
                   "note": request.POST.get(f"note-{e.code}", "")}
                  for e in equipment if request.POST.get(f"ok-{e.code}") in ("0", "1")]
        try:
            made = services.fire_round_record(actor=actor, checks=checks)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("%(n)d checked.") % {"n": len(made)})
            return redirect(_url("fire_list", kg))
    return render(request, "safety/fire_check.html", {"equipment": equipment, "error": error})


# --------------------------------------------------------------------------------------------
# Drills


@policy.requires("safety.view")
def drill_list(request, kg):
    actor = request.actor
    start, end = selectors.term_bounds(_today())
    drills = list(selectors.drill_list(actor=actor))
    held = sum(1 for d in drills if d.held_at and start <= timezone.localtime(d.held_at).date() <= end)
    rule = services.rules(actor.kindergarten)["drills_per_term"]
    return render(request, "safety/drill_list.html", {
        "drills": drills, "held": held, "rule": rule, "term_start": start, "term_end": end,
        "can_change": actor.has("safety.drill.change"),
    })


@policy.requires("safety.drill.change")
def drill_create(request, kg):
    actor = request.actor
    form = forms.DrillPlanForm(request.POST or None, kindergarten=actor.kindergarten)

    def action(data):
        return services.drill_plan(actor=actor, **data)

    return _form_page(request, form, action, title=_("Plan a drill"),
                      success=lambda d: _url("drill_detail", kg, code=d.code), message=_("Planned."))


@policy.requires("safety.view")
def drill_detail(request, kg, code):
    actor = request.actor
    drill = selectors.get_drill(actor=actor, code=code)
    from houqin.safety.models import Hazard, Plan

    return render(request, "safety/drill_detail.html", {
        "drill": drill, "classes": drill.classes.order_by("sort_order", "name"),
        "hazards": Hazard.objects.active().filter(kindergarten=actor.kindergarten, source=f"safety.drill:{drill.code}"),
        "can_record": actor.has("safety.drill.change") and not drill.is_held,
        "plans": Plan.objects.active().filter(kindergarten=actor.kindergarten).order_by("kind", "title")
        if actor.has("safety.drill.change") else [],
    })


@policy.requires("safety.drill.change")
def drill_record(request, kg, code):
    actor = request.actor
    drill = selectors.get_drill(actor=actor, code=code)
    form = forms.DrillRecordForm(request.POST or None, request.FILES or None, kindergarten=actor.kindergarten,
                                 initial={"held_at": timezone.localtime().replace(second=0, microsecond=0)})

    def action(data):
        seconds = None
        if data.get("minutes") is not None or data.get("seconds") is not None:
            seconds = (data.get("minutes") or 0) * 60 + (data.get("seconds") or 0)
        return services.drill_record(actor=actor, drill=drill, held_at=data["held_at"], classes=data["classes"],
                                     children_count=data["children_count"], staff_count=data["staff_count"],
                                     evacuation_seconds=seconds, summary=data["summary"],
                                     problems=data.get("problems", ""), photo=data.get("photo"))

    return _form_page(request, form, action, title=_("Record the drill"),
                      success=lambda d: _url("drill_detail", kg, code=d.code), message=_("Recorded."),
                      context={"multipart": True})


# --------------------------------------------------------------------------------------------
# The gate: visitors


@policy.requires("safety.gate.view")
def visitor_list(request, kg):
    actor = request.actor
    inside = list(selectors.visitor_list(actor=actor, inside_only=True))
    today = list(selectors.visitor_list(actor=actor, day=_today()).filter(left_at__isnull=False))
    return render(request, "safety/visitor_list.html", {
        "inside": inside, "left": today, "can_record": actor.has("safety.visitor.record"),
        "can_reveal": actor.has("safety.visitor.view_id"),
    })


@policy.requires("safety.visitor.record")
def visitor_create(request, kg):
    actor = request.actor
    form = forms.VisitorForm(request.POST or None)

    def action(data):
        return services.visitor_arrive(actor=actor, **data)

    return _form_page(request, form, action, title=_("Register a visitor"), success=lambda v: _url("visitor_list", kg),
                      message=_("Registered."))


@require_POST
@policy.requires("safety.visitor.record")
def visitor_leave(request, kg, code):
    visitor = selectors.get_visitor(actor=request.actor, code=code)
    _run(request, services.visitor_leave, _("%(name)s has left.") % {"name": visitor.name}, visitor=visitor)
    return redirect(_url("visitor_list", kg))


@policy.requires("safety.visitor.view_id")
def visitor_id(request, kg, code):
    actor = request.actor
    visitor = selectors.get_visitor(actor=actor, code=code, capability="safety.visitor.view_id")
    number = services.visitor_reveal_id(actor=actor, visitor=visitor, request=request)
    return render(request, "safety/visitor_id.html", {"visitor": visitor, "number": number})


# --------------------------------------------------------------------------------------------
# The gate: pick-up


@policy.requires("safety.pickup.view")
def pickup_list(request, kg):
    actor = request.actor
    q = request.GET.get("q", "").strip()
    today = _today()
    page = _page(request, selectors.pickup_children(actor=actor, q=q))
    released = selectors.released_today([c.pk for c in page], today)
    rows = [{"child": c, "release": released.get(c.pk)} for c in page]
    return render(request, "safety/pickup_list.html", {
        "page": page, "rows": rows, "q": q, "today": today,
        "delegations": list(selectors.delegation_list(actor=actor, day=today)),
    })


@policy.requires("safety.pickup.view")
def pickup_card(request, kg, code):
    actor = request.actor
    child = selectors.get_child(actor=actor, code=code)
    today = _today()
    found = services.authorised_collectors(child, today)
    released = selectors.released_today([child.pk], today).get(child.pk)
    from houqin.safety import custody

    barred = list(custody.in_force(child, today))
    custody.mark_barred(found, barred)
    return render(request, "safety/pickup_card.html", {
        "child": child, **found, "released": released, "today": today, "barred": barred,
        "attempts": selectors.release_list(actor=actor, day=today).filter(child=child),
        "can_release": policy.can(actor, "safety.pickup.release", child),
        "can_delegate": policy.can(actor, "safety.pickup.request", child),
        "can_confirm": policy.can(actor, "safety.pickup.confirm", child),
    })


@require_POST
@policy.requires("safety.pickup.release")
def pickup_release(request, kg, code):
    actor = request.actor
    child = selectors.get_child(actor=actor, code=code, capability="safety.pickup.release")
    try:
        release = services.release_child(actor=actor, child=child, collector=request.POST.get("collector", ""),
                                         collector_name=request.POST.get("collector_name", ""),
                                         note=request.POST.get("note", ""),
                                         id_number=request.POST.get("id_number", ""), request=request)
    except services.ReleaseRefused as exc:
        messages.error(request, exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(child)s was released to %(name)s.") % {"child": child.name,
                                                                            "name": release.collector_name})
    return redirect(_url("pickup_card", kg, code=child.code))


@policy.requires("safety.pickup.request")
def delegation_create(request, kg, code):
    actor = request.actor
    child = selectors.get_child(actor=actor, code=code, capability="safety.pickup.request")
    form = forms.DelegationForm(request.POST or None, initial={"date": _today()})

    def action(data):
        return services.delegation_request(actor=actor, child=child, **data)

    gate = actor.has("safety.pickup.view")
    return _form_page(request, form, action, title=_("Ask someone else to collect the child"),
                      success=lambda d: _url("pickup_card", kg, code=child.code) if gate else _url("my_delegations", kg),
                      context={"intro": _("For %(child)s. The class teacher will call you to confirm it; until "
                                          "then the gate will not release the child to the delegate.")
                               % {"child": child.name}},
                      message=_("Requested: the teacher will confirm it by phone."))


@policy.requires("safety.pickup.request")
def my_delegations(request, kg):
    """A parent's pick-up page: one button per child to ask someone else to collect them (请人代接),
    and their own delegations with whether the teacher has confirmed them. No gate tables."""
    from houqin.org.models import Child

    actor = request.actor
    children = policy.scoped(actor, "safety.pickup.request", Child.objects.active().filter(left_on__isnull=True)) \
        .select_related("school_class").order_by("name_pinyin", "name")
    return render(request, "safety/my_delegations.html", {
        "children": children, "delegations": selectors.own_delegations(actor=actor), "today": _today()})


@policy.requires("safety.pickup.view")
def delegation_list(request, kg):
    actor = request.actor
    return render(request, "safety/delegation_list.html", {
        "delegations": selectors.delegation_list(actor=actor),
        "refused": selectors.release_list(actor=actor, refused_only=True)[:50],
        "can_confirm": actor.has("safety.pickup.confirm"),
    })


@policy.requires("safety.pickup.confirm")
def delegation_confirm(request, kg, code):
    actor = request.actor
    delegation = selectors.get_delegation(actor=actor, code=code)
    if not policy.can(actor, "safety.pickup.confirm", delegation):
        raise Http404
    form = forms.ConfirmForm(request.POST or None)

    def action(data):
        return services.delegation_confirm(actor=actor, delegation=delegation, note=data["note"])

    return _form_page(request, form, action, title=_("Confirm the delegation by phone"),
                      success=lambda d: _url("pickup_card", kg, code=d.child.code), message=_("Confirmed."),
                      context={"delegation": delegation, "intro": _(
                          "%(delegate)s (%(relation)s, %(phone)s) for %(child)s on %(date)s. Call the parent and "
                          "confirm before the guard may release the child.") % {
                          "delegate": delegation.delegate_name, "relation": delegation.relation,
                          "phone": delegation.phone, "child": delegation.child.name, "date": delegation.date}})


@policy.requires("safety.pickup.view")
def release_log(request, kg):
    actor = request.actor
    day = day_param(request, "day")
    return render(request, "safety/release_log.html", {
        "releases": selectors.release_list(actor=actor, day=day), "day": day})


# --------------------------------------------------------------------------------------------
# Duty roster


@policy.requires("safety.view")
def duty_list(request, kg):
    actor = request.actor
    day = day_param(request, "week")
    start = day - dt.timedelta(days=day.weekday())
    end = start + dt.timedelta(days=6)
    shifts = list(selectors.duty_list(actor=actor, start=start, end=end))
    peak = services.rules(actor.kindergarten)["peak_posts"].value
    days = []
    for i in range(7):
        d = start + dt.timedelta(days=i)
        slots = []
        for slot, label in DutySlot.choices:
            these = [s for s in shifts if s.date == d and s.slot == slot]
            short = slot in PEAK_SLOTS and d.weekday() < 5 and len(these) < peak
            if these or short:
                slots.append({"label": label, "shifts": these, "short": short})
        days.append({"date": d, "slots": slots})
    return render(request, "safety/duty_list.html", {
        "days": days, "start": start, "prev": start - dt.timedelta(days=7), "next": start + dt.timedelta(days=7),
        "can_change": actor.has("safety.duty.change"), "peak": peak,
    })


@policy.requires("safety.duty.change")
def duty_create(request, kg):
    actor = request.actor
    form = forms.DutyForm(request.POST or None, kindergarten=actor.kindergarten, initial={"date": _today()})

    def action(data):
        return services.duty_assign(actor=actor, **data)

    return _form_page(request, form, action, title=_("Add a duty shift"),
                      success=lambda s: _url("duty_list", kg) + f"?week={s.date}", message=_("Saved."))


@policy.requires("safety.duty.change")
def duty_swap(request, kg, code):
    actor = request.actor
    shift = selectors.get_shift(actor=actor, code=code)
    form = forms.SwapForm(request.POST or None, kindergarten=actor.kindergarten)

    def action(data):
        return services.duty_swap(actor=actor, shift=shift, **data)

    return _form_page(request, form, action, title=_("Swap the shift"),
                      success=lambda s: _url("duty_list", kg) + f"?week={s.date}", message=_("Swapped."),
                      context={"intro": str(shift)})


# --------------------------------------------------------------------------------------------
# Incidents


@policy.requires("safety.incident.view")
def incident_list(request, kg):
    actor = request.actor
    return render(request, "safety/incident_list.html", {"page": _page(request, selectors.incident_list(actor=actor))})


@policy.requires("safety.incident.report")
def incident_create(request, kg):
    actor = request.actor
    form = forms.IncidentForm(request.POST or None)

    def action(data):
        return services.incident_report(actor=actor, **data)

    def success(incident):
        if actor.has("safety.incident.view"):
            return _url("incident_detail", kg, code=incident.code)
        return _url("index", kg)

    return _form_page(request, form, action, title=_("Report an incident"), success=success,
                      message=_("Incident reported."))


@policy.requires("safety.incident.view")
def incident_detail(request, kg, code):
    incident = selectors.get_incident(actor=request.actor, code=code)
    return render(request, "safety/incident_detail.html", {"incident": incident, "history": _history(incident)})


# --------------------------------------------------------------------------------------------
# Reports upward


@policy.requires("safety.report.view")
def report_list(request, kg):
    actor = request.actor
    return render(request, "safety/report_list.html", {
        "reports": _page(request, selectors.report_list(actor=actor)),
        "form": forms.ReportForm(initial={"period": ReportPeriod.WEEK, "day": _today() - dt.timedelta(days=7)})
        if actor.has("safety.report.change") else None,
    })


@require_POST
@policy.requires("safety.report.change")
def report_create(request, kg):
    form = forms.ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the period and a day in it."))
        return redirect(_url("report_list", kg))
    report, ok = _run(request, services.report_create, None, **form.cleaned_data)
    if not ok:
        return redirect(_url("report_list", kg))
    return redirect(_url("report_detail", kg, code=report.code))


def _report_figures(report):
    from houqin.safety.figures import report_figures

    return report.figures if report.is_signed else report_figures(report.kindergarten, report.start, report.end)


@policy.requires("safety.report.view")
def report_detail(request, kg, code):
    actor = request.actor
    report = selectors.get_report(actor=actor, code=code)
    figures = _report_figures(report)
    return render(request, "safety/report_detail.html", {
        "report": report, "rows": exports.report_rows(figures), "drills": figures.get("drill_list", []),
        "can_sign": actor.has("safety.report.sign") and not report.is_signed and report.end <= _today(),
        "sign_form": forms.SignForm(initial={"remarks": report.remarks}),
    })


@require_POST
@policy.requires("safety.report.sign")
def report_sign(request, kg, code):
    report = selectors.get_report(actor=request.actor, code=code)
    form = forms.SignForm(request.POST)
    form.is_valid()
    _run(request, services.report_sign, _("Signed: the figures are frozen."), report=report,
         remarks=form.cleaned_data.get("remarks", ""))
    return redirect(_url("report_detail", kg, code=report.code))


@policy.requires("safety.report.view")
def report_pdf(request, kg, code):
    report = selectors.get_report(actor=request.actor, code=code)
    pdf = exports.report_pdf(report, _report_figures(report))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="safety-report-{report.start}.pdf"'
    return response


@policy.requires("safety.report.view")
def report_xlsx(request, kg, code):
    report = selectors.get_report(actor=request.actor, code=code)
    return xlsx_response(exports.report_xlsx(report, _report_figures(report)), f"安全报告-{report.start}.xlsx")


@policy.requires("safety.report.view")
def district_reports(request, district):
    actor = request.actor
    period = request.GET.get("period", "")
    return render(request, "safety/district_reports.html", {
        "reports": _page(request, selectors.district_reports(district=actor.district, period=period)),
        "district": actor.district, "period": period,
    })


@policy.requires("safety.report.view")
def district_report(request, district, code):
    actor = request.actor
    report = selectors.get_district_report(district=actor.district, code=code)
    return render(request, "safety/report_detail.html", {
        "report": report, "rows": exports.report_rows(report.figures), "drills": report.figures.get("drill_list", []),
        "district": actor.district,
    })


# --------------------------------------------------------------------------------------------
# Settings


@require_GET
@policy.requires("safety.settings")
def settings_edit(request, kg):
    figures = list(services.rules(request.actor.kindergarten).values())
    return render(request, "safety/settings.html", {"figures": figures, "can_change": True,
                                                          "post": _url("settings", kg) + "rules/"})


@require_POST
@policy.requires("safety.settings")
def rule_set(request, kg, key):
    return rule_figure_post(request, area=AREA, key=key, back=_url("settings", kg))

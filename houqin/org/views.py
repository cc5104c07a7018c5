"""HTML pages of the organisation. Thin: parse, call a selector or service, render."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from houqin import policy
from houqin.core.errors import DomainError
from houqin.core.models import AuditEvent
from houqin.core.history import history_rows
from houqin.core.web import add_domain_errors, form_action, xlsx_response
from houqin.org import roster, selectors, services
from houqin.org.forms import ChildForm, GuardianForm, ImportForm, LeaveForm, PickupPersonForm, StaffForm, VoidForm
from houqin.org.models import Campus

PAGE_SIZE = 50


@policy.requires("org.class.view")
def class_list(request, kg):
    classes = selectors.class_list(actor=request.actor)
    return render(request, "org/class_list.html", {"classes": classes})


@policy.requires("org.class.view")
def class_detail(request, kg, code):
    school_class = selectors.get_class(actor=request.actor, code=code)
    children = selectors.child_list(actor=request.actor, school_class=school_class)
    return render(request, "org/class_detail.html", {"school_class": school_class, "children": children})


@policy.requires("org.child.view")
def child_list(request, kg):
    actor = request.actor
    search = request.GET.get("q", "").strip()[:30]
    classes = selectors.class_list(actor=actor, capability="org.child.view")
    school_class = None
    class_code = request.GET.get("class", "")
    if class_code:
        school_class = next((c for c in classes if str(c.code) == class_code), None)
    children = selectors.child_list(actor=actor, school_class=school_class, search=search)
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "org/_child_rows.html" if request.headers.get("HX-Request") else "org/child_list.html"
    return render(
        request,
        template,
        {"page": page, "classes": classes, "school_class": school_class, "search": search,
         "can_create": actor.has("org.child.create")},
    )


@policy.requires("org.child.view")
def child_detail(request, kg, code):
    actor = request.actor
    child = selectors.get_child(actor=actor, code=code)
    sensitive = policy.can(actor, "org.child.view_sensitive", child)
    guardians = list(child.guardians.active())
    if sensitive:
        from houqin.core.audit import audit_event

        audit_event(action="org.child.view_sensitive", actor=actor.user, kindergarten=actor.kindergarten, obj=child,
                    request=request)
    for g in guardians:
        g.phone = selectors.shown_phone(g.phone, sensitive=sensitive)
    history = child.history.select_related("history_user").order_by("-history_date")[:50]
    return render(
        request,
        "org/child_detail.html",
        {
            "child": child,
            "guardians": guardians,
            "pickup_people": child.pickup_people.active(),
            "id_number": selectors.shown_id_number(child.id_number, sensitive=sensitive),
            "sensitive": sensitive,
            "can_change": policy.can(actor, "org.child.change", child),
            "can_void": policy.can(actor, "org.child.void", child),
            "can_erase": policy.allowed(actor, "org.privacy.erase", child),
            "history": history_rows(history),
        },
    )


@require_http_methods(["GET", "POST"])
@policy.requires("org.child.create")
def child_create(request, kg):
    actor = request.actor
    classes = selectors.class_list(actor=actor, capability="org.child.create")
    form = ChildForm(request.POST or None, classes=classes, initial={"enrolled_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            child = services.child_create(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("%(name)s has been enrolled.") % {"name": child.name})
            return redirect("org:child_detail", kg=kg, code=child.code)
    return render(request, "org/child_form.html", {"form": form, "title": _("Enrol a child")})


@require_http_methods(["GET", "POST"])
@policy.requires("org.child.change")
def child_edit(request, kg, code):
    actor = request.actor
    child = selectors.get_child(actor=actor, code=code, capability="org.child.change")
    sensitive = policy.can(actor, "org.child.view_sensitive", child)
    classes = selectors.class_list(actor=actor, capability="org.child.change")
    initial = {f: getattr(child, f) for f in services.CHILD_EDITABLE}
    form = ChildForm(request.POST or None, classes=classes, initial=initial, show_id_number=sensitive)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != initial.get(k)}
        try:
            services.child_update(actor=actor, child=child, **changes)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("org:child_detail", kg=kg, code=child.code)
    return render(request, "org/child_form.html", {"form": form, "title": _("Edit %(name)s") % {"name": child.name},
                                                   "child": child})


def _child_form(request, child, form, action, *, title: str, success_message: str = "", danger: bool = False):
    """A small form about one child (leave, void, add a guardian…) that returns to the child's page."""
    return form_action(
        request, form, action,
        success_url=reverse("org:child_detail", kwargs={"kg": child.kindergarten.slug, "code": child.code}),
        template="org/simple_form.html", context={"title": title, "back": child, "danger": danger},
        success_message=success_message,
    )


@require_http_methods(["GET", "POST"])
@policy.requires("org.child.change")
def child_leave(request, kg, code):
    actor = request.actor
    child = selectors.get_child(actor=actor, code=code, capability="org.child.change")
    form = LeaveForm(request.POST or None, initial={"left_on": timezone.localdate()})
    return _child_form(request, child, form, lambda data: services.child_leave(actor=actor, child=child, **data),
                       title=_("%(name)s leaves") % {"name": child.name},
                       success_message=_("The leaving date has been recorded."))


@require_http_methods(["GET", "POST"])
@policy.requires("org.child.void")
def child_void(request, kg, code):
    actor = request.actor
    child = selectors.get_child(actor=actor, code=code, capability="org.child.void")
    form = VoidForm(request.POST or None)
    return _child_form(request, child, form, lambda data: services.child_void(actor=actor, child=child, **data),
                       title=_("Void the record of %(name)s") % {"name": child.name},
                       success_message=_("The record has been voided."), danger=True)


@require_http_methods(["GET", "POST"])
@policy.requires("org.child.change")
def guardian_add(request, kg, code):
    actor = request.actor
    child = selectors.get_child(actor=actor, code=code, capability="org.child.change")
    form = GuardianForm(request.POST or None)
    return _child_form(request, child, form, lambda data: services.guardian_add(actor=actor, child=child, **data),
                       title=_("Add a guardian"))


@require_http_methods(["GET", "POST"])
@policy.requires("org.child.change")
def pickup_person_add(request, kg, code):
    actor = request.actor
    child = selectors.get_child(actor=actor, code=code, capability="org.child.change")
    form = PickupPersonForm(request.POST or None, initial={"valid_from": timezone.localdate()})
    return _child_form(request, child, form, lambda data: services.pickup_person_add(actor=actor, child=child, **data),
                       title=_("Authorise a pick-up person"))


@policy.requires("org.staff.view")
def staff_list(request, kg):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    staff = selectors.staff_list(actor=request.actor)
    enrolled = set(TOTPDevice.objects.filter(confirmed=True, user__in=staff.values("user")).values_list("user_id", flat=True))
    return render(request, "org/staff_list.html", {
        "staff": staff, "can_change": request.actor.has("org.staff.change"), "enrolled": enrolled,
        "can_reset_otp": request.actor.has("org.staff.otp_reset"),
    })


@require_POST
@policy.requires("org.staff.otp_reset")
def staff_otp_reset(request, kg, code):
    """The principal resets a staff member's two-step sign-in (a lost phone): audited; they enrol
    again at their next sign-in."""
    from houqin.core import otp

    membership = get_object_or_404(selectors.staff_list(actor=request.actor), code=code)
    otp.reset(actor=request.actor, membership=membership, request=request)
    messages.success(request, _("Two-step sign-in of %(name)s was reset: they set up the phone app again at their next sign-in.")
                     % {"name": membership.user.display_name})
    return redirect("org:staff_list", kg=kg)


@require_http_methods(["GET", "POST"])
@policy.requires("org.staff.change")
def staff_add(request, kg):
    actor = request.actor
    form = StaffForm(request.POST or None, classes=selectors.class_list(actor=actor))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.staff_add(actor=actor, campus=None, **data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("org:staff_list", kg=kg)
    return render(request, "org/simple_form.html", {"form": form, "title": _("Add staff")})


@policy.requires("org.roster.import")
def roster_page(request, kg):
    return render(request, "org/roster.html", {"form": ImportForm(), "campuses": Campus.objects.filter(kindergarten=request.actor.kindergarten)})


@require_POST
@policy.requires("org.roster.import")
def roster_import(request, kg):
    actor = request.actor
    form = ImportForm(request.POST, request.FILES)
    result = errors = None
    if form.is_valid():
        try:
            result = roster.import_roster(actor=actor, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"])
        except roster.ImportRejected as exc:
            errors = exc.errors
            form.add_error(None, exc.message)
    status = 200 if result is not None else 422
    return render(request, "org/roster.html", {"form": form, "result": result, "errors": errors}, status=status)


@policy.requires("org.roster.export")
def roster_export_children(request, kg):
    content = roster.export_children(actor=request.actor)
    return xlsx_response(content, f"{request.actor.kindergarten.name}-幼儿名册-{timezone.localdate():%Y%m%d}.xlsx")


@policy.requires("org.roster.export")
def roster_export_staff(request, kg):
    content = roster.export_staff(actor=request.actor)
    return xlsx_response(content, f"{request.actor.kindergarten.name}-教职工名册-{timezone.localdate():%Y%m%d}.xlsx")


@policy.requires("core.audit.view")
def audit_log(request, kg):
    events = AuditEvent.objects.filter(kindergarten=request.actor.kindergarten).select_related("actor")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "org/audit_log.html", {"page": page})


@policy.requires("district.view")
def district(request, district):
    from houqin.core.registry import district_todos_for

    rows = selectors.district_overview(actor=request.actor)
    return render(request, "org/district.html", {"rows": rows, "district": request.actor.district,
                                                 "todos": district_todos_for(request.actor)})

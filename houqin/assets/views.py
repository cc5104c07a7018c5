"""HTML pages of fixed assets. Thin: parse, call a selector or service, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from houqin import policy
from houqin.assets import labels, register, selectors, services
from houqin.assets.forms import (
    AssetForm,
    HandoverCountForm,
    HandoverOpenForm,
    ImportForm,
    ReasonForm,
    RoomForm,
    StateForm,
    StocktakeCountForm,
    StocktakeOpenForm,
)
from houqin.assets.models import AssetState, Category, HandoverKind, HandoverStatus, StocktakeStatus, Term
from houqin.core import files
from houqin.core.pdf import qr_svg_data_uri
from houqin.core.errors import DomainError, Forbidden
from houqin.core.web import add_domain_errors, form_action, xlsx_response
from houqin.core.history import history_rows

PAGE_SIZE = 50


def _kg(request):
    return request.actor.kindergarten


def _by_code(items, code):
    return next((i for i in items if str(i.code) == code), None) if code else None


def _filters(request, actor):
    """The register's filters from the query string: room, class, category, state, search."""
    rooms = list(selectors.room_list(actor=actor))
    classes = list(selectors.class_choices(actor=actor))
    state = request.GET.get("state", selectors.STATE_CURRENT)
    if state not in (selectors.STATE_CURRENT, selectors.STATE_ALL, *AssetState.values):
        state = selectors.STATE_CURRENT
    category = request.GET.get("category", "")
    return {
        "rooms": rooms,
        "classes": classes,
        "room": _by_code(rooms, request.GET.get("room", "")),
        "school_class": _by_code(classes, request.GET.get("class", "")),
        "category": category if category in Category.values else "",
        "state": state,
        "search": request.GET.get("q", "").strip()[:30],
    }


def _assets_for(actor, f, capability="assets.view"):
    return selectors.asset_list(actor=actor, room=f["room"], school_class=f["school_class"], category=f["category"],
                                state=f["state"], search=f["search"], capability=capability)


# --- the register ----------------------------------------------------------------------------


@policy.requires("assets.view")
def asset_list(request, kg):
    actor = request.actor
    f = _filters(request, actor)
    assets = _assets_for(actor, f)
    page = Paginator(assets, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        **f, "page": page, "totals": selectors.asset_totals(assets),
        "categories": Category.choices, "states": [(selectors.STATE_CURRENT, _("In use or under repair")),
                                                   *AssetState.choices, (selectors.STATE_ALL, _("All"))],
        "query": request.GET.urlencode(),
        "can_change": actor.has("assets.change"), "can_import": actor.has("assets.import"),
        "can_export": actor.has("assets.export"),
    }
    template = "assets/_asset_rows.html" if request.headers.get("HX-Request") else "assets/asset_list.html"
    return render(request, template, context)


def _asset_form(request, actor, *, initial=None):
    return AssetForm(request.POST or None, request.FILES or None, initial=initial,
                     rooms=selectors.room_list(actor=actor, capability="assets.change"),
                     classes=selectors.class_choices(actor=actor, capability="assets.change"),
                     staff=services.staff_users(actor.kindergarten))


@require_http_methods(["GET", "POST"])
@policy.requires("assets.change")
def asset_create(request, kg):
    actor = request.actor
    initial = {"quantity": 1, "category": Category.FURNITURE}
    room = _by_code(selectors.room_list(actor=actor, capability="assets.change"), request.GET.get("room", ""))
    if room is not None:
        initial.update(room=room, school_class=room.school_class)
    form = _asset_form(request, actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            asset = services.asset_create(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("%(name)s has been registered as %(label)s.")
                             % {"name": asset.name, "label": asset.label_code})
            return redirect("assets:asset_detail", kg=kg, code=asset.code)
    return render(request, "assets/asset_form.html", {"form": form, "title": _("Register an asset")})


@require_http_methods(["GET", "POST"])
@policy.requires("assets.change")
def asset_edit(request, kg, code):
    actor = request.actor
    asset = selectors.get_asset(actor=actor, code=code, capability="assets.change")
    fields = [f for f in services.ASSET_EDITABLE if f != "photo"]
    initial = {f: getattr(asset, f) for f in fields}
    form = _asset_form(request, actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k != "photo" and v != initial.get(k)}
        if form.cleaned_data.get("photo"):
            changes["photo"] = form.cleaned_data["photo"]
        try:
            services.asset_update(actor=actor, asset=asset, **changes)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("assets:asset_detail", kg=kg, code=asset.code)
    return render(request, "assets/asset_form.html",
                  {"form": form, "title": _("Edit %(name)s") % {"name": asset.name}, "asset": asset})


def _repair_url(actor, kg, asset):
    """The finance area's repair request for this asset, when it exists and the actor may use it."""
    try:
        url = reverse("finance:repair_request_create", kwargs={"kg": kg})
    except NoReverseMatch:
        return ""
    capability = policy.declared_capability(resolve(url).func)
    if capability in policy.CAPABILITIES and not actor.has(capability):
        return ""
    return f"{url}?asset={asset.code}"


@policy.requires("assets.view")
def asset_detail(request, kg, code):
    actor = request.actor
    asset = selectors.get_asset(actor=actor, code=code)
    history = asset.history.select_related("history_user").order_by("-history_date")[:50]
    scan_url = request.build_absolute_uri(labels.scan_path(asset.kindergarten, asset.label_code))
    active = not asset.is_voided and asset.state != AssetState.SCRAPPED
    can_change = active and policy.can(actor, "assets.change", asset)
    return render(request, "assets/asset_detail.html", {
        "asset": asset,
        "history": history_rows(history),
        "qr": qr_svg_data_uri(scan_url),
        "scan_url": scan_url,
        "can_change": can_change,
        "can_scrap": active and policy.can(actor, "assets.scrap", asset),
        "can_void": not asset.is_voided and policy.can(actor, "assets.scrap", asset),
        "repair_url": _repair_url(actor, kg, asset) if active else "",
        "handover_lines": asset.handover_lines.active().select_related("handover", "handover__school_class")
        .order_by("-handover__created_at")[:10],
    })


@policy.requires("assets.view")
def asset_photo(request, kg, code):
    asset = selectors.get_asset(actor=request.actor, code=code)
    return files.file_response(asset.photo)


def _asset_action_form(request, asset, form, action, *, title: str, success_message: str, danger: bool = False):
    """A small form about one asset (state, scrap, void) that returns to the asset's page."""
    back_url = reverse("assets:asset_detail", kwargs={"kg": asset.kindergarten.slug, "code": asset.code})
    return form_action(request, form, action, success_url=back_url, template="assets/simple_form.html",
                       context={"title": title, "back": asset, "back_url": back_url, "danger": danger},
                       success_message=success_message)


@require_http_methods(["GET", "POST"])
@policy.requires("assets.change")
def asset_state(request, kg, code):
    actor = request.actor
    asset = selectors.get_asset(actor=actor, code=code, capability="assets.change")
    next_state = AssetState.IN_USE if asset.state == AssetState.UNDER_REPAIR else AssetState.UNDER_REPAIR
    form = StateForm(request.POST or None, initial={"state": next_state})
    return _asset_action_form(request, asset, form, lambda data: services.asset_set_state(actor=actor, asset=asset, **data),
                       title=_("State of %(name)s") % {"name": asset.name}, success_message=_("Saved."))


@require_http_methods(["GET", "POST"])
@policy.requires("assets.scrap")
def asset_scrap(request, kg, code):
    actor = request.actor
    asset = selectors.get_asset(actor=actor, code=code, capability="assets.scrap")
    form = ReasonForm(request.POST or None)
    return _asset_action_form(
        request, asset, form,
        lambda data: services.asset_set_state(actor=actor, asset=asset, state=AssetState.SCRAPPED, reason=data["reason"]),
        title=_("Scrap %(name)s") % {"name": asset.name}, success_message=_("The asset has been scrapped."), danger=True)


@require_http_methods(["GET", "POST"])
@policy.requires("assets.scrap")
def asset_void(request, kg, code):
    actor = request.actor
    asset = selectors.get_asset(actor=actor, code=code, capability="assets.scrap")
    form = ReasonForm(request.POST or None)
    return _asset_action_form(request, asset, form,
                              lambda data: services.asset_void(actor=actor, asset=asset, reason=data["reason"]),
                       title=_("Void the entry %(label)s") % {"label": asset.label_code},
                       success_message=_("The record has been voided."), danger=True)


@policy.requires("assets.view")
def asset_scan(request, kg, label):
    """Where a label's QR code leads: the asset's page (404 outside the scanner's scope)."""
    asset = selectors.get_asset_by_label(actor=request.actor, label_code=label)
    return redirect("assets:asset_detail", kg=kg, code=asset.code)


@policy.requires("assets.view")
def asset_labels(request, kg):
    """A4 sheets of labels for the assets of the register's current filter (or one asset)."""
    actor = request.actor
    one = request.GET.get("asset", "")
    if one:
        assets = [selectors.get_asset(actor=actor, code=one)]
    else:
        assets = list(_assets_for(actor, _filters(request, actor))[:labels.MAX_LABELS])
    if not assets:
        raise Http404
    content = labels.labels_pdf(assets=assets, kindergarten=actor.kindergarten,
                                absolute_url=request.build_absolute_uri)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="labels.pdf"'
    return response


# --- rooms -----------------------------------------------------------------------------------


@policy.requires("assets.view")
def room_list(request, kg):
    actor = request.actor
    rooms = selectors.room_list(actor=actor, include_inactive=actor.has("assets.change"))
    return render(request, "assets/room_list.html", {"rooms": rooms, "can_change": actor.has("assets.change")})


@require_http_methods(["GET", "POST"])
@policy.requires("assets.change")
def room_create(request, kg):
    actor = request.actor
    form = RoomForm(request.POST or None, campuses=selectors.campus_choices(actor=actor, capability="assets.change"),
                    classes=selectors.class_choices(actor=actor, capability="assets.change"))
    if request.method == "POST" and form.is_valid():
        try:
            services.room_create(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("assets:room_list", kg=kg)
    return render(request, "assets/simple_form.html", {"form": form, "title": _("Add a room"),
                                                       "back_url": reverse("assets:room_list", kwargs={"kg": kg})})


@require_http_methods(["GET", "POST"])
@policy.requires("assets.change")
def room_edit(request, kg, code):
    actor = request.actor
    room = selectors.get_room(actor=actor, code=code, capability="assets.change")
    initial = {f: getattr(room, f) for f in services.ROOM_EDITABLE}
    form = RoomForm(request.POST or None, initial=initial, editing=True,
                    classes=selectors.class_choices(actor=actor, capability="assets.change").filter(
                        campus=room.campus))
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != initial.get(k)}
        try:
            services.room_update(actor=actor, room=room, **changes)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("assets:room_list", kg=kg)
    return render(request, "assets/simple_form.html", {
        "form": form, "title": _("Edit %(name)s") % {"name": room.name},
        "back_url": reverse("assets:room_list", kwargs={"kg": kg})})


# --- class handovers -------------------------------------------------------------------------


@policy.requires("assets.view")
def handover_list(request, kg):
    actor = request.actor
    status = request.GET.get("status", "")
    handovers = selectors.handover_list(actor=actor, status=status if status in HandoverStatus.values else "")
    return render(request, "assets/handover_list.html", {
        "handovers": handovers, "status": status, "statuses": HandoverStatus.choices,
        "can_open": actor.has("assets.handover.close"),
    })


def _default_term():
    today = timezone.localdate()
    if today.month >= 8:
        return today.year, Term.AUTUMN
    return today.year - 1, (Term.SPRING if today.month >= 2 else Term.AUTUMN)


@require_http_methods(["GET", "POST"])
@policy.requires("assets.handover.close")
def handover_open(request, kg):
    actor = request.actor
    classes = selectors.class_choices(actor=actor, capability="assets.handover.close")
    year, term = _default_term()
    form = HandoverOpenForm(request.POST or None, classes=classes,
                            initial={"school_year": year, "term": term, "kind": HandoverKind.START})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        school_class = data.pop("school_class")
        try:
            if school_class is not None:
                handover = services.handover_open(actor=actor, school_class=school_class, **data)
                return redirect("assets:handover_detail", kg=kg, code=handover.code)
            created = services.handover_open_for_classes(actor=actor, **data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Handovers opened for %(n)s classes.") % {"n": len(created)})
            return redirect("assets:handover_list", kg=kg)
    return render(request, "assets/simple_form.html", {
        "form": form, "title": _("Open class handovers"),
        "back_url": reverse("assets:handover_list", kwargs={"kg": kg})})


def _line_errors(form, exc: DomainError, prefixes: dict[str, str]) -> None:
    """Put a service's per-line errors (`<line code>.<field>`) on the form's line fields."""
    for error in exc.errors:
        field = error.get("field", "") if isinstance(error, dict) else ""
        code, _dot, name = field.partition(".")
        target = f"{prefixes.get(name, name)}_{code.replace('-', '')}"
        if target in form.fields:
            form.add_error(target, error["message"])
    form.add_error(None, exc.message)  # and on top, where a phone shows it


HANDOVER_FIELDS = {"counted_quantity": "counted", "damaged_quantity": "damaged", "amount_charged": "amount",
                   "explanation": "explanation", "negligence": "negligence", "responsible": "responsible"}


def _handover_context(request, handover, *, form=None, assess_form=None):
    actor = request.actor
    lines = list(selectors.handover_lines(handover))
    can_sign = policy.can(actor, "assets.handover.sign", handover)
    can_close = policy.can(actor, "assets.handover.close", handover)
    active = not handover.is_voided
    counting = active and handover.status == HandoverStatus.OPEN and (can_sign or can_close)
    if counting and form is None:
        form = HandoverCountForm(lines=lines, counting=True)
    assessing = active and can_close and handover.status == HandoverStatus.SIGNED
    if assessing and assess_form is None:
        assess_form = HandoverCountForm(lines=[l for l in lines if l.has_difference], counting=False, assessing=True,
                                        staff=services.staff_users(actor.kindergarten))
    return {
        "handover": handover, "lines": lines, "form": form if counting else None,
        "assess_form": assess_form if assessing else None,
        "can_sign": can_sign, "can_close": can_close and active,
        "charged": sum((l.amount_charged or 0) for l in lines if l.negligence),
        "differences": [l for l in lines if l.has_difference],
        "history": history_rows(handover.history.select_related("history_user").order_by("-history_date")[:30]),
    }


@policy.requires("assets.view")
def handover_detail(request, kg, code):
    handover = selectors.get_handover(actor=request.actor, code=code)
    return render(request, "assets/handover_detail.html", _handover_context(request, handover))


@require_POST
@policy.requires("assets.view")
def handover_count(request, kg, code):
    """The class teacher's phone form (or the logistics office's): found, damaged, why; and sign."""
    actor = request.actor
    handover = selectors.get_handover(actor=actor, code=code)
    lines = list(selectors.handover_lines(handover))
    form = HandoverCountForm(request.POST, lines=lines, counting=True)
    if form.is_valid():
        sign = request.POST.get("action") == "sign"
        try:
            services.handover_confirm(actor=actor, handover=handover, counts=form.entries(), sign=sign)
        except Forbidden as exc:
            raise PermissionDenied from exc
        except DomainError as exc:
            _line_errors(form, exc, HANDOVER_FIELDS)
        else:
            messages.success(request, _("Signed. Thank you.") if sign else _("Saved."))
            return redirect("assets:handover_detail", kg=kg, code=handover.code)
    handover.refresh_from_db()
    return render(request, "assets/handover_detail.html", _handover_context(request, handover, form=form),
                  status=422)


@require_http_methods(["GET", "POST"])
@policy.requires("assets.handover.close")
def handover_close(request, kg, code):
    """Close a signed handover: charges for negligence, then the register takes the differences."""
    actor = request.actor
    handover = selectors.get_handover(actor=actor, code=code, capability="assets.handover.close")
    if request.method == "GET":
        return render(request, "assets/handover_detail.html", _handover_context(request, handover))
    lines = [l for l in selectors.handover_lines(handover) if l.has_difference]
    form = HandoverCountForm(request.POST, lines=lines, counting=False, assessing=True,
                             staff=services.staff_users(actor.kindergarten))
    if form.is_valid():
        try:
            services.handover_close(actor=actor, handover=handover, assessments=form.entries())
        except DomainError as exc:
            _line_errors(form, exc, HANDOVER_FIELDS)
        else:
            messages.success(request, _("The handover has been closed and the register updated."))
            return redirect("assets:handover_detail", kg=kg, code=handover.code)
    handover.refresh_from_db()
    return render(request, "assets/handover_detail.html",
                  _handover_context(request, handover, assess_form=form), status=422)


@require_http_methods(["GET", "POST"])
@policy.requires("assets.handover.close")
def handover_return(request, kg, code):
    actor = request.actor
    handover = selectors.get_handover(actor=actor, code=code, capability="assets.handover.close")
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.handover_return(actor=actor, handover=handover, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The handover has been returned to the class teacher."))
            return redirect("assets:handover_detail", kg=kg, code=handover.code)
    return render(request, "assets/simple_form.html", {
        "form": form, "title": _("Return %(what)s for correction") % {"what": handover},
        "back_url": reverse("assets:handover_detail", kwargs={"kg": kg, "code": handover.code})})


@require_http_methods(["GET", "POST"])
@policy.requires("assets.handover.close")
def handover_void(request, kg, code):
    actor = request.actor
    handover = selectors.get_handover(actor=actor, code=code, capability="assets.handover.close")
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.handover_void(actor=actor, handover=handover, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The record has been voided."))
            return redirect("assets:handover_list", kg=kg)
    return render(request, "assets/simple_form.html", {
        "form": form, "title": _("Void %(what)s") % {"what": handover}, "danger": True,
        "back_url": reverse("assets:handover_detail", kwargs={"kg": kg, "code": handover.code})})


# --- asset stocktakes ------------------------------------------------------------------------


@policy.requires("assets.view")
def stocktake_list(request, kg):
    actor = request.actor
    return render(request, "assets/stocktake_list.html", {
        "stocktakes": selectors.stocktake_list(actor=actor), "can_open": actor.has("assets.stocktake")})


@require_http_methods(["GET", "POST"])
@policy.requires("assets.stocktake")
def stocktake_create(request, kg):
    actor = request.actor
    form = StocktakeOpenForm(request.POST or None, initial={"counted_on": timezone.localdate()},
                             rooms=selectors.room_list(actor=actor, capability="assets.stocktake"),
                             campuses=selectors.campus_choices(actor=actor, capability="assets.stocktake"))
    if request.method == "POST" and form.is_valid():
        try:
            stocktake = services.stocktake_open(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            return redirect("assets:stocktake_detail", kg=kg, code=stocktake.code)
    return render(request, "assets/simple_form.html", {
        "form": form, "title": _("Open an asset stocktake"),
        "back_url": reverse("assets:stocktake_list", kwargs={"kg": kg})})


def _stocktake_context(request, stocktake, *, form=None):
    actor = request.actor
    lines = list(selectors.stocktake_lines(stocktake))
    counting = (not stocktake.is_voided and stocktake.status == StocktakeStatus.OPEN
                and policy.can(actor, "assets.stocktake", stocktake))
    if counting and form is None:
        form = StocktakeCountForm(lines=lines)
    return {
        "stocktake": stocktake, "lines": lines, "form": form if counting else None, "can_count": counting,
        "counted": sum(1 for l in lines if l.counted_quantity is not None),
        "differences": [l for l in lines if l.difference],
    }


@policy.requires("assets.view")
def stocktake_detail(request, kg, code):
    stocktake = selectors.get_stocktake(actor=request.actor, code=code)
    return render(request, "assets/stocktake_detail.html", _stocktake_context(request, stocktake))


@require_POST
@policy.requires("assets.stocktake")
def stocktake_count(request, kg, code):
    actor = request.actor
    stocktake = selectors.get_stocktake(actor=actor, code=code, capability="assets.stocktake")
    form = StocktakeCountForm(request.POST, lines=list(selectors.stocktake_lines(stocktake)))
    if form.is_valid():
        post = request.POST.get("action") == "post"
        try:
            services.stocktake_count_and_post(actor=actor, stocktake=stocktake, counts=form.entries(), post=post)
        except DomainError as exc:
            _line_errors(form, exc, {"counted_quantity": "counted", "explanation": "explanation"})
        else:
            messages.success(request, _("The stocktake has been posted and the register updated.") if post
                             else _("Saved."))
            return redirect("assets:stocktake_detail", kg=kg, code=stocktake.code)
    stocktake.refresh_from_db()
    return render(request, "assets/stocktake_detail.html", _stocktake_context(request, stocktake, form=form),
                  status=422)


@require_http_methods(["GET", "POST"])
@policy.requires("assets.stocktake")
def stocktake_void(request, kg, code):
    actor = request.actor
    stocktake = selectors.get_stocktake(actor=actor, code=code, capability="assets.stocktake")
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.stocktake_void(actor=actor, stocktake=stocktake, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The record has been voided."))
            return redirect("assets:stocktake_list", kg=kg)
    return render(request, "assets/simple_form.html", {
        "form": form, "title": _("Void this stocktake"), "danger": True,
        "back_url": reverse("assets:stocktake_detail", kwargs={"kg": kg, "code": stocktake.code})})


# --- import and export -----------------------------------------------------------------------


@policy.requires("assets.import")
def import_page(request, kg):
    return render(request, "assets/import.html", {"form": ImportForm(), "columns": register.COLUMNS,
                                                  "can_export": request.actor.has("assets.export")})


@require_POST
@policy.requires("assets.import")
def import_upload(request, kg):
    form = ImportForm(request.POST, request.FILES)
    result = errors = None
    if form.is_valid():
        try:
            result = register.import_register(actor=request.actor, upload=form.cleaned_data["file"])
        except register.ImportRejected as exc:
            errors = exc.errors
            form.add_error(None, exc.message)
    return render(request, "assets/import.html",
                  {"form": form, "result": result, "errors": errors, "columns": register.COLUMNS,
                   "can_export": request.actor.has("assets.export")},
                  status=200 if result is not None else 422)


@policy.requires("assets.export")
def export_register(request, kg):
    content = register.export_register(actor=request.actor)
    return xlsx_response(content, f"{request.actor.kindergarten.name}-固定物品登记表-{timezone.localdate():%Y%m%d}.xlsx")


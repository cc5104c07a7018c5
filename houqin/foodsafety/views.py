"""HTML pages of food safety. Thin: parse a form, call a selector or a service, render or redirect."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from houqin import policy
from houqin.core import files
from houqin.core.errors import DomainError
from houqin.core.history import history_rows
from houqin.core.web import add_domain_errors, day_param, rule_figure_post
from houqin.foodsafety import logs, selectors, services
from houqin.foodsafety.disinfection import rule_text
from houqin.foodsafety.forms import (
    CertificateForm,
    DisposeForm,
    HygieneItemForm,
    ReasonForm,
    ReceiptForm,
    ReceiptLineFormSet,
    SampleForm,
    SettingsForm,
    TablewareForm,
)
from houqin.foodsafety.models import FigureKey, HygieneItem

PAGE_SIZE = 50


def _day(request) -> dt.date:
    return day_param(request, "day", latest=timezone.localdate())


def _people(actor):
    from houqin.stock.selectors import staff_people

    return staff_people(actor=actor)


# --- the kitchen's day ------------------------------------------------------------------------------


@policy.requires("foodsafety.view")
def kitchen(request, kg):
    actor = request.actor
    day = _day(request)
    data = selectors.kitchen_day(actor=actor, day=day)
    figures = services.rule_figures(actor.kindergarten)
    return render(request, "foodsafety/kitchen.html", {
        **data, "previous": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1) if day < timezone.localdate() else None,
        "min_grams": figures[FigureKey.SAMPLE_MIN_GRAMS], "hold_hours": figures[FigureKey.SAMPLE_HOLD_HOURS],
        "can_sample": actor.has("foodsafety.sample.record"), "can_tableware": actor.has("foodsafety.tableware.record"),
        "can_produce": actor.has("foodsafety.production.record"),
        "can_receive": actor.has("foodsafety.receiving.record"), "today": timezone.localdate(),
    })


@require_http_methods(["GET", "POST"])
@policy.requires("foodsafety.sample.record")
def sample_create(request, kg):
    actor = request.actor
    day = _day(request)
    dishes = services.served_dishes(actor.kindergarten, day)
    initial = {"dish": request.GET.get("dish", ""), "fridge": request.COOKIES.get("fs_fridge", "")}
    form = SampleForm(request.POST or None, dishes=dishes, initial=initial)
    if request.method == "POST" and form.is_valid():
        meal, _sep, code = form.cleaned_data["dish"].partition("|")
        try:
            sample = services.sample_record(actor=actor, day=day, meal=meal, dish_code=code, dishes=dishes,
                                            weight_grams=form.cleaned_data["weight_grams"],
                                            fridge=form.cleaned_data["fridge"],
                                            fridge_temperature=form.cleaned_data["fridge_temperature"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Sample of %(dish)s kept.") % {"dish": sample.dish_name})
            return redirect(reverse("foodsafety:kitchen", kwargs={"kg": kg}) + f"?day={day.isoformat()}")
    return render(request, "foodsafety/form.html", {
        "form": form, "title": _("Keep a sample"), "testid": "sample-form",
        "back": reverse("foodsafety:kitchen", kwargs={"kg": kg}) + f"?day={day.isoformat()}",
        "hint": _("Day: %(day)s") % {"day": day.strftime("%Y-%m-%d")}})


@policy.requires("foodsafety.view")
def sample_list(request, kg):
    samples = Paginator(selectors.sample_list(actor=request.actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "foodsafety/sample_list.html", {"samples": samples, "now": timezone.now(),
                                                           "can_sample": request.actor.has("foodsafety.sample.record")})


@require_POST
@policy.requires("foodsafety.sample.record")
def sample_discard(request, kg, code):
    sample = selectors.get_sample(actor=request.actor, code=code, capability="foodsafety.sample.record")
    try:
        services.sample_discard(actor=request.actor, sample=sample)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Discard of the sample of %(dish)s recorded.") % {"dish": sample.dish_name})
    return redirect(request.POST.get("next") or reverse("foodsafety:sample_list", kwargs={"kg": kg}))


@require_http_methods(["GET", "POST"])
@policy.requires("foodsafety.tableware.record")
def tableware_create(request, kg):
    actor = request.actor
    day = _day(request)
    dishes = services.served_dishes(actor.kindergarten, day)
    meals = list({d["meal"]: (d["meal"], d.get("meal_label", d["meal"])) for d in dishes}.values())
    if not meals:
        from houqin.canteen.models import Meal

        meals = list(Meal.choices)
    form = TablewareForm(request.POST or None, meals=meals, initial={"meal": request.GET.get("meal", ""),
                                                                     "method": "cabinet", "minutes": 30})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.tableware_record(actor=actor, day=day, meal=data["meal"], method=data["method"],
                                      minutes=data["minutes"], temperature=data["temperature"], note=data["note"],
                                      chlorine_mg_l=data["chlorine_mg_l"],
                                      meal_label=dict(meals).get(data["meal"], ""))
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Tableware disinfection recorded."))
            return redirect(reverse("foodsafety:kitchen", kwargs={"kg": kg}) + f"?day={day.isoformat()}")
    return render(request, "foodsafety/form.html", {
        "form": form, "title": _("Tableware disinfection"), "testid": "tableware-form",
        "back": reverse("foodsafety:tableware_list", kwargs={"kg": kg}),
        "hint": _("Day: %(day)s") % {"day": day.strftime("%Y-%m-%d")} + " · " + _(
            "Steam or boiling: at least %(heat_c)s °C for %(heat_min)s minutes; infrared cabinet: at least "
            "%(cabinet_c)s °C for %(cabinet_min)s minutes; chlorine solution: %(chlorine_low)s–%(chlorine_high)s "
            "mg/L (figures to be confirmed).") % {k: f"{v.value.normalize():f}" for k, v in
                                                   rule_text(actor.kindergarten).items()}})


@policy.requires("foodsafety.view")
def tableware_list(request, kg):
    rows = Paginator(selectors.tableware_list(actor=request.actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "foodsafety/tableware_list.html", {
        "rows": rows, "can_record": request.actor.has("foodsafety.tableware.record")})


# --- receiving ----------------------------------------------------------------------------------------


def _receipt_forms(request, actor):
    from houqin.stock.models import Item, Warehouse, WarehouseKind

    suppliers = selectors.supplier_list(actor=actor)
    warehouses = policy.scoped(actor, "foodsafety.receiving.record",
                               Warehouse.objects.filter(kind=WarehouseKind.FOOD, is_active=True)).order_by("pk")
    items = policy.scoped(actor, "foodsafety.view", Item.objects.filter(is_food=True, is_active=True)).order_by(
        "category", "name_pinyin")
    data = request.POST if request.method == "POST" else None
    form = ReceiptForm(data, request.FILES or None, suppliers=suppliers, warehouses=warehouses,
                       initial={"received_on": timezone.localdate(), "warehouse": warehouses.first()})
    lines = ReceiptLineFormSet(data, prefix="lines", form_kwargs={"items": items})
    return form, lines


@require_http_methods(["GET", "POST"])
@policy.requires("foodsafety.receiving.record")
def receipt_create(request, kg):
    actor = request.actor
    form, lines = _receipt_forms(request, actor)
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        data = form.cleaned_data
        rows = [line.cleaned_data for line in lines.forms if line.cleaned_data.get("item")]
        try:
            receipt = services.receipt_create(
                actor=actor, supplier=data["supplier"], warehouse=data["warehouse"], lines=rows,
                received_on=data["received_on"], invoice_photo=data["invoice_photo"], note=data["note"],
                override_reason=data["override_reason"])
        except DomainError as exc:
            _place_line_errors(form, lines, exc)
        else:
            messages.success(request, _("Delivery recorded."))
            return redirect("foodsafety:receipt_detail", kg=kg, code=receipt.code)
    return render(request, "foodsafety/receipt_form.html", {"form": form, "lines": lines})


def _place_line_errors(form, lines, exc: DomainError) -> None:
    forms = [f for f in lines.forms if f.cleaned_data.get("item")]
    rest = []
    for error in exc.errors:
        field = error.get("field", "")
        if field.startswith("lines."):
            _prefix, index, name = (field.split(".") + ["", ""])[:3]
            try:
                target = forms[int(index)]
            except (ValueError, IndexError):
                rest.append(error)
                continue
            target.add_error(name if name in target.fields else None, error["message"])
        else:
            rest.append(error)
    if rest or not exc.errors:
        add_domain_errors(form, DomainError(exc.message, errors=rest))


@policy.requires("foodsafety.view")
def receipt_list(request, kg):
    receipts = Paginator(selectors.receipt_list(actor=request.actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "foodsafety/receipt_list.html", {
        "receipts": receipts, "can_receive": request.actor.has("foodsafety.receiving.record")})


@policy.requires("foodsafety.view")
def receipt_detail(request, kg, code):
    receipt = selectors.get_receipt(actor=request.actor, code=code)
    history = receipt.history.select_related("history_user").order_by("-history_date")[:30]
    return render(request, "foodsafety/receipt_detail.html", {
        "receipt": receipt, "history": history_rows(history), "today": timezone.localdate(),
        "can_void": request.actor.has("foodsafety.void"), "void_form": ReasonForm()})


@policy.requires("foodsafety.view")
def receipt_invoice(request, kg, code):
    receipt = selectors.get_receipt(actor=request.actor, code=code)
    return files.file_response(receipt.invoice_photo)


_VOIDABLE = {
    "receipt": (selectors.get_receipt, "foodsafety:receipt_detail"),
    "certificate": (selectors.get_certificate, "foodsafety:certificate_list"),
    "sample": (selectors.get_sample, "foodsafety:sample_list"),
    "expiry-check": (selectors.get_expiry_check, "foodsafety:expiry_list"),
    "hygiene": (selectors.get_hygiene, "foodsafety:hygiene_list"),
    "tableware": (selectors.get_tableware, "foodsafety:tableware_list"),
    "pest": (logs.get_pest, "foodsafety:pest_list"),
    "filter": (logs.get_filter_change, "foodsafety:water_list"),
    "water-test": (logs.get_water_test, "foodsafety:water_list"),
}


@require_POST
@policy.requires("foodsafety.void")
def void(request, kg, kind, code):
    if kind not in _VOIDABLE:
        raise Http404
    getter, back = _VOIDABLE[kind]
    record = getter(actor=request.actor, code=code, capability="foodsafety.void")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for voiding."))
    else:
        try:
            services.void_record(actor=request.actor, record=record, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Voided."))
    if back == "foodsafety:receipt_detail":
        return redirect(back, kg=kg, code=code)
    return redirect(back, kg=kg)


# --- certificates -------------------------------------------------------------------------------------


@policy.requires("foodsafety.view")
def certificate_list(request, kg):
    return render(request, "foodsafety/certificate_list.html", {
        "rows": selectors.certificate_register(actor=request.actor), "today": timezone.localdate(),
        "can_change": request.actor.has("foodsafety.certificate.change")})


@require_http_methods(["GET", "POST"])
@policy.requires("foodsafety.certificate.change")
def certificate_create(request, kg):
    actor = request.actor
    suppliers = selectors.supplier_list(actor=actor)
    initial = {"supplier": suppliers.filter(code=request.GET.get("supplier") or None).first(),
               "kind": request.GET.get("kind", "")}
    form = CertificateForm(request.POST or None, request.FILES or None, suppliers=suppliers, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_create(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Certificate recorded."))
            return redirect("foodsafety:certificate_list", kg=kg)
    return render(request, "foodsafety/form.html", {
        "form": form, "title": _("New certificate"), "testid": "certificate-form", "multipart": True,
        "back": reverse("foodsafety:certificate_list", kwargs={"kg": kg})})


@policy.requires("foodsafety.view")
def certificate_scan(request, kg, code):
    cert = selectors.get_certificate(actor=request.actor, code=code)
    return files.file_response(cert.scan)


# --- expiry checks ------------------------------------------------------------------------------------


@policy.requires("foodsafety.view")
def expiry_list(request, kg):
    actor = request.actor
    figures = services.rule_figures(actor.kindergarten)
    missed, due = selectors.expiry_gaps(actor.kindergarten, timezone.localdate(), int(figures[FigureKey.EXPIRY_CHECK_DAYS].value))
    checks = Paginator(selectors.expiry_check_list(actor=actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "foodsafety/expiry_list.html", {
        "checks": checks, "missed": missed, "due": due, "stores": selectors.food_stores(actor.kindergarten),
        "every": figures[FigureKey.EXPIRY_CHECK_DAYS], "can_check": actor.has("foodsafety.expiry.check")})


@require_http_methods(["GET", "POST"])
@policy.requires("foodsafety.expiry.check")
def expiry_create(request, kg):
    actor = request.actor
    from houqin.stock.selectors import get_warehouse

    stores = selectors.food_stores(actor.kindergarten)
    code = request.GET.get("warehouse") or (str(stores[0].code) if stores else None)
    warehouse = get_warehouse(actor=actor, code=code, capability="foodsafety.expiry.check")
    figures = services.rule_figures(actor.kindergarten)
    soon = int(figures[FigureKey.EXPIRY_SOON_DAYS].value)
    certified = services.certified_suppliers(actor.kindergarten, timezone.localdate())
    batches = list(services.batches_to_check(warehouse))
    for batch in batches:
        batch.state = services.batch_state(batch, timezone.localdate(), soon)
        batch.certified = batch.supplier_id in certified
    error = None
    if request.method == "POST":
        results = {str(b.code): {
            "production_date_ok": request.POST.get(f"pd-{b.code}") == "on",
            "shelf_life_ok": request.POST.get(f"sl-{b.code}") == "on",
            "certificate_ok": request.POST.get(f"cert-{b.code}") == "on",
            "note": request.POST.get(f"note-{b.code}", ""),
        } for b in batches}
        try:
            check = services.expiry_check_create(actor=actor, warehouse=warehouse, results=results,
                                                 note=request.POST.get("note", ""))
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Expiry check recorded."))
            return redirect("foodsafety:expiry_detail", kg=kg, code=check.code)
    return render(request, "foodsafety/expiry_form.html", {
        "warehouse": warehouse, "stores": stores, "batches": batches, "error": error, "today": timezone.localdate()})


@policy.requires("foodsafety.view")
def expiry_detail(request, kg, code):
    check = selectors.get_expiry_check(actor=request.actor, code=code)
    return render(request, "foodsafety/expiry_detail.html", {
        "check": check, "can_dispose": request.actor.has("foodsafety.expiry.dispose")})


@require_http_methods(["GET", "POST"])
@policy.requires("foodsafety.expiry.dispose")
def expiry_dispose(request, kg, code):
    actor = request.actor
    line = selectors.get_expiry_line(actor=actor, code=code, capability="foodsafety.expiry.dispose")
    form = DisposeForm(request.POST or None, people=_people(actor).exclude(pk=actor.user.pk),
                       initial={"quantity": line.batch.quantity, "reason": _("Expired")})
    if request.method == "POST" and form.is_valid():
        try:
            services.expiry_line_dispose(actor=actor, line=line, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Disposal recorded in the stock ledger."))
            return redirect("foodsafety:expiry_detail", kg=kg, code=line.expiry_check.code)
    return render(request, "foodsafety/form.html", {
        "form": form, "title": _("Dispose of %(batch)s") % {"batch": line.batch}, "testid": "dispose-form",
        "back": reverse("foodsafety:expiry_detail", kwargs={"kg": kg, "code": line.expiry_check.code})})


# --- hygiene ------------------------------------------------------------------------------------------


@policy.requires("foodsafety.view")
def hygiene_list(request, kg):
    inspections = Paginator(selectors.hygiene_list(actor=request.actor), PAGE_SIZE).get_page(request.GET.get("page"))
    figures = services.rule_figures(request.actor.kindergarten)
    return render(request, "foodsafety/hygiene_list.html", {
        "inspections": inspections, "every": figures[FigureKey.HYGIENE_INSPECTION_DAYS],
        "can_inspect": request.actor.has("foodsafety.hygiene.inspect"),
        "can_edit": request.actor.has("foodsafety.hygiene.template")})


@require_http_methods(["GET", "POST"])
@policy.requires("foodsafety.hygiene.inspect")
def hygiene_create(request, kg):
    actor = request.actor
    items = list(services.hygiene_items(actor.kindergarten))
    error = None
    for item in items:  # the answers given so far, kept when the form comes back with an error
        item.answer = request.POST.get(f"pass-{item.code}")
    if request.method == "POST":
        answers = {"1": True, "0": False}
        results = {str(i.code): {"passed": answers.get(request.POST.get(f"pass-{i.code}")),
                                 "note": request.POST.get(f"note-{i.code}", "")} for i in items}
        try:
            inspection = services.hygiene_inspection_create(actor=actor, results=results,
                                                            note=request.POST.get("note", ""))
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("Hygiene inspection recorded."))
            return redirect("foodsafety:hygiene_detail", kg=kg, code=inspection.code)
    return render(request, "foodsafety/hygiene_form.html", {"items": items, "error": error, "post": request.POST})


@policy.requires("foodsafety.view")
def hygiene_detail(request, kg, code):
    inspection = selectors.get_hygiene(actor=request.actor, code=code)
    return render(request, "foodsafety/hygiene_detail.html", {"inspection": inspection})


@require_http_methods(["GET", "POST"])
@policy.requires("foodsafety.hygiene.template")
def hygiene_checklist(request, kg):
    actor = request.actor
    form = HygieneItemForm(request.POST or None)
    if request.method == "POST":
        toggle = request.POST.get("toggle")
        try:
            if toggle:
                item = policy.scoped(actor, "foodsafety.hygiene.template", HygieneItem.objects.filter(code=toggle)
                                     ).first()
                if item is None:
                    raise Http404
                services.hygiene_item_save(actor=actor, item=item, text=item.text, area=item.area,
                                           is_active=not item.is_active)
                return redirect("foodsafety:hygiene_checklist", kg=kg)
            if form.is_valid():
                services.hygiene_item_save(actor=actor, **form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("foodsafety:hygiene_checklist", kg=kg)
        except DomainError as exc:
            add_domain_errors(form, exc)
    items = services.hygiene_items(actor.kindergarten, include_inactive=True)
    return render(request, "foodsafety/hygiene_checklist.html", {"items": items, "form": form})


# --- rule figures and settings ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@policy.requires("foodsafety.view")
def rules(request, kg):
    actor = request.actor
    figures = list(services.rule_figures(actor.kindergarten).values())
    row = services.fs_settings(actor.kindergarten)
    can_change = actor.has("foodsafety.rules.change")
    form = SettingsForm(request.POST if request.method == "POST" else None, initial={
        "allow_certificate_override": row.allow_certificate_override, "samples_due_by": row.samples_due_by})
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            services.settings_update(actor=actor, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("foodsafety:rules", kg=kg)
    return render(request, "foodsafety/rules.html", {"figures": figures, "form": form, "can_change": can_change,
                                                     "post": reverse("foodsafety:rules", kwargs={"kg": kg})})


@require_POST
@policy.requires("foodsafety.rules.change")
def rule_set(request, kg, key):
    return rule_figure_post(request, area=services.AREA, key=key, back=reverse("foodsafety:rules", kwargs={"kg": kg}))

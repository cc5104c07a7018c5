"""HTML pages of the storeroom. Thin: parse a form, call a selector or a service, render or redirect."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from houqin import policy
from houqin.core.history import history_rows
from houqin.core.errors import DomainError
from houqin.core.web import add_domain_errors, day_param, xlsx_response
from houqin.org.models import Campus, SchoolClass
from houqin.stock import exports, selectors, services
from houqin.stock.navigation import purchase_request_url
from houqin.stock.forms import (
    CountForm,
    DisposeForm,
    IssueForm,
    ItemForm,
    KitchenIssueForm,
    OptionalReasonForm,
    ReasonForm,
    ReceiveForm,
    RequisitionForm,
    RequisitionIssueForm,
    RequisitionLineFormSet,
    SettingsForm,
    StocktakeOpenForm,
    SupplierForm,
    TransferForm,
    WarehouseForm,
)
from houqin.stock.models import UNITS, Category, MovementKind, RequisitionStatus, WarehouseKind

PAGE_SIZE = 50


# --- stock on hand, items, batches --------------------------------------------------------------


@policy.requires("stock.view")
def on_hand(request, kg):
    actor = request.actor
    warehouses = list(selectors.warehouse_list(actor=actor))
    code = request.GET.get("warehouse", "")
    warehouse = next((w for w in warehouses if str(w.code) == code), None)
    search = request.GET.get("q", "").strip()[:30]
    category = request.GET.get("category", "")
    category = category if category in Category.values else ""
    rows = selectors.stock_on_hand(actor=actor, warehouse=warehouse, search=search, category=category)
    context = {
        "rows": rows, "warehouses": warehouses, "warehouse": warehouse, "search": search, "category": category,
        "categories": Category.choices, "total_value": sum((r["value"] for r in rows), 0),
    }
    if request.headers.get("HX-Request"):
        return render(request, "stock/_on_hand_rows.html", context)
    return render(request, "stock/on_hand.html", context)


@policy.requires("stock.view")
def item_list(request, kg):
    actor = request.actor
    search = request.GET.get("q", "").strip()[:30]
    items = selectors.item_list(actor=actor, search=search, include_inactive=True)
    return render(request, "stock/item_list.html", {"items": items, "search": search,
                                                    "can_change": actor.has("stock.item.change")})


@policy.requires("stock.view")
def item_detail(request, kg, code):
    actor = request.actor
    item = selectors.get_item(actor=actor, code=code)
    batches = selectors.batch_list(actor=actor, item=item)
    ledger = Paginator(selectors.item_ledger(actor=actor, item=item), PAGE_SIZE).get_page(request.GET.get("page"))
    history = item.history.select_related("history_user").order_by("-history_date")[:30]
    return render(request, "stock/item_detail.html", {
        "history": history_rows(history),
        "item": item, "batches": batches, "ledger": ledger, "totals": selectors.item_on_hand(actor=actor, item=item),
        "today": timezone.localdate(), "can_change": policy.can(actor, "stock.item.change", item),
        "can_dispose": actor.has("stock.dispose"), "can_correct": actor.has("stock.receive"),
    })


@require_http_methods(["GET", "POST"])
@policy.requires("stock.item.change")
def item_create(request, kg):
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_create(actor=request.actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("%(item)s has been added.") % {"item": item})
            return redirect("stock:item_detail", kg=kg, code=item.code)
    return render(request, "stock/item_form.html", {"form": form, "title": _("New item"), "units": UNITS})


@require_http_methods(["GET", "POST"])
@policy.requires("stock.item.change")
def item_edit(request, kg, code):
    item = selectors.get_item(actor=request.actor, code=code, capability="stock.item.change")
    initial = {f: getattr(item, f) for f in services.ITEM_FIELDS}
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(actor=request.actor, item=item, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("stock:item_detail", kg=kg, code=item.code)
    return render(request, "stock/item_form.html", {"form": form, "title": _("Edit %(item)s") % {"item": item},
                                                    "item": item, "units": UNITS})


def _people(actor):
    return selectors.staff_people(actor=actor)


@require_http_methods(["GET", "POST"])
@policy.requires("stock.dispose")
def batch_dispose(request, kg, code):
    actor = request.actor
    batch = selectors.get_batch(actor=actor, code=code, capability="stock.dispose")
    expired = batch.is_expired_on(timezone.localdate())
    form = DisposeForm(request.POST or None, people=_people(actor), initial={
        "occurred_on": timezone.localdate(), "quantity": services.qty(batch.quantity),
        "kind": MovementKind.DISPOSAL_EXPIRED if batch.expiry_date else MovementKind.DISPOSAL_DAMAGED})
    if request.method == "POST" and form.is_valid():
        try:
            services.dispose(actor=actor, batch=batch, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The disposal has been recorded."))
            return redirect("stock:item_detail", kg=kg, code=batch.item.code)
    return render(request, "stock/batch_dispose.html", {"form": form, "batch": batch, "expired": expired})


@require_http_methods(["GET", "POST"])
@policy.requires("stock.receive")
def receipt_correct(request, kg, code):
    actor = request.actor
    movement = selectors.get_movement(actor=actor, code=code, capability="stock.receive")
    if movement.kind != MovementKind.RECEIPT:
        raise Http404
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.receipt_correct(actor=actor, movement=movement, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The receipt has been corrected."))
            return redirect("stock:item_detail", kg=kg, code=movement.item.code)
    return render(request, "stock/receipt_correct.html", {"form": form, "movement": movement})


# --- receive, issue, kitchen, transfer ----------------------------------------------------------


@require_http_methods(["GET", "POST"])
@policy.requires("stock.receive")
def receive(request, kg):
    actor = request.actor
    warehouses = selectors.warehouse_list(actor=actor, capability="stock.receive")
    items = selectors.item_list(actor=actor, capability="stock.receive")
    initial = {"occurred_on": timezone.localdate()}
    item_code = request.GET.get("item")
    if item_code:
        item = items.filter(code=item_code).first() if _is_uuid(item_code) else None
        if item is not None:
            initial["item"] = item
            initial["warehouse"] = warehouses.filter(kind=WarehouseKind.FOOD if item.is_food else WarehouseKind.GENERAL).first()
    form = ReceiveForm(request.POST or None, warehouses=warehouses, items=items,
                       suppliers=selectors.supplier_list(actor=actor, capability="stock.receive"), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            movement = services.receive(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Received %(quantity)s %(unit)s of %(item)s into %(warehouse)s.") % {
                "quantity": services.qty(movement.quantity), "unit": movement.item.unit, "item": movement.item,
                "warehouse": movement.warehouse})
            if "again" in request.POST:
                return redirect("stock:receive", kg=kg)
            return redirect("stock:item_detail", kg=kg, code=movement.item.code)
    return render(request, "stock/receive.html", {"form": form})


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@require_http_methods(["GET", "POST"])
@policy.requires("stock.issue")
def issue(request, kg):
    actor = request.actor
    classes = policy.scoped(actor, "stock.issue", SchoolClass.objects.filter(is_active=True)).select_related("campus")
    form = IssueForm(
        request.POST or None, warehouses=selectors.warehouse_list(actor=actor, capability="stock.issue"),
        items=selectors.item_list(actor=actor, capability="stock.issue"), classes=classes, people=_people(actor),
        initial={"occurred_on": timezone.localdate(), "kind": MovementKind.ISSUE_REQUISITION},
    )
    if request.method == "POST" and form.is_valid():
        try:
            movements = services.issue(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            item = movements[0].item
            messages.success(request, _("Issued %(quantity)s %(unit)s of %(item)s.") % {
                "quantity": services.qty(-sum(m.quantity for m in movements)), "unit": item.unit, "item": item})
            return redirect("stock:item_detail", kg=kg, code=item.code)
    return render(request, "stock/issue.html", {"form": form})


@require_http_methods(["GET", "POST"])
@policy.requires("stock.issue_kitchen")
def kitchen_issue(request, kg):
    """The day's food for the kitchen: pick the food store, fill in what goes out, issue it all at once."""
    actor = request.actor
    stores = list(selectors.warehouse_list(actor=actor, capability="stock.issue_kitchen").filter(kind=WarehouseKind.FOOD))
    code = request.POST.get("warehouse") or request.GET.get("warehouse", "")
    warehouse = next((w for w in stores if str(w.code) == code), stores[0] if stores else None)
    rows = []
    if warehouse is not None:
        rows = [r for r in selectors.stock_on_hand(actor=actor, warehouse=warehouse) if r["quantity"] > r["expired"]]
    form = KitchenIssueForm(request.POST or None, rows=rows, initial={"occurred_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        wanted = form.quantities()
        if not wanted:
            form.add_error(None, _("Enter the quantity of at least one food."))
        else:
            try:
                services.kitchen_issue_day(actor=actor, warehouse=warehouse, lines=[
                    {"item": row["item"], "quantity": quantity, "field": f"q-{row['item'].code}"} for row, quantity in wanted
                ], occurred_on=form.cleaned_data["occurred_on"], reason=form.cleaned_data["reason"])
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("%(n)d foods issued to the kitchen.") % {"n": len(wanted)})
                return redirect(reverse("stock:kitchen_issue", kwargs={"kg": kg}) + f"?warehouse={warehouse.code}")
    recent = selectors.movement_list(actor=actor, warehouse=warehouse, kind=MovementKind.ISSUE_KITCHEN,
                                     start=timezone.localdate() - dt.timedelta(days=3))[:20] if warehouse else []
    return render(request, "stock/kitchen_issue.html", {"form": form, "stores": stores, "warehouse": warehouse,
                                                        "recent": recent})


@require_http_methods(["GET", "POST"])
@policy.requires("stock.issue")
def transfer(request, kg):
    actor = request.actor
    form = TransferForm(request.POST or None, warehouses=selectors.warehouse_list(actor=actor, capability="stock.issue"),
                        items=selectors.item_list(actor=actor, capability="stock.issue"),
                        initial={"occurred_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            movements = services.transfer(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The transfer has been recorded."))
            return redirect("stock:item_detail", kg=kg, code=movements[0].item.code)
    return render(request, "stock/simple_form.html", {"form": form, "title": _("Transfer between warehouses")})


# --- low stock and expiry ------------------------------------------------------------------------


@policy.requires("stock.view")
def alerts(request, kg):
    actor = request.actor
    low = selectors.low_stock_items(actor=actor)
    days = selectors.expiry_warning_days(actor.kindergarten)
    expiring = list(selectors.expiring_batches(actor=actor, within_days=days))
    today = timezone.localdate()
    for batch in expiring:
        batch.expired = batch.is_expired_on(today)
        batch.purchase_url = purchase_request_url(actor.kindergarten, [batch.item])
    for item in low:
        item.purchase_url = purchase_request_url(actor.kindergarten, [item])
    return render(request, "stock/alerts.html", {
        "low": low, "expiring": expiring, "days": days, "today": today,
        "purchase_all_url": purchase_request_url(actor.kindergarten, low),
        "purchase_expiring_url": purchase_request_url(
            actor.kindergarten, list({b.item_id: b.item for b in expiring}.values())),
        "can_dispose": actor.has("stock.dispose"),
    })


# --- suppliers and settings ----------------------------------------------------------------------


@policy.requires("stock.view")
def supplier_list(request, kg):
    actor = request.actor
    return render(request, "stock/supplier_list.html", {
        "suppliers": selectors.supplier_list(actor=actor, include_inactive=True),
        "can_change": actor.has("stock.item.change")})


@require_http_methods(["GET", "POST"])
@policy.requires("stock.item.change")
def supplier_create(request, kg):
    form = SupplierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("is_active", None)
        try:
            services.supplier_create(actor=request.actor, **data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("stock:supplier_list", kg=kg)
    return render(request, "stock/simple_form.html", {"form": form, "title": _("New supplier"),
                                                      "back": reverse("stock:supplier_list", kwargs={"kg": kg})})


@require_http_methods(["GET", "POST"])
@policy.requires("stock.item.change")
def supplier_edit(request, kg, code):
    supplier = selectors.get_supplier(actor=request.actor, code=code, capability="stock.item.change")
    fields = ("name", "contact_person", "phone", "address", "notes", "is_active")
    form = SupplierForm(request.POST or None, initial={f: getattr(supplier, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        try:
            services.supplier_update(actor=request.actor, supplier=supplier, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("stock:supplier_list", kg=kg)
    return render(request, "stock/simple_form.html", {"form": form, "title": supplier.name,
                                                      "back": reverse("stock:supplier_list", kwargs={"kg": kg})})


@require_http_methods(["GET", "POST"])
@policy.requires("stock.settings")
def stock_settings(request, kg):
    actor = request.actor
    row = services.stock_settings(actor.kindergarten)
    form = SettingsForm(request.POST or None, initial={"expiry_warning_days": row.expiry_warning_days,
                                                      "expiry_warning_source": row.expiry_warning_source})
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("stock:settings", kg=kg)
    campuses = policy.scoped(actor, "stock.settings", Campus.objects.all())
    return render(request, "stock/settings.html", {
        "form": form, "warehouses": selectors.warehouse_list(actor=actor, capability="stock.settings",
                                                             include_inactive=True),
        "warehouse_form": WarehouseForm(campuses=campuses)})


@require_POST
@policy.requires("stock.settings")
def warehouse_create(request, kg):
    actor = request.actor
    form = WarehouseForm(request.POST, campuses=policy.scoped(actor, "stock.settings", Campus.objects.all()))
    if form.is_valid():
        try:
            services.warehouse_create(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Please correct the errors below."))
    return redirect("stock:settings", kg=kg)


# --- requisitions --------------------------------------------------------------------------------


@policy.requires("stock.requisition.view")
def requisition_list(request, kg):
    actor = request.actor
    status = request.GET.get("status", "")
    status = status if status in RequisitionStatus.values else ""
    open_only = not status and request.GET.get("all") != "1"
    page = Paginator(selectors.requisition_list(actor=actor, status=status, open_only=open_only), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "stock/requisition_list.html", {
        "page": page, "status": status, "open_only": open_only, "statuses": RequisitionStatus.choices,
        "can_create": actor.has("stock.requisition.create")})


@policy.requires("stock.requisition.create")
def my_requisitions(request, kg):
    actor = request.actor
    page = Paginator(selectors.my_requisitions(actor=actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "stock/my_requisitions.html", {"page": page,
                                                          "can_view": actor.has("stock.requisition.view")})


@require_http_methods(["GET", "POST"])
@policy.requires("stock.requisition.create")
def requisition_create(request, kg):
    actor = request.actor
    capability = "stock.requisition.create"
    class_scoped = actor.widest_scope(capability) == policy.Scope.CLASS
    classes = policy.scoped(actor, capability, SchoolClass.objects.filter(is_active=True)).select_related("campus")
    campuses = policy.scoped(actor, capability, Campus.objects.all())
    items = selectors.requestable_items(actor=actor)
    initial = {}
    if class_scoped and classes.count() == 1:
        initial["school_class"] = classes.first()
    form = RequisitionForm(request.POST or None, classes=classes, campuses=campuses, class_required=class_scoped,
                           initial=initial)
    lines = RequisitionLineFormSet(request.POST or None, form_kwargs={"items": items}, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        wanted = [f.cleaned_data for f in lines if f.cleaned_data.get("item") or f.cleaned_data.get("quantity")]
        try:
            requisition = services.requisition_create(
                actor=actor, lines=wanted, school_class=form.cleaned_data.get("school_class"),
                campus=form.cleaned_data.get("campus"), purpose=form.cleaned_data["purpose"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Requisition %(number)s has been sent to the storekeeper.")
                             % {"number": requisition.number})
            if actor.has("stock.requisition.view") and policy.can(actor, "stock.requisition.view", requisition):
                return redirect("stock:requisition_detail", kg=kg, code=requisition.code)
            return redirect("stock:my_requisitions", kg=kg)
    return render(request, "stock/requisition_form.html", {"form": form, "lines": lines})


@policy.requires("stock.requisition.view")
def requisition_detail(request, kg, code):
    actor = request.actor
    requisition = selectors.get_requisition(actor=actor, code=code)
    may_issue = policy.can(actor, "stock.requisition.issue", requisition)
    may_cancel = requisition.is_open and (may_issue or (
        requisition.requested_by_id == actor.user.pk and policy.can(actor, "stock.requisition.create", requisition)))
    history = requisition.history.select_related("history_user").order_by("-history_date")[:30]
    return render(request, "stock/requisition_detail.html", {
        "requisition": requisition, "lines": requisition.lines.all(),
        "movements": selectors.requisition_movements(requisition),
        "may_issue": may_issue and requisition.is_open, "may_cancel": may_cancel,
        "reject_form": ReasonForm(), "cancel_form": OptionalReasonForm(), "history": history_rows(history),
    })


@require_http_methods(["GET", "POST"])
@policy.requires("stock.requisition.issue")
def requisition_issue(request, kg, code):
    actor = request.actor
    requisition = selectors.get_requisition(actor=actor, code=code, capability="stock.requisition.issue")
    if not requisition.is_open:
        messages.info(request, _("This requisition is %(status)s.") % {"status": requisition.get_status_display()})
        return redirect("stock:requisition_detail", kg=kg, code=code)
    warehouses = selectors.warehouse_list(actor=actor, capability="stock.requisition.issue")
    lines = [line for line in requisition.lines.all() if line.quantity_outstanding > 0]
    default = (warehouses.filter(campus=requisition.campus, kind=WarehouseKind.GENERAL).first()
               or warehouses.filter(campus=requisition.campus).first() or warehouses.first())
    chosen = default
    if request.method == "POST":
        posted = request.POST.get("warehouse", "")
        chosen = warehouses.filter(pk=posted).first() if posted.isdigit() else None
    on_hand = {}
    if chosen is not None:
        on_hand = {r["item"].pk: r for r in selectors.stock_on_hand(actor=actor, warehouse=chosen)}
    available = {pk: r["quantity"] - r["expired"] for pk, r in on_hand.items()}
    form = RequisitionIssueForm(request.POST or None, warehouses=warehouses, people=_people(actor), lines=lines,
                                available=available, initial={"warehouse": default, "occurred_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.requisition_issue(
                actor=actor, requisition=requisition, warehouse=form.cleaned_data["warehouse"],
                quantities=form.quantities(), occurred_on=form.cleaned_data["occurred_on"],
                recipient=form.cleaned_data["recipient"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Requisition %(number)s has been issued.") % {"number": requisition.number})
            return redirect("stock:requisition_detail", kg=kg, code=code)
    return render(request, "stock/requisition_issue.html", {
        "form": form, "requisition": requisition,
        "line_rows": [(line, field, on_hand.get(line.item_id)) for line, field in form.line_fields()]})


@require_POST
@policy.requires("stock.requisition.issue")
def requisition_reject(request, kg, code):
    actor = request.actor
    requisition = selectors.get_requisition(actor=actor, code=code, capability="stock.requisition.issue")
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.requisition_reject(actor=actor, requisition=requisition, reason=reason)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The requisition has been rejected."))
    return redirect("stock:requisition_detail", kg=kg, code=code)


@require_POST
@policy.requires("stock.requisition.create")
def requisition_cancel(request, kg, code):
    actor = request.actor
    requisition = selectors.get_requisition_to_cancel(actor=actor, code=code)
    form = OptionalReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.requisition_cancel(actor=actor, requisition=requisition, reason=reason)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The requisition has been cancelled."))
    if policy.can(actor, "stock.requisition.view", requisition):
        return redirect("stock:requisition_detail", kg=kg, code=code)
    return redirect("stock:my_requisitions", kg=kg)


def _term_start(today: dt.date) -> dt.date:
    """The start of the current term: 1 September (autumn) or 1 February (spring)."""
    if today.month >= 9:
        return dt.date(today.year, 9, 1)
    if today.month == 1:
        return dt.date(today.year - 1, 9, 1)
    return dt.date(today.year, 2, 1)


@policy.requires("stock.requisition.view")
def consumption(request, kg):
    actor = request.actor
    today = timezone.localdate()
    start = day_param(request, "start", default=_term_start(today))
    end = day_param(request, "end", default=today)
    if end < start:
        start, end = end, start
    by_class = selectors.consumption_by_class(actor=actor, start=start, end=end)
    by_person = selectors.consumption_by_person(actor=actor, start=start, end=end)
    return render(request, "stock/consumption.html", {"start": start, "end": end, "by_class": by_class,
                                                      "by_person": by_person})


# --- stocktakes ---------------------------------------------------------------------------------


@policy.requires("stock.stocktake.view")
def stocktake_list(request, kg):
    actor = request.actor
    page = Paginator(selectors.stocktake_list(actor=actor), PAGE_SIZE).get_page(request.GET.get("page"))
    form = None
    if actor.has("stock.stocktake"):
        form = StocktakeOpenForm(warehouses=selectors.warehouse_list(actor=actor, capability="stock.stocktake"))
    return render(request, "stock/stocktake_list.html", {"page": page, "form": form})


@require_POST
@policy.requires("stock.stocktake")
def stocktake_open(request, kg):
    actor = request.actor
    form = StocktakeOpenForm(request.POST, warehouses=selectors.warehouse_list(actor=actor, capability="stock.stocktake"))
    if form.is_valid():
        try:
            stocktake = services.stocktake_open(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("stock:stocktake_detail", kg=kg, code=stocktake.code)
    else:
        messages.error(request, _("Choose a warehouse."))
    return redirect("stock:stocktake_list", kg=kg)


@policy.requires("stock.stocktake.view")
def stocktake_detail(request, kg, code):
    actor = request.actor
    stocktake = selectors.get_stocktake(actor=actor, code=code)
    lines = list(selectors.stocktake_lines(stocktake))
    may_count = stocktake.is_open and policy.can(actor, "stock.stocktake", stocktake)
    show = request.GET.get("show", "")
    shown = lines
    if show == "todo":
        shown = [line for line in lines if line.counted_quantity is None]
    elif show == "diff":
        shown = [line for line in lines if line.difference]
    return render(request, "stock/stocktake_detail.html", {
        "stocktake": stocktake, "lines": shown, "summary": selectors.stocktake_summary(lines), "show": show,
        "may_count": may_count, "close_form": ReasonForm(), "today": timezone.localdate(),
    })


@require_POST
@policy.requires("stock.stocktake")
def stocktake_count(request, kg, code, line):
    """Save one counted line. With htmx the row answers itself (a phone at the shelf); without it,
    back to the list."""
    actor = request.actor
    stocktake = selectors.get_stocktake(actor=actor, code=code, capability="stock.stocktake")
    line_obj = selectors.get_stocktake_line(actor=actor, stocktake=stocktake, code=line)
    form = CountForm(request.POST)
    error = None
    if form.is_valid():
        try:
            line_obj = services.stocktake_record_count(actor=actor, line=line_obj, **form.cleaned_data)
        except DomainError as exc:
            error = exc.message
    else:
        error = _("Enter the counted quantity (0 when there is none).")
    if request.headers.get("HX-Request"):
        line_obj = selectors.stocktake_lines(stocktake).get(pk=line_obj.pk)
        return render(request, "stock/_stocktake_line.html", {
            "line": line_obj, "stocktake": stocktake, "may_count": stocktake.is_open, "error": error, "saved": not error})
    if error:
        messages.error(request, error)
    return redirect(reverse("stock:stocktake_detail", kwargs={"kg": kg, "code": code}) + f"#line-{line_obj.code}")


@require_POST
@policy.requires("stock.stocktake")
def stocktake_post(request, kg, code):
    actor = request.actor
    stocktake = selectors.get_stocktake(actor=actor, code=code, capability="stock.stocktake")
    try:
        services.stocktake_post(actor=actor, stocktake=stocktake)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The stocktake has been posted: the differences are in the ledger."))
    return redirect("stock:stocktake_detail", kg=kg, code=code)


@require_POST
@policy.requires("stock.stocktake")
def stocktake_close(request, kg, code):
    actor = request.actor
    stocktake = selectors.get_stocktake(actor=actor, code=code, capability="stock.stocktake")
    form = ReasonForm(request.POST)
    try:
        services.stocktake_close(actor=actor, stocktake=stocktake,
                                 reason=form.cleaned_data["reason"] if form.is_valid() else "")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The stocktake has been closed without posting."))
    return redirect("stock:stocktake_detail", kg=kg, code=code)


# --- reports and exports -------------------------------------------------------------------------


def _month_param(value: str) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in value.split("-"))
        dt.date(year, month, 1)
    except (ValueError, TypeError):
        return today.year, today.month
    if not 2000 <= year <= 2100:
        return today.year, today.month
    return year, month


@policy.requires("stock.export")
def report(request, kg):
    year, month = _month_param(request.GET.get("month", ""))
    data = selectors.monthly_report(actor=request.actor, year=year, month=month)
    return render(request, "stock/report.html", {"report": data, "month": f"{year:04d}-{month:02d}"})


@policy.requires("stock.export")
def report_xlsx(request, kg):
    actor = request.actor
    year, month = _month_param(request.GET.get("month", ""))
    content = exports.monthly_workbook(actor=actor, year=year, month=month)
    return xlsx_response(content, f"{actor.kindergarten.name}-出入库月报-{year:04d}{month:02d}.xlsx")


@policy.requires("stock.export")
def on_hand_xlsx(request, kg):
    actor = request.actor
    content = exports.on_hand_workbook(actor=actor)
    return xlsx_response(content, f"{actor.kindergarten.name}-库存价值-{timezone.localdate():%Y%m%d}.xlsx")

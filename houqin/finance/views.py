"""HTML pages of purchasing, repairs and money. Thin: parse, call a selector or service, render.

Every state change is a POST to its own address, declared with the capability it needs; the service
decides the finer rules (whose turn it is, who may sign which step) and its message is shown."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from houqin import policy
from houqin.core import files
from houqin.core.history import history_rows
from houqin.core.errors import DomainError
from houqin.core.web import add_domain_errors, xlsx_response
from houqin.finance import reports, selectors, services
from houqin.finance.forms import (
    BudgetForm,
    CategoryForm,
    ExpenseForm,
    FeeStandardForm,
    LineFormSet,
    PayForm,
    PurchaseRequestForm,
    ReceiptForm,
    RepairDoneForm,
    RepairRequestForm,
    RepairStartForm,
    SettingsForm,
    VoidForm,
)
from houqin.finance.integration import asset_for_code, low_stock_lines, stock_item_for_code
from houqin.finance.models import (
    COMMITTING,
    FixedBy,
    PaymentMethod,
    PurchaseRequest,
    RepairRequest,
    RequestStatus,
    Term,
)

PAGE_SIZE = 50
S = RequestStatus


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


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


def _history(obj):
    return history_rows(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[:50])


# --------------------------------------------------------------------------------------------
# Purchase requests


@policy.requires("finance.purchase.view")
def purchase_list(request, kg):
    actor = request.actor
    status = request.GET.get("status", "")
    page = _page(request, selectors.purchase_request_list(actor=actor, status=status))
    return render(request, "finance/purchase_list.html", {
        "page": page, "status": status, "filters": _request_filters(),
        "can_create": actor.has("finance.purchase.create"),
    })


def _request_filters():
    return [("", _("All")), ("awaiting", _("Awaiting approval")), ("approved", _("Approved")), ("done", _("Done")),
            ("draft", _("Drafts")), ("closed", _("Rejected or cancelled"))]


def _place_line_errors(formset, form, exc: DomainError) -> None:
    placed = False
    for error in exc.errors:
        match = re.match(r"lines\.(\d+)\.(\w+)$", str(error.get("field", "")))
        if match and int(match[1]) < len(formset.forms):
            line_form = formset.forms[int(match[1])]
            if match[2] in line_form.fields:
                line_form.add_error(match[2], error["message"])
                placed = True
    if placed:
        exc = DomainError(exc.message, errors=[e for e in exc.errors if not str(e.get("field", "")).startswith("lines.")])
        if not exc.errors:
            form.add_error(None, _("Please correct the lines below."))
            return
    add_domain_errors(form, exc)


def _formset(request, initial_lines):
    if request.method == "POST":
        data = request.POST.copy()
        if "more" in request.POST:
            total = int(data.get("lines-TOTAL_FORMS") or 0)
            data["lines-TOTAL_FORMS"] = str(min(total + 3, 50))
        return LineFormSet(data, prefix="lines")
    return LineFormSet(initial=initial_lines, prefix="lines")


def _lines_from(actor, formset) -> list[dict]:
    lines = []
    for line_form in formset.forms:
        data = dict(getattr(line_form, "cleaned_data", {}) or {})
        code = data.pop("stock_item", "")
        data["stock_item"] = stock_item_for_code(actor, code) if code else None
        lines.append(data)
    return lines


def _purchase_form(request, kg, *, initial: dict, initial_lines: list[dict], title: str, purchase=None):
    actor = request.actor
    cats = selectors.categories(actor=actor, capability="finance.purchase.create")
    form = PurchaseRequestForm(request.POST or None, categories=cats, initial=initial,
                               suppliers=selectors.suppliers(actor=actor))
    formset = _formset(request, initial_lines)
    if request.method == "POST" and "more" not in request.POST and form.is_valid() and formset.is_valid():
        lines = _lines_from(actor, formset)
        submit = request.POST.get("action") == "submit"
        try:
            if purchase is None:
                purchase = services.purchase_request_create(actor=actor, lines=lines, submit=submit, **form.cleaned_data)
            else:
                purchase = services.purchase_request_update(actor=actor, request=purchase, lines=lines,
                                                            **form.cleaned_data)
                if submit:
                    purchase = services.request_submit(actor=actor, request=purchase)
        except DomainError as exc:
            _place_line_errors(formset, form, exc)
        else:
            messages.success(request, _("Submitted for approval.") if submit else _("Saved as a draft."))
            return redirect("finance:purchase_detail", kg=kg, code=purchase.code)
    return render(request, "finance/purchase_form.html", {
        "form": form, "formset": formset, "title": title, "purchase": purchase, "no_categories": not cats.exists(),
    })


@require_http_methods(["GET", "POST"])
@policy.requires("finance.purchase.create")
def purchase_create(request, kg):
    return _purchase_form(request, kg, initial={}, initial_lines=[{}, {}, {}], title=_("New purchase request"))


@require_http_methods(["GET", "POST"])
@policy.requires("finance.purchase.create")
def purchase_request_from_stock(request, kg):
    """From the storeroom's low-stock list: one line per chosen item, prefilled, in one step."""
    actor = request.actor
    codes = [c.strip() for c in request.GET.get("items", "").split(",") if c.strip()][:50]
    food_in_budget = services.finance_settings(actor.kindergarten).food_in_budget
    lines, food, category_name = low_stock_lines(actor, codes, food_in_budget=food_in_budget)
    initial = {"title": _("Restock the storeroom"),
               "reason": _("Storeroom items below their minimum level or about to expire.")}
    cats = selectors.categories(actor=actor, capability="finance.purchase.create")
    category = cats.filter(name=category_name).first() if category_name else None
    if category is not None:
        initial["category"] = category.pk
    if request.method == "GET":
        if food:
            messages.info(request, _("Food is bought for the meal account, not from this budget: left out %(names)s.")
                          % {"names": "、".join(food)})
        if not lines:
            messages.info(request, _("None of the chosen items could be found in the storeroom: add the lines yourself."))
    return _purchase_form(request, kg, initial=initial, initial_lines=lines + [{}],
                          title=_("Purchase request from the storeroom"))


@policy.requires("finance.purchase.view")
def purchase_detail(request, kg, code):
    actor = request.actor
    purchase = selectors.get_purchase_request(actor=actor, code=code)
    return render(request, "finance/purchase_detail.html", {
        "purchase": purchase, "lines": purchase.lines.all(), "actions": services.request_actions(actor, purchase),
        "expenses": purchase.expenses.filter(voided_at__isnull=True).select_related("category"),
        "can_expense": actor.has("finance.expense.create") and purchase.status in COMMITTING,
        "history": _history(purchase), "kind": "purchase",
        "budget_row": selectors.budget_row(actor=actor, category=purchase.category, year=purchase.budget_year)
        if purchase.is_open else None,
    })


@require_http_methods(["GET", "POST"])
@policy.requires("finance.purchase.create")
def purchase_edit(request, kg, code):
    purchase = selectors.get_purchase_request(actor=request.actor, code=code, capability="finance.purchase.create")
    if purchase.status != S.DRAFT or purchase.created_by_id != request.user.pk:
        messages.error(request, _("Only a draft can be changed, by the person who asked."))
        return redirect("finance:purchase_detail", kg=kg, code=code)
    initial = {f: getattr(purchase, f) for f in ("title", "reason", "budget_year", "needed_by", "supplier_name")}
    initial["category"], initial["supplier"] = purchase.category_id, purchase.supplier_id
    lines = [{"description": ln.description, "quantity": ln.quantity, "unit": ln.unit, "unit_price": ln.unit_price,
              "stock_item": str(ln.stock_item.code) if ln.stock_item_id else ""}
             for ln in purchase.lines.select_related("stock_item")]
    return _purchase_form(request, kg, initial=initial, initial_lines=lines + [{}], purchase=purchase,
                          title=_("Edit %(number)s") % {"number": purchase.number})


def _request_action(request, kg, code, *, kind: str, capability: str, func, success: str, **kwargs):
    getter = selectors.get_purchase_request if kind == "purchase" else selectors.get_repair_request
    obj = getter(actor=request.actor, code=code, capability=capability)
    _run(request, func, success, request=obj, **kwargs)
    return redirect(f"finance:{kind}_detail", kg=kg, code=code)


@require_POST
@policy.requires("finance.purchase.create")
def purchase_submit(request, kg, code):
    return _request_action(request, kg, code, kind="purchase", capability="finance.purchase.create",
                           func=services.request_submit, success=_("Submitted for approval."))


@require_POST
@policy.requires("finance.purchase.approve")
def purchase_approve(request, kg, code):
    return _request_action(request, kg, code, kind="purchase", capability="finance.purchase.approve",
                           func=services.request_approve, success=_("Approved."))


@require_POST
@policy.requires("finance.purchase.approve")
def purchase_reject(request, kg, code):
    return _request_action(request, kg, code, kind="purchase", capability="finance.purchase.approve",
                           func=services.request_reject, success=_("Rejected."), reason=request.POST.get("reason", ""))


@require_POST
@policy.requires("finance.purchase.view")
def purchase_cancel(request, kg, code):
    return _request_action(request, kg, code, kind="purchase", capability="finance.purchase.view",
                           func=services.request_cancel, success=_("Cancelled."), reason=request.POST.get("reason", ""))


@require_POST
@policy.requires("finance.purchase.process")
def purchase_ordered(request, kg, code):
    return _request_action(request, kg, code, kind="purchase", capability="finance.purchase.process",
                           func=services.purchase_request_mark_ordered, success=_("Recorded as ordered."))


@require_POST
@policy.requires("finance.purchase.process")
def purchase_received(request, kg, code):
    return _request_action(request, kg, code, kind="purchase", capability="finance.purchase.process",
                           func=services.purchase_request_mark_received, success=_("Recorded as received."))


# --------------------------------------------------------------------------------------------
# Repair requests


@policy.requires("finance.repair.view")
def repair_list(request, kg):
    actor = request.actor
    status = request.GET.get("status", "")
    page = _page(request, selectors.repair_request_list(actor=actor, status=status))
    return render(request, "finance/repair_list.html", {
        "page": page, "status": status, "filters": _request_filters(),
        "can_create": actor.has("finance.repair.create"),
    })


@require_http_methods(["GET", "POST"])
@policy.requires("finance.repair.create")
def repair_request_create(request, kg):
    """Report a repair; `?asset=<code>` (from the asset register) names the asset and its place."""
    from houqin.org.models import Campus

    actor = request.actor
    asset = asset_for_code(actor, request.GET.get("asset") or request.POST.get("asset") or "")
    cats = selectors.categories(actor=actor, capability="finance.repair.create")
    campuses = list(Campus.objects.filter(kindergarten=actor.kindergarten).order_by("name"))
    initial = {}
    repair_cat = cats.filter(name="维修").first()
    if repair_cat is not None:
        initial["category"] = repair_cat.pk
    if asset is not None:
        initial["title"] = asset["name"]
        initial["location"] = asset["location"]
    form = RepairRequestForm(request.POST or None, categories=cats, campuses=Campus.objects.filter(
        kindergarten=actor.kindergarten).order_by("name") if len(campuses) > 1 else None, initial=initial)
    simple = not actor.has("finance.repair.approve")
    if simple:  # staff who report a repair do not choose budget lines: the repairs line of this year
        del form.fields["category"], form.fields["budget_year"]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if simple:
            data["category"] = repair_cat or cats.first()
        try:
            repair = services.repair_request_create(
                actor=actor, asset=asset["object"] if asset else None,
                submit=request.POST.get("action") == "submit", **data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Submitted for approval.") if repair.status != S.DRAFT else _("Saved as a draft."))
            return redirect("finance:repair_detail", kg=kg, code=repair.code)
    return render(request, "finance/repair_form.html", {"form": form, "asset": asset, "title": _("Report a repair"),
                                                        "no_categories": not cats.exists()})


@policy.requires("finance.repair.view")
def repair_detail(request, kg, code):
    actor = request.actor
    repair = selectors.get_repair_request(actor=actor, code=code)
    start_form = RepairStartForm(initial={"fixed_by": repair.fixed_by or FixedBy.IN_HOUSE, "fixer_name": repair.fixer_name})
    return render(request, "finance/repair_detail.html", {
        "repair": repair, "actions": services.request_actions(actor, repair), "start_form": start_form,
        "expenses": repair.expenses.filter(voided_at__isnull=True).select_related("category"),
        "can_expense": actor.has("finance.expense.create") and repair.status in COMMITTING,
        "asset": asset_for_code(actor, repair.asset.code) if repair.asset_id else None,
        "history": _history(repair), "kind": "repair",
        "budget_row": selectors.budget_row(actor=actor, category=repair.category, year=repair.budget_year)
        if repair.is_open else None,
    })


@require_POST
@policy.requires("finance.repair.create")
def repair_submit(request, kg, code):
    return _request_action(request, kg, code, kind="repair", capability="finance.repair.create",
                           func=services.request_submit, success=_("Submitted for approval."))


@require_POST
@policy.requires("finance.repair.approve")
def repair_approve(request, kg, code):
    return _request_action(request, kg, code, kind="repair", capability="finance.repair.approve",
                           func=services.request_approve, success=_("Approved."))


@require_POST
@policy.requires("finance.repair.approve")
def repair_reject(request, kg, code):
    return _request_action(request, kg, code, kind="repair", capability="finance.repair.approve",
                           func=services.request_reject, success=_("Rejected."), reason=request.POST.get("reason", ""))


@require_POST
@policy.requires("finance.repair.view")
def repair_cancel(request, kg, code):
    return _request_action(request, kg, code, kind="repair", capability="finance.repair.view",
                           func=services.request_cancel, success=_("Cancelled."), reason=request.POST.get("reason", ""))


@require_POST
@policy.requires("finance.repair.record")
def repair_start(request, kg, code):
    repair = selectors.get_repair_request(actor=request.actor, code=code, capability="finance.repair.record")
    form = RepairStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say who repairs it (in house or a contractor) and their name."))
    else:
        _run(request, services.repair_request_start, _("The repair has started."), request=repair, **form.cleaned_data)
    return redirect("finance:repair_detail", kg=kg, code=code)


@require_http_methods(["GET", "POST"])
@policy.requires("finance.repair.record")
def repair_done(request, kg, code):
    actor = request.actor
    repair = selectors.get_repair_request(actor=actor, code=code, capability="finance.repair.record")
    initial = {"fixed_by": repair.fixed_by or FixedBy.IN_HOUSE, "fixer_name": repair.fixer_name,
               "actual_cost": repair.estimated_cost, "repaired_on": timezone.localdate()}
    form = RepairDoneForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.repair_request_complete(actor=actor, request=repair, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The repair has been recorded."))
            return redirect("finance:repair_detail", kg=kg, code=code)
    return render(request, "finance/simple_form.html", {
        "form": form, "title": _("%(number)s: record the repair") % {"number": repair.number},
        "back": reverse("finance:repair_detail", kwargs={"kg": kg, "code": code}),
    })


# --------------------------------------------------------------------------------------------
# Expenses


@policy.requires("finance.expense.view")
def expense_list(request, kg):
    actor = request.actor
    status = request.GET.get("status", "")
    page = _page(request, selectors.expense_list(actor=actor, status=status))
    filters = [("", _("All")), ("signing", _("Being signed")), ("to_pay", _("To pay")), ("paid", _("Paid")),
               ("voided", _("Voided"))]
    return render(request, "finance/expense_list.html", {
        "page": page, "status": status, "filters": filters, "can_create": actor.has("finance.expense.create"),
    })


def _expense_form(request, data=None, files=None, *, initial=None, with_receipts=True):
    actor = request.actor
    return ExpenseForm(
        data, files, initial=initial, with_receipts=with_receipts,
        categories=selectors.categories(actor=actor, capability="finance.expense.create"),
        handlers=selectors.signers_for(actor.kindergarten),
        purchases=selectors.approved_requests(actor=actor, model=PurchaseRequest, capability="finance.expense.create"),
        repairs=selectors.approved_requests(actor=actor, model=RepairRequest, capability="finance.expense.create"),
    )


@require_http_methods(["GET", "POST"])
@policy.requires("finance.expense.create")
def expense_create(request, kg):
    actor = request.actor
    initial = {"spent_on": timezone.localdate()}
    for key, model, capability in (("purchase", PurchaseRequest, "finance.purchase.view"),
                                   ("repair", RepairRequest, "finance.repair.view")):
        code = request.GET.get(key, "")
        if code:
            getter = selectors.get_purchase_request if key == "purchase" else selectors.get_repair_request
            linked = getter(actor=actor, code=code, capability=capability) if actor.has(capability) else None
            if linked is not None:
                initial.update({f"{key}_request": linked.pk, "category": linked.category_id, "title": linked.title,
                                "amount": getattr(linked, "total", None) or getattr(linked, "actual_cost", None)
                                or getattr(linked, "estimated_cost", None)})
                if key == "repair" and linked.fixer_name:
                    initial["payee"] = linked.fixer_name
                if key == "purchase" and linked.supplier_name:
                    initial["payee"] = linked.supplier_name
    form = _expense_form(request, request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("photo", None)
        data.pop("receipts", None)
        try:
            expense = services.expense_create(actor=actor, receipts=form.uploads(), **data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The expense has been recorded. The handler signs first."))
            return redirect("finance:expense_detail", kg=kg, code=expense.code)
    return render(request, "finance/expense_form.html", {"form": form, "title": _("Record an expense"),
                                                         "multipart": True})


def _chain(actor, expense) -> list[dict]:
    """The three steps with who signed when, and whether the viewer could sign each."""
    signed = {s.step: s for s in expense.signatures.all()}
    steps = []
    for step, eligible in services.sign_eligibility(actor, expense).items():
        steps.append({"step": step, "label": step.label, "signature": signed.get(step),
                      "is_next": expense.next_step == step, "can_sign": eligible and step not in signed
                      and not expense.is_voided})
    return steps


@policy.requires("finance.expense.view")
def expense_detail(request, kg, code):
    actor = request.actor
    expense = selectors.get_expense(actor=actor, code=code)
    user = request.user
    is_owner = user.pk in (expense.created_by_id, expense.handler_id)
    editable = expense.status == "draft" and not expense.is_voided and is_owner and actor.has("finance.expense.create")
    return render(request, "finance/expense_detail.html", {
        "expense": expense, "receipts": expense.active_receipts, "chain": _chain(actor, expense),
        "editable": editable, "receipt_form": ReceiptForm() if editable else None,
        "pay_form": PayForm(initial={"paid_on": timezone.localdate(), "method": PaymentMethod.TRANSFER})
        if actor.has("finance.expense.pay") and expense.status == "principal_signed" else None,
        "can_void": not expense.is_voided and (actor.has("finance.expense.void") or editable),
        "history": _history(expense),
    })


@require_http_methods(["GET", "POST"])
@policy.requires("finance.expense.create")
def expense_edit(request, kg, code):
    actor = request.actor
    expense = selectors.get_expense(actor=actor, code=code, capability="finance.expense.create")
    if expense.status != "draft" or expense.is_voided or request.user.pk not in (expense.created_by_id,
                                                                                 expense.handler_id):
        messages.error(request, _("A signed expense cannot be changed; the principal can void it with a reason."))
        return redirect("finance:expense_detail", kg=kg, code=code)
    fields = ("title", "amount", "category", "spent_on", "payee", "description", "handler")
    initial = {f: getattr(expense, f) for f in fields}
    initial["category"], initial["handler"] = expense.category_id, expense.handler_id
    form = _expense_form(request, request.POST or None, initial=initial, with_receipts=False)
    del form.fields["purchase_request"], form.fields["repair_request"]
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k in fields}
        if changes.get("handler") is None:
            changes.pop("handler", None)
        try:
            services.expense_update(actor=actor, expense=expense, **changes)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("finance:expense_detail", kg=kg, code=code)
    return render(request, "finance/expense_form.html", {"form": form, "expense": expense,
                                                         "title": _("Edit %(number)s") % {"number": expense.number}})


@require_POST
@policy.requires("finance.expense.sign")
def expense_sign(request, kg, code):
    expense = selectors.get_expense(actor=request.actor, code=code, capability="finance.expense.sign")
    step = request.POST.get("step") or None
    if step not in (None, "handler", "acceptor", "principal"):
        raise Http404
    _run(request, services.expense_sign, _("Signed."), expense=expense, step=step)
    return redirect("finance:expense_detail", kg=kg, code=code)


@require_POST
@policy.requires("finance.expense.pay")
def expense_pay(request, kg, code):
    expense = selectors.get_expense(actor=request.actor, code=code, capability="finance.expense.pay")
    form = PayForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the date of payment and how it was paid."))
    else:
        _run(request, services.expense_pay, _("Paid."), expense=expense, **form.cleaned_data)
    return redirect("finance:expense_detail", kg=kg, code=code)


@require_http_methods(["GET", "POST"])
@policy.requires("finance.expense.view")
def expense_void(request, kg, code):
    actor = request.actor
    expense = selectors.get_expense(actor=actor, code=code)
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.expense_void(actor=actor, expense=expense, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The expense has been voided."))
            return redirect("finance:expense_detail", kg=kg, code=code)
    return render(request, "finance/simple_form.html", {
        "form": form, "danger": True, "title": _("Void %(number)s") % {"number": expense.number},
        "back": reverse("finance:expense_detail", kwargs={"kg": kg, "code": code}),
    })


@require_POST
@policy.requires("finance.expense.create")
def receipt_add(request, kg, code):
    actor = request.actor
    expense = selectors.get_expense(actor=actor, code=code, capability="finance.expense.create")
    form = ReceiptForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file."))
    else:
        for upload in form.uploads():
            _result, ok = _run(request, services.receipt_add, None, expense=expense, upload=upload)
            if not ok:
                break
        else:
            messages.success(request, _("Receipt added."))
    return redirect("finance:expense_detail", kg=kg, code=code)


@require_POST
@policy.requires("finance.expense.create")
def receipt_void(request, kg, code):
    actor = request.actor
    receipt = selectors.get_receipt(actor=actor, code=code, capability="finance.expense.create")
    _run(request, services.receipt_void, _("The receipt has been removed."), receipt=receipt,
         reason=request.POST.get("reason") or _("Removed before signing"))
    return redirect("finance:expense_detail", kg=kg, code=receipt.expense.code)


@policy.requires("finance.expense.view")
def receipt_file(request, kg, code):
    """A receipt, only through this policy check (there is no public address for it)."""
    receipt = selectors.get_receipt(actor=request.actor, code=code)
    return files.file_response(receipt.file, download_name=f"{receipt.expense.number}-{receipt.pk}.{receipt.extension}")


# --------------------------------------------------------------------------------------------
# Budgets, settings, the monthly report


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or timezone.localdate().year)
    except ValueError:
        raise Http404 from None
    if not 2000 <= year <= 2100:
        raise Http404
    return year


@policy.requires("finance.budget.view")
def budget_list(request, kg):
    actor = request.actor
    year = _year(request)
    table = selectors.budget_table(actor=actor, year=year)
    can_change = actor.has("finance.budget.change")
    return render(request, "finance/budget.html", {
        "table": table, "year": year, "can_change": can_change,
        "form": BudgetForm(rows=table.rows) if can_change else None,
        "category_form": CategoryForm() if can_change else None,
        "settings": services.finance_settings(actor.kindergarten),
        "can_settings": actor.has("finance.settings.change"),
    })


@require_POST
@policy.requires("finance.budget.change")
def budget_save(request, kg):
    actor = request.actor
    year = _year(request)
    table = selectors.budget_table(actor=actor, year=year, capability="finance.budget.change")
    form = BudgetForm(request.POST, rows=table.rows)
    if not form.is_valid():
        messages.error(request, _("Enter each budget as an amount in yuan, e.g. 12000.00."))
    else:
        changed = 0
        for row, amount in form.amounts():
            if amount is None or amount == row.budget:
                continue
            _budget, ok = _run(request, services.budget_set, None, category=row.category, year=year, amount=amount)
            if not ok:
                break
            changed += 1
        else:
            messages.success(request, _("Saved %(n)d budget lines.") % {"n": changed})
    return redirect(f"{reverse('finance:budget_list', kwargs={'kg': kg})}?year={year}")


@require_POST
@policy.requires("finance.budget.change")
def category_create(request, kg):
    form = CategoryForm(request.POST)
    if form.is_valid():
        _run(request, services.category_create, _("Category added."), **form.cleaned_data)
    else:
        messages.error(request, _("Enter the name of the category."))
    return redirect(f"{reverse('finance:budget_list', kwargs={'kg': kg})}?year={_year(request)}")


@require_POST
@policy.requires("finance.budget.change")
def categories_defaults(request, kg):
    _run(request, services.categories_create_defaults, _("The usual categories have been added."))
    return redirect(f"{reverse('finance:budget_list', kwargs={'kg': kg})}?year={_year(request)}")


@require_http_methods(["GET", "POST"])
@policy.requires("finance.settings.change")
def settings_edit(request, kg):
    actor = request.actor
    current = services.finance_settings(actor.kindergarten)
    form = SettingsForm(request.POST or None, initial={"approval_threshold": current.approval_threshold,
                                                        "food_in_budget": current.food_in_budget})
    form.fields["approval_threshold"].help_text = current._meta.get_field("approval_threshold").help_text
    form.fields["food_in_budget"].help_text = current._meta.get_field("food_in_budget").help_text
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("finance:budget_list", kg=kg)
    return render(request, "finance/simple_form.html", {
        "form": form, "title": _("Money rules of the kindergarten"),
        "back": reverse("finance:budget_list", kwargs={"kg": kg}),
    })


def _month(request) -> tuple[int, int]:
    raw = request.GET.get("month", "")
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", raw)
    if match:
        year, month = int(match[1]), int(match[2])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return year, month
        raise Http404
    today = timezone.localdate()
    return today.year, today.month


@policy.requires("finance.report.view")
def report(request, kg):
    year, month = _month(request)
    table = selectors.budget_table(actor=request.actor, year=year, month=month, capability="finance.report.view",
                                   with_expenses=True)
    previous = dt.date(year, month, 1) - dt.timedelta(days=1)
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return render(request, "finance/report.html", {
        "table": table, "year": year, "month": month, "month_value": f"{year}-{month:02d}",
        "previous": f"{previous.year}-{previous.month:02d}", "next": f"{following.year}-{following.month:02d}",
    })


@policy.requires("finance.report.view")
def report_xlsx(request, kg, year, month):
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise Http404
    content = reports.monthly_xlsx(actor=request.actor, year=year, month=month)
    return xlsx_response(content, f"{request.actor.kindergarten.name}-经费月报-{year}年{month}月.xlsx")


@policy.requires("finance.report.view")
def report_pdf(request, kg, year, month):
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise Http404
    content = reports.monthly_pdf(actor=request.actor, year=year, month=month)
    response = HttpResponse(content, content_type="application/pdf")
    name = f"{request.actor.kindergarten.name}-经费月报-{year}年{month}月.pdf"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name)}"
    return response


# --------------------------------------------------------------------------------------------
# Fee standards


@policy.requires("finance.fees.view")
def fee_list(request, kg):
    """Published fee standards, by term (the parents' page); drafts too for those who manage them."""
    actor = request.actor
    can_change = actor.has("finance.fees.change")
    fees = list(selectors.fee_standard_list(actor=actor, include_drafts=can_change))
    terms: list[dict] = []
    for fee in fees:
        if not terms or (terms[-1]["school_year"], terms[-1]["term"]) != (fee.school_year, fee.term):
            terms.append({"school_year": fee.school_year, "term": fee.term, "label": fee.term_label, "fees": [],
                          "drafts": 0, "published_at": None})
        term = terms[-1]
        term["fees"].append(fee)
        term["drafts"] += not fee.is_published
        if fee.published_at:
            published_on = timezone.localtime(fee.published_at).date()
            term["published_at"] = max(term["published_at"] or published_on, published_on)
    return render(request, "finance/fee_list.html", {"terms": terms, "can_change": can_change})


def _fee_form_page(request, kg, *, fee=None):
    actor = request.actor
    today = timezone.localdate()
    default_year = today.year if today.month >= 8 else today.year - 1
    initial = {"school_year": default_year, "term": Term.AUTUMN if today.month >= 8 or today.month == 1 else Term.SPRING}
    if fee is not None:
        initial = {f: getattr(fee, f) for f in ("school_year", "term", "item", "amount", "unit", "basis", "notes",
                                                "sort_order")}
    form = FeeStandardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["sort_order"] = data.get("sort_order") or 0
        try:
            if fee is None:
                services.fee_standard_create(actor=actor, **data)
            else:
                services.fee_standard_update(actor=actor, fee=fee, **data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Saved as a draft: publish it when the term's fees are complete."))
            return redirect("finance:fee_list", kg=kg)
    return render(request, "finance/simple_form.html", {
        "form": form, "title": _("New fee standard") if fee is None else _("Edit %(item)s") % {"item": fee.item},
        "back": reverse("finance:fee_list", kwargs={"kg": kg}),
    })


@require_http_methods(["GET", "POST"])
@policy.requires("finance.fees.change")
def fee_create(request, kg):
    return _fee_form_page(request, kg)


@require_http_methods(["GET", "POST"])
@policy.requires("finance.fees.change")
def fee_edit(request, kg, code):
    fee = selectors.get_fee_standard(actor=request.actor, code=code)
    if fee.is_published or fee.is_voided:
        messages.error(request, _("A published fee standard cannot be changed: void it with a reason and publish a new one."))
        return redirect("finance:fee_list", kg=kg)
    return _fee_form_page(request, kg, fee=fee)


@require_POST
@policy.requires("finance.fees.change")
def fee_publish(request, kg, code):
    fee = selectors.get_fee_standard(actor=request.actor, code=code)
    _run(request, services.fee_standard_publish, _("Published to parents."), fee=fee)
    return redirect("finance:fee_list", kg=kg)


@require_POST
@policy.requires("finance.fees.change")
def fee_publish_term(request, kg):
    try:
        school_year = int(request.POST.get("school_year", ""))
    except ValueError:
        raise Http404 from None
    count, ok = _run(request, services.fee_standards_publish_term, None, school_year=school_year,
                     term=request.POST.get("term", ""))
    if ok:
        messages.success(request, _("Published %(n)d fee standards to parents.") % {"n": count})
    return redirect("finance:fee_list", kg=kg)


@require_http_methods(["GET", "POST"])
@policy.requires("finance.fees.change")
def fee_void(request, kg, code):
    actor = request.actor
    fee = selectors.get_fee_standard(actor=actor, code=code)
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.fee_standard_void(actor=actor, fee=fee, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The record has been voided."))
            return redirect("finance:fee_list", kg=kg)
    return render(request, "finance/simple_form.html", {
        "form": form, "danger": True, "title": _("Void %(item)s") % {"item": fee.item},
        "back": reverse("finance:fee_list", kwargs={"kg": kg}),
    })


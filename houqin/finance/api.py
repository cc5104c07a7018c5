"""JSON API of purchasing, repairs and money: the same selectors and services as the pages, the same
policy. Amounts are exact decimals (strings in JSON)."""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from houqin.core.inputs import Day, Input, Limit, Month, Year
from houqin import policy
from houqin.core.errors import DomainError
from houqin.core.rule_api import add_rule_routes
from houqin.core.web import xlsx_response
from houqin.finance import billing, reports, selectors, services
from houqin.finance.models import BudgetCategory, FeeStandard, PurchaseRequest, RepairRequest
from houqin.finance.schemas import (
    BillGenerateIn,
    BillGenerateOut,
    BillIssueOut,
    BillMonthIn,
    BillVoidIn,
    BillVoidOut,
    FeeBillDetailOut,
    FeeBillOut,
    FeePaymentIn,
    FeePaymentOut,
    BudgetIn,
    BudgetRowOut,
    BudgetTableOut,
    CategoryIn,
    CategoryOut,
    ExpenseDetailOut,
    ExpenseIn,
    ExpenseOut,
    FeeIn,
    FeeOut,
    PayIn,
    PurchaseDetailOut,
    PurchaseIn,
    PurchaseOut,
    FinanceReasonIn,
    FinanceReceiptOut,
    RepairDetailOut,
    RepairDoneIn,
    FinanceRepairIn,
    RepairOut,
    RepairStartIn,
    FinanceReportOut,
    SettingsIn,
    SettingsOut,
    FinanceSignIn,
)

router = Router(tags=["finance"])
K = "/k/{kg}/finance"


def _name(user) -> str | None:
    return user.display_name if user is not None else None


def _category(actor, code, capability: str) -> BudgetCategory:
    category = policy.scoped(actor, capability, BudgetCategory.objects.filter(code=code)).first()
    if category is None:
        raise DomainError(_("Choose a budget category."), errors=[{"field": "category_code",
                                                                   "message": _("Choose a budget category.")}])
    return category


def _approvals(r) -> dict:
    return {
        "submitted_at": r.submitted_at, "needs_principal": r.needs_principal,
        "requester_is_director": r.requester_is_director, "threshold_at_submission": r.threshold_at_submission,
        "director_approved_by": _name(r.director_approved_by), "director_approved_at": r.director_approved_at,
        "principal_approved_by": _name(r.principal_approved_by), "principal_approved_at": r.principal_approved_at,
        "closed_by": _name(r.closed_by), "closed_at": r.closed_at, "decision_note": r.decision_note,
    }


def _request_out(r) -> dict:
    return {"code": r.code, "number": r.number, "status": r.status, "title": r.title, "category": r.category.name,
            "budget_year": r.budget_year, "requested_by": _name(r.created_by) or "", "created_at": r.created_at}


def _purchase_out(p) -> dict:
    return {**_request_out(p), "total": p.total}


def _purchase_detail(p) -> dict:
    return {**_purchase_out(p), "reason": p.reason, "needed_by": p.needed_by, "supplier_name": p.supplier_name,
            "lines": [{"description": ln.description, "quantity": ln.quantity, "unit": ln.unit,
                       "unit_price": ln.unit_price, "amount": ln.amount} for ln in p.lines.all()],
            "approvals": _approvals(p)}


def _repair_out(r) -> dict:
    return {**_request_out(r), "location": r.location, "estimated_cost": r.estimated_cost, "actual_cost": r.actual_cost}


def _repair_detail(r) -> dict:
    return {**_repair_out(r), "reason": r.reason, "campus": r.campus.name if r.campus else None,
            "fixed_by": r.fixed_by, "fixer_name": r.fixer_name, "repaired_on": r.repaired_on,
            "asset_returned_on": r.asset_returned_on, "repair_notes": r.repair_notes, "approvals": _approvals(r)}


# --- purchase requests ------------------------------------------------------------------------


@router.get(K + "/purchases", response=list[PurchaseOut])
@policy.requires("finance.purchase.view")
def list_purchases(request, kg: str, status: str = ""):
    return [_purchase_out(p) for p in selectors.purchase_request_list(actor=request.actor, status=status)]


@router.get(K + "/purchases/{code}", response=PurchaseDetailOut)
@policy.requires("finance.purchase.view")
def get_purchase(request, kg: str, code: UUID):
    return _purchase_detail(selectors.get_purchase_request(actor=request.actor, code=code))


@router.post(K + "/purchases", response={201: PurchaseDetailOut})
@policy.requires("finance.purchase.create")
def create_purchase(request, kg: str, payload: PurchaseIn):
    actor = request.actor
    data = payload.dict()
    category = _category(actor, data.pop("category_code"), "finance.purchase.create")
    purchase = services.purchase_request_create(actor=actor, category=category, **data)
    return Status(201, _purchase_detail(selectors.get_purchase_request(actor=actor, code=purchase.code)))


def _purchase_action(request, code, capability, func, **kwargs):
    purchase = selectors.get_purchase_request(actor=request.actor, code=code, capability=capability)
    func(actor=request.actor, request=purchase, **kwargs)
    return _purchase_detail(selectors.get_purchase_request(actor=request.actor, code=code))


@router.post(K + "/purchases/{code}/submit", response=PurchaseDetailOut)
@policy.requires("finance.purchase.create")
def submit_purchase(request, kg: str, code: UUID):
    return _purchase_action(request, code, "finance.purchase.create", services.request_submit)


@router.post(K + "/purchases/{code}/approve", response=PurchaseDetailOut)
@policy.requires("finance.purchase.approve")
def approve_purchase(request, kg: str, code: UUID):
    return _purchase_action(request, code, "finance.purchase.approve", services.request_approve)


@router.post(K + "/purchases/{code}/reject", response=PurchaseDetailOut)
@policy.requires("finance.purchase.approve")
def reject_purchase(request, kg: str, code: UUID, payload: FinanceReasonIn):
    return _purchase_action(request, code, "finance.purchase.approve", services.request_reject, reason=payload.reason)


@router.post(K + "/purchases/{code}/cancel", response=PurchaseDetailOut)
@policy.requires("finance.purchase.view")
def cancel_purchase(request, kg: str, code: UUID, payload: FinanceReasonIn):
    return _purchase_action(request, code, "finance.purchase.view", services.request_cancel, reason=payload.reason)


@router.post(K + "/purchases/{code}/ordered", response=PurchaseDetailOut)
@policy.requires("finance.purchase.process")
def order_purchase(request, kg: str, code: UUID):
    return _purchase_action(request, code, "finance.purchase.process", services.purchase_request_mark_ordered)


@router.post(K + "/purchases/{code}/received", response=PurchaseDetailOut)
@policy.requires("finance.purchase.process")
def receive_purchase(request, kg: str, code: UUID):
    return _purchase_action(request, code, "finance.purchase.process", services.purchase_request_mark_received)


# --- repair requests --------------------------------------------------------------------------


@router.get(K + "/repairs", response=list[RepairOut])
@policy.requires("finance.repair.view")
def list_repairs(request, kg: str, status: str = ""):
    return [_repair_out(r) for r in selectors.repair_request_list(actor=request.actor, status=status)]


@router.get(K + "/repairs/{code}", response=RepairDetailOut)
@policy.requires("finance.repair.view")
def get_repair(request, kg: str, code: UUID):
    return _repair_detail(selectors.get_repair_request(actor=request.actor, code=code))


@router.post(K + "/repairs", response={201: RepairDetailOut})
@policy.requires("finance.repair.create")
def create_repair(request, kg: str, payload: FinanceRepairIn):
    from houqin.org.models import Campus

    actor = request.actor
    data = payload.dict()
    category = _category(actor, data.pop("category_code"), "finance.repair.create")
    campus_code = data.pop("campus_code")
    campus = None
    if campus_code:
        campus = Campus.objects.filter(kindergarten=actor.kindergarten, code=campus_code).first()
        if campus is None:
            raise Http404
    repair = services.repair_request_create(actor=actor, category=category, campus=campus, **data)
    return Status(201, _repair_detail(selectors.get_repair_request(actor=actor, code=repair.code)))


def _repair_action(request, code, capability, func, **kwargs):
    repair = selectors.get_repair_request(actor=request.actor, code=code, capability=capability)
    func(actor=request.actor, request=repair, **kwargs)
    return _repair_detail(selectors.get_repair_request(actor=request.actor, code=code))


@router.post(K + "/repairs/{code}/submit", response=RepairDetailOut)
@policy.requires("finance.repair.create")
def submit_repair(request, kg: str, code: UUID):
    return _repair_action(request, code, "finance.repair.create", services.request_submit)


@router.post(K + "/repairs/{code}/approve", response=RepairDetailOut)
@policy.requires("finance.repair.approve")
def approve_repair(request, kg: str, code: UUID):
    return _repair_action(request, code, "finance.repair.approve", services.request_approve)


@router.post(K + "/repairs/{code}/reject", response=RepairDetailOut)
@policy.requires("finance.repair.approve")
def reject_repair(request, kg: str, code: UUID, payload: FinanceReasonIn):
    return _repair_action(request, code, "finance.repair.approve", services.request_reject, reason=payload.reason)


@router.post(K + "/repairs/{code}/cancel", response=RepairDetailOut)
@policy.requires("finance.repair.view")
def cancel_repair(request, kg: str, code: UUID, payload: FinanceReasonIn):
    return _repair_action(request, code, "finance.repair.view", services.request_cancel, reason=payload.reason)


@router.post(K + "/repairs/{code}/start", response=RepairDetailOut)
@policy.requires("finance.repair.record")
def start_repair(request, kg: str, code: UUID, payload: RepairStartIn):
    return _repair_action(request, code, "finance.repair.record", services.repair_request_start, **payload.dict())


@router.post(K + "/repairs/{code}/done", response=RepairDetailOut)
@policy.requires("finance.repair.record")
def complete_repair(request, kg: str, code: UUID, payload: RepairDoneIn):
    return _repair_action(request, code, "finance.repair.record", services.repair_request_complete, **payload.dict())


# --- expenses ---------------------------------------------------------------------------------


def _receipt_out(request, r) -> dict:
    return {"code": r.code, "content_type": r.content_type, "size": r.size, "name": r.original_name,
            "url": reverse("api:finance_receipt_file", kwargs={"kg": request.actor.kindergarten.slug, "code": r.code})}


def _expense_out(e, receipt_count=None) -> dict:
    return {"code": e.code, "number": e.number, "status": e.status, "title": e.title, "amount": e.amount,
            "category": e.category.name, "spent_on": e.spent_on, "payee": e.payee, "handler": e.handler.display_name,
            "receipt_count": receipt_count if receipt_count is not None else getattr(e, "receipt_count", 0),
            "paid_on": e.paid_on, "voided": e.is_voided}


def _expense_detail(request, code) -> dict:
    e = selectors.get_expense(actor=request.actor, code=code)
    receipts = e.active_receipts
    return {
        **_expense_out(e, len(receipts)), "description": e.description, "recorded_by": _name(e.created_by) or "",
        "next_step": e.next_step if not e.is_voided else None,
        "signatures": [{"step": s.step, "user": s.user.display_name, "signed_at": s.signed_at}
                       for s in e.signatures.all()],
        "receipts": [_receipt_out(request, r) for r in receipts], "payment_method": e.payment_method,
        "payment_reference": e.payment_reference, "void_reason": e.void_reason,
        "purchase_request": e.purchase_request.number if e.purchase_request else None,
        "repair_request": e.repair_request.number if e.repair_request else None,
    }


@router.get(K + "/expenses", response=list[ExpenseOut])
@policy.requires("finance.expense.view")
def list_expenses(request, kg: str, status: str = "", year: Year | None = None, month: Month | None = None):
    return [_expense_out(e) for e in selectors.expense_list(actor=request.actor, status=status, year=year, month=month)]


@router.get(K + "/expenses/{code}", response=ExpenseDetailOut)
@policy.requires("finance.expense.view")
def get_expense(request, kg: str, code: UUID):
    return _expense_detail(request, code)


@router.post(K + "/expenses", response={201: ExpenseDetailOut})
@policy.requires("finance.expense.create")
def create_expense(request, kg: str, payload: ExpenseIn):
    """Record an expense (JSON); then add its receipts with POST …/expenses/{code}/receipts."""
    actor = request.actor
    data = payload.dict()
    category = _category(actor, data.pop("category_code"), "finance.expense.create")
    handler = None
    username = data.pop("handler_username")
    if username:
        handler = get_user_model().objects.filter(username=username).first()
        if handler is None:
            raise DomainError(_("The handler must be a member of staff who can sign expenses."),
                              errors=[{"field": "handler_username",
                                       "message": _("The handler must be a member of staff who can sign expenses.")}])
    linked = {}
    for key, model in (("purchase_request", PurchaseRequest), ("repair_request", RepairRequest)):
        code = data.pop(f"{key}_code")
        if code:
            found = policy.scoped(actor, "finance.expense.create", model.objects.filter(code=code)).first()
            if found is None:
                raise Http404
            linked[key] = found
    expense = services.expense_create(actor=actor, category=category, handler=handler, **linked, **data)
    return Status(201, _expense_detail(request, expense.code))


@router.post(K + "/expenses/{code}/receipts", response={201: FinanceReceiptOut})
@policy.requires("finance.expense.create")
def add_receipt(request, kg: str, code: UUID, file: File[UploadedFile]):
    expense = selectors.get_expense(actor=request.actor, code=code, capability="finance.expense.create")
    receipt = services.receipt_add(actor=request.actor, expense=expense, upload=file)
    return Status(201, _receipt_out(request, receipt))


@router.get(K + "/receipts/{code}", response={200: None}, url_name="finance_receipt_file")
@policy.requires("finance.expense.view")
def receipt_file(request, kg: str, code: UUID) -> HttpResponse:
    from houqin.finance.views import receipt_file as page

    return page.__wrapped__(request, kg=kg, code=code)


@router.post(K + "/expenses/{code}/sign", response=ExpenseDetailOut)
@policy.requires("finance.expense.sign")
def sign_expense(request, kg: str, code: UUID, payload: FinanceSignIn):
    expense = selectors.get_expense(actor=request.actor, code=code, capability="finance.expense.sign")
    services.expense_sign(actor=request.actor, expense=expense, step=payload.step)
    return _expense_detail(request, code)


@router.post(K + "/expenses/{code}/pay", response=ExpenseDetailOut)
@policy.requires("finance.expense.pay")
def pay_expense(request, kg: str, code: UUID, payload: PayIn):
    expense = selectors.get_expense(actor=request.actor, code=code, capability="finance.expense.pay")
    services.expense_pay(actor=request.actor, expense=expense, **payload.dict())
    return _expense_detail(request, code)


@router.post(K + "/expenses/{code}/void", response=ExpenseDetailOut)
@policy.requires("finance.expense.view")
def void_expense(request, kg: str, code: UUID, payload: FinanceReasonIn):
    expense = selectors.get_expense(actor=request.actor, code=code)
    services.expense_void(actor=request.actor, expense=expense, reason=payload.reason)
    return _expense_detail(request, code)


# --- categories, budgets, report ------------------------------------------------------------


@router.get(K + "/categories", response=list[CategoryOut])
@policy.requires("finance.budget.view")
def list_categories(request, kg: str):
    qs = policy.scoped(request.actor, "finance.budget.view", BudgetCategory.objects.all()).order_by("sort_order", "name")
    return [{"code": c.code, "name": c.name, "is_food": c.is_food, "is_active": c.is_active} for c in qs]


@router.post(K + "/categories", response={201: CategoryOut})
@policy.requires("finance.budget.change")
def create_category(request, kg: str, payload: CategoryIn):
    c = services.category_create(actor=request.actor, **payload.dict())
    return Status(201, {"code": c.code, "name": c.name, "is_food": c.is_food, "is_active": c.is_active})


def _row_out(row, month) -> dict:
    return {"category_code": row.category.code, "category": row.category.name, "budget": row.budget,
            "spent_month": row.spent_month if month else None, "spent": row.spent, "committed": row.committed,
            "remaining": row.remaining, "used_percent": row.used_percent}


def _table_out(table) -> dict:
    return {"year": table.year, "month": table.month, "food_in_budget": table.food_in_budget,
            "rows": [_row_out(r, table.month) for r in table.rows], "total_budget": table.total_budget,
            "total_spent": table.total_spent, "total_spent_month": table.total_spent_month if table.month else None,
            "total_committed": table.total_committed, "total_remaining": table.total_remaining}


def _year_or_404(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise Http404
    return year


@router.get(K + "/budgets", response=BudgetTableOut)
@policy.requires("finance.budget.view")
def get_budgets(request, kg: str, year: Year):
    return _table_out(selectors.budget_table(actor=request.actor, year=_year_or_404(year)))


@router.post(K + "/budgets", response=BudgetRowOut)
@policy.requires("finance.budget.change")
def set_budget(request, kg: str, payload: BudgetIn):
    actor = request.actor
    category = _category(actor, payload.category_code, "finance.budget.change")
    services.budget_set(actor=actor, category=category, year=payload.year, amount=payload.amount, notes=payload.notes)
    table = selectors.budget_table(actor=actor, year=payload.year, capability="finance.budget.change")
    return _row_out(next(r for r in table.rows if r.category.pk == category.pk), None)


@router.get(K + "/report", response=FinanceReportOut)
@policy.requires("finance.report.view")
def get_report(request, kg: str, year: Year, month: Month):
    if not 1 <= month <= 12:
        raise Http404
    table = reports.report_table(actor=request.actor, year=_year_or_404(year), month=month)
    expenses = [{"number": e.number, "paid_on": e.paid_on, "title": e.title, "category": e.category.name,
                 "payee": e.payee, "amount": e.amount,
                 "signatures": {s.step: s.user.display_name for s in e.signatures.all()}} for e in table.expenses]
    return {**_table_out(table), "expenses": expenses}


@router.get(K + "/report/{year}/{month}.xlsx", response={200: None})
@policy.requires("finance.report.view")
def report_xlsx(request, kg: str, year: Year, month: Month) -> HttpResponse:
    if not 1 <= month <= 12:
        raise Http404
    content = reports.monthly_xlsx(actor=request.actor, year=_year_or_404(year), month=month)
    return xlsx_response(content, f"report-{year}-{month:02d}.xlsx")


# --- settings and fee standards ---------------------------------------------------------------


def _settings_out(row) -> dict:
    return {"approval_threshold": row.approval_threshold, "food_in_budget": row.food_in_budget,
            "is_default": row.pk is None}


@router.get(K + "/settings", response=SettingsOut)
@policy.requires("finance.budget.view")
def get_settings(request, kg: str):
    return _settings_out(services.finance_settings(request.actor.kindergarten))


@router.post(K + "/settings", response=SettingsOut)
@policy.requires("finance.settings.change")
def update_settings(request, kg: str, payload: SettingsIn):
    return _settings_out(services.settings_update(actor=request.actor, **payload.dict()))


def _fee_out(f: FeeStandard) -> dict:
    return {"code": f.code, "school_year": f.school_year, "term": f.term, "term_label": f.term_label, "item": f.item,
            "amount": f.amount, "unit": f.unit, "unit_label": f.get_unit_display(), "basis": f.basis, "notes": f.notes,
            "published_at": f.published_at}


@router.get(K + "/fees", response=list[FeeOut])
@policy.requires("finance.fees.view")
def list_fees(request, kg: str, drafts: bool = False):
    """Published fee standards (parents see these); `drafts=true` adds drafts for those who manage them."""
    include = drafts and request.actor.has("finance.fees.change")
    return [_fee_out(f) for f in selectors.fee_standard_list(actor=request.actor, include_drafts=include)]


@router.post(K + "/fees", response={201: FeeOut})
@policy.requires("finance.fees.change")
def create_fee(request, kg: str, payload: FeeIn):
    return Status(201, _fee_out(services.fee_standard_create(actor=request.actor, **payload.dict())))


@router.post(K + "/fees/{code}/publish", response=FeeOut)
@policy.requires("finance.fees.change")
def publish_fee(request, kg: str, code: UUID):
    fee = selectors.get_fee_standard(actor=request.actor, code=code)
    return _fee_out(services.fee_standard_publish(actor=request.actor, fee=fee))


@router.post(K + "/fees/{code}/void", response=FeeOut)
@policy.requires("finance.fees.change")
def void_fee(request, kg: str, code: UUID, payload: FinanceReasonIn):
    fee = selectors.get_fee_standard(actor=request.actor, code=code)
    return _fee_out(services.fee_standard_void(actor=request.actor, fee=fee, reason=payload.reason))


# --- energy and water (水电气: finance/utilities.py) ----------------------------------------------


class MeterIn(Input):
    name: str
    kind: str


class MeterReadingIn(Input):
    month: Day
    reading: str  # exact decimal, as text
    meter_changed: bool = False
    old_meter_final: str | None = None
    note: str = ""


class MeterMonthOut(Schema):
    month: dt.date
    usage: Decimal | None
    last_year: Decimal | None
    change_percent: Decimal | None


class MeterOut(Schema):
    code: UUID
    name: str
    kind: str
    last: MeterMonthOut | None


class MeterDetailOut(MeterOut):
    last_reading: Decimal | None
    trend: list[MeterMonthOut]


def _month_out(row) -> dict | None:
    if row is None:
        return None
    return {"month": row.month, "usage": row.usage, "last_year": row.last_year, "change_percent": row.change}


def _meter_out(m) -> dict:
    return {"code": m.code, "name": m.name, "kind": m.kind, "last": _month_out(getattr(m, "row", None))}


def _meter_detail_out(m) -> dict:
    from houqin.finance import utilities

    rows = utilities.meter_trend(m)
    last = utilities.last_reading(m)
    return {"code": m.code, "name": m.name, "kind": m.kind, "last": _month_out(rows[0]) if last else None,
            "last_reading": last.reading if last else None, "trend": [_month_out(r) for r in rows]}


@router.get(K + "/meters", response=list[MeterOut])
@policy.requires("finance.utilities.view")
def list_meters(request, kg: str):
    from houqin.finance import utilities

    return [_meter_out(m) for m in utilities.meter_list(actor=request.actor)]


@router.get(K + "/meters/{code}", response=MeterDetailOut)
@policy.requires("finance.utilities.view")
def get_meter(request, kg: str, code: UUID):
    from houqin.finance import utilities

    return _meter_detail_out(utilities.get_meter(actor=request.actor, code=code))


@router.post(K + "/meters", response={201: MeterDetailOut})
@policy.requires("finance.utilities.record")
def create_meter(request, kg: str, payload: MeterIn):
    from houqin.finance import utilities

    return Status(201, _meter_detail_out(utilities.meter_create(actor=request.actor, **payload.dict())))


@router.post(K + "/meters/{code}/readings", response={201: MeterDetailOut})
@policy.requires("finance.utilities.record")
def record_meter_reading(request, kg: str, code: UUID, payload: MeterReadingIn):
    """The reading at the end of a month; lower than the last one only with meter_changed and the old
    meter's final reading."""
    from houqin.finance import utilities

    actor = request.actor
    meter = utilities.get_meter(actor=actor, code=code, capability="finance.utilities.record")
    utilities.reading_record(actor=actor, meter=meter, **payload.dict())
    return Status(201, _meter_detail_out(meter))


# --- fee bills, payments and receipts (houqin.finance.billing) ---------------------------------


def _bill_out(b) -> dict:
    return {"code": b.code, "number": b.number, "child_code": b.child.code, "child": b.child.name,
            "school_class": b.school_class.name, "month": b.month, "status": b.status,
            "status_label": str(b.get_status_display()), "voided": b.is_voided,
            "due": b.due, "how_to_pay": b.how_to_pay,
            **{f: getattr(b, f) for f in ("school_days", "present_days", "absent_days", "meal_days",
                                          "meal_refunded_days", "meal_fee_per_day", "meal_amount", "meal_refund",
                                          "care_fee", "care_reduction", "care_amount", "total", "paid_amount")}}


def _payment_out(p) -> dict:
    return {"code": p.code, "number": p.number, "amount": p.amount, "paid_on": p.paid_on, "method": p.method,
            "method_label": str(p.get_method_display()), "reference": p.reference, "voided": p.is_voided,
            "void_reason": p.void_reason or "",
            "receipt_url": reverse("finance:payment_receipt", kwargs={"kg": p.kindergarten.slug, "code": p.code})}


def _bill_detail_out(b) -> dict:
    return {**_bill_out(b), "rule_note": b.rule_note, "void_reason": b.void_reason or "",
            "payments": [_payment_out(p) for p in billing.bill_payments(b)]}


@router.get(K + "/bills", response=list[FeeBillOut])
@policy.requires("finance.bill.view")
def list_bills(request, kg: str, year: Year | None = None, month: Month | None = None, status: str = ""):
    """The bills of a month (`year` and `month`), or all a family may see; `status`: draft, issued, paid."""
    when = dt.date(year, month, 1) if year and month else None
    bills = billing.bill_list(actor=request.actor, month=when, status=status or None)
    return [_bill_out(b) for b in bills.order_by("-month", "school_class__sort_order", "child__name_pinyin")[:2000]]


@router.post(K + "/bills/generate", response=BillGenerateOut)
@policy.requires("finance.bill.change")
def generate_bills(request, kg: str, payload: BillGenerateIn):
    """Compute the month's bills: new drafts, drafts recomputed; issued bills are kept."""
    child = None
    if payload.child_code:
        from houqin.org.models import Child

        child = policy.get_or_404(request.actor, "finance.bill.change", Child.objects.active(),
                                  code=payload.child_code)
    return billing.bills_generate(actor=request.actor, month=payload.month, child=child)


@router.post(K + "/bills/issue", response=BillIssueOut)
@policy.requires("finance.bill.change")
def issue_bills(request, kg: str, payload: BillMonthIn):
    return {"issued": billing.bills_issue(actor=request.actor, month=payload.month)}


@router.get(K + "/bills/{code}", response=FeeBillDetailOut)
@policy.requires("finance.bill.view")
def get_bill(request, kg: str, code: UUID):
    return _bill_detail_out(billing.get_bill(actor=request.actor, code=code))


@router.post(K + "/bills/{code}/void", response=BillVoidOut)
@policy.requires("finance.bill.change")
def void_bill(request, kg: str, code: UUID, payload: BillVoidIn):
    bill = billing.get_bill(actor=request.actor, code=code, capability="finance.bill.change")
    new = billing.bill_void(actor=request.actor, bill=bill, reason=payload.reason, reissue=payload.reissue)
    bill.refresh_from_db()
    return {"voided": _bill_out(bill), "reissued": _bill_out(new) if new else None}


@router.post(K + "/bills/{code}/payments", response={201: FeePaymentOut})
@policy.requires("finance.bill.pay")
def record_payment(request, kg: str, code: UUID, payload: FeePaymentIn):
    bill = billing.get_bill(actor=request.actor, code=code, capability="finance.bill.pay")
    payment = billing.payment_record(actor=request.actor, bill=bill, amount=payload.amount, paid_on=payload.paid_on,
                                     method=payload.method, reference=payload.reference)
    return Status(201, _payment_out(payment))


@router.post(K + "/payments/{code}/void", response=FeePaymentOut)
@policy.requires("finance.bill.pay")
def void_payment(request, kg: str, code: UUID, payload: FinanceReasonIn):
    payment = billing.get_payment(actor=request.actor, code=code, capability="finance.bill.pay")
    return _payment_out(billing.payment_void(actor=request.actor, payment=payment, reason=payload.reason))


@router.get(K + "/payments/{code}/receipt.pdf", response={200: None})
@policy.requires("finance.bill.view")
def payment_receipt(request, kg: str, code: UUID):
    """The receipt of a payment, as a PDF."""
    from houqin.finance.billing_views import receipt_pdf

    payment = billing.get_payment(actor=request.actor, code=code)
    response = HttpResponse(receipt_pdf(payment), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{payment.number}.pdf"'
    return response


add_rule_routes(router, area=billing.AREA, path=K + "/rules", view_capability="finance.bill.view",
                change_capability="finance.bill.change")


# --- big events (大型活动: finance/events.py) --------------------------------------------------------


class EventIn(Input):
    title: str
    kind: str
    date: Day
    lead: str  # the user name of the member of staff who leads it
    budget: str  # exact decimal, as text
    place: str = ""
    children: int = 0
    guests: int = 0
    notes: str = ""


class EventNeedIn(Input):
    item: str
    quantity: str
    unit: str
    kind: str = "materials"
    to_buy: bool = True
    unit_price: str | None = None
    responsible: str = ""


class EventPurchaseIn(Input):
    category_code: UUID


def _event_out(e) -> dict:
    from houqin.finance import events

    needs = list(e.needs.all())
    return {"code": e.code, "title": e.title, "kind": e.kind, "date": e.date, "place": e.place,
            "children": e.children, "guests": e.guests, "lead": e.lead.display_name, "budget": e.budget,
            "cost": events.cost(needs), "voided": e.is_voided,
            "purchase_request": e.purchase_request.code if e.purchase_request_id else None,
            "needs": [{"item": n.item, "kind": n.kind, "quantity": n.quantity, "unit": n.unit, "to_buy": n.to_buy,
                       "unit_price": n.unit_price, "amount": n.amount, "responsible": n.responsible} for n in needs]}


@router.get(K + "/events", response=list[dict])
@policy.requires("finance.event.view")
def list_events(request, kg: str, limit: Limit = 50):
    from houqin.finance import events

    return [_event_out(e) for e in events.event_list(actor=request.actor)[:limit]]


@router.get(K + "/events/{code}", response=dict)
@policy.requires("finance.event.view")
def get_event(request, kg: str, code: UUID):
    from houqin.finance import events

    return _event_out(events.get_event(actor=request.actor, code=code))


@router.post(K + "/events", response={201: dict})
@policy.requires("finance.event.change")
def create_event(request, kg: str, payload: EventIn):
    from houqin.finance import events
    from houqin.org.selectors import staff_users

    actor = request.actor
    data = payload.dict()
    data["lead"] = staff_users(actor.kindergarten).filter(username=data.pop("lead")).first()
    return Status(201, _event_out(events.event_create(actor=actor, **data)))


@router.post(K + "/events/{code}/needs", response={201: dict})
@policy.requires("finance.event.change")
def add_event_need(request, kg: str, code: UUID, payload: EventNeedIn):
    from houqin.finance import events

    actor = request.actor
    event = events.get_event(actor=actor, code=code, capability="finance.event.change")
    events.need_add(actor=actor, event=event, **payload.dict())
    return Status(201, _event_out(events.get_event(actor=actor, code=code)))


@router.post(K + "/events/{code}/purchase-request", response={201: dict})
@policy.requires("finance.event.change")
def request_event_purchase(request, kg: str, code: UUID, payload: EventPurchaseIn):
    """What the event must buy, as one purchase request (finance's own approvals), linked to the event."""
    from houqin.finance import events

    actor = request.actor
    event = events.get_event(actor=actor, code=code, capability="finance.event.change")
    category = _category(actor, payload.category_code, "finance.event.change")
    events.event_request_purchase(actor=actor, event=event, category=category)
    return Status(201, _event_out(events.get_event(actor=actor, code=code)))


@router.post(K + "/events/{code}/void", response=dict)
@policy.requires("finance.event.change")
def void_event(request, kg: str, code: UUID, payload: FinanceReasonIn):
    from houqin.finance import events

    actor = request.actor
    event = events.get_event(actor=actor, code=code, capability="finance.event.change")
    events.event_void(actor=actor, event=event, reason=payload.reason)
    return {"code": event.code, "voided": True}

"""API input and output shapes of purchasing, repairs and money. Amounts are exact decimals (in JSON,
strings such as "1280.50"); no business rules here: the services hold them."""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from ninja import Schema

from houqin.core.inputs import Input


class LineIn(Input):
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal


class LineOut(LineIn):
    amount: Decimal


class PurchaseIn(Input):
    title: str
    reason: str
    category_code: UUID
    lines: list[LineIn]
    budget_year: int | None = None
    needed_by: dt.date | None = None
    supplier_name: str = ""
    submit: bool = False


class ApprovalOut(Schema):
    submitted_at: dt.datetime | None
    needs_principal: bool
    requester_is_director: bool
    threshold_at_submission: Decimal | None
    director_approved_by: str | None
    director_approved_at: dt.datetime | None
    principal_approved_by: str | None
    principal_approved_at: dt.datetime | None
    closed_by: str | None
    closed_at: dt.datetime | None
    decision_note: str


class RequestOut(Schema):
    code: UUID
    number: str
    status: str
    title: str
    category: str
    budget_year: int
    requested_by: str
    created_at: dt.datetime


class PurchaseOut(RequestOut):
    total: Decimal


class PurchaseDetailOut(PurchaseOut):
    reason: str
    needed_by: dt.date | None
    supplier_name: str
    lines: list[LineOut]
    approvals: ApprovalOut


class FinanceRepairIn(Input):
    title: str
    location: str
    reason: str
    category_code: UUID
    estimated_cost: Decimal = Decimal("0")
    budget_year: int | None = None
    campus_code: UUID | None = None
    submit: bool = False


class RepairOut(RequestOut):
    location: str
    estimated_cost: Decimal
    actual_cost: Decimal | None


class RepairDetailOut(RepairOut):
    reason: str
    campus: str | None
    fixed_by: str
    fixer_name: str
    repaired_on: dt.date | None
    asset_returned_on: dt.date | None
    repair_notes: str
    approvals: ApprovalOut


class RepairStartIn(Input):
    fixed_by: str
    fixer_name: str


class RepairDoneIn(RepairStartIn):
    actual_cost: Decimal
    repaired_on: dt.date
    asset_returned_on: dt.date | None = None
    notes: str = ""


class FinanceReasonIn(Input):
    reason: str = ""


class ExpenseIn(Input):
    title: str
    amount: Decimal
    category_code: UUID
    spent_on: dt.date
    payee: str
    description: str = ""
    handler_username: str | None = None
    purchase_request_code: UUID | None = None
    repair_request_code: UUID | None = None


class FinanceReceiptOut(Schema):
    code: UUID
    content_type: str
    size: int
    name: str
    url: str


class SignatureOut(Schema):
    step: str
    user: str
    signed_at: dt.datetime


class ExpenseOut(Schema):
    code: UUID
    number: str
    status: str
    title: str
    amount: Decimal
    category: str
    spent_on: dt.date
    payee: str
    handler: str
    receipt_count: int
    paid_on: dt.date | None
    voided: bool


class ExpenseDetailOut(ExpenseOut):
    description: str
    recorded_by: str
    next_step: str | None
    signatures: list[SignatureOut]
    receipts: list[FinanceReceiptOut]
    payment_method: str
    payment_reference: str
    void_reason: str
    purchase_request: str | None
    repair_request: str | None


class FinanceSignIn(Input):
    step: str | None = None


class PayIn(Input):
    paid_on: dt.date
    method: str
    reference: str = ""


class CategoryOut(Schema):
    code: UUID
    name: str
    is_food: bool
    is_active: bool


class CategoryIn(Input):
    name: str
    is_food: bool = False


class BudgetIn(Input):
    category_code: UUID
    year: int
    amount: Decimal
    notes: str = ""


class BudgetRowOut(Schema):
    category_code: UUID
    category: str
    budget: Decimal | None
    spent_month: Decimal | None = None
    spent: Decimal
    committed: Decimal
    remaining: Decimal | None
    used_percent: int | None


class BudgetTableOut(Schema):
    year: int
    month: int | None
    food_in_budget: bool
    rows: list[BudgetRowOut]
    total_budget: Decimal
    total_spent: Decimal
    total_spent_month: Decimal | None
    total_committed: Decimal
    total_remaining: Decimal


class ReportExpenseOut(Schema):
    number: str
    paid_on: dt.date
    title: str
    category: str
    payee: str
    amount: Decimal
    signatures: dict[str, str]


class FinanceReportOut(BudgetTableOut):
    expenses: list[ReportExpenseOut]


class FeeIn(Input):
    school_year: int
    term: str
    item: str
    amount: Decimal
    unit: str
    basis: str = ""
    notes: str = ""
    sort_order: int = 0


class FeeOut(Schema):
    code: UUID
    school_year: int
    term: str
    term_label: str
    item: str
    amount: Decimal
    unit: str
    unit_label: str
    basis: str
    notes: str
    published_at: dt.datetime | None


class SettingsOut(Schema):
    approval_threshold: Decimal
    food_in_budget: bool
    is_default: bool


class SettingsIn(Input):
    approval_threshold: Decimal
    food_in_budget: bool = False


# --- fee bills (houqin.finance.billing) ---------------------------------------------------------


class BillMonthIn(Input):
    month: dt.date  # any day of the month


class BillGenerateIn(BillMonthIn):
    child_code: UUID | None = None


class BillGenerateOut(Schema):
    created: int
    updated: int
    kept: int


class BillIssueOut(Schema):
    issued: int


class FeePaymentOut(Schema):
    code: UUID
    number: str
    amount: Decimal
    paid_on: dt.date
    method: str
    method_label: str
    reference: str
    voided: bool
    void_reason: str
    receipt_url: str


class FeeBillOut(Schema):
    code: UUID
    number: str
    child_code: UUID
    child: str
    school_class: str
    month: dt.date
    status: str
    status_label: str
    school_days: int
    present_days: int
    absent_days: int
    meal_days: int
    meal_refunded_days: int
    meal_fee_per_day: Decimal
    meal_amount: Decimal
    meal_refund: Decimal
    care_fee: Decimal
    care_reduction: Decimal
    care_amount: Decimal
    total: Decimal
    paid_amount: Decimal
    due: Decimal
    how_to_pay: str
    voided: bool


class FeeBillDetailOut(FeeBillOut):
    rule_note: str
    void_reason: str
    payments: list[FeePaymentOut]


class FeePaymentIn(Input):
    amount: Decimal
    paid_on: dt.date
    method: str
    reference: str = ""


class BillVoidIn(Input):
    reason: str
    reissue: bool = True


class BillVoidOut(Schema):
    voided: FeeBillOut
    reissued: FeeBillOut | None

"""Reads of purchasing, repairs and money, always through the actor's scope (404 when out of it).

List reads run a fixed number of queries whatever the number of rows (select_related, grouped sums).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, OuterRef, Prefetch, Q, Sum, Value
from django.db.models.functions import Coalesce

from houqin import policy
from houqin.finance.models import (
    AWAITING_APPROVAL,
    COMMITTING,
    UNPAID,
    Budget,
    BudgetCategory,
    Expense,
    ExpenseStatus,
    FeeStandard,
    PurchaseRequest,
    Receipt,
    RepairRequest,
    RequestStatus,
    Signature,
)
from houqin.finance.services import finance_settings

S = RequestStatus
E = ExpenseStatus
ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=14, decimal_places=2)

REQUEST_FILTERS = {
    "draft": (S.DRAFT,),
    "awaiting": AWAITING_APPROVAL,
    "approved": (S.APPROVED, S.ORDERED, S.IN_REPAIR),
    "done": (S.DONE,),
    "closed": (S.REJECTED, S.CANCELLED),
}
EXPENSE_FILTERS = {
    "signing": (E.DRAFT, E.HANDLER_SIGNED, E.ACCEPTOR_SIGNED),
    "to_pay": (E.PRINCIPAL_SIGNED,),
    "paid": (E.PAID,),
    "voided": (E.VOIDED,),
}


# --------------------------------------------------------------------------------------------
# Requests


def purchase_request_list(*, actor, status: str = "", capability: str = "finance.purchase.view"):
    qs = PurchaseRequest.objects.active().select_related("category", "created_by")
    if status in REQUEST_FILTERS:
        qs = qs.filter(status__in=REQUEST_FILTERS[status])
    return policy.scoped(actor, capability, qs).order_by("-created_at", "-id")


def get_purchase_request(*, actor, code, capability: str = "finance.purchase.view") -> PurchaseRequest:
    qs = PurchaseRequest.objects.select_related(
        "category", "created_by", "submitted_by", "director_approved_by", "principal_approved_by", "closed_by",
        "ordered_by", "done_by",
    ).prefetch_related("lines")
    return policy.get_or_404(actor, capability, qs, code=code)


def repair_request_list(*, actor, status: str = "", capability: str = "finance.repair.view"):
    qs = RepairRequest.objects.active().select_related("category", "created_by", "campus")
    if status in REQUEST_FILTERS:
        qs = qs.filter(status__in=REQUEST_FILTERS[status])
    return policy.scoped(actor, capability, qs).order_by("-created_at", "-id")


def get_repair_request(*, actor, code, capability: str = "finance.repair.view") -> RepairRequest:
    qs = RepairRequest.objects.select_related(
        "category", "created_by", "campus", "asset", "submitted_by", "director_approved_by", "principal_approved_by",
        "closed_by", "done_by",
    )
    return policy.get_or_404(actor, capability, qs, code=code)


def suppliers(*, actor):
    """The storeroom's suppliers on file (for those who may see the storeroom), else none."""
    from houqin.stock.models import Supplier

    if not actor.has("stock.view"):
        return Supplier.objects.none()
    return policy.scoped(actor, "stock.view", Supplier.objects.filter(is_active=True)).order_by("name_pinyin", "name")


def approved_requests(*, actor, model, capability: str):
    """Requests an expense may be linked to (approved, not closed)."""
    return policy.scoped(actor, capability, model.objects.active().filter(status__in=COMMITTING)).order_by("-created_at")


# --------------------------------------------------------------------------------------------
# Expenses


def expense_list(*, actor, status: str = "", year: int | None = None, month: int | None = None, category=None,
                 capability: str = "finance.expense.view"):
    qs = Expense.objects.select_related("category", "handler", "created_by").annotate(
        receipt_count=Count("receipts", filter=Q(receipts__voided_at__isnull=True))
    )
    if status in EXPENSE_FILTERS:
        qs = qs.filter(status__in=EXPENSE_FILTERS[status])
    if year:
        qs = qs.filter(spent_on__year=year)
        if month:
            qs = qs.filter(spent_on__month=month)
    if category is not None:
        qs = qs.filter(category=category)
    return policy.scoped(actor, capability, qs).order_by("-spent_on", "-id")


def get_expense(*, actor, code, capability: str = "finance.expense.view") -> Expense:
    qs = Expense.objects.select_related(
        "category", "handler", "created_by", "paid_by", "voided_by", "purchase_request", "repair_request",
    ).prefetch_related(
        Prefetch("signatures", queryset=Signature.objects.select_related("user")),
        Prefetch("receipts", queryset=Receipt.objects.filter(voided_at__isnull=True), to_attr="active_receipts"),
    )
    return policy.get_or_404(actor, capability, qs, code=code)


def get_receipt(*, actor, code, capability: str = "finance.expense.view") -> Receipt:
    qs = Receipt.objects.select_related("expense")
    receipt = policy.get_or_404(actor, capability, qs, code=code)
    policy.get_or_404(actor, capability, Expense, pk=receipt.expense_id)  # the receipt is seen through its expense
    return receipt


def signers_for(kindergarten):
    """Staff who may be named handler of an expense (members holding finance.expense.sign)."""
    from django.contrib.auth import get_user_model

    roles = [r.value for r in policy.CAPABILITIES["finance.expense.sign"].grants]
    return (get_user_model().objects.filter(memberships__kindergarten=kindergarten, memberships__is_active=True,
                                            memberships__role__in=roles, is_active=True)
            .distinct().order_by("full_name", "username"))


# --------------------------------------------------------------------------------------------
# Categories, budgets, the monthly report


def categories(*, actor, capability: str, for_spending: bool = True):
    """The categories one may book spending on: active, and food only when the kindergarten keeps
    food in its budget."""
    qs = BudgetCategory.objects.filter(is_active=True)
    if for_spending and not finance_settings(actor.kindergarten).food_in_budget:
        qs = qs.filter(is_food=False)
    return policy.scoped(actor, capability, qs).order_by("sort_order", "name")


@dataclass
class BudgetRow:
    category: BudgetCategory
    budget: Decimal | None
    spent: Decimal = ZERO
    spent_month: Decimal = ZERO
    committed: Decimal = ZERO
    budget_code: object = None
    notes: str = ""

    @property
    def remaining(self) -> Decimal | None:
        if self.budget is None:
            return None
        return self.budget - self.spent - self.committed

    @property
    def used_percent(self) -> int | None:
        if not self.budget:
            return None
        return int(((self.spent + self.committed) * 100 / self.budget).to_integral_value())

    @property
    def over(self) -> bool:
        remaining = self.remaining
        return remaining is not None and remaining < 0 or (self.budget is None and (self.spent or self.committed))


@dataclass
class BudgetTable:
    year: int
    rows: list[BudgetRow]
    food_in_budget: bool
    month: int | None = None
    expenses: list = field(default_factory=list)

    def _sum(self, attr) -> Decimal:
        return sum((getattr(r, attr) or ZERO for r in self.rows), ZERO)

    @property
    def total_budget(self) -> Decimal:
        return self._sum("budget")

    @property
    def total_spent(self) -> Decimal:
        return self._sum("spent")

    @property
    def total_spent_month(self) -> Decimal:
        return self._sum("spent_month")

    @property
    def total_committed(self) -> Decimal:
        return self._sum("committed")

    @property
    def total_remaining(self) -> Decimal:
        return self.total_budget - self.total_spent - self.total_committed


def _by_category(qs, expression) -> dict[int, Decimal]:
    rows = qs.order_by().values("category_id").annotate(total=Coalesce(Sum(expression), Value(ZERO), output_field=_MONEY))
    return {r["category_id"]: r["total"] for r in rows}


def _committed(actor, year: int, capability: str) -> dict[int, Decimal]:
    """Committed = approved requests not yet expensed, and expenses recorded but not yet paid."""
    active_expense = Expense.objects.filter(voided_at__isnull=True).exclude(status=E.VOIDED)
    purchases = policy.scoped(actor, capability, PurchaseRequest.objects.active().filter(
        status__in=COMMITTING, budget_year=year).filter(
        ~Exists(active_expense.filter(purchase_request=OuterRef("pk")))))
    repairs = policy.scoped(actor, capability, RepairRequest.objects.active().filter(
        status__in=COMMITTING, budget_year=year).filter(
        ~Exists(active_expense.filter(repair_request=OuterRef("pk")))))
    unpaid = policy.scoped(actor, capability, Expense.objects.filter(
        voided_at__isnull=True, status__in=UNPAID, spent_on__year=year))
    out: dict[int, Decimal] = {}
    for part in (_by_category(purchases, "total"),
                 _by_category(repairs, Coalesce("actual_cost", "estimated_cost")),
                 _by_category(unpaid, "amount")):
        for key, value in part.items():
            out[key] = out.get(key, ZERO) + value
    return out


def budget_table(*, actor, year: int, month: int | None = None, capability: str = "finance.budget.view",
                 with_expenses: bool = False) -> BudgetTable:
    """Per category: the year's budget, spent (paid) in the year — up to the end of `month` when
    given, and in that month —, committed, remaining. A fixed number of queries."""
    food = finance_settings(actor.kindergarten).food_in_budget
    cats = policy.scoped(actor, capability, BudgetCategory.objects.all()).order_by("sort_order", "name")
    if not food:
        cats = cats.filter(is_food=False)
    budgets = {b.category_id: b for b in policy.scoped(actor, capability, Budget.objects.active().filter(year=year))}
    paid = policy.scoped(actor, capability, Expense.objects.filter(voided_at__isnull=True, status=E.PAID,
                                                                   paid_on__year=year))
    if month:
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        paid = paid.filter(paid_on__lte=last)
        spent_month = _by_category(paid.filter(paid_on__month=month), "amount")
    else:
        spent_month = {}
    spent = _by_category(paid, "amount")
    committed = _committed(actor, year, capability)
    rows = []
    for category in cats:
        budget = budgets.get(category.pk)
        row = BudgetRow(category=category, budget=budget.amount if budget else None,
                        spent=spent.get(category.pk, ZERO), spent_month=spent_month.get(category.pk, ZERO),
                        committed=committed.get(category.pk, ZERO), budget_code=budget.code if budget else None,
                        notes=budget.notes if budget else "")
        if category.is_active or budget or row.spent or row.committed:
            rows.append(row)
    table = BudgetTable(year=year, rows=rows, food_in_budget=food, month=month)
    if with_expenses and month:
        table.expenses = list(
            paid.filter(paid_on__month=month).select_related("category", "handler")
            .prefetch_related(Prefetch("signatures", queryset=Signature.objects.select_related("user")))
            .order_by("paid_on", "number")
        )
    return table


def budget_row(*, actor, category, year: int) -> BudgetRow | None:
    """The budget line of one category and year (for approvers deciding on a request), if visible."""
    if not actor.has("finance.budget.view"):
        return None
    table = budget_table(actor=actor, year=year)
    return next((row for row in table.rows if row.category.pk == category.pk), None)


# --------------------------------------------------------------------------------------------
# Fee standards


def fee_standard_list(*, actor, include_drafts: bool = False):
    qs = FeeStandard.objects.active().select_related("published_by")
    if not include_drafts:
        qs = qs.filter(published_at__isnull=False)
    return policy.scoped(actor, "finance.fees.view", qs).order_by("-school_year", "term", "sort_order", "id")


def get_fee_standard(*, actor, code, capability: str = "finance.fees.change") -> FeeStandard:
    return policy.get_or_404(actor, capability, FeeStandard.objects.all(), code=code)


# --------------------------------------------------------------------------------------------
# What waits for the actor (the home page's to-dos): one grouped query per kind of record


def waiting_for(actor) -> dict[str, int]:
    roles = actor.roles
    from houqin.org.models import Role

    out: dict[str, int] = {}
    for key, model, capability in (("purchase", PurchaseRequest, "finance.purchase.approve"),
                                   ("repair", RepairRequest, "finance.repair.approve")):
        if not actor.has(capability):
            continue
        qs = policy.scoped(actor, capability, model.objects.active().filter(status__in=AWAITING_APPROVAL))
        qs = qs.exclude(created_by_id=actor.user.pk)
        conditions = []
        if Role.DIRECTOR in roles:
            conditions.append(Q(status=S.SUBMITTED, requester_is_director=False))
        if Role.PRINCIPAL in roles:
            conditions.append(Q(status=S.DIRECTOR_APPROVED) | Q(status=S.SUBMITTED, requester_is_director=True))
        if not conditions:
            continue
        condition = conditions[0]
        for extra in conditions[1:]:
            condition |= extra
        out[key] = qs.filter(condition).count()
    if actor.has("finance.expense.view"):
        qs = policy.scoped(actor, "finance.expense.view", Expense.objects.filter(voided_at__isnull=True))
        user = actor.user.pk
        counts = {"handler": Count("id", filter=Q(status=E.DRAFT, handler_id=user))}
        if roles & {Role.DIRECTOR, Role.STOREKEEPER}:
            counts["acceptor"] = Count("id", filter=Q(status=E.HANDLER_SIGNED) & ~Q(handler_id=user) & ~Q(created_by_id=user))
        if Role.PRINCIPAL in roles:
            counts["principal"] = Count("id", filter=Q(status=E.ACCEPTOR_SIGNED) & ~Q(created_by_id=user) & ~Q(handler_id=user))
        if actor.has("finance.expense.pay"):
            counts["pay"] = Count("id", filter=Q(status=E.PRINCIPAL_SIGNED))
        out.update({f"expense_{k}": v for k, v in qs.aggregate(**counts).items()})
    return out

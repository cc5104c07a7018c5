"""Purchasing, repairs and money: requests with approvals, expenses with receipts and the signature
chain 经手人 → 验收人 → 园长, budgets, fee standards.

Money is Decimal to the fen (分, two places) everywhere; quantities to three places. Money records
are voidable (never deleted) and keep their history of changes.

Each workflow is a state machine: a TextChoices of states and a transitions map; only the
`*_set_status` services of houqin.finance.services move a record from one state to another.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core import files
from houqin.core.models import TenantModel, VoidableModel

CENT = Decimal("0.01")
MONEY = {"max_digits": 12, "decimal_places": 2}  # up to ¥9,999,999,999.99
QUANTITY = {"max_digits": 12, "decimal_places": 3}
DEFAULT_APPROVAL_THRESHOLD = Decimal("2000.00")


def money(value) -> Decimal:
    """Round to the fen, half up (the way Chinese invoices round)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------------------------
# Settings and budgets


class FinanceSettings(TenantModel):
    """The kindergarten's own money rules. Without a row, the shipped defaults apply."""

    scope_paths: dict = {}

    approval_threshold = models.DecimalField(
        _("principal's approval from"),
        **MONEY,
        default=DEFAULT_APPROVAL_THRESHOLD,
        help_text=_(
            "Purchase and repair requests whose estimated total reaches this amount also need the "
            "principal's approval after the logistics director's. This is the kindergarten's own rule, "
            "not a regulation; Houqin ships ¥2,000 as a starting point."
        ),
    )
    food_in_budget = models.BooleanField(
        _("food purchases in the kindergarten budget"),
        default=False,
        help_text=_(
            "Children's food is normally paid from the separate meal account (canteen). Tick only if "
            "your kindergarten buys food from its own budget."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("finance settings")
        verbose_name_plural = _("finance settings")
        constraints = [models.UniqueConstraint(fields=["kindergarten"], name="finance_settings_one_per_kg")]

    def __str__(self):
        return f"{self.kindergarten} · {self.approval_threshold}"


class BudgetCategory(TenantModel):
    """A line of the budget: 办公用品, 教玩具, 维修, 水电, 设备购置 …"""

    scope_paths: dict = {}

    name = models.CharField(_("name"), max_length=30)
    is_food = models.BooleanField(
        _("food"), default=False,
        help_text=_("Food is kept out of the kindergarten budget unless the kindergarten says otherwise."),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget category")
        verbose_name_plural = _("budget categories")
        ordering = ["sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["kindergarten", "name"], name="finance_category_unique_name")]

    def __str__(self):
        return self.name


class Budget(TenantModel, VoidableModel):
    """The amount budgeted for one category in one calendar year."""

    scope_paths: dict = {}

    category = models.ForeignKey(BudgetCategory, verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="budgets")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount"), **MONEY)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["year", "category__sort_order", "category__name"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "category", "year"], condition=Q(voided_at__isnull=True),
                                    name="finance_budget_unique_line"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="finance_budget_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.year} {self.category}"


# --------------------------------------------------------------------------------------------
# Purchase and repair requests


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting the director")
    DIRECTOR_APPROVED = "director_approved", _("Awaiting the principal")
    APPROVED = "approved", _("Approved")
    ORDERED = "ordered", _("Ordered")
    IN_REPAIR = "in_repair", _("Under repair")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


S = RequestStatus
# The state machines. DONE, REJECTED and CANCELLED are final.
PURCHASE_TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SUBMITTED, S.CANCELLED},
    S.SUBMITTED: {S.DIRECTOR_APPROVED, S.APPROVED, S.REJECTED, S.CANCELLED},
    S.DIRECTOR_APPROVED: {S.APPROVED, S.REJECTED, S.CANCELLED},
    S.APPROVED: {S.ORDERED, S.DONE, S.CANCELLED},
    S.ORDERED: {S.DONE, S.CANCELLED},
    S.DONE: set(),
    S.REJECTED: set(),
    S.CANCELLED: set(),
}
REPAIR_TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SUBMITTED, S.CANCELLED},
    S.SUBMITTED: {S.DIRECTOR_APPROVED, S.APPROVED, S.REJECTED, S.CANCELLED},
    S.DIRECTOR_APPROVED: {S.APPROVED, S.REJECTED, S.CANCELLED},
    S.APPROVED: {S.IN_REPAIR, S.DONE, S.CANCELLED},
    S.IN_REPAIR: {S.DONE},
    S.DONE: set(),
    S.REJECTED: set(),
    S.CANCELLED: set(),
}
AWAITING_APPROVAL = (S.SUBMITTED, S.DIRECTOR_APPROVED)
# Approved and not yet closed or expensed: what counts as committed against the budget.
COMMITTING = (S.APPROVED, S.ORDERED, S.IN_REPAIR, S.DONE)


class ApprovalRequest(TenantModel, VoidableModel):
    """What purchase and repair requests share: who asked, why, the budget line, and the approvals
    (the director, then — at or above the kindergarten's threshold — the principal)."""

    scope_paths: dict = {}

    number = models.CharField(_("number"), max_length=20, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices, default=S.DRAFT,
                              editable=False)
    reason = models.TextField(_("why it is needed"), max_length=1000)
    category = models.ForeignKey(BudgetCategory, verbose_name=_("budget category"), on_delete=models.PROTECT,
                                 related_name="+")
    budget_year = models.PositiveSmallIntegerField(_("budget year"))
    # Fixed at submission: the rule that applied to this request.
    needs_principal = models.BooleanField(_("needs the principal's approval"), default=False, editable=False)
    requester_is_director = models.BooleanField(_("asked by the logistics director"), default=False, editable=False)
    threshold_at_submission = models.DecimalField(_("threshold at submission"), **MONEY, null=True, blank=True,
                                                  editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT,
                                     null=True, blank=True, editable=False, related_name="+")
    director_approved_at = models.DateTimeField(_("approved by the director at"), null=True, blank=True, editable=False)
    director_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by the director"),
                                             on_delete=models.PROTECT, null=True, blank=True, editable=False,
                                             related_name="+")
    principal_approved_at = models.DateTimeField(_("approved by the principal at"), null=True, blank=True,
                                                 editable=False)
    principal_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by the principal"),
                                              on_delete=models.PROTECT, null=True, blank=True, editable=False,
                                              related_name="+")
    closed_at = models.DateTimeField(_("rejected or cancelled at"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rejected or cancelled by"),
                                  on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+")
    decision_note = models.CharField(_("reason given"), max_length=200, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.status not in (S.DONE, S.REJECTED, S.CANCELLED)

    @property
    def approver_step(self) -> str | None:
        """"director" or "principal": whose approval it awaits; None when it awaits nobody."""
        if self.status == S.SUBMITTED:
            return "principal" if self.requester_is_director else "director"
        if self.status == S.DIRECTOR_APPROVED:
            return "principal"
        return None


class PurchaseRequest(ApprovalRequest):
    """申购: what to buy, why, estimated cost and budget line."""

    title = models.CharField(_("what"), max_length=100)
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    supplier_name = models.CharField(_("supplier"), max_length=100, blank=True)
    supplier = models.ForeignKey("stock.Supplier", verbose_name=_("supplier on file"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    total = models.DecimalField(_("estimated total"), **MONEY, default=Decimal("0.00"), editable=False)
    ordered_at = models.DateTimeField(_("ordered at"), null=True, blank=True, editable=False)
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ordered by"), on_delete=models.PROTECT,
                                   null=True, blank=True, editable=False, related_name="+")
    done_at = models.DateTimeField(_("received at"), null=True, blank=True, editable=False)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("received by"), on_delete=models.PROTECT,
                                null=True, blank=True, editable=False, related_name="+")
    history = HistoricalRecords()

    TRANSITIONS = PURCHASE_TRANSITIONS

    class Meta:
        verbose_name = _("purchase request")
        verbose_name_plural = _("purchase requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "number"], name="finance_purchase_unique_number"),
            models.CheckConstraint(condition=Q(total__gte=0), name="finance_purchase_total_not_negative"),
        ]
        indexes = [models.Index(fields=["kindergarten", "status"], name="finance_purchase_kg_status")]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def estimated_total(self) -> Decimal:
        return self.total


class PurchaseRequestLine(TenantModel):
    """One line of a purchase request: description, optional stock item, quantity, unit, unit price."""

    scope_paths: dict = {}

    request = models.ForeignKey(PurchaseRequest, verbose_name=_("purchase request"), on_delete=models.PROTECT,
                                related_name="lines")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    description = models.CharField(_("description"), max_length=100)
    stock_item = models.ForeignKey("stock.Item", verbose_name=_("storeroom item"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit = models.CharField(_("unit"), max_length=10)
    unit_price = models.DecimalField(_("estimated unit price"), **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("purchase request line")
        verbose_name_plural = _("purchase request lines")
        ordering = ["request_id", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="finance_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="finance_line_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.description} × {self.quantity}{self.unit}"

    def save(self, *args, **kwargs):
        self.amount = money(self.quantity * self.unit_price)
        super().save(*args, **kwargs)


class FixedBy(models.TextChoices):
    IN_HOUSE = "in_house", _("In house")
    CONTRACTOR = "contractor", _("Contractor")


class RepairRequest(ApprovalRequest):
    """维修申请: what is broken and where, estimated cost; then who fixed it, the cost and when."""

    scope_paths = {"campus": "campus_id"}

    title = models.CharField(_("what is broken"), max_length=100)
    campus = models.ForeignKey("org.Campus", verbose_name=_("campus"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    location = models.CharField(_("where"), max_length=100)
    asset = models.ForeignKey("assets.Asset", verbose_name=_("asset"), on_delete=models.PROTECT, null=True, blank=True,
                              related_name="finance_repair_requests")
    estimated_cost = models.DecimalField(_("estimated cost"), **MONEY, default=Decimal("0.00"))
    fixed_by = models.CharField(_("fixed by"), max_length=20, choices=FixedBy.choices, blank=True)
    fixer_name = models.CharField(_("repairer or contractor"), max_length=100, blank=True)
    actual_cost = models.DecimalField(_("actual cost"), **MONEY, null=True, blank=True)
    started_at = models.DateTimeField(_("repair started at"), null=True, blank=True, editable=False)
    repaired_on = models.DateField(_("repaired on"), null=True, blank=True)
    asset_returned_on = models.DateField(_("asset back in use on"), null=True, blank=True)
    repair_notes = models.CharField(_("repair notes"), max_length=200, blank=True)
    done_at = models.DateTimeField(_("recorded done at"), null=True, blank=True, editable=False)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded done by"), on_delete=models.PROTECT,
                                null=True, blank=True, editable=False, related_name="+")
    history = HistoricalRecords()

    TRANSITIONS = REPAIR_TRANSITIONS

    class Meta:
        verbose_name = _("repair request")
        verbose_name_plural = _("repair requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "number"], name="finance_repair_unique_number"),
            models.CheckConstraint(condition=Q(estimated_cost__gte=0), name="finance_repair_estimate_not_negative"),
            models.CheckConstraint(condition=Q(actual_cost__isnull=True) | Q(actual_cost__gte=0),
                                   name="finance_repair_cost_not_negative"),
        ]
        indexes = [models.Index(fields=["kindergarten", "status"], name="finance_repair_kg_status")]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def estimated_total(self) -> Decimal:
        return self.estimated_cost


# --------------------------------------------------------------------------------------------
# Expenses, receipts, signatures


class ExpenseStatus(models.TextChoices):
    DRAFT = "draft", _("Awaiting the handler")
    HANDLER_SIGNED = "handler_signed", _("Awaiting the acceptor")
    ACCEPTOR_SIGNED = "acceptor_signed", _("Awaiting the principal")
    PRINCIPAL_SIGNED = "principal_signed", _("Awaiting payment")
    PAID = "paid", _("Paid")
    VOIDED = "voided", _("Voided")


E = ExpenseStatus
EXPENSE_TRANSITIONS: dict[str, set[str]] = {
    E.DRAFT: {E.HANDLER_SIGNED, E.VOIDED},
    E.HANDLER_SIGNED: {E.ACCEPTOR_SIGNED, E.VOIDED},
    E.ACCEPTOR_SIGNED: {E.PRINCIPAL_SIGNED, E.VOIDED},
    E.PRINCIPAL_SIGNED: {E.PAID, E.VOIDED},
    E.PAID: {E.VOIDED},
    E.VOIDED: set(),
}
UNPAID = (E.DRAFT, E.HANDLER_SIGNED, E.ACCEPTOR_SIGNED, E.PRINCIPAL_SIGNED)


class SignatureStep(models.TextChoices):
    HANDLER = "handler", _("Handler")  # 经手人
    ACCEPTOR = "acceptor", _("Acceptor")  # 验收人
    PRINCIPAL = "principal", _("Principal")  # 园长


STEP_ORDER = [SignatureStep.HANDLER, SignatureStep.ACCEPTOR, SignatureStep.PRINCIPAL]
# The status an expense must be in for each step, and the status the signature moves it to.
STEP_FROM = {SignatureStep.HANDLER: E.DRAFT, SignatureStep.ACCEPTOR: E.HANDLER_SIGNED,
             SignatureStep.PRINCIPAL: E.ACCEPTOR_SIGNED}
STEP_TO = {SignatureStep.HANDLER: E.HANDLER_SIGNED, SignatureStep.ACCEPTOR: E.ACCEPTOR_SIGNED,
           SignatureStep.PRINCIPAL: E.PRINCIPAL_SIGNED}


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    CASH = "cash", _("Cash")
    CARD = "card", _("Official card")  # 公务卡
    OTHER = "other", _("Other")


class Expense(TenantModel, VoidableModel):
    """报销: money spent, with its receipts, signed 经手人 → 验收人 → 园长, then paid by the accountant."""

    scope_paths: dict = {}

    number = models.CharField(_("number"), max_length=20, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=ExpenseStatus.choices, default=E.DRAFT,
                              editable=False)
    title = models.CharField(_("what was bought or paid for"), max_length=100)
    description = models.CharField(_("details"), max_length=500, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    category = models.ForeignKey(BudgetCategory, verbose_name=_("budget category"), on_delete=models.PROTECT,
                                 related_name="+")
    spent_on = models.DateField(_("date of the receipt"))
    payee = models.CharField(_("paid to"), max_length=100)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handler"), on_delete=models.PROTECT,
                                related_name="+")
    purchase_request = models.ForeignKey(PurchaseRequest, verbose_name=_("purchase request"), on_delete=models.PROTECT,
                                         null=True, blank=True, related_name="expenses")
    repair_request = models.ForeignKey(RepairRequest, verbose_name=_("repair request"), on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="expenses")
    paid_on = models.DateField(_("paid on"), null=True, blank=True, editable=False)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("paid by"), on_delete=models.PROTECT,
                                null=True, blank=True, editable=False, related_name="+")
    payment_method = models.CharField(_("payment method"), max_length=20, choices=PaymentMethod.choices, blank=True,
                                      editable=False)
    payment_reference = models.CharField(_("payment reference"), max_length=60, blank=True, editable=False)
    history = HistoricalRecords()

    TRANSITIONS = EXPENSE_TRANSITIONS

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-spent_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "number"], name="finance_expense_unique_number"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_expense_amount_positive"),
            models.CheckConstraint(condition=~(Q(status="paid") & Q(paid_on__isnull=True)),
                                   name="finance_expense_paid_has_date"),
        ]
        indexes = [
            models.Index(fields=["kindergarten", "status"], name="finance_expense_kg_status"),
            models.Index(fields=["kindergarten", "paid_on"], name="finance_expense_kg_paid"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def next_step(self) -> str | None:
        for step in STEP_ORDER:
            if STEP_FROM[step] == self.status:
                return step
        return None

    @property
    def is_signed(self) -> bool:
        return self.status != E.DRAFT


def receipt_path(instance, filename: str) -> str:
    """A server-made name: the uploaded name is kept only as text, never as a path."""
    return f"finance/receipts/{instance.kindergarten_id}/{instance.code}.{instance.extension}"


class Receipt(TenantModel, VoidableModel):
    """A receipt photo or scan (JPEG, PNG, WebP or PDF, as houqin.core.files made it) of an expense. Served only through a view that checks
    the policy; the stored image carries no EXIF (no location)."""

    scope_paths: dict = {}

    expense = models.ForeignKey(Expense, verbose_name=_("expense"), on_delete=models.PROTECT, related_name="receipts")
    file = models.FileField(_("file"), upload_to=receipt_path, max_length=200)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    original_name = models.CharField(_("file name"), max_length=100, blank=True)
    sha256 = models.CharField(_("checksum"), max_length=64)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["expense_id", "id"]

    def __str__(self):
        return self.original_name or str(self.code)

    @property
    def extension(self) -> str:
        return files.extension_for(self.content_type)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Signature(TenantModel, VoidableModel):
    """One signature of the chain: which step, who, when. A person signs at most one step of an
    expense, and each step once (both are database constraints, besides the service's checks)."""

    scope_paths: dict = {}

    expense = models.ForeignKey(Expense, verbose_name=_("expense"), on_delete=models.PROTECT, related_name="signatures")
    step = models.CharField(_("step"), max_length=20, choices=SignatureStep.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT,
                             related_name="+")
    role = models.CharField(_("as"), max_length=20, blank=True)
    signed_at = models.DateTimeField(_("signed at"))

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["expense_id", "signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "expense", "step"], name="finance_signature_one_per_step"),
            models.UniqueConstraint(fields=["kindergarten", "expense", "user"], name="finance_signature_one_per_person"),
        ]

    def __str__(self):
        return f"{self.expense_id} {self.step} {self.user}"


# --------------------------------------------------------------------------------------------
# Fee standards


class Term(models.TextChoices):
    AUTUMN = "autumn", _("Autumn term")
    SPRING = "spring", _("Spring term")


class FeeUnit(models.TextChoices):
    PER_MONTH = "month", _("per month")
    PER_DAY = "day", _("per day")
    PER_TERM = "term", _("per term")
    PER_YEAR = "year", _("per year")
    ONCE = "once", _("once")


class FeeStandard(TenantModel, VoidableModel):
    """收费标准: one fee item of one term (保育费 ¥1,200 per month …), published to parents."""

    scope_paths: dict = {}

    school_year = models.PositiveSmallIntegerField(
        _("school year"), help_text=_("The year the school year starts, e.g. 2026 for 2026–2027.")
    )
    term = models.CharField(_("term"), max_length=10, choices=Term.choices)
    item = models.CharField(_("fee item"), max_length=40)
    amount = models.DecimalField(_("amount"), **MONEY)
    unit = models.CharField(_("unit"), max_length=10, choices=FeeUnit.choices)
    basis = models.CharField(_("basis (approving document)"), max_length=200, blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT,
                                     null=True, blank=True, editable=False, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fee standard")
        verbose_name_plural = _("fee standards")
        ordering = ["-school_year", "term", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "school_year", "term", "item"],
                                    condition=Q(voided_at__isnull=True), name="finance_fee_unique_item"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="finance_fee_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.school_year} {self.get_term_display()} {self.item}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def term_label(self) -> str:
        return f"{self.school_year}–{self.school_year + 1} {self.get_term_display()}"


# --------------------------------------------------------------------------------------------
# Energy and water (水电气): meters read once a month, the use against the same month last year
# (houqin.finance.utilities)


class MeterKind(models.TextChoices):
    ELECTRICITY = "electricity", _("Electricity (kWh)")
    WATER = "water", _("Water (m³)")
    GAS = "gas", _("Gas (m³)")


class Meter(TenantModel, VoidableModel):
    """电表 / 水表 / 气表: one meter of the kindergarten (or of a campus)."""

    scope_paths = {"campus": "campus_id"}

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=MeterKind.choices)
    campus = models.ForeignKey("org.Campus", verbose_name=_("campus"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meter")
        verbose_name_plural = _("meters")
        ordering = ["kind", "name", "id"]

    def __str__(self):
        return self.name


class MeterReading(TenantModel, VoidableModel):
    """The reading of a meter at the end of a month, and the month's use it gives: the reading less
    the previous one; when the meter was changed, the old meter's final reading less the previous
    one plus the new meter's reading."""

    scope_paths = {"campus": "meter__campus_id"}

    meter = models.ForeignKey(Meter, verbose_name=_("meter"), on_delete=models.PROTECT, related_name="readings")
    month = models.DateField(_("month"))  # the first day of the month
    reading = models.DecimalField(_("reading"), max_digits=12, decimal_places=2)
    usage = models.DecimalField(_("use"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False)
    meter_changed = models.BooleanField(_("meter changed this month"), default=False)
    old_meter_final = models.DecimalField(_("old meter's final reading"), max_digits=12, decimal_places=2,
                                          null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meter reading")
        verbose_name_plural = _("meter readings")
        ordering = ["meter_id", "-month"]
        constraints = [models.UniqueConstraint(fields=["meter", "month"], condition=Q(voided_at__isnull=True),
                                               name="finance_meter_reading_once_a_month")]

    def __str__(self):
        return f"{self.meter} {self.month:%Y-%m}"


# --------------------------------------------------------------------------------------------
# Fee bills to families (houqin.finance.billing)


class BillStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Unpaid")
    PAID = "paid", _("Paid")


B = BillStatus
# A draft is recomputed in place; an issued bill changes only by payments (or is voided with a
# reason and issued again); a voided payment sends a paid bill back to unpaid.
BILL_TRANSITIONS: dict[str, set[str]] = {
    B.DRAFT: {B.ISSUED},
    B.ISSUED: {B.PAID},
    B.PAID: {B.ISSUED},
}
BILL_CHILD_PATHS = {"campus": "school_class__campus_id", "class": "school_class_id", "child": "child_id"}


class FeeBill(TenantModel, VoidableModel):
    """缴费通知单: one child's fees of one month — the care fee (保育教育费) by the month, the meal fee
    (伙食费) by the days the child was expected, less the absent days the kindergarten's rule refunds.
    One bill per child and month (voided bills aside); the figures are kept as they were computed."""

    scope_paths = BILL_CHILD_PATHS

    number = models.CharField(_("number"), max_length=20, editable=False)
    child = models.ForeignKey("org.Child", verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey("org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT,
                                     related_name="+")
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    status = models.CharField(_("status"), max_length=10, choices=BillStatus.choices, default=B.DRAFT, editable=False)
    school_days = models.PositiveSmallIntegerField(_("school days enrolled"), default=0)
    present_days = models.PositiveSmallIntegerField(_("days present"), default=0)
    absent_days = models.PositiveSmallIntegerField(_("days absent"), default=0)
    meal_days = models.PositiveSmallIntegerField(_("meal days billed"), default=0)
    meal_refunded_days = models.PositiveSmallIntegerField(_("absent days refunded"), default=0)
    meal_fee_per_day = models.DecimalField(_("meal fee per day"), **MONEY, default=Decimal("0"))
    meal_amount = models.DecimalField(_("meal fee"), **MONEY, default=Decimal("0"))
    meal_refund = models.DecimalField(_("meal fee refunded"), **MONEY, default=Decimal("0"))
    care_fee = models.DecimalField(_("care fee of a month"), **MONEY, default=Decimal("0"))
    care_amount = models.DecimalField(_("care fee"), **MONEY, default=Decimal("0"))
    care_reduction = models.DecimalField(_("care fee reduced"), **MONEY, default=Decimal("0"))
    total = models.DecimalField(_("amount due"), **MONEY, default=Decimal("0"))
    paid_amount = models.DecimalField(_("paid"), **MONEY, default=Decimal("0"), editable=False)
    rule_note = models.CharField(_("rules applied"), max_length=400, blank=True)
    how_to_pay = models.CharField(_("how to pay"), max_length=300, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True, editable=False)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT,
                                  null=True, blank=True, editable=False, related_name="+")
    replaces = models.ForeignKey("self", verbose_name=_("replaces"), on_delete=models.PROTECT, null=True, blank=True,
                                 editable=False, related_name="+")
    history = HistoricalRecords()

    TRANSITIONS = BILL_TRANSITIONS

    class Meta:
        verbose_name = _("fee bill")
        verbose_name_plural = _("fee bills")
        ordering = ["-month", "school_class__sort_order", "school_class__name", "child__name_pinyin", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "child", "month"], condition=Q(voided_at__isnull=True),
                                    name="finance_bill_one_per_child_month"),
            models.UniqueConstraint(fields=["kindergarten", "number"], name="finance_bill_unique_number"),
            models.CheckConstraint(condition=Q(total__gte=0) & Q(paid_amount__gte=0) & Q(paid_amount__lte=F("total")),
                                   name="finance_bill_paid_within_total"),
        ]
        indexes = [models.Index(fields=["kindergarten", "month", "status"], name="finance_bill_kg_month")]

    def __str__(self):
        return f"{self.number} {self.month:%Y-%m}"

    @property
    def due(self) -> Decimal:
        return self.total - self.paid_amount

    @property
    def is_paid(self) -> bool:
        return self.status == B.PAID

    @property
    def care_prorated(self) -> bool:
        """Charged for part of the month (enrolled or left during it)."""
        return self.care_amount + self.care_reduction != self.care_fee


class FeePaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    SCAN = "scan", _("Scanned the kindergarten's payment code")
    CASH = "cash", _("Cash at the office")
    OTHER = "other", _("Other")


class FeePayment(TenantModel, VoidableModel):
    """A payment of a bill as the accountant recorded it (no money moves through Houqin), with its
    receipt number (收据)."""

    scope_paths = {"campus": "bill__school_class__campus_id", "class": "bill__school_class_id",
                   "child": "bill__child_id"}

    bill = models.ForeignKey(FeeBill, verbose_name=_("bill"), on_delete=models.PROTECT, related_name="payments")
    number = models.CharField(_("receipt number"), max_length=20, editable=False)
    amount = models.DecimalField(_("amount"), **MONEY)
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("payment method"), max_length=20, choices=FeePaymentMethod.choices)
    reference = models.CharField(_("payment reference"), max_length=60, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fee payment")
        verbose_name_plural = _("fee payments")
        ordering = ["bill_id", "paid_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "number"], name="finance_payment_unique_number"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_payment_amount_positive"),
        ]

    def __str__(self):
        return f"{self.number} {self.amount}"


# --------------------------------------------------------------------------------------------
# Events (大型活动): the logistics of 六一, the sports meet, the open day … (houqin.finance.events)


class EventKind(models.TextChoices):
    CHILDRENS_DAY = "childrens_day", _("Children's Day (六一)")
    SPORTS = "sports", _("Sports meet")
    OPEN_DAY = "open_day", _("Open day")
    GRADUATION = "graduation", _("Graduation")
    NEW_YEAR = "new_year", _("New Year celebration")
    OTHER = "other", _("Other event")


class NeedKind(models.TextChoices):
    CATERING = "catering", _("Food and drink")
    MATERIALS = "materials", _("Materials and props")
    SAFETY = "safety", _("Safety and first aid")
    OTHER = "other", _("Other")


class Event(TenantModel, VoidableModel):
    """A big event of the kindergarten and its logistics: when and where, how many children and guests,
    who leads it, its budget, what it needs; the purchase request it made for what must be bought."""

    scope_paths: dict = {}

    title = models.CharField(_("title"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=60, blank=True)
    children = models.PositiveIntegerField(_("children taking part"), default=0)
    guests = models.PositiveIntegerField(_("parents and guests"), default=0)
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("led by"), on_delete=models.PROTECT,
                             related_name="+")
    budget = models.DecimalField(_("budget"), **MONEY)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    purchase_request = models.ForeignKey(PurchaseRequest, verbose_name=_("purchase request"), on_delete=models.PROTECT,
                                         null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-date", "-id"]
        constraints = [models.CheckConstraint(condition=Q(budget__gte=0), name="finance_event_budget_not_negative")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"


class EventNeed(TenantModel):
    """One thing an event needs: how many, who sees to it, and whether it is bought (at an estimated
    price: it goes into the event's purchase request) or taken from what the kindergarten has."""

    scope_paths: dict = {}

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="needs")
    kind = models.CharField(_("kind"), max_length=20, choices=NeedKind.choices, default=NeedKind.MATERIALS)
    item = models.CharField(_("what"), max_length=100)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit = models.CharField(_("unit"), max_length=10)
    to_buy = models.BooleanField(_("to be bought"), default=True)
    unit_price = models.DecimalField(_("estimated unit price"), null=True, blank=True, **MONEY)
    responsible = models.CharField(_("who sees to it"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("event need")
        verbose_name_plural = _("event needs")
        ordering = ["event_id", "kind", "id"]

    def __str__(self):
        return self.item

    @property
    def amount(self) -> Decimal:
        if not self.to_buy or self.unit_price is None:
            return Decimal("0.00")
        return money(self.quantity * self.unit_price)

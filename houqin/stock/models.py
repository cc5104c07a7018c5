"""The storeroom: warehouses, suppliers, items, batches and the append-only movement ledger;
requisitions (领用申请) and stocktakes (盘点).

Quantities on hand are derived from the ledger. `Batch.quantity` and `Batch.value` are caches that
only houqin.stock.services changes, in the same transaction as the Movement row that explains the
change (a test checks after random sequences of operations that they equal the ledger's sums).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core.models import ProtectedRecordError, TenantModel, VoidableModel
from houqin.core.text import pinyin_initials, pinyin_key

QUANTITY = {"max_digits": 12, "decimal_places": 3}
UNIT_COST = {"max_digits": 12, "decimal_places": 4}
MONEY = {"max_digits": 14, "decimal_places": 2}
CENT = Decimal("0.01")
DEFAULT_EXPIRY_WARNING_DAYS = 7


def book_value(quantity: Decimal, unit_cost: Decimal) -> Decimal:
    """The value of `quantity` at `unit_cost`, to the fen (分), rounded half up."""
    return (Decimal(quantity) * Decimal(unit_cost)).quantize(CENT, rounding=ROUND_HALF_UP)


class StockSettings(TenantModel):
    """A kindergarten's own rules for its storeroom, and the counters of its document numbers."""

    scope_paths: dict = {}

    expiry_warning_days = models.PositiveSmallIntegerField(
        _("expiry warning (days)"), default=DEFAULT_EXPIRY_WARNING_DAYS,
        help_text=_("Batches expiring within this many days appear on the to-do list."),
    )
    expiry_warning_source = models.CharField(
        _("source of the rule"), max_length=100, default="kindergarten's own rule", blank=True,
    )
    next_requisition_number = models.PositiveIntegerField(_("next requisition number"), default=1, editable=False)
    next_stocktake_number = models.PositiveIntegerField(_("next stocktake number"), default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["next_requisition_number", "next_stocktake_number"])

    class Meta:
        verbose_name = _("stock settings")
        verbose_name_plural = _("stock settings")
        constraints = [models.UniqueConstraint(fields=["kindergarten"], name="stock_settings_one_per_kg")]

    def __str__(self):
        return str(self.kindergarten)


class Supplier(TenantModel):
    """A supplier of food or goods. The food-safety area attaches licences and certificates to it."""

    scope_paths: dict = {}

    name = models.CharField(_("name"), max_length=100)
    name_pinyin = models.CharField(_("name in pinyin"), max_length=120, blank=True, editable=False)
    contact_person = models.CharField(_("contact person"), max_length=30, blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name_pinyin", "name"]
        constraints = [models.UniqueConstraint(fields=["kindergarten", "name"], name="supplier_unique_name")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_pinyin = pinyin_key(self.name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_pinyin"}
        super().save(*args, **kwargs)


class WarehouseKind(models.TextChoices):
    FOOD = "food", _("Food store")
    GENERAL = "general", _("General store")


class Warehouse(TenantModel):
    """A store room of a campus: a food store (食品库) or a general store (物品仓库)."""

    scope_paths = {"campus": "campus_id"}

    campus = models.ForeignKey("org.Campus", verbose_name=_("campus"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=WarehouseKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["campus__name", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "campus", "name"], name="warehouse_unique_name")
        ]

    def __str__(self):
        return self.name

    @property
    def is_food(self) -> bool:
        return self.kind == WarehouseKind.FOOD


class Category(models.TextChoices):
    # food (食品)
    GRAIN_OIL = "grain_oil", _("Grain and oil")  # 米面粮油
    MEAT_EGG = "meat_egg", _("Meat, poultry and eggs")  # 肉禽蛋
    AQUATIC = "aquatic", _("Fish and seafood")  # 水产
    VEGETABLE = "vegetable", _("Vegetables")  # 蔬菜
    FRUIT = "fruit", _("Fruit")  # 水果
    DAIRY = "dairy", _("Milk and dairy")  # 奶制品
    SOY = "soy", _("Beans and soy products")  # 豆制品
    SEASONING = "seasoning", _("Seasonings")  # 调味品
    DRY_GOODS = "dry_goods", _("Dry goods")  # 干货
    OTHER_FOOD = "other_food", _("Other food")
    # general goods (物品)
    CLEANING = "cleaning", _("Cleaning supplies")  # 清洁用品
    DISINFECTANT = "disinfectant", _("Disinfectants")  # 消毒用品
    PAPER = "paper", _("Paper products")  # 纸品
    OFFICE = "office", _("Office supplies")  # 办公用品
    TEACHING = "teaching", _("Teaching and art materials")  # 教学美工材料
    MEDICAL = "medical", _("Health-care supplies")  # 保健用品
    KITCHEN = "kitchen", _("Kitchen supplies")  # 厨房用品
    MAINTENANCE = "maintenance", _("Maintenance materials")  # 维修材料
    OTHER = "other", _("Other goods")


FOOD_CATEGORIES = frozenset({
    Category.GRAIN_OIL, Category.MEAT_EGG, Category.AQUATIC, Category.VEGETABLE, Category.FRUIT, Category.DAIRY,
    Category.SOY, Category.SEASONING, Category.DRY_GOODS, Category.OTHER_FOOD,
})

UNITS = ["斤", "公斤", "克", "升", "箱", "袋", "包", "瓶", "桶", "盒", "个", "支", "卷", "把", "块", "张", "本", "双", "套"]


class Item(TenantModel):
    """A thing the kindergarten keeps in stock, in one unit. Food items carry a default shelf life."""

    scope_paths: dict = {}

    name = models.CharField(_("name"), max_length=60)
    name_pinyin = models.CharField(_("name in pinyin"), max_length=120, blank=True, editable=False)
    name_initials = models.CharField(_("pinyin initials"), max_length=40, blank=True, editable=False)
    spec = models.CharField(_("specification"), max_length=60, blank=True, help_text=_("e.g. 5 kg bag, 500 ml"))
    unit = models.CharField(_("unit"), max_length=10)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    is_food = models.BooleanField(_("food"), default=False, editable=False)
    minimum_level = models.DecimalField(_("minimum level"), default=Decimal("0"), **QUANTITY)
    shelf_life_days = models.PositiveIntegerField(
        _("shelf life (days)"), null=True, blank=True,
        help_text=_("Used to compute the expiry date when a receipt gives only the production date."),
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["category", "name_pinyin"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "name", "spec"], name="item_unique_name"),
            models.CheckConstraint(condition=Q(minimum_level__gte=0), name="item_minimum_not_negative"),
        ]

    def __str__(self):
        return f"{self.name}（{self.spec}）" if self.spec else self.name

    def save(self, *args, **kwargs):
        self.fill_derived()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_pinyin", "name_initials", "is_food"}
        super().save(*args, **kwargs)

    def fill_derived(self) -> Item:
        """Set the fields derived from others (call it before bulk_create, which skips save())."""
        self.name_pinyin = pinyin_key(self.name)
        self.name_initials = pinyin_initials(self.name)[:40]
        self.is_food = self.category in FOOD_CATEGORIES
        return self


class Batch(TenantModel):
    """What one receipt brought into one warehouse: a batch with its dates, supplier and unit cost.

    `quantity` and `value` are the batch's on-hand quantity and book value, cached from the ledger:
    only the ledger services change them, with a Movement row in the same transaction.
    """

    scope_paths = {"campus": "warehouse__campus_id"}

    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="batches")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="batches")
    batch_no = models.CharField(_("batch number"), max_length=40, blank=True)
    production_date = models.DateField(_("production date"), null=True, blank=True)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, null=True, blank=True, related_name="batches"
    )
    unit_cost = models.DecimalField(_("unit cost"), **UNIT_COST)
    received_at = models.DateTimeField(_("received at"))
    source = models.ForeignKey(
        "self", verbose_name=_("transferred from"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    quantity = models.DecimalField(_("quantity on hand"), default=Decimal("0"), editable=False, **QUANTITY)
    value = models.DecimalField(_("value on hand"), default=Decimal("0"), editable=False, **MONEY)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["item_id", "expiry_date", "received_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="batch_quantity_not_negative"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="batch_unit_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(production_date__isnull=True) | Q(expiry_date__isnull=True)
                | Q(expiry_date__gte=models.F("production_date")),
                name="batch_expiry_after_production",
            ),
        ]
        indexes = [
            models.Index(fields=["kindergarten", "item", "warehouse", "expiry_date"], name="batch_fefo"),
            models.Index(fields=["kindergarten", "expiry_date"], name="batch_expiry"),
        ]

    def __str__(self):
        label = self.batch_no or self.received_at.strftime("%Y-%m-%d")
        return f"{self.item} · {label}"

    def is_expired_on(self, day) -> bool:
        return self.expiry_date is not None and self.expiry_date < day


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")  # 入库
    ISSUE_REQUISITION = "issue_requisition", _("Issue on requisition")  # 领用出库
    ISSUE_KITCHEN = "issue_kitchen", _("Issue to the kitchen")  # 厨房出库
    TRANSFER_OUT = "transfer_out", _("Transfer out")  # 调出
    TRANSFER_IN = "transfer_in", _("Transfer in")  # 调入
    DISPOSAL_EXPIRED = "disposal_expired", _("Disposal: expired")  # 过期报废
    DISPOSAL_DAMAGED = "disposal_damaged", _("Disposal: damaged")  # 损坏报废
    STOCKTAKE_ADJUSTMENT = "stocktake_adjustment", _("Stocktake adjustment")  # 盘点调整
    CORRECTION = "correction", _("Correction of a receipt")  # 冲销


INCOMING = frozenset({MovementKind.RECEIPT, MovementKind.TRANSFER_IN})
ISSUES = frozenset({MovementKind.ISSUE_REQUISITION, MovementKind.ISSUE_KITCHEN})
DISPOSALS = frozenset({MovementKind.DISPOSAL_EXPIRED, MovementKind.DISPOSAL_DAMAGED})
OUTGOING = ISSUES | DISPOSALS | {MovementKind.TRANSFER_OUT}


class MovementQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ProtectedRecordError("Stock movements are append-only.")

    def delete(self):
        raise ProtectedRecordError("Stock movements are append-only.")


class Movement(TenantModel):
    """One line of the stock ledger: a signed change of one batch's quantity, with who, when and why.

    Append-only: a row is never changed or deleted. A mistake is put right by a new movement.
    `created_by` is who recorded it, `created_at` when; `occurred_on` is the day it happened.
    """

    scope_paths = {"campus": "warehouse__campus_id", "class": "school_class_id"}

    batch = models.ForeignKey(Batch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="movements")
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="movements")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=24, choices=MovementKind.choices)
    quantity = models.DecimalField(_("quantity"), help_text=_("Signed: positive in, negative out."), **QUANTITY)
    balance_after = models.DecimalField(_("batch quantity after"), **QUANTITY)
    unit_cost = models.DecimalField(_("unit cost"), **UNIT_COST)
    value = models.DecimalField(_("value"), help_text=_("Signed change of the batch's book value."), **MONEY)
    occurred_on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    school_class = models.ForeignKey(
        "org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("witness"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    requisition = models.ForeignKey(
        "Requisition", verbose_name=_("requisition"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="movements",
    )
    requisition_line = models.ForeignKey(
        "RequisitionLine", verbose_name=_("requisition line"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="movements",
    )
    stocktake = models.ForeignKey(
        "Stocktake", verbose_name=_("stocktake"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="movements",
    )
    counterpart = models.ForeignKey(
        "self", verbose_name=_("other side of the transfer"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    reverses = models.ForeignKey(
        "self", verbose_name=_("corrects"), on_delete=models.PROTECT, null=True, blank=True, related_name="corrections",
    )

    objects = MovementQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-occurred_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="movement_quantity_not_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="movement_balance_not_negative"),
            models.UniqueConstraint(fields=["kindergarten", "reverses"], name="movement_corrected_once"),
        ]
        indexes = [
            models.Index(fields=["kindergarten", "occurred_on"], name="movement_kg_day"),
            models.Index(fields=["kindergarten", "kind", "occurred_on"], name="movement_kg_kind_day"),
            models.Index(fields=["item", "occurred_on"], name="movement_item_day"),
        ]

    def __str__(self):
        return f"{self.occurred_on} {self.get_kind_display()} {self.item} {self.quantity}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ProtectedRecordError("Stock movements are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ProtectedRecordError("Stock movements are append-only.")


# --- requisitions (领用申请) -------------------------------------------------------------------


class RequisitionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PARTLY_ISSUED = "partly_issued", _("Partly issued")
    ISSUED = "issued", _("Issued")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


REQUISITION_TRANSITIONS: dict[str, frozenset[str]] = {
    RequisitionStatus.REQUESTED: frozenset({
        RequisitionStatus.PARTLY_ISSUED, RequisitionStatus.ISSUED, RequisitionStatus.REJECTED,
        RequisitionStatus.CANCELLED,
    }),
    RequisitionStatus.PARTLY_ISSUED: frozenset({
        RequisitionStatus.PARTLY_ISSUED, RequisitionStatus.ISSUED, RequisitionStatus.CANCELLED,
    }),
    RequisitionStatus.ISSUED: frozenset(),
    RequisitionStatus.REJECTED: frozenset(),
    RequisitionStatus.CANCELLED: frozenset(),
}
OPEN_REQUISITION = frozenset({RequisitionStatus.REQUESTED, RequisitionStatus.PARTLY_ISSUED})


class Requisition(TenantModel, VoidableModel):
    """A staff member's request for items (领用申请), for their class or themselves; the storekeeper
    issues it. Who asked and when, who issued and when, who closed it and why, are all recorded."""

    scope_paths = {"campus": "campus_id", "class": "school_class_id"}

    number = models.CharField(_("number"), max_length=20, editable=False)
    campus = models.ForeignKey("org.Campus", verbose_name=_("campus"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(
        "org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RequisitionStatus.choices, default=RequisitionStatus.REQUESTED
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("requisition")
        verbose_name_plural = _("requisitions")
        ordering = ["-requested_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["kindergarten", "number"], name="requisition_unique_number")]
        indexes = [models.Index(fields=["kindergarten", "status", "requested_at"], name="requisition_kg_status")]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUISITION


class RequisitionLine(TenantModel):
    """One item of a requisition: how much was asked for, and how much has been issued so far."""

    scope_paths = {"campus": "requisition__campus_id", "class": "requisition__school_class_id"}

    requisition = models.ForeignKey(Requisition, verbose_name=_("requisition"), on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    quantity_requested = models.DecimalField(_("quantity requested"), **QUANTITY)
    quantity_issued = models.DecimalField(_("quantity issued"), default=Decimal("0"), editable=False, **QUANTITY)
    note = models.CharField(_("note"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("requisition line")
        verbose_name_plural = _("requisition lines")
        ordering = ["requisition_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "requisition", "item"], name="requisition_line_unique_item"),
            models.CheckConstraint(condition=Q(quantity_requested__gt=0), name="requisition_line_positive"),
            models.CheckConstraint(
                condition=Q(quantity_issued__gte=0) & Q(quantity_issued__lte=models.F("quantity_requested")),
                name="requisition_line_issued_within_request",
            ),
        ]

    def __str__(self):
        return f"{self.item} × {self.quantity_requested}"

    @property
    def quantity_outstanding(self) -> Decimal:
        return self.quantity_requested - self.quantity_issued


# --- stocktakes (盘点) --------------------------------------------------------------------------


class StocktakeStatus(models.TextChoices):
    OPEN = "open", _("Counting")
    POSTED = "posted", _("Posted")
    CLOSED = "closed", _("Closed without posting")


STOCKTAKE_TRANSITIONS: dict[str, frozenset[str]] = {
    StocktakeStatus.OPEN: frozenset({StocktakeStatus.POSTED, StocktakeStatus.CLOSED}),
    StocktakeStatus.POSTED: frozenset(),
    StocktakeStatus.CLOSED: frozenset(),
}


class Stocktake(TenantModel, VoidableModel):
    """A count of one warehouse (盘点): a line per batch on hand when it opened; counted quantities
    are compared with the book, differences explained, and posting writes the adjustments."""

    scope_paths = {"campus": "warehouse__campus_id"}

    number = models.CharField(_("number"), max_length=20, editable=False)
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="stocktakes")
    status = models.CharField(_("status"), max_length=10, choices=StocktakeStatus.choices, default=StocktakeStatus.OPEN)
    opened_at = models.DateTimeField(_("opened at"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("posted by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "number"], name="stocktake_unique_number"),
            models.UniqueConstraint(
                fields=["kindergarten", "warehouse"], condition=Q(status="open"), name="stocktake_one_open_per_warehouse"
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status == StocktakeStatus.OPEN


class StocktakeLine(TenantModel):
    """One batch of a stocktake: the book quantity when it was counted, the counted quantity, and
    the explanation of any difference."""

    scope_paths = {"campus": "stocktake__warehouse__campus_id"}

    stocktake = models.ForeignKey(Stocktake, verbose_name=_("stocktake"), on_delete=models.PROTECT, related_name="lines")
    batch = models.ForeignKey(Batch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="+")
    book_quantity = models.DecimalField(
        _("book quantity"), help_text=_("On hand by the ledger when the line was counted."), **QUANTITY
    )
    counted_quantity = models.DecimalField(_("counted quantity"), null=True, blank=True, **QUANTITY)
    explanation = models.CharField(_("explanation"), max_length=200, blank=True)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("counted by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stocktake line")
        verbose_name_plural = _("stocktake lines")
        ordering = ["stocktake_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "stocktake", "batch"], name="stocktake_line_unique_batch"),
            models.CheckConstraint(
                condition=Q(counted_quantity__isnull=True) | Q(counted_quantity__gte=0), name="stocktake_count_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.stocktake} · {self.batch}"

    @property
    def difference(self) -> Decimal | None:
        if self.counted_quantity is None:
            return None
        return self.counted_quantity - self.book_quantity

    @property
    def difference_value(self) -> Decimal | None:
        diff = self.difference
        if diff is None:
            return None
        return book_value(self.counted_quantity, self.batch.unit_cost) - book_value(self.book_quantity, self.batch.unit_cost)

"""Food safety (食品安全): rule figures, supplier certificates (索证索票), receiving inspections (验收),
sample retention (留样), half-monthly expiry checks of the food store, kitchen hygiene inspections and
the tableware disinfection log.

Every record here is a legal record: audited (simple-history), never hard-deleted (VoidableModel),
and not even voided before its `retain_until` date (houqin.foodsafety.services.void_record).
Every rule figure (125 g, 48 h, 30 days, …) ships in data/rules.json with its source and status; the
kindergarten sees it and may put its own value in place (houqin.core.rules).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core.models import TenantModel, VoidableModel

QUANTITY = {"max_digits": 12, "decimal_places": 3}
PRICE = {"max_digits": 12, "decimal_places": 4}


# --- rule figures -------------------------------------------------------------------------------


class FigureKey(models.TextChoices):
    SAMPLE_MIN_GRAMS = "sample_min_grams", _("Minimum sample weight")
    SAMPLE_HOLD_HOURS = "sample_hold_hours", _("Sample retention time")
    SAMPLE_FRIDGE_MIN_C = "sample_fridge_min_c", _("Sample fridge: lowest temperature")
    SAMPLE_FRIDGE_MAX_C = "sample_fridge_max_c", _("Sample fridge: highest temperature")
    CHILLED_RECEIVING_MAX_C = "chilled_receiving_max_c", _("Chilled goods on receipt: highest temperature")
    PURCHASE_RECORD_MONTHS = "purchase_record_months_after_expiry", _(
        "Receiving records kept after the shelf life ends")
    PURCHASE_RECORD_MIN_YEARS = "purchase_record_min_years", _("Receiving records kept at least")
    RECORD_RETENTION_YEARS = "record_retention_years", _("Other food-safety records kept")
    CERTIFICATE_WARNING_DAYS = "certificate_warning_days", _("Certificate expiry warning")
    EXPIRY_CHECK_DAYS = "expiry_check_days", _("Food store expiry check every")
    EXPIRY_SOON_DAYS = "expiry_soon_days", _("Food counted as soon to expire within")
    HYGIENE_INSPECTION_DAYS = "hygiene_inspection_days", _("Kitchen hygiene inspection every")
    HAZARD_DEADLINE_DAYS = "hazard_deadline_days", _("Failed hygiene item to be put right within")
    PLATE_WASTE_FLAG_PERCENT = "plate_waste_flag_percent", _("Dish flagged for the meal committee at plate waste of")
    HEAT_MIN_C = "tableware_heat_min_c", _("Steam or boiling disinfection: lowest temperature")
    HEAT_MIN_MINUTES = "tableware_heat_min_minutes", _("Steam or boiling disinfection: shortest time")
    CABINET_MIN_C = "tableware_cabinet_min_c", _("Infrared disinfection cabinet: lowest temperature")
    CABINET_MIN_MINUTES = "tableware_cabinet_min_minutes", _("Infrared disinfection cabinet: shortest time")
    CHLORINE_MIN_MG_L = "chlorine_min_mg_l", _("Chlorine disinfectant: lowest concentration")
    CHLORINE_MAX_MG_L = "chlorine_max_mg_l", _("Chlorine disinfectant: highest concentration")
    PEST_CHECK_DAYS = "pest_check_days", _("Pest-control check every")
    WATER_FILTER_MONTHS = "water_filter_months", _("Water filter changed every")
    WATER_TEST_MONTHS = "water_test_months", _("Drinking water tested every")


class FoodSafetySettings(TenantModel):
    """Choices of a kindergarten that are not figures."""

    scope_paths: dict = {}

    allow_certificate_override = models.BooleanField(
        _("director may accept goods from a supplier with an expired certificate"), default=False,
        help_text=_("Only with a recorded reason; otherwise such deliveries are refused."),
    )
    samples_due_by = models.TimeField(
        _("samples of the day recorded by"), default=dt.time(14, 0),
        help_text=_("After this time a dish served today without a sample is shown in red."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("food-safety settings")
        verbose_name_plural = _("food-safety settings")
        constraints = [models.UniqueConstraint(fields=["kindergarten"], name="fs_settings_one_per_kg")]

    def __str__(self):
        return str(self.kindergarten)


# --- supplier certificates (索证索票) -------------------------------------------------------------


class CertificateKind(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", _("Business licence")  # 营业执照
    FOOD_LICENCE = "food_licence", _("Food business or production licence")  # 食品经营/生产许可证
    INSPECTION_REPORT = "inspection_report", _("Product inspection report")  # 产品检验报告
    QUARANTINE = "quarantine", _("Animal quarantine certificate")  # 动物检疫合格证明
    OTHER = "other", _("Other certificate")


REQUIRED_CERTIFICATE_KINDS = (CertificateKind.BUSINESS_LICENCE, CertificateKind.FOOD_LICENCE)


class SupplierCertificate(TenantModel, VoidableModel):
    """A licence of a supplier, or an inspection report of one of its products, with its scan."""

    scope_paths: dict = {}

    supplier = models.ForeignKey("stock.Supplier", verbose_name=_("supplier"), on_delete=models.PROTECT,
                                 related_name="certificates")
    kind = models.CharField(_("kind"), max_length=20, choices=CertificateKind.choices)
    number = models.CharField(_("number"), max_length=60)
    product = models.CharField(_("product"), max_length=60, blank=True,
                               help_text=_("For an inspection report: the product it covers."))
    item = models.ForeignKey("stock.Item", verbose_name=_("item"), on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"))
    scan = models.FileField(_("scan"), upload_to="foodsafety/certificates/%Y/%m/", blank=True)
    retain_until = models.DateField(_("kept until"), editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supplier certificate")
        verbose_name_plural = _("supplier certificates")
        ordering = ["supplier_id", "kind", "-valid_until"]
        indexes = [models.Index(fields=["kindergarten", "valid_until"], name="fs_cert_valid")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_required_kind(self) -> bool:
        return self.kind in REQUIRED_CERTIFICATE_KINDS


# --- receiving inspection (验收) ------------------------------------------------------------------


class Receipt(TenantModel, VoidableModel):
    """A delivery inspected at the kitchen door the morning it arrives: who delivered, who inspected,
    what was accepted (into the food store, or straight to the kitchen) and what was rejected."""

    scope_paths = {"campus": "warehouse__campus_id"}

    supplier = models.ForeignKey("stock.Supplier", verbose_name=_("supplier"), on_delete=models.PROTECT,
                                 related_name="+")
    warehouse = models.ForeignKey("stock.Warehouse", verbose_name=_("food store"), on_delete=models.PROTECT,
                                  related_name="+")
    received_on = models.DateField(_("date of receipt"))
    received_at = models.DateTimeField(_("time of receipt"))
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT,
                                  related_name="+")
    invoice_photo = models.ImageField(_("invoice photo"), upload_to="foodsafety/invoices/%Y/%m/", blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    override_reason = models.CharField(_("reason for accepting despite the certificates"), max_length=200,
                                       blank=True)
    override_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("accepted despite certificates by"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    retain_until = models.DateField(_("kept until"), editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("receiving inspection")
        verbose_name_plural = _("receiving inspections")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["kindergarten", "received_on"], name="fs_receipt_day")]

    def __str__(self):
        return f"{self.received_on} {self.supplier}"


class ReceiptLine(TenantModel):
    """One food of a delivery: quantity, price, dates, batch, the sensory check (一看二摸三闻), the
    temperature of chilled goods, and the verdict."""

    scope_paths = {"campus": "receipt__warehouse__campus_id"}

    receipt = models.ForeignKey(Receipt, verbose_name=_("receiving inspection"), on_delete=models.PROTECT,
                                related_name="lines")
    item = models.ForeignKey("stock.Item", verbose_name=_("food"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_price = models.DecimalField(_("unit price"), **PRICE)
    production_date = models.DateField(_("production date"))
    shelf_life_days = models.PositiveIntegerField(_("shelf life (days)"), null=True, blank=True)
    expiry_date = models.DateField(_("expiry date"))
    batch_no = models.CharField(_("batch number"), max_length=40, blank=True)
    look_ok = models.BooleanField(_("look"), default=True)
    touch_ok = models.BooleanField(_("touch"), default=True)
    smell_ok = models.BooleanField(_("smell"), default=True)
    is_chilled = models.BooleanField(_("chilled"), default=False)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=4, decimal_places=1, null=True, blank=True)
    accepted = models.BooleanField(_("accepted"), default=True)
    reject_reason = models.CharField(_("reason for rejecting"), max_length=200, blank=True)
    to_kitchen = models.BooleanField(_("straight to the kitchen"), default=False)
    movement = models.ForeignKey("stock.Movement", verbose_name=_("stock receipt"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="+")
    retain_until = models.DateField(_("kept until"), editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("receiving line")
        verbose_name_plural = _("receiving lines")
        ordering = ["receipt_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="fs_receipt_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="fs_receipt_line_price_not_negative"),
            models.CheckConstraint(condition=Q(expiry_date__gte=models.F("production_date")),
                                   name="fs_receipt_line_expiry_after_production"),
            models.CheckConstraint(condition=Q(accepted=True) | ~Q(reject_reason=""),
                                   name="fs_receipt_line_rejected_with_reason"),
        ]

    def __str__(self):
        return f"{self.item} × {self.quantity}"

    @property
    def sensory_ok(self) -> bool:
        return self.look_ok and self.touch_ok and self.smell_ok

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))


# --- sample retention (留样) ----------------------------------------------------------------------


class Sample(TenantModel, VoidableModel):
    """A retained sample of one dish of one meal: weight, when it went into which fridge, by whom;
    discard due after the retention time, and the discard recorded with who and when."""

    scope_paths: dict = {}

    day = models.DateField(_("day"))
    meal = models.CharField(_("meal"), max_length=20)
    meal_label = models.CharField(_("meal name"), max_length=20, blank=True)
    dish_code = models.UUIDField(_("dish"))
    dish_name = models.CharField(_("dish name"), max_length=60)
    weight_grams = models.DecimalField(_("weight (g)"), max_digits=6, decimal_places=1)
    stored_at = models.DateTimeField(_("put in at"))
    fridge = models.CharField(_("fridge"), max_length=30)
    fridge_temperature = models.DecimalField(_("fridge temperature (°C)"), max_digits=4, decimal_places=1, null=True,
                                             blank=True)
    stored_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("kept by"), on_delete=models.PROTECT,
                                  related_name="+")
    discard_due = models.DateTimeField(_("discard due"))
    discarded_at = models.DateTimeField(_("discarded at"), null=True, blank=True)
    discarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("discarded by"),
                                     on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    retain_until = models.DateField(_("kept until"), editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("retained sample")
        verbose_name_plural = _("retained samples")
        ordering = ["-day", "meal", "dish_name"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "day", "meal", "dish_code"],
                                    condition=Q(voided_at__isnull=True), name="fs_sample_one_per_dish"),
            models.CheckConstraint(condition=Q(weight_grams__gt=0), name="fs_sample_weight_positive"),
            models.CheckConstraint(condition=Q(discarded_at__isnull=True) | Q(discarded_at__gte=models.F("discard_due")),
                                   name="fs_sample_not_discarded_early"),
        ]
        indexes = [models.Index(fields=["kindergarten", "day"], name="fs_sample_day")]

    def __str__(self):
        return f"{self.day} {self.meal_label or self.meal} {self.dish_name}"


# --- expiry checks of the food store (半月检查) ---------------------------------------------------


class ExpiryCheck(TenantModel, VoidableModel):
    """A check of every batch in a food store: production date, shelf life, certificate present."""

    scope_paths = {"campus": "warehouse__campus_id"}

    warehouse = models.ForeignKey("stock.Warehouse", verbose_name=_("food store"), on_delete=models.PROTECT,
                                  related_name="+")
    checked_on = models.DateField(_("checked on"))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT,
                                   related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)
    retain_until = models.DateField(_("kept until"), editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("expiry check")
        verbose_name_plural = _("expiry checks")
        ordering = ["-checked_on", "-pk"]
        indexes = [models.Index(fields=["kindergarten", "checked_on"], name="fs_expiry_check_day")]

    def __str__(self):
        return f"{self.checked_on} {self.warehouse}"


class BatchState(models.TextChoices):
    OK = "ok", _("In date")
    SOON = "soon", _("Soon to expire")
    EXPIRED = "expired", _("Expired")


class ExpiryCheckLine(TenantModel):
    """One batch of an expiry check, as found."""

    scope_paths = {"campus": "expiry_check__warehouse__campus_id"}

    expiry_check = models.ForeignKey(ExpiryCheck, verbose_name=_("expiry check"), on_delete=models.PROTECT,
                              related_name="lines")
    batch = models.ForeignKey("stock.Batch", verbose_name=_("batch"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity on hand"), **QUANTITY)
    state = models.CharField(_("state"), max_length=10, choices=BatchState.choices)
    production_date_ok = models.BooleanField(_("production date marked"), default=True)
    shelf_life_ok = models.BooleanField(_("shelf life marked"), default=True)
    certificate_ok = models.BooleanField(_("certificate present"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    disposal = models.ForeignKey("stock.Movement", verbose_name=_("disposal"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("expiry check line")
        verbose_name_plural = _("expiry check lines")
        ordering = ["expiry_check_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["kindergarten", "expiry_check", "batch"], name="fs_expiry_line_once")]

    def __str__(self):
        return f"{self.expiry_check} · {self.batch}"

    @property
    def has_problem(self) -> bool:
        return (self.state != BatchState.OK or not self.production_date_ok or not self.shelf_life_ok
                or not self.certificate_ok)


# --- kitchen hygiene ------------------------------------------------------------------------------


class HygieneItem(TenantModel):
    """One line of the kindergarten's own weekly kitchen hygiene checklist (editable)."""

    scope_paths: dict = {}

    area = models.CharField(_("area"), max_length=20, blank=True)
    text = models.CharField(_("check"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hygiene checklist item")
        verbose_name_plural = _("hygiene checklist items")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text


class HygieneInspection(TenantModel, VoidableModel):
    """A weekly kitchen hygiene inspection: every item of the checklist passed or failed."""

    scope_paths: dict = {}

    inspected_on = models.DateField(_("inspected on"))
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT,
                                  related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)
    retain_until = models.DateField(_("kept until"), editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hygiene inspection")
        verbose_name_plural = _("hygiene inspections")
        ordering = ["-inspected_on", "-pk"]
        indexes = [models.Index(fields=["kindergarten", "inspected_on"], name="fs_hygiene_day")]

    def __str__(self):
        return str(self.inspected_on)


class HygieneResult(TenantModel):
    """One item of an inspection. A failed item carries a deadline and becomes a hazard."""

    scope_paths: dict = {}

    inspection = models.ForeignKey(HygieneInspection, verbose_name=_("hygiene inspection"), on_delete=models.PROTECT,
                                   related_name="results")
    item = models.ForeignKey(HygieneItem, verbose_name=_("check"), on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("check"), max_length=120)
    passed = models.BooleanField(_("passed"), default=True)
    note = models.CharField(_("what was wrong"), max_length=200, blank=True)
    deadline = models.DateField(_("to be put right by"), null=True, blank=True)
    hazard_code = models.UUIDField(_("hazard"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hygiene result")
        verbose_name_plural = _("hygiene results")
        ordering = ["inspection_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(passed=True) | Q(deadline__isnull=False),
                                   name="fs_hygiene_failed_has_deadline"),
        ]

    def __str__(self):
        return self.text


class DisinfectionMethod(models.TextChoices):
    CABINET = "cabinet", _("Disinfection cabinet")  # 消毒柜
    STEAM = "steam", _("Steam")  # 蒸汽
    BOILING = "boiling", _("Boiling")  # 煮沸
    CHEMICAL = "chemical", _("Chemical disinfectant")  # 药物浸泡


class TablewareDisinfection(TenantModel, VoidableModel):
    """The tableware disinfection log: one entry per meal."""

    scope_paths: dict = {}

    day = models.DateField(_("day"))
    meal = models.CharField(_("meal"), max_length=20)
    meal_label = models.CharField(_("meal name"), max_length=20, blank=True)
    method = models.CharField(_("method"), max_length=10, choices=DisinfectionMethod.choices)
    started_at = models.DateTimeField(_("started at"))
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=4, decimal_places=1, null=True, blank=True)
    chlorine_mg_l = models.DecimalField(_("chlorine test-strip reading (mg/L)"), max_digits=5, decimal_places=1,
                                        null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.PROTECT,
                                related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)
    retain_until = models.DateField(_("kept until"), editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tableware disinfection")
        verbose_name_plural = _("tableware disinfections")
        ordering = ["-day", "meal"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "day", "meal"], condition=Q(voided_at__isnull=True),
                                    name="fs_tableware_one_per_meal"),
            models.CheckConstraint(condition=Q(minutes__gt=0), name="fs_tableware_minutes_positive"),
        ]

    def __str__(self):
        return f"{self.day} {self.meal_label or self.meal}"


# --- production, serving and waste (生产记录) ---------------------------------------------------------

WEIGHT = {"max_digits": 7, "decimal_places": 2}


class ProductionRecord(TenantModel, VoidableModel):
    """One dish of one meal as the kitchen cooked and served it: portions planned and served, the
    kilograms cooked, served, left in the pot and scraped off the plates, who cooked, when it was
    cooked and served, and the sample kept from that batch."""

    scope_paths: dict = {}

    day = models.DateField(_("day"))
    meal = models.CharField(_("meal"), max_length=20)
    meal_label = models.CharField(_("meal name"), max_length=20, blank=True)
    dish_code = models.UUIDField(_("dish"))
    dish_name = models.CharField(_("dish name"), max_length=60)
    planned_portions = models.PositiveIntegerField(_("portions planned"))
    served_portions = models.PositiveIntegerField(_("children served"))
    cooked_kg = models.DecimalField(_("cooked (kg)"), **WEIGHT)
    served_kg = models.DecimalField(_("served (kg)"), **WEIGHT)
    leftover_kg = models.DecimalField(_("left over (kg)"), **WEIGHT)
    plate_waste_kg = models.DecimalField(_("plate waste (kg)"), **WEIGHT)
    cooked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cooked by"), on_delete=models.PROTECT,
                                  related_name="+")
    cooked_at = models.DateTimeField(_("cooked at"))
    served_at = models.DateTimeField(_("served at"))
    sample = models.ForeignKey(Sample, verbose_name=_("sample of this batch"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)
    retain_until = models.DateField(_("kept until"), editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("production record")
        verbose_name_plural = _("production records")
        ordering = ["-day", "meal", "dish_name"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "day", "meal", "dish_code"],
                                    condition=Q(voided_at__isnull=True), name="fs_production_one_per_dish"),
            models.CheckConstraint(condition=Q(cooked_kg__gt=0), name="fs_production_cooked_positive"),
            models.CheckConstraint(condition=Q(served_kg__gte=0) & Q(served_kg__lte=models.F("cooked_kg")),
                                   name="fs_production_served_within_cooked"),
            models.CheckConstraint(condition=Q(leftover_kg__gte=0) & Q(plate_waste_kg__gte=0)
                                   & Q(plate_waste_kg__lte=models.F("served_kg")),
                                   name="fs_production_waste_within_served"),
            models.CheckConstraint(condition=Q(served_at__gte=models.F("cooked_at")),
                                   name="fs_production_served_after_cooked"),
        ]
        indexes = [models.Index(fields=["kindergarten", "day"], name="fs_production_day"),
                   models.Index(fields=["kindergarten", "dish_code", "day"], name="fs_production_dish")]

    def __str__(self):
        return f"{self.day} {self.meal_label or self.meal} {self.dish_name}"

    @property
    def waste_grams_per_child(self) -> Decimal | None:
        if not self.served_portions:
            return None
        return (self.plate_waste_kg * 1000 / self.served_portions).quantize(Decimal("1"))

    @property
    def waste_percent(self) -> Decimal | None:
        if not self.served_kg:
            return None
        return (self.plate_waste_kg * 100 / self.served_kg).quantize(Decimal("1"))


# --- the kitchen's food-safety duties (日管控、周排查、月调度) ----------------------------------------


class DutyKind(models.TextChoices):
    DAILY = "daily", _("Daily check")  # 日管控
    WEEKLY = "weekly", _("Weekly review")  # 周排查
    MONTHLY = "monthly", _("Monthly scheduling meeting")  # 月调度


class DutyCheck(TenantModel, VoidableModel):
    """A daily check by the food-safety officer, a weekly review or a monthly scheduling meeting with
    the principal: every item of the shipped list answered; a failed item becomes a hazard."""

    scope_paths: dict = {}

    kind = models.CharField(_("kind"), max_length=10, choices=DutyKind.choices)
    done_on = models.DateField(_("date"))
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                related_name="+")
    attendees = models.CharField(_("present"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    retain_until = models.DateField(_("kept until"), editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("food-safety duty")
        verbose_name_plural = _("food-safety duties")
        ordering = ["-done_on", "kind", "-pk"]
        indexes = [models.Index(fields=["kindergarten", "kind", "done_on"], name="fs_duty_day")]

    def __str__(self):
        return f"{self.done_on} {self.get_kind_display()}"


class DutyResult(TenantModel):
    """One item of a duty check, as answered."""

    scope_paths: dict = {}

    check_record = models.ForeignKey(DutyCheck, verbose_name=_("food-safety duty"), on_delete=models.PROTECT,
                                     related_name="results")
    item_key = models.CharField(_("item"), max_length=20)
    text = models.CharField(_("check"), max_length=200)
    passed = models.BooleanField(_("passed"), default=True)
    note = models.CharField(_("what was wrong"), max_length=200, blank=True)
    deadline = models.DateField(_("to be put right by"), null=True, blank=True)
    hazard_code = models.UUIDField(_("hazard"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("duty result")
        verbose_name_plural = _("duty results")
        ordering = ["check_record_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(passed=True) | Q(deadline__isnull=False),
                                   name="fs_duty_failed_has_deadline"),
        ]

    def __str__(self):
        return self.text


# --- 园长陪餐: a leader's meal with the children --------------------------------------------------------


class AccompaniedMeal(TenantModel, VoidableModel):
    """The principal (or another leader) ate a meal with the children: where, and what they found."""

    scope_paths: dict = {}

    day = models.DateField(_("day"))
    meal = models.CharField(_("meal"), max_length=20)
    meal_label = models.CharField(_("meal name"), max_length=20, blank=True)
    diner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("eaten by"), on_delete=models.PROTECT,
                              related_name="+")
    place = models.CharField(_("with which class"), max_length=40)
    remarks = models.CharField(_("remarks"), max_length=500)
    problems = models.CharField(_("problems to put right"), max_length=300, blank=True)
    retain_until = models.DateField(_("kept until"), editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meal with the children")
        verbose_name_plural = _("meals with the children")
        ordering = ["-day", "meal", "-pk"]
        indexes = [models.Index(fields=["kindergarten", "day"], name="fs_accompany_day")]

    def __str__(self):
        return f"{self.day} {self.meal_label or self.meal}"


# --- pest control (病媒生物防制) ---------------------------------------------------------------------


class PestKind(models.TextChoices):
    RODENT = "rodent", _("Rodents")  # 灭鼠
    FLY = "fly", _("Flies")  # 灭蝇
    COCKROACH = "cockroach", _("Cockroaches")  # 灭蟑
    MOSQUITO = "mosquito", _("Mosquitoes")  # 防蚊
    OTHER = "other", _("Other pests")


class PestCheck(TenantModel, VoidableModel):
    """A check or a treatment against rodents, flies, cockroaches or mosquitoes in one place: the
    device or method, who did it (own staff, or a pest-control contractor with their licence), the
    signs found and what was done about them."""

    scope_paths: dict = {}

    done_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=40)
    kind = models.CharField(_("against"), max_length=12, choices=PestKind.choices)
    method = models.CharField(_("method or device"), max_length=60)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, related_name="+")
    contractor = models.CharField(_("pest-control contractor"), max_length=60, blank=True,
                                  help_text=_("Empty when the kindergarten's own staff did it."))
    contractor_licence = models.CharField(_("contractor's licence number"), max_length=60, blank=True)
    signs_found = models.BooleanField(_("signs of pests found"), default=False)
    findings = models.CharField(_("what was found"), max_length=200, blank=True)
    action = models.CharField(_("action taken"), max_length=200, blank=True)
    retain_until = models.DateField(_("kept until"), editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pest-control check")
        verbose_name_plural = _("pest-control checks")
        ordering = ["-done_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(signs_found=False) | (~Q(findings="") & ~Q(action="")),
                                   name="fs_pest_signs_have_action"),
            models.CheckConstraint(condition=Q(contractor="") | ~Q(contractor_licence=""),
                                   name="fs_pest_contractor_licensed"),
        ]
        indexes = [models.Index(fields=["kindergarten", "done_on"], name="fs_pest_day")]

    def __str__(self):
        return f"{self.done_on} {self.place} {self.get_kind_display()}"


# --- drinking water (饮用水): dispensers, filter changes, water tests --------------------------------


class WaterUnitKind(models.TextChoices):
    DIRECT = "direct", _("Direct drinking-water unit")  # 直饮水机
    DISPENSER = "dispenser", _("Water dispenser")  # 饮水机
    BOILER = "boiler", _("Water boiler")  # 开水器


class WaterUnit(TenantModel):
    """A water dispenser, direct drinking-water unit or boiler: where it stands and its filter."""

    scope_paths: dict = {}

    place = models.CharField(_("place"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=WaterUnitKind.choices)
    filter_model = models.CharField(_("filter model"), max_length=60, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("drinking-water unit")
        verbose_name_plural = _("drinking-water units")
        ordering = ["place", "pk"]
        constraints = [models.UniqueConstraint(fields=["kindergarten", "place", "kind"], name="fs_water_unit_once")]

    def __str__(self):
        return f"{self.place} {self.get_kind_display()}"


class FilterChange(TenantModel, VoidableModel):
    """The filter of a unit changed: when, by whom, and when the next change is due."""

    scope_paths: dict = {}

    unit = models.ForeignKey(WaterUnit, verbose_name=_("drinking-water unit"), on_delete=models.PROTECT,
                             related_name="filter_changes")
    changed_on = models.DateField(_("changed on"))
    changed_by = models.CharField(_("changed by"), max_length=60)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, related_name="+")
    filter_model = models.CharField(_("filter model"), max_length=60, blank=True)
    next_due = models.DateField(_("next change due"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    retain_until = models.DateField(_("kept until"), editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("filter change")
        verbose_name_plural = _("filter changes")
        ordering = ["-changed_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(next_due__gt=models.F("changed_on")),
                                              name="fs_filter_next_after_change")]
        indexes = [models.Index(fields=["kindergarten", "unit", "changed_on"], name="fs_filter_day")]

    def __str__(self):
        return f"{self.changed_on} {self.unit}"


class WaterTester(models.TextChoices):
    LAB = "lab", _("Laboratory")  # 检测机构
    SELF = "self", _("Own test")  # 自检（试纸、TDS笔）


class WaterTest(TenantModel, VoidableModel):
    """A test of a unit's water, by a laboratory (with its report) or the kindergarten's own: passed
    or failed. A failed test is a hazard until a later test of the unit passes."""

    scope_paths: dict = {}

    unit = models.ForeignKey(WaterUnit, verbose_name=_("drinking-water unit"), on_delete=models.PROTECT,
                             related_name="tests")
    tested_on = models.DateField(_("tested on"))
    tester = models.CharField(_("tested by"), max_length=5, choices=WaterTester.choices)
    lab = models.CharField(_("laboratory"), max_length=60, blank=True)
    passed = models.BooleanField(_("passed"))
    result = models.CharField(_("result"), max_length=200, blank=True)
    report = models.FileField(_("report"), upload_to="foodsafety/water/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, related_name="+")
    hazard_code = models.UUIDField(_("hazard"), null=True, blank=True)
    retain_until = models.DateField(_("kept until"), editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("water test")
        verbose_name_plural = _("water tests")
        ordering = ["-tested_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(passed=True) | ~Q(result=""), name="fs_water_failed_says_why"),
            models.CheckConstraint(condition=~Q(tester="lab") | ~Q(lab=""), name="fs_water_lab_named"),
        ]
        indexes = [models.Index(fields=["kindergarten", "unit", "tested_on"], name="fs_water_test_day")]

    def __str__(self):
        return f"{self.tested_on} {self.unit}"

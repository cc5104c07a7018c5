"""Fixed assets (固定资产 / 固定物品登记表): rooms, the register, class handovers and asset stocktakes.

One register row (Asset) is an item type at one place with a quantity — 幼儿椅 30 把 in 小一班 —
as the kindergartens' 固定物品登记表 lists them, each with its own printable label code
(ZC-2026-0001) that a phone scans to open the row.

Quantities and money are Decimal. Every change of a row is kept by django-simple-history; rows are
never deleted: an asset is scrapped (with a reason) or, when entered by mistake, voided.

State machines (the only ways to change a status are the `*_set_state` / `handover_*` /
`stocktake_*` services):
- Asset: in use ⇄ under repair → scrapped (scrapped is final).
- Handover: open → signed (by the class teacher) → closed (by the director); signed → open
  returns it for correction. Closing applies the differences to the register.
- Stocktake: open → posted. Posting applies the counted quantities to the register.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core.models import TenantModel, VoidableModel

QUANTITY = {"max_digits": 10, "decimal_places": 2}
MONEY = {"max_digits": 12, "decimal_places": 2}
CENT = Decimal("0.01")


class Category(models.TextChoices):
    FURNITURE = "furniture", _("Furniture")
    TEACHING = "teaching", _("Teaching equipment and toys")
    APPLIANCE = "appliance", _("Electrical appliance")
    KITCHEN = "kitchen", _("Kitchen equipment")
    OUTDOOR = "outdoor", _("Outdoor play equipment")
    SECURITY = "security", _("Security and fire equipment")
    IT = "it", _("IT equipment")
    OTHER = "other", _("Other")


class AssetState(models.TextChoices):
    IN_USE = "in_use", _("In use")
    UNDER_REPAIR = "under_repair", _("Under repair")
    SCRAPPED = "scrapped", _("Scrapped")


ASSET_TRANSITIONS: dict[str, set[str]] = {
    AssetState.IN_USE: {AssetState.UNDER_REPAIR, AssetState.SCRAPPED},
    AssetState.UNDER_REPAIR: {AssetState.IN_USE, AssetState.SCRAPPED},
    AssetState.SCRAPPED: set(),
}


def photo_path(instance, filename: str) -> str:
    """Under MEDIA_ROOT, never served from a public URL (see views.asset_photo)."""
    return f"assets/{instance.kindergarten.code}/{filename}"


class Room(TenantModel):
    """A place where assets are kept: 小一班活动室, 厨房, 门卫室. A class's own room names the class."""

    scope_paths = {"campus": "campus_id", "class": "school_class_id"}

    campus = models.ForeignKey("org.Campus", verbose_name=_("campus"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("room name"), max_length=40)
    school_class = models.ForeignKey(
        "org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="asset_rooms", help_text=_("The class that uses the room, if any."),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["campus__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "campus", "name"], name="assets_room_unique_name"),
        ]

    def __str__(self):
        return self.name


class Asset(TenantModel, VoidableModel):
    """One line of the fixed-asset register: an item type, where it is, how many, what it cost."""

    scope_paths = {"campus": "campus_id", "class": "school_class_id"}

    label_code = models.CharField(_("label code"), max_length=20)
    name = models.CharField(_("item name"), max_length=60)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    campus = models.ForeignKey("org.Campus", verbose_name=_("campus"), on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.PROTECT, null=True, blank=True,
                             related_name="assets")
    school_class = models.ForeignKey(
        "org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="assets",
    )
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("custodian"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit = models.CharField(_("unit"), max_length=6, blank=True)
    unit_price = models.DecimalField(_("unit price"), **MONEY, null=True, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    supplier_name = models.CharField(_("supplier"), max_length=100, blank=True)
    photo = models.FileField(_("photo"), upload_to=photo_path, max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=AssetState.choices, default=AssetState.IN_USE)
    state_changed_at = models.DateTimeField(_("state changed at"), null=True, blank=True, editable=False)
    state_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("state changed by"), on_delete=models.PROTECT, null=True,
        blank=True, editable=False, related_name="+",
    )
    state_reason = models.CharField(_("reason"), max_length=200, blank=True, editable=False)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["campus__name", "label_code"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "label_code"], name="assets_asset_unique_label"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="assets_asset_quantity_not_negative"),
            models.CheckConstraint(condition=Q(unit_price__isnull=True) | Q(unit_price__gte=0),
                                   name="assets_asset_price_not_negative"),
        ]
        indexes = [
            models.Index(fields=["kindergarten", "state"], name="assets_asset_kg_state"),
            models.Index(fields=["kindergarten", "school_class"], name="assets_asset_kg_class"),
        ]

    def __str__(self):
        return f"{self.name}（{self.label_code}）"

    @property
    def value(self):
        """Quantity × unit price (None when the price is unknown)."""
        if self.unit_price is None:
            return None
        return (self.quantity * self.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def location(self) -> str:
        if self.room_id and self.school_class_id and self.room.school_class_id != self.school_class_id:
            return f"{self.room.name} · {self.school_class.name}"
        if self.room_id:
            return self.room.name
        return self.school_class.name if self.school_class_id else ""


# --- class handovers ---------------------------------------------------------------------------


class Term(models.TextChoices):
    AUTUMN = "autumn", _("Autumn term")
    SPRING = "spring", _("Spring term")


class HandoverKind(models.TextChoices):
    START = "start", _("Start of term")
    END = "end", _("End of term")


class HandoverStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the class teacher")
    SIGNED = "signed", _("Signed")
    CLOSED = "closed", _("Closed")


HANDOVER_TRANSITIONS: dict[str, set[str]] = {
    HandoverStatus.OPEN: {HandoverStatus.SIGNED},
    HandoverStatus.SIGNED: {HandoverStatus.OPEN, HandoverStatus.CLOSED},
    HandoverStatus.CLOSED: set(),
}


class Handover(TenantModel, VoidableModel):
    """A class's property handed over at the start of term (the class teacher confirms and signs
    the list) or counted back at its end. The director closes it; closing applies the
    differences to the register."""

    scope_paths = {"campus": "school_class__campus_id", "class": "school_class_id"}

    school_class = models.ForeignKey("org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT,
                                     related_name="asset_handovers")
    school_year = models.PositiveSmallIntegerField(_("school year"))
    term = models.CharField(_("term"), max_length=10, choices=Term.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=HandoverKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=HandoverStatus.choices, default=HandoverStatus.OPEN)
    due_on = models.DateField(_("to be signed by"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT,
                                  null=True, blank=True, editable=False, related_name="+")
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), on_delete=models.PROTECT,
                                  null=True, blank=True, editable=False, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    returned_reason = models.CharField(_("returned for correction"), max_length=200, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("class handover")
        verbose_name_plural = _("class handovers")
        ordering = ["-school_year", "term", "kind", "school_class__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["kindergarten", "school_class", "school_year", "term", "kind"],
                condition=Q(voided_at__isnull=True), name="assets_handover_one_per_class_term",
            ),
        ]

    def __str__(self):
        return f"{self.school_class} {self.school_year} {self.get_term_display()} {self.get_kind_display()}"


class HandoverLine(TenantModel, VoidableModel):
    """One asset of the class's list: expected, counted (found), damaged; why; who pays."""

    scope_paths = {"campus": "handover__school_class__campus_id", "class": "handover__school_class_id"}

    handover = models.ForeignKey(Handover, verbose_name=_("handover"), on_delete=models.PROTECT, related_name="lines")
    asset = models.ForeignKey(Asset, verbose_name=_("asset"), on_delete=models.PROTECT, related_name="handover_lines")
    expected_quantity = models.DecimalField(_("expected quantity"), **QUANTITY)
    counted_quantity = models.DecimalField(_("counted quantity"), **QUANTITY, null=True, blank=True)
    damaged_quantity = models.DecimalField(_("damaged"), **QUANTITY, default=0)
    explanation = models.CharField(_("explanation"), max_length=200, blank=True)
    negligence = models.BooleanField(_("by negligence"), default=False)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person responsible"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    amount_charged = models.DecimalField(_("amount charged"), **MONEY, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("handover line")
        verbose_name_plural = _("handover lines")
        ordering = ["handover_id", "asset__label_code"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "handover", "asset"], name="assets_handover_line_unique"),
            models.CheckConstraint(condition=Q(counted_quantity__isnull=True) | Q(counted_quantity__gte=0),
                                   name="assets_handover_line_counted_not_negative"),
            models.CheckConstraint(condition=Q(damaged_quantity__gte=0), name="assets_handover_line_damaged_not_negative"),
        ]

    def __str__(self):
        return str(self.asset)

    @property
    def missing_quantity(self):
        if self.counted_quantity is None:
            return None
        return max(self.expected_quantity - self.counted_quantity, 0)

    @property
    def has_difference(self) -> bool:
        return self.counted_quantity is not None and (
            self.counted_quantity != self.expected_quantity or self.damaged_quantity > 0
        )


# --- asset stocktakes --------------------------------------------------------------------------


class StocktakeStatus(models.TextChoices):
    OPEN = "open", _("Counting")
    POSTED = "posted", _("Posted")


STOCKTAKE_TRANSITIONS: dict[str, set[str]] = {
    StocktakeStatus.OPEN: {StocktakeStatus.POSTED},
    StocktakeStatus.POSTED: set(),
}


class AssetStocktake(TenantModel, VoidableModel):
    """A count of the assets of one room (or of a whole campus). Posting sets the register's
    quantities to what was counted, each difference explained."""

    scope_paths = {"campus": "campus_id"}

    campus = models.ForeignKey("org.Campus", verbose_name=_("campus"), on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey(Room, verbose_name=_("room"), on_delete=models.PROTECT, null=True, blank=True,
                             related_name="stocktakes", help_text=_("Leave empty to count the whole campus."))
    counted_on = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=10, choices=StocktakeStatus.choices,
                              default=StocktakeStatus.OPEN)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("posted by"), on_delete=models.PROTECT,
                                  null=True, blank=True, editable=False, related_name="+")
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True, editable=False)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("asset stocktake")
        verbose_name_plural = _("asset stocktakes")
        ordering = ["-counted_on", "-id"]

    def __str__(self):
        return f"{self.room or self.campus} {self.counted_on}"


class AssetStocktakeLine(TenantModel, VoidableModel):
    scope_paths = {"campus": "stocktake__campus_id"}

    stocktake = models.ForeignKey(AssetStocktake, verbose_name=_("stocktake"), on_delete=models.PROTECT,
                                  related_name="lines")
    asset = models.ForeignKey(Asset, verbose_name=_("asset"), on_delete=models.PROTECT, related_name="stocktake_lines")
    expected_quantity = models.DecimalField(_("expected quantity"), **QUANTITY)
    counted_quantity = models.DecimalField(_("counted quantity"), **QUANTITY, null=True, blank=True)
    explanation = models.CharField(_("explanation"), max_length=200, blank=True)
    counted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("counted by"), on_delete=models.PROTECT,
                                   null=True, blank=True, editable=False, related_name="+")
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stocktake line")
        verbose_name_plural = _("stocktake lines")
        ordering = ["stocktake_id", "asset__label_code"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "stocktake", "asset"], name="assets_stocktake_line_unique"),
            models.CheckConstraint(condition=Q(counted_quantity__isnull=True) | Q(counted_quantity__gte=0),
                                   name="assets_stocktake_line_counted_not_negative"),
        ]

    def __str__(self):
        return str(self.asset)

    @property
    def difference(self):
        if self.counted_quantity is None:
            return None
        return self.counted_quantity - self.expected_quantity

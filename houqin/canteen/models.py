"""The canteen (膳食管理): foods and their nutrients, the dish library, weekly quantified menus
(每周带量食谱), diet surveys (膳食调查), the meal committee (膳委会) and the children's meal account
(幼儿伙食帐).

Foods: the Chinese Food Composition Table ships as package data (rows with no kindergarten); a
kindergarten adds its own foods (rows with its kindergarten). Nutrient values are per 100 g of the
edible portion; an empty value means "not measured", never zero.

A published menu is read-only: a change after publishing needs a reason and is kept as a
MenuRevision (the menu is served as published, 不私自调菜单). Menus, accounts and meetings are never
hard-deleted: they are voided with a reason.
"""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core.models import TenantModel, VoidableModel
from houqin.core.text import pinyin_initials, pinyin_key

GRAMS = {"max_digits": 7, "decimal_places": 1}
MONEY = {"max_digits": 14, "decimal_places": 2}

# The nutrients Houqin analyses (field names on Food; values per 100 g edible portion).
NUTRIENT_FIELDS = (
    "energy_kcal", "protein_g", "fat_g", "carbohydrate_g", "calcium_mg", "iron_mg", "zinc_mg", "vitamin_a_ug",
    "thiamin_mg", "riboflavin_mg", "vitamin_c_mg", "phosphorus_mg", "sodium_mg",
)


class PagodaGroup(models.TextChoices):
    """Food groups of the preschool food pagoda (学龄前儿童平衡膳食宝塔)."""

    CEREALS = "cereals", _("Cereals")  # 谷类
    TUBERS = "tubers", _("Tubers")  # 薯类
    VEGETABLES = "vegetables", _("Vegetables")  # 蔬菜（含菌藻）
    FRUIT = "fruit", _("Fruit")  # 水果
    MEAT = "meat", _("Meat, poultry and fish")  # 畜禽肉、水产品
    EGG = "egg", _("Eggs")  # 蛋类
    MILK = "milk", _("Milk and dairy")  # 奶类
    SOY = "soy", _("Soybeans and soy products")  # 大豆及制品
    BEANS = "beans", _("Other beans")  # 杂豆
    NUTS = "nuts", _("Nuts and seeds")  # 坚果
    OIL = "oil", _("Cooking oil")  # 烹调油
    SALT = "salt", _("Salt")  # 盐
    SUGAR = "sugar", _("Sugar")  # 糖
    OTHER = "other", _("Other")


# High-quality protein (优质蛋白): animal foods and soy.
HIGH_QUALITY_GROUPS = frozenset({PagodaGroup.MEAT, PagodaGroup.EGG, PagodaGroup.MILK, PagodaGroup.SOY})


class FoodQuerySet(models.QuerySet):
    def visible_to(self, kindergarten):
        """The shipped table and the kindergarten's own foods."""
        return self.filter(Q(kindergarten__isnull=True) | Q(kindergarten=kindergarten))


class Food(models.Model):
    """One food of the composition table (kindergarten empty) or of one kindergarten (its own
    product, with its label's nutrients). Values per 100 g edible portion; None = not measured."""

    scope_paths: dict = {}

    kindergarten = models.ForeignKey(
        "org.Kindergarten", verbose_name=_("kindergarten"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", help_text=_("Empty for the shipped food composition table."),
    )
    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    food_code = models.CharField(_("food code"), max_length=12, blank=True, help_text=_("Code in the composition table."))
    name = models.CharField(_("name"), max_length=80)
    name_pinyin = models.CharField(_("name in pinyin"), max_length=160, blank=True, editable=False)
    name_initials = models.CharField(_("pinyin initials"), max_length=60, blank=True, editable=False, db_index=True)
    food_group = models.CharField(_("food group in the table"), max_length=20, blank=True)
    pagoda_group = models.CharField(_("food pagoda group"), max_length=12, choices=PagodaGroup.choices,
                                    default=PagodaGroup.OTHER)
    edible_pct = models.DecimalField(_("edible portion (%)"), max_digits=5, decimal_places=1, default=Decimal("100"))
    energy_kcal = models.FloatField(_("energy (kcal)"), null=True, blank=True)
    protein_g = models.FloatField(_("protein (g)"), null=True, blank=True)
    fat_g = models.FloatField(_("fat (g)"), null=True, blank=True)
    carbohydrate_g = models.FloatField(_("carbohydrate (g)"), null=True, blank=True)
    calcium_mg = models.FloatField(_("calcium (mg)"), null=True, blank=True)
    iron_mg = models.FloatField(_("iron (mg)"), null=True, blank=True)
    zinc_mg = models.FloatField(_("zinc (mg)"), null=True, blank=True)
    vitamin_a_ug = models.FloatField(_("vitamin A (μg RAE)"), null=True, blank=True)
    thiamin_mg = models.FloatField(_("vitamin B1 (mg)"), null=True, blank=True)
    riboflavin_mg = models.FloatField(_("vitamin B2 (mg)"), null=True, blank=True)
    vitamin_c_mg = models.FloatField(_("vitamin C (mg)"), null=True, blank=True)
    phosphorus_mg = models.FloatField(_("phosphorus (mg)"), null=True, blank=True)
    sodium_mg = models.FloatField(_("sodium (mg)"), null=True, blank=True)
    allergens = models.CharField(_("allergens"), max_length=100, blank=True,
                                 help_text=_("Comma-separated, e.g. 牛奶, 鸡蛋, 花生."))
    source = models.CharField(_("source of the values"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    objects = FoodQuerySet.as_manager()

    class Meta:
        verbose_name = _("food")
        verbose_name_plural = _("foods")
        ordering = ["name_pinyin", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["food_code"], condition=Q(kindergarten__isnull=True) & ~Q(food_code=""),
                                    name="canteen_food_shipped_code"),
            models.UniqueConstraint(fields=["kindergarten", "name"], condition=Q(kindergarten__isnull=False),
                                    name="canteen_food_own_name"),
            models.CheckConstraint(condition=Q(edible_pct__gt=0) & Q(edible_pct__lte=100), name="canteen_food_edible_pct"),
        ]
        indexes = [models.Index(fields=["kindergarten", "name_initials"], name="canteen_food_initials")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.fill_derived()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_pinyin", "name_initials"}
        super().save(*args, **kwargs)

    def fill_derived(self) -> Food:
        self.name_pinyin = pinyin_key(self.name)[:160]
        self.name_initials = pinyin_initials(self.name)[:60]
        return self

    @property
    def is_shipped(self) -> bool:
        return self.kindergarten_id is None

    @property
    def full_name(self) -> str:
        """The food table's name, in Chinese throughout ("猪肉（代表值，脂肪30 g）", not "fat 30g")."""
        from houqin.canteen.foods import full_name

        return full_name(self.name)

    @property
    def kitchen_name(self) -> str:
        """The name a kitchen writes on a menu ("猪肉", "纯牛奶"): the table's name without its
        qualifiers; a kindergarten's own food keeps the name it was given."""
        from houqin.canteen.foods import kitchen_name

        return kitchen_name(self.name) if self.is_shipped else self.name

    @property
    def has_core_nutrients(self) -> bool:
        return self.energy_kcal is not None and self.protein_g is not None


class CareType(models.TextChoices):
    FULL_DAY_THREE = "full_day_three", _("Full-day care: three meals and snacks")
    FULL_DAY_TWO = "full_day_two", _("Full-day care: two meals and one snack")
    BOARDING = "boarding", _("Boarding care")


class Meal(models.TextChoices):
    BREAKFAST = "breakfast", _("Breakfast")  # 早餐
    MORNING_SNACK = "morning_snack", _("Morning snack")  # 早点
    LUNCH = "lunch", _("Lunch")  # 午餐
    AFTERNOON_SNACK = "afternoon_snack", _("Afternoon snack")  # 午点
    SUPPER = "supper", _("Supper")  # 晚餐


MEAL_ORDER = [m.value for m in Meal]
DEFAULT_MEALS = ["breakfast", "lunch", "afternoon_snack"]


class CanteenSettings(TenantModel):
    """A kindergarten's meal pattern, portions by age group, meal fee and account rules."""

    scope_paths: dict = {}

    meals = models.JSONField(_("meals served"), default=list, help_text=_("Which meals the kindergarten serves."))
    care_type = models.CharField(_("care type"), max_length=20, choices=CareType.choices, default=CareType.FULL_DAY_TWO)
    factor_toddler = models.DecimalField(_("portion factor: toddler class"), max_digits=4, decimal_places=2, default=Decimal("1"))
    factor_small = models.DecimalField(_("portion factor: small class"), max_digits=4, decimal_places=2, default=Decimal("1"))
    factor_middle = models.DecimalField(_("portion factor: middle class"), max_digits=4, decimal_places=2, default=Decimal("1"))
    factor_large = models.DecimalField(_("portion factor: large class"), max_digits=4, decimal_places=2, default=Decimal("1"))
    meal_fee_per_day = models.DecimalField(
        _("meal fee per day"), null=True, blank=True, **MONEY,
        help_text=_("Used when the finance area has no published 伙食费 fee standard per day for the term."),
    )
    refund_sick_days = models.BooleanField(_("refund sick days"), default=True)
    refund_personal_days = models.BooleanField(_("refund personal leave days"), default=True)
    staff_meal_share = models.DecimalField(
        _("staff meals share of kitchen issues (%)"), max_digits=5, decimal_places=2, default=Decimal("0"),
        help_text=_("The stock ledger does not tell children's food from staff meals: this share of the food issued "
                    "to the kitchen is booked to staff meals, not to the children's meal account."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("canteen settings")
        verbose_name_plural = _("canteen settings")
        constraints = [models.UniqueConstraint(fields=["kindergarten"], name="canteen_settings_one_per_kg")]

    def __str__(self):
        return str(self.kindergarten)

    @property
    def meal_list(self) -> list[str]:
        chosen = [m for m in MEAL_ORDER if m in (self.meals or [])]
        return chosen or list(DEFAULT_MEALS)

    def factor_for(self, grade: str) -> Decimal:
        return getattr(self, f"factor_{grade}", None) or Decimal("1")


class DishCategory(models.TextChoices):
    STAPLE = "staple", _("Staple")  # 主食
    MEAT = "meat", _("Meat dish")  # 荤菜
    VEGETABLE = "vegetable", _("Vegetable dish")  # 素菜
    SOUP = "soup", _("Soup")  # 汤
    SNACK = "snack", _("Snack")  # 点心
    FRUIT = "fruit", _("Fruit")  # 水果
    MILK = "milk", _("Milk")  # 奶


class Dish(TenantModel):
    """A dish of the kindergarten's library (菜品), shared across weeks: its foods in grams per child."""

    scope_paths: dict = {}

    name = models.CharField(_("name"), max_length=40)
    name_initials = models.CharField(_("pinyin initials"), max_length=40, blank=True, editable=False)
    category = models.CharField(_("category"), max_length=12, choices=DishCategory.choices)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dish")
        verbose_name_plural = _("dishes")
        ordering = ["category", "name"]
        constraints = [models.UniqueConstraint(fields=["kindergarten", "name"], name="canteen_dish_unique_name")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_initials = pinyin_initials(self.name)[:40]
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_initials"}
        super().save(*args, **kwargs)


class DishIngredient(TenantModel):
    """One food of a dish: grams per child as bought (raw) and edible."""

    scope_paths: dict = {}

    dish = models.ForeignKey(Dish, verbose_name=_("dish"), on_delete=models.CASCADE, related_name="ingredients")
    food = models.ForeignKey(Food, verbose_name=_("food"), on_delete=models.PROTECT, related_name="+")
    grams_raw = models.DecimalField(_("grams per child (raw)"), **GRAMS)
    grams_edible = models.DecimalField(_("grams per child (edible)"), **GRAMS)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ingredient")
        verbose_name_plural = _("ingredients")
        ordering = ["dish_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(grams_raw__gt=0) & Q(grams_raw__lte=1000), name="canteen_ingredient_raw_range"),
            models.CheckConstraint(condition=Q(grams_edible__gt=0) & Q(grams_edible__lte=models.F("grams_raw")),
                                   name="canteen_ingredient_edible_range"),
        ]

    def __str__(self):
        return f"{self.food} {self.grams_raw} g"


class MenuStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


# A published menu never changes again (voiding is apart: VoidableModel).
MENU_TRANSITIONS: dict[str, frozenset[str]] = {MenuStatus.DRAFT: frozenset({MenuStatus.PUBLISHED}),
                                               MenuStatus.PUBLISHED: frozenset()}


class Menu(TenantModel, VoidableModel):
    """The quantified menu of one week (每周带量食谱), Monday `week_start` to Friday (or `days` days)."""

    scope_paths: dict = {}

    week_start = models.DateField(_("week starting"))
    days = models.PositiveSmallIntegerField(_("days served"), default=5)
    title = models.CharField(_("title"), max_length=60, blank=True)
    cycle_week = models.PositiveSmallIntegerField(_("week of the menu cycle"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MenuStatus.choices, default=MenuStatus.DRAFT)
    version = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT,
                                     null=True, blank=True, editable=False, related_name="+")
    summary = models.JSONField(_("nutrition summary"), default=dict, blank=True, editable=False,
                               help_text=_("Kept when the menu is published, for the term's figures."))
    copied_from = models.ForeignKey("self", verbose_name=_("copied from"), on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("weekly menu")
        verbose_name_plural = _("weekly menus")
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "week_start"], condition=Q(voided_at__isnull=True),
                                    name="canteen_menu_one_per_week"),
            models.CheckConstraint(condition=Q(days__gte=1) & Q(days__lte=7), name="canteen_menu_days_range"),
        ]

    def __str__(self):
        return self.title or f"{self.week_start:%Y-%m-%d}"

    @property
    def is_published(self) -> bool:
        return self.status == MenuStatus.PUBLISHED


class MenuEntry(TenantModel):
    """A dish served at one meal of one day of a menu; its foods are copied from the dish (scaled),
    so that a published menu does not change when the dish library does."""

    scope_paths: dict = {}

    menu = models.ForeignKey(Menu, verbose_name=_("menu"), on_delete=models.CASCADE, related_name="entries")
    day = models.PositiveSmallIntegerField(_("day"), help_text=_("0 = Monday"))
    meal = models.CharField(_("meal"), max_length=16, choices=Meal.choices)
    dish = models.ForeignKey(Dish, verbose_name=_("dish"), on_delete=models.PROTECT, related_name="+")
    dish_name = models.CharField(_("dish"), max_length=40)
    dish_category = models.CharField(_("category"), max_length=12, choices=DishCategory.choices)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("menu entry")
        verbose_name_plural = _("menu entries")
        ordering = ["menu_id", "day", "meal", "sort_order", "pk"]
        indexes = [models.Index(fields=["menu", "day"], name="canteen_entry_menu_day")]

    def __str__(self):
        return f"{self.day} {self.meal} {self.dish_name}"


class MenuEntryFood(TenantModel):
    """One food of a menu entry, in grams per child (the base portion; age groups scale it)."""

    scope_paths: dict = {}

    entry = models.ForeignKey(MenuEntry, verbose_name=_("menu entry"), on_delete=models.CASCADE, related_name="foods")
    food = models.ForeignKey(Food, verbose_name=_("food"), on_delete=models.PROTECT, related_name="+")
    grams_raw = models.DecimalField(_("grams per child (raw)"), **GRAMS)
    grams_edible = models.DecimalField(_("grams per child (edible)"), **GRAMS)

    class Meta:
        verbose_name = _("menu food")
        verbose_name_plural = _("menu foods")
        ordering = ["entry_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(grams_raw__gt=0) & Q(grams_raw__lte=1000), name="canteen_entryfood_raw_range"),
            models.CheckConstraint(condition=Q(grams_edible__gt=0), name="canteen_entryfood_edible_positive"),
        ]


class MenuSubstitute(TenantModel):
    """替代餐: for one menu entry and one avoid tag (an allergen group such as egg, or a diet's pork /
    meat), the dish of the library the children who must avoid it are served instead. Chosen by the
    health teacher; publishing checks that every affected child has one (houqin.canteen.substitutes)."""

    scope_paths: dict = {}

    entry = models.ForeignKey(MenuEntry, verbose_name=_("menu entry"), on_delete=models.CASCADE,
                              related_name="substitutes")
    avoid = models.CharField(_("allergen or diet"), max_length=16)  # houqin.health.allergens tags
    dish = models.ForeignKey(Dish, verbose_name=_("substitute dish"), on_delete=models.PROTECT, related_name="+")
    dish_name = models.CharField(_("substitute dish"), max_length=40)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("substitute dish")
        verbose_name_plural = _("substitute dishes")
        ordering = ["entry_id", "avoid"]
        constraints = [models.UniqueConstraint(fields=["kindergarten", "entry", "avoid"],
                                               name="canteen_substitute_one_per_tag")]

    def __str__(self):
        return f"{self.entry_id} {self.avoid} → {self.dish_name}"


class MenuRevision(TenantModel):
    """A change to a published menu: what changed, why, who — and the committee meeting behind it."""

    scope_paths: dict = {}

    menu = models.ForeignKey(Menu, verbose_name=_("menu"), on_delete=models.PROTECT, related_name="revisions")
    version = models.PositiveSmallIntegerField(_("version"))
    reason = models.CharField(_("reason"), max_length=200)
    change = models.CharField(_("change"), max_length=300)
    meeting = models.ForeignKey("CommitteeMeeting", verbose_name=_("committee meeting"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="menu_revisions")

    class Meta:
        verbose_name = _("menu revision")
        verbose_name_plural = _("menu revisions")
        ordering = ["menu_id", "version"]
        constraints = [models.UniqueConstraint(fields=["menu", "version"], name="canteen_revision_unique_version")]

    def __str__(self):
        return f"{self.menu} v{self.version}"


class StockFoodLink(TenantModel):
    """Which food of the composition table a stock item is, and how many grams one unit holds
    (斤 = 500 g; a 200 ml × 24 box of milk ≈ 4,800 g). The diet survey reads kitchen issues through it."""

    scope_paths: dict = {}

    item = models.OneToOneField("stock.Item", verbose_name=_("stock item"), on_delete=models.PROTECT, related_name="+")
    food = models.ForeignKey(Food, verbose_name=_("food"), on_delete=models.PROTECT, related_name="+")
    grams_per_unit = models.DecimalField(_("grams per unit"), max_digits=10, decimal_places=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stock item food")
        verbose_name_plural = _("stock item foods")
        constraints = [models.CheckConstraint(condition=Q(grams_per_unit__gt=0), name="canteen_link_grams_positive")]

    def __str__(self):
        return f"{self.item} → {self.food}"


class DietSurvey(TenantModel, VoidableModel):
    """A month's diet survey by the bookkeeping method (记账法): food issued to the kitchen ÷
    child-days of attendance. The result is kept as computed on the day it was saved."""

    scope_paths: dict = {}

    month = models.DateField(_("month"), help_text=_("First day of the month."))
    child_days = models.PositiveIntegerField(_("child-days"))
    result = models.JSONField(_("result"), default=dict, editable=False)
    conclusion = models.TextField(_("conclusion"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("diet survey")
        verbose_name_plural = _("diet surveys")
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["kindergarten", "month"], condition=Q(voided_at__isnull=True),
                                               name="canteen_survey_one_per_month")]

    def __str__(self):
        return f"{self.month:%Y-%m}"


class CommitteeMeeting(TenantModel, VoidableModel):
    """A meeting of the meal committee (膳食委员会): members (parents too), minutes, decisions."""

    scope_paths: dict = {}

    held_on = models.DateField(_("date"))
    members = models.TextField(_("members present"), help_text=_("One per line: name and role, e.g. 李梅 家长代表（中一班）."))
    minutes = models.TextField(_("minutes"))
    decisions = models.TextField(_("decisions"), blank=True)
    survey = models.ForeignKey(DietSurvey, verbose_name=_("diet survey discussed"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meal committee meeting")
        verbose_name_plural = _("meal committee meetings")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.held_on}"

    @property
    def member_list(self) -> list[str]:
        return [line.strip() for line in self.members.splitlines() if line.strip()]

    @property
    def parent_count(self) -> int:
        return sum(1 for m in self.member_list if "家长" in m or "parent" in m.lower())


class AccountStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


# A month's account is published once, to the parents; it is not unpublished.
ACCOUNT_TRANSITIONS: dict[str, frozenset[str]] = {AccountStatus.DRAFT: frozenset({AccountStatus.PUBLISHED}),
                                                  AccountStatus.PUBLISHED: frozenset()}


class MealAccount(TenantModel, VoidableModel):
    """The children's meal account of one month (幼儿伙食帐): income from meal fees, spending on food
    issued to the kitchen (children's share), the balance of the month and cumulated. Recomputed
    while a draft; frozen when published to parents."""

    scope_paths: dict = {}

    month = models.DateField(_("month"), help_text=_("First day of the month."))
    status = models.CharField(_("status"), max_length=10, choices=AccountStatus.choices, default=AccountStatus.DRAFT)
    child_days = models.PositiveIntegerField(_("child-days"), default=0)
    refunded_days = models.PositiveIntegerField(_("absent days refunded"), default=0)
    billed_days = models.PositiveIntegerField(_("days billed"), default=0)
    fee_per_day = models.DecimalField(_("meal fee per day"), **MONEY)
    fee_source = models.CharField(_("fee source"), max_length=120, blank=True)
    income = models.DecimalField(_("income"), **MONEY)
    refunds = models.DecimalField(_("refunds"), **MONEY, default=Decimal("0"))
    food_issued = models.DecimalField(_("food issued to the kitchen"), **MONEY)
    staff_share = models.DecimalField(_("booked to staff meals"), **MONEY, default=Decimal("0"))
    expenditure = models.DecimalField(_("children's food"), **MONEY)
    by_category = models.JSONField(_("spending by food category"), default=dict)
    balance = models.DecimalField(_("surplus or deficit"), **MONEY)
    balance_pct = models.DecimalField(_("as % of income"), max_digits=7, decimal_places=2, null=True, blank=True)
    cumulative_income = models.DecimalField(_("income cumulated"), **MONEY, default=Decimal("0"))
    cumulative_balance = models.DecimalField(_("surplus or deficit cumulated"), **MONEY, default=Decimal("0"))
    cumulative_pct = models.DecimalField(_("cumulated as % of income"), max_digits=7, decimal_places=2, null=True,
                                         blank=True)
    limit_pct = models.DecimalField(_("limit (%)"), max_digits=5, decimal_places=2)
    note = models.TextField(_("explanation"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT,
                                     null=True, blank=True, editable=False, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meal account")
        verbose_name_plural = _("meal accounts")
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["kindergarten", "month"], condition=Q(voided_at__isnull=True),
                                               name="canteen_account_one_per_month")]

    def __str__(self):
        return f"{self.month:%Y-%m}"

    @property
    def is_published(self) -> bool:
        return self.status == AccountStatus.PUBLISHED

    @property
    def flagged(self) -> bool:
        return self.balance_pct is not None and abs(self.balance_pct) > self.limit_pct

    @property
    def cumulative_flagged(self) -> bool:
        return self.cumulative_pct is not None and abs(self.cumulative_pct) > self.limit_pct


class PurchasePlan(TenantModel, VoidableModel):
    """The purchase plan of a published week's menu (采购计划): what to buy of each stock item, from
    which supplier, for which day, for the children expected (the last weeks' attendance rate per
    class, minus known leave), minus what is in stock, at the latest prices. Kept as planned; made
    again only on request (the old plan is voided with the reason)."""

    scope_paths: dict = {}

    menu = models.ForeignKey(Menu, verbose_name=_("menu"), on_delete=models.PROTECT, related_name="purchase_plans")
    week_start = models.DateField(_("week starting"))
    menu_version = models.PositiveSmallIntegerField(_("menu version"), default=1)
    child_days = models.DecimalField(_("child-days expected"), max_digits=9, decimal_places=1)
    attendance = models.JSONField(_("expected attendance"), default=list, editable=False,
                                  help_text=_("Per class: enrolled, attendance rate, known leave and children "
                                              "expected each day."))
    food_cost = models.DecimalField(_("cost of the food planned"), **MONEY)
    to_buy_cost = models.DecimalField(_("cost of what is to be bought"), **MONEY)
    cost_per_child_day = models.DecimalField(_("cost per child-day"), max_digits=10, decimal_places=2)
    fee_per_day = models.DecimalField(_("meal fee per day"), null=True, blank=True, **MONEY)
    fee_source = models.CharField(_("fee source"), max_length=120, blank=True)
    difference_pct = models.DecimalField(_("difference from the fee (%)"), max_digits=7, decimal_places=2, null=True,
                                         blank=True)
    tolerance_pct = models.DecimalField(_("allowed difference (%)"), max_digits=5, decimal_places=2)
    unpriced = models.JSONField(_("foods without a price"), default=list, editable=False)
    purchase_request = models.OneToOneField(
        "finance.PurchaseRequest", verbose_name=_("purchase request"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", editable=False,
        help_text=_("The purchase request of the food that keeps (only where food is bought from the budget)."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("purchase plan")
        verbose_name_plural = _("purchase plans")
        ordering = ["-week_start", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["kindergarten", "menu"], condition=Q(voided_at__isnull=True),
                                               name="canteen_purchase_plan_one_per_menu")]

    def __str__(self):
        return f"{self.week_start:%Y-%m-%d}"

    @property
    def outside_fee(self) -> bool:
        return self.difference_pct is not None and abs(self.difference_pct) > self.tolerance_pct


class PurchasePlanLine(TenantModel):
    """One stock item to buy for one day from one supplier (fresh food on the day it is cooked, food
    that keeps on the week's first day), or a food of the menu with no stock item to price it."""

    scope_paths: dict = {}

    plan = models.ForeignKey(PurchasePlan, verbose_name=_("purchase plan"), on_delete=models.CASCADE,
                             related_name="lines")
    day = models.DateField(_("delivery day"))
    supplier = models.ForeignKey("stock.Supplier", verbose_name=_("supplier"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+")
    supplier_name = models.CharField(_("supplier"), max_length=100, blank=True)
    item = models.ForeignKey("stock.Item", verbose_name=_("stock item"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    grams = models.DecimalField(_("grams needed (raw)"), max_digits=12, decimal_places=1)
    needed = models.DecimalField(_("quantity needed"), max_digits=12, decimal_places=3)
    from_stock = models.DecimalField(_("taken from stock"), max_digits=12, decimal_places=3, default=Decimal("0"))
    to_buy = models.DecimalField(_("quantity to buy"), max_digits=12, decimal_places=1, default=Decimal("0"))
    unit_price = models.DecimalField(_("latest unit price"), max_digits=12, decimal_places=4, null=True, blank=True)
    price_on = models.DateField(_("price of"), null=True, blank=True)
    amount = models.DecimalField(_("amount to buy"), **MONEY, default=Decimal("0"))
    receipt = models.OneToOneField("stock.Movement", verbose_name=_("receipt"), on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+", editable=False,
                                   help_text=_("The goods-in of this line at receiving (quantity and price as received)."))

    class Meta:
        verbose_name = _("purchase plan line")
        verbose_name_plural = _("purchase plan lines")
        ordering = ["plan_id", "day", "supplier_name", "name", "pk"]

    @property
    def received_quantity(self) -> Decimal | None:
        return self.receipt.quantity if self.receipt_id else None

    @property
    def received_amount(self) -> Decimal | None:
        """What the goods received cost (quantity × the price paid, to the fen)."""
        if not self.receipt_id:
            return None
        return (self.receipt.quantity * self.receipt.unit_cost).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def quantity_difference(self) -> Decimal | None:
        return None if not self.receipt_id else self.receipt.quantity - self.to_buy

    @property
    def cost_difference(self) -> Decimal | None:
        """Received minus planned, in yuan (more bought, or at a higher price: positive)."""
        return None if not self.receipt_id else self.received_amount - self.amount


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Proposed")
    ACCEPTED = "accepted", _("Accepted as a draft menu")


class MenuProposal(TenantModel):
    """A week proposed by the menu optimizer (houqin.canteen.optimizer): dishes and grams, the food cost,
    and the targets it could not meet. Accepted, it becomes a draft menu; until then a day can be
    proposed again."""

    scope_paths: dict = {}

    week_start = models.DateField(_("week starting"))
    days = models.PositiveSmallIntegerField(_("days served"), default=5)
    grade = models.CharField(_("age group"), max_length=10)
    budget = models.DecimalField(_("food cost a child-day at most"), max_digits=8, decimal_places=2, null=True,
                                 blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN)
    result = models.JSONField(_("proposal"), default=dict, editable=False)
    menu = models.ForeignKey(Menu, verbose_name=_("menu"), on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")

    class Meta:
        verbose_name = _("menu proposal")
        verbose_name_plural = _("menu proposals")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(days__gte=1) & Q(days__lte=7),
                                              name="canteen_proposal_days_range")]

    def __str__(self):
        return f"{self.week_start:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.status == ProposalStatus.OPEN

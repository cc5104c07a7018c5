"""The organisation (district → kindergarten → campus → class) and the people in it."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core.models import TenantModel, VoidableModel
from houqin.core.roles import STAFF_ROLES, Role  # noqa: F401 (re-exported: org is where areas look for them)
from houqin.core.text import chinese_number, pinyin_key


class District(models.Model):
    """An education bureau's area (区教育局). Supervisors read across its kindergartens."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("short code"), max_length=40, unique=True)
    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Kindergarten(models.Model):
    """The tenant. Every tenant-owned row carries one, and every query is scoped to it."""

    district = models.ForeignKey(District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="kindergartens")
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    slug = models.SlugField(
        _("short code"), max_length=40, unique=True, help_text=_("Used in addresses: /k/<short code>/")
    )
    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kindergarten")
        verbose_name_plural = _("kindergartens")
        ordering = ["name"]

    def __str__(self):
        return self.short_name or self.name


class Campus(TenantModel):
    """A campus or section (园区 / 部) of a kindergarten."""

    scope_paths = {"campus": "pk"}

    name = models.CharField(_("name"), max_length=60)
    address = models.CharField(_("address"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campus")
        verbose_name_plural = _("campuses")
        ordering = ["kindergarten_id", "name"]
        constraints = [models.UniqueConstraint(fields=["kindergarten", "name"], name="campus_unique_name")]

    def __str__(self):
        return self.name


class Grade(models.TextChoices):
    TODDLER = "toddler", _("Toddler class")  # 托班
    SMALL = "small", _("Small class")  # 小班
    MIDDLE = "middle", _("Middle class")  # 中班
    LARGE = "large", _("Large class")  # 大班


# Typical age in whole years on 1 September of the school year, per grade.
GRADE_AGE = {Grade.TODDLER: 2, Grade.SMALL: 3, Grade.MIDDLE: 4, Grade.LARGE: 5}
GRADE_RANK = {Grade.TODDLER: 0, Grade.SMALL: 1, Grade.MIDDLE: 2, Grade.LARGE: 3}


class SchoolClass(TenantModel):
    """A class (班级) of one school year, on one campus."""

    scope_paths = {"campus": "campus_id", "class": "pk"}

    campus = models.ForeignKey(Campus, verbose_name=_("campus"), on_delete=models.PROTECT, related_name="classes")
    name = models.CharField(_("name"), max_length=30)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    school_year = models.PositiveSmallIntegerField(
        _("school year"), help_text=_("The year the school year starts, e.g. 2026 for 2026–2027.")
    )
    capacity = models.PositiveSmallIntegerField(_("places"), default=30)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(
        _("sort order"), default=0, editable=False, help_text=_("Grade, then the class number (托一班 before 小一班 before 小二班).")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["campus__name", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "school_year", "name"], name="class_unique_name_per_year")
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.sort_order = GRADE_RANK.get(self.grade, 9) * 100 + min(chinese_number(self.name), 99)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "sort_order"}
        super().save(*args, **kwargs)

    @property
    def school_year_label(self) -> str:
        return f"{self.school_year}–{self.school_year + 1}"


class Membership(models.Model):
    """A user's role in one kindergarten (optionally narrowed to a campus and classes), or, for a
    district supervisor, in one district. A user may hold several."""

    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    kindergarten = models.ForeignKey(
        Kindergarten,
        verbose_name=_("kindergarten"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        help_text=_("Only for district supervisors."),
    )
    campus = models.ForeignKey(
        Campus,
        verbose_name=_("campus"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        help_text=_("Leave empty for the whole kindergarten."),
    )
    classes = models.ManyToManyField(SchoolClass, verbose_name=_("classes"), blank=True, related_name="memberships")
    post = models.CharField(_("post"), max_length=40, blank=True, help_text=_("Job title as the kindergarten calls it."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[classes])

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "kindergarten", "role"], name="membership_unique_role"),
            models.CheckConstraint(
                condition=(
                    models.Q(role="supervisor", district__isnull=False, kindergarten__isnull=True)
                    | (~models.Q(role="supervisor") & models.Q(kindergarten__isnull=False, district__isnull=True))
                ),
                name="membership_scope_matches_role",
            ),
        ]

    def __str__(self):
        where = self.kindergarten or self.district
        return f"{self.user} · {self.get_role_display()} · {where}"


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Child(TenantModel, VoidableModel):
    """A child enrolled in the kindergarten. Identity-card number is sensitive: see core.policy."""

    scope_paths = {"campus": "school_class__campus_id", "class": "school_class_id", "child": "pk"}

    name = models.CharField(_("full name"), max_length=30)
    name_pinyin = models.CharField(_("name in pinyin"), max_length=120, blank=True, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("class"), on_delete=models.PROTECT, related_name="children"
    )
    enrolled_on = models.DateField(_("enrolment date"))
    left_on = models.DateField(_("leaving date"), null=True, blank=True)
    id_number = models.CharField(_("identity card number"), max_length=18, blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    history = HistoricalRecords(excluded_fields=["id_number"])

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["school_class__sort_order", "name_pinyin"]
        indexes = [models.Index(fields=["kindergarten", "school_class", "name_pinyin"], name="child_kg_class_pinyin")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.fill_derived()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_pinyin"}
        super().save(*args, **kwargs)

    def fill_derived(self) -> "Child":
        """Set the fields derived from others (call it before bulk_create, which skips save())."""
        self.name_pinyin = pinyin_key(self.name)
        return self

    @property
    def is_enrolled(self) -> bool:
        return self.left_on is None and self.voided_at is None


class Relation(models.TextChoices):
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    PATERNAL_GRANDFATHER = "p_grandfather", _("Paternal grandfather")
    PATERNAL_GRANDMOTHER = "p_grandmother", _("Paternal grandmother")
    MATERNAL_GRANDFATHER = "m_grandfather", _("Maternal grandfather")
    MATERNAL_GRANDMOTHER = "m_grandmother", _("Maternal grandmother")
    OTHER = "other", _("Other")


class Guardian(TenantModel, VoidableModel):
    """A guardian or family contact of a child. `user` is set when they log in as a parent."""

    scope_paths = {"campus": "child__school_class__campus_id", "class": "child__school_class_id", "child": "child_id"}

    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="guardians")
    name = models.CharField(_("full name"), max_length=30)
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    phone = models.CharField(_("mobile phone"), max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="guardianships",
    )
    is_primary = models.BooleanField(_("primary contact"), default=False)
    can_pick_up = models.BooleanField(_("may collect the child"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["-is_primary", "id"]

    def __str__(self):
        return f"{self.name}（{self.get_relation_display()}）"


class PickupPerson(TenantModel, VoidableModel):
    """Someone other than a guardian whom the family authorises to collect the child."""

    scope_paths = {"campus": "child__school_class__campus_id", "class": "child__school_class_id", "child": "child_id"}

    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="pickup_people")
    name = models.CharField(_("full name"), max_length=30)
    relation = models.CharField(_("relation"), max_length=30)
    phone = models.CharField(_("mobile phone"), max_length=20)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("authorised pick-up person")
        verbose_name_plural = _("authorised pick-up people")
        ordering = ["id"]

    def __str__(self):
        return f"{self.name}（{self.relation}）"


class ErasureRequest(TenantModel):
    """A guardian's written request to delete their child's personal information (PIPL art. 47), carried
    out by the principal (org.privacy). It keeps no more of the child than a masked name and the code: it
    is the proof that the request was received and carried out. The child's rows are gone or restricted
    (RestrictedRecord) when it exists."""

    scope_paths: dict = {}

    child_code = models.UUIDField(_("child's code"), db_index=True)
    child_label = models.CharField(_("child"), max_length=40)
    class_name = models.CharField(_("class"), max_length=30, blank=True)
    received_on = models.DateField(_("request received on"))
    letter = models.FileField(_("written request"), upload_to="org/erasure/%Y/%m/")
    note = models.CharField(_("note"), max_length=200, blank=True)
    carried_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("carried out by"), on_delete=models.PROTECT, related_name="+"
    )
    carried_out_at = models.DateTimeField(_("carried out at"))
    erased_count = models.PositiveIntegerField(_("records erased"), default=0)
    restricted_count = models.PositiveIntegerField(_("records restricted"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")
        ordering = ["-carried_out_at", "-id"]

    def __str__(self):
        return self.child_label


class RestrictedRecord(TenantModel):
    """One record of a deleted child that the law keeps (PIPL art. 47: stored and protected, nothing else):
    a copy of the row and its history, taken out of its table so that no page, list, API or export shows it,
    kept until `retained_until`, then purged (org.privacy.purge_restricted)."""

    scope_paths: dict = {}

    request_code = models.UUIDField(_("deletion request"), db_index=True)
    child_code = models.UUIDField(_("child's code"), db_index=True)
    table = models.CharField(_("table"), max_length=80)
    row_code = models.CharField(_("record"), max_length=64)
    category = models.CharField(_("retention category"), max_length=30)
    retained_until = models.DateField(_("kept until"), db_index=True)
    data = models.JSONField(_("record"), default=dict)
    files = models.JSONField(_("files"), default=list, blank=True)

    class Meta:
        verbose_name = _("restricted record")
        verbose_name_plural = _("restricted records")
        ordering = ["retained_until", "id"]

    def __str__(self):
        return f"{self.table} {self.row_code}"

"""The logistics staff (后勤队伍): the kindergarten's own posts and their assessment items, the monthly
assessment (考核) with deductions and the bonus figure, trainings with attendance and test scores,
weekly logistics meetings with action items, health certificates (健康证), ratings for 爱心阿姨, and
the nursery staff's daily procedure (保育员一日工作流程) as a checklist per class per day.

Every rule figure (base points, the multiplier for a mistake one was trained on, the bonus, the
rating weights, the certificate warning) is a field of `StaffSettings`: the kindergarten's own data,
shown with its source.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core import files
from houqin.core.models import TenantModel, VoidableModel

MONEY = {"max_digits": 12, "decimal_places": 2}
POINTS = {"max_digits": 7, "decimal_places": 2}
CENT = Decimal("0.01")


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class TrainedMistakeRule(models.TextChoices):
    MULTIPLY = "multiply", _("Multiply the deduction")
    VETO = "veto", _("Veto: no bonus that month (一票否决)")


class StaffSettings(TenantModel):
    """The kindergarten's own rules for its logistics staff. Each figure has its source."""

    scope_paths: dict = {}

    base_points = models.DecimalField(_("base points"), default=Decimal("100"), **POINTS)
    base_bonus = models.DecimalField(
        _("monthly bonus at full points (yuan)"), default=Decimal("600.00"), **MONEY,
        help_text=_("Bonus = this amount × score ÷ base points, unless the post sets its own amount."),
    )
    bonus_source = models.CharField(_("source of the bonus rule"), max_length=120,
                                    default="本园后勤人员月考核奖励办法", blank=True)
    trained_rule = models.CharField(_("a mistake one was trained on"), max_length=10,
                                    choices=TrainedMistakeRule.choices, default=TrainedMistakeRule.MULTIPLY)
    trained_multiplier = models.DecimalField(_("multiplier for a mistake one was trained on"),
                                             default=Decimal("2"), max_digits=4, decimal_places=2)
    trained_source = models.CharField(_("source of the trained-mistake rule"), max_length=120,
                                      default="本园月常规考核扣分标准（培训中提醒过的问题知错而犯，一票否决/加倍扣分）",
                                      blank=True)
    weight_parents = models.DecimalField(_("weight of parents' ratings"), default=Decimal("0.40"),
                                         max_digits=4, decimal_places=2)
    weight_teachers = models.DecimalField(_("weight of class teachers' ratings"), default=Decimal("0.30"),
                                          max_digits=4, decimal_places=2)
    weight_peers = models.DecimalField(_("weight of nursery peers' ratings"), default=Decimal("0.30"),
                                       max_digits=4, decimal_places=2)
    rating_source = models.CharField(_("source of the rating weights"), max_length=120,
                                     default="本园“爱心阿姨”三位一体评选办法", blank=True)
    certificate_warning_days = models.PositiveSmallIntegerField(
        _("certificate warning (days)"), default=30,
        help_text=_("Health certificates expiring within this many days appear as amber to-dos."),
    )
    certificate_valid_months = models.PositiveSmallIntegerField(
        _("health certificate valid for (months)"), default=12,
        help_text=_("Used to propose the expiry date when a certificate is entered."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staff settings")
        verbose_name_plural = _("staff settings")
        constraints = [models.UniqueConstraint(fields=["kindergarten"], name="staff_settings_one_per_kg")]

    def __str__(self):
        return str(self.kindergarten)


class Post(TenantModel):
    """A post (岗位) as the kindergarten names it: 保育员, 厨师, 保洁, 保安 …"""

    scope_paths: dict = {}

    name = models.CharField(_("name"), max_length=40)
    base_bonus = models.DecimalField(_("monthly bonus at full points (yuan)"), null=True, blank=True, **MONEY,
                                     help_text=_("Leave empty to use the kindergarten's amount."))
    handles_food_or_children = models.BooleanField(
        _("needs a health certificate"), default=True,
        help_text=_("Staff who handle food or children need a valid health certificate."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["kindergarten", "name"], name="staff_post_unique_name")]

    def __str__(self):
        return self.name


class Assignment(TenantModel):
    """A staff member on a post. A person holds one post at a time (ended assignments stay)."""

    scope_paths: dict = {}

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT,
                             related_name="+")
    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.PROTECT, related_name="assignments")
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("post assignment")
        verbose_name_plural = _("post assignments")
        ordering = ["post__sort_order", "post__name", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "user"], condition=Q(ended_on__isnull=True),
                                    name="staff_one_open_assignment"),
        ]

    def __str__(self):
        return f"{self.user} · {self.post}"


class TrainingCategory(models.TextChoices):
    FOOD_SAFETY = "food_safety", _("Food safety")
    NURSERY = "nursery", _("Nursery care")
    HEALTH = "health", _("Health and disease control")
    SAFETY = "safety", _("Safety")
    SERVICE = "service", _("Service and ethics")
    OTHER = "other", _("Other")


class TrainingTopic(TenantModel):
    """A subject staff are trained on (六T管理, 食品添加剂, 餐前消毒 …). Assessment items link to it:
    a mistake on a topic the person was trained on before counts the kindergarten's multiplier."""

    scope_paths: dict = {}

    name = models.CharField(_("topic"), max_length=60)
    category = models.CharField(_("category"), max_length=20, choices=TrainingCategory.choices,
                                default=TrainingCategory.OTHER)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training topic")
        verbose_name_plural = _("training topics")
        ordering = ["category", "name"]
        constraints = [models.UniqueConstraint(fields=["kindergarten", "name"], name="staff_topic_unique_name")]

    def __str__(self):
        return self.name


class AssessmentItem(TenantModel):
    """An item of a post's monthly assessment (考核细则) with the points one mistake costs."""

    scope_paths: dict = {}

    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.PROTECT, related_name="items")
    name = models.CharField(_("item"), max_length=100)
    points = models.DecimalField(_("points deducted per mistake"), **POINTS)
    topic = models.ForeignKey(TrainingTopic, verbose_name=_("training topic"), on_delete=models.PROTECT, null=True,
                              blank=True, related_name="items",
                              help_text=_("A mistake on this item by someone trained on this topic before counts "
                                          "the kindergarten's multiplier."))
    finding_kind = models.CharField(_("counted automatically from"), max_length=60, blank=True,
                                    help_text=_("Findings of this kind from the other areas become deductions."))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        ordering = ["post__sort_order", "sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["post", "name"], name="staff_item_unique_name")]

    def __str__(self):
        return self.name


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")


# A month's score sheet is confirmed once, after the month; confirmed is final (core.workflow.move).
ASSESSMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    AssessmentStatus.DRAFT: frozenset({AssessmentStatus.CONFIRMED}),
    AssessmentStatus.CONFIRMED: frozenset(),
}


class Assessment(TenantModel, VoidableModel):
    """One person's score sheet for one month: base points less deductions, and the bonus figure."""

    scope_paths: dict = {}

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT,
                             related_name="+")
    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.PROTECT, related_name="assessments")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    base_points = models.DecimalField(_("base points"), **POINTS)
    deducted = models.DecimalField(_("points deducted"), default=Decimal("0"), **POINTS)
    score = models.DecimalField(_("score"), **POINTS)
    vetoed = models.BooleanField(_("vetoed (一票否决)"), default=False)
    full_bonus = models.DecimalField(_("bonus at full points"), **MONEY)
    bonus = models.DecimalField(_("bonus"), **MONEY)
    status = models.CharField(_("status"), max_length=10, choices=AssessmentStatus.choices,
                              default=AssessmentStatus.DRAFT)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"),
                                     on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("monthly assessment")
        verbose_name_plural = _("monthly assessments")
        ordering = ["-month", "post__sort_order", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "user", "month"], condition=Q(voided_at__isnull=True),
                                    name="staff_one_assessment_per_month"),
        ]
        indexes = [models.Index(fields=["kindergarten", "month"], name="staff_assessment_month")]

    def __str__(self):
        return f"{self.user} {self.month:%Y-%m}"


class Deduction(TenantModel, VoidableModel):
    """A mistake on an assessment item, with the date it happened. `factor` and `is_veto` are decided by
    the training record (`trained_in`): trained on the item's topic before that date → the multiplier."""

    scope_paths: dict = {}

    assessment = models.ForeignKey(Assessment, verbose_name=_("assessment"), on_delete=models.PROTECT,
                                   related_name="deductions")
    item = models.ForeignKey(AssessmentItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date of the mistake"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    points = models.DecimalField(_("points of the item"), **POINTS)
    factor = models.DecimalField(_("factor"), default=Decimal("1"), max_digits=4, decimal_places=2)
    is_veto = models.BooleanField(_("veto"), default=False)
    amount = models.DecimalField(_("points deducted"), **POINTS)
    trained_in = models.ForeignKey("Training", verbose_name=_("trained in"), on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    finding_kind = models.CharField(_("finding"), max_length=60, blank=True)
    finding_key = models.CharField(_("finding key"), max_length=64, blank=True, editable=False)
    source_url = models.CharField(_("record"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deduction")
        verbose_name_plural = _("deductions")
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "finding_key"],
                                    condition=Q(voided_at__isnull=True) & ~Q(finding_key=""),
                                    name="staff_deduction_one_per_finding"),
        ]

    def __str__(self):
        return f"{self.item} −{self.amount}"

    @property
    def is_trained_mistake(self) -> bool:
        return self.trained_in_id is not None


def material_path(instance, filename: str) -> str:
    return f"staff/materials/{instance.kindergarten_id}/{instance.code}.{instance.material_extension}"


def scan_path(instance, filename: str) -> str:
    return f"staff/certificates/{instance.kindergarten_id}/{instance.code}.{instance.scan_extension}"


class Training(TenantModel, VoidableModel):
    """A training session (培训): topic, date, trainer, material, attendance and test scores."""

    scope_paths: dict = {}

    topic = models.ForeignKey(TrainingTopic, verbose_name=_("topic"), on_delete=models.PROTECT,
                              related_name="trainings")
    title = models.CharField(_("title"), max_length=100, blank=True)
    date = models.DateField(_("date"))
    trainer = models.CharField(_("trainer"), max_length=50)
    location = models.CharField(_("place"), max_length=60, blank=True)
    hours = models.DecimalField(_("hours"), default=Decimal("1"), max_digits=4, decimal_places=1)
    content = models.TextField(_("content"), blank=True)
    material = models.FileField(_("material"), upload_to=material_path, max_length=200, blank=True)
    material_type = models.CharField(_("material type"), max_length=40, blank=True, editable=False)
    material_name = models.CharField(_("material name"), max_length=100, blank=True, editable=False)
    has_test = models.BooleanField(_("with a test"), default=False)
    pass_score = models.DecimalField(_("pass score"), default=Decimal("60"), **POINTS)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["kindergarten", "date"], name="staff_training_date")]

    def __str__(self):
        return self.title or self.topic.name

    @property
    def category(self) -> str:
        return self.topic.category

    @property
    def material_extension(self) -> str:
        return files.extension_for(self.material_type)


class TrainingAttendance(TenantModel):
    """Who was invited to a training, whether they attended and their test score."""

    scope_paths: dict = {}

    training = models.ForeignKey(Training, verbose_name=_("training"), on_delete=models.PROTECT,
                                 related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT,
                             related_name="+")
    attended = models.BooleanField(_("attended"), default=True)
    score = models.DecimalField(_("test score"), null=True, blank=True, **POINTS)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendance")
        ordering = ["user__full_name"]
        constraints = [models.UniqueConstraint(fields=["training", "user"], name="staff_attendance_once")]

    def __str__(self):
        return f"{self.training} · {self.user}"


class Meeting(TenantModel, VoidableModel):
    """A weekly logistics meeting (后勤例会): agenda, minutes and decisions."""

    scope_paths: dict = {}

    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=100)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("chair"), on_delete=models.PROTECT,
                              null=True, blank=True, related_name="+")
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("attendees"), blank=True,
                                       related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("logistics meeting")
        verbose_name_plural = _("logistics meetings")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return self.title


class ActionItem(TenantModel):
    """Something a meeting decided someone does by a date. It is a to-do of its owner until done."""

    scope_paths: dict = {}

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT,
                                related_name="actions")
    description = models.CharField(_("action"), max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="+")
    due_date = models.DateField(_("due date"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")
    done_note = models.CharField(_("how it was done"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["kindergarten", "owner", "due_date"], name="staff_action_owner_due")]

    def __str__(self):
        return self.description


class HealthCertificate(TenantModel, VoidableModel):
    """A staff member's health certificate (健康证 / 托幼机构工作人员健康合格证) with its expiry and a scan."""

    scope_paths: dict = {}

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT,
                             related_name="+")
    number = models.CharField(_("certificate number"), max_length=40, blank=True)
    issuer = models.CharField(_("issued by"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("valid until"))
    scan = models.FileField(_("scan"), upload_to=scan_path, max_length=200, blank=True)
    scan_type = models.CharField(_("scan type"), max_length=40, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("health certificate")
        verbose_name_plural = _("health certificates")
        ordering = ["expires_on", "pk"]
        indexes = [models.Index(fields=["kindergarten", "user", "expires_on"], name="staff_cert_user_expiry")]

    def __str__(self):
        return f"{self.user} {self.expires_on}"

    @property
    def scan_extension(self) -> str:
        return files.extension_for(self.scan_type)


class RaterKind(models.TextChoices):
    PARENT = "parent", _("Parent")
    TEACHER = "teacher", _("Class teacher")
    PEER = "peer", _("Nursery peer")


class RatingRound(TenantModel):
    """A period in which parents, class teachers and nursery peers rate the nursery staff (爱心阿姨)."""

    scope_paths: dict = {}

    title = models.CharField(_("title"), max_length=60)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rating period")
        verbose_name_plural = _("rating periods")
        ordering = ["-starts_on"]

    def __str__(self):
        return self.title


class Rating(TenantModel, VoidableModel):
    """One rater's stars (1–5) for one nursery staff member in one period; once per rater, ratee and period."""

    scope_paths = {"campus": "school_class__campus_id", "class": "school_class_id"}

    round = models.ForeignKey(RatingRound, verbose_name=_("rating period"), on_delete=models.PROTECT,
                              related_name="ratings")
    ratee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("nursery staff"), on_delete=models.PROTECT,
                              related_name="+")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rated by"), on_delete=models.PROTECT,
                              related_name="+")
    rater_kind = models.CharField(_("rater"), max_length=10, choices=RaterKind.choices)
    school_class = models.ForeignKey("org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT,
                                     related_name="+")
    stars = models.PositiveSmallIntegerField(_("stars"))
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["round", "rater", "ratee"], condition=Q(voided_at__isnull=True),
                                    name="staff_rating_once_per_period"),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="staff_rating_stars_1_5"),
        ]

    def __str__(self):
        return f"{self.ratee} {self.stars}"


class ProcedureStep(TenantModel):
    """A step of the nursery staff's daily procedure (保育员一日工作流程); the template is the kindergarten's."""

    scope_paths: dict = {}

    time_label = models.CharField(_("time"), max_length=20, blank=True)
    title = models.CharField(_("step"), max_length=60)
    description = models.CharField(_("what to do"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("procedure step")
        verbose_name_plural = _("procedure steps")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.title


class ProcedureCheck(TenantModel):
    """A step ticked for a class on a day, by whom and when."""

    scope_paths = {"campus": "school_class__campus_id", "class": "school_class_id"}

    school_class = models.ForeignKey("org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT,
                                     related_name="+")
    date = models.DateField(_("date"))
    step = models.ForeignKey(ProcedureStep, verbose_name=_("step"), on_delete=models.PROTECT, related_name="checks")
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.PROTECT,
                                related_name="+")
    done_at = models.DateTimeField(_("done at"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("procedure check")
        verbose_name_plural = _("procedure checks")
        ordering = ["date", "step__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["school_class", "date", "step"], name="staff_procedure_once"),
        ]
        indexes = [models.Index(fields=["kindergarten", "date"], name="staff_procedure_date")]

    def __str__(self):
        return f"{self.school_class} {self.date} {self.step}"


class NapFinding(models.TextChoices):
    COVERS = "covers", _("Kicked off the covers (covered again)")
    FEVER = "fever", _("Felt hot / fever")
    CRYING = "crying", _("Crying")
    AWAKE = "awake", _("Not asleep")
    OTHER = "other", _("Something else")


class NapRound(TenantModel):
    """A nap-time round (午睡巡视) of a class: when, how many children were checked, anything seen
    (kicked-off covers, a fever, crying) with the children's names in the note. Part of the class's
    day beside the daily procedure; a round missed is a to-do of the class's staff."""

    scope_paths = {"campus": "school_class__campus_id", "class": "school_class_id"}

    school_class = models.ForeignKey("org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT,
                                     related_name="+")
    date = models.DateField(_("date"))
    at = models.DateTimeField(_("time"))
    children_checked = models.PositiveSmallIntegerField(_("children checked"))
    findings = models.JSONField(_("seen"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.PROTECT,
                                related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nap-time round")
        verbose_name_plural = _("nap-time rounds")
        ordering = ["date", "at", "pk"]
        indexes = [models.Index(fields=["school_class", "date"], name="staff_nap_class_date")]

    def __str__(self):
        return f"{self.school_class} {self.at:%Y-%m-%d %H:%M}"

    def finding_labels(self) -> list[str]:
        labels = dict(NapFinding.choices)
        return [str(labels.get(f, f)) for f in self.findings]

"""Safety and security (安全): zones and their owners, responsibility agreements, the safety
leadership group, daily self-checks, inspection templates and rounds, the hazard closed loop, fire
equipment, drills, the gate (visitors, pick-up delegations and releases, duty rosters), incidents
and the weekly / monthly reports to the education bureau.

Regulated records are voidable (never deleted) and keep their history of changes. The rule figures
(drills a term, inspection intervals, default deadlines) are the kindergarten's own settings with
the shipped defaults and their sources in houqin/safety/data/rules.json.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core.models import TenantModel, VoidableModel

USER = settings.AUTH_USER_MODEL


# --------------------------------------------------------------------------------------------
# Responsibility: zones, agreements, the leadership group, daily self-checks


class ZoneKind(models.TextChoices):
    CLASSROOM = "classroom", _("Classroom")
    PLAYGROUND = "playground", _("Playground")
    KITCHEN = "kitchen", _("Kitchen")
    GATE = "gate", _("Gate")
    OFFICE = "office", _("Office")
    STAIRS = "stairs", _("Stairs and corridors")
    STORE = "store", _("Storeroom")
    OTHER = "other", _("Other")


class Zone(TenantModel, VoidableModel):
    """责任区（网格）: an area of the kindergarten with the post and person responsible for it and the
    short checklist of its daily self-check."""

    scope_paths = {"campus": "campus_id", "class": "school_class_id"}

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=ZoneKind.choices, default=ZoneKind.OTHER)
    campus = models.ForeignKey("org.Campus", verbose_name=_("campus"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    school_class = models.ForeignKey("org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    post = models.CharField(_("responsible post"), max_length=40)
    owner = models.ForeignKey(USER, verbose_name=_("responsible person"), on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+")
    checklist = models.JSONField(_("self-check items"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["kindergarten", "name"], condition=Q(voided_at__isnull=True),
                                               name="safety_zone_unique_name")]

    def __str__(self):
        return self.name


class Agreement(TenantModel, VoidableModel):
    """安全责任书: a post's safety responsibility agreement for one year, signed by the holder."""

    scope_paths: dict = {}

    year = models.PositiveSmallIntegerField(_("year"))
    post = models.CharField(_("post"), max_length=40)
    holder = models.ForeignKey(USER, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="+")
    duties = models.TextField(_("responsibilities"), max_length=2000)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("responsibility agreement")
        verbose_name_plural = _("responsibility agreements")
        ordering = ["-year", "post", "id"]
        constraints = [models.UniqueConstraint(fields=["kindergarten", "year", "holder", "post"],
                                               condition=Q(voided_at__isnull=True), name="safety_agreement_unique")]

    def __str__(self):
        return f"{self.year} {self.post}"


class GroupRole(models.TextChoices):
    LEADER = "leader", _("Leader")
    DEPUTY = "deputy", _("Deputy leader")
    MEMBER = "member", _("Member")


class LeadershipMember(TenantModel, VoidableModel):
    """A member of the safety leadership group (安全领导小组)."""

    scope_paths: dict = {}

    user = models.ForeignKey(USER, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    group_role = models.CharField(_("role in the group"), max_length=10, choices=GroupRole.choices,
                                  default=GroupRole.MEMBER)
    duty = models.CharField(_("responsible for"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("safety leadership group member")
        verbose_name_plural = _("safety leadership group")
        ordering = ["group_role", "id"]

    def __str__(self):
        return str(self.user)


class SelfCheck(TenantModel):
    """A zone owner's daily self-check: each item ok or not, with a note; failed items became hazards."""

    scope_paths = {"campus": "zone__campus_id", "class": "zone__school_class_id"}

    zone = models.ForeignKey(Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="self_checks")
    date = models.DateField(_("date"))
    checked_by = models.ForeignKey(USER, verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="+")
    results = models.JSONField(_("results"), default=list)  # [{"item": str, "ok": bool, "note": str}]
    all_ok = models.BooleanField(_("all in order"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("daily self-check")
        verbose_name_plural = _("daily self-checks")
        ordering = ["-date", "zone__name"]
        constraints = [models.UniqueConstraint(fields=["zone", "date"], name="safety_selfcheck_one_a_day")]

    def __str__(self):
        return f"{self.zone} {self.date}"


# --------------------------------------------------------------------------------------------
# Inspections


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class InspectionCategory(models.TextChoices):
    GENERAL = "general", _("Facilities")
    LARGE_TOYS = "large_toys", _("Large toys")
    FIRE = "fire", _("Fire equipment")
    ELECTRICAL = "electrical", _("Electrical")
    SURVEILLANCE = "surveillance", _("Surveillance and alarms")
    KITCHEN = "kitchen", _("Kitchen")
    GUARD = "guard", _("Guard equipment and technical security")


class InspectionTemplate(TenantModel, VoidableModel):
    """A checklist the kindergarten edits, with how often it is done and by whom."""

    scope_paths: dict = {}

    name = models.CharField(_("name"), max_length=60)
    category = models.CharField(_("category"), max_length=20, choices=InspectionCategory.choices,
                                default=InspectionCategory.GENERAL)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    items = models.JSONField(_("items"), default=list)
    inspector = models.ForeignKey(USER, verbose_name=_("inspector"), on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    zone = models.ForeignKey(Zone, verbose_name=_("zone"), on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection template")
        verbose_name_plural = _("inspection templates")
        ordering = ["frequency", "name", "id"]

    def __str__(self):
        return self.name


class InspectionRound(TenantModel, VoidableModel):
    """One inspection done: the template, who, when, and the result of each item."""

    scope_paths: dict = {}

    template = models.ForeignKey(InspectionTemplate, verbose_name=_("inspection template"),
                                 on_delete=models.PROTECT, related_name="rounds")
    date = models.DateField(_("date"), db_index=True)
    inspector = models.ForeignKey(USER, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(_("recorded at"))
    failed_count = models.PositiveSmallIntegerField(_("failed items"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["kindergarten", "date"], name="safety_round_kg_date")]

    def __str__(self):
        return f"{self.template} {self.date}"


class InspectionResult(TenantModel):
    """One item of a round: passed or failed, with a note and a photo; a failed item has its hazard."""

    scope_paths: dict = {}

    round = models.ForeignKey(InspectionRound, verbose_name=_("inspection round"), on_delete=models.PROTECT,
                              related_name="results")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    item = models.CharField(_("item"), max_length=100)
    passed = models.BooleanField(_("passed"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    photo = models.FileField(_("photo"), upload_to="safety/inspections/%Y/%m/", blank=True)
    hazard = models.ForeignKey("Hazard", verbose_name=_("hazard"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        ordering = ["round_id", "position", "id"]

    def __str__(self):
        return self.item


# --------------------------------------------------------------------------------------------
# Hazards: the closed loop


class Severity(models.TextChoices):
    LOW = "low", _("Minor")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("Serious")
    MAJOR = "major", _("Major")


class HazardState(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ASSIGNED = "assigned", _("Being rectified")
    RECTIFIED = "rectified", _("Awaiting re-check")
    CLOSED = "closed", _("Closed")


HAZARD_OPEN = (HazardState.REPORTED, HazardState.ASSIGNED, HazardState.RECTIFIED)
# The hazard loop (core.workflow.move is its gate): assigned (or reassigned) → rectified →
# re-checked by someone else: closed, or reopened back to the assignee. Closed is final.
HAZARD_TRANSITIONS: dict[str, frozenset[str]] = {
    HazardState.REPORTED: frozenset({HazardState.ASSIGNED}),
    HazardState.ASSIGNED: frozenset({HazardState.ASSIGNED, HazardState.RECTIFIED}),
    HazardState.RECTIFIED: frozenset({HazardState.CLOSED, HazardState.ASSIGNED}),
    HazardState.CLOSED: frozenset(),
}


class Hazard(TenantModel, VoidableModel):
    """隐患: where, what, how serious, a photo → a person and a deadline → the rectification with a
    photo → re-checked by someone else and closed, or reopened. `source` says where it came from
    ("safety.inspection:<code>", "safety.drill:<code>", "foodsafety.hygiene:<code>", or empty for a
    report in the safety and repair book)."""

    scope_paths = {"campus": "campus_id"}

    number = models.CharField(_("number"), max_length=20, editable=False)
    state = models.CharField(_("state"), max_length=10, choices=HazardState.choices, default=HazardState.REPORTED,
                             editable=False, db_index=True)
    location = models.CharField(_("where"), max_length=100)
    description = models.TextField(_("what"), max_length=1000)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.NORMAL)
    photo = models.FileField(_("photo"), upload_to="safety/hazards/%Y/%m/", blank=True)
    source = models.CharField(_("source"), max_length=80, blank=True)
    zone = models.ForeignKey(Zone, verbose_name=_("zone"), on_delete=models.PROTECT, null=True, blank=True,
                             related_name="hazards")
    campus = models.ForeignKey("org.Campus", verbose_name=_("campus"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    reported_at = models.DateTimeField(_("reported at"))
    assignee = models.ForeignKey(USER, verbose_name=_("assigned to"), on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    assigned_by = models.ForeignKey(USER, verbose_name=_("assigned by"), on_delete=models.PROTECT, null=True,
                                    blank=True, editable=False, related_name="+")
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True, editable=False)
    rectification = models.TextField(_("rectification"), max_length=1000, blank=True)
    rectification_photo = models.FileField(_("photo after rectification"), upload_to="safety/hazards/%Y/%m/",
                                           blank=True)
    rectified_by = models.ForeignKey(USER, verbose_name=_("rectified by"), on_delete=models.PROTECT, null=True,
                                     blank=True, editable=False, related_name="+")
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True, editable=False)
    checked_by = models.ForeignKey(USER, verbose_name=_("re-checked by"), on_delete=models.PROTECT, null=True,
                                   blank=True, editable=False, related_name="+")
    checked_at = models.DateTimeField(_("re-checked at"), null=True, blank=True, editable=False)
    check_note = models.CharField(_("re-check note"), max_length=200, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0, editable=False)
    repair_request = models.ForeignKey("finance.RepairRequest", verbose_name=_("repair request"),
                                       on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-reported_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kindergarten", "number"], name="safety_hazard_unique_number")]
        indexes = [models.Index(fields=["kindergarten", "state", "deadline"], name="safety_hazard_kg_state")]

    def __str__(self):
        return f"{self.number} {self.location}"

    @property
    def is_open(self) -> bool:
        return self.state != HazardState.CLOSED

    def is_overdue(self, today) -> bool:
        return self.state == HazardState.ASSIGNED and self.deadline is not None and self.deadline < today


# --------------------------------------------------------------------------------------------
# Fire equipment


class EquipmentKind(models.TextChoices):
    EXTINGUISHER = "extinguisher", _("Fire extinguisher")
    HYDRANT = "hydrant", _("Fire hydrant")
    ALARM = "alarm", _("Fire alarm")
    EMERGENCY_LIGHT = "emergency_light", _("Emergency light and exit sign")
    OTHER = "other", _("Other")


class FireEquipment(TenantModel, VoidableModel):
    """An extinguisher, hydrant or alarm: where, what type, its annual inspection, refill and expiry."""

    scope_paths = {"campus": "campus_id"}

    kind = models.CharField(_("kind"), max_length=20, choices=EquipmentKind.choices)
    model_type = models.CharField(_("type"), max_length=60, blank=True)
    label = models.CharField(_("number on the equipment"), max_length=30)
    location = models.CharField(_("location"), max_length=100)
    campus = models.ForeignKey("org.Campus", verbose_name=_("campus"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    zone = models.ForeignKey(Zone, verbose_name=_("zone"), on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")
    last_inspected_on = models.DateField(_("last annual inspection"), null=True, blank=True)
    last_refilled_on = models.DateField(_("last refilled"), null=True, blank=True)
    refill_due_on = models.DateField(_("refill due"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    last_checked_on = models.DateField(_("last monthly self-check"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fire equipment")
        verbose_name_plural = _("fire equipment")
        ordering = ["kind", "label", "id"]
        constraints = [models.UniqueConstraint(fields=["kindergarten", "label"], condition=Q(voided_at__isnull=True),
                                               name="safety_fire_unique_label")]

    def __str__(self):
        return f"{self.label} {self.get_kind_display()}"


class FireCheck(TenantModel):
    """A monthly self-check of one piece of fire equipment (pressure, seal, access, signs)."""

    scope_paths = {"campus": "equipment__campus_id"}

    equipment = models.ForeignKey(FireEquipment, verbose_name=_("fire equipment"), on_delete=models.PROTECT,
                                  related_name="checks")
    date = models.DateField(_("date"))
    checked_by = models.ForeignKey(USER, verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="+")
    ok = models.BooleanField(_("in order"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    hazard = models.ForeignKey(Hazard, verbose_name=_("hazard"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fire equipment self-check")
        verbose_name_plural = _("fire equipment self-checks")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.equipment} {self.date}"


# --------------------------------------------------------------------------------------------
# Drills


class DrillKind(models.TextChoices):
    FIRE = "fire", _("Fire evacuation")
    EARTHQUAKE = "earthquake", _("Earthquake")
    ANTI_TERROR = "anti_terror", _("Anti-terror")
    FLOOD = "flood", _("Flood and typhoon")
    OTHER = "other", _("Other")


class Drill(TenantModel, VoidableModel):
    """演练: planned, then held: classes and people taking part, the evacuation time, the summary."""

    scope_paths = {"campus": "campus_id"}

    kind = models.CharField(_("kind"), max_length=20, choices=DrillKind.choices)
    planned_on = models.DateField(_("planned for"))
    campus = models.ForeignKey("org.Campus", verbose_name=_("campus"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    announced = models.BooleanField(_("announced in advance"), default=True)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    classes = models.ManyToManyField("org.SchoolClass", verbose_name=_("classes taking part"), blank=True,
                                     related_name="+")
    children_count = models.PositiveIntegerField(_("children taking part"), default=0)
    staff_count = models.PositiveIntegerField(_("staff taking part"), default=0)
    evacuation_seconds = models.PositiveIntegerField(_("evacuation time (seconds)"), null=True, blank=True)
    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    photo = models.FileField(_("photo"), upload_to="safety/drills/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, null=True,
                                    blank=True, editable=False, related_name="+")
    plan = models.ForeignKey("safety.Plan", verbose_name=_("plan rehearsed"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="drills")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["-planned_on", "-id"]

    def __str__(self):
        return f"{self.planned_on} {self.get_kind_display()}"

    @property
    def is_held(self) -> bool:
        return self.held_at is not None


# --------------------------------------------------------------------------------------------
# The gate: visitors, pick-up delegations and releases, duty rosters


class Visitor(TenantModel, VoidableModel):
    """来访登记: who came, from where, why, to see whom, when in and out."""

    scope_paths = {"campus": "campus_id"}

    name = models.CharField(_("full name"), max_length=30)
    id_number = models.CharField(_("identity card number"), max_length=18, blank=True)
    organisation = models.CharField(_("organisation"), max_length=60, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    reason = models.CharField(_("reason"), max_length=100)
    host = models.CharField(_("visiting"), max_length=30)
    campus = models.ForeignKey("org.Campus", verbose_name=_("campus"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    arrived_at = models.DateTimeField(_("time in"), db_index=True)
    left_at = models.DateTimeField(_("time out"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")
        ordering = ["-arrived_at", "-id"]

    def __str__(self):
        return self.name

    @property
    def is_inside(self) -> bool:
        return self.left_at is None


class RequestedVia(models.TextChoices):
    PARENT = "parent", _("Asked by the parent in Houqin")
    TEACHER = "teacher", _("Recorded by the teacher")


class Delegation(TenantModel, VoidableModel):
    """A one-off delegate who may collect a child on one day: asked for by the parent (or recorded by
    the teacher), confirmed by the teacher by phone before the guard may release the child."""

    scope_paths = {"campus": "child__school_class__campus_id", "class": "child__school_class_id",
                   "child": "child_id"}

    child = models.ForeignKey("org.Child", verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    delegate_name = models.CharField(_("delegate"), max_length=30)
    relation = models.CharField(_("relation"), max_length=30)
    phone = models.CharField(_("mobile phone"), max_length=20)
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    requested_via = models.CharField(_("requested"), max_length=10, choices=RequestedVia.choices)
    requested_by = models.ForeignKey(USER, verbose_name=_("requested by"), on_delete=models.PROTECT,
                                     related_name="+")
    confirmed_by = models.ForeignKey(USER, verbose_name=_("confirmed by phone by"), on_delete=models.PROTECT,
                                     null=True, blank=True, editable=False, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    confirmation_note = models.CharField(_("confirmation call"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pick-up delegation")
        verbose_name_plural = _("pick-up delegations")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.delegate_name}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class ReleaseOutcome(models.TextChoices):
    RELEASED = "released", _("Released")
    REFUSED = "refused", _("Refused")


class CollectorKind(models.TextChoices):
    GUARDIAN = "guardian", _("Guardian")
    PICKUP_PERSON = "pickup_person", _("Authorised pick-up person")
    DELEGATE = "delegate", _("One-off delegate")
    UNKNOWN = "unknown", _("Not authorised")
    RESTRICTED = "restricted", _("Barred by a custody restriction")


class Release(TenantModel):
    """A child handed over at the gate (who collected, who released), or a refused attempt."""

    scope_paths = {"campus": "child__school_class__campus_id", "class": "child__school_class_id",
                   "child": "child_id"}

    child = models.ForeignKey("org.Child", verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"), db_index=True)
    at = models.DateTimeField(_("time"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=ReleaseOutcome.choices)
    collector_kind = models.CharField(_("collected by"), max_length=20, choices=CollectorKind.choices)
    collector_name = models.CharField(_("collector"), max_length=30)
    guardian = models.ForeignKey("org.Guardian", verbose_name=_("guardian"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+")
    pickup_person = models.ForeignKey("org.PickupPerson", verbose_name=_("pick-up person"), on_delete=models.PROTECT,
                                      null=True, blank=True, related_name="+")
    delegation = models.ForeignKey(Delegation, verbose_name=_("delegation"), on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="releases")
    released_by = models.ForeignKey(USER, verbose_name=_("released by"), on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)
    restriction = models.ForeignKey("CustodyRestriction", verbose_name=_("custody restriction"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="refusals")

    class Meta:
        verbose_name = _("pick-up release")
        verbose_name_plural = _("pick-up releases")
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["child", "date"], condition=Q(outcome="released"),
                                               name="safety_release_once_a_day")]

    def __str__(self):
        return f"{self.child} {self.at:%Y-%m-%d %H:%M} {self.outcome}"

    def save(self, *args, **kwargs):
        from houqin.core.models import ProtectedRecordError

        if self.pk is not None:
            raise ProtectedRecordError("Pick-up releases are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        from houqin.core.models import ProtectedRecordError

        raise ProtectedRecordError("Pick-up releases are append-only.")


class CustodyDocument(models.TextChoices):
    COURT_ORDER = "court_order", _("Court order")
    STATEMENT = "statement", _("Signed statement of the guardian")


class CustodyRestriction(TenantModel, VoidableModel):
    """A person who must not collect a child (不得接走): a court order or the guardian's signed
    statement, filed by a guardian of the child or the principal, valid from/to. In force from the
    moment it is filed (the principal confirms it, or voids it with a reason); the gate refuses a
    collector matching its name or identity card number (houqin.safety.custody). Only the principal
    and the class teacher see its details; the guard sees the photo and 不得接走."""

    scope_paths = {"campus": "child__school_class__campus_id", "class": "child__school_class_id",
                   "child": "child_id"}

    child = models.ForeignKey("org.Child", verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    person_name = models.CharField(_("full name of the barred person"), max_length=30)
    name_key = models.CharField(_("name for matching"), max_length=30, editable=False, db_index=True)
    id_number = models.CharField(_("identity card number"), max_length=18, blank=True)
    photo = models.FileField(_("photo"), upload_to="safety/custody/%Y/%m/", blank=True)
    document_kind = models.CharField(_("document"), max_length=20, choices=CustodyDocument.choices)
    document = models.FileField(_("document scan"), upload_to="safety/custody/%Y/%m/")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    filed_by = models.ForeignKey(USER, verbose_name=_("filed by"), on_delete=models.PROTECT, editable=False,
                                 related_name="+")
    confirmed_by = models.ForeignKey(USER, verbose_name=_("confirmed by"), on_delete=models.PROTECT, null=True,
                                     blank=True, editable=False, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["id_number"])

    class Meta:
        verbose_name = _("custody restriction")
        verbose_name_plural = _("custody restrictions")
        ordering = ["-valid_from", "-id"]

    def __str__(self):
        return f"{self.child} ≠ {self.person_name}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def in_force(self, day) -> bool:
        return (not self.is_voided and self.valid_from <= day
                and (self.valid_until is None or self.valid_until >= day))


class DutySlot(models.TextChoices):
    MORNING_PEAK = "morning_peak", _("Morning arrival (peak)")
    DAY = "day", _("Daytime patrol")
    EVENING_PEAK = "evening_peak", _("Afternoon pick-up (peak)")
    NIGHT = "night", _("Night")


PEAK_SLOTS = (DutySlot.MORNING_PEAK, DutySlot.EVENING_PEAK)


class DutyShift(TenantModel, VoidableModel):
    """值班: one person (staff or a parent volunteer) on one slot of one day; peak slots need two
    (护导双岗). A swap changes the person and keeps who was on it before."""

    scope_paths = {"campus": "campus_id"}

    date = models.DateField(_("date"), db_index=True)
    slot = models.CharField(_("time"), max_length=20, choices=DutySlot.choices)
    campus = models.ForeignKey("org.Campus", verbose_name=_("campus"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    person = models.ForeignKey(USER, verbose_name=_("on duty"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    volunteer_name = models.CharField(_("parent volunteer"), max_length=30, blank=True)
    post = models.CharField(_("post"), max_length=30, blank=True)
    swapped_from = models.CharField(_("swapped from"), max_length=60, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty roster")
        ordering = ["date", "slot", "id"]

    def __str__(self):
        return f"{self.date} {self.get_slot_display()} {self.who}"

    @property
    def who(self) -> str:
        if self.person_id:
            return self.person.display_name
        return self.volunteer_name


# --------------------------------------------------------------------------------------------
# Incidents and reports upward


class IncidentKind(models.TextChoices):
    INJURY = "injury", _("Child injured")
    LOST_CHILD = "lost_child", _("Child lost")
    FIRE_ALARM = "fire_alarm", _("Fire alarm")
    INTRUSION = "intrusion", _("Intrusion")
    OTHER = "other", _("Other")


class Incident(TenantModel, VoidableModel):
    """An incident report: what happened, when, what was done, and when it was reported."""

    scope_paths = {"campus": "campus_id"}

    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    occurred_at = models.DateTimeField(_("happened at"))
    reported_at = models.DateTimeField(_("reported at"), editable=False)
    campus = models.ForeignKey("org.Campus", verbose_name=_("campus"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    location = models.CharField(_("where"), max_length=100)
    child = models.ForeignKey("org.Child", verbose_name=_("child"), on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    description = models.TextField(_("what happened"), max_length=2000)
    actions = models.TextField(_("what was done"), max_length=2000, blank=True)
    bureau_reported_at = models.DateTimeField(_("reported to the bureau at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_at", "-id"]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d} {self.get_kind_display()}"


class ReportPeriod(models.TextChoices):
    WEEK = "week", _("Weekly")
    MONTH = "month", _("Monthly")


class SafetyReport(TenantModel, VoidableModel):
    """A weekly or monthly safety report to the education bureau. Its figures are counted from the
    records while it is a draft and frozen (`figures`) when the principal signs it."""

    scope_paths: dict = {}

    period = models.CharField(_("period"), max_length=10, choices=ReportPeriod.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    remarks = models.TextField(_("remarks"), max_length=2000, blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True, editable=False)
    signed_by = models.ForeignKey(USER, verbose_name=_("signed by"), on_delete=models.PROTECT, null=True, blank=True,
                                  editable=False, related_name="+")
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("safety report")
        verbose_name_plural = _("safety reports")
        ordering = ["-start", "-id"]
        constraints = [models.UniqueConstraint(fields=["kindergarten", "period", "start"],
                                               condition=Q(voided_at__isnull=True), name="safety_report_unique")]

    def __str__(self):
        return f"{self.get_period_display()} {self.start}–{self.end}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


# --------------------------------------------------------------------------------------------
# Injuries told to parents (意外伤害登记)


class InjurySeverity(models.TextChoices):
    MINOR = "minor", _("Minor (first aid at the kindergarten)")
    SERIOUS = "serious", _("Serious (seen by a doctor, or more)")


class ParentResponse(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DISPUTED = "disputed", _("Disputed")


class Injury(TenantModel, VoidableModel):
    """A child hurt at the kindergarten: when, where, what happened, the first aid, who saw it and
    whether a doctor was needed. The parents are told the same day through a notice; a guardian
    acknowledges it or disputes it in words. A serious one is also an Incident (the principal's
    incident book and the reports to the bureau) and, when the kindergarten's rule says so, waits on
    the principal's list until it has been reported to the district."""

    scope_paths = {"campus": "school_class__campus_id", "class": "school_class_id", "child": "child_id"}

    child = models.ForeignKey("org.Child", verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey("org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT,
                                     related_name="+")
    occurred_at = models.DateTimeField(_("happened at"), db_index=True)
    location = models.CharField(_("where"), max_length=100)
    description = models.TextField(_("what happened"), max_length=2000)
    first_aid = models.TextField(_("first aid"), max_length=1000, blank=True)
    witnesses = models.CharField(_("who saw it"), max_length=200, blank=True)
    doctor_needed = models.BooleanField(_("a doctor was needed"), default=False)
    severity = models.CharField(_("how serious"), max_length=10, choices=InjurySeverity.choices,
                                default=InjurySeverity.MINOR)
    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="injuries")
    notice_code = models.CharField(_("notice to the parents"), max_length=40, blank=True, editable=False)
    district_due = models.BooleanField(_("to be reported to the district"), default=False, editable=False)
    district_reported_at = models.DateTimeField(_("reported to the district at"), null=True, blank=True,
                                                editable=False)
    district_reported_by = models.ForeignKey(USER, verbose_name=_("reported to the district by"),
                                             on_delete=models.PROTECT, null=True, blank=True, editable=False,
                                             related_name="+")
    response = models.CharField(_("parent's answer"), max_length=20, choices=ParentResponse.choices, blank=True,
                                editable=False)
    response_text = models.TextField(_("parent's words"), max_length=1000, blank=True, editable=False)
    responded_by = models.ForeignKey(USER, verbose_name=_("answered by"), on_delete=models.PROTECT, null=True,
                                     blank=True, editable=False, related_name="+")
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("injury")
        verbose_name_plural = _("injuries")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["kindergarten", "occurred_at"], name="safety_injury_kg_time")]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d} {self.child}"

    @property
    def is_answered(self) -> bool:
        return self.responded_at is not None

    @property
    def is_serious(self) -> bool:
        return self.severity == InjurySeverity.SERIOUS


# --------------------------------------------------------------------------------------------
# Staggered arrival and dismissal (错峰入园/离园): safety/dismissal.py


class SlotKind(models.TextChoices):
    ARRIVAL = "arrival", _("Arrival")
    DISMISSAL = "dismissal", _("Dismissal")


class GateSlot(TenantModel, VoidableModel):
    """One time slot at one gate for one class, or for every class of a grade on a campus, on every
    school day from `valid_from` (until `valid_until`). The guard's and volunteers' posts for the slot
    are the day's duty shifts (DutyShift) of the peak at that campus whose post names the gate."""

    scope_paths = {"campus": "campus_id", "class": "school_class_id"}

    kind = models.CharField(_("arrival or dismissal"), max_length=10, choices=SlotKind.choices)
    campus = models.ForeignKey("org.Campus", verbose_name=_("campus"), on_delete=models.PROTECT, related_name="+")
    gate = models.CharField(_("gate"), max_length=30)
    grade = models.CharField(_("grade"), max_length=10, blank=True)
    school_class = models.ForeignKey("org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=100, blank=True)
    notice_code = models.CharField(_("notice to the parents"), max_length=40, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staggered time slot")
        verbose_name_plural = _("staggered time slots")
        ordering = ["kind", "start", "gate", "id"]
        indexes = [models.Index(fields=["kindergarten", "kind", "valid_from"], name="safety_gateslot_kg_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.start:%H:%M}–{self.end:%H:%M} {self.gate} {self.who}"

    @property
    def who(self) -> str:
        if self.school_class_id:
            return self.school_class.name
        from houqin.org.models import Grade

        return str(Grade(self.grade).label) if self.grade in Grade.values else self.grade

    def in_force(self, day) -> bool:
        return (not self.is_voided and self.valid_from <= day
                and (self.valid_until is None or self.valid_until >= day))


# --------------------------------------------------------------------------------------------
# Safety education (安全教育): safety/education.py


class EducationAudience(models.TextChoices):
    CHILDREN = "children", _("Children")
    STAFF = "staff", _("Staff")
    PARENTS = "parents", _("Parents")


class EducationTopic(models.TextChoices):
    FIRE = "fire", _("Fire safety")
    TRAFFIC = "traffic", _("Traffic safety")
    DROWNING = "drowning", _("Drowning prevention")
    FOOD = "food", _("Food safety")
    STRANGERS = "strangers", _("Strangers and getting lost")
    EARTHQUAKE = "earthquake", _("Earthquake and disasters")
    PLAY = "play", _("Safe play and falls")
    OTHER = "other", _("Other")


class EducationForm(models.TextChoices):
    LESSON = "lesson", _("Class lesson")
    TALK = "talk", _("Talk or training")
    LETTER = "letter", _("Letter to parents")
    ACTIVITY = "activity", _("Activity or week")


class SafetyLesson(TenantModel, VoidableModel):
    """One session of safety education, planned for a day of the term and then recorded as held (for
    the children of one class, for staff, or for parents: a talk or a letter)."""

    scope_paths = {"campus": "school_class__campus_id", "class": "school_class_id"}

    audience = models.CharField(_("for"), max_length=10, choices=EducationAudience.choices)
    topic = models.CharField(_("topic"), max_length=20, choices=EducationTopic.choices)
    title = models.CharField(_("title"), max_length=100)
    form = models.CharField(_("form"), max_length=10, choices=EducationForm.choices, default=EducationForm.LESSON)
    school_class = models.ForeignKey("org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    planned_on = models.DateField(_("planned for"), db_index=True)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    participants = models.PositiveIntegerField(_("people taking part"), default=0)
    summary = models.TextField(_("what was taught"), max_length=2000, blank=True)
    held_by = models.ForeignKey(USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, null=True,
                                blank=True, editable=False, related_name="+")
    notice_code = models.CharField(_("notice to the parents"), max_length=40, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("safety education")
        verbose_name_plural = _("safety education")
        ordering = ["-planned_on", "-id"]
        indexes = [models.Index(fields=["kindergarten", "planned_on"], name="safety_lesson_kg_day")]

    def __str__(self):
        return f"{self.planned_on} {self.title}"

    @property
    def is_held(self) -> bool:
        return self.held_on is not None


# The rule book (制度与应急预案): safety/rulebook.py


class PlanKind(models.TextChoices):
    CONTINGENCY = "contingency", _("Contingency plan")
    RULE = "rule", _("Rule")


class Plan(TenantModel, VoidableModel):
    """A rule or contingency plan of the kindergarten (食物中毒应急预案, 消防应急预案 …): its versions,
    each approved by someone and due for review on a date; drills name the plan they rehearse."""

    scope_paths: dict = {}

    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=PlanKind.choices, default=PlanKind.CONTINGENCY)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rule or plan")
        verbose_name_plural = _("rules and plans")
        ordering = ["kind", "title", "id"]

    def __str__(self):
        return self.title


class PlanVersion(TenantModel):
    """One version of a plan: its text and/or file, who approved it and when, when it is due for
    review. Versions are never edited: a change is a new version, which staff acknowledge again."""

    scope_paths: dict = {}

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"), max_length=20000, blank=True)
    document = models.FileField(_("document"), upload_to="safety/plans/%Y/%m/", blank=True)
    changes = models.CharField(_("what changed"), max_length=200, blank=True)
    approved_by = models.ForeignKey(USER, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+")
    approved_on = models.DateField(_("approved on"))
    review_due = models.DateField(_("review due"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="safety_plan_version_once")]

    def __str__(self):
        return f"{self.plan} v{self.number}"


class PlanReceipt(models.Model):
    """A member of staff has read a version of a plan (the first acknowledgment counts), as
    notices.NoticeReceipt records a reader of a notice."""

    version = models.ForeignKey(PlanVersion, verbose_name=_("plan version"), on_delete=models.PROTECT,
                                related_name="receipts")
    user = models.ForeignKey(USER, verbose_name=_("reader"), on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField(_("read at"))

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="safety_plan_receipt_once")]

    def __str__(self):
        return f"{self.version_id} {self.user_id}"

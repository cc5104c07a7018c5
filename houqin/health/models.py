"""Health care: daily checks, attendance, exams and growth, vaccination, infectious disease,
disinfection.

`Attendance` is read by the canteen (child-days for the diet survey and the meal account) through
`houqin.health.selectors.child_days`; keep that function's signature.

Rule figures (isolation periods, outbreak thresholds, temperature limits, growth cut-offs…) are not
here: they are data (houqin/health/data/health_rules.json, see houqin.health.rules), overridden per
kindergarten through core.rules.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core.models import TenantModel, VoidableModel

CHILD_PATHS = {"campus": "school_class__campus_id", "class": "school_class_id", "child": "child_id"}


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    SICK = "sick", _("Sick leave")
    PERSONAL = "personal", _("Personal leave")


class Attendance(TenantModel):
    """One child on one day: present, or absent on sick or personal leave. The class is the child's
    class on that day (a child may change class during the year). Illness absences are followed up
    (追踪) until the reason is known."""

    scope_paths = CHILD_PATHS

    child = models.ForeignKey("org.Child", verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(
        "org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices,
                              default=AttendanceStatus.PRESENT)
    symptoms = models.CharField(_("symptoms"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    diagnosis = models.CharField(_("reason found"), max_length=100, blank=True,
                                 help_text=_("What the illness was, once known (follow-up)."))
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    followed_up_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("followed up by"),
                                       on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["child", "date"], name="attendance_one_per_child_day")]
        indexes = [models.Index(fields=["kindergarten", "date", "status"], name="attendance_kg_date_status")]

    def __str__(self):
        return f"{self.child_id} {self.date} {self.status}"

    @property
    def needs_follow_up(self) -> bool:
        return self.status == AttendanceStatus.SICK and not self.diagnosis


class CheckKind(models.TextChoices):
    MORNING = "morning", _("Morning check")
    NOON = "noon", _("Noon check")


class CheckSession(TenantModel):
    """A class's morning or noon check of one day: who checked (two checkers may be recorded) and
    how many children were seen. Only the exceptions are rows (CheckFinding); the rest were normal."""

    scope_paths = {"campus": "school_class__campus_id", "class": "school_class_id"}

    school_class = models.ForeignKey("org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT,
                                     related_name="+")
    date = models.DateField(_("date"))
    kind = models.CharField(_("check"), max_length=10, choices=CheckKind.choices, default=CheckKind.MORNING)
    checker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checker"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")
    second_checker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("second checker"),
                                       on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    checked_count = models.PositiveSmallIntegerField(_("children checked"), default=0)
    abnormal_count = models.PositiveSmallIntegerField(_("exceptions"), default=0)
    device = models.ForeignKey("health.DeviceToken", verbose_name=_("device"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("daily check")
        verbose_name_plural = _("daily checks")
        constraints = [models.UniqueConstraint(fields=["school_class", "date", "kind"], name="check_one_per_class_day")]

    def __str__(self):
        return f"{self.school_class_id} {self.date} {self.kind}"


class Finding(models.TextChoices):
    """一摸二看三问四查: what the checker touched, saw, asked and checked."""

    FEVER = "fever", _("Fever")
    RASH = "rash", _("Rash")
    SORE_THROAT = "sore_throat", _("Sore throat")
    MOUTH_BLISTERS = "mouth_blisters", _("Mouth blisters")
    HAND_FOOT_BLISTERS = "hand_foot_blisters", _("Blisters on hands or feet")
    EYE_DISCHARGE = "eye_discharge", _("Eye discharge or red eyes")
    COUGH = "cough", _("Cough")
    RUNNY_NOSE = "runny_nose", _("Runny nose")
    VOMITING = "vomiting", _("Vomiting")
    DIARRHOEA = "diarrhoea", _("Diarrhoea")
    SWOLLEN_CHEEKS = "swollen_cheeks", _("Swollen cheeks")
    LISTLESS = "listless", _("Listless, poor mood")
    INJURY = "injury", _("Injury or bruise")
    DANGEROUS_OBJECT = "dangerous_object", _("Dangerous object found")
    OTHER = "other", _("Other")


class CheckAction(models.TextChoices):
    NONE = "", _("None")
    OBSERVE = "observe", _("Observe")
    ISOLATE = "isolate", _("Isolate")
    SENT_HOME = "sent_home", _("Sent home")
    PARENT_CALLED = "parent_called", _("Parent called to collect")
    SEE_DOCTOR = "see_doctor", _("Sent to a doctor")
    OBJECT_TAKEN = "object_taken", _("Object taken away")


class CheckFinding(TenantModel):
    """One child's exception at a check (or a device's reading): temperature, findings, action."""

    scope_paths = CHILD_PATHS

    session = models.ForeignKey(CheckSession, verbose_name=_("check"), on_delete=models.PROTECT,
                                related_name="findings")
    child = models.ForeignKey("org.Child", verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey("org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT,
                                     related_name="+")
    date = models.DateField(_("date"))
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True)
    findings = models.JSONField(_("findings"), default=list, blank=True)
    action = models.CharField(_("action taken"), max_length=20, choices=CheckAction.choices, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_abnormal = models.BooleanField(_("exception"), default=True)
    serious = models.BooleanField(_("serious"), default=False,
                                  help_text=_("A fever or a serious finding: it needs an action and alerts the health "
                                              "teacher."))

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("check finding")
        verbose_name_plural = _("check findings")
        constraints = [models.UniqueConstraint(fields=["session", "child"], name="check_finding_one_per_child")]
        indexes = [models.Index(fields=["kindergarten", "date"], name="check_finding_kg_date")]

    def finding_labels(self) -> list[str]:
        labels = dict(Finding.choices)
        return [str(labels.get(f, f)) for f in self.findings]


class DeviceToken(TenantModel):
    """A morning-check machine (晨检机) of one campus: it posts temperatures and findings with this
    token. Only a hash is stored; the token is shown once."""

    scope_paths = {"campus": "campus_id"}

    campus = models.ForeignKey("org.Campus", verbose_name=_("campus"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True)
    key_hash = models.CharField(_("hash"), max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("check device")
        verbose_name_plural = _("check devices")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class ObservationStatus(models.TextChoices):
    OBSERVING = "observing", _("Under observation")
    SENT_HOME = "sent_home", _("Sent home")
    ENDED = "ended", _("Observation ended")


OBSERVATION_TRANSITIONS = {
    ObservationStatus.OBSERVING: {ObservationStatus.SENT_HOME, ObservationStatus.ENDED},
    ObservationStatus.SENT_HOME: set(),
    ObservationStatus.ENDED: set(),
}


class HealthObservation(TenantModel):
    """全日健康观察: a child watched through one day after a fever or a serious finding (at the morning
    check, a device's reading or later). Opens with an alert to the health teacher and a notice to
    the parents; ends with the child sent home (time, who collected) or the observation ended."""

    scope_paths = CHILD_PATHS

    child = models.ForeignKey("org.Child", verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey("org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT,
                                     related_name="+")
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ObservationStatus.choices,
                              default=ObservationStatus.OBSERVING)
    seen_at = models.DateTimeField(_("seen by the health teacher at"), null=True, blank=True)
    seen_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("seen by"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")
    sent_home_at = models.DateTimeField(_("sent home at"), null=True, blank=True)
    collected_by = models.CharField(_("collected by"), max_length=60, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    parent_notice_code = models.CharField(_("notice"), max_length=40, blank=True)

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("all-day observation")
        verbose_name_plural = _("all-day observations")
        ordering = ["-date", "school_class_id", "child_id"]
        constraints = [models.UniqueConstraint(fields=["child", "date"], name="observation_one_per_child_day")]
        indexes = [models.Index(fields=["kindergarten", "date", "status"], name="observation_kg_date_status")]

    def __str__(self):
        return f"{self.child_id} {self.date}"


class ObservationEntry(TenantModel):
    """One look at a child under observation: time, temperature, symptoms, action."""

    scope_paths = {"campus": "observation__school_class__campus_id", "class": "observation__school_class_id",
                   "child": "observation__child_id"}

    observation = models.ForeignKey(HealthObservation, verbose_name=_("observation"), on_delete=models.PROTECT,
                                    related_name="entries")
    at = models.DateTimeField(_("time"))
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True)
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    action = models.CharField(_("action taken"), max_length=20, choices=CheckAction.choices, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("observation entry")
        verbose_name_plural = _("observation entries")
        ordering = ["at", "id"]


class PersonKind(models.TextChoices):
    CHILD = "child", _("Child")
    STAFF = "staff", _("Staff member")


class DiagnosisSource(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital diagnosis")
    CLINIC = "clinic", _("Community clinic")
    LAB = "lab", _("Laboratory confirmed")
    SUSPECTED = "suspected", _("Suspected (health teacher)")


class CaseStatus(models.TextChoices):
    ISOLATING = "isolating", _("Isolating")
    CLEARED = "cleared", _("Returned with clearance")


class DiseaseCase(TenantModel, VoidableModel):
    """An infectious disease case (传染病病例) of a child or a staff member. The return date is
    the isolation start plus the disease's isolation period (a rule figure); a child comes back only
    with a return clearance (复课证明)."""

    scope_paths = CHILD_PATHS

    person_kind = models.CharField(_("who"), max_length=10, choices=PersonKind.choices, default=PersonKind.CHILD)
    child = models.ForeignKey("org.Child", verbose_name=_("child"), on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT,
                              null=True, blank=True, related_name="+")
    school_class = models.ForeignKey("org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+")
    disease = models.CharField(_("disease"), max_length=30)
    onset_date = models.DateField(_("onset"))
    diagnosis_source = models.CharField(_("diagnosed by"), max_length=20, choices=DiagnosisSource.choices)
    diagnosis_note = models.CharField(_("hospital or doctor"), max_length=100, blank=True)
    reported_on = models.DateField(_("reported on"), null=True, blank=True,
                                   help_text=_("The day the case became known to the kindergarten."))
    fever_end = models.DateField(_("fever ended"), null=True, blank=True)
    rash_onset = models.DateField(_("rash onset"), null=True, blank=True)
    symptoms_end = models.DateField(_("symptoms ended"), null=True, blank=True)
    treatment_start = models.DateField(_("treatment started"), null=True, blank=True)
    isolation_start = models.DateField(_("isolation from"))
    isolation_days = models.PositiveSmallIntegerField(_("isolation period (days)"))
    isolation_clock = models.CharField(_("isolation counted from"), max_length=20, default="onset")
    return_due = models.DateField(_("may return from"), null=True, blank=True,
                                  help_text=_("Empty until the date the isolation runs from is known."))
    status = models.CharField(_("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.ISOLATING)
    cleared_on = models.DateField(_("returned on"), null=True, blank=True)
    clearance_note = models.CharField(_("return clearance"), max_length=100, blank=True,
                                      help_text=_("Who issued the return clearance (复课证明)."))

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("disease case")
        verbose_name_plural = _("disease cases")
        ordering = ["-onset_date", "-id"]
        indexes = [models.Index(fields=["kindergarten", "disease", "onset_date"], name="case_kg_disease_onset")]

    def __str__(self):
        return f"{self.disease} {self.onset_date}"

    @property
    def person_name(self) -> str:
        if self.child_id:
            return self.child.name
        return self.staff.display_name if self.staff_id else ""


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    REPORTED = "reported", _("Reported")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the district")
    CLOSED = "closed", _("Closed")


ALERT_TRANSITIONS = {
    AlertStatus.OPEN: {AlertStatus.REPORTED, AlertStatus.CLOSED},
    AlertStatus.REPORTED: {AlertStatus.ACKNOWLEDGED, AlertStatus.CLOSED},
    AlertStatus.ACKNOWLEDGED: {AlertStatus.CLOSED},
    AlertStatus.CLOSED: set(),
}


class OutbreakAlert(TenantModel):
    """A reporting rule that fired (a cluster): the proposed actions and the report to the authority,
    prefilled when the rule fired (report_made_at)."""

    scope_paths = {"campus": "school_class__campus_id", "class": "school_class_id"}

    rule_key = models.CharField(_("rule"), max_length=40)
    rule_name = models.CharField(_("rule"), max_length=100)
    disease = models.CharField(_("disease"), max_length=30, blank=True)
    symptom = models.CharField(_("symptom"), max_length=30, blank=True)
    school_class = models.ForeignKey("org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+")
    window_start = models.DateField(_("from"))
    window_end = models.DateField(_("to"))
    case_count = models.PositiveSmallIntegerField(_("cases"))
    threshold = models.PositiveSmallIntegerField(_("threshold"))
    actions = models.JSONField(_("proposed actions"), default=list)
    closure_days = models.PositiveSmallIntegerField(_("closure days"), default=0)
    report_text = models.TextField(_("report to the authority"))
    report_made_at = models.DateTimeField(_("report made at"))
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_to = models.CharField(_("reported to"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=14, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    intensified_until = models.DateField(_("intensified disinfection until"), null=True, blank=True)
    notice_code = models.CharField(_("notice"), max_length=40, blank=True)
    # the report to the district (疾控/教育局): what a report needs, when it was due, sent, acknowledged
    report_due_at = models.DateTimeField(_("report due by"), null=True, blank=True)
    class_size = models.PositiveSmallIntegerField(_("children in the class (or kindergarten)"), null=True, blank=True)
    measures = models.TextField(_("measures taken"), blank=True)
    reporter_name = models.CharField(_("reporter"), max_length=60, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=30, blank=True)
    district_report = models.TextField(_("report sent to the district"), blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("acknowledged by"),
                                        on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    @property
    def minutes_to_report(self) -> int | None:
        """From discovery (the rule fired) to the report sent."""
        if self.reported_at is None:
            return None
        return int((self.reported_at - self.report_made_at).total_seconds() // 60)

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("outbreak alert")
        verbose_name_plural = _("outbreak alerts")
        ordering = ["-report_made_at"]

    def __str__(self):
        return self.rule_name


class ClassClosure(TenantModel, VoidableModel):
    """A class closed (关班): start, planned end, reason, the children affected, reopening."""

    scope_paths = {"campus": "school_class__campus_id", "class": "school_class_id"}

    school_class = models.ForeignKey("org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT,
                                     related_name="+")
    start = models.DateField(_("closed from"))
    planned_end = models.DateField(_("planned reopening"))
    reason = models.CharField(_("reason"), max_length=200)
    alert = models.ForeignKey(OutbreakAlert, verbose_name=_("outbreak alert"), on_delete=models.PROTECT, null=True,
                              blank=True, related_name="closures")
    children = models.ManyToManyField("org.Child", verbose_name=_("children affected"), related_name="+", blank=True)
    reopened_on = models.DateField(_("reopened on"), null=True, blank=True)

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("class closure")
        verbose_name_plural = _("class closures")
        ordering = ["-start"]

    def __str__(self):
        return f"{self.school_class_id} {self.start}"


class ExamKind(models.TextChoices):
    ADMISSION = "admission", _("Admission exam")
    TERM = "term", _("Term exam")
    OTHER = "other", _("Other exam")


class GrowthResult(models.TextChoices):
    UNDERWEIGHT = "underweight", _("Underweight")
    STUNTING = "stunting", _("Stunting")
    WASTING = "wasting", _("Wasting")
    OVERWEIGHT = "overweight", _("Overweight")
    OBESITY = "obesity", _("Obesity")


class Exam(TenantModel, VoidableModel):
    """A physical exam (体检) of a child with its growth assessment: the z-scores (SD positions) by the
    standard recorded in `standard`, the results and the judgements (houqin.health.judgements).
    Changing the kindergarten's standard re-assesses only when asked (services.exam_reassess)."""

    scope_paths = CHILD_PATHS

    child = models.ForeignKey("org.Child", verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey("org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT,
                                     related_name="+")
    date = models.DateField(_("exam date"))
    kind = models.CharField(_("exam"), max_length=10, choices=ExamKind.choices, default=ExamKind.TERM)
    height_cm = models.DecimalField(_("height (cm)"), max_digits=4, decimal_places=1)
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=4, decimal_places=1)
    vision_left = models.DecimalField(_("vision, left"), max_digits=2, decimal_places=1, null=True, blank=True)
    vision_right = models.DecimalField(_("vision, right"), max_digits=2, decimal_places=1, null=True, blank=True)
    caries = models.PositiveSmallIntegerField(_("caries (teeth)"), null=True, blank=True)
    haemoglobin = models.PositiveSmallIntegerField(_("haemoglobin (g/L)"), null=True, blank=True)
    other_findings = models.CharField(_("other findings"), max_length=200, blank=True)
    age_days = models.PositiveIntegerField(_("age (days)"))
    bmi = models.DecimalField(_("BMI"), max_digits=4, decimal_places=2, null=True, blank=True)
    waz = models.DecimalField(_("weight-for-age Z"), max_digits=4, decimal_places=2, null=True, blank=True)
    haz = models.DecimalField(_("height-for-age Z"), max_digits=4, decimal_places=2, null=True, blank=True)
    whz = models.DecimalField(_("weight-for-height Z"), max_digits=4, decimal_places=2, null=True, blank=True)
    bmiz = models.DecimalField(_("BMI-for-age Z"), max_digits=4, decimal_places=2, null=True, blank=True)
    results = models.JSONField(_("growth results"), default=list, blank=True)
    anaemia = models.BooleanField(_("anaemia"), default=False)
    poor_vision = models.BooleanField(_("poor vision"), default=False)
    has_caries = models.BooleanField(_("caries"), default=False)
    standard = models.CharField(_("growth standard"), max_length=120,
                                help_text=_("The growth standard the assessment used (wst423_2022 or who2006_2007)."))

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["kindergarten", "date"], name="exam_kg_date")]
        # the same exam of a child on a day is recorded once (a clinic file submitted twice: refused);
        # a voided exam does not count; the kindergarten key leads, as in every tenant constraint (docs/SCALE.md)
        constraints = [models.UniqueConstraint(fields=["kindergarten", "child", "date", "kind"],
                                               name="exam_one_per_child_day_kind",
                                               condition=models.Q(voided_at__isnull=True))]

    def __str__(self):
        return f"{self.child_id} {self.date}"

    def result_labels(self) -> list[str]:
        labels = dict(GrowthResult.choices)
        return [str(labels[r]) for r in self.results if r in labels]


class HealthSettings(TenantModel):
    """A kindergarten's choices for health care: the growth standard (WS/T 423-2022 by default; WHO
    where the 妇幼保健院 asks for it). One row per kindergarten, created when first changed."""

    scope_paths: dict = {}

    growth_standard = models.CharField(_("growth standard"), max_length=20)

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("health settings")
        verbose_name_plural = _("health settings")
        constraints = [models.UniqueConstraint(fields=["kindergarten"], name="health_settings_once")]


class CorrectionKind(models.TextChoices):
    ANAEMIA = "anaemia", _("Anaemia")
    VISION = "vision", _("Poor vision")
    CARIES = "caries", _("Caries")


class Correction(TenantModel, VoidableModel):
    """A follow-up to correction (矫治) of anaemia, poor vision or caries found at an exam: re-checked
    by the due date (rule figure correction.<kind>.recheck_days) until resolved — by a later exam
    with a normal result or by a re-check marked resolved."""

    scope_paths = CHILD_PATHS

    child = models.ForeignKey("org.Child", verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey("org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT,
                                     related_name="+")
    kind = models.CharField(_("condition"), max_length=10, choices=CorrectionKind.choices)
    exam = models.ForeignKey(Exam, verbose_name=_("exam"), on_delete=models.PROTECT, related_name="+")
    opened_on = models.DateField(_("found on"))
    next_check_on = models.DateField(_("re-check by"), null=True, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("correction follow-up")
        verbose_name_plural = _("correction follow-ups")
        ordering = ["resolved_on", "next_check_on", "-opened_on"]
        constraints = [models.UniqueConstraint(fields=["child", "kind"], name="correction_one_open",
                                               condition=models.Q(resolved_on__isnull=True, voided_at__isnull=True))]
        indexes = [models.Index(fields=["kindergarten", "opened_on"], name="correction_kg_opened")]

    def __str__(self):
        return f"{self.child_id} {self.kind} {self.opened_on}"


class CorrectionCheck(TenantModel):
    """One re-check of a correction follow-up: from a later exam or recorded by the health teacher."""

    scope_paths = {"campus": "correction__school_class__campus_id", "class": "correction__school_class_id",
                   "child": "correction__child_id"}

    correction = models.ForeignKey(Correction, verbose_name=_("correction follow-up"), on_delete=models.PROTECT,
                                   related_name="checks")
    date = models.DateField(_("date"))
    result = models.CharField(_("result"), max_length=200)
    resolved = models.BooleanField(_("resolved"), default=False)
    exam = models.ForeignKey(Exam, verbose_name=_("exam"), on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("re-check")
        verbose_name_plural = _("re-checks")
        ordering = ["date", "id"]


class WeakReason(models.TextChoices):
    MALNUTRITION = "malnutrition", _("Malnutrition")
    ANAEMIA = "anaemia", _("Anaemia")
    OBESITY = "obesity", _("Obesity")
    STUNTING = "stunting", _("Stunting")
    RICKETS = "rickets", _("Rickets")
    OTHER = "other", _("Other")


class WeakChildCase(TenantModel, VoidableModel):
    """A weak-child case (体弱儿个案): flagged by the assessment or by the health teacher, with a plan,
    follow-ups and a closing."""

    scope_paths = CHILD_PATHS

    child = models.ForeignKey("org.Child", verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey("org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT,
                                     related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=WeakReason.choices)
    exam = models.ForeignKey(Exam, verbose_name=_("exam"), on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")
    opened_on = models.DateField(_("opened on"))
    plan = models.TextField(_("plan"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("weak-child case")
        verbose_name_plural = _("weak-child cases")
        ordering = ["closed_on", "-opened_on"]


class WeakChildFollowUp(TenantModel):
    scope_paths = {"campus": "case__school_class__campus_id", "class": "case__school_class_id",
                   "child": "case__child_id"}

    case = models.ForeignKey(WeakChildCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="follow_ups")
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300)

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["date", "id"]


class VaccinationCheck(TenantModel, VoidableModel):
    """The vaccination certificate check (预防接种证查验) of a child at admission."""

    scope_paths = CHILD_PATHS

    child = models.ForeignKey("org.Child", verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey("org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT,
                                     related_name="+")
    checked_on = models.DateField(_("checked on"))
    certificate_seen = models.BooleanField(_("certificate seen"), default=True)
    missing = models.JSONField(_("missing doses"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("vaccination check")
        verbose_name_plural = _("vaccination checks")
        ordering = ["-checked_on"]


class VaccinationDose(TenantModel, VoidableModel):
    """A dose recorded from the certificate, against the national schedule."""

    scope_paths = {"campus": "child__school_class__campus_id", "class": "child__school_class_id", "child": "child_id"}

    child = models.ForeignKey("org.Child", verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    vaccine = models.CharField(_("vaccine"), max_length=12)
    dose_no = models.PositiveSmallIntegerField(_("dose"))
    given_on = models.DateField(_("given on"), null=True, blank=True)
    is_catch_up = models.BooleanField(_("catch-up"), default=False)

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("vaccination dose")
        verbose_name_plural = _("vaccination doses")
        constraints = [models.UniqueConstraint(fields=["child", "vaccine", "dose_no"], name="dose_once_per_child",
                                               condition=models.Q(voided_at__isnull=True))]


class CatchUpStatus(models.TextChoices):
    PENDING = "pending", _("To be given")
    DONE = "done", _("Done")


class CatchUp(TenantModel):
    """A missing dose to catch up (补种), tracked until done; parents reminded."""

    scope_paths = {"campus": "child__school_class__campus_id", "class": "child__school_class_id", "child": "child_id"}

    child = models.ForeignKey("org.Child", verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    check_record = models.ForeignKey(VaccinationCheck, verbose_name=_("vaccination check"), on_delete=models.PROTECT,
                                     related_name="catch_ups")
    vaccine = models.CharField(_("vaccine"), max_length=12)
    dose_no = models.PositiveSmallIntegerField(_("dose"))
    status = models.CharField(_("status"), max_length=10, choices=CatchUpStatus.choices, default=CatchUpStatus.PENDING)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("parents reminded at"), null=True, blank=True)

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("catch-up dose")
        verbose_name_plural = _("catch-up doses")
        constraints = [models.UniqueConstraint(fields=["child", "vaccine", "dose_no"], name="catch_up_once")]


class DisinfectionArea(models.TextChoices):
    TOYS = "toys", _("Toys")
    BEDDING = "bedding", _("Bedding")
    TABLEWARE = "tableware", _("Tableware")
    ROOM = "room", _("Room surfaces")
    AIR = "air", _("Air")


class DisinfectionMethod(models.TextChoices):
    CHLORINE = "chlorine", _("Chlorine disinfectant")
    UV = "uv", _("Ultraviolet lamp")
    STEAM = "steam", _("Steam or boiling")
    CABINET = "cabinet", _("Disinfection cabinet")
    SUN = "sun", _("Sunlight")
    VENTILATION = "ventilation", _("Ventilation")


class Disinfection(TenantModel, VoidableModel):
    """A disinfection record (消毒记录) of a class's area on a day."""

    scope_paths = {"campus": "school_class__campus_id", "class": "school_class_id"}

    school_class = models.ForeignKey("org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT,
                                     related_name="+")
    date = models.DateField(_("date"))
    area = models.CharField(_("area"), max_length=12, choices=DisinfectionArea.choices)
    method = models.CharField(_("method"), max_length=12, choices=DisinfectionMethod.choices)
    concentration_mg_l = models.PositiveIntegerField(_("concentration (mg/L)"), null=True, blank=True)
    minutes = models.PositiveSmallIntegerField(_("minutes"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.PROTECT,
                                related_name="+")
    intensified = models.BooleanField(_("intensified"), default=False)

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("disinfection")
        verbose_name_plural = _("disinfection records")
        ordering = ["-date", "school_class_id"]
        indexes = [models.Index(fields=["kindergarten", "date"], name="disinfection_kg_date")]


class DoseUnit(models.TextChoices):
    ML = "ml", "ml"
    MG = "mg", "mg"
    G = "g", "g"
    TABLET = "tablet", _("tablet(s)")
    CAPSULE = "capsule", _("capsule(s)")
    SACHET = "sachet", _("sachet(s)")
    DROP = "drop", _("drop(s)")


class MedicationStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for the medicine")
    RECEIVED = "received", _("Medicine received")
    REFUSED = "refused", _("Refused")


class MedicationRequest(TenantModel):
    """家长委托喂药: a parent entrusts a medicine to the class (drug, dose with its unit, times a day,
    days, reason, a photo of the box or prescription, the parent's confirmation). Class staff or the
    health teacher receive the medicine (checked against the request) or refuse it with a reason.
    Never deleted."""

    scope_paths = CHILD_PATHS

    child = models.ForeignKey("org.Child", verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey("org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT,
                                     related_name="+")
    drug_name = models.CharField(_("medicine"), max_length=100)
    dose_amount = models.DecimalField(_("dose"), max_digits=7, decimal_places=2)
    dose_unit = models.CharField(_("unit of the dose"), max_length=10, choices=DoseUnit.choices)
    times = models.JSONField(_("times of the day"), default=list)  # ["10:00", "14:30"]
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=200)
    photo = models.FileField(_("photo of the box or prescription"), upload_to="health/medication/%Y/%m/")
    confirmed_text = models.CharField(_("parent's confirmation"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=MedicationStatus.choices,
                              default=MedicationStatus.REQUESTED)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("received by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    checked_at = models.DateTimeField(_("received at"), null=True, blank=True)
    refusal_reason = models.CharField(_("reason for refusing"), max_length=200, blank=True)

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("entrusted medicine")
        verbose_name_plural = _("entrusted medicines")
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["kindergarten", "status", "end_date"], name="medication_kg_status_end")]

    def __str__(self):
        return f"{self.drug_name} {self.dose_amount}{self.dose_unit}"

    @property
    def dose_text(self) -> str:
        return f"{self.dose_amount.normalize():f} {self.get_dose_unit_display()}"


class MedicationGiven(TenantModel):
    """One administration of an entrusted medicine: the scheduled day and time, when it was given,
    the dose and who gave it. Never deleted."""

    scope_paths = {"campus": "request__school_class__campus_id", "class": "request__school_class_id",
                   "child": "request__child_id"}

    request = models.ForeignKey(MedicationRequest, verbose_name=_("entrusted medicine"), on_delete=models.PROTECT,
                                related_name="given")
    date = models.DateField(_("date"))
    scheduled = models.CharField(_("scheduled time"), max_length=5)
    given_at = models.DateTimeField(_("given at"))
    dose_amount = models.DecimalField(_("dose"), max_digits=7, decimal_places=2)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("given by"), on_delete=models.PROTECT,
                                 related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("medicine given")
        verbose_name_plural = _("medicines given")
        ordering = ["date", "scheduled"]
        constraints = [models.UniqueConstraint(fields=["request", "date", "scheduled"], name="medication_given_once")]


class DietKind(models.TextChoices):
    ALLERGY = "allergy", _("Food allergy")
    DIET = "diet", _("Special diet")


class Severity(models.TextChoices):
    MILD = "mild", _("Mild (rash, itching)")
    MODERATE = "moderate", _("Moderate (vomiting, swelling)")
    SEVERE = "severe", _("Severe (breathing, anaphylaxis)")


class DietStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for the health teacher")
    CONFIRMED = "confirmed", _("Confirmed")


DIET_TRANSITIONS: dict[str, frozenset[str]] = {DietStatus.REQUESTED: frozenset({DietStatus.CONFIRMED}),
                                               DietStatus.CONFIRMED: frozenset()}


class DietRecord(TenantModel, VoidableModel):
    """过敏与特殊膳食登记: a child's food allergy (allergen group, severity, the doctor's proof) or special
    diet (清真, 素食, 流质…; a temporary one after illness has an end date). Entered by the health teacher,
    or asked by a parent with the proof and confirmed by the health teacher. Only confirmed records
    reach the kitchen. Voided with a reason, never deleted."""

    scope_paths = {"campus": "child__school_class__campus_id", "class": "child__school_class_id",
                   "child": "child_id"}

    child = models.ForeignKey("org.Child", verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=DietKind.choices)
    allergen = models.CharField(_("allergen"), max_length=16, blank=True)  # houqin.health.allergens.Allergen
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    diet = models.CharField(_("diet"), max_length=12, blank=True)  # houqin.health.allergens.Diet
    reaction = models.CharField(_("reaction and what to do"), max_length=200, blank=True)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True, help_text=_("Empty: no end."))
    proof = models.FileField(_("doctor's proof"), upload_to="health/diet/%Y/%m/", blank=True)
    status = models.CharField(_("status"), max_length=10, choices=DietStatus.choices, default=DietStatus.REQUESTED)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"),
                                     on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("allergy or special diet")
        verbose_name_plural = _("allergies and special diets")
        ordering = ["child_id", "start_date", "id"]
        indexes = [models.Index(fields=["kindergarten", "status", "end_date"], name="diet_kg_status_end")]

    def __str__(self):
        return f"{self.child_id} {self.label}"

    @property
    def label(self) -> str:
        from houqin.health.allergens import Allergen, Diet

        if self.kind == DietKind.ALLERGY:
            return str(Allergen(self.allergen).label) if self.allergen in Allergen.values else self.allergen
        return str(Diet(self.diet).label) if self.diet in Diet.values else self.diet

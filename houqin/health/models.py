"""Health care: daily checks, attendance, exams and growth, vaccination, infectious disease,
disinfection.

`Attendance` is read by the canteen (child-days for the diet survey and the meal account) through
`houqin.health.selectors.child_days`; keep that function's signature.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core.models import TenantModel


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    SICK = "sick", _("Sick leave")
    PERSONAL = "personal", _("Personal leave")


class Attendance(TenantModel):
    """One child on one day: present, or absent on sick or personal leave. The class is the child's
    class on that day (a child may change class during the year)."""

    scope_paths = {"campus": "school_class__campus_id", "class": "school_class_id", "child": "child_id"}

    child = models.ForeignKey("org.Child", verbose_name=_("child"), on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(
        "org.SchoolClass", verbose_name=_("class"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices,
                              default=AttendanceStatus.PRESENT)
    symptoms = models.CharField(_("symptoms"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["child", "date"], name="attendance_one_per_child_day")]
        indexes = [models.Index(fields=["kindergarten", "date", "status"], name="attendance_kg_date_status")]

    def __str__(self):
        return f"{self.child_id} {self.date} {self.status}"

"""The semester logistics summary (后勤工作总结): a term of the kindergarten, the summary drafted
from the term's records, and its versions.

Every number in the text is a figure token `[[area.key]]`; the version keeps the snapshot of the
figures it was drafted from (value, unit, the link to the records), so that an edited or restored
version still shows, and links, the numbers the records gave."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core.models import TenantModel, VoidableModel


class Term(TenantModel):
    """A term (学期) of the kindergarten: the period a summary covers."""

    scope_paths: dict = {}

    name = models.CharField(_("name"), max_length=40, help_text=_("e.g. 2026–2027学年第一学期"))
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(fields=["kindergarten", "start"], name="reports_term_unique_start"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="reports_term_end_after_start"),
        ]

    def __str__(self):
        return self.name


class Summary(TenantModel, VoidableModel):
    """The logistics summary of one term. Its text lives in versions; the newest is the current one."""

    scope_paths: dict = {}

    term = models.ForeignKey(Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="summaries")
    title = models.CharField(_("title"), max_length=100)
    history = HistoricalRecords(inherit=True)

    class Meta:
        verbose_name = _("semester summary")
        verbose_name_plural = _("semester summaries")
        ordering = ["-term__start", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["term"], condition=Q(voided_at__isnull=True),
                                    name="reports_one_summary_per_term"),
        ]

    def __str__(self):
        return self.title


class SummaryVersion(TenantModel):
    """One saved state of a summary: the text of each section with its figure tokens, and the
    figures they refer to. Append-only: saving, redrafting or restoring adds a version."""

    scope_paths: dict = {}

    class Origin(models.TextChoices):
        DRAFTED = "drafted", _("Drafted from the records")
        EDITED = "edited", _("Edited")
        RESTORED = "restored", _("Restored")

    summary = models.ForeignKey(Summary, verbose_name=_("summary"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    sections = models.JSONField(_("text"), default=list,
                                help_text=_("[{key, heading, text}] in the order of the summary"))
    figures = models.JSONField(_("figures"), default=dict,
                               help_text=_("{key: {label, value, unit, url, detail, section}} as drafted"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    figures_computed_at = models.DateTimeField(_("figures computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("summary version")
        verbose_name_plural = _("summary versions")
        ordering = ["summary_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["summary", "number"], name="reports_version_unique_number")]

    def __str__(self):
        return f"{self.summary} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            from houqin.core.models import ProtectedRecordError

            raise ProtectedRecordError("Summary versions are append-only: save a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        from houqin.core.models import ProtectedRecordError

        raise ProtectedRecordError("Summary versions are append-only.")



"""Notices (通知 / 告家长书): from the kindergarten to parents (all, some classes, some children) or
to staff, with a read receipt per reader. Other areas publish through
`houqin.notices.services.publish_notice` (disease notices, vaccination reminders, safety notices,
published menus and meal accounts)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from houqin.core.models import TenantModel, VoidableModel


class NoticeKind(models.TextChoices):
    GENERAL = "general", _("Letter to parents")
    SAFETY = "safety", _("Safety notice")
    DISEASE = "disease", _("Disease notice")
    VACCINATION = "vaccination", _("Vaccination reminder")
    MEALS = "meals", _("Menu and meal account")
    STAFF = "staff", _("Staff notice")


class Audience(models.TextChoices):
    PARENTS = "parents", _("Parents")
    STAFF = "staff", _("Staff")


class Notice(TenantModel, VoidableModel):
    """A notice; parents of the chosen classes or children (all parents when none are chosen), or
    the staff."""

    scope_paths: dict = {}

    kind = models.CharField(_("kind"), max_length=20, choices=NoticeKind.choices, default=NoticeKind.GENERAL)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.PARENTS)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    classes = models.ManyToManyField("org.SchoolClass", verbose_name=_("classes"), blank=True, related_name="+")
    children = models.ManyToManyField("org.Child", verbose_name=_("children"), blank=True, related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=60, blank=True,
                              help_text=_("The record that produced this notice, e.g. health.outbreak:<code>."))

    history = HistoricalRecords(inherit=True, m2m_fields=[])

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["kindergarten", "audience", "published_at"], name="notice_kg_aud_pub")]

    def __str__(self):
        return self.title


class NoticeReceipt(models.Model):
    """Who read a notice, and when (the first time)."""

    notice = models.ForeignKey(Notice, verbose_name=_("notice"), on_delete=models.PROTECT, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reader"), on_delete=models.PROTECT,
                             related_name="+")
    read_at = models.DateTimeField(_("read at"))

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="notice_receipt_once")]

    def __str__(self):
        return f"{self.notice_id} {self.user_id}"

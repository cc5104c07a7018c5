"""Notices (通知 / 告家长书): from the kindergarten to parents (all, some classes, some children) or
to staff, with a read receipt per reader. Other areas publish through
`houqin.notices.services.publish_notice` (disease notices, vaccination reminders, safety notices,
published menus and meal accounts)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
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


# --- the outbox: every notice, alert and reminder becomes a message per recipient, delivered per
# channel by the worker (houqin.notices.outbox, .channels), and the worker's ledger of scheduled jobs
# (houqin.notices.schedule).


class MessageKind(models.TextChoices):
    NOTICE = "notice", _("Notice")
    ALERT = "alert", _("Alert")
    REMINDER = "reminder", _("Reminder")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("E-mail")
    WECOM = "wecom", _("WeCom group")
    SMS = "sms", _("Text message")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    READ = "read", _("Read")


class Message(TenantModel):
    """One notice, alert or reminder for one person. `key` makes it idempotent: the same key for the
    same person in the same kindergarten is one message, however often it is produced."""

    scope_paths: dict = {}

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.PROTECT,
                                  related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices, default=MessageKind.NOTICE)
    urgent = models.BooleanField(_("urgent"), default=False,
                                 help_text=_("Urgent health alerts (fever, outbreak) are sent in quiet hours too."))
    title = models.CharField(_("title"), max_length=160)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=200, blank=True)
    key = models.CharField(_("key"), max_length=160)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["kindergarten", "recipient", "key"], name="message_once")]
        indexes = [models.Index(fields=["kindergarten", "recipient", "read_at"], name="message_kg_rcpt_read")]

    def __str__(self):
        return self.title


class Delivery(models.Model):
    """A message on one channel: queued until the worker sends it (retried with backoff), then sent,
    failed (after the last attempt) or read (in the app)."""

    message = models.ForeignKey(Message, verbose_name=_("message"), on_delete=models.PROTECT,
                                related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-pk"]
        constraints = [models.UniqueConstraint(fields=["message", "channel"], name="delivery_once_per_channel")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self):
        return f"{self.message_id} {self.channel} {self.status}"


class ChannelPreference(TenantModel):
    """How one person wants to be reached in one kindergarten: the channels besides the app, and the
    quiet hours in which only urgent health alerts are sent."""

    scope_paths: dict = {}

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                             related_name="+")
    channels = models.JSONField(_("channels"), default=list, blank=True)
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)

    class Meta:
        verbose_name = _("message preferences")
        verbose_name_plural = _("message preferences")
        constraints = [models.UniqueConstraint(fields=["kindergarten", "user"], name="channel_preference_once")]

    def __str__(self):
        return f"{self.user_id} {self.channels}"


class JobStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class JobRun(models.Model):
    """One run of a scheduled job for one kindergarten (or the whole instance: the backup) and one
    period. The unique key makes the job idempotent: a period's run happens once."""

    job = models.CharField(_("job"), max_length=40)
    kindergarten = models.ForeignKey("org.Kindergarten", verbose_name=_("kindergarten"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    period = models.CharField(_("period"), max_length=20)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.RUNNING)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    messages = models.PositiveIntegerField(_("messages"), default=0)
    result = models.CharField(_("result"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["job", "kindergarten", "period"], name="job_run_once"),
            models.UniqueConstraint(fields=["job", "period"], condition=models.Q(kindergarten__isnull=True),
                                    name="job_run_once_instance"),
        ]
        indexes = [models.Index(fields=["kindergarten", "started_at"], name="job_run_kg_started")]

    def __str__(self):
        return f"{self.job} {self.period}"

"""Base models every area builds on: the user, tenant-owned rows, voidable records, the audit log."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A person who logs in: staff, a parent or a district supervisor.

    What they may do is not here: it is on their memberships (org.Membership) and in core.policy.
    """

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class ProtectedRecordError(Exception):
    """Raised when code tries to hard-delete a record that may only be voided."""


class TenantModel(models.Model):
    """A row owned by one kindergarten. Every query on it is scoped to the kindergarten.

    `code` is the public identifier used in URLs and the API (never the sequential pk).
    """

    kindergarten = models.ForeignKey(
        "org.Kindergarten", verbose_name=_("kindergarten"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True

    def locked(self):
        """This row read again under a row lock (SELECT … FOR UPDATE) for a write that two people could race."""
        return type(self)._default_manager.select_for_update().get(pk=self.pk)


class VoidableQuerySet(models.QuerySet):
    def active(self):
        return self.filter(voided_at__isnull=True)

    def delete(self):
        raise ProtectedRecordError(f"{self.model.__name__} records cannot be deleted; void them with a reason.")


class VoidableModel(models.Model):
    """A record a regulator or a parent may ask about: never hard-deleted, only voided with a reason."""

    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    void_reason = models.CharField(_("reason for voiding"), max_length=200, blank=True, editable=False)

    objects = VoidableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    def delete(self, *args, **kwargs):
        raise ProtectedRecordError(f"{type(self).__name__} records cannot be deleted; void them with a reason.")

    def void(self, *, actor, reason, already=None, missing=None, save: bool = True):
        """Void this record with a reason: the one way every area voids. A record voided already is
        refused (409, `already` says which record in words), a blank reason is refused (`missing`
        asks for it in the record's words: "withdrawing the notice"); the stamp
        (when, who, why) is saved with the acting user and the reason on the history row.

        The caller checks the policy and its own rules first, and calls this on the row read under
        a lock (`locked()`) inside its transaction. `save=False` stamps without saving (the caller
        saves with more fields)."""
        from houqin.core.errors import Conflict, field_error

        if self.is_voided:
            raise field_error("record", already or _("This record has already been voided."), cls=Conflict,
                              code="already_voided")
        reason = str(reason or "").strip()[:200]
        if not reason:
            raise field_error("reason", missing or _("Give the reason for voiding."))
        self.voided_at, self.voided_by, self.void_reason = timezone.now(), actor.user, reason
        self._history_user = actor.user
        self._change_reason = reason[:100]
        if save:
            fields = ["voided_at", "voided_by", "void_reason"]
            if any(f.name == "updated_at" for f in self._meta.concrete_fields):
                fields.append("updated_at")
            self.save(update_fields=fields)
        return self


class AuditEvent(models.Model):
    """An append-only log of events that are not edits of a record: logins, lockouts, imports,
    views of sensitive records. Edits of records are in their django-simple-history tables."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("success")
        DENIED = "denied", _("denied")
        FAILED = "failed", _("failed")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.PROTECT, null=True, blank=True
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    kindergarten = models.ForeignKey(
        "org.Kindergarten", verbose_name=_("kindergarten"), on_delete=models.PROTECT, null=True, blank=True
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_code = models.CharField(_("object"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kindergarten", "-at"], name="audit_kg_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.outcome}"

    @property
    def action_label(self) -> str:
        """The action in words (core.audit.ACTION_LABELS)."""
        from houqin.core.audit import action_label

        return action_label(self.action)

    @property
    def object_label(self) -> str:
        from houqin.core.audit import object_label

        return object_label(self.object_type)

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ProtectedRecordError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ProtectedRecordError("Audit events are append-only.")


class ApiToken(models.Model):
    """A bearer token for a device or another system, acting as `user` in one kindergarten only.

    Only a hash of the token is stored; the token itself is shown once, when it is made.
    """

    code = models.UUIDField(_("code"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="api_tokens")
    kindergarten = models.ForeignKey("org.Kindergarten", verbose_name=_("kindergarten"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True)
    key_hash = models.CharField(_("hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class RuleOverride(TenantModel):
    """A kindergarten's own value for one shipped rule figure of an area (core.rules), with where
    the value comes from. The shipped value and its source stay visible beside it."""

    scope_paths: dict = {}

    area = models.CharField(_("area"), max_length=20)
    key = models.CharField(_("rule figure"), max_length=80)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    source = models.CharField(_("source"), max_length=300)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rule figure override")
        verbose_name_plural = _("rule figure overrides")
        constraints = [models.UniqueConstraint(fields=["kindergarten", "area", "key"], name="core_rule_override_once")]

    def __str__(self):
        return f"{self.area}.{self.key} = {self.value}"

"""The roles people hold in a kindergarten or a district (DOMAIN.md, "Who uses Houqin").

They live in core, below both the organisation (org.models, whose Membership stores one) and the
policy (which grants capabilities to them), so that neither imports the other for them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PRINCIPAL = "principal", _("Principal")
    DIRECTOR = "director", _("Logistics director")
    HEALTH_TEACHER = "health_teacher", _("Health teacher")
    CANTEEN = "canteen", _("Canteen staff")
    STOREKEEPER = "storekeeper", _("Storekeeper")
    ACCOUNTANT = "accountant", _("Accountant")
    CLASS_TEACHER = "class_teacher", _("Class teacher")
    NURSERY = "nursery", _("Nursery staff")
    GUARD = "guard", _("Guard")
    PARENT = "parent", _("Parent")
    SUPERVISOR = "supervisor", _("District supervisor")


STAFF_ROLES = [r for r in Role if r not in (Role.PARENT, Role.SUPERVISOR)]

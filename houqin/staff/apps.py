from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "houqin.staff"
    label = "staff"
    verbose_name = _("Logistics staff")

    def ready(self):
        from houqin.staff import navigation  # noqa: F401

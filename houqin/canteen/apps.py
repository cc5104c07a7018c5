from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CanteenConfig(AppConfig):
    name = "houqin.canteen"
    label = "canteen"
    verbose_name = _("Canteen")

    def ready(self):
        from houqin.canteen import navigation  # noqa: F401

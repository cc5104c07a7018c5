from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "houqin.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from houqin.core import signals  # noqa: F401  (audit of authentication events)

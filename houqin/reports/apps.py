from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "houqin.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from houqin.reports import navigation  # noqa: F401

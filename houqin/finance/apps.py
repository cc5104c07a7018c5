from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "houqin.finance"
    label = "finance"
    verbose_name = _("Purchasing and money")

    def ready(self):
        from houqin.finance import navigation  # noqa: F401

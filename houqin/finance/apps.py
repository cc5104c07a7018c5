from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "houqin.finance"
    label = "finance"
    verbose_name = _("Purchasing and money")
    rule_figures = "houqin.finance.billing.shipped_figures"  # core.rules (the fee bills' rules)
    rules_capability = "finance.bill.change"

    def ready(self):
        from houqin.finance import navigation  # noqa: F401

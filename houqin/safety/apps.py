from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "houqin.safety"
    label = "safety"
    verbose_name = _("Safety and security")
    rule_figures = "houqin.safety.rules.shipped_figures"  # core.rules
    rules_capability = "safety.settings"

    def ready(self):
        from houqin.safety import navigation  # noqa: F401

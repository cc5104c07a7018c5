from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "houqin.health"
    label = "health"
    verbose_name = _("Health care")
    rule_figures = "houqin.health.rules.shipped_figures"  # core.rules
    rules_capability = "health.settings"

    def ready(self):
        from houqin.health import navigation  # noqa: F401

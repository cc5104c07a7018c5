from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FoodsafetyConfig(AppConfig):
    name = "houqin.foodsafety"
    label = "foodsafety"
    verbose_name = _("Food safety")
    rule_figures = "houqin.foodsafety.services.shipped_figures"  # core.rules
    rules_capability = "foodsafety.rules.change"

    def ready(self):
        from houqin.foodsafety import navigation  # noqa: F401

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FoodsafetyConfig(AppConfig):
    name = "houqin.foodsafety"
    label = "foodsafety"
    verbose_name = _("Food safety")

    def ready(self):
        from houqin.foodsafety import navigation  # noqa: F401

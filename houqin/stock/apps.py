from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StockConfig(AppConfig):
    name = "houqin.stock"
    label = "stock"
    verbose_name = _("Stock")

    def ready(self):
        from houqin.stock import navigation  # noqa: F401

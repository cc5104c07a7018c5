from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "houqin.assets"
    label = "assets"
    verbose_name = _("Fixed assets")

    def ready(self):
        from houqin.assets import navigation  # noqa: F401

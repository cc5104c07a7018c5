from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "houqin.notices"
    label = "notices"
    verbose_name = _("Notices")

    def ready(self):
        from houqin.notices import navigation  # noqa: F401

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "houqin.org"
    label = "org"
    verbose_name = _("Organisation and people")

    def ready(self):
        from houqin.org import navigation  # noqa: F401  (registers menu entries and to-dos)

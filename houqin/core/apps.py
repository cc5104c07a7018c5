from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "houqin.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.db.models.signals import pre_save

        from houqin.core import signals  # noqa: F401  (audit of authentication events)
        from houqin.core.inputs import check_before_save

        pre_save.connect(check_before_save, dispatch_uid="houqin.core.inputs.check_before_save")

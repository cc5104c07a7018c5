from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CanteenConfig(AppConfig):
    name = "houqin.canteen"
    label = "canteen"
    verbose_name = _("Canteen")
    rule_figures = "houqin.canteen.rules.shipped_figures"  # core.rules
    rules_capability = "canteen.settings.change"

    def ready(self):
        from houqin.canteen import navigation  # noqa: F401
        from houqin.canteen.foods import ensure_food_table

        # The shipped food table is there after every migrate, and after a test database flush.
        post_migrate.connect(ensure_food_table, sender=self, dispatch_uid="canteen_food_table")

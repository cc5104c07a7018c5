"""The kindergartens' own rule figures survive the move into core.RuleOverride: each area's old
table, as the first wave's migrations built it and filled as the first wave wrote it, goes through
the data migration that moved it; the values are then read through core.rules.

The old tables are built from the migration state before the move (not from today's models), and
dropped again at the end; the data migrations' own functions run, on both databases."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps as current_apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from houqin.core import rules
from houqin.org.models import Kindergarten

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("core", "0002_initial"), ("canteen", "0001_initial"), ("health", "0004_medication"),
          ("foodsafety", "0001_initial"), ("safety", "0001_initial")]
# area: (the migration that moves it, the old model)
MOVES = {
    "canteen": ("houqin.canteen.migrations.0002_rule_figures_in_core", "RuleOverride"),
    "health": ("houqin.health.migrations.0005_rule_figures_in_core", "RuleOverride"),
    "foodsafety": ("houqin.foodsafety.migrations.0002_rule_figures_in_core", "RuleFigure"),
    "safety": ("houqin.safety.migrations.0002_rule_figures_in_core", "SafetySettings"),
}


class _Apps:
    """The registry a data migration is given: the old area models as they were before the move,
    core's as it is after it."""

    def __init__(self, old):
        self.old = old

    def get_model(self, app_label, model_name):
        if app_label == "core":
            return current_apps.get_model(app_label, model_name)
        return self.old.get_model(app_label, model_name)


@pytest.fixture
def old_tables(settings):
    settings.MIGRATION_MODULES = {}  # the real migrations, also where the run builds tables from the models
    old = MigrationLoader(connection, ignore_no_migrations=True).project_state(BEFORE).apps
    models = [old.get_model(area, name) for area, (_module, name) in MOVES.items()]
    with connection.schema_editor() as editor:
        for model in models:
            editor.create_model(model)
    yield old
    with connection.schema_editor() as editor:
        for model in models:
            editor.delete_model(model)


def test_own_values_of_every_area_move_into_core(world, old_tables):
    kg = world.k1.kg
    old = old_tables
    old.get_model("canteen", "RuleOverride").objects.create(
        kindergarten_id=kg.pk, key="account.balance_limit_pct", value=Decimal("3"), source="区教育局 2026 文件")
    old.get_model("health", "RuleOverride").objects.create(
        kindergarten_id=kg.pk, key="outbreak.hfmd_class.threshold", value=Decimal("3"), note="本区要求")
    RuleFigure = old.get_model("foodsafety", "RuleFigure")
    RuleFigure.objects.create(kindergarten_id=kg.pk, key="sample_min_grams", value=Decimal("150"), unit="g",
                              default_value=Decimal("125"), default_source="GB 31654", source="区市场监管局通知",
                              status="kindergarten")
    RuleFigure.objects.create(kindergarten_id=kg.pk, key="sample_hold_hours", value=Decimal("48"), unit="h",
                              default_value=Decimal("48"), default_source="GB 31654", source="GB 31654",
                              status="confirmed")  # a shipped figure as seeded: not an own value
    old.get_model("safety", "SafetySettings").objects.create(kindergarten_id=kg.pk, drills_per_term=4)
    assert not rules.figures(kg, "canteen")["account.balance_limit_pct"].overridden

    with connection.schema_editor() as editor:
        for module, _name in MOVES.values():
            importlib.import_module(module).to_core(_Apps(old), editor)

    kg = Kindergarten.objects.get(pk=kg.pk)
    canteen = rules.figures(kg, "canteen")["account.balance_limit_pct"]
    assert canteen.value == 3 and canteen.source == "区教育局 2026 文件" and canteen.overridden
    health = rules.figures(kg, "health")["outbreak.hfmd_class.threshold"]
    assert health.value == 3 and health.source == "本区要求"
    food = rules.figures(kg, "foodsafety")
    assert food["sample_min_grams"].value == 150 and food["sample_min_grams"].source == "区市场监管局通知"
    assert not food["sample_hold_hours"].overridden
    safety = rules.figures(kg, "safety")
    assert safety["drills_per_term"].value == 4 and safety["drills_per_term"].source == "本园规定"
    assert not safety["hazard_days"].overridden
    assert rules.figures(world.k2.kg, "safety")["drills_per_term"].value == 3  # another kindergarten's untouched

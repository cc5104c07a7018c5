"""The kindergartens' own rule figures survive the move into core.RuleOverride: each area's old
table, filled as the first wave wrote it, migrated forward, read through core.rules."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from houqin.core import rules

# The SQLite run builds its tables from the models (--no-migrations); the PostgreSQL run applies the
# real migrations, the path production takes, and runs this test.
pytestmark = [pytest.mark.django_db(transaction=True)]

BEFORE = [("core", "0002_initial"), ("canteen", "0001_initial"), ("health", "0004_medication"),
          ("foodsafety", "0001_initial"), ("safety", "0001_initial")]
AFTER = [("core", "0003_rule_override"), ("canteen", "0002_rule_figures_in_core"),
         ("health", "0005_rule_figures_in_core"), ("foodsafety", "0002_rule_figures_in_core"),
         ("safety", "0002_rule_figures_in_core")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def migrations_applied():
    executor = MigrationExecutor(connection)
    if not executor.loader.graph.leaf_nodes() or not executor.loader.applied_migrations:
        pytest.skip("this run builds its tables from the models (--no-migrations): the PostgreSQL run migrates")
    latest = executor.loader.graph.leaf_nodes()
    yield
    _migrate(latest)


def test_own_values_of_every_area_move_into_core(migrations_applied):
    old = _migrate(BEFORE)
    District = old.get_model("org", "District")
    Kindergarten = old.get_model("org", "Kindergarten")
    district = District.objects.create(name="城南区教育局", slug="mig")
    kg = Kindergarten.objects.create(district=district, name="迁移幼儿园", slug="mig-k")
    old.get_model("canteen", "RuleOverride").objects.create(
        kindergarten=kg, key="account.balance_limit_pct", value=Decimal("3"), source="区教育局 2026 文件")
    old.get_model("health", "RuleOverride").objects.create(
        kindergarten=kg, key="outbreak.hfmd_class.threshold", value=Decimal("3"), note="本区要求")
    RuleFigure = old.get_model("foodsafety", "RuleFigure")
    RuleFigure.objects.create(kindergarten=kg, key="sample_min_grams", value=Decimal("150"), unit="g",
                              default_value=Decimal("125"), default_source="GB 31654", source="区市场监管局通知",
                              status="kindergarten")
    RuleFigure.objects.create(kindergarten=kg, key="sample_hold_hours", value=Decimal("48"), unit="h",
                              default_value=Decimal("48"), default_source="GB 31654", source="GB 31654",
                              status="confirmed")  # a shipped figure as seeded: not an own value
    old.get_model("safety", "SafetySettings").objects.create(kindergarten=kg, drills_per_term=4)

    _migrate(AFTER)
    from houqin.org.models import Kindergarten as Current

    kg = Current.objects.get(slug="mig-k")
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

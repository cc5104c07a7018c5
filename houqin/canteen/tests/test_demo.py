"""The demo's canteen: a published menu for every school week so far, next week a draft, the stock
items linked to foods, a committee meeting, and the September and October accounts published with
real figures (fee × child-days, food from the stock ledger)."""

import datetime as dt
from decimal import Decimal

import pytest

from houqin.canteen import selectors
from houqin.canteen.models import (
    CommitteeMeeting,
    DietSurvey,
    Dish,
    Food,
    MealAccount,
    Menu,
    MenuStatus,
    StockFoodLink,
)
from houqin.canteen.demo import MEAL_FEE
from houqin.org import demo
from houqin.org.models import Kindergarten

pytestmark = pytest.mark.django_db


def test_the_demo_term_of_the_canteen(demo_built):
    result = demo_built
    assert result["created"]
    LAST_PUBLISHED_WEEK = demo.dates_for().week_start + dt.timedelta(days=7)  # next week (published ahead)
    kg = Kindergarten.objects.get(slug="demo")

    # the kindergarten's own condiments, with label values
    own = set(Food.objects.filter(kindergarten=kg).values_list("name", flat=True))
    assert {"食盐（加碘）", "酱油（生抽）", "白砂糖"} <= own
    assert not Food.objects.filter(kindergarten=kg, energy_kcal__isnull=True).exists()
    assert 25 <= Dish.objects.filter(kindergarten=kg).count() <= 60
    assert not Dish.objects.filter(kindergarten=kg, ingredients__isnull=True).exists()

    # a published menu for every school week from the term's first to the week of 23 November
    menus = Menu.objects.active().filter(kindergarten=kg)
    monday = selectors.week_start_of(demo.TERM_START)
    while monday <= LAST_PUBLISHED_WEEK:
        menu = menus.get(week_start=monday)
        assert menu.status == MenuStatus.PUBLISHED, monday
        assert menu.summary["energy_pct"] > 0 and menu.entries.exists()
        assert {e.day for e in menu.entries.all()} == set(range(menu.days))
        monday += dt.timedelta(days=7)
    assert menus.get(week_start=LAST_PUBLISHED_WEEK + dt.timedelta(days=7)).status == MenuStatus.DRAFT
    assert not menus.filter(week_start__gt=LAST_PUBLISHED_WEEK + dt.timedelta(days=7)).exists()

    # the analysis of a demo week runs, and matches the summary kept on publishing
    week = menus.get(week_start=dt.date(2026, 11, 16))
    analysis = selectors.menu_analysis(week)
    energy = analysis.nutrient("energy_kcal")
    assert energy.intake > 0 and round(energy.pct_of_dri or 0, 1) == week.summary["energy_pct"]
    assert round(analysis.nutrient("protein_g").intake, 1) == week.summary["protein_g"]

    # the stock demo's food items are linked to foods (the diet survey reads the kitchen issues)
    linked = set(StockFoodLink.objects.filter(kindergarten=kg).values_list("item__name", flat=True))
    assert {"大米", "鸡蛋", "牛奶", "青菜", "食用油", "食盐", "酱油"} <= linked
    survey = DietSurvey.objects.get(kindergarten=kg, month=dt.date(2026, 10, 1))
    assert survey.child_days > 0 and survey.result["lines"]
    meeting = CommitteeMeeting.objects.get(kindergarten=kg)
    assert meeting.parent_count >= 2 and meeting.survey == survey

    # September and October accounts, published; income = fee × days billed, from the attendance
    accounts = {a.month: a for a in MealAccount.objects.active().filter(kindergarten=kg)}
    assert set(accounts) == {dt.date(2026, 9, 1), dt.date(2026, 10, 1)}
    october = accounts[dt.date(2026, 10, 1)]
    assert october.is_published and october.published_at.date() == dt.date(2026, 11, 5)
    counts = selectors.attendance_counts(kindergarten=kg, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))
    assert october.child_days == counts["present"] > 0
    assert october.fee_per_day == MEAL_FEE == Decimal("13.50")
    # believable: within ±2 % except the planted month (September, −3.25 % aimed), the term within ±2 %
    september = accounts[dt.date(2026, 9, 1)]
    assert -4 < september.balance_pct < -2.5 and september.flagged and september.note
    assert abs(october.balance_pct) < 2 and abs(october.cumulative_pct) < 2
    assert october.income == october.fee_per_day * october.billed_days
    assert october.billed_days == october.child_days  # sick and personal leave refunded
    assert october.expenditure > 0 and october.balance == october.income - october.expenditure
    assert october.cumulative_income == october.income + accounts[dt.date(2026, 9, 1)].income
    assert not october.flagged or october.note

    # demo2: a little of the same
    kg2 = Kindergarten.objects.get(slug="demo2")
    assert Menu.objects.filter(kindergarten=kg2, status=MenuStatus.PUBLISHED,
                               week_start=LAST_PUBLISHED_WEEK).exists()
    assert StockFoodLink.objects.filter(kindergarten=kg2).exists()


def test_the_demo_plans_this_week_and_next_from_the_ledger(demo_built):
    """This week's and next week's purchase plans, made from the menus published ahead: every day of
    the menu, every food priced at the ledger's latest prices, the cost per child-day within the rule's
    tolerance of the meal fee (Issue 16's Done-when)."""
    from houqin.canteen.models import PurchasePlan
    from houqin.canteen.rules import rules_for

    kg = Kindergarten.objects.get(slug="demo")
    tolerance = Decimal(str(rules_for(kg).value("purchase.cost_tolerance_pct")))
    this_week = demo.dates_for().week_start
    for week in (this_week, this_week + dt.timedelta(days=7)):
        plan = PurchasePlan.objects.active().get(kindergarten=kg, week_start=week)
        assert plan.menu.is_published and plan.created_at > plan.menu.published_at
        assert {line.day for line in plan.lines.all()} == {week + dt.timedelta(days=d) for d in range(plan.menu.days)}
        assert plan.child_days > 100 * plan.menu.days and plan.fee_per_day == MEAL_FEE
        assert plan.unpriced == [] and not plan.lines.filter(unit_price__isnull=True).exists()
        assert abs(plan.cost_per_child_day - MEAL_FEE) <= MEAL_FEE * tolerance / 100, (week, plan.cost_per_child_day)
        assert not plan.outside_fee
        assert plan.lines.filter(unit_price__isnull=False, supplier__isnull=False).count() >= 10

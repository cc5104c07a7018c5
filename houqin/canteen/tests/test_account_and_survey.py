"""The children's meal account and the diet survey (记账法) from the stock ledger and attendance,
against hand calculations.

k1 has 6 children; 12–23 October 2026 (10 school days): 60 attendance records, 4 sick and 2 personal
→ 54 child-days present. Kitchen issues: 6 斤 rice at ¥2.60 (¥15.60) and 2 斤 eggs at ¥5.80
(¥11.60) = ¥27.20; staff meals 10 % → children's food ¥24.48 (rice 14.04, eggs 10.44).
"""

import datetime as dt
from decimal import Decimal

import pytest

from houqin.canteen import selectors, services
from houqin.canteen.models import CanteenSettings, DietSurvey, MealAccount, StockFoodLink
from houqin.canteen.tests.conftest import EGG, RICE, actor_of, food
from houqin.core.errors import Conflict, DomainError
from houqin.org.models import Role

pytestmark = pytest.mark.django_db
OCTOBER = dt.date(2026, 10, 1)


def school_days():
    day, days = dt.date(2026, 10, 12), []
    while len(days) < 10:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


@pytest.fixture
def october(world):
    from houqin.health.models import Attendance
    from houqin.stock import services as stock
    from houqin.stock.tests.conftest import make_store

    absent = {(0, 0): "sick", (1, 2): "sick", (2, 4): "sick", (3, 6): "sick", (4, 8): "personal", (5, 9): "personal"}
    rows = [Attendance(kindergarten=world.k1.kg, child=child, school_class=child.school_class, date=day,
                       status=absent.get((i, d), "present"))
            for i, child in enumerate(world.k1.children) for d, day in enumerate(school_days())]
    Attendance.objects.bulk_create(rows)
    store = make_store(world)
    keeper = actor_of(world, Role.STOREKEEPER)
    stock.receive(actor=keeper, warehouse=store.food, item=store.rice, quantity="20", unit_cost="2.60",
                  occurred_on=dt.date(2026, 10, 9), production_date=dt.date(2026, 10, 1))
    stock.receive(actor=keeper, warehouse=store.food, item=store.eggs, quantity="5", unit_cost="5.80",
                  occurred_on=dt.date(2026, 10, 9), production_date=dt.date(2026, 10, 8))
    stock.kitchen_issue_day(actor=actor_of(world, Role.CANTEEN), warehouse=store.food, occurred_on=dt.date(2026, 10, 14),
                            lines=[{"item": store.rice, "quantity": "6"}, {"item": store.eggs, "quantity": "2"}])
    CanteenSettings.objects.create(kindergarten=world.k1.kg, meals=["breakfast", "lunch", "afternoon_snack"],
                                   meal_fee_per_day=Decimal("18.00"), staff_meal_share=Decimal("10"))
    StockFoodLink.objects.create(kindergarten=world.k1.kg, item=store.rice, food=food(RICE), grams_per_unit=500)
    StockFoodLink.objects.create(kindergarten=world.k1.kg, item=store.eggs, food=food(EGG), grams_per_unit=500)
    return store


def test_the_monthly_account_matches_the_hand_calculation(world, october):
    accountant = actor_of(world, Role.ACCOUNTANT)
    account = services.account_prepare(actor=accountant, month=OCTOBER)
    assert account.child_days == 54 and account.refunded_days == 6 and account.billed_days == 54
    assert account.fee_per_day == Decimal("18.00") and account.fee_source == "canteen settings"
    assert account.income == Decimal("972.00") and account.refunds == Decimal("108.00")
    assert account.food_issued == Decimal("27.20") and account.staff_share == Decimal("2.72")
    assert account.expenditure == Decimal("24.48")
    assert account.by_category == {"grain_oil": "14.04", "meat_egg": "10.44"}
    assert account.balance == Decimal("947.52") and account.balance_pct == Decimal("97.48")
    assert account.limit_pct == Decimal("2.00") and account.flagged


def test_absent_days_are_billed_when_the_rule_says_no_refund(world, october):
    CanteenSettings.objects.filter(kindergarten=world.k1.kg).update(refund_personal_days=False)
    account = services.account_prepare(actor=actor_of(world, Role.ACCOUNTANT), month=OCTOBER)
    assert account.refunded_days == 4 and account.billed_days == 56 and account.income == Decimal("1008.00")


def test_publishing_outside_the_limit_needs_an_explanation_then_freezes(world, october):
    from houqin.notices.models import Notice

    accountant = actor_of(world, Role.ACCOUNTANT)
    account = services.account_prepare(actor=accountant, month=OCTOBER)
    with pytest.raises(DomainError) as exc:
        services.account_publish(actor=accountant, account=account)
    assert "outside ±2 %: explain it to the parents" in str(exc.value.message)
    account.refresh_from_db()
    assert account.status == "draft"
    services.account_publish(actor=accountant, account=account, note="十月新购炊具，下月调整伙食标准")
    account.refresh_from_db()
    assert account.is_published and account.published_by == accountant.user
    notice = Notice.objects.get(source=f"canteen.account:{account.code}")
    assert "947.52" in notice.body and notice.kind == "meals"
    with pytest.raises(Conflict):
        services.account_prepare(actor=accountant, month=OCTOBER)


def test_a_balanced_month_is_not_flagged_and_cumulates(world, october):
    CanteenSettings.objects.filter(kindergarten=world.k1.kg).update(meal_fee_per_day=Decimal("0.45"))
    account = services.account_prepare(actor=actor_of(world, Role.ACCOUNTANT), month=OCTOBER)
    assert account.income == Decimal("24.30") and account.balance == Decimal("-0.18")
    assert account.balance_pct == Decimal("-0.74") and not account.flagged
    november = services.compute_account(kindergarten=world.k1.kg, month=dt.date(2026, 11, 1))
    assert november["cumulative_balance"] == Decimal("-0.18")


def test_a_month_with_no_attendance_is_refused(world, october):
    with pytest.raises(DomainError) as exc:
        services.account_prepare(actor=actor_of(world, Role.ACCOUNTANT), month=dt.date(2026, 9, 1))
    assert "No attendance is recorded for this month" in str(exc.value.message)
    with pytest.raises(DomainError) as exc:
        services.survey_save(actor=actor_of(world, Role.HEALTH_TEACHER), month=dt.date(2026, 9, 1))
    assert "No attendance is recorded for this month" in str(exc.value.message)
    assert not MealAccount.objects.exists() and not DietSurvey.objects.exists()


def test_the_diet_survey_divides_food_issued_by_child_days(world, october):
    """Rice 6 斤 × 500 g × 90 % = 2,700 g ÷ 54 = 50 g a child a day → 172.5 kcal, 3.85 g protein;
    eggs 2 斤 × 500 g × 90 % = 900 g ÷ 54 = 16.67 g raw, 87 % edible = 14.5 g → 20.16 kcal, 1.90 g."""
    data = selectors.survey_compute(kindergarten=world.k1.kg, month=OCTOBER)
    assert data["child_days"] == 54 and not data["unlinked"]
    energy = data["analysis"].nutrient("energy_kcal").intake
    assert energy == pytest.approx(172.5 + 14.5 * 1.39, rel=0.005)
    assert data["analysis"].nutrient("protein_g").intake == pytest.approx(50 * 0.077 + 14.5 * 0.131, rel=0.005)
    survey = services.survey_save(actor=actor_of(world, Role.HEALTH_TEACHER), month=OCTOBER, conclusion="能量偏低")
    assert survey.child_days == 54
    assert survey.result["analysis"]["nutrients"][0]["intake"] == pytest.approx(192.66, rel=0.005)
    assert survey.result["age"] == 3  # the test world's classes are all small classes (3 years)

"""The demo's fee bills: last month billed, most paid and a few not, the parent sees the bill, and
the meal account's income of last month is the meal fees of its bills."""

import datetime as dt

import pytest
from django.db.models import Sum
from django.test import Client

from houqin.canteen.models import MealAccount
from houqin.finance.models import BillStatus, FeeBill, FeePayment
from houqin.org.models import Guardian, Kindergarten

pytestmark = pytest.mark.django_db
LAST_MONTH = dt.date(2026, 10, 1)  # the suite's day is 2026-11-25


def test_last_month_is_billed_mostly_paid_and_the_meal_account_takes_its_income(demo_built):
    kg = Kindergarten.objects.get(slug="demo")
    bills = FeeBill.objects.active().filter(kindergarten=kg, month=LAST_MONTH)
    n = bills.count()
    assert n >= 500
    unpaid = bills.filter(status=BillStatus.ISSUED).count()
    assert 1 <= unpaid <= 10 and not bills.filter(status=BillStatus.DRAFT).exists()
    assert bills.filter(status=BillStatus.PAID).count() == n - unpaid
    assert FeePayment.objects.filter(bill__in=bills).count() >= n - unpaid
    meal_fees = bills.aggregate(s=Sum("meal_amount"))["s"]
    account = MealAccount.objects.active().get(kindergarten=kg, month=LAST_MONTH)
    assert account.income == meal_fees
    assert "缴费" in account.fee_source or "fee bills" in account.fee_source
    assert abs(account.balance_pct) <= 2  # the demo's kitchen still spends what the fees pay for
    for older in MealAccount.objects.active().filter(kindergarten=kg):
        assert older.income == FeeBill.objects.active().filter(kindergarten=kg, month=older.month).aggregate(
            s=Sum("meal_amount"))["s"]


def test_the_demo_parent_sees_last_months_bill(demo_built):
    kg = Kindergarten.objects.get(slug="demo")
    guardian = Guardian.objects.filter(child__kindergarten=kg, user__username="parent").select_related("user").first()
    bill = FeeBill.objects.active().get(child=guardian.child, month=LAST_MONTH)
    client = Client()
    client.force_login(guardian.user)
    page = client.get("/k/demo/finance/bills/").content.decode()
    assert bill.number in page or guardian.child.name in page
    detail = client.get(f"/k/demo/finance/bills/{bill.code}/")
    assert detail.status_code == 200 and bill.status == BillStatus.ISSUED
    assert f"/k/demo/finance/bills/{bill.code}/" in client.get("/k/demo/family/").content.decode()

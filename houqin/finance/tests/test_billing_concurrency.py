"""Two payments of one bill recorded at the same moment (real threads, own connections): the bill's
row lock lets one through; the other sees what is still due and is refused — never paid twice."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from houqin.finance import billing, services
from houqin.finance.models import BillStatus, FeeBill, FeePayment
from houqin.finance.tests.helpers import actor_of
from houqin.finance.tests.test_concurrency import _race
from houqin.health.models import Attendance
from houqin.org.models import Role

pytestmark = pytest.mark.django_db(transaction=True)
MONTH = dt.date(2026, 11, 1)


def test_a_bill_is_never_paid_twice(transactional_db):
    from houqin.testing import build_world

    world = build_world()
    accountant = actor_of(world, Role.ACCOUNTANT)
    services.fee_standard_create(actor=accountant, school_year=2026, term="autumn", item="伙食费", amount="13.50",
                                 unit="day")
    services.fee_standards_publish_term(actor=accountant, school_year=2026, term="autumn")
    child = world.k1.own_child
    Attendance.objects.create(kindergarten=child.kindergarten, child=child, school_class=child.school_class,
                              date=dt.date(2026, 11, 2))
    billing.bills_generate(actor=accountant, month=MONTH)
    billing.bills_issue(actor=accountant, month=MONTH)
    bill = FeeBill.objects.get(child=child)
    assert bill.total == Decimal("13.50")
    today = timezone.localdate()

    def pay():
        return billing.payment_record(actor=actor_of(world, Role.ACCOUNTANT), bill=bill, amount="13.50",
                                      paid_on=today, method="cash")

    outcomes = _race(pay, pay)
    assert sorted(o[0] for o in outcomes) == ["ok", "refused"], outcomes
    bill.refresh_from_db()
    assert bill.status == BillStatus.PAID and bill.paid_amount == Decimal("13.50")
    assert FeePayment.objects.filter(bill=bill).count() == 1

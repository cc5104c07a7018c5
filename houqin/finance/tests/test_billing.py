"""Monthly fee bills: computed from the fee standards and the register, one per child and month,
issued, paid (never above what is due), voided and reissued; the meal account's income from them."""

import datetime as dt
from decimal import Decimal

import pytest

from houqin.core import calendar
from houqin.core.errors import Conflict, DomainError, Forbidden
from houqin.core.rules import override_set
from houqin.finance import billing, services
from houqin.finance.models import BillStatus, FeeBill, FeePayment
from houqin.health.models import Attendance
from houqin.org.models import Role

pytestmark = pytest.mark.django_db
MONTH = dt.date(2026, 11, 1)
DAYS = calendar.school_days(MONTH, dt.date(2026, 11, 30))


def _standards(fin, k="k1"):
    accountant = fin.actor(Role.ACCOUNTANT, k)
    for item, amount, unit in (("保育教育费", "1200.00", "month"), ("伙食费", "13.50", "day")):
        services.fee_standard_create(actor=accountant, school_year=2026, term="autumn", item=item, amount=amount,
                                     unit=unit)
    services.fee_standards_publish_term(actor=accountant, school_year=2026, term="autumn")


def _register(world, child, absent: dict[int, str] | None = None):
    """The child present every school day of MONTH but the days (index → status) in `absent`."""
    absent = absent or {}
    Attendance.objects.bulk_create([
        Attendance(kindergarten=child.kindergarten, child=child, school_class=child.school_class, date=day,
                   status=absent.get(i, "present")) for i, day in enumerate(DAYS)])


@pytest.fixture
def billed(fin):
    _standards(fin)
    w = fin.world
    _register(w, w.k1.own_child, {3: "sick", 4: "sick", 10: "personal"})
    for child in w.k1.children[1:]:
        _register(w, child)
    return fin


def _bill(child, month=MONTH):
    return FeeBill.objects.active().get(child=child, month=month)


def test_the_rules_pure():
    days = [(DAYS[i], s) for i, s in enumerate(["present", "sick", "sick", "present", "personal", "present"])]
    assert billing.absence_runs(days) == [2, 1]
    assert billing.refunded_days(days, refundable=("sick", "personal"), after=1) == 3
    assert billing.refunded_days(days, refundable=("sick", "personal"), after=2) == 2
    assert billing.refunded_days(days, refundable=("sick",), after=1) == 2


def test_bills_from_fee_standards_and_register(billed):
    accountant = billed.actor(Role.ACCOUNTANT)
    counts = billing.bills_generate(actor=accountant, month=dt.date(2026, 11, 20))
    assert counts == {"created": len(billed.world.k1.children), "updated": 0, "kept": 0}
    bill = _bill(billed.world.k1.own_child)
    assert bill.status == BillStatus.DRAFT and bill.number.startswith("202611-")
    assert (bill.present_days, bill.absent_days, bill.meal_refunded_days) == (len(DAYS) - 3, 3, 3)
    assert bill.meal_days == len(DAYS) - 3
    assert bill.meal_amount == Decimal("13.50") * (len(DAYS) - 3)
    assert bill.meal_refund == Decimal("40.50")
    assert bill.care_amount == Decimal("1200.00") and bill.care_reduction == 0
    assert bill.total == bill.meal_amount + Decimal("1200.00")
    assert isinstance(bill.total, Decimal)
    # nothing in k2
    assert not FeeBill.objects.filter(kindergarten=billed.world.k2.kg).exists()


def test_the_kindergartens_rule_refunds_only_long_absences(billed):
    accountant = billed.actor(Role.ACCOUNTANT)
    override_set(actor=accountant, area="finance", key="meal_refund_days", value="2", source="本园规定")
    billing.bills_generate(actor=accountant, month=MONTH)
    bill = _bill(billed.world.k1.own_child)
    assert bill.meal_refunded_days == 2  # the two sick days in a row; the single personal day is billed
    assert bill.meal_amount == Decimal("13.50") * (len(DAYS) - 2)


def test_care_fee_reduced_after_a_long_absence_and_prorated_for_a_late_start(billed):
    w = billed.world
    long_absent = w.k1.children[1]
    Attendance.objects.filter(child=long_absent).update(status="sick")
    late = w.k1.children[3]
    late.enrolled_on = DAYS[len(DAYS) // 2]
    late.save()
    billing.bills_generate(actor=billed.actor(Role.ACCOUNTANT), month=MONTH)
    bill = _bill(long_absent)
    assert bill.care_reduction == Decimal("600.00") and bill.care_amount == Decimal("600.00")
    assert bill.meal_amount == 0 and bill.meal_refunded_days == len(DAYS)
    late_bill = _bill(late)
    enrolled = len(DAYS) - len(DAYS) // 2
    assert late_bill.school_days == enrolled
    assert late_bill.care_amount == (Decimal("1200") * enrolled / len(DAYS)).quantize(Decimal("0.01"))


def test_generating_again_replaces_drafts_and_keeps_issued_bills(billed):
    accountant = billed.actor(Role.ACCOUNTANT)
    w = billed.world
    billing.bills_generate(actor=accountant, month=MONTH)
    first = _bill(w.k1.own_child)
    Attendance.objects.filter(child=w.k1.own_child, date=DAYS[0]).update(status="sick")
    assert billing.bills_generate(actor=accountant, month=MONTH)["updated"] == len(w.k1.children)
    again = _bill(w.k1.own_child)
    assert again.pk == first.pk and again.meal_refunded_days == 4
    assert FeeBill.objects.filter(child=w.k1.own_child, month=MONTH).count() == 1
    assert billing.bills_issue(actor=accountant, month=MONTH) == len(w.k1.children)
    assert billing.bills_generate(actor=accountant, month=MONTH) == {"created": 0, "updated": 0,
                                                                    "kept": len(w.k1.children)}
    assert FeeBill.objects.filter(month=MONTH).count() == len(w.k1.children)
    with pytest.raises(Conflict):
        billing.bills_issue(actor=accountant, month=MONTH)


def test_void_with_a_reason_and_reissue(billed):
    accountant = billed.actor(Role.ACCOUNTANT)
    w = billed.world
    billing.bills_generate(actor=accountant, month=MONTH)
    billing.bills_issue(actor=accountant, month=MONTH)
    old = _bill(w.k1.own_child)
    with pytest.raises(DomainError):
        billing.bill_void(actor=accountant, bill=old, reason="  ")
    Attendance.objects.filter(child=w.k1.own_child, date=DAYS[0]).update(status="sick")
    new = billing.bill_void(actor=accountant, bill=old, reason="晨检登记漏记病假一天")
    old.refresh_from_db()
    assert old.is_voided and old.void_reason == "晨检登记漏记病假一天"
    assert new.status == BillStatus.ISSUED and new.replaces == old and new.meal_refunded_days == 4
    assert new.number != old.number
    assert FeeBill.objects.active().filter(child=w.k1.own_child, month=MONTH).count() == 1


def test_payments_up_to_the_amount_due(billed):
    accountant = billed.actor(Role.ACCOUNTANT)
    w = billed.world
    billing.bills_generate(actor=accountant, month=MONTH)
    bill = _bill(w.k1.own_child)
    with pytest.raises(Conflict):  # a draft is not paid
        billing.payment_record(actor=accountant, bill=bill, amount="100", paid_on=billed.today,
                               method="cash")
    billing.bills_issue(actor=accountant, month=MONTH)
    for bad in ("-5", "0", "abc", str(bill.total + Decimal("0.01"))):
        with pytest.raises(DomainError) as exc:
            billing.payment_record(actor=accountant, bill=bill, amount=bad, paid_on=billed.today,
                                   method="cash")
        assert exc.value.errors[0]["field"] == "amount"
    with pytest.raises(DomainError):
        billing.payment_record(actor=accountant, bill=bill, amount="10", paid_on=billed.today, method="card")
    assert not FeePayment.objects.exists()
    with pytest.raises(Forbidden):
        billing.payment_record(actor=billed.actor(Role.PRINCIPAL), bill=bill, amount="10",
                               paid_on=billed.today, method="cash")
    part = billing.payment_record(actor=accountant, bill=bill, amount="1000", paid_on=billed.today,
                                  method="transfer", reference="工行 1234")
    bill.refresh_from_db()
    assert bill.status == BillStatus.ISSUED and bill.due == bill.total - Decimal("1000.00")
    billing.payment_record(actor=accountant, bill=bill, amount=str(bill.due), paid_on=billed.today,
                           method="scan")
    bill.refresh_from_db()
    assert bill.status == BillStatus.PAID and bill.due == 0
    with pytest.raises(Conflict):
        billing.payment_record(actor=accountant, bill=bill, amount="1", paid_on=billed.today, method="cash")
    with pytest.raises(Conflict):  # paid: the payments go first
        billing.bill_void(actor=accountant, bill=bill, reason="错")
    billing.payment_void(actor=accountant, payment=part, reason="重复登记")
    bill.refresh_from_db()
    assert bill.status == BillStatus.ISSUED and bill.paid_amount == bill.total - Decimal("1000.00")


def test_a_child_who_left_before_the_month_is_not_billed(billed):
    w = billed.world
    child = w.k1.children[1]
    child.left_on = dt.date(2026, 10, 31)
    child.save()
    with pytest.raises(DomainError) as exc:
        billing.bills_generate(actor=billed.actor(Role.ACCOUNTANT), month=MONTH, child=child)
    assert "2026-10-31" in exc.value.errors[0]["message"]
    billing.bills_generate(actor=billed.actor(Role.ACCOUNTANT), month=MONTH)
    assert not FeeBill.objects.filter(child=child).exists()


def test_no_fee_standards_or_a_future_month(fin):
    with pytest.raises(DomainError):
        billing.bills_generate(actor=fin.actor(Role.ACCOUNTANT), month=MONTH)
    with pytest.raises(DomainError):
        billing.bills_generate(actor=fin.actor(Role.ACCOUNTANT), month=fin.today + dt.timedelta(days=40))
    with pytest.raises(Forbidden):
        billing.bills_generate(actor=fin.actor(Role.DIRECTOR), month=MONTH)
    assert not FeeBill.objects.exists()


def test_parents_see_their_childrens_issued_bills_only(billed):
    accountant = billed.actor(Role.ACCOUNTANT)
    w = billed.world
    parent = billed.actor(Role.PARENT)
    billing.bills_generate(actor=accountant, month=MONTH)
    assert list(billing.bill_list(actor=parent)) == []
    billing.bills_issue(actor=accountant, month=MONTH)
    assert {b.child for b in billing.bill_list(actor=parent)} == {w.k1.own_child, w.sibling}


def test_the_meal_account_income_is_the_meal_fees_of_the_bills(billed):
    from houqin.canteen.services import compute_account

    accountant = billed.actor(Role.ACCOUNTANT)
    override_set(actor=accountant, area="finance", key="meal_refund_days", value="2", source="本园规定")
    billing.bills_generate(actor=accountant, month=MONTH)
    before = compute_account(kindergarten=billed.world.k1.kg, month=MONTH)
    billing.bills_issue(actor=accountant, month=MONTH)
    after = compute_account(kindergarten=billed.world.k1.kg, month=MONTH)
    bills = FeeBill.objects.filter(kindergarten=billed.world.k1.kg, month=MONTH)
    meal_fees = sum(b.meal_amount for b in bills)
    assert after["income"] == meal_fees
    assert before["income"] != meal_fees  # the canteen's own computation refunds each absent day
    assert after["refunded_days"] == sum(b.meal_refunded_days for b in bills)

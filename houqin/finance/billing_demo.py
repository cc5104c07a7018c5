"""Demo fee bills: every complete month of the records billed by the service from the fee standards
and the register, issued on the first school day of the next month, and paid within about ten days —
except a few of last month's (the demo parent's child among them, so that the parents' corner shows
a bill still to pay and how to pay it; one of them half paid).

Called by the canteen demo before it computes the meal accounts (their income is the meal fees of
these bills), so it runs after health's register is built. Deterministic: ctx.rng only.
"""

from __future__ import annotations

import datetime as dt

from simple_history.utils import bulk_create_with_history

from houqin import policy
from houqin.core import calendar
from houqin.core.bulk import update_alike_with_history
from houqin.finance import billing
from houqin.finance.models import BillStatus, FeeBill, FeePayment, FeePaymentMethod, money

UNPAID_LAST_MONTH = 6  # bills of last month still unpaid, the demo parent's child's included
METHODS = [FeePaymentMethod.TRANSFER] * 5 + [FeePaymentMethod.SCAN] * 4 + [FeePaymentMethod.CASH]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _first_school_day(month: dt.date, today: dt.date) -> dt.date:
    start = (month + dt.timedelta(days=32)).replace(day=1)
    days = calendar.school_days(start, start + dt.timedelta(days=20))
    return min(days[0] if days else start, today)


def build_bills(ctx, kg, accountant_user, parent_user=None) -> dict[str, int]:
    """Bills of every complete month of the records, issued and mostly paid. {bills, payments}."""
    accountant = policy.actor_for_kindergarten(accountant_user, kg)
    dates = ctx.dates
    rng = ctx.rng
    own_children = set()
    if parent_user is not None:
        from houqin.org.models import Guardian

        own_children = set(Guardian.objects.filter(user=parent_user, child__kindergarten=kg)
                           .values_list("child_id", flat=True))
    made = {"bills": 0, "payments": 0}
    for month in dates.months:
        billing.bills_generate(actor=accountant, month=month)
        billing.bills_issue(actor=accountant, month=month)
        issued_on = _first_school_day(month, dates.today)
        bills = list(FeeBill.objects.active().filter(kindergarten=kg, month=month).order_by("number"))
        FeeBill.objects.filter(pk__in=[b.pk for b in bills]).update(issued_at=_at(issued_on, 9),
                                                                     created_at=_at(issued_on, 8, 30))
        unpaid: set[int] = set()
        half_paid: int | None = None
        if month == dates.last_month:
            others = [b.pk for b in bills if b.child_id not in own_children]
            unpaid = {b.pk for b in bills if b.child_id in own_children}
            unpaid |= set(rng.sample(others, min(UNPAID_LAST_MONTH - len(unpaid), len(others))))
            half_paid = sorted(unpaid - {b.pk for b in bills if b.child_id in own_children})[0] if unpaid else None
        payments, paid_bills = [], []
        last_day = max(issued_on, dates.today - dt.timedelta(days=1))
        for bill in bills:
            if bill.total == 0 or (bill.pk in unpaid and bill.pk != half_paid):
                continue
            amount = money(bill.total / 2) if bill.pk == half_paid else bill.total
            paid_on = min(issued_on + dt.timedelta(days=rng.randint(0, 9)), last_day)
            method = rng.choice(METHODS)
            reference = f"转账尾号{rng.randint(1000, 9999)}" if method == FeePaymentMethod.TRANSFER else ""
            payments.append(FeePayment(kindergarten=kg, bill=bill, amount=amount, paid_on=paid_on, method=method,
                                       reference=reference, created_by=accountant_user,
                                       created_at=_at(paid_on, 16, rng.randint(0, 59))))
            bill.paid_amount = amount
            if amount == bill.total:
                bill.status = BillStatus.PAID
            paid_bills.append(bill)
        payments.sort(key=lambda p: (p.paid_on, p.created_at))
        counters: dict[str, int] = {}
        for p in payments:
            prefix = f"S{p.paid_on:%Y%m}-"
            if prefix not in counters:
                counters[prefix] = int(billing._next_numbers(kg, FeePayment, prefix, 1)[0].rsplit("-", 1)[1]) - 1
            counters[prefix] += 1
            p.number = f"{prefix}{counters[prefix]:04d}"
        bulk_create_with_history(payments, FeePayment, batch_size=500, default_user=accountant_user,
                                 default_change_reason="recorded")
        update_alike_with_history(paid_bills, FeeBill, ["paid_amount", "status"], batch_size=500,
                                  default_user=accountant_user, default_change_reason="payment")
        made["bills"] += len(bills)
        made["payments"] += len(payments)
    return made


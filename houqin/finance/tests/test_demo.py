"""The demo term of purchasing, repairs and money: every state, receipts, signatures, published fees."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest

from houqin.finance import demo as finance_demo
from houqin.finance import selectors
from houqin.finance.models import (
    Budget,
    Expense,
    ExpenseStatus,
    FeeStandard,
    PurchaseRequest,
    RepairRequest,
    RequestStatus,
    Signature,
)
from houqin.org.models import Kindergarten
from houqin.testing import demo_snapshot

pytestmark = pytest.mark.django_db
TERM = (dt.date(2026, 9, 1), dt.date(2026, 11, 24))  # the records of the demo built on the suite's day (2026-11-25)


@pytest.fixture
def built(db, demo_built):
    return demo_built


def test_the_demo_has_a_term_of_requests_and_expenses(built):
    counts = built["counts"]
    assert counts["expenses"] == Expense.objects.count() >= 38
    assert counts["purchase requests"] == PurchaseRequest.objects.count()
    kg = Kindergarten.objects.get(slug="demo")
    for model, extra in ((PurchaseRequest, {RequestStatus.ORDERED}), (RepairRequest, {RequestStatus.IN_REPAIR})):
        statuses = set(model.objects.filter(kindergarten=kg).values_list("status", flat=True))
        assert statuses == {RequestStatus.DRAFT, RequestStatus.SUBMITTED, RequestStatus.DIRECTOR_APPROVED,
                            RequestStatus.APPROVED, RequestStatus.DONE, RequestStatus.REJECTED,
                            RequestStatus.CANCELLED} | extra, model
    expense_statuses = set(Expense.objects.filter(kindergarten=kg).values_list("status", flat=True))
    assert expense_statuses == set(ExpenseStatus.values)
    assert Budget.objects.filter(kindergarten=kg, year=2026).count() == 8


def test_the_demo_keeps_the_rules(built):
    for expense in Expense.objects.prefetch_related("signatures", "receipts"):
        assert TERM[0] <= expense.spent_on <= TERM[1]
        assert expense.receipts.exists(), expense.number
        steps = [s.step for s in expense.signatures.all()]
        users = [s.user_id for s in expense.signatures.all()]
        assert len(set(users)) == len(users), expense.number  # one person, one step
        assert steps == ["handler", "acceptor", "principal"][: len(steps)]
        if expense.status in (ExpenseStatus.PAID, ExpenseStatus.PRINCIPAL_SIGNED):
            assert len(steps) == 3
        if expense.status == ExpenseStatus.PAID:
            assert expense.spent_on <= expense.paid_on <= TERM[1]
        if steps:
            assert users[0] == expense.handler_id
        for signature in expense.signatures.all():
            assert signature.signed_at.date() <= TERM[1]
    for model in (PurchaseRequest, RepairRequest):
        for request in model.objects.exclude(status__in=[RequestStatus.DRAFT, RequestStatus.SUBMITTED,
                                                         RequestStatus.REJECTED, RequestStatus.CANCELLED]):
            if request.needs_principal and request.status != RequestStatus.DIRECTOR_APPROVED:
                assert request.principal_approved_by_id, request.number
            if not request.requester_is_director:
                assert request.director_approved_by_id, request.number
            assert request.created_by_id not in (request.director_approved_by_id, request.principal_approved_by_id)
            if request.needs_principal and not request.requester_is_director and request.status != "director_approved":
                assert request.estimated_total >= Decimal("2000")


def test_the_demo_fees_are_published_and_labelled(built):
    kg = Kindergarten.objects.get(slug="demo")
    published = FeeStandard.objects.filter(kindergarten=kg, published_at__isnull=False)
    assert {f.item for f in published} >= {"保育教育费", "伙食费"}
    assert all("演示" in f.notes for f in published)
    assert published.get(item="保育教育费").amount == Decimal("1200.00")
    assert FeeStandard.objects.filter(kindergarten=kg, published_at__isnull=True).count() == 1


def test_the_demo_report_balances(built):
    from houqin import policy
    from houqin.org.models import Role

    kg = Kindergarten.objects.get(slug="demo")
    principal = kg.memberships.get(role=Role.PRINCIPAL).user
    actor = policy.actor_for_kindergarten(principal, kg)
    table = selectors.budget_table(actor=actor, year=2026, month=10, capability="finance.report.view",
                                   with_expenses=True)
    paid = Expense.objects.filter(kindergarten=kg, status="paid", paid_on__year=2026, paid_on__month=10)
    assert table.total_spent_month == sum(e.amount for e in paid) > 0
    assert [e.number for e in table.expenses] == sorted((e.number for e in paid),
                                                        key=lambda n: (paid.get(number=n).paid_on, n))


def _no_clock():
    """The finance step may only turn fixed dates into aware datetimes: no now(), no localdate()
    (entered around the first of the shared demo's two builds)."""
    from django.utils import timezone

    return mock.patch.object(finance_demo, "timezone", SimpleNamespace(make_aware=timezone.make_aware))


@demo_snapshot("finance", during=_no_clock)
def _snapshot():
    return (
        sorted(PurchaseRequest.objects.values_list("number", "title", "status", "total", "budget_year")),
        sorted(RepairRequest.objects.values_list("number", "status", "estimated_cost", "actual_cost", "repaired_on")),
        sorted(Expense.objects.values_list("number", "status", "amount", "spent_on", "paid_on", "payee")),
        sorted((s.expense.number, s.step, s.user.username, s.signed_at) for s in
               Signature.objects.select_related("expense", "user")),
        sorted(r.sha256 for e in Expense.objects.all() for r in e.receipts.all()),
    )


def test_the_demo_is_deterministic_and_never_reads_the_clock(built):
    first, second = built["snapshots"]["finance"]
    assert first == second
    assert len(first[2]) >= 38


def test_the_demo_has_a_meter_reading_trend(built):
    """Two years of monthly readings: last month's electricity use is under the same month last year
    (the saving measures), and the water meter's change left the use right."""
    from houqin.finance import utilities
    from houqin.finance.models import Meter, MeterReading

    kg = Kindergarten.objects.get(slug="demo")
    electricity = Meter.objects.get(kindergarten=kg, kind="electricity")
    rows = utilities.meter_trend(electricity)
    assert len(rows) == 12 and rows[0].change is not None and rows[0].change < 0
    changed = MeterReading.objects.get(kindergarten=kg, meter__kind="water", meter_changed=True)
    before = MeterReading.objects.get(meter=changed.meter, month=utilities.add_months(changed.month, -1))
    assert changed.reading < before.reading
    assert changed.usage == changed.old_meter_final - before.reading + changed.reading > 0


def test_the_demo_has_an_event_with_its_needs_and_purchase_request(built):
    """The New Year family party ahead, its needs listed and its purchase request waiting for approval;
    the autumn sports meet held."""
    from houqin.finance import events
    from houqin.finance.models import Event

    kg = Kindergarten.objects.get(slug="demo")
    party = Event.objects.get(kindergarten=kg, kind="new_year")
    sports = Event.objects.get(kindergarten=kg, kind="sports")
    assert sports.date < party.date and (party.date - sports.date).days == 63
    assert party.needs.count() == 5 and party.purchase_request is not None
    assert party.purchase_request.total == events.cost(party.needs.all()) <= party.budget
    assert party.purchase_request.status == "submitted"
    assert sports.purchase_request is None and sports.needs.count() == 3

"""Two people acting at the same moment: exactly one transition wins (SELECT … FOR UPDATE on the row,
IMMEDIATE transactions on SQLite), the other is refused, and the ledger holds one signature, one
history row and one audit row for it. Real threads with their own database connections."""

import random
import threading
import time
from decimal import Decimal

import pytest
from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone

from houqin.core.errors import Conflict, DomainError, is_lock_error
from houqin.core.models import AuditEvent
from houqin.finance import services
from houqin.finance.models import BudgetCategory, Expense, ExpenseStatus, PurchaseRequest, RequestStatus, Signature
from houqin.finance.tests.helpers import actor_of, png_upload
from houqin.org.models import Membership, Role

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 3


@pytest.fixture
def tworld(transactional_db):
    from houqin.testing import UserFactory, build_world

    world = build_world()
    services.categories_create_defaults(actor=actor_of(world, Role.ACCOUNTANT))
    # a second principal (园长 and 副园长 both hold the principal's role)
    second = UserFactory(username="principal_b", full_name="副园长")
    Membership.objects.create(user=second, kindergarten=world.k1.kg, role=Role.PRINCIPAL)
    world.principal_b = second
    return world


def _race(*calls):
    """Run the calls at the same moment, each in its own thread and connection; return the outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def attempt(call):
        # SQLite's shared test database answers a lock at once ("database table is locked", no busy wait):
        # like a person pressing again after the busy message, a locked attempt is tried again a little later,
        # so that the race is decided by the rows (one transition wins), not by which lock came first
        for tries in range(40):
            try:
                return call()
            except OperationalError as exc:
                if not is_lock_error(exc) or tries == 39:
                    raise
                time.sleep(random.uniform(0.005, 0.03))

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("ok", attempt(call))
        except (DomainError, OperationalError) as exc:  # a refusal, or a lock that never let go
            outcomes[index] = ("refused", exc)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            outcomes[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    close_old_connections()
    return outcomes


def _expense_awaiting_the_principal(world):
    category = BudgetCategory.objects.get(kindergarten=world.k1.kg, name="办公用品")
    director = actor_of(world, Role.DIRECTOR)
    expense = services.expense_create(actor=director, title="空调清洗", amount=Decimal("880.00"), category=category,
                                      spent_on=timezone.localdate(), payee="格力维修站", receipts=[png_upload()])
    services.expense_sign(actor=director, expense=expense)
    services.expense_sign(actor=actor_of(world, Role.STOREKEEPER), expense=expense)
    return expense


def test_two_principals_signing_at_the_same_moment_make_one_transition(tworld):
    from houqin import policy

    for _ in range(ROUNDS):
        expense = _expense_awaiting_the_principal(tworld)
        history_before = expense.history.count()
        principals = [actor_of(tworld, Role.PRINCIPAL), policy.actor_for_kindergarten(tworld.principal_b, tworld.k1.kg)]
        outcomes = _race(*[
            (lambda a=a: services.expense_sign(actor=a, expense=Expense.objects.get(pk=expense.pk), step="principal"))
            for a in principals
        ])
        kinds = sorted(kind for kind, _ in outcomes)
        assert kinds == ["ok", "refused"], outcomes
        refused = next(exc for kind, exc in outcomes if kind == "refused")
        if connection.vendor == "postgresql":  # the loser waited for the lock, then saw the step signed
            assert isinstance(refused, Conflict), refused
        else:  # SQLite's in-memory test database refuses the second writer at once ("table is locked")
            assert isinstance(refused, (Conflict, OperationalError)), refused
        expense.refresh_from_db()
        assert expense.status == ExpenseStatus.PRINCIPAL_SIGNED
        assert Signature.objects.filter(expense=expense, step="principal").count() == 1
        assert expense.history.count() == history_before + 1
        assert AuditEvent.objects.filter(action="finance.expense.sign", object_code=str(expense.code),
                                         detail__step="principal").count() == 1


def test_two_payments_at_the_same_moment_pay_once(tworld):
    from houqin.testing import UserFactory

    second = UserFactory(username="accountant_b")
    Membership.objects.create(user=second, kindergarten=tworld.k1.kg, role=Role.ACCOUNTANT)
    from houqin import policy

    expense = _expense_awaiting_the_principal(tworld)
    services.expense_sign(actor=actor_of(tworld, Role.PRINCIPAL), expense=expense)
    payers = [actor_of(tworld, Role.ACCOUNTANT), policy.actor_for_kindergarten(second, tworld.k1.kg)]
    today = timezone.localdate()
    outcomes = _race(*[
        (lambda a=a: services.expense_pay(actor=a, expense=Expense.objects.get(pk=expense.pk), paid_on=today,
                                          method="transfer"))
        for a in payers
    ])
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert AuditEvent.objects.filter(action="finance.expense.pay", object_code=str(expense.code)).count() == 1


def test_two_principals_approving_a_request_at_once_make_one_transition(tworld):
    from houqin import policy

    category = BudgetCategory.objects.get(kindergarten=tworld.k1.kg, name="设备购置")
    for _ in range(ROUNDS):
        purchase = services.purchase_request_create(
            actor=actor_of(tworld, Role.STOREKEEPER), title="监控硬盘", reason="扩容", category=category, submit=True,
            lines=[{"description": "硬盘", "quantity": "4", "unit": "块", "unit_price": "780.00"}])
        services.request_approve(actor=actor_of(tworld, Role.DIRECTOR), request=purchase)
        principals = [actor_of(tworld, Role.PRINCIPAL), policy.actor_for_kindergarten(tworld.principal_b, tworld.k1.kg)]
        outcomes = _race(*[
            (lambda a=a: services.request_approve(actor=a, request=PurchaseRequest.objects.get(pk=purchase.pk)))
            for a in principals
        ])
        assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
        purchase.refresh_from_db()
        assert purchase.status == RequestStatus.APPROVED
        assert AuditEvent.objects.filter(action="finance.purchase.approve", object_code=str(purchase.code),
                                         detail__to="approved").count() == 1


def test_numbers_stay_unique_when_two_requests_are_made_at_once(tworld):
    category = BudgetCategory.objects.get(kindergarten=tworld.k1.kg, name="办公用品")
    makers = [actor_of(tworld, Role.STOREKEEPER), actor_of(tworld, Role.CANTEEN)]
    outcomes = _race(*[
        (lambda a=a: services.purchase_request_create(
            actor=a, title="纸", reason="用", category=category,
            lines=[{"description": "纸", "quantity": "1", "unit": "箱", "unit_price": "100"}]))
        for a in makers
    ])
    made = [value for kind, value in outcomes if kind == "ok"]
    assert made, outcomes
    numbers = list(PurchaseRequest.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == len(made)


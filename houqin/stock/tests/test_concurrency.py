"""Simultaneous issues of the last units: separate threads, separate database connections, real
transactions (SQLite serialises writers with IMMEDIATE transactions; PostgreSQL locks the batch rows).
Exactly as many issues succeed as there are units; every other one gets a clear Conflict, and the
ledger still adds up."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from houqin.core.errors import DomainError
from houqin.org.models import Role
from houqin.stock import services
from houqin.stock.models import Batch, Movement, MovementKind, RequisitionStatus
from houqin.stock.tests.conftest import actor_of, make_store, receive_tissues

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(transactional_db):
    from houqin.testing import build_world

    return build_world()


def race(n: int, action) -> list:
    """Run `action(i)` in n threads released at the same moment; each result is "ok" or the exception."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i):
        try:
            barrier.wait(timeout=10)
            action(i)
            results[i] = "ok"
        except Exception as exc:  # noqa: BLE001 (the test inspects what each thread got)
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


def _check_refusals(results, expected_ok: int):
    assert results.count("ok") == expected_ok, results
    refused = [r for r in results if r != "ok"]
    assert all(isinstance(r, DomainError) for r in refused), refused
    assert all(r.status_code == 409 and str(r.message) for r in refused), [(type(r), r.message) for r in refused]


def _ledger_adds_up(batch):
    batch.refresh_from_db()
    quantities = batch.movements.values_list("quantity", flat=True)
    assert sum(quantities, Decimal(0)) == batch.quantity >= 0


def test_two_simultaneous_issues_of_the_last_unit_cannot_both_succeed(world):
    store = make_store(world)
    keeper = actor_of(world, Role.STOREKEEPER)
    director = actor_of(world, Role.DIRECTOR)
    batch = receive_tissues(keeper, store, quantity="1").batch
    actors = [keeper, director]

    results = race(2, lambda i: services.issue(actor=actors[i], item=store.tissues, warehouse=store.general,
                                               quantity="1"))
    _check_refusals(results, 1)
    assert Movement.objects.filter(kind=MovementKind.ISSUE_REQUISITION).count() == 1
    _ledger_adds_up(batch)
    assert batch.quantity == 0


def test_ten_workers_five_units(world):
    store = make_store(world)
    keeper = actor_of(world, Role.STOREKEEPER)
    batch = receive_tissues(keeper, store, quantity="5").batch
    results = race(10, lambda i: services.issue(actor=keeper, item=store.tissues, warehouse=store.general,
                                                quantity="1"))
    _check_refusals(results, 5)
    _ledger_adds_up(batch)
    assert batch.quantity == 0
    assert Movement.objects.filter(kind=MovementKind.ISSUE_REQUISITION).count() == 5


def test_two_storekeepers_issuing_the_same_requisition_at_once(world):
    store = make_store(world)
    keeper = actor_of(world, Role.STOREKEEPER)
    director = actor_of(world, Role.DIRECTOR)
    receive_tissues(keeper, store, quantity="10")
    requisition = services.requisition_create(actor=actor_of(world, Role.CLASS_TEACHER),
                                              lines=[{"item": store.tissues, "quantity": "4"}],
                                              school_class=world.k1.own_class)
    actors = [keeper, director]
    results = race(2, lambda i: services.requisition_issue(actor=actors[i], requisition=requisition,
                                                           warehouse=store.general))
    _check_refusals(results, 1)
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.ISSUED
    assert requisition.lines.get().quantity_issued == Decimal("4")
    assert Batch.objects.get(item=store.tissues).quantity == Decimal("6")

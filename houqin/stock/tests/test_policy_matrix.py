"""The storeroom's role × route × scope matrix (every page and API GET endpoint, on objects of k1,
of another class, of k2, and missing), POST actions under the same policy, and the declared grants
against DOMAIN.md / RELIABILITY.md Appendix A."""

import pytest
from django.test import Client

from houqin import policy
from houqin.org.models import Role
from houqin.stock import services
from houqin.stock.models import Movement, MovementKind, Requisition, RequisitionStatus
from houqin.stock.tests.conftest import actor_of, make_store, receive_tissues
from houqin.testing import MISSING, expected_status, run_matrix

pytestmark = pytest.mark.django_db

ROUTES = [
    ("/k/{kg}/stock/", "stock.view", None),
    ("/k/{kg}/stock/items/", "stock.view", None),
    ("/k/{kg}/stock/items/new/", "stock.item.change", None),
    ("/k/{kg}/stock/items/{code}/", "stock.view", "item"),
    ("/k/{kg}/stock/items/{code}/edit/", "stock.item.change", "item"),
    ("/k/{kg}/stock/batches/{code}/dispose/", "stock.dispose", "batch"),
    ("/k/{kg}/stock/movements/{code}/correct/", "stock.receive", "receipt"),
    ("/k/{kg}/stock/receive/", "stock.receive", None),
    ("/k/{kg}/stock/issue/", "stock.issue", None),
    ("/k/{kg}/stock/kitchen/", "stock.issue_kitchen", None),
    ("/k/{kg}/stock/transfer/", "stock.issue", None),
    ("/k/{kg}/stock/alerts/", "stock.view", None),
    ("/k/{kg}/stock/suppliers/", "stock.view", None),
    ("/k/{kg}/stock/suppliers/new/", "stock.item.change", None),
    ("/k/{kg}/stock/suppliers/{code}/edit/", "stock.item.change", "supplier"),
    ("/k/{kg}/stock/settings/", "stock.settings", None),
    ("/k/{kg}/stock/requisitions/", "stock.requisition.view", None),
    ("/k/{kg}/stock/requisitions/mine/", "stock.requisition.create", None),
    ("/k/{kg}/stock/requisitions/new/", "stock.requisition.create", None),
    ("/k/{kg}/stock/requisitions/{code}/", "stock.requisition.view", "requisition"),
    ("/k/{kg}/stock/requisitions/{code}/issue/", "stock.requisition.issue", "requisition"),
    ("/k/{kg}/stock/consumption/", "stock.requisition.view", None),
    ("/k/{kg}/stock/stocktakes/", "stock.stocktake.view", None),
    ("/k/{kg}/stock/stocktakes/{code}/", "stock.stocktake.view", "stocktake"),
    ("/k/{kg}/stock/report/", "stock.export", None),
    ("/k/{kg}/stock/report/movements.xlsx", "stock.export", None),
    ("/k/{kg}/stock/report/on-hand.xlsx", "stock.export", None),
    ("/api/k/{kg}/stock/warehouses", "stock.view", None),
    ("/api/k/{kg}/stock/suppliers", "stock.view", None),
    ("/api/k/{kg}/stock/items", "stock.view", None),
    ("/api/k/{kg}/stock/items/{code}", "stock.view", "item"),
    ("/api/k/{kg}/stock/on-hand", "stock.view", None),
    ("/api/k/{kg}/stock/batches", "stock.view", None),
    ("/api/k/{kg}/stock/batches/{code}", "stock.view", "batch"),
    ("/api/k/{kg}/stock/movements", "stock.view", None),
    ("/api/k/{kg}/stock/alerts", "stock.view", None),
    ("/api/k/{kg}/stock/requisitions", "stock.requisition.view", None),
    ("/api/k/{kg}/stock/requisitions/mine", "stock.requisition.create", None),
    ("/api/k/{kg}/stock/requisitions/{code}", "stock.requisition.view", "requisition"),
    ("/api/k/{kg}/stock/stocktakes", "stock.stocktake.view", None),
    ("/api/k/{kg}/stock/stocktakes/{code}", "stock.stocktake.view", "stocktake"),
]


def _objects(world):
    stores = {"k1": make_store(world), "k2": make_store(world, "k2")}
    made = {}
    for k, store in stores.items():
        keeper = actor_of(world, Role.STOREKEEPER, k)
        receipt = receive_tissues(keeper, store, quantity="40")
        teacher = actor_of(world, Role.CLASS_TEACHER, k)
        own = services.requisition_create(actor=teacher, lines=[{"item": store.tissues, "quantity": "1"}],
                                          school_class=getattr(world, k).own_class)
        stocktake = services.stocktake_open(actor=keeper, warehouse=store.food)
        made[k] = {"store": store, "receipt": receipt, "own": own, "stocktake": stocktake}
    director = actor_of(world, Role.DIRECTOR)
    other_class = services.requisition_create(actor=director, lines=[{"item": stores["k1"].tissues, "quantity": "2"}],
                                              school_class=world.k1.other_class)
    k1, k2 = made["k1"], made["k2"]
    return {
        "item": {"k1": k1["store"].tissues, "other_kg": k2["store"].tissues, "missing": MISSING},
        "supplier": {"k1": k1["store"].supplier, "other_kg": k2["store"].supplier, "missing": MISSING},
        "batch": {"k1": k1["receipt"].batch, "other_kg": k2["receipt"].batch, "missing": MISSING},
        "receipt": {"k1": k1["receipt"], "other_kg": k2["receipt"], "missing": MISSING},
        "requisition": {"own_class": k1["own"], "other_class": other_class, "other_kg": k2["own"],
                        "missing": MISSING},
        "stocktake": {"k1": k1["stocktake"], "other_kg": k2["stocktake"], "missing": MISSING},
    }


def test_matrix_every_role_every_route_every_scope(world):
    mismatches, checked = run_matrix(world, ROUTES, _objects(world))
    assert mismatches == []
    assert checked > 700


def test_the_grants_follow_appendix_a():
    """Stock, requisitions, stocktakes: principal R/A, director R/W/A, health teacher R, canteen R/W
    (kitchen), storekeeper R/W, accountant R, class teacher and nursery staff requisition C, guard,
    parent and supervisor nothing but (all staff) their own requisitions."""
    grants = {name: cap.grants for name, cap in policy.CAPABILITIES.items() if name.startswith("stock.")}
    writers = {Role.DIRECTOR, Role.STOREKEEPER}
    for name in ("stock.receive", "stock.issue", "stock.dispose", "stock.stocktake", "stock.item.change",
                 "stock.requisition.issue"):
        assert set(grants[name]) == writers, name
    assert set(grants["stock.issue_kitchen"]) == writers | {Role.CANTEEN}
    assert set(grants["stock.view"]) == writers | {Role.PRINCIPAL, Role.HEALTH_TEACHER, Role.CANTEEN, Role.ACCOUNTANT}
    assert grants["stock.requisition.create"][Role.CLASS_TEACHER] == policy.Scope.CLASS
    assert grants["stock.requisition.create"][Role.NURSERY] == policy.Scope.CLASS
    assert grants["stock.requisition.view"][Role.CLASS_TEACHER] == policy.Scope.CLASS
    for name, by_role in grants.items():
        assert Role.PARENT not in by_role and Role.SUPERVISOR not in by_role, name
        if name != "stock.requisition.create":
            assert Role.GUARD not in by_role, name


@pytest.mark.parametrize("variant", ["own_class", "other_class", "other_kg"])
def test_withdrawing_a_requisition_follows_the_policy(world, variant):
    objects = _objects(world)
    target = objects["requisition"][variant]
    for role, user in world.k1.users.items():
        client = Client()
        client.force_login(user)
        response = client.post(f"/k/k1/stock/requisitions/{target.code}/cancel/", {"reason": "x"})
        target.refresh_from_db()
        own = variant == "own_class" and role == Role.CLASS_TEACHER
        may_issue = role in (Role.DIRECTOR, Role.STOREKEEPER) and variant != "other_kg"
        if role == Role.PARENT:
            assert response.status_code == 403, role
        elif own or may_issue:
            assert response.status_code == 302, role
            assert target.status == RequisitionStatus.CANCELLED
            Requisition.objects.filter(pk=target.pk).update(status=RequisitionStatus.REQUESTED)
        else:
            assert response.status_code == 404, (role, variant)
            assert target.status == RequisitionStatus.REQUESTED


@pytest.mark.parametrize("variant", ["k1", "other_kg"])
def test_stocktake_counts_follow_the_policy(world, variant):
    objects = _objects(world)
    stocktake = objects["stocktake"][variant]
    store_batch = objects["batch"][variant]
    keeper = actor_of(world, Role.STOREKEEPER, "k1" if variant == "k1" else "k2")
    # the food store has nothing: count a line of a general-store stocktake instead
    services.stocktake_close(actor=keeper, stocktake=stocktake, reason="x")
    stocktake = services.stocktake_open(actor=keeper, warehouse=store_batch.warehouse)
    line = stocktake.lines.get()
    for role, user in world.k1.users.items():
        client = Client()
        client.force_login(user)
        response = client.post(f"/k/k1/stock/stocktakes/{stocktake.code}/lines/{line.code}/",
                               {"counted_quantity": "3"})
        expected = expected_status(world, role, "stock.stocktake", stocktake, is_api=False)
        line.refresh_from_db()
        if expected == 200:
            assert response.status_code == 302, role
            assert line.counted_quantity == 3
            type(line).objects.filter(pk=line.pk).update(counted_quantity=None)
        else:
            assert response.status_code == expected, role
            assert line.counted_quantity is None


def test_state_changes_refuse_get(world):
    objects = _objects(world)
    client = Client()
    client.force_login(world.k1.users[Role.STOREKEEPER])
    code = objects["requisition"]["own_class"].code
    for url in (f"/k/k1/stock/requisitions/{code}/cancel/", f"/k/k1/stock/requisitions/{code}/reject/",
                f"/k/k1/stock/stocktakes/{objects['stocktake']['k1'].code}/post/", "/k/k1/stock/stocktakes/new/",
                "/k/k1/stock/settings/warehouses/new/"):
        assert client.get(url).status_code == 405, url
    assert Movement.objects.filter(kind=MovementKind.ISSUE_REQUISITION).count() == 0

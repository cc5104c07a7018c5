"""The storeroom's list pages and list endpoints run a fixed number of queries, whatever the number of
items, batches, movements, requisitions and stocktakes."""

import pytest

from houqin.org.models import Role
from houqin.stock import services
from houqin.stock.models import Category, Item, MovementKind
from houqin.stock.tests.conftest import actor_of, make_store, receive_rice, receive_tissues
from houqin.testing import count_queries, query_count_mismatches

pytestmark = pytest.mark.django_db

LIST_URLS = [
    "/k/k1/",
    "/k/k1/stock/",
    "/k/k1/stock/?q=cz",
    "/k/k1/stock/items/",
    "/k/k1/stock/alerts/",
    "/k/k1/stock/kitchen/",
    "/k/k1/stock/receive/",
    "/k/k1/stock/suppliers/",
    "/k/k1/stock/requisitions/",
    "/k/k1/stock/requisitions/?all=1",
    "/k/k1/stock/requisitions/mine/",
    "/k/k1/stock/consumption/",
    "/k/k1/stock/stocktakes/",
    "/k/k1/stock/report/",
    "/k/k1/stock/settings/",
    "/api/k/k1/stock/items",
    "/api/k/k1/stock/on-hand",
    "/api/k/k1/stock/batches",
    "/api/k/k1/stock/movements",
    "/api/k/k1/stock/alerts",
    "/api/k/k1/stock/requisitions",
    "/api/k/k1/stock/requisitions/mine",
    "/api/k/k1/stock/stocktakes",
    "/api/k/k1/stock/warehouses",
    "/api/k/k1/stock/suppliers",
]


def _grow(world, store, rounds: int):
    """More of everything: items (some low, some expiring), batches, movements of every kind,
    requisitions of several classes (issued and open), stocktakes."""
    keeper = actor_of(world, Role.STOREKEEPER)
    director = actor_of(world, Role.DIRECTOR)
    canteen = actor_of(world, Role.CANTEEN)
    for i in range(rounds):
        item = Item.objects.create(kindergarten=world.k1.kg, name=f"物品{len(Item.objects.all())}", unit="个",
                                   category=Category.OTHER, minimum_level=100)
        services.receive(actor=keeper, warehouse=store.general, item=item, quantity="10", unit_cost="1.5")
        receive_rice(keeper, store, quantity="20", expires=3 + i)
        receive_tissues(keeper, store, quantity="30")
        services.issue(actor=canteen, item=store.rice, warehouse=store.food, quantity="2", kind=MovementKind.ISSUE_KITCHEN)
        services.transfer(actor=keeper, item=store.tissues, from_warehouse=store.general,
                          to_warehouse=store.other_campus, quantity="1")
        for school_class in (world.k1.own_class, world.k1.other_class):
            requisition = services.requisition_create(
                actor=director, lines=[{"item": store.tissues, "quantity": "1"}, {"item": item, "quantity": "2"}],
                school_class=school_class, purpose="活动")
            if i % 2:
                services.requisition_issue(actor=keeper, requisition=requisition, warehouse=store.general,
                                           recipient=world.k1.users[Role.CLASS_TEACHER])
        teacher = actor_of(world, Role.CLASS_TEACHER)
        services.requisition_create(actor=teacher, lines=[{"item": item, "quantity": "1"}],
                                    school_class=world.k1.own_class)
        stocktake = services.stocktake_open(actor=keeper, warehouse=store.general)
        services.stocktake_close(actor=keeper, stocktake=stocktake, reason="改期")
        services.supplier_create(actor=keeper, name=f"供应商{item.name}")


def test_query_count_does_not_grow_with_rows(world, login):
    """Every page and list of LIST_URLS, counted on one store grown from few rows to many (grown once
    for all of them: growing it through the services is what costs)."""
    store = make_store(world)
    _grow(world, store, 1)
    clients = {role: login(world.k1.users[role]) for role in (Role.CLASS_TEACHER, Role.DIRECTOR)}
    counted, wrong = query_count_mismatches(
        LIST_URLS, lambda url: clients[Role.CLASS_TEACHER if "mine" in url else Role.DIRECTOR],
        lambda: _grow(world, store, 6), budget=20)
    assert wrong == [], "\n".join(wrong)
    assert len(counted) == len(LIST_URLS) > 20


def test_item_ledger_page_query_count_is_fixed(world, login):
    store = make_store(world)
    keeper = actor_of(world, Role.STOREKEEPER)
    receive_tissues(keeper, store)
    client = login(keeper.user)
    url = f"/k/k1/stock/items/{store.tissues.code}/"
    client.get(url)
    small = count_queries(client, url)
    for _ in range(8):
        receive_tissues(keeper, store)
        services.issue(actor=keeper, item=store.tissues, warehouse=store.general, quantity="3",
                       school_class=world.k1.own_class, recipient=keeper.user)
    assert count_queries(client, url) == small

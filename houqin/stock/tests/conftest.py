"""The storeroom of the standard world: warehouses, suppliers and items in k1 and k2."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from houqin import policy
from houqin.org.models import Role
from houqin.stock.models import Category, Item, Supplier, Warehouse, WarehouseKind

def actor_of(world, role, k="k1"):
    ns = getattr(world, k)
    return policy.actor_for_kindergarten(ns.users[role], ns.kg)


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def make_store(world, k="k1"):
    ns = getattr(world, k)
    kg = ns.kg
    campus = ns.campuses[0]
    food = Warehouse.objects.create(kindergarten=kg, campus=campus, name="食品库", kind=WarehouseKind.FOOD)
    general = Warehouse.objects.create(kindergarten=kg, campus=campus, name="物品仓库", kind=WarehouseKind.GENERAL)
    other_campus = None
    if len(ns.campuses) > 1:
        other_campus = Warehouse.objects.create(kindergarten=kg, campus=ns.campuses[1], name="东园物品库",
                                                kind=WarehouseKind.GENERAL)
    supplier = Supplier.objects.create(kindergarten=kg, name=f"城南粮油{k}", contact_person="王经理", phone="025-5228000")
    rice = Item.objects.create(kindergarten=kg, name="大米", unit="斤", category=Category.GRAIN_OIL,
                               minimum_level=Decimal("50"), shelf_life_days=180)
    eggs = Item.objects.create(kindergarten=kg, name="鸡蛋", unit="斤", category=Category.MEAT_EGG, shelf_life_days=30)
    tissues = Item.objects.create(kindergarten=kg, name="抽纸", unit="包", category=Category.PAPER,
                                  minimum_level=Decimal("20"))
    bleach = Item.objects.create(kindergarten=kg, name="84消毒液", unit="瓶", category=Category.DISINFECTANT,
                                 shelf_life_days=365)
    return SimpleNamespace(kg=kg, food=food, general=general, other_campus=other_campus, supplier=supplier,
                           rice=rice, eggs=eggs, tissues=tissues, bleach=bleach)


@pytest.fixture(autouse=True)
def _english():
    """Service messages are asserted on their English msgids, whatever the catalogue says."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def store(world):
    return make_store(world)


@pytest.fixture
def store2(world):
    return make_store(world, "k2")


@pytest.fixture
def keeper(world):
    return actor_of(world, Role.STOREKEEPER)


def receive_rice(keeper, store, quantity="100", cost="2.5", produced=-10, expires=None, **kwargs):
    from houqin.stock import services

    return services.receive(
        actor=keeper, warehouse=store.food, item=store.rice, quantity=quantity, unit_cost=cost,
        supplier=store.supplier, production_date=days(produced),
        expiry_date=days(expires) if expires is not None else None, **kwargs,
    )


def receive_tissues(keeper, store, quantity="50", cost="3.2", warehouse=None):
    from houqin.stock import services

    return services.receive(actor=keeper, warehouse=warehouse or store.general, item=store.tissues,
                            quantity=quantity, unit_cost=cost)

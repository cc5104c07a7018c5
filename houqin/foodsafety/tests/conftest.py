"""Food safety in the standard world: the storeroom of k1/k2 (houqin.stock's test store), suppliers
with certificates, and a published weekly menu (houqin.canteen's rows) so that dishes are served."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from houqin import policy
from houqin.org.models import Role
from houqin.stock.tests.conftest import make_store


def actor_of(world, role, k="k1"):
    ns = getattr(world, k)
    return policy.actor_for_kindergarten(ns.users[role], ns.kg)


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def certify(world, store, k="k1", valid_days=365):
    from houqin.foodsafety.models import CertificateKind, SupplierCertificate

    kg = getattr(world, k).kg
    return [SupplierCertificate.objects.create(kindergarten=kg, supplier=store.supplier, kind=kind,
                                               number=f"{kind}-{k}", valid_until=days(valid_days),
                                               retain_until=days(valid_days + 730))
            for kind in (CertificateKind.BUSINESS_LICENCE, CertificateKind.FOOD_LICENCE)]


def publish_menu(world, k="k1", day=None, dishes=(("lunch", "番茄炒蛋", "meat"), ("lunch", "清炒菠菜", "vegetable"),
                                                    ("afternoon_snack", "南瓜发糕", "snack"))):
    """A published menu of the week of `day` (today by default) serving `dishes` every day."""
    from houqin.canteen.models import Dish, Menu, MenuEntry

    kg = getattr(world, k).kg
    day = day or timezone.localdate()
    monday = day - dt.timedelta(days=day.weekday())
    menu = Menu.objects.create(kindergarten=kg, week_start=monday, days=7, status="published",
                               published_at=timezone.now())
    made = []
    for meal, name, category in dishes:
        dish, _ = Dish.objects.get_or_create(kindergarten=kg, name=name, defaults={"category": category})
        made.append(dish)
        for offset in range(7):
            MenuEntry.objects.create(kindergarten=kg, menu=menu, day=offset, meal=meal, dish=dish, dish_name=name,
                                     dish_category=category)
    return SimpleNamespace(menu=menu, dishes=made)


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def store(world):
    store = make_store(world)
    certify(world, store)
    return store


@pytest.fixture
def canteen(world):
    return actor_of(world, Role.CANTEEN)


@pytest.fixture
def director(world):
    return actor_of(world, Role.DIRECTOR)

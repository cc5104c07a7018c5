"""The canteen of the standard world: a few dishes of table foods, menus, and helpers."""

import datetime as dt
from decimal import Decimal

import pytest

from houqin import policy
from houqin.canteen import services
from houqin.canteen.models import Food
from houqin.org.models import Role

MONDAY = dt.date(2026, 11, 16)


def actor_of(world, role, k="k1"):
    ns = getattr(world, k)
    return policy.actor_for_kindergarten(ns.users[role], ns.kg)


def food(code: str) -> Food:
    return Food.objects.get(kindergarten__isnull=True, food_code=code)


RICE, EGG, MILK, GREENS, PORK, OIL = "012101", "111101x", "101101x", "045120", "081110", "192004"


def make_dishes(actor):
    """Rice, scrambled egg, milk, stir-fried greens with pork: grams per child, raw."""
    mk = services.dish_save
    return {
        "rice": mk(actor=actor, name="米饭", category="staple", ingredients=[{"food": food(RICE), "grams_raw": "50"}]),
        "egg": mk(actor=actor, name="蒸鸡蛋羹", category="meat", ingredients=[{"food": food(EGG), "grams_raw": "46"}]),
        "milk": mk(actor=actor, name="牛奶", category="milk", ingredients=[{"food": food(MILK), "grams_raw": "200"}]),
        "greens": mk(actor=actor, name="青菜肉丝", category="meat", ingredients=[
            {"food": food(GREENS), "grams_raw": "60"}, {"food": food(PORK), "grams_raw": "30"},
            {"food": food(OIL), "grams_raw": "5"}]),
    }


def make_menu(actor, dishes, week_start=MONDAY, days=5):
    menu = services.menu_create(actor=actor, week_start=week_start, days=days)
    for day in range(days):
        services.entry_add(actor=actor, menu=menu, day=day, meal="breakfast", dish=dishes["milk"])
        services.entry_add(actor=actor, menu=menu, day=day, meal="lunch", dish=dishes["rice"])
        services.entry_add(actor=actor, menu=menu, day=day, meal="lunch", dish=dishes["greens"])
    return menu


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def health(world):
    return actor_of(world, Role.HEALTH_TEACHER)


@pytest.fixture
def dishes(health):
    return make_dishes(health)


def grams(value) -> Decimal:
    return Decimal(str(value))


def register(child, key, *, kind="allergy", start=MONDAY - dt.timedelta(days=30), end=None, severity="moderate",
             reaction="", status="confirmed"):
    """A confirmed record of the health register (the canteen reads allergens from there only)."""
    from houqin.health.models import DietRecord

    return DietRecord.objects.create(
        kindergarten=child.kindergarten, child=child, kind=kind, allergen=key if kind == "allergy" else "",
        severity=severity if kind == "allergy" else "", diet=key if kind == "diet" else "", reaction=reaction,
        start_date=start, end_date=end, status=status)

"""The contract food safety reads: served_dishes(kindergarten, day) — the dishes of the PUBLISHED
menu served that day, in meal order."""

import datetime as dt

import pytest

from houqin.canteen import selectors, services
from houqin.canteen.tests.conftest import MONDAY, make_menu

pytestmark = pytest.mark.django_db


def test_served_dishes_are_those_of_the_published_menu_in_meal_order(world, health, dishes):
    menu = make_menu(health, dishes)
    services.entry_add(actor=health, menu=menu, day=2, meal="breakfast", dish=dishes["egg"])
    wednesday = MONDAY + dt.timedelta(days=2)
    assert selectors.served_dishes(kindergarten=world.k1.kg, day=wednesday) == []  # a draft is not served

    services.menu_publish(actor=health, menu=menu)
    served = selectors.served_dishes(kindergarten=world.k1.kg, day=wednesday)
    assert [(d["meal"], d["dish_name"]) for d in served] == [
        ("breakfast", "牛奶"), ("breakfast", "蒸鸡蛋羹"), ("lunch", "米饭"), ("lunch", "青菜肉丝")]
    assert served[0]["meal_label"] == "Breakfast"
    assert served[1]["dish_code"] == dishes["egg"].code
    monday = selectors.served_dishes(kindergarten=world.k1.kg, day=MONDAY)
    assert [d["dish_name"] for d in monday] == ["牛奶", "米饭", "青菜肉丝"]


def test_no_dishes_on_a_weekend_another_week_or_in_another_kindergarten(world, health, dishes):
    services.menu_publish(actor=health, menu=make_menu(health, dishes))
    assert selectors.served_dishes(kindergarten=world.k1.kg, day=MONDAY + dt.timedelta(days=5)) == []
    assert selectors.served_dishes(kindergarten=world.k1.kg, day=MONDAY + dt.timedelta(days=7)) == []
    assert selectors.served_dishes(kindergarten=world.k2.kg, day=MONDAY) == []


def test_served_dishes_of_many_days_are_each_days_own_in_two_queries(world, health, dishes,
                                                                     django_assert_num_queries):
    """The director's to-dos read a fortnight of served dishes: served_dishes_on gives each day what
    served_dishes gives it (weekends, drafts and other weeks empty), in two queries for all days."""
    services.menu_publish(actor=health, menu=make_menu(health, dishes))
    next_week = make_menu(health, dishes, week_start=MONDAY + dt.timedelta(days=7), days=3)
    services.entry_add(actor=health, menu=next_week, day=1, meal="breakfast", dish=dishes["egg"])
    services.menu_publish(actor=health, menu=next_week)
    make_menu(health, dishes, week_start=MONDAY + dt.timedelta(days=14))  # a draft: not served
    days = [MONDAY + dt.timedelta(days=n) for n in range(-3, 21)]
    one_by_one = {day: selectors.served_dishes(kindergarten=world.k1.kg, day=day) for day in days}
    with django_assert_num_queries(2):
        together = selectors.served_dishes_on(kindergarten=world.k1.kg, days=days)
    assert together == one_by_one and list(together) == days
    assert [d["dish_name"] for d in together[MONDAY + dt.timedelta(days=8)]] == ["牛奶", "蒸鸡蛋羹", "米饭", "青菜肉丝"]
    assert sum(1 for dishes_of_day in together.values() if dishes_of_day) == 5 + 3
    assert selectors.served_dishes_on(kindergarten=world.k2.kg, days=days) == {day: [] for day in days}

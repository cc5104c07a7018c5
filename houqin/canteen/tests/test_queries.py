"""The canteen's list pages and list endpoints run a fixed number of queries, whatever the number of
menus, dishes and meetings."""

import datetime as dt

import pytest
from django.test import Client

from houqin.canteen import services
from houqin.canteen.tests.conftest import MONDAY, actor_of, make_dishes, make_menu
from houqin.org.models import Role
from houqin.testing import query_count_mismatches

pytestmark = pytest.mark.django_db

URLS = ["/k/k1/canteen/", "/k/k1/canteen/published/", "/k/k1/canteen/dishes/", "/k/k1/canteen/committee/",
        "/k/k1/canteen/account/", "/k/k1/canteen/rules/", "/api/k/k1/canteen/menus", "/api/k/k1/canteen/dishes",
        "/api/k/k1/canteen/published", "/api/k/k1/canteen/committee"]


def _grow(health, dishes, weeks: int, start: int):
    for w in range(weeks):
        menu = make_menu(health, dishes, week_start=MONDAY - dt.timedelta(days=7 * (start + w)), days=1)
        services.menu_publish(actor=health, menu=menu, notify=False)
        services.meeting_create(actor=health, held_on=dt.date(2026, 10, 1) + dt.timedelta(days=start + w),
                                members="园长\n家长代表", minutes="会议")


def test_list_pages_do_not_grow_with_rows(world):
    """Every page and list of URLS, counted on one world grown from few menus to many (no budget:
    the count only must not change)."""
    health = actor_of(world, Role.HEALTH_TEACHER)
    dishes = make_dishes(health)
    client = Client()
    client.force_login(world.k1.users[Role.PRINCIPAL])
    _grow(health, dishes, 2, 0)
    counted, wrong = query_count_mismatches(URLS, lambda url: client, lambda: _grow(health, dishes, 6, 2), budget=None)
    assert wrong == [], "\n".join(wrong)
    assert len(counted) == len(URLS) == 10

"""The canteen's list pages and list endpoints run a fixed number of queries, whatever the number of
menus, dishes and meetings."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from houqin.canteen import services
from houqin.canteen.tests.conftest import MONDAY, actor_of, make_dishes, make_menu
from houqin.org.models import Role

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


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx.captured_queries)


def test_list_pages_do_not_grow_with_rows(world):
    health = actor_of(world, Role.HEALTH_TEACHER)
    dishes = make_dishes(health)
    client = Client()
    client.force_login(world.k1.users[Role.PRINCIPAL])
    _grow(health, dishes, 2, 0)
    for url in URLS:  # warm up: the first request of a session writes it
        client.get(url)
    before = {url: _count(client, url) for url in URLS}
    _grow(health, dishes, 6, 2)
    after = {url: _count(client, url) for url in URLS}
    assert after == before

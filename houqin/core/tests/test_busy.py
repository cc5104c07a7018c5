"""A write that meets a locked database: a clear message and a 503, nothing saved, never a 500 — in
every area, in the API and on the pages; and the same write goes through once the lock is gone.

The lock is real: a second connection to the test database holds a write transaction (SQLite: a
write in an IMMEDIATE transaction on the shared test database; PostgreSQL: EXCLUSIVE locks on every
table of Houqin, which let reads through and stop writes, with this session's lock_timeout short)."""

import datetime as dt
import json
import sqlite3
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from houqin import policy
from houqin.core.tests.test_route_probe import api_writes
from houqin.org.models import Role

pytestmark = pytest.mark.django_db(transaction=True)

# Tables that a refused request may write or that the test's own client needs.
UNLOCKED = {"django_session", "core_auditevent", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}
BUSY_WORDS = "系统繁忙"


def _tables():
    return sorted({m._meta.db_table for m in apps.get_models() if m._meta.managed} - UNLOCKED)


@contextmanager
def database_locked():
    """Another writer holds the database for as long as the block runs."""
    if connection.vendor == "sqlite":
        other = sqlite3.connect(connection.settings_dict["NAME"], uri=True, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE org_district SET name = name")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    import psycopg

    s = connection.settings_dict
    other = psycopg.connect(dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"], host=s["HOST"],
                            port=s["PORT"] or 5432)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '300ms'")
    try:
        with other.transaction():
            other.execute("LOCK TABLE " + ", ".join(f'"{t}"' for t in _tables()) + " IN EXCLUSIVE MODE")
            yield
    finally:
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")


def _counts():
    with connection.cursor() as cursor:
        out = {}
        for table in _tables():
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            out[table] = cursor.fetchone()[0]
        return out


def _role_for(url: str) -> Role:
    """A role of kindergarten k1 that the route's declared capability grants (as the route probe
    finds it: from the API's routers)."""
    capability = next(cap for method, probed, cap, _object, _body in api_writes() if probed == url and method == "POST")
    return next(r for r in policy.CAPABILITIES[capability].grants if r not in (Role.SUPERVISOR, Role.PARENT))


def _next_monday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


def _writes(world):
    """(url, JSON body): one ordinary write of each area, valid as sent."""
    k = world.k1
    today = timezone.localdate().isoformat()
    return [
        ("/api/k/k1/notices", {"title": "停水通知", "body": "明天上午停水。"}),
        ("/api/k/k1/safety/visitors", {"name": "张三", "reason": "送货", "host": "王老师"}),
        ("/api/k/k1/health/attendance", {"child_code": str(k.own_child.code), "date": today, "status": "sick"}),
        ("/api/k/k1/canteen/menus", {"week_start": _next_monday().isoformat()}),
        ("/api/k/k1/foodsafety/tableware", {"meal": "lunch", "method": "cabinet", "minutes": 30, "temperature": 120}),
        ("/api/k/k1/stock/items", {"name": "抽纸", "unit": "包", "category": "cleaning"}),
        ("/api/k/k1/asset-rooms", {"name": "美工室", "campus_code": str(k.campuses[0].code)}),
        ("/api/k/k1/finance/categories", {"name": "绿化养护"}),
        ("/api/k/k1/staff/topics", {"name": "消防器材使用"}),
        ("/api/k/k1/reports/terms", {"name": "2027年春季学期", "start": "2027-02-20", "end": "2027-07-10"}),
        ("/api/k/k1/children", {"name": "王小明", "sex": "M", "birth_date": "2022-03-01",
                                "class_code": str(k.own_class.code)}),
    ]


def test_every_area_answers_a_locked_database_with_503_and_saves_nothing(world, login):
    clients = {}
    for url, body in _writes(world):
        role = _role_for(url)
        client = clients.get(role) or clients.setdefault(role, login(world.k1.users[role]))
        before = _counts()
        with database_locked():
            response = client.post(url, json.dumps(body), content_type="application/json")
        # 503, or 409 where the area retries first and then says someone else is changing the same thing
        assert response.status_code in (503, 409), (url, response.status_code, response.content[:300])
        assert response.json()["code"] == "busy" and "请重试" in response.json()["detail"], url
        assert _counts() == before, url  # nothing saved
        # the same write, once the lock is gone, is saved: the 503 was the lock's, not the input's
        again = client.post(url, json.dumps(body), content_type="application/json")
        assert again.status_code in (200, 201), (url, again.status_code, again.content[:300])


def test_a_page_write_on_a_locked_database_says_so_in_chinese(world, login):
    client = login(world.k1.users[Role.PRINCIPAL])
    before = _counts()
    with database_locked():
        response = client.post("/k/k1/notices/new/", {"kind": "general", "audience": "parents",
                                                      "title": "停水通知", "body": "明天上午停水。", "publish": "on"})
    assert response.status_code == 503
    assert BUSY_WORDS in response.content.decode() and response["Retry-After"]
    # the page the user came from still works once the lock is gone, signed in as before
    assert client.get("/k/k1/notices/").status_code == 200
    assert _counts() == before


def test_reading_pages_goes_on_while_another_writer_holds_the_database(world, login):
    """The session's "last seen" touch waits for the next request: a read is answered, not a 400."""
    client = login(world.k1.users[Role.HEALTH_TEACHER])  # the first request after signing in touches the session
    with database_locked():
        response = client.get("/k/k1/notices/")
    assert response.status_code == 200
    assert client.get("/k/k1/notices/").status_code == 200  # still signed in

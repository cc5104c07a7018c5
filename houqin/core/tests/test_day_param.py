"""The day a page is asked for (`?date=`, `?day=`, `?start=`): one reader for every area
(core.web.day_param). A value that is not a date shows the default day and says so, in Chinese; a day
still to come on a register that cannot run ahead of today shows today and says so. Before, health and
food safety silently showed today, safety and stock silently showed their default, staff did too."""

import datetime as dt

import pytest
from django.utils import timezone

from houqin.core.roles import Role

pytestmark = pytest.mark.django_db

# (area, who reads it, the page, the query parameter)
PAGES = [
    ("health", Role.HEALTH_TEACHER, "/k/k1/health/attendance/illness/", "date"),
    ("foodsafety", Role.CANTEEN, "/k/k1/foodsafety/", "day"),
    ("safety", Role.GUARD, "/k/k1/safety/pickup/log/", "day"),
    ("staff", Role.NURSERY, "/k/k1/staff/procedure/", "date"),
    ("stock", Role.STOREKEEPER, "/k/k1/stock/consumption/", "start"),
]


def _page(client, path, param, value):
    response = client.get(path, {param: value})
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize("area, role, path, param", PAGES, ids=[p[0] for p in PAGES])
def test_a_value_that_is_not_a_date_shows_the_default_day_and_says_so(world, login, area, role, path, param):
    client = login(world.k1.users[role])
    page = _page(client, path, param, "2026-13-40")
    assert "“2026-13-40”不是日期" in page, area
    assert _page(client, path, param, "<b>x</b>").count("<b>x</b>") == 0  # escaped, like every message
    # a good day gives no message
    assert "不是日期" not in _page(client, path, param, timezone.localdate().isoformat())


@pytest.mark.parametrize("area, role, path, param", [PAGES[0], PAGES[1]], ids=["health", "foodsafety"])
def test_a_day_still_to_come_shows_today_on_a_register_of_what_happened(world, login, area, role, path, param):
    today = timezone.localdate()
    later = today + dt.timedelta(days=3)
    page = _page(login(world.k1.users[role]), path, param, later.isoformat())
    assert f"{later.isoformat()}还未到" in page, area
    if area == "health":  # its date picker shows the day shown
        assert f'value="{today.isoformat()}"' in page and f'value="{later.isoformat()}"' not in page


def test_the_reader_itself(rf):
    from django.contrib.messages.storage.fallback import FallbackStorage

    from houqin.core.web import day_param

    def ask(query, *args, **kwargs):
        request = rf.get("/", query)
        request.session = {}
        request._messages = FallbackStorage(request)
        return day_param(request, *args, **kwargs), [str(m) for m in request._messages]

    default = dt.date(2026, 9, 1)
    assert ask({}, default=default) == (default, [])
    assert ask({"date": " "}, default=default) == (default, [])
    assert ask({"date": "2026-11-30"}, default=default) == (dt.date(2026, 11, 30), [])
    day, said = ask({"date": "1200-01-01"}, default=default)  # a date, but not one Houqin accepts
    assert day == default and len(said) == 1
    day, said = ask({"date": "2026-12-09"}, latest=dt.date(2026, 12, 6))
    assert day == dt.date(2026, 12, 6) and len(said) == 1
    assert ask({"from": "2026-11-02"}, "from")[0] == dt.date(2026, 11, 2)

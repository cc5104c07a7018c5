"""The nap-time watch (午睡巡视): a round recorded by the class's staff, bad input refused with
nothing saved, a missed round as a to-do, the page beside the daily procedure, the API, the role ×
route × scope matrix and a fixed number of queries."""

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from houqin.core.errors import DomainError
from houqin.org.models import Role
from houqin.staff import naps
from houqin.staff.models import NapRound
from houqin.staff.tests.conftest import actor_of
from houqin.testing import MISSING, run_matrix

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()


def _record(world, k="k1", role=Role.NURSERY, **kwargs):
    ns = getattr(world, k)
    data = {"children_checked": 24, "findings": ["covers"], "note": "小明蹬被，已盖好"}
    data.update(kwargs)
    return naps.nap_round_record(actor=actor_of(world, role, k), school_class=ns.own_class, **data)


def test_a_round_is_recorded_with_what_was_seen(world):
    nap = _record(world)
    assert nap.children_checked == 24 and nap.findings == ["covers"] and nap.date == timezone.localdate()
    assert nap.done_by == world.k1.users[Role.NURSERY] and nap.school_class == world.k1.own_class


@pytest.mark.parametrize("bad, field", [
    ({"children_checked": None}, "children_checked"),
    ({"children_checked": 0}, "children_checked"),
    ({"findings": ["snoring"]}, "findings"),
    ({"findings": ["other"], "note": ""}, "note"),
    ({"at": timezone.now() + dt.timedelta(hours=1)}, "at"),
])
def test_bad_input_is_refused_and_nothing_is_saved(world, bad, field):
    with pytest.raises(DomainError) as exc:
        _record(world, **bad)
    assert [e["field"] for e in exc.value.errors] == [field]
    assert NapRound.objects.count() == 0


def test_staff_of_another_class_cannot_record(world):
    from houqin.policy import OutOfScope

    with pytest.raises(OutOfScope):
        naps.nap_round_record(actor=actor_of(world, Role.NURSERY), school_class=world.k1.other_class,
                              children_checked=20)
    assert NapRound.objects.count() == 0


def test_missed_rounds_by_the_rule():
    rule = {"minutes": 30, "start": dt.time(12, 30), "end": dt.time(14, 30)}
    day = dt.date(2026, 11, 18)

    def at(h, m):
        return dt.datetime.combine(day, dt.time(h, m), tzinfo=TZ)

    assert naps.missed(None, at(12, 50), rule) == ""  # the first interval has not passed
    assert naps.missed(None, at(13, 5), rule) == "due"
    assert naps.missed(at(12, 45), at(13, 10), rule) == ""
    assert naps.missed(at(12, 45), at(13, 20), rule) == "due"
    assert naps.missed(None, at(15, 0), rule) == "missed"
    assert naps.missed(at(14, 0), at(15, 0), rule) == ""


def test_a_missed_round_is_a_todo_of_the_class_staff_until_recorded(world, login):
    from houqin.core import calendar

    day = dt.date(2026, 11, 18)  # a Wednesday
    overdue = dt.datetime.combine(day, dt.time(13, 20), tzinfo=TZ)
    with mock.patch("django.utils.timezone.now", return_value=overdue), \
            mock.patch.object(calendar, "is_school_day", return_value=True):
        client = login(world.k1.users[Role.NURSERY])
        home = client.get("/k/k1/").content.decode()
        assert f"该午睡巡视了：{world.k1.own_class.name}" in home
        naps.nap_round_record(actor=actor_of(world, Role.NURSERY), school_class=world.k1.own_class,
                              children_checked=20)
        assert "该午睡巡视了" not in client.get("/k/k1/").content.decode()


def test_the_page_records_a_round_and_the_daily_procedure_shows_it(world, login):
    client = login(world.k1.users[Role.NURSERY])
    url = f"/k/k1/staff/procedure/{world.k1.own_class.code}/nap/"
    assert client.get(url).status_code == 200
    empty = client.post(url, {"children_checked": "", "note": ""})
    assert empty.status_code == 200 and "请填写查看的幼儿人数。" in empty.content.decode()
    assert NapRound.objects.count() == 0
    assert client.post(url, {"children_checked": "22", "findings": ["fever"], "note": "小红额头发热，已告知保健老师"}
                       ).status_code == 302
    day = client.get(f"/k/k1/staff/procedure/{world.k1.own_class.code}/").content.decode()
    assert "小红额头发热" in day and "发热" in day


def test_the_api_records_and_lists_rounds(world, login):
    client = login(world.k1.users[Role.CLASS_TEACHER])
    url = f"/api/k/k1/staff/procedure/{world.k1.own_class.code}/naps"
    bad = client.post(url, {"children_checked": 0}, content_type="application/json")
    assert bad.status_code == 422 and NapRound.objects.count() == 0
    made = client.post(url, {"children_checked": 21, "findings": ["crying"]}, content_type="application/json")
    assert made.status_code == 201, made.content
    assert [r["code"] for r in client.get(url).json()] == [made.json()["code"]]
    other = f"/api/k/k1/staff/procedure/{world.k1.other_class.code}/naps"
    assert client.post(other, {"children_checked": 21}, content_type="application/json").status_code == 404


def test_matrix_every_role_every_route_every_scope(world):
    objects = {"class": {"own_class": world.k1.own_class, "other_class": world.k1.other_class,
                         "other_kg": world.k2.own_class, "missing": MISSING}}
    routes = [("/k/{kg}/staff/procedure/{code}/nap/", "staff.nap.view", "class"),
              ("/api/k/{kg}/staff/procedure/{code}/naps", "staff.nap.view", "class")]
    mismatches, checked = run_matrix(world, routes, objects)
    assert mismatches == []
    assert checked > 50


def test_the_round_page_runs_a_fixed_number_of_queries(world, login):
    client = login(world.k1.users[Role.NURSERY])
    urls = [f"/k/k1/staff/procedure/{world.k1.own_class.code}/nap/",
            f"/k/k1/staff/procedure/{world.k1.own_class.code}/",
            f"/api/k/k1/staff/procedure/{world.k1.own_class.code}/naps"]

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        return len(ctx.captured_queries)

    _record(world)
    for u in urls:
        count(u)
    before = {u: count(u) for u in urls}
    for _i in range(5):
        _record(world)
    assert {u: count(u) for u in urls} == before

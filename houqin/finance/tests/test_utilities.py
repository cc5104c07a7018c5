"""Energy and water (水电气): monthly meter readings, the use they give, the trend against the same
month last year. Bad input (a reading lower than the last one without a meter change, a month twice
or in the future): a clear message, nothing saved."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from houqin import policy
from houqin.core.errors import DomainError
from houqin.finance import utilities
from houqin.finance.models import MeterReading
from houqin.org.models import Role
from houqin.testing import MISSING, run_matrix

pytestmark = pytest.mark.django_db


def _actor(world, role=Role.DIRECTOR, k="k1"):
    ns = getattr(world, k)
    return policy.actor_for_kindergarten(ns.users[role], ns.kg)


def _month(back: int) -> dt.date:
    return utilities.add_months(utilities.month_start(dt.date.today()), -back)


def _meter(world, k="k1", readings=()):
    meter = utilities.meter_create(actor=_actor(world, k=k), name="主楼电表", kind="electricity")
    for back, value in readings:
        utilities.reading_record(actor=_actor(world, k=k), meter=meter, month=_month(back), reading=value)
    return meter


def test_trend_compares_each_month_with_the_same_month_last_year():
    jan, last_jan = dt.date(2026, 1, 1), dt.date(2025, 1, 1)
    rows = utilities.trend({jan: Decimal("920"), last_jan: Decimal("1000")}, jan, months=3)
    assert [r.month for r in rows] == [jan, dt.date(2025, 12, 1), dt.date(2025, 11, 1)]
    assert rows[0].last_year == Decimal("1000") and rows[0].change == Decimal("-8.0")
    assert rows[1].usage is None and rows[1].change is None
    assert utilities.add_months(dt.date(2026, 1, 1), -13) == dt.date(2024, 12, 1)


def test_the_use_is_the_reading_less_the_last_one(world):
    meter = _meter(world, readings=[(3, "1000"), (2, "1250.5")])
    latest = utilities.last_reading(meter)
    assert latest.usage == Decimal("250.50")
    assert MeterReading.objects.get(meter=meter, month=_month(3)).usage is None


def test_a_reading_lower_than_the_last_one_is_refused_unless_the_meter_was_changed(world):
    meter = _meter(world, readings=[(3, "1000")])
    with pytest.raises(DomainError) as exc:
        utilities.reading_record(actor=_actor(world), meter=meter, month=_month(2), reading="900")
    assert exc.value.errors[0]["field"] == "reading" and "1000" in str(exc.value.errors[0]["message"])
    assert MeterReading.objects.count() == 1
    with pytest.raises(DomainError) as exc:  # a change without the old meter's final reading
        utilities.reading_record(actor=_actor(world), meter=meter, month=_month(2), reading="12", meter_changed=True)
    assert exc.value.errors[0]["field"] == "old_meter_final"
    assert MeterReading.objects.count() == 1
    made = utilities.reading_record(actor=_actor(world), meter=meter, month=_month(2), reading="12",
                                    meter_changed=True, old_meter_final="1100")
    assert made.usage == Decimal("112.00")


def test_a_month_twice_in_the_future_or_a_bad_number_is_refused(world):
    meter = _meter(world, readings=[(2, "1000")])
    for month, value, field in [(_month(2), "1100", "month"), (_month(3), "1100", "month"),
                                (_month(-1), "1100", "month"), (_month(1), "一千", "reading"),
                                (_month(1), "-5", "reading"), (_month(1), "", "reading")]:
        with pytest.raises(DomainError) as exc:
            utilities.reading_record(actor=_actor(world), meter=meter, month=month, reading=value)
        assert field in [e["field"] for e in exc.value.errors], (month, value)
    assert MeterReading.objects.count() == 1


def test_only_the_director_and_storekeeper_record(world):
    from houqin.core.errors import Forbidden

    meter = _meter(world)
    for role in (Role.PRINCIPAL, Role.GUARD, Role.ACCOUNTANT):
        with pytest.raises(Forbidden):
            utilities.reading_record(actor=_actor(world, role), meter=meter, month=_month(1), reading="5")
    utilities.reading_record(actor=_actor(world, Role.STOREKEEPER), meter=meter, month=_month(1), reading="5")


def test_the_api_records_a_reading_and_refuses_a_lower_one(world):
    meter = _meter(world, readings=[(2, "1000")])
    client = Client()
    client.force_login(world.k1.users[Role.STOREKEEPER])
    url = f"/api/k/k1/finance/meters/{meter.code}/readings"
    low = client.post(url, {"month": str(_month(1)), "reading": "990"}, content_type="application/json")
    assert low.status_code == 422 and low.json()["errors"][0]["field"] == "reading"
    ok = client.post(url, {"month": str(_month(1)), "reading": "1080"}, content_type="application/json")
    assert ok.status_code == 201
    assert ok.json()["trend"][0]["usage"] == "80.00"
    assert MeterReading.objects.count() == 2


def test_the_page_records_a_reading(world):
    meter = _meter(world, readings=[(2, "1000")])
    client = Client()
    client.force_login(world.k1.users[Role.DIRECTOR])
    url = f"/k/k1/finance/meters/{meter.code}/read/"
    page = client.post(url, {"month": str(_month(1)), "reading": "900"})
    assert page.status_code == 200 and MeterReading.objects.count() == 1
    assert client.post(url, {"month": str(_month(1)), "reading": "1100"}).status_code == 302
    assert "100" in client.get(f"/k/k1/finance/meters/{meter.code}/").content.decode()


ROUTES = [
    ("/k/{kg}/finance/meters/", "finance.utilities.view", None),
    ("/k/{kg}/finance/meters/new/", "finance.utilities.record", None),
    ("/k/{kg}/finance/meters/{code}/", "finance.utilities.view", "meter"),
    ("/k/{kg}/finance/meters/{code}/read/", "finance.utilities.record", "meter"),
    ("/api/k/{kg}/finance/meters", "finance.utilities.view", None),
    ("/api/k/{kg}/finance/meters/{code}", "finance.utilities.view", "meter"),
]


def test_matrix_every_role_every_meter_route(world):
    objects = {"meter": {"k1": _meter(world), "other_kg": _meter(world, k="k2"), "missing": MISSING}}
    mismatches, checked = run_matrix(world, ROUTES, objects)
    assert mismatches == []
    assert checked > 80


METER_LIST_QUERIES = 7  # the session, user and membership, the menu, the meters with their latest reading, a year before


def test_the_meter_list_costs_a_fixed_number_of_queries(world, django_assert_num_queries):
    client = Client()
    client.force_login(world.k1.users[Role.ACCOUNTANT])
    _meter(world, readings=[(13, "100"), (1, "500")])
    client.get("/k/k1/finance/meters/")
    with django_assert_num_queries(METER_LIST_QUERIES):
        assert client.get("/k/k1/finance/meters/").status_code == 200
    for i in range(3):
        _meter(world, readings=[(14, "100"), (13, "120"), (2, "200"), (1, "230")])
    with django_assert_num_queries(METER_LIST_QUERIES):
        page = client.get("/k/k1/finance/meters/")
    assert page.content.decode().count('data-testid="meter-row"') == 4

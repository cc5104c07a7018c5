"""服务之星 of a period in one query: the same stars as month by month (the district comparison's figures)."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from houqin.staff import selectors, services
from houqin.staff.tests.conftest import make_staff


def test_the_stars_of_a_period_are_each_months_stars_in_one_query(world):
    s1, s2 = make_staff(world), make_staff(world, "k2")
    for s in (s1, s2):
        for month in (dt.date(2026, 10, 1), dt.date(2026, 11, 1)):
            services.assessment_generate(actor=s.director, month=month)
    ids = [world.k1.kg.pk, world.k2.kg.pk]
    with CaptureQueriesContext(connection) as ctx:
        period = selectors.service_stars_between(ids, dt.date(2026, 9, 15), dt.date(2026, 11, 30))
    assert len(ctx.captured_queries) == 1
    assert sorted(period) == [dt.date(2026, 10, 1), dt.date(2026, 11, 1)]
    for month in (dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)):
        by_month = selectors.service_stars(ids, month)
        assert dict(period.get(month, {})) == dict(by_month)
        assert all(by_month.get(pk) for pk in ids) == (month != dt.date(2026, 9, 1))

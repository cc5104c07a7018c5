"""Values read once per request and shared (core.per_request): the home page reads the rule
overrides and the served dishes once, and any write in the request empties what was read."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from houqin.core import per_request
from houqin.core.models import RuleOverride

pytestmark = pytest.mark.django_db


def _rows_read(ctx, table: str) -> int:
    """The queries that read whole rows of `table` (not a count or a column of it)."""
    return sum(q["sql"].startswith(f'SELECT "{table}"."id"') for q in ctx.captured_queries)


@pytest.mark.parametrize("role", ["principal", "director"])
def test_the_home_page_reads_the_rule_overrides_and_the_served_dishes_once(world, login, role):
    client = login(world.k1.users[role])
    url = reverse("home", kwargs={"kg": world.k1.kg.slug})
    client.get(url)  # the session's first request warms what it caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    assert _rows_read(ctx, "core_ruleoverride") == 1  # canteen, food safety, safety ask for their figures
    assert _rows_read(ctx, "canteen_menu") == 1  # four food-safety to-dos ask for the served dishes


def test_a_value_is_read_once_in_a_scope_and_again_after_a_write(world):
    reads = []

    def read():
        reads.append(1)
        return RuleOverride.objects.filter(kindergarten=world.k1.kg).count()

    assert per_request.shared("n", read) == per_request.shared("n", read) == 0
    assert len(reads) == 2  # outside a scope: every time
    with per_request.scope():
        assert per_request.shared("n", read) == per_request.shared("n", read) == 0
        assert len(reads) == 3
        RuleOverride.objects.create(kindergarten=world.k1.kg, area="foodsafety", key="sample_fridge_min_c",
                                    value="1", source="本园规定")
        assert per_request.shared("n", read) == 1  # the write emptied the scope: read again
        assert len(reads) == 4
        days = [dt.date(2026, 3, 2), dt.date(2026, 3, 3)]
        asked = []

        def read_days(keys):
            asked.append(list(keys))
            return {k: k[1].day for k in keys}

        assert per_request.shared_many([("d", d) for d in days], read_days) == {("d", d): d.day for d in days}
        assert per_request.shared_many([("d", days[1]), ("d", days[0] + dt.timedelta(days=2))], read_days) \
            == {("d", days[1]): 3, ("d", dt.date(2026, 3, 4)): 4}
        assert asked == [[("d", d) for d in days], [("d", dt.date(2026, 3, 4))]]  # only the day not read yet
    assert per_request.shared("n", read) == 1
    assert len(reads) == 5  # the scope ended: read again


def test_a_value_read_while_writing_is_not_kept(world):
    def read_and_write():
        RuleOverride.objects.create(kindergarten=world.k1.kg, area="foodsafety", key="sample_fridge_min_c",
                                    value="1", source="本园规定")
        return "read"

    with per_request.scope():
        per_request.shared("w", read_and_write)
        with CaptureQueriesContext(connection) as ctx:
            assert per_request.shared("w", lambda: RuleOverride.objects.count()) == 1
        assert len(ctx.captured_queries) == 1

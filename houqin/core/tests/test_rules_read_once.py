"""Rule figures are read once per request (core.rules.read_once, core.per_request,
core.middleware.PerRequestMiddleware)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from houqin import policy
from houqin.core import rules
from houqin.org.models import Role

AREA, KEY = "foodsafety", "sample_fridge_min_c"


def _reads(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return sum('"core_ruleoverride"' in q["sql"] and q["sql"].startswith("SELECT") for q in ctx.captured_queries)


def test_within_a_request_each_kindergartens_figures_are_read_once_and_a_change_is_seen(world):
    kg, other = world.k1.kg, world.k2.kg
    director = policy.actor_for_kindergarten(world.k1.users[Role.DIRECTOR], kg)
    shipped = rules.shipped(AREA)[KEY].value
    assert _reads(lambda: [rules.figures(kg, AREA) for _ in range(3)]) == 3  # outside a request: every time
    with rules.read_once():
        assert _reads(lambda: [rules.figures(kg, AREA) for _ in range(3)]) == 1
        assert _reads(lambda: rules.figures(other, AREA)) == 1  # per kindergarten
        assert _reads(lambda: rules.figures(kg, "health")) == 0  # every area's overrides came with the first
        mine = rules.figures(kg, AREA)
        mine.clear()  # a caller's change never reaches what the request read
        assert rules.figures(kg, AREA)[KEY].value == shipped
        rules.override_set(actor=director, area=AREA, key=KEY, value="-1.5", source="本园规定")
        assert rules.figures(kg, AREA)[KEY].value == rules.shipped(AREA)[KEY].value.__class__("-1.5")
        rules.override_clear(actor=director, area=AREA, key=KEY)
        assert rules.figures(kg, AREA)[KEY].value == shipped
    assert _reads(lambda: rules.figures(kg, AREA)) == 1  # the block ended: read again


def test_the_middleware_reads_once_per_request_only(world, rf):
    from houqin.core.middleware import PerRequestMiddleware

    kg = world.k1.kg
    seen = []
    view = PerRequestMiddleware(lambda request: seen.append(_reads(lambda: [rules.figures(kg, AREA)
                                                                            for _ in range(4)])))
    view(rf.get("/"))
    view(rf.get("/"))
    assert seen == [1, 1]

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from houqin.canteen.tests.test_queries import _grow
from houqin.canteen.tests.conftest import actor_of, make_dishes
from houqin.org.models import Role
@pytest.mark.django_db
def test_x(world):
    health = actor_of(world, Role.HEALTH_TEACHER); dishes = make_dishes(health); _grow(health, dishes, 3, 0)
    c = Client(); c.force_login(world.k1.users[Role.PRINCIPAL])
    with CaptureQueriesContext(connection) as ctx: c.get("/k/k1/canteen/")
    for q in ctx.captured_queries: print(q["sql"][:150])

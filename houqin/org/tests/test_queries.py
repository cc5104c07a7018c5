"""List pages and list endpoints run a fixed number of queries, whatever the number of rows."""

import pytest

from houqin.org.models import Role
from houqin.testing import ChildFactory, GuardianFactory, SchoolClassFactory, count_queries, query_count_mismatches

pytestmark = pytest.mark.django_db

LIST_URLS = [
    "/k/k1/",
    "/k/k1/classes/",
    "/k/k1/children/",
    "/k/k1/staff/",
    "/k/k1/audit/",
    "/api/k/k1/children",
    "/api/k/k1/classes",
    "/api/k/k1/staff",
]


def _grow(world, n_classes=3, per_class=15):
    campus = world.k1.campuses[0]
    for i in range(n_classes):
        c = SchoolClassFactory(campus=campus, name=f"加{i}班")
        for _ in range(per_class):
            GuardianFactory(child=ChildFactory(school_class=c))


def test_query_count_does_not_grow_with_rows(world, login):
    """Every page and list of LIST_URLS, counted on one world grown from few rows to many (grown once
    for all of them)."""
    client = login(world.k1.users[Role.PRINCIPAL])
    counted, wrong = query_count_mismatches(LIST_URLS, lambda url: client, lambda: _grow(world), budget=12)
    assert wrong == [], "\n".join(wrong)
    assert len(counted) == len(LIST_URLS) == 8


def test_district_page_query_count_is_fixed(world, login):
    from houqin.testing import KindergartenFactory

    client = login(world.supervisor)
    client.get("/d/chengnan/")  # warm-up: the first request stamps the session
    small = count_queries(client, "/d/chengnan/")
    for _ in range(5):
        KindergartenFactory(district=world.district_a)
    assert count_queries(client, "/d/chengnan/") == small


def test_child_list_links_each_child_to_its_page(world, login):
    body = login(world.k1.users[Role.PRINCIPAL]).get("/k/k1/children/").content.decode()
    for child in world.k1.children:
        assert f'href="/k/k1/children/{child.code}/"' in body

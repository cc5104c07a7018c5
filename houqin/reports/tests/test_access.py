"""Who may open what (role × route × scope), the district comparison without child data, the
parents' corner, and list pages whose query count does not grow with rows."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from houqin.org.models import Child, Role
from houqin.reports import services
from houqin.reports.models import Summary
from houqin.reports.tests.conftest import actor_of
from houqin.testing import MISSING, run_matrix

pytestmark = pytest.mark.django_db

ROUTES = [
    ("/k/{kg}/reports/", "reports.summary.view", None),
    ("/k/{kg}/reports/terms/new/", "reports.summary.edit", None),
    ("/k/{kg}/reports/summaries/{code}/", "reports.summary.view", "summary"),
    ("/k/{kg}/reports/summaries/{code}/edit/", "reports.summary.edit", "summary"),
    ("/k/{kg}/reports/summaries/{code}/versions/", "reports.summary.view", "summary"),
    ("/k/{kg}/reports/summaries/{code}/summary.docx", "reports.summary.view", "summary"),
    ("/k/{kg}/family/", "reports.family.view", None),
    ("/api/k/{kg}/reports/terms", "reports.summary.view", None),
    ("/api/k/{kg}/reports/summaries/{code}", "reports.summary.view", "summary"),
    ("/api/k/{kg}/reports/summaries/{code}/versions", "reports.summary.view", "summary"),
]


def test_matrix(world, term_records):
    s1 = services.summary_draft(actor=actor_of(world, Role.DIRECTOR), term=term_records.k1.term).summary
    s2 = services.summary_draft(actor=actor_of(world, Role.DIRECTOR, "k2"), term=term_records.k2.term).summary
    mismatches, checked = run_matrix(world, ROUTES, {"summary": {"k1": s1, "other_kg": s2, "missing": MISSING}})
    assert mismatches == [] and checked > 250


def test_the_supervisor_compares_their_district_and_never_sees_a_child(world, term_records, login):
    supervisor = login(world.supervisor)
    page = supervisor.get("/d/chengnan/compare/")
    assert page.status_code == 200
    html = page.content.decode()
    assert world.k1.kg.name in html and world.k2.kg.name in html and world.k3.kg.name not in html
    names = list(Child.objects.values_list("name", flat=True))
    assert not [n for n in names if n in html]
    xlsx = supervisor.get("/d/chengnan/compare.xlsx")
    from openpyxl import load_workbook

    cells = [str(c.value) for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows() for c in row if c.value]
    assert world.k1.kg.name in cells and world.k2.kg.name in cells
    assert not [n for n in names if any(n in c for c in cells)]
    api = supervisor.get("/api/d/chengnan/compare").json()
    assert {r["kindergarten"] for r in api["rows"]} == {world.k1.kg.name, world.k2.kg.name}
    # A supervisor opens no child, in any kindergarten of the district, by page or API.
    for child in (world.k1.own_child, world.k2.own_child):
        kg = child.kindergarten.slug
        assert supervisor.get(f"/k/{kg}/children/{child.code}/").status_code in (403, 404)
        assert supervisor.get(f"/api/k/{kg}/children/{child.code}").status_code in (403, 404)
    assert supervisor.get("/k/k1/family/").status_code == 404
    # The other district's supervisor sees nothing here; staff and parents neither.
    assert login(world.supervisor_b).get("/d/chengnan/compare/").status_code == 404
    assert login(world.k1.users[Role.PRINCIPAL]).get("/d/chengnan/compare/").status_code == 404
    # The district's GET routes, as the supervisor, the other district's, a principal and a visitor.
    from django.test import Client

    for url in ("/d/chengnan/compare/", "/d/chengnan/compare.xlsx", "/d/chengnan/compare/k1/",
                "/d/chengnan/compare/k2/", "/api/d/chengnan/compare"):
        assert supervisor.get(url).status_code == 200, url
        assert login(world.supervisor_b).get(url).status_code == 404, url
        assert login(world.k1.users[Role.DIRECTOR]).get(url).status_code == 404, url
        assert Client().get(url).status_code == (401 if url.startswith("/api/") else 302), url
    assert supervisor.get("/d/chengnan/compare/k3/").status_code == 404  # a kindergarten of another district
    assert supervisor.get("/d/chengnan/compare/nowhere/").status_code == 404


def test_the_comparison_costs_a_fixed_number_of_queries(world, term_records, login):
    from houqin.testing import _kindergarten

    supervisor = login(world.supervisor)
    supervisor.get("/d/chengnan/compare/")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert supervisor.get("/d/chengnan/compare/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(3):
        _kindergarten(world.district_a, f"extra{i}", f"新增幼儿园{i}", f"x{i}", [("小一班", 1)])
    assert count() == before


def test_the_parents_corner_gathers_notices_and_fees(world, term_records, login):
    from houqin.notices.models import NoticeReceipt

    parent = login(world.k1.users[Role.PARENT])
    page = parent.get("/k/k1/family/")
    html = page.content.decode()
    assert page.status_code == 200 and "防溺水安全告家长书" in html and world.k1.own_child.name in html
    assert world.k1.children[1].name not in html  # another family's child
    from houqin.notices.models import Notice

    notice = Notice.objects.get(kindergarten=world.k1.kg, title="防溺水安全告家长书")
    parent.get(f"/k/k1/notices/{notice.code}/")
    assert NoticeReceipt.objects.filter(notice=notice, user=world.k1.users[Role.PARENT]).exists()
    assert login(world.k1.users[Role.DIRECTOR]).get("/k/k1/family/").status_code == 403


LIST_URLS = ["/k/k1/reports/", "/api/k/k1/reports/terms", "/k/k1/family/"]


def test_list_pages_run_a_fixed_number_of_queries(world, term_records, login):
    import datetime as dt

    director, parent = login(world.k1.users[Role.DIRECTOR]), login(world.k1.users[Role.PARENT])

    def counts():
        result = []
        for url in LIST_URLS:
            client = parent if "family" in url else director
            client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200, url
            result.append(len(ctx.captured_queries))
        summary = Summary.objects.get(term=term_records.k1.term)
        with CaptureQueriesContext(connection) as ctx:
            director.get(f"/k/k1/reports/summaries/{summary.code}/versions/")
        return result + [len(ctx.captured_queries)]

    d = actor_of(world, Role.DIRECTOR)
    services.summary_draft(actor=d, term=term_records.k1.term)
    before = counts()
    for year in (2030, 2031, 2032):
        term = services.term_create(actor=d, name=f"{year}春", start=dt.date(year, 2, 1), end=dt.date(year, 7, 1))
        services.summary_draft(actor=d, term=term)
    services.summary_draft(actor=d, term=term_records.k1.term)
    from houqin.notices.services import publish_notice

    for i in range(5):
        publish_notice(kindergarten=world.k1.kg, user=world.k1.users[Role.DIRECTOR], title=f"通知{i}", body="x")
    assert counts() == before

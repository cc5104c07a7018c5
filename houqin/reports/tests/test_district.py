"""The district comparison: normalised per 100 children and as rates, values outside their rule
marked with the rule, sorted on the server, the trend against the previous term, the .xlsx and the
API keep the same, the district home says what needs the supervisor, and the cost does not grow
with the number of kindergartens."""

import datetime as dt
import io
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from houqin.core.registry import Figure
from houqin.org.models import Child, Role
from houqin.reports import district

A = SimpleNamespace(pk=1, name="甲园", slug="a")
B = SimpleNamespace(pk=2, name="乙园", slug="b")


def figs(children, found, closed, balance, catch_up, drills):
    def f(key, value, unit=""):
        return Figure(key, key, None if value is None else Decimal(str(value)), unit, "safety", district=True)

    return [f("summary.children", children, "名"), f("safety.hazards_found", found, "项"),
            f("safety.hazards_closed", closed, "项"), f("canteen.account_balance", balance, "%"),
            f("health.catch_up_rate", catch_up, "%"), f("safety.drills", drills, "次")]


LIMITS = {"account_balance": Decimal(2), "catch_up_min": Decimal(95), "drills_per_term": Decimal(3)}


def _cell(result, kg, key):
    row = next(r for r in result["rows"] if r["kindergarten"] is kg)
    return row["cells"][[c["key"] for c in result["columns"]].index(key)]


def test_counts_are_per_100_children_rates_stay_rates_and_the_rule_breaches_are_marked():
    figures = {1: figs(598, 24, 20, "61.0", 80, 3), 2: figs(101, 12, 12, "1.0", 100, 1)}
    previous = {1: figs(600, 30, 15, "2.0", 90, 3), 2: figs(100, 12, 6, "1.0", None, 1)}
    with translation.override("zh-hans"):
        result = district.table([A, B], figures, previous, {1: LIMITS, 2: LIMITS})
    columns = {c["key"]: c for c in result["columns"]}
    assert columns["safety.hazards_found"]["mode"] == "per100" and columns["safety.hazards_found"]["basis"] == "每百名幼儿"
    assert columns["canteen.account_balance"]["basis"] == "%"
    # 24 hazards for 598 children and 12 for 101: per 100, the small kindergarten has three times more.
    assert _cell(result, A, "safety.hazards_found")["number"] == Decimal("4.0")
    assert _cell(result, B, "safety.hazards_found")["number"] == Decimal("11.9")
    assert _cell(result, A, "safety.hazards_found")["detail"].startswith("24")
    # The rectification rate is closed / found.
    assert _cell(result, A, "safety.hazard_closure_rate")["number"] == Decimal("83.3")
    assert _cell(result, B, "safety.hazard_closure_rate")["display"] == "100%"
    # Outside the rule: A's meal account (61 % against ±2 %) and catch-up (80 % < 95 %), B's drills (1 < 3).
    marked = {(r["kindergarten"].name, c["key"]): c["rule"] for r in result["rows"] for c in r["cells"] if c["flag"]}
    assert marked == {("甲园", "canteen.account_balance"): "±2%", ("甲园", "health.catch_up_rate"): "≥95%",
                      ("乙园", "safety.drills"): "≥3次"}
    assert "61%" in _cell(result, A, "canteen.account_balance")["why"]
    assert [r["flags"] for r in result["rows"]] == [2, 1]
    # The trend against the previous term, on the normalised value.
    assert _cell(result, A, "safety.hazards_found")["trend"] == "down"  # 5.0 → 4.0 per 100
    assert _cell(result, A, "safety.hazard_closure_rate")["trend"] == "up"  # 50 % → 83.3 %
    assert _cell(result, B, "safety.drills")["trend"] == "same"
    assert _cell(result, B, "health.catch_up_rate")["trend"] == ""  # nothing to compare with
    # The district's line: hazards per 100 of all the children, the mean of the rates.
    summary = dict(zip([c["key"] for c in result["columns"]], result["summary"], strict=True))
    assert summary["safety.hazards_found"]["number"] == Decimal("5.2")  # 36 / 699 = 5.15
    assert summary["summary.children"]["number"] == 699
    assert summary["health.catch_up_rate"]["number"] == Decimal("90.0")


def test_nothing_is_marked_when_every_rule_is_kept():
    figures = {1: figs(598, 24, 20, "1.5", 96, 3), 2: figs(101, 0, 0, "-2", 100, 4)}
    result = district.table([A, B], figures, {}, {1: LIMITS, 2: LIMITS})
    assert [c for r in result["rows"] for c in r["cells"] if c["flag"]] == []
    assert _cell(result, B, "safety.hazard_closure_rate")["number"] is None  # no hazard found: no rate


def test_rows_sort_by_any_column_with_missing_values_last():
    figures = {1: figs(598, 24, 20, "61.0", None, 3), 2: figs(101, 12, 12, "1.0", 100, 1),
               3: figs(300, 3, 3, "0", 99, 3)}
    c = SimpleNamespace(pk=3, name="丙园", slug="c")
    result = district.table([A, B, c], figures, {}, {1: LIMITS, 2: LIMITS, 3: LIMITS})
    cols = result["columns"]

    def names(key, direction):
        return [r["kindergarten"].name for r in district.sort_rows(result["rows"], cols, key, direction)]

    assert names("safety.hazards_found", "desc") == ["乙园", "甲园", "丙园"]
    assert names("safety.hazards_found", "asc") == ["丙园", "甲园", "乙园"]
    assert names("health.catch_up_rate", "asc") == ["丙园", "乙园", "甲园"]
    assert names("health.catch_up_rate", "desc") == ["乙园", "丙园", "甲园"]
    assert names("flags", "desc")[0] == "甲园"
    assert names("name", "desc") == sorted(["甲园", "乙园", "丙园"], reverse=True)


# --- pages, export, API -------------------------------------------------------------------------


@pytest.fixture
def incidents(world):
    """Three incidents in k1 (6 children) and one in k2 (4 children) this term."""
    from houqin.safety.models import Incident

    now = timezone.now()
    for ns, n in ((world.k1, 3), (world.k2, 1)):
        for i in range(n):
            Incident.objects.create(kindergarten=ns.kg, kind="injury", occurred_at=now - dt.timedelta(days=i + 1),
                                    reported_at=now, location="操场", description="摔倒擦伤")
    return world


def _order(html: str) -> list[str]:
    import re

    return re.findall(r'data-testid="compare-row" data-kindergarten="([^"]+)"', html)


@pytest.mark.django_db
def test_the_page_marks_sorts_filters_and_drills_down(incidents, login):
    world = incidents
    supervisor = login(world.supervisor)
    html = supervisor.get("/d/chengnan/compare/").content.decode()
    # No drill this term in either kindergarten: below the safety rule of each, marked with ⚠ and the rule.
    assert html.count('data-testid="flag"') >= 2 and "≥3" in html
    assert 'data-testid="district-chart"' in html and 'id="district-chart-data"' in html
    assert "vendor/echarts/echarts.min.js" in html
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', html)  # nothing from another host (a CDN)
    by_incidents = "/d/chengnan/compare/?sort=safety.incidents&dir="
    assert _order(supervisor.get(by_incidents + "desc").content.decode()) == ["k1", "k2"]  # 50 vs 25 per 100
    assert _order(supervisor.get(by_incidents + "asc").content.decode()) == ["k2", "k1"]
    # An unknown column or direction sorts by name (彩虹 before 阳光 in the collation of the names).
    assert _order(supervisor.get("/d/chengnan/compare/?sort=nonsense&dir=x").content.decode()) == \
        _order(supervisor.get("/d/chengnan/compare/?sort=name&dir=asc").content.decode())
    assert sorted(_order(supervisor.get("/d/chengnan/compare/?flagged=1").content.decode())) == ["k1", "k2"]
    page = supervisor.get("/d/chengnan/compare/k1/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="trend-table"' in body and world.k1.kg.name in body
    assert not [c for c in Child.objects.values_list("name", flat=True) if c in body]
    assert supervisor.get("/d/chengnan/compare/k3/").status_code == 404  # another district's
    assert login(world.supervisor_b).get("/d/chengnan/compare/k1/").status_code == 404
    assert login(world.k1.users[Role.PRINCIPAL]).get("/d/chengnan/compare/k1/").status_code == 404


@pytest.mark.django_db
def test_the_api_and_the_xlsx_keep_the_normalised_values_and_the_marks(incidents, login):
    from openpyxl import load_workbook

    supervisor = login(incidents.supervisor)
    api = supervisor.get("/api/d/chengnan/compare?sort=safety.incidents&dir=desc").json()
    assert [r["slug"] for r in api["rows"]] == ["k1", "k2"]
    keys = [c["key"] for c in api["columns"]]
    k1 = {c["key"]: c for c in api["rows"][0]["cells"]}
    assert k1["safety.incidents"]["value"] == "50.0" and api["columns"][keys.index("safety.incidents")]["mode"] == "per100"
    assert k1["safety.drills"]["flag"] is True and k1["safety.drills"]["rule"].startswith("≥3")
    assert k1["summary.children"]["flag"] is False and api["breaking"] == 2
    assert supervisor.get("/api/d/chengnan/compare?flagged=true").json()["breaking"] == 2
    sheet = load_workbook(io.BytesIO(supervisor.get("/d/chengnan/compare.xlsx?sort=safety.incidents&dir=desc")
                                     .content)).active
    header = [c.value for c in sheet[2]]
    drills, incidents_col = keys.index("safety.drills") + 2, keys.index("safety.incidents") + 2
    assert header[drills - 1].startswith(api["columns"][drills - 2]["label"]) and header[-1]
    assert sheet.cell(row=3, column=1).value == "阳光幼儿园"
    assert sheet.cell(row=3, column=incidents_col).value == 50
    flagged = sheet.cell(row=3, column=drills)
    assert flagged.fill.fgColor.rgb.endswith("F8CBAD") and "≥3" in flagged.comment.text
    assert sheet.cell(row=3, column=2).comment is None
    assert "[[" not in sheet.cell(row=3, column=len(header)).value
    assert api["rows"][0]["problems"][0] in sheet.cell(row=3, column=len(header)).value


@pytest.mark.django_db
def test_the_comparison_costs_the_same_for_2_and_5_kindergartens(world, login):
    from houqin.testing import _kindergarten

    start, end = dt.date(2025, 9, 1), dt.date(2026, 1, 31)
    supervisor = login(world.supervisor)

    def count():
        counts = []
        for call in (lambda: district.comparison(district=world.district_a, start=start, end=end),
                     lambda: supervisor.get("/api/d/chengnan/compare"),
                     lambda: supervisor.get("/d/chengnan/compare.xlsx")):
            call()
            with CaptureQueriesContext(connection) as ctx:
                call()
            counts.append(len(ctx.captured_queries))
        return counts

    before = count()
    for i in range(3):
        _kindergarten(world.district_a, f"extra{i}", f"新增幼儿园{i}", f"x{i}", [("小一班", 1)])
    assert len(district.comparison(district=world.district_a, start=start, end=end)["rows"]) == 5
    assert count() == before


@pytest.mark.django_db
def test_the_district_home_says_what_needs_the_supervisor_today(world, login):
    from houqin import policy
    from houqin.safety import services as safety

    supervisor = login(world.supervisor)
    html = supervisor.get("/d/chengnan/").content.decode()
    # No drill this term anywhere: both kindergartens break the drills rule; one line with the count,
    # linking to the comparison filtered and sorted to them.
    assert html.count('data-testid="todo-reports"') == 1
    assert "/d/chengnan/compare/?flagged=1&amp;sort=flags&amp;dir=desc" in html
    assert world.k1.kg.name in html and world.k3.kg.name not in html
    # No weekly safety report signed for last week: one line per kindergarten, until it is signed.
    assert html.count('data-testid="todo-safety"') == 2
    principal = policy.actor_for_kindergarten(world.k1.users[Role.PRINCIPAL], world.k1.kg)
    report = safety.report_create(actor=principal, period="week", day=timezone.localdate() - dt.timedelta(days=7))
    safety.report_sign(actor=principal, report=report)
    html = supervisor.get("/d/chengnan/").content.decode()
    assert html.count('data-testid="todo-safety"') == 1
    assert "/d/chengnan/compare/?flagged=1" in html
    # A principal's home has none of this.
    assert login(world.k1.users[Role.PRINCIPAL]).get("/d/chengnan/").status_code == 404


@pytest.mark.django_db
def test_the_providers_that_list_their_keys_give_exactly_those(world):
    """A provider registered with its keys is skipped where none of them is needed: it must give no
    other key (else the district comparison would miss the previous term's value of a new column)."""
    from houqin.core.registry import FIGURE_KEYS

    kindergartens = [world.k1.kg, world.k2.kg]
    assert FIGURE_KEYS
    for provider, keys in FIGURE_KEYS.items():
        given = provider(kindergartens, dt.date(2025, 9, 1), dt.date(2026, 1, 31))
        assert given, provider
        for figures in given.values():
            assert {f.key for f in figures} == keys, provider.__name__


@pytest.mark.django_db
def test_the_previous_term_asks_only_the_providers_of_the_columns_and_the_page_is_the_same(world, monkeypatch):
    from houqin.core import registry

    start, end = dt.date(2025, 9, 1), dt.date(2026, 1, 31)
    with CaptureQueriesContext(connection) as ctx:
        fewer = district.comparison(district=world.district_a, start=start, end=end)
    monkeypatch.setattr(district, "figures_for", lambda k, s, e, keys=None: registry.figures_for(k, s, e))
    with CaptureQueriesContext(connection) as ctx_all:
        every = district.comparison(district=world.district_a, start=start, end=end)
    assert len(ctx.captured_queries) < len(ctx_all.captured_queries)
    assert fewer["columns"] == every["columns"] and fewer["summary"] == every["summary"]
    assert [(r["kindergarten"].pk, r["cells"], r["flags"], r["problems"]) for r in fewer["rows"]] == [
        (r["kindergarten"].pk, r["cells"], r["flags"], r["problems"]) for r in every["rows"]]
    assert any(c["before"] for r in fewer["rows"] for c in r["cells"])

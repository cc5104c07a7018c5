"""Big events (大型活动): an event's needs, its cost against the budget, the one purchase request it makes
through finance's own service; bad input refused in Chinese with nothing saved; every role on every
route; a fixed number of queries for the list."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from houqin.core.errors import Conflict, DomainError
from houqin.finance import events
from houqin.finance.models import Event, EventNeed, PurchaseRequest, RequestStatus
from houqin.org.models import Role
from houqin.testing import MISSING, run_matrix

pytestmark = pytest.mark.django_db


def _event(fin, k="k1", **changes):
    director = fin.actor(Role.DIRECTOR, k)
    data = {"title": "六一游园会", "kind": "childrens_day", "date": fin.today + dt.timedelta(days=20),
            "lead": fin.user(Role.DIRECTOR, k), "budget": "1500", "children": 120, "guests": 90, "place": "操场"}
    return events.event_create(actor=director, **{**data, **changes})


def _needs(fin, event, k="k1"):
    director = fin.actor(Role.DIRECTOR, k)
    events.need_add(actor=director, event=event, kind="catering", item="小面包", quantity="210", unit="个",
                    unit_price="2.50", responsible="食堂")
    events.need_add(actor=director, event=event, kind="materials", item="游戏道具", quantity="1", unit="套",
                    unit_price="480.00")
    events.need_add(actor=director, event=event, kind="safety", item="急救箱", quantity="2", unit="个", to_buy=False)


def test_the_needs_to_buy_become_one_purchase_request_through_finance(fin):
    event = _event(fin)
    _needs(fin, event)
    assert events.cost(event.needs.all()) == Decimal("1005.00")  # 210 × 2.50 + 480; the first-aid kits are ours
    assert events.over_budget(event) is None
    event = events.event_request_purchase(actor=fin.actor(Role.DIRECTOR), event=event, category=fin.category("其他"))
    request = PurchaseRequest.objects.get(pk=event.purchase_request_id)
    assert request.total == Decimal("1005.00") and request.status == RequestStatus.SUBMITTED
    assert sorted(line.description for line in request.lines.all()) == ["小面包", "游戏道具"]
    assert "六一游园会" in request.title and request.category.name == "其他"
    with pytest.raises(Conflict):  # once only
        events.event_request_purchase(actor=fin.actor(Role.DIRECTOR), event=event, category=fin.category("其他"))
    assert PurchaseRequest.objects.count() == 1
    with pytest.raises(DomainError):  # nothing more is added to an event whose request is made
        events.need_add(actor=fin.actor(Role.DIRECTOR), event=event, item="横幅", quantity="1", unit="条",
                        unit_price="80")
    assert EventNeed.objects.count() == 3


def test_over_budget_is_said(fin):
    event = _event(fin, budget="500")
    _needs(fin, event)
    assert events.over_budget(event) == Decimal("505.00")
    client = Client()
    client.force_login(fin.user(Role.DIRECTOR))
    with translation.override("zh-hans"):
        page = client.get(f"/k/k1/finance/events/{event.code}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "超出预算" in page and "¥505.00" in page


@pytest.mark.parametrize("changes, field", [
    ({"title": " "}, "title"), ({"budget": "-1"}, "budget"), ({"budget": "abc"}, "budget"),
    ({"kind": "party"}, "kind"), ({"children": -3}, "children"), ({"lead": None}, "lead"),
])
def test_a_bad_event_is_refused_and_nothing_saved(fin, changes, field):
    with translation.override("zh-hans"), pytest.raises(DomainError) as exc:
        _event(fin, **changes)
    assert field in [e["field"] for e in exc.value.errors]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in str(e["message"])) for e in exc.value.errors)
    assert Event.objects.count() == 0


def test_a_lead_from_another_kindergarten_and_bad_needs_are_refused(fin):
    with pytest.raises(DomainError) as exc:
        _event(fin, lead=fin.user(Role.DIRECTOR, "k2"))
    assert exc.value.errors[0]["field"] == "lead" and Event.objects.count() == 0
    event = _event(fin)
    director = fin.actor(Role.DIRECTOR)
    for bad in ({"quantity": "-2", "unit_price": "3"}, {"quantity": "2", "unit_price": None},
                {"quantity": "2", "unit_price": "NaN"}, {"quantity": "0", "unit_price": "3"}):
        with pytest.raises(DomainError):
            events.need_add(actor=director, event=event, item="彩带", unit="卷", **bad)
    assert EventNeed.objects.count() == 0
    with pytest.raises(DomainError):  # nothing to buy: no request
        events.event_request_purchase(actor=director, event=event, category=fin.category("其他"))
    assert PurchaseRequest.objects.count() == 0


def test_only_the_principal_and_director_plan_and_only_purchasers_make_the_request(fin):
    from houqin.core.errors import Forbidden

    for role in (Role.ACCOUNTANT, Role.CLASS_TEACHER, Role.CANTEEN):
        with pytest.raises(Forbidden):
            events.event_create(actor=fin.actor(role), title="开放日", kind="open_day", date=fin.today,
                                lead=fin.user(Role.DIRECTOR), budget="100")
    event = events.event_create(actor=fin.actor(Role.PRINCIPAL), title="开放日", kind="open_day",
                                date=fin.today, lead=fin.user(Role.DIRECTOR), budget="100")
    events.need_add(actor=fin.actor(Role.PRINCIPAL), event=event, item="茶水", quantity="20", unit="杯",
                    unit_price="2")
    with pytest.raises(Forbidden):  # the principal approves purchases; the director asks for them
        events.event_request_purchase(actor=fin.actor(Role.PRINCIPAL), event=event, category=fin.category("其他"))
    assert PurchaseRequest.objects.count() == 0 and Event.objects.count() == 1


def test_pages_and_api_plan_an_event_list_its_needs_and_make_the_request(fin):
    client = Client()
    client.force_login(fin.user(Role.DIRECTOR))
    response = client.post("/k/k1/finance/events/new/", {
        "title": "开放日", "kind": "open_day", "date": str(fin.today + dt.timedelta(days=9)), "children": "80",
        "guests": "60", "lead": str(fin.user(Role.DIRECTOR).pk), "budget": "800"})
    assert response.status_code == 302
    event = Event.objects.get()
    url = f"/k/k1/finance/events/{event.code}/"
    assert client.post(url, {"kind": "catering", "item": "水果", "quantity": "-1", "unit": "份",
                             "to_buy": "on", "unit_price": "3"}).status_code == 200  # refused, shown again
    assert client.post(url, {"kind": "catering", "item": "水果", "quantity": "140", "unit": "份",
                             "to_buy": "on", "unit_price": "3"}).status_code == 302
    category = fin.category("其他")
    client.post(f"{url}purchase/", {"category": str(category.pk)})
    event.refresh_from_db()
    assert event.purchase_request.total == Decimal("420.00")
    api = client.get(f"/api/k/k1/finance/events/{event.code}").json()
    assert api["cost"] == "420.00" and api["needs"][0]["item"] == "水果"
    created = client.post("/api/k/k1/finance/events", json.dumps({
        "title": "毕业典礼", "kind": "graduation", "date": str(fin.today + dt.timedelta(days=30)),
        "lead": fin.user(Role.DIRECTOR).username, "budget": "2000"}), content_type="application/json")
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    bad = client.post(f"/api/k/k1/finance/events/{code}/needs", json.dumps({"item": "花束", "quantity": "x",
                                                                            "unit": "束", "unit_price": "30"}),
                      content_type="application/json")
    assert bad.status_code in (400, 422) and EventNeed.objects.filter(event__code=code).count() == 0
    assert client.post(f"/api/k/k1/finance/events/{code}/needs", json.dumps({
        "item": "花束", "quantity": "12", "unit": "束", "unit_price": "30"}),
        content_type="application/json").status_code == 201
    assert client.post(f"/api/k/k1/finance/events/{code}/purchase-request", json.dumps({
        "category_code": str(category.code)}), content_type="application/json").status_code == 201
    assert PurchaseRequest.objects.count() == 2


ROUTES = [
    ("/k/{kg}/finance/events/", "finance.event.view", None),
    ("/k/{kg}/finance/events/new/", "finance.event.change", None),
    ("/k/{kg}/finance/events/{code}/", "finance.event.view", "event"),
    ("/api/k/{kg}/finance/events", "finance.event.view", None),
    ("/api/k/{kg}/finance/events/{code}", "finance.event.view", "event"),
]


def test_matrix_every_role_every_event_route(fin):
    objects = {"event": {"k1": _event(fin), "other_kg": _event(fin, k="k2"), "missing": MISSING}}
    mismatches, checked = run_matrix(fin.world, ROUTES, objects)
    assert mismatches == []
    assert checked > 60


EVENT_LIST_QUERIES = 7  # the session, user and membership, the menu, the events, their needs, their requests


def test_the_event_list_costs_a_fixed_number_of_queries(fin, django_assert_num_queries):
    client = Client()
    client.force_login(fin.user(Role.DIRECTOR))
    _needs(fin, _event(fin))
    client.get("/k/k1/finance/events/")
    with django_assert_num_queries(EVENT_LIST_QUERIES, exact=False) as ctx:
        client.get("/k/k1/finance/events/")
    first = len(ctx.captured_queries)
    for days in (-30, -10, 40):
        _needs(fin, _event(fin, date=fin.today + dt.timedelta(days=days)))
    with django_assert_num_queries(first):
        page = client.get("/k/k1/finance/events/")
    assert page.content.decode().count('data-testid="event-row"') == 4

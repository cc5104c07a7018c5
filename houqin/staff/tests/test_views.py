"""The staff pages and endpoints: list pages run a fixed number of queries whatever the number of rows;
the main flows work through the pages and the API with the same services."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client

from houqin.org.models import Role
from houqin.staff import services
from houqin.staff.models import Assessment, ProcedureCheck, Rating
from houqin.staff.tests.conftest import actor_of, make_staff, today
from houqin.testing import make_member, query_count_mismatches

pytestmark = pytest.mark.django_db

LIST_URLS = [
    ("director", "/k/k1/"),
    ("director", "/k/k1/staff/"),
    ("director", "/k/k1/staff/assessments/?month=2026-10"),
    ("director", "/k/k1/staff/assessments/payroll.xlsx?month=2026-10"),
    ("director", "/k/k1/staff/awards/?month=2026-10"),
    ("director", "/k/k1/staff/trainings/"),
    ("director", "/k/k1/staff/meetings/"),
    ("director", "/k/k1/staff/certificates/"),
    ("director", "/k/k1/staff/procedure/?date=2026-11-20"),
    ("director", "/k/k1/staff/me/"),
    ("nursery", "/k/k1/staff/me/"),
    ("nursery", "/k/k1/staff/rate/"),
    ("parent", "/k/k1/staff/rate/"),
    ("director", "/api/k/k1/staff/posts"),
    ("director", "/api/k/k1/staff/assessments?month=2026-10"),
    ("director", "/api/k/k1/staff/trainings"),
    ("director", "/api/k/k1/staff/meetings"),
    ("director", "/api/k/k1/staff/certificates"),
    ("nursery", "/api/k/k1/staff/assessments/mine"),
    ("nursery", "/api/k/k1/staff/ratings/mine"),
]


def _grow(world, s, rounds: int, offset: int):
    """More of everything: staff on posts with deductions, trainings with attendance, meetings with
    actions, certificates, ratings, procedure ticks."""
    health = actor_of(world, Role.HEALTH_TEACHER)
    director = s.director
    for i in range(rounds):
        n = offset + i
        cook = make_member(f"cook{n}", Role.CANTEEN, world.k1.kg)
        aunt = make_member(f"aunt{n}", Role.NURSERY, world.k1.kg, classes=[world.k1.own_class])
        services.assign(actor=director, user=cook, post=s.cook_post, started_on=dt.date(2026, 9, 1))
        services.assign(actor=director, user=aunt, post=s.nursery_post, started_on=dt.date(2026, 9, 1))
        services.certificate_add(actor=health, user=cook, issued_on=dt.date(2025, 11, 1) + dt.timedelta(days=n))
        t = services.training_create(actor=director, topic=s.six_t, date=dt.date(2026, 9, 10 + n), trainer="区疾控",
                                     attendees=[cook, aunt])
        services.training_record(actor=director, training=t, rows=[{"user": aunt, "attended": False}])
        services.meeting_create(actor=director, date=dt.date(2026, 10, 1 + n), title=f"第{n}次例会", attendees=[cook],
                                actions=[{"description": f"事项{n}", "owner": actor_of(world, Role.NURSERY).user,
                                          "due_date": dt.date(2026, 11, 1 + n)}])
        step = services.step_save(actor=director, title=f"步骤{n}", sort_order=n)
        services.procedure_tick(actor=director, school_class=world.k1.own_class, date=dt.date(2026, 11, 20), step=step)
    services.assessment_generate(actor=director, month=dt.date(2026, 10, 1))
    for a in Assessment.objects.filter(month=dt.date(2026, 10, 1), post=s.cook_post):
        services.deduction_add(actor=director, assessment=a, item=s.item_sample, date=dt.date(2026, 10, 20))
    rnd = services.current_round(world.k1.kg) or services.round_create(
        actor=director, title="本月", starts_on=today() - dt.timedelta(days=1), ends_on=today() + dt.timedelta(days=5))
    parent = actor_of(world, Role.PARENT)
    for t in services.rateable(parent, rnd):
        if t.rating is None:
            services.rating_submit(actor=parent, ratee=t.ratee, stars=4)


def test_list_pages_run_a_fixed_number_of_queries(world):
    s = make_staff(world)
    _grow(world, s, 2, 0)
    users = {"director": world.k1.users[Role.DIRECTOR], "nursery": world.k1.users[Role.NURSERY],
             "parent": world.k1.users[Role.PARENT]}
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    counted, wrong = query_count_mismatches(LIST_URLS, lambda page: clients[page[0]], lambda: _grow(world, s, 4, 2),
                                            budget=None)  # no budget: the count only must not change
    assert wrong == [], "\n".join(wrong)
    assert len(counted) == len(LIST_URLS) == 20


def test_the_assessment_flow_through_the_pages(world):
    s = make_staff(world)
    services.training_create(actor=s.director, topic=s.disinfect, date=dt.date(2026, 10, 8), trainer="王保健",
                             attendees=[s.nursery])
    client = Client()
    client.force_login(world.k1.users[Role.DIRECTOR])
    r = client.post("/k/k1/staff/assessments/generate/", {"month": "2026-10"})
    assert r.status_code == 302
    sheet = Assessment.objects.get(user=s.nursery, month=dt.date(2026, 10, 1))
    r = client.post(f"/k/k1/staff/assessments/{sheet.code}/deduct/",
                    {"item": s.item_disinfect.pk, "date": "2026-10-20", "note": "午餐前未消毒"})
    assert r.status_code == 302
    page = client.get(f"/k/k1/staff/assessments/{sheet.code}/").content.decode()
    assert 'data-factor="2"' in page and 'data-amount="4"' in page
    # a date outside the month is refused on the form, nothing saved
    r = client.post(f"/k/k1/staff/assessments/{sheet.code}/deduct/",
                    {"item": s.item_disinfect.pk, "date": "2026-11-02"})
    assert r.status_code == 200 and sheet.deductions.count() == 1
    xlsx = client.get("/k/k1/staff/assessments/payroll.xlsx?month=2026-10")
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx.content))
    rows = {row[1]: row for row in wb["考核奖"].iter_rows(min_row=2, values_only=True)}
    assert Decimal(str(rows[s.nursery.display_name][8])) == Decimal("576")  # 600 × 96 / 100
    assert wb["扣分明细"].max_row == 2


def test_the_api_uses_the_same_services(world):
    s = make_staff(world)
    client = Client()
    client.force_login(world.k1.users[Role.DIRECTOR])
    r = client.post("/api/k/k1/staff/assessments/generate", {"month": "2026-10"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["sheets"] == 2
    code = Assessment.objects.get(user=s.cook).code
    r = client.post(f"/api/k/k1/staff/assessments/{code}/deductions",
                    {"item_code": str(s.item_sample.code), "date": "2026-10-09", "note": "未留样"},
                    content_type="application/json")
    assert r.status_code == 201
    body = r.json()
    assert body["score"] == "97.00" and body["bonus"] == "776.00" and body["deductions"][0]["factor"] == "1.00"
    r = client.post(f"/api/k/k1/staff/assessments/{code}/deductions",
                    {"item_code": str(s.item_tidy.code), "date": "2026-10-09"}, content_type="application/json")
    assert r.status_code == 422  # an item of another post
    r = client.post("/api/k/k1/staff/meetings", {
        "date": "2026-11-16", "title": "第12周后勤例会", "decisions": "大一班空调维修",
        "actions": [{"description": "联系空调维修", "owner_id": s.cook.pk, "due_date": "2026-11-18"}]},
        content_type="application/json")
    assert r.status_code == 201 and r.json()["actions"][0]["overdue"] is True
    cook = Client()
    cook.force_login(s.cook)
    mine = cook.get("/api/k/k1/staff/actions/mine").json()
    assert [a["description"] for a in mine] == ["联系空调维修"]
    assert cook.post(f"/api/k/k1/staff/actions/{mine[0]['code']}/done", {"note": "已联系"},
                     content_type="application/json").status_code == 200


def test_a_parent_rates_from_the_rate_page(world, director):
    services.round_create(actor=director, title="爱心阿姨", starts_on=today(), ends_on=today() + dt.timedelta(days=7))
    nursery = world.k1.users[Role.NURSERY]
    client = Client()
    client.force_login(world.k1.users[Role.PARENT])
    page = client.get("/k/k1/staff/rate/").content.decode()
    assert f'data-ratee="{nursery.username}"' in page
    assert client.post("/k/k1/staff/rate/", {"ratee": nursery.pk, "stars": "5", "comment": "谢谢阿姨"}).status_code == 302
    assert client.post("/k/k1/staff/rate/", {"ratee": nursery.pk, "stars": "4"}).status_code == 302
    assert list(Rating.objects.values_list("stars", "rater_kind")) == [(5, "parent")]
    other = make_member("nursery_x", Role.NURSERY, world.k1.kg, classes=[world.k1.classes[2]])
    assert client.post("/k/k1/staff/rate/", {"ratee": other.pk, "stars": "1"}).status_code == 404


def test_the_procedure_tick_with_htmx(world, director):
    step = services.step_save(actor=director, title="开窗通风", time_label="7:30")
    client = Client()
    client.force_login(world.k1.users[Role.NURSERY])
    url = f"/k/k1/staff/procedure/{world.k1.own_class.code}/tick/"
    r = client.post(url, {"step": str(step.code), "date": today().isoformat(), "done": "1"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'data-done="1"' in r.content.decode()
    assert ProcedureCheck.objects.get().done_by == world.k1.users[Role.NURSERY]
    other = f"/k/k1/staff/procedure/{world.k1.other_class.code}/tick/"
    assert client.post(other, {"step": str(step.code), "date": today().isoformat()}).status_code == 404

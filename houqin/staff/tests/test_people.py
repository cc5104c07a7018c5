"""Ratings for 爱心阿姨 (三位一体, once per period, parents only for their child's class), health
certificates (status, to-dos, scans checked by content), meetings' action items (to-dos and findings),
the daily procedure (own class only; a missed school day is a finding) and the term figures."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from houqin.core.errors import Conflict, DomainError, Forbidden
from houqin.core.registry import figures_for, findings_for, todos_for
from houqin.org.models import Role
from houqin.staff import selectors, services
from houqin.staff.models import HealthCertificate, ProcedureCheck, Rating, RaterKind
from houqin.staff.navigation import ACTION_OVERDUE, PROCEDURE_MISSED
from houqin.staff.tests.conftest import actor_of, make_staff, today
from houqin.testing import make_member

pytestmark = pytest.mark.django_db


# --- ratings -------------------------------------------------------------------------------------------


@pytest.fixture
def rnd(director):
    return services.round_create(actor=director, title="2026秋 爱心阿姨", starts_on=today() - dt.timedelta(days=3),
                                 ends_on=today() + dt.timedelta(days=10))


def test_opening_a_period_tells_the_parents(rnd):
    from houqin.notices.models import Notice

    notice = Notice.objects.get(source=f"staff.rating:{rnd.code}")
    assert notice.audience == "parents" and notice.published_at is not None


def test_parents_rate_only_their_childs_class_and_once(world, rnd):
    parent = actor_of(world, Role.PARENT)
    nursery = world.k1.users[Role.NURSERY]  # nursery staff of A1, the parent's child's class
    other = make_member("nursery_b", Role.NURSERY, world.k1.kg, classes=[world.sibling.school_class])
    far = make_member("nursery_c", Role.NURSERY, world.k1.kg, classes=[world.k1.classes[2]])
    targets = services.rateable(parent, rnd)
    assert {t.ratee for t in targets} == {nursery, other}
    assert {t.kind for t in targets} == {RaterKind.PARENT}
    services.rating_submit(actor=parent, ratee=nursery, stars=5, comment="很细心")
    with pytest.raises(Conflict):
        services.rating_submit(actor=parent, ratee=nursery, stars=4)
    with pytest.raises(Http404):
        services.rating_submit(actor=parent, ratee=far, stars=1)
    with pytest.raises(DomainError):
        services.rating_submit(actor=parent, ratee=other, stars=6)
    assert Rating.objects.count() == 1


def test_teachers_and_peers_rate_and_the_weights_decide(world, rnd, director):
    parent = actor_of(world, Role.PARENT)
    teacher = actor_of(world, Role.CLASS_TEACHER)
    nursery = world.k1.users[Role.NURSERY]
    peer_user = make_member("nursery_b", Role.NURSERY, world.k1.kg, classes=[world.k1.classes[1]])
    peer = actor_of(world, Role.NURSERY)
    # the teacher rates her class's nursery staff; the nursery staff rates her peer (never herself)
    assert [t.ratee for t in services.rateable(teacher, rnd)] == [nursery]
    assert [t.ratee for t in services.rateable(peer, rnd)] == [peer_user]
    services.rating_submit(actor=parent, ratee=nursery, stars=5)
    services.rating_submit(actor=teacher, ratee=nursery, stars=3)
    from houqin import policy

    peer_b = policy.actor_for_kindergarten(peer_user, world.k1.kg)
    services.rating_submit(actor=peer_b, ratee=nursery, stars=4)
    services.rating_submit(actor=peer, ratee=peer_user, stars=5)
    results = {r.ratee: r for r in selectors.love_results(rnd)}
    assert results[nursery].weighted == Decimal("4.10")  # 0.4×5 + 0.3×3 + 0.3×4
    assert results[peer_user].weighted == Decimal("5.00")  # only peers rated: their weight alone
    assert results[peer_user].winner and not results[nursery].winner
    services.settings_update(actor=director, weight_parents=Decimal("0.6"), weight_teachers=Decimal("0.2"),
                             weight_peers=Decimal("0.2"))
    assert {r.ratee: r for r in selectors.love_results(rnd)}[nursery].weighted == Decimal("4.40")


def test_no_rating_outside_a_period(world, director):
    services.round_create(actor=director, title="上学期", starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 6, 30),
                          notify_parents=False)
    with pytest.raises(DomainError):
        services.rating_submit(actor=actor_of(world, Role.PARENT), ratee=world.k1.users[Role.NURSERY], stars=5)
    with pytest.raises(DomainError):  # overlapping periods
        services.round_create(actor=director, title="x", starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 7, 1))


# --- health certificates ------------------------------------------------------------------------------


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return out.getvalue()


def test_certificate_status_and_to_dos(world, director):
    health = actor_of(world, Role.HEALTH_TEACHER)
    users = world.k1.users
    services.certificate_add(actor=health, user=users[Role.CANTEEN], issued_on=today() - dt.timedelta(days=400),
                             expires_on=today() - dt.timedelta(days=2))
    services.certificate_add(actor=health, user=users[Role.NURSERY], issued_on=today() - dt.timedelta(days=340),
                             expires_on=today() + dt.timedelta(days=20))
    services.certificate_add(actor=health, user=users[Role.CLASS_TEACHER], issued_on=today() - dt.timedelta(days=10))
    rows = {r.user: r.status for r in selectors.certificate_rows(actor=director)}
    assert rows[users[Role.CANTEEN]] == "expired"
    assert rows[users[Role.NURSERY]] == "expiring"
    assert rows[users[Role.CLASS_TEACHER]] == "valid"
    assert rows[users[Role.HEALTH_TEACHER]] == "missing"
    assert users[Role.GUARD] not in rows and users[Role.ACCOUNTANT] not in rows
    todos = [t for t in todos_for(director) if "health certificate" in t.title]
    assert {(t.urgency, t.title) for t in todos} == {
        (3, "1 health certificates have expired"), (3, "1 staff have no health certificate on file"),
        (2, "1 health certificates expire within 30 days")}
    # a renewal replaces the expired one
    services.certificate_add(actor=health, user=users[Role.CANTEEN], issued_on=today(), scan=SimpleUploadedFile(
        "健康证.png", _png(), content_type="image/png"))
    assert {r.user: r.status for r in selectors.certificate_rows(actor=director)}[users[Role.CANTEEN]] == "valid"
    # the validity proposed from the kindergarten's months
    cert = HealthCertificate.objects.get(user=users[Role.CLASS_TEACHER])
    assert cert.expires_on == services.proposed_expiry(world.k1.kg, cert.issued_on)


@pytest.mark.parametrize("content, name", [(b"hello", "scan.pdf"), (b"<svg onload=alert(1)>", "scan.png"),
                                          (b"%PDF-1.4 /JavaScript (x)", "scan.pdf"), (b"", "empty.jpg")])
def test_a_scan_must_really_be_an_image_or_a_pdf(world, content, name):
    health = actor_of(world, Role.HEALTH_TEACHER)
    with pytest.raises(DomainError) as exc:
        services.certificate_add(actor=health, user=world.k1.users[Role.CANTEEN], issued_on=today(),
                                 scan=SimpleUploadedFile(name, content))
    assert exc.value.errors[0]["field"] == "scan"
    assert not HealthCertificate.objects.exists()


# --- meetings and action items -------------------------------------------------------------------------


def test_action_items_are_to_dos_of_their_owner_and_findings_when_late(world, director):
    cook = world.k1.users[Role.CANTEEN]
    m = services.meeting_create(actor=director, date=today() - dt.timedelta(days=10), title="第10周后勤例会",
                                decisions="厨房排风扇本周修好", actions=[
                                    {"description": "更换厨房排风扇滤网", "owner": cook,
                                     "due_date": today() - dt.timedelta(days=3)},
                                    {"description": "整理留样柜", "owner": cook, "due_date": today() + dt.timedelta(days=2)},
                                ])
    cook_actor = actor_of(world, Role.CANTEEN)
    titles = {t.title: t.urgency for t in todos_for(cook_actor) if t.area == "staff"}
    assert titles == {"Overdue: 更换厨房排风扇滤网": 3, "Due soon: 整理留样柜": 2}
    found = [f for f in findings_for(world.k1.kg, today() - dt.timedelta(days=30), today()) if f.kind == ACTION_OVERDUE]
    assert [(f.user_id, f.date) for f in found] == [(cook.pk, today() - dt.timedelta(days=3))]
    late = m.actions.get(description="更换厨房排风扇滤网")
    with pytest.raises(Forbidden):
        services.action_done(actor=actor_of(world, Role.GUARD), action=late)
    services.action_done(actor=cook_actor, action=late, note="已更换")
    # done late still counts as late; done on time does not count
    assert len([f for f in findings_for(world.k1.kg, today() - dt.timedelta(days=30), today())
                if f.kind == ACTION_OVERDUE]) == 1
    assert "Overdue: 更换厨房排风扇滤网" not in {t.title for t in todos_for(cook_actor)}


def test_a_meeting_s_attendees_are_checked_together_and_must_be_staff(world, director):
    cook, guard = world.k1.users[Role.CANTEEN], world.k1.users[Role.GUARD]
    with CaptureQueriesContext(connection) as ten:
        m = services.meeting_create(actor=director, date=today(), title="例会",
                                    attendees=[guard, str(cook.pk)] + [cook] * 8)  # a form's "12" too
    with CaptureQueriesContext(connection) as one:
        services.meeting_create(actor=director, date=today(), title="例会", attendees=[guard])
    assert set(m.attendees.all()) == {cook, guard}
    assert len(ten.captured_queries) == len(one.captured_queries)  # the list in two queries, however long
    assert services.staff_users(director, [str(cook.pk), guard]) == [cook, guard]
    for outsider in (world.k1.users[Role.PARENT], world.k2.users[Role.CANTEEN]):  # a parent; another kindergarten's
        with pytest.raises(Http404):
            services.meeting_create(actor=director, date=today(), title="例会", attendees=[cook, outsider])
        with pytest.raises(Http404):
            services.training_record(actor=director, training=services.training_create(
                actor=director, topic=services.topic_save(actor=director, name=f"话题{outsider.pk}", category="food_safety"),
                date=today(), trainer="区疾控", attendees=[cook]), rows=[{"user": outsider.pk}])


# --- the daily procedure ------------------------------------------------------------------------------


def test_the_nursery_staff_ticks_her_class_only_and_missed_days_are_findings(world, director):
    from houqin.health.models import Attendance

    step = services.step_save(actor=director, title="开窗通风", time_label="7:30", sort_order=1)
    services.step_save(actor=director, title="餐前桌面消毒", time_label="11:00", sort_order=2)
    nursery = actor_of(world, Role.NURSERY)
    own, other = world.k1.own_class, world.k1.other_class
    services.procedure_tick(actor=nursery, school_class=own, date=today(), step=step)
    services.procedure_tick(actor=nursery, school_class=own, date=today(), step=step)  # twice: once
    assert ProcedureCheck.objects.count() == 1
    with pytest.raises(Http404):
        services.procedure_tick(actor=nursery, school_class=other, date=today(), step=step)
    with pytest.raises(DomainError):
        services.procedure_tick(actor=nursery, school_class=own, date=today() + dt.timedelta(days=1), step=step)
    todo = [t for t in todos_for(nursery) if "Daily procedure" in t.title]
    assert todo and todo[0].title == "Daily procedure of 小一班: 1 of 2 steps ticked"
    # school days = days with attendance; ticked from 3 days ago; 2 days ago nothing ticked
    d3, d2, d1 = (today() - dt.timedelta(days=n) for n in (3, 2, 1))
    services.procedure_tick(actor=director, school_class=own, date=d3, step=step)
    services.procedure_tick(actor=director, school_class=own, date=d1, step=step)
    child = world.k1.own_child
    for d in (d3, d2, d1):
        Attendance.objects.create(kindergarten=world.k1.kg, child=child, school_class=own, date=d, status="present")
    found = [f for f in findings_for(world.k1.kg, d3 - dt.timedelta(days=10), today()) if f.kind == PROCEDURE_MISSED]
    assert [(f.user_id, f.date) for f in found] == [(world.k1.users[Role.NURSERY].pk, d2)]


# --- figures ---------------------------------------------------------------------------------------------


def test_figures_cost_a_fixed_number_of_queries(world):
    s1 = make_staff(world)
    make_staff(world, "k2")
    services.training_create(actor=s1.director, topic=s1.six_t, date=dt.date(2026, 10, 10), trainer="区疾控",
                             attendees=[s1.cook, s1.nursery])
    services.meeting_create(actor=s1.director, date=dt.date(2026, 10, 12), title="例会")
    services.assessment_generate(actor=s1.director, month=dt.date(2026, 10, 1))
    start, end = dt.date(2026, 9, 1), dt.date(2026, 11, 30)
    with CaptureQueriesContext(connection) as one:
        figures = figures_for([world.k1.kg], start, end)
    with CaptureQueriesContext(connection) as three:
        figures_for([world.k1.kg, world.k2.kg, world.k3.kg], start, end)
    assert len(three.captured_queries) == len(one.captured_queries)
    staff_figures = {f.key: f for f in figures[world.k1.kg.pk] if f.section == "staff"}
    assert staff_figures["staff.trainings"].value == 1
    assert staff_figures["staff.training_attendance"].value == Decimal("100.0")
    assert staff_figures["staff.meetings"].value == 1
    assert staff_figures["staff.service_stars"].value == 2  # October: one per post
    assert any("10月 厨师" in item for item in staff_figures["staff.service_stars"].items)
    assert all(f.url.startswith("/k/k1/staff/") for f in staff_figures.values())

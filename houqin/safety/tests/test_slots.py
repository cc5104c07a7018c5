"""Staggered arrival and dismissal (错峰入园/离园): slots per class or grade and gate, no two at the
same gate sharing a class at the same time, an end after the start, a class of this kindergarten;
the parents of the classes covered told in a notice; the gate screen (today's slots gate by gate,
with the posts of the day's duty shifts); the role × route × scope matrix; fixed query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from houqin.core.errors import DomainError, Forbidden
from houqin.notices.models import Notice, NoticeKind
from houqin.org.models import Grade, Role
from houqin.safety import dismissal
from houqin.safety.models import DutyShift, DutySlot, GateSlot, SlotKind
from houqin.safety.tests.conftest import actor_of
from houqin.testing import MISSING, run_matrix

pytestmark = pytest.mark.django_db

T = dt.time


OWN = object()


def _slot(world, k="k1", school_class=OWN, start=T(16, 0), end=T(16, 15), gate="东门", kind=SlotKind.DISMISSAL,
          role=Role.DIRECTOR, **kwargs):
    ns = getattr(world, k)
    data = {"valid_from": timezone.localdate(), "school_class": ns.own_class if school_class is OWN else school_class}
    data.update(kwargs)
    return dismissal.slot_create(actor=actor_of(world, role, k), kind=kind, gate=gate, start=start, end=end,
                                 **data)


def test_a_slot_for_a_class_tells_its_parents_in_a_notice(world):
    slot = _slot(world, note="请从东门排队")
    assert slot.campus == world.k1.own_class.campus and slot.who == "小一班"
    notice = Notice.objects.get(code=slot.notice_code)
    assert notice.kind == NoticeKind.SAFETY and notice.published_at is not None
    assert list(notice.classes.all()) == [world.k1.own_class]
    assert "16:00" in notice.body and "16:15" in notice.body and "东门" in notice.body and "请从东门排队" in notice.body
    assert notice.source == f"safety.slot:{slot.code}"


def test_a_grade_slot_covers_the_grades_classes_of_its_campus(world):
    campus = world.k1.own_class.campus
    slot = _slot(world, school_class=None, grade=Grade.SMALL, campus=campus)
    notice = Notice.objects.get(code=slot.notice_code)
    covered = {c.pk for c in world.k1.classes if c.campus_id == campus.pk and c.grade == Grade.SMALL}
    assert {c.pk for c in notice.classes.all()} == covered and world.k1.own_class.pk in covered
    assert slot.school_class is None and slot.who == "小班"


def test_an_end_before_the_start_is_refused_and_nothing_is_saved(world):
    with pytest.raises(DomainError) as exc:
        _slot(world, start=T(16, 30), end=T(16, 0))
    assert exc.value.errors[0]["field"] == "end"
    assert str(exc.value.message) == "结束时间早于开始时间：时段须在开始之后结束。"
    assert GateSlot.objects.count() == 0 and Notice.objects.count() == 0


def test_overlapping_slots_at_the_same_gate_for_the_same_class_are_refused(world):
    first = _slot(world)
    with pytest.raises(DomainError) as exc:
        _slot(world, start=T(16, 10), end=T(16, 25), gate=" 东门 ")
    assert exc.value.errors[0]["field"] == "start"
    assert "16:00–16:15" in exc.value.message and "东门" in exc.value.message
    # a grade slot that covers the class clashes too
    with pytest.raises(DomainError):
        _slot(world, school_class=None, grade=Grade.SMALL, campus=world.k1.own_class.campus, start=T(15, 50),
              end=T(16, 5))
    assert list(GateSlot.objects.all()) == [first] and Notice.objects.count() == 1
    # another class, another gate, the next slot or arrival at the same time: all fine
    _slot(world, school_class=world.k1.other_class)
    _slot(world, gate="西门")
    _slot(world, start=T(16, 15), end=T(16, 30))
    _slot(world, kind=SlotKind.ARRIVAL)
    assert GateSlot.objects.count() == 5


def test_a_slot_that_ended_before_the_new_one_starts_does_not_clash(world):
    today = timezone.localdate()
    _slot(world, valid_from=today - dt.timedelta(days=30), valid_until=today - dt.timedelta(days=1))
    _slot(world)
    with pytest.raises(DomainError) as exc:
        _slot(world, valid_from=today + dt.timedelta(days=1), valid_until=today)
    assert exc.value.errors[0]["field"] == "valid_until"


def test_a_class_of_another_kindergarten_is_refused_with_a_message(world):
    with pytest.raises(DomainError) as exc:
        _slot(world, school_class=world.k2.own_class)
    assert exc.value.errors[0]["field"] == "school_class"
    assert str(exc.value.message) == "这个班级不是本园的班级。"
    assert GateSlot.objects.count() == 0


def test_only_the_director_and_principal_set_slots(world):
    with pytest.raises(Forbidden):
        _slot(world, role=Role.GUARD)
    with pytest.raises(Forbidden):
        _slot(world, role=Role.CLASS_TEACHER)
    assert GateSlot.objects.count() == 0


def test_a_change_is_checked_and_told_and_a_withdrawal_needs_a_reason(world):
    director = actor_of(world, Role.DIRECTOR)
    slot = _slot(world)
    other = _slot(world, start=T(16, 15), end=T(16, 30))
    with pytest.raises(DomainError):
        dismissal.slot_change(actor=director, slot=slot, gate="东门", start=T(16, 10), end=T(16, 20),
                              valid_from=slot.valid_from)
    slot.refresh_from_db()
    assert slot.start == T(16, 0) and Notice.objects.count() == 2
    dismissal.slot_change(actor=director, slot=slot, gate="东门", start=T(15, 45), end=T(16, 0),
                          valid_from=slot.valid_from)
    slot.refresh_from_db()
    assert slot.start == T(15, 45)
    changed = Notice.objects.order_by("-id").first()
    assert "15:45" in changed.body and "16:00–16:15" in changed.body
    with pytest.raises(DomainError):
        dismissal.slot_void(actor=director, slot=other, reason=" ")
    dismissal.slot_void(actor=director, slot=other, reason="雨天改为统一放学")
    other.refresh_from_db()
    assert other.is_voided and GateSlot.objects.active().count() == 1
    assert "雨天改为统一放学" in Notice.objects.order_by("-id").first().body


def test_the_gate_screen_shows_todays_slots_with_the_posts(world, login):
    today = timezone.localdate()
    _slot(world, start=T(16, 15), end=T(16, 30))
    _slot(world, school_class=world.k1.other_class, start=T(16, 0), end=T(16, 15))
    _slot(world, kind=SlotKind.ARRIVAL, start=T(7, 50), end=T(8, 10), gate="西门")
    _slot(world, school_class=world.k1.other_class, valid_from=today - dt.timedelta(days=9),
          valid_until=today - dt.timedelta(days=1), start=T(17, 0), end=T(17, 10))
    _slot(world, k="k2", gate="东门")
    DutyShift.objects.create(kindergarten=world.k1.kg, date=today, slot=DutySlot.EVENING_PEAK,
                             person=world.k1.users[Role.GUARD], post="东门")
    DutyShift.objects.create(kindergarten=world.k1.kg, date=today, slot=DutySlot.EVENING_PEAK,
                             volunteer_name="王家长", post="东门")
    DutyShift.objects.create(kindergarten=world.k1.kg, date=today, slot=DutySlot.EVENING_PEAK,
                             volunteer_name="李家长", post="巡逻")
    screen = dismissal.gate_screen(actor=actor_of(world, Role.GUARD), day=today, now=T(16, 5))
    arrival, dismissal_row = screen["rows"]
    assert (arrival.kind, arrival.gate) == (SlotKind.ARRIVAL, "西门") and arrival.posts == []
    assert [(s.start, s.who) for s in dismissal_row.slots] == [(T(16, 0), "中一班"), (T(16, 15), "小一班")]
    assert [s.is_now for s in dismissal_row.slots] == [True, False]
    assert [p.who for p in dismissal_row.posts] == ["guard", "王家长"]
    assert [p.who for p in screen["other_posts"]] == ["李家长"]

    page = login(world.k1.users[Role.GUARD]).get("/k/k1/safety/slots/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="gate-slot"') == 3 and "王家长" in html and "17:00" not in html


def test_the_api_sets_a_slot_and_shows_the_gate_screen(world, login):
    director = login(world.k1.users[Role.DIRECTOR])
    response = director.post("/api/k/k1/safety/slots", {
        "kind": "dismissal", "gate": "东门", "start": "16:00", "end": "16:15",
        "valid_from": timezone.localdate().isoformat(), "school_class": str(world.k1.own_class.code)},
        content_type="application/json")
    assert response.status_code == 201, response.content
    bad = director.post("/api/k/k1/safety/slots", {
        "kind": "dismissal", "gate": "东门", "start": "16:05", "end": "16:20",
        "valid_from": timezone.localdate().isoformat(), "school_class": str(world.k1.own_class.code)},
        content_type="application/json")
    assert bad.status_code == 422
    foreign = director.post("/api/k/k1/safety/slots", {
        "kind": "dismissal", "gate": "北门", "start": "16:05", "end": "16:20",
        "valid_from": timezone.localdate().isoformat(), "school_class": str(world.k2.own_class.code)},
        content_type="application/json")
    assert foreign.status_code == 422 and foreign.json()["errors"][0]["field"] == "school_class"
    assert GateSlot.objects.count() == 1
    screen = login(world.k1.users[Role.GUARD]).get("/api/k/k1/safety/slots/today").json()
    assert [g["gate"] for g in screen["gates"]] == ["东门"]
    assert screen["gates"][0]["slots"][0]["who"] == "小一班"


ROUTES = [
    ("/k/{kg}/safety/slots/", "safety.slot.view", None),
    ("/k/{kg}/safety/slots/all/", "safety.slot.view", None),
    ("/k/{kg}/safety/slots/new/", "safety.slot.change", None),
    ("/k/{kg}/safety/slots/{code}/edit/", "safety.slot.change", "slot"),
    ("/api/k/{kg}/safety/slots", "safety.slot.view", None),
    ("/api/k/{kg}/safety/slots/today", "safety.slot.view", None),
    ("/api/k/{kg}/safety/slots/{code}", "safety.slot.view", "slot"),
]


def test_matrix_every_role_every_route_every_scope(world):
    own = _slot(world)
    other_class = _slot(world, school_class=world.k1.classes[2])
    other_kg = _slot(world, k="k2")
    objects = {"slot": {"own": own, "other_class": other_class, "other_kg": other_kg, "missing": MISSING}}
    mismatches, checked = run_matrix(world, ROUTES, objects)
    assert mismatches == []
    assert checked > 100


@pytest.mark.parametrize("role", [Role.GUARD, Role.DIRECTOR])
def test_lists_run_a_fixed_number_of_queries(world, login, role):
    client = login(world.k1.users[role])
    urls = ["/k/k1/safety/slots/", "/k/k1/safety/slots/all/", "/api/k/k1/safety/slots",
            "/api/k/k1/safety/slots/today"]
    _slot(world)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        return len(ctx.captured_queries)

    for u in urls:  # the first request of a session pays for its set-up
        count(u)
    before = {u: count(u) for u in urls}
    today = timezone.localdate()
    for i, c in enumerate(world.k1.classes):
        _slot(world, school_class=c, gate=f"{i}号门", start=T(15, 30))
        DutyShift.objects.create(kindergarten=world.k1.kg, date=today, slot=DutySlot.EVENING_PEAK,
                                 volunteer_name=f"家长{i}", post=f"{i}号门")
    after = {u: count(u) for u in urls}
    assert after == before

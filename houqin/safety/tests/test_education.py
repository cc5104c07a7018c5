"""Safety education (安全教育): sessions planned for the term and recorded as held, for the children
of a class, for staff and for parents (a letter goes to them as a notice); the plan against what was
held; a class of another kindergarten refused; the semester summary's figure; the role × route ×
scope matrix; fixed query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from houqin.core.errors import DomainError, Forbidden
from houqin.notices.models import Notice, NoticeKind
from houqin.org.models import Role
from houqin.safety import education
from houqin.safety.models import EducationAudience, EducationForm, EducationTopic, SafetyLesson
from houqin.safety.tests.conftest import actor_of, days
from houqin.testing import MISSING, run_matrix

pytestmark = pytest.mark.django_db

OWN = object()


def _plan(world, k="k1", role=Role.CLASS_TEACHER, school_class=OWN, **kwargs):
    ns = getattr(world, k)
    data = {"audience": EducationAudience.CHILDREN, "topic": EducationTopic.FIRE, "title": "119消防安全周：认识火",
            "planned_on": days(-2), "school_class": ns.own_class if school_class is OWN else school_class}
    data.update(kwargs)
    return education.lesson_plan(actor=actor_of(world, role, k), **data)


def test_a_class_lesson_planned_then_held(world):
    teacher = actor_of(world, Role.CLASS_TEACHER)
    lesson = _plan(world)
    assert not lesson.is_held and lesson.school_class == world.k1.own_class
    education.lesson_hold(actor=teacher, lesson=lesson, held_on=days(-1), participants=28, summary="认识火的危害")
    lesson.refresh_from_db()
    assert lesson.held_on == days(-1) and lesson.participants == 28 and lesson.held_by == world.k1.users[
        Role.CLASS_TEACHER]
    with pytest.raises(DomainError):
        education.lesson_hold(actor=teacher, lesson=lesson, held_on=days(0), participants=1)
    assert Notice.objects.count() == 0  # a lesson for children sends no notice


def test_a_letter_to_parents_goes_to_them_as_a_safety_notice(world):
    director = actor_of(world, Role.DIRECTOR)
    lesson = _plan(world, role=Role.DIRECTOR, school_class=None, audience=EducationAudience.PARENTS,
                   form=EducationForm.LETTER, topic=EducationTopic.DROWNING, title="暑期防溺水告家长书")
    with pytest.raises(DomainError) as exc:
        education.lesson_hold(actor=director, lesson=lesson, held_on=days(0), participants=0, summary="")
    assert exc.value.errors[0]["field"] == "summary"
    education.lesson_hold(actor=director, lesson=lesson, held_on=days(0), participants=0,
                          summary="不私自下水游泳，不到无安全设施的水域玩耍。")
    lesson.refresh_from_db()
    notice = Notice.objects.get(code=lesson.notice_code)
    assert notice.kind == NoticeKind.SAFETY and notice.title == "暑期防溺水告家长书"
    assert "不私自下水游泳" in notice.body and not notice.classes.exists()


def test_a_lesson_for_a_class_of_another_kindergarten_is_refused(world):
    with pytest.raises(DomainError) as exc:
        _plan(world, role=Role.DIRECTOR, school_class=world.k2.own_class)
    assert exc.value.errors[0]["field"] == "school_class"
    assert str(exc.value.message) == "这个班级不是本园的班级。"
    assert SafetyLesson.objects.count() == 0


def test_bad_input_is_refused_and_nothing_is_saved(world):
    for kwargs in ({"title": " "}, {"planned_on": None}, {"topic": "nonsense"}, {"school_class": None},
                   {"held_on": days(3), "participants": 10}, {"held_on": days(0), "participants": -1}):
        with pytest.raises(DomainError):
            _plan(world, role=Role.DIRECTOR, **kwargs)
    assert SafetyLesson.objects.count() == 0


def test_a_class_teacher_plans_only_for_their_classes(world):
    from houqin.policy import OutOfScope

    with pytest.raises(OutOfScope):
        _plan(world, school_class=world.k1.other_class)
    with pytest.raises(DomainError):
        _plan(world, school_class=None, audience=EducationAudience.STAFF)
    with pytest.raises(Forbidden):
        _plan(world, role=Role.GUARD)
    assert SafetyLesson.objects.count() == 0


def test_the_plan_against_what_was_held(world):
    director = actor_of(world, Role.DIRECTOR)
    held = _plan(world)
    education.lesson_hold(actor=director, lesson=held, held_on=days(-1), participants=25)
    _plan(world)  # planned two days ago, not held
    _plan(world, planned_on=days(5), topic=EducationTopic.TRAFFIC, title="过马路")
    _plan(world, k="k2")
    rows = education.plan_against_done(actor=director, start=days(-30), end=days(30))
    assert [(r["topic"], r["planned"], r["held"], r["late"]) for r in rows] == [
        ("fire", 2, 1, 1), ("traffic", 1, 0, 0)]


def test_the_semester_summary_counts_safety_education_and_injuries(world):
    from houqin.core.registry import figures_for
    from houqin.safety import injuries

    director = actor_of(world, Role.DIRECTOR)
    for topic in (EducationTopic.FIRE, EducationTopic.FIRE, EducationTopic.FOOD):
        education.lesson_hold(actor=director, lesson=_plan(world, topic=topic), held_on=days(-1), participants=20)
    _plan(world, role=Role.DIRECTOR, school_class=None, audience=EducationAudience.STAFF, form=EducationForm.TALK,
          title="消防器材使用培训", held_on=days(0), participants=40)
    _plan(world, planned_on=days(3))
    _plan(world, k="k2", held_on=days(0))
    injuries.injury_record(actor=actor_of(world, Role.CLASS_TEACHER), child=world.k1.own_child,
                           occurred_at=timezone.now() - dt.timedelta(hours=1), location="滑梯旁",
                           description="擦伤")
    today = timezone.localdate()
    figures = {f.key: f for f in figures_for([world.k1.kg], today - dt.timedelta(days=30),
                                             today + dt.timedelta(days=30))[world.k1.kg.pk]}
    education_figure = figures["safety.education"]
    assert education_figure.value == 4 and education_figure.url.startswith("/k/k1/safety/education/?start=")
    assert education_figure.detail == "幼儿3次，教职工1次，家长0次；计划5次"
    assert education_figure.items == ("消防安全3次", "食品安全1次")
    assert figures["safety.injuries"].value == 1


ROUTES = [
    ("/k/{kg}/safety/education/", "safety.education.view", None),
    ("/k/{kg}/safety/education/new/", "safety.education.record", None),
    ("/k/{kg}/safety/education/{code}/", "safety.education.view", "lesson"),
    ("/api/k/{kg}/safety/education", "safety.education.view", None),
    ("/api/k/{kg}/safety/education/plan", "safety.education.view", None),
    ("/api/k/{kg}/safety/education/{code}", "safety.education.view", "lesson"),
]


def test_matrix_every_role_every_route_every_scope(world):
    own = _plan(world)
    other_class = _plan(world, role=Role.DIRECTOR, school_class=world.k1.other_class)
    other_kg = _plan(world, k="k2")
    objects = {"lesson": {"own": own, "other_class": other_class, "other_kg": other_kg, "missing": MISSING}}
    mismatches, checked = run_matrix(world, ROUTES, objects)
    assert mismatches == []
    assert checked > 100


def test_the_api_plans_and_records_as_held(world, login):
    teacher = login(world.k1.users[Role.CLASS_TEACHER])
    response = teacher.post("/api/k/k1/safety/education", {
        "audience": "children", "topic": "traffic", "title": "红绿灯", "planned_on": days(0).isoformat(),
        "school_class": str(world.k1.own_class.code)}, content_type="application/json")
    assert response.status_code == 201, response.content
    code = response.json()["code"]
    held = teacher.post(f"/api/k/k1/safety/education/{code}/held", {"held_on": days(0).isoformat(),
                                                                      "participants": 26},
                        content_type="application/json")
    assert held.status_code == 200 and held.json()["participants"] == 26
    foreign = teacher.post("/api/k/k1/safety/education", {
        "audience": "children", "topic": "traffic", "title": "红绿灯", "planned_on": days(0).isoformat(),
        "school_class": str(world.k2.own_class.code)}, content_type="application/json")
    assert foreign.status_code == 422 and SafetyLesson.objects.count() == 1


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.CLASS_TEACHER])
def test_lists_run_a_fixed_number_of_queries(world, login, role):
    client = login(world.k1.users[role])
    urls = ["/k/k1/safety/education/", "/k/k1/safety/education/?status=overdue", "/api/k/k1/safety/education",
            "/api/k/k1/safety/education/plan", "/k/k1/"]
    _plan(world)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        return len(ctx.captured_queries)

    for u in urls:  # the first request of a session pays for its set-up
        count(u)
    before = {u: count(u) for u in urls}
    for topic in EducationTopic.values[:4]:
        _plan(world, topic=topic)
        _plan(world, topic=topic, held_on=days(0), participants=3)
    after = {u: count(u) for u in urls}
    assert after == before

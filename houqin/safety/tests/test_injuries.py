"""Injuries told to parents (意外伤害登记): recorded by the class staff, told to the child's parents
the same day in a notice, answered by a guardian (acknowledged, or disputed in words), serious ones
into the incident book and, by the kindergarten's rule, to the district; bad input saves nothing;
the role × route × scope matrix; fixed query counts; the semester summary's figure."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from houqin.core.errors import DomainError, Forbidden
from houqin.notices.models import Notice, NoticeKind
from houqin.org.models import Role
from houqin.safety import injuries
from houqin.safety.models import Incident, Injury, InjurySeverity, ParentResponse
from houqin.safety.tests.conftest import actor_of
from houqin.testing import MISSING, run_matrix

pytestmark = pytest.mark.django_db


def _record(world, k="k1", child=None, role=Role.CLASS_TEACHER, **kwargs):
    ns = getattr(world, k)
    data = {"occurred_at": timezone.now() - dt.timedelta(hours=1), "location": "滑梯旁",
            "description": "从滑梯下来时摔倒，右膝擦伤", "first_aid": "保健医生清洗伤口并消毒", "witnesses": "王老师"}
    data.update(kwargs)
    return injuries.injury_record(actor=actor_of(world, role, k), child=child or ns.own_child, **data)


def test_recording_tells_the_childs_parents_in_a_notice(world):
    injury = _record(world)
    notice = Notice.objects.get(code=injury.notice_code)
    assert notice.kind == NoticeKind.SAFETY and notice.published_at is not None
    assert list(notice.children.all()) == [world.k1.own_child]
    assert "右膝擦伤" in notice.body and "保健医生清洗伤口并消毒" in notice.body and "王老师" in notice.body
    assert notice.source == f"safety.injury:{injury.code}"
    assert injury.school_class == world.k1.own_class and not injury.is_serious and injury.incident is None
    assert not injury.district_due


def test_a_record_without_a_time_is_refused_and_nothing_is_saved(world):
    with pytest.raises(DomainError) as exc:
        _record(world, occurred_at=None)
    assert str(exc.value.message) == "请填写孩子受伤的时间。"
    assert exc.value.errors[0]["field"] == "occurred_at"
    assert Injury.objects.count() == 0 and Notice.objects.count() == 0


def test_a_future_time_and_a_missing_description_are_refused(world):
    with pytest.raises(DomainError):
        _record(world, occurred_at=timezone.now() + dt.timedelta(hours=2))
    with pytest.raises(DomainError):
        _record(world, description="  ")
    assert Injury.objects.count() == 0


def test_class_staff_record_only_for_their_own_class(world):
    from houqin.policy import OutOfScope

    with pytest.raises(OutOfScope):
        _record(world, child=world.k1.children[4])
    with pytest.raises(Forbidden):
        _record(world, role=Role.GUARD)
    assert Injury.objects.count() == 0


def test_the_guardian_acknowledges_and_the_first_answer_counts(world):
    injury = _record(world)
    parent = actor_of(world, Role.PARENT)
    injuries.injury_answer(actor=parent, injury=injury, acknowledged=True)
    injury.refresh_from_db()
    assert injury.response == ParentResponse.ACKNOWLEDGED and injury.responded_by == world.k1.users[Role.PARENT]
    with pytest.raises(DomainError):
        injuries.injury_answer(actor=parent, injury=injury, acknowledged=False, words="不是这样")
    injury.refresh_from_db()
    assert injury.response == ParentResponse.ACKNOWLEDGED


def test_a_dispute_needs_words(world):
    injury = _record(world)
    parent = actor_of(world, Role.PARENT)
    with pytest.raises(DomainError) as exc:
        injuries.injury_answer(actor=parent, injury=injury, acknowledged=False, words=" ")
    assert exc.value.errors[0]["field"] == "words"
    injury.refresh_from_db()
    assert not injury.is_answered
    injuries.injury_answer(actor=parent, injury=injury, acknowledged=False, words="孩子说是被同学推倒的")
    injury.refresh_from_db()
    assert injury.response == ParentResponse.DISPUTED and injury.response_text == "孩子说是被同学推倒的"


def test_someone_who_is_not_a_guardian_cannot_answer_and_nothing_is_saved(world, login):
    injury = _record(world, child=world.k1.children[4], role=Role.PRINCIPAL)
    parent = actor_of(world, Role.PARENT)  # a parent of k1, but not of this child
    with pytest.raises(Forbidden) as exc:
        injuries.injury_answer(actor=parent, injury=injury, acknowledged=True)
    assert world.k1.children[4].name in str(exc.value.message) and "监护人" in str(exc.value.message)
    with pytest.raises(Forbidden) as exc:
        injuries.injury_answer(actor=actor_of(world, Role.CLASS_TEACHER), injury=injury, acknowledged=True)
    assert "监护人" in str(exc.value.message)
    client = login(world.k1.users[Role.PARENT])
    assert client.post(f"/k/k1/safety/injuries/{injury.code}/answer/", {"answer": "acknowledge"}).status_code == 404
    api = client.post(f"/api/k/k1/safety/injuries/{injury.code}/answer", {"acknowledged": True},
                      content_type="application/json")
    assert api.status_code == 404
    injury.refresh_from_db()
    assert not injury.is_answered


def test_a_serious_injury_goes_into_the_incident_book_and_to_the_principal_for_the_district(world, login):
    injury = _record(world, severity=InjurySeverity.SERIOUS, doctor_needed=True)
    assert injury.incident is not None and injury.incident.kind == "injury"
    assert injury.incident.child == world.k1.own_child and injury.district_due
    principal = login(world.k1.users[Role.PRINCIPAL])
    home = principal.get("/k/k1/").content.decode()
    assert "1 起严重伤害待报告教育局" in home
    incident_page = principal.get(f"/k/k1/safety/incidents/{injury.incident.code}/").content.decode()
    assert f"/k/k1/safety/injuries/{injury.code}/" in incident_page  # the incident links to the injury
    assert f"/k/k1/safety/incidents/{injury.incident.code}/" in principal.get(
        f"/k/k1/safety/injuries/{injury.code}/").content.decode()  # and back
    assert principal.post(f"/k/k1/safety/injuries/{injury.code}/district/").status_code == 302
    injury.refresh_from_db()
    assert injury.district_reported_at is not None
    assert Incident.objects.get(pk=injury.incident_id).bureau_reported_at is not None
    assert "待报告教育局" not in principal.get("/k/k1/").content.decode()


def test_the_rule_flag_decides_whether_a_serious_injury_goes_to_the_district(world):
    from decimal import Decimal

    from houqin.core import rules as core_rules

    principal = actor_of(world, Role.PRINCIPAL)
    core_rules.override_set(actor=principal, area="safety", key="serious_injury_to_district", value=Decimal(0),
                            source="区教育局2025年通知")
    injury = _record(world, severity=InjurySeverity.SERIOUS)
    assert injury.incident is not None and not injury.district_due


def test_pages_teacher_records_and_parent_answers_on_the_corner(world, login):
    teacher = login(world.k1.users[Role.CLASS_TEACHER])
    assert teacher.get("/k/k1/safety/injuries/new/").status_code == 200
    when = timezone.localtime() - dt.timedelta(minutes=30)
    response = teacher.post("/k/k1/safety/injuries/new/", {
        "child": str(world.k1.own_child.code), "occurred_at": when.strftime("%Y-%m-%dT%H:%M"), "location": "教室",
        "description": "搬椅子时夹到手指", "first_aid": "冷敷", "witnesses": "李阿姨", "severity": "minor"})
    assert response.status_code == 302
    injury = Injury.objects.get()
    empty = teacher.post("/k/k1/safety/injuries/new/", {
        "child": str(world.k1.own_child.code), "occurred_at": "", "location": "教室", "description": "x",
        "severity": "minor"})
    assert empty.status_code == 200 and "请填写孩子受伤的时间。" in empty.content.decode()
    assert Injury.objects.count() == 1
    parent = login(world.k1.users[Role.PARENT])
    corner = parent.get("/k/k1/family/").content.decode()
    assert "搬椅子时夹到手指" in corner and "请回复" in corner
    detail = parent.get(f"/k/k1/safety/injuries/{injury.code}/").content.decode()
    assert "搬椅子时夹到手指" in detail and "冷敷" in detail and "我已知悉" in detail
    assert parent.post(f"/k/k1/safety/injuries/{injury.code}/answer/", {"answer": "acknowledge"}).status_code == 302
    injury.refresh_from_db()
    assert injury.response == ParentResponse.ACKNOWLEDGED
    assert "您已确认知悉" in parent.get("/k/k1/family/").content.decode()


def test_the_api_records_and_the_guardian_answers(world, login):
    teacher = login(world.k1.users[Role.CLASS_TEACHER])
    missing_time = teacher.post("/api/k/k1/safety/injuries", {
        "child": str(world.k1.own_child.code), "location": "操场", "description": "摔倒"},
        content_type="application/json")
    assert missing_time.status_code == 422 and missing_time.json()["detail"] == "请填写孩子受伤的时间。"
    assert Injury.objects.count() == 0
    created = teacher.post("/api/k/k1/safety/injuries", {
        "child": str(world.k1.own_child.code), "occurred_at": timezone.now().isoformat(), "location": "操场",
        "description": "摔倒", "first_aid": "消毒"}, content_type="application/json")
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    parent = login(world.k1.users[Role.PARENT])
    listed = parent.get("/api/k/k1/safety/injuries").json()
    assert [i["code"] for i in listed] == [code]
    answered = parent.post(f"/api/k/k1/safety/injuries/{code}/answer", {"acknowledged": False, "words": "有疑问"},
                           content_type="application/json")
    assert answered.status_code == 200 and answered.json()["response"] == "disputed"


def test_the_semester_summary_counts_injuries_with_a_link(world):
    from houqin.core.registry import figures_for

    _record(world)
    _record(world, severity=InjurySeverity.SERIOUS)
    _record(world, k="k2")
    today = timezone.localdate()
    figures = {f.key: f for f in figures_for([world.k1.kg], today - dt.timedelta(days=30), today)[world.k1.kg.pk]}
    assert figures["safety.injuries"].value == 2
    assert figures["safety.injuries"].url == "/k/k1/safety/injuries/"


ROUTES = [
    ("/k/{kg}/safety/injuries/", "safety.injury.view", None),
    ("/k/{kg}/safety/injuries/new/", "safety.injury.record", None),
    ("/k/{kg}/safety/injuries/{code}/", "safety.injury.view", "injury"),
    ("/api/k/{kg}/safety/injuries", "safety.injury.view", None),
    ("/api/k/{kg}/safety/injuries/{code}", "safety.injury.view", "injury"),
]


def test_matrix_every_role_every_route_every_scope(world):
    own = _record(world)
    other_class = _record(world, child=world.k1.children[4], role=Role.PRINCIPAL)
    sibling = _record(world, child=world.sibling, role=Role.PRINCIPAL)
    other_kg = _record(world, k="k2")
    objects = {"injury": {"own_child": own, "other_class": other_class, "sibling_other_class": sibling,
                          "other_kg": other_kg, "missing": MISSING}}
    mismatches, checked = run_matrix(world, ROUTES, objects)
    assert mismatches == []
    assert checked > 100


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.CLASS_TEACHER, Role.PARENT])
def test_lists_run_a_fixed_number_of_queries(world, login, role):
    client = login(world.k1.users[role])
    urls = ["/k/k1/safety/injuries/", "/k/k1/safety/injuries/?status=unanswered", "/api/k/k1/safety/injuries",
            "/k/k1/family/" if role == Role.PARENT else "/k/k1/"]
    _record(world)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        return len(ctx.captured_queries)

    for u in urls:  # the first request of a session pays for its set-up
        count(u)
    before = {u: count(u) for u in urls}
    for _i in range(4):
        _record(world, severity=InjurySeverity.SERIOUS)
        _record(world, child=world.sibling, role=Role.PRINCIPAL)
    after = {u: count(u) for u in urls}
    assert after == before
    assert before["/k/k1/safety/injuries/"] <= 8


def test_the_weekly_report_to_the_bureau_counts_injuries_and_old_reports_keep_what_they_said(world):
    from houqin.safety.exports import report_rows
    from houqin.safety.figures import report_figures

    _record(world)
    today = timezone.localdate()
    figures = report_figures(world.k1.kg, today - dt.timedelta(days=1), today)
    assert figures["injuries"] == 1
    assert {r["key"]: r["value"] for r in report_rows(figures)}["injuries"] == 1
    frozen_before = {k: v for k, v in figures.items() if k != "injuries"}
    assert "injuries" not in {r["key"] for r in report_rows(frozen_before)}

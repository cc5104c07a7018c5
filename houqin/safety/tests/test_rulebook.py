"""The rule book (制度与应急预案): plans with versions approved by the principal or a director, a review
date (a to-do when due), staff read receipts per version; a drill names the plan it rehearses, only
one of its own kindergarten. Bad input: a clear message, nothing saved."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from houqin.core.errors import DomainError
from houqin.core.registry import todos_for
from houqin.org.models import Role
from houqin.safety import rulebook, services
from houqin.safety.models import Drill, Plan, PlanReceipt, PlanVersion
from houqin.safety.tests.conftest import actor_of, days
from houqin.testing import MISSING, pdf_bytes, run_matrix

pytestmark = pytest.mark.django_db


def _plan(world, k="k1", title="消防应急疏散预案", **version):
    director = actor_of(world, Role.DIRECTOR, k)
    plan = rulebook.plan_create(actor=director, title=title, kind="contingency")
    data = {"approved_by": getattr(world, k).users[Role.PRINCIPAL], "approved_on": days(-10),
            "review_due": days(355), "text": "一、报警。二、疏散。三、清点人数。"}
    data.update(version)
    rulebook.version_add(actor=director, plan=plan, **data)
    return plan


# --- versions: approver, dates, text or file ---------------------------------------------------


def test_a_version_without_an_approver_is_refused_and_nothing_is_saved(world):
    plan = rulebook.plan_create(actor=actor_of(world, Role.DIRECTOR), title="食物中毒应急预案")
    with pytest.raises(DomainError) as exc:
        rulebook.version_add(actor=actor_of(world, Role.DIRECTOR), plan=plan, approved_by=None,
                             approved_on=days(-1), review_due=days(300), text="一、停止食用可疑食物。")
    assert [e["field"] for e in exc.value.errors] == ["approved_by"]
    assert "approv" in str(exc.value.errors[0]["message"]).lower() or "审批" in str(exc.value.errors[0]["message"])
    assert PlanVersion.objects.count() == 0


def test_the_approver_is_the_principal_or_a_director_of_this_kindergarten(world):
    plan = rulebook.plan_create(actor=actor_of(world, Role.DIRECTOR), title="传染病应急预案")
    for approver in (world.k1.users[Role.GUARD], world.k2.users[Role.PRINCIPAL]):
        with pytest.raises(DomainError) as exc:
            rulebook.version_add(actor=actor_of(world, Role.DIRECTOR), plan=plan, approved_by=approver,
                                 approved_on=days(-1), review_due=days(300), text="……")
        assert exc.value.errors[0]["field"] == "approved_by"
    assert PlanVersion.objects.count() == 0


def test_bad_dates_or_an_empty_version_are_refused(world):
    plan = rulebook.plan_create(actor=actor_of(world, Role.DIRECTOR), title="防暴恐应急预案")
    principal = world.k1.users[Role.PRINCIPAL]
    cases = [({"approved_on": days(2), "review_due": days(300), "text": "x"}, "approved_on"),
             ({"approved_on": days(-2), "review_due": days(-3), "text": "x"}, "review_due"),
             ({"approved_on": days(-2), "review_due": None, "text": "x"}, "review_due"),
             ({"approved_on": days(-2), "review_due": days(300), "text": "  "}, "text")]
    for data, field in cases:
        with pytest.raises(DomainError) as exc:
            rulebook.version_add(actor=actor_of(world, Role.DIRECTOR), plan=plan, approved_by=principal, **data)
        assert field in [e["field"] for e in exc.value.errors], data
    bad_file = SimpleUploadedFile("预案.pdf", b"<script>alert(1)</script>", content_type="application/pdf")
    with pytest.raises(DomainError) as exc:
        rulebook.version_add(actor=actor_of(world, Role.DIRECTOR), plan=plan, approved_by=principal,
                             approved_on=days(-2), review_due=days(300), document=bad_file)
    assert exc.value.errors[0]["field"] == "document"
    assert PlanVersion.objects.count() == 0


def test_versions_are_numbered_and_a_file_alone_is_enough(world):
    plan = _plan(world)
    second = rulebook.version_add(
        actor=actor_of(world, Role.PRINCIPAL), plan=plan, approved_by=world.k1.users[Role.DIRECTOR],
        approved_on=days(0), review_due=days(365), changes="新增东侧疏散路线",
        document=SimpleUploadedFile("预案.pdf", pdf_bytes(), content_type="application/pdf"))
    assert second.number == 2 and second.document and second.text == ""
    assert rulebook.get_plan(actor=actor_of(world, Role.GUARD), code=plan.code).current.number == 2


def test_only_the_principal_and_director_write_the_rule_book(world):
    from houqin.core.errors import Forbidden

    for role in (Role.GUARD, Role.CLASS_TEACHER, Role.ACCOUNTANT):
        with pytest.raises(Forbidden):
            rulebook.plan_create(actor=actor_of(world, role), title="门卫管理制度")
    assert Plan.objects.count() == 0


# --- read receipts -----------------------------------------------------------------------------


def test_staff_acknowledge_the_current_version_once_and_again_after_a_new_one(world):
    plan = _plan(world)
    guard = actor_of(world, Role.GUARD)
    first = rulebook.version_acknowledge(actor=guard, plan=plan)
    again = rulebook.version_acknowledge(actor=guard, plan=plan)
    assert first.pk == again.pk and PlanReceipt.objects.count() == 1
    v1 = plan.versions.get(number=1)
    found = rulebook.receipts(actor=actor_of(world, Role.PRINCIPAL), version=v1)
    assert [u for u, _at in found["read"]] == [world.k1.users[Role.GUARD]]
    assert world.k1.users[Role.NURSERY] in found["unread"] and world.k1.users[Role.PARENT] not in found["unread"]
    rulebook.version_add(actor=actor_of(world, Role.DIRECTOR), plan=plan, approved_by=world.k1.users[Role.PRINCIPAL],
                         approved_on=days(0), review_due=days(365), text="第二版")
    v2 = plan.versions.get(number=2)
    assert world.k1.users[Role.GUARD] in rulebook.receipts(actor=actor_of(world, Role.PRINCIPAL), version=v2)["unread"]
    rulebook.version_acknowledge(actor=guard, plan=plan)
    assert PlanReceipt.objects.filter(version=v2, user=world.k1.users[Role.GUARD]).exists()


def test_a_parent_cannot_acknowledge(world):
    from houqin.core.errors import Forbidden

    plan = _plan(world)
    with pytest.raises(Forbidden):
        rulebook.version_acknowledge(actor=actor_of(world, Role.PARENT), plan=plan)
    assert PlanReceipt.objects.count() == 0


# --- drills rehearse a plan --------------------------------------------------------------------


def test_a_drill_naming_another_kindergartens_plan_is_refused_and_nothing_is_saved(world):
    other = _plan(world, k="k2")
    with pytest.raises(DomainError) as exc:
        services.drill_plan(actor=actor_of(world, Role.DIRECTOR), kind="fire", planned_on=days(5), plan=other)
    assert exc.value.errors[0]["field"] == "plan"
    assert Drill.objects.count() == 0
    own = _plan(world)
    drill = services.drill_plan(actor=actor_of(world, Role.DIRECTOR), kind="fire", planned_on=days(5), plan=own)
    assert drill.plan == own
    with pytest.raises(DomainError):
        rulebook.drill_link_plan(actor=actor_of(world, Role.DIRECTOR), drill=drill, plan=other)
    drill.refresh_from_db()
    assert drill.plan == own


def test_the_api_refuses_another_kindergartens_plan_with_a_clear_message(world):
    other = _plan(world, k="k2")
    client = Client()
    client.force_login(world.k1.users[Role.DIRECTOR])
    response = client.post("/api/k/k1/safety/drills", {"kind": "fire", "planned_on": str(days(5)),
                                                         "plan": str(other.code)}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "plan"
    assert Drill.objects.count() == 0


def test_the_page_shows_the_plan_a_drill_rehearses(world):
    plan = _plan(world)
    drill = services.drill_plan(actor=actor_of(world, Role.DIRECTOR), kind="fire", planned_on=days(5))
    client = Client()
    client.force_login(world.k1.users[Role.DIRECTOR])
    response = client.post(f"/k/k1/safety/drills/{drill.code}/plan/", {"plan": str(plan.code)})
    assert response.status_code == 302
    drill.refresh_from_db()
    assert drill.plan == plan
    page = client.get(f"/k/k1/safety/plans/{plan.code}/").content.decode()
    assert f"/k/k1/safety/drills/{drill.code}/" in page


# --- the API: a plan, a version with its file, reading, receipts --------------------------------


def test_the_api_writes_a_plan_and_version_and_records_readings(world):
    from houqin.org.models import Membership

    client = Client()
    client.force_login(world.k1.users[Role.DIRECTOR])
    made = client.post("/api/k/k1/safety/plans", {"title": "食物中毒应急预案"}, content_type="application/json")
    assert made.status_code == 201
    code = made.json()["code"]
    missing = client.post(f"/api/k/k1/safety/plans/{code}/versions", {"approved_on": str(days(-1)),
                                                                     "review_due": str(days(300)), "text": "一、……"})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "approved_by"
    membership = Membership.objects.get(user=world.k1.users[Role.PRINCIPAL], kindergarten=world.k1.kg)
    version = client.post(f"/api/k/k1/safety/plans/{code}/versions", {
        "approved_by": str(membership.code), "approved_on": str(days(-1)), "review_due": str(days(300)),
        "document": SimpleUploadedFile("预案.pdf", pdf_bytes(), content_type="application/pdf")})
    assert version.status_code == 201, version.content
    assert version.json()["current"]["number"] == 1 and version.json()["current"]["has_document"]
    guard = Client()
    guard.force_login(world.k1.users[Role.GUARD])
    assert guard.post(f"/api/k/k1/safety/plans/{code}/read").json()["read_by_me"] is True
    receipts = client.get(f"/api/k/k1/safety/plans/{code}/versions/1/receipts").json()
    assert receipts["read"] == 1 and receipts["total"] > 1
    assert [r["reader"] for r in receipts["rows"] if r["read_at"]] == [world.k1.users[Role.GUARD].display_name]


# --- the principal's to-do ---------------------------------------------------------------------


def test_a_review_past_its_date_is_a_red_todo_for_the_principal(world):
    _plan(world, approved_on=days(-400), review_due=days(-3))
    _plan(world, title="传染病应急预案", approved_on=days(-300), review_due=days(10))
    _plan(world, title="门卫管理制度", approved_on=days(-3), review_due=days(300))
    todos = [t for t in todos_for(actor_of(world, Role.PRINCIPAL)) if "plans/" in t.url]
    assert sorted((t.urgency for t in todos), reverse=True) == [3, 2]
    assert not [t for t in todos_for(actor_of(world, Role.GUARD)) if "plans/" in t.url]


# --- the policy and the list's queries -----------------------------------------------------------

ROUTES = [
    ("/k/{kg}/safety/plans/", "safety.rulebook.view", None),
    ("/k/{kg}/safety/plans/new/", "safety.rulebook.change", None),
    ("/k/{kg}/safety/plans/{code}/", "safety.rulebook.view", "plan"),
    ("/k/{kg}/safety/plans/{code}/versions/new/", "safety.rulebook.change", "plan"),
    ("/k/{kg}/safety/plans/{code}/versions/1/receipts/", "safety.rulebook.receipts", "plan"),
    ("/api/k/{kg}/safety/plans", "safety.rulebook.view", None),
    ("/api/k/{kg}/safety/plans/{code}", "safety.rulebook.view", "plan"),
    ("/api/k/{kg}/safety/plans/{code}/versions/1/receipts", "safety.rulebook.receipts", "plan"),
]


def test_matrix_every_role_every_rulebook_route(world):
    objects = {"plan": {"k1": _plan(world), "other_kg": _plan(world, k="k2"), "missing": MISSING}}
    mismatches, checked = run_matrix(world, ROUTES, objects)
    assert mismatches == []
    assert checked > 100


RULEBOOK_LIST_QUERIES = 8  # the session, user and membership, the plans, their versions with receipts, the menu


def test_the_rule_book_list_costs_a_fixed_number_of_queries(world, django_assert_num_queries):
    client = Client()
    client.force_login(world.k1.users[Role.GUARD])
    _plan(world)
    client.get("/k/k1/safety/plans/")  # warm the session and caches
    with django_assert_num_queries(RULEBOOK_LIST_QUERIES):
        assert client.get("/k/k1/safety/plans/").status_code == 200
    for i in range(4):
        plan = _plan(world, title=f"预案{i}")
        rulebook.version_acknowledge(actor=actor_of(world, Role.GUARD), plan=plan)
    with django_assert_num_queries(RULEBOOK_LIST_QUERIES):
        page = client.get("/k/k1/safety/plans/")
    assert page.content.decode().count('data-testid="plan-row"') == 5

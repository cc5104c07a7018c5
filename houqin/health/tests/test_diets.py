"""过敏与特殊膳食登记: the health teacher enters a child's allergy or diet (confirmed at once); a parent
asks with the doctor's proof and the health teacher confirms; a record is voided with a reason, never
deleted; pages and API alike, the same policy; class staff see their class, parents their child; the
lists run a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from houqin.core.models import ProtectedRecordError
from houqin.health import diets
from houqin.health.models import DietRecord
from houqin.health.tests.conftest import actor_of
from houqin.org.models import Role
from houqin.testing import MISSING, ChildFactory, image_bytes, run_matrix, upload_file

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)


def _form(child, **over):
    data = {"child": str(child.code), "kind": "allergy", "allergen": "egg", "severity": "moderate",
            "reaction": "荨麻疹", "start_date": "2026-11-25", "end_date": "", "diet": ""}
    data.update(over)
    return data


def test_the_health_teacher_enters_an_allergy_and_it_is_confirmed_at_once(world, login):
    client = login(world.k1.users[Role.HEALTH_TEACHER])
    child = world.k1.children[4]
    r = client.post("/k/k1/health/diets/new/", _form(child))
    assert r.status_code == 302
    record = DietRecord.objects.get()
    assert (record.child, record.allergen, record.severity, record.status) == (child, "egg", "moderate", "confirmed")
    assert record.confirmed_by == world.k1.users[Role.HEALTH_TEACHER] and not record.proof
    page = client.get(f"/k/k1/health/children/{child.code}/").content.decode()
    assert 'data-testid="child-diets"' in page and "鸡蛋" in page  # the page is in Chinese


@pytest.mark.parametrize("over, field_word", [
    ({"allergen": ""}, "请选择幼儿过敏的食物"), ({"severity": ""}, "请选择过敏反应的严重程度"),
    ({"kind": "diet", "diet": ""}, "请选择膳食类型"), ({"end_date": "2026-11-01"}, "结束日期早于开始日期"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_saved(world, login, over, field_word):
    client = login(world.k1.users[Role.HEALTH_TEACHER])
    r = client.post("/k/k1/health/diets/new/", _form(world.k1.own_child, **over))
    assert r.status_code == 200 and field_word in r.content.decode()
    api = client.post("/api/k/k1/health/diets", _form(world.k1.own_child, **over))
    assert api.status_code in (400, 422)
    assert not DietRecord.objects.exists()


def test_a_parent_asks_with_the_proof_and_the_health_teacher_confirms_then_voids_with_a_reason(world, login):
    parent = login(world.k1.users[Role.PARENT])
    child = world.k1.own_child
    r = parent.post("/k/k1/health/diets/new/", _form(child))  # no proof: refused
    assert r.status_code == 200 and "请上传医生证明" in r.content.decode() and not DietRecord.objects.exists()
    proof = upload_file(image_bytes(), "诊断.jpg", "image/jpeg")
    r = parent.post("/k/k1/health/diets/new/", _form(child, allergen="milk", proof=proof))
    assert r.status_code == 302
    record = DietRecord.objects.get()
    assert record.status == "requested" and record.proof.name.endswith(".jpg") and record.confirmed_by is None
    # not for the kitchen until confirmed
    assert diets.needs_between(kindergarten=world.k1.kg, start=TODAY, end=TODAY) == []
    # the parent cannot confirm; another child's record: 404 for the parent
    assert parent.post(f"/k/k1/health/diets/{record.code}/confirm/").status_code == 403
    health = login(world.k1.users[Role.HEALTH_TEACHER])
    assert health.get("/k/k1/health/diets/").content.decode().count('data-testid="diet-row"') == 1
    assert health.get(f"/k/k1/health/diets/{record.code}/proof/").status_code == 200
    health.post(f"/k/k1/health/diets/{record.code}/confirm/")
    record.refresh_from_db()
    assert record.status == "confirmed" and record.confirmed_by == world.k1.users[Role.HEALTH_TEACHER]
    [need] = diets.needs_between(kindergarten=world.k1.kg, start=TODAY, end=TODAY)
    assert need["tags"] == {"milk"} and need["child"] == child.name and "reaction" not in need
    # confirming twice: a conflict, nothing changes
    assert health.post(f"/api/k/k1/health/diets/{record.code}/confirm").status_code == 409
    # void: a reason is needed; then the kitchen no longer sees it; never deleted
    health.post(f"/k/k1/health/diets/{record.code}/void/", {"reason": ""})
    record.refresh_from_db()
    assert record.voided_at is None
    health.post(f"/k/k1/health/diets/{record.code}/void/", {"reason": "复查已脱敏"})
    record.refresh_from_db()
    assert record.void_reason == "复查已脱敏" and record.voided_by == world.k1.users[Role.HEALTH_TEACHER]
    assert diets.needs_between(kindergarten=world.k1.kg, start=TODAY, end=TODAY) == []
    with pytest.raises(ProtectedRecordError):
        record.delete()


def test_the_api_lists_creates_confirms_and_voids(world, login):
    parent = login(world.k1.users[Role.PARENT])
    child = world.k1.own_child
    proof = upload_file(image_bytes(), "proof.jpg", "image/jpeg")
    made = parent.post("/api/k/k1/health/diets", {**_form(child, kind="diet", diet="halal", allergen="",
                                                               severity=""), "proof": proof})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["status"] == "requested" and body["diet"] == "halal" and body["has_proof"]
    health = login(world.k1.users[Role.HEALTH_TEACHER])
    assert health.post(f"/api/k/k1/health/diets/{body['code']}/confirm").json()["status"] == "confirmed"
    listed = health.get("/api/k/k1/health/diets").json()
    assert [r["code"] for r in listed] == [body["code"]]
    assert parent.get(f"/api/k/k1/health/diets/{body['code']}").json()["label"]
    assert health.post(f"/api/k/k1/health/diets/{body['code']}/void", {"reason": ""},
                       content_type="application/json").status_code in (400, 422)
    voided = health.post(f"/api/k/k1/health/diets/{body['code']}/void", {"reason": "转园"},
                         content_type="application/json").json()
    assert voided["voided"] and voided["void_reason"] == "转园"
    # a class teacher reads but cannot write
    teacher = login(world.k1.users[Role.CLASS_TEACHER])
    assert teacher.post("/api/k/k1/health/diets", _form(child)).status_code in (403, 404)


ROUTES = [
    ("/k/{kg}/health/diets/", "health.diet.view", None),
    ("/k/{kg}/health/diets/{code}/", "health.diet.view", "diet"),
    ("/api/k/{kg}/health/diets", "health.diet.view", None),
    ("/api/k/{kg}/health/diets/{code}", "health.diet.view", "diet"),
]


def _record(child, key="egg"):
    return DietRecord.objects.create(kindergarten=child.kindergarten, child=child, kind="allergy", allergen=key,
                                     severity="mild", start_date=TODAY, status="confirmed")


def test_matrix_every_role_every_route_every_scope(world):
    objects = {"diet": {"own": _record(world.k1.own_child), "other_class": _record(world.k1.other_child),
                        "other_kg": _record(world.k2.own_child), "missing": MISSING}}
    mismatches, checked = run_matrix(world, ROUTES, objects)
    assert mismatches == []
    assert checked > 80


@pytest.mark.parametrize("url", ["/k/k1/health/diets/", "/api/k/k1/health/diets"])
@pytest.mark.parametrize("role", [Role.HEALTH_TEACHER, Role.CLASS_TEACHER])
def test_the_register_lists_run_a_fixed_number_of_queries(world, login, url, role):
    client = login(world.k1.users[role])
    assert client.get(url).status_code == 200
    counts = []
    for _round in range(2):
        for c in world.k1.classes:
            _record(ChildFactory(school_class=c, sex="F"), "milk")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] and counts[0] <= 12, counts


def test_service_refuses_a_class_teacher_and_scopes_the_list(world):
    teacher = actor_of(world, Role.CLASS_TEACHER)
    from houqin.core.errors import Forbidden

    with pytest.raises(Forbidden):
        diets.diet_create(actor=teacher, child=world.k1.own_child, kind="allergy", allergen="egg",
                          severity="mild", start_date=TODAY)
    assert not DietRecord.objects.exists()
    _record(world.k1.own_child), _record(world.k1.other_child)
    assert [r.child for r in diets.diet_list(actor=teacher)] == [world.k1.own_child]

"""No 500 for any input (issue 12): each input that was measured as a 500 is now a clear 4xx in the
user's language, and nothing is saved. The rules themselves live once, in core.inputs."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from houqin.core import inputs
from houqin.notices.models import Notice
from houqin.org.models import Child, Role

pytestmark = pytest.mark.django_db


def post(client, url, body, method="post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json",
                                   HTTP_ACCEPT_LANGUAGE="zh-hans")


@pytest.fixture
def principal(world, login):
    return login(world.k1.users[Role.PRINCIPAL])


@pytest.fixture
def health(world, login):
    return login(world.k1.users[Role.HEALTH_TEACHER])


def _is_clear_4xx(response, status=422):
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert body["detail"]  # a message, in the user's language
    return body


# --- text -----------------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["\ud800", "开会\ud800", "a\x00b", "x" * 1_000_000, "\x1b[31m红色"])
def test_bad_text_in_a_notice_is_refused_and_nothing_saved(world, principal, title):
    before = Notice.objects.count()
    _is_clear_4xx(post(principal, "/api/k/k1/notices", {"title": title, "body": "正文"}))
    _is_clear_4xx(post(principal, "/api/k/k1/notices", {"title": "标题", "body": title}))
    assert Notice.objects.count() == before


def test_a_title_longer_than_the_record_keeps_is_refused(world, principal):
    """1 MB was stored (SQLite) or a 500 (PostgreSQL); the record keeps 120 characters."""
    before = Notice.objects.count()
    body = _is_clear_4xx(post(principal, "/api/k/k1/notices", {"title": "长" * 121, "body": "正文"}))
    assert "121" in json.dumps(body, ensure_ascii=False) or "120" in json.dumps(body, ensure_ascii=False)
    assert Notice.objects.count() == before


@pytest.mark.parametrize("name", ["王\u202e明小", "王\u200b小明", "\u2066王小明\u2069", "王小\ufeff明"])
def test_invisible_and_direction_changing_characters_are_refused_in_names(world, principal, login, name):
    before = Child.objects.count()
    body = {"name": name, "sex": "F", "birth_date": "2022-05-01", "class_code": str(world.k1.own_class.code),
            "enrolled_on": "2025-09-01"}
    response = _is_clear_4xx(post(principal, "/api/k/k1/children", body))
    assert "名称不能包含" in json.dumps(response, ensure_ascii=False)
    # The page's form says the same, next to the field.
    page = login(world.k1.users[Role.PRINCIPAL]).post("/k/k1/children/new/", {
        "name": name, "sex": "F", "birth_date": "2022-05-01", "school_class": world.k1.own_class.pk,
        "enrolled_on": "2025-09-01"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and "名称不能包含" in page.content.decode()
    assert Child.objects.count() == before


def test_a_nul_byte_in_a_query_or_a_form_is_400_not_500(world, principal):
    assert principal.get("/k/k1/children/?q=%00").status_code == 400
    assert principal.get("/api/k/k1/children?q=%00").status_code == 422
    response = principal.post("/k/k1/notices/new/", {"title": "a\x00b", "body": "x", "kind": "general",
                                                      "audience": "parents"})
    assert response.status_code in (200, 400) and not Notice.objects.filter(title__startswith="a").exists()


# --- dates and times --------------------------------------------------------------------------


def test_a_naive_datetime_is_refused(world, principal):
    body = _is_clear_4xx(post(principal, "/api/k/k1/safety/incidents", {
        "kind": "injury", "occurred_at": "2026-11-25T09:00:00", "location": "滑梯", "description": "擦伤"}))
    assert "时区" in json.dumps(body, ensure_ascii=False)
    ok = post(principal, "/api/k/k1/safety/incidents", {
        "kind": "injury", "occurred_at": "2026-11-25T09:00:00+08:00", "location": "滑梯", "description": "擦伤"})
    assert ok.status_code == 201, ok.content


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_out_of_range_are_refused(world, principal, health, login, day):
    _is_clear_4xx(post(principal, "/api/k/k1/safety/reports", {"period": "weekly", "day": day}))
    _is_clear_4xx(post(health, "/api/k/k1/health/cases", {
        "child_code": str(world.k1.own_child.code), "disease": "hfmd", "onset_date": day,
        "diagnosis_source": "hospital"}))
    _is_clear_4xx(post(health, "/api/k/k1/staff/certificates", {
        "user_id": world.k1.users[Role.CANTEEN].pk, "issued_on": day}))
    assert health.get(f"/api/k/k1/health/summary?start={day}&end=2026-11-25").status_code == 422


def test_the_date_rules_in_one_place():
    assert inputs.date_problem(dt.date(2026, 11, 25)) is None
    assert inputs.date_problem(dt.date(1, 1, 1)) and inputs.date_problem(dt.date(9999, 12, 31))
    assert inputs.date_problem(dt.datetime(2026, 11, 25, 9, 30))  # naive
    assert inputs.date_problem(timezone.now()) is None


# --- PATCH with null --------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["notes", "birth_date", "name"])
def test_patch_with_null_is_refused_and_changes_nothing(world, principal, field):
    child = world.k1.own_child
    before = (child.name, child.birth_date, child.notes)
    _is_clear_4xx(post(principal, f"/api/k/k1/children/{child.code}", {field: None}, method="patch"))
    child.refresh_from_db()
    assert (child.name, child.birth_date, child.notes) == before
    ok = post(principal, f"/api/k/k1/children/{child.code}", {"notes": ""}, method="patch")
    assert ok.status_code == 200, ok.content


# --- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "1e999", "12345678901234567890", "abc"])
def test_a_bad_fee_amount_is_refused(world, login, amount):
    accountant = login(world.k1.users[Role.ACCOUNTANT])
    response = accountant.post("/api/k/k1/finance/fees", json.dumps({
        "school_year": 2026, "term": "autumn", "item": "保育费", "unit": "month"})[:-1] + f', "amount": "{amount}"}}',
        content_type="application/json")
    _is_clear_4xx(response)


@pytest.mark.parametrize("count", [-5, 10**12, 10**30])
def test_a_bad_drill_count_is_refused(world, principal, count):
    drill = post(principal, "/api/k/k1/safety/drills", {"kind": "fire", "planned_on": "2026-11-20"})
    assert drill.status_code == 201, drill.content
    code = drill.json()["code"]
    _is_clear_4xx(post(principal, f"/api/k/k1/safety/drills/{code}/record", {
        "held_at": "2026-11-20T10:00:00+08:00", "children_count": count, "staff_count": 3, "summary": "顺利"}))
    assert principal.get(f"/api/k/k1/safety/drills/{code}").json()["held_at"] is None


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_nan_and_inf_in_the_exam_table_are_refused(world, health, value):
    from houqin.health.models import Exam

    raw = json.dumps({"child_code": str(world.k1.own_child.code), "date": "2026-11-20"})[:-1]
    for field in ("height_cm", "weight_kg", "vision_left"):
        _is_clear_4xx(health.post("/api/k/k1/health/exams", raw + f', "{field}": {value}}}',
                                  content_type="application/json"))
        _is_clear_4xx(health.post("/api/k/k1/health/exams", raw + f', "{field}": "{value}"}}',
                                  content_type="application/json"))
    assert not Exam.objects.exists()


# --- paging -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "/api/k/k1/children?page=-1", "/api/k/k1/children?page=0", "/api/k/k1/children?page=100000000000000000000",
    "/api/k/k1/children?page_size=-5",
    "/api/k/k1/stock/requisitions?offset=-1", "/api/k/k1/stock/requisitions?limit=-74029",
    "/api/k/k1/stock/requisitions?offset=536699924944296182022144000",
    "/api/k/k1/health/exams?limit=-1", "/api/k/k1/notices?offset=-3", "/api/k/k1/notices?limit=0",
    "/api/k/k1/finance/expenses?year=99999", "/api/k/k1/finance/expenses?year=2026&month=13",
])
def test_paging_out_of_range_is_refused(world, principal, login, url):
    client = login(world.k1.users[Role.HEALTH_TEACHER]) if "/health/" in url else principal
    if "/stock/" in url:
        client = login(world.k1.users[Role.STOREKEEPER])
    response = client.get(url)
    assert response.status_code in (404, 422), (url, response.status_code, response.content[:300])


# --- routes and required answers --------------------------------------------------------------


def test_the_exam_batch_route_is_not_shadowed_by_the_exam_code_route(world, health):
    from houqin.health.models import Exam

    response = post(health, "/api/k/k1/health/exams/batch", {"date": "2026-11-20", "rows": [
        {"child_code": str(world.k1.own_child.code), "height_cm": "101.5", "weight_kg": "16.2"}]})
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 1} and Exam.objects.count() == 1


def test_an_empty_hygiene_inspection_is_refused_every_item_must_be_answered(world, login):
    from houqin.foodsafety.models import HygieneInspection

    client = login(world.k1.users[Role.HEALTH_TEACHER])
    items = client.get("/api/k/k1/foodsafety/hygiene/checklist").json()
    assert len(items) >= 10
    body = _is_clear_4xx(post(client, "/api/k/k1/foodsafety/hygiene", {}))
    assert len(body.get("errors", [])) == len(items)
    partial = [{"item_code": items[0]["code"], "passed": True}]
    _is_clear_4xx(post(client, "/api/k/k1/foodsafety/hygiene", {"results": partial}))
    page = client.post("/k/k1/foodsafety/hygiene/new/", {"note": ""})
    assert page.status_code == 200 and "data-testid=\"hygiene-form\"" in page.content.decode()
    assert not HygieneInspection.objects.exists()
    everything = [{"item_code": i["code"], "passed": True} for i in items]
    assert post(client, "/api/k/k1/foodsafety/hygiene", {"results": everything}).status_code == 201


# --- the rules, directly ----------------------------------------------------------------------


def test_a_model_save_runs_the_rules_whatever_the_way_in(world):
    from django.core.exceptions import ValidationError

    child = world.k1.own_child
    child.name = "王\u202e明"
    with pytest.raises(ValidationError) as exc:
        child.save()
    assert "name" in exc.value.message_dict
    child.refresh_from_db()
    child.notes = "x" * 10 + "\x00"
    with pytest.raises(ValidationError):
        child.save()


def test_a_schema_refusal_names_the_field_in_the_users_language(world, health):
    """pydantic words its refusals in English ("Input should be a finite number"); the API answers in
    the user's language, field by field, and keeps pydantic's loc and type for programs."""
    raw = json.dumps({"child_code": str(world.k1.own_child.code), "date": "2026-11-20"})[:-1]
    body = health.post("/api/k/k1/health/exams", raw + ', "height_cm": NaN}', content_type="application/json",
                       HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert body["detail"] == "数据无效。", body
    [error] = body["errors"]
    assert error["loc"][-1] == "height_cm" and error["type"] == "finite_number"
    assert error["msg"] == "请填写有限的数字（不能是NaN或无穷大）。"
    body = health.post("/api/k/k1/health/exams", json.dumps({"date": "2026-11-40"}), content_type="application/json",
                       HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    by_field = {e["loc"][-1]: e["msg"] for e in body["errors"]}
    assert by_field["child_code"] == "此项为必填项。"
    assert by_field["date"] == "请按2026-12-01的格式填写日期（时间按2026-12-01T09:30:00+08:00）。"


def test_a_too_short_refusal_says_what_is_short():
    """An empty required text is "required"; a text or a list with too few items says so."""
    from django.utils import translation

    from houqin.core.api import _schema_message

    with translation.override("zh-hans"):
        assert _schema_message({"type": "string_too_short", "ctx": {"min_length": 1}}) == "此项为必填项。"
        assert _schema_message({"type": "string_too_short", "ctx": {"min_length": 6}}) == "内容太短。"
        assert _schema_message({"type": "too_short", "ctx": {"min_length": 2}}) == "项数太少。"

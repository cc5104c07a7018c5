"""Notices: who sees which, read receipts, writing rules, withdrawing, the API, query counts and the
role × route matrix."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from houqin import policy
from houqin.core.errors import DomainError, Forbidden
from houqin.notices import selectors, services
from houqin.notices.models import Audience, Notice, NoticeKind, NoticeReceipt
from houqin.notices.services import publish_notice
from houqin.org.models import Role
from houqin.testing import MISSING, run_matrix

pytestmark = pytest.mark.django_db


def actor(world, role, k="k1"):
    ns = getattr(world, k)
    return policy.actor_for_kindergarten(ns.users[role], ns.kg)


def _notices(world):
    k1 = world.k1
    director = k1.users[Role.DIRECTOR]
    return {
        "all": publish_notice(kindergarten=k1.kg, user=director, title="国庆放假告家长书", body="10月1日至7日放假。"),
        "own_class": publish_notice(kindergarten=k1.kg, user=director, title="小一班手足口病告家长书",
                                    body="请注意观察。", kind=NoticeKind.DISEASE, classes=[k1.own_class]),
        "other_class": publish_notice(kindergarten=k1.kg, user=director, title="大一班秋游", body="秋游通知",
                                      classes=[k1.classes[2]]),
        "own_child": publish_notice(kindergarten=k1.kg, user=director, title="补种疫苗提醒", body="请补种。",
                                    kind=NoticeKind.VACCINATION, children=[k1.own_child]),
        "other_child": publish_notice(kindergarten=k1.kg, user=director, title="另一个孩子", body="x",
                                      children=[k1.children[1]]),
        "staff": publish_notice(kindergarten=k1.kg, user=director, title="后勤例会", body="周五开会",
                                audience=Audience.STAFF, kind=NoticeKind.STAFF),
        "draft": publish_notice(kindergarten=k1.kg, user=director, title="草稿", body="未发布", publish=False),
        "other_kg": publish_notice(kindergarten=world.k2.kg, user=world.k2.users[Role.DIRECTOR], title="k2", body="k2"),
    }


def test_a_parent_sees_only_notices_addressed_to_them(world):
    n = _notices(world)
    parent = actor(world, Role.PARENT)
    seen = set(selectors.notice_list(actor=parent).values_list("title", flat=True))
    # The parent's children: own_child (小一班) and a sibling (中一班): all-parents, own class, own child.
    assert seen == {n["all"].title, n["own_class"].title, n["own_child"].title}


def test_staff_see_published_notices_writers_see_drafts_too(world):
    n = _notices(world)
    guard = actor(world, Role.GUARD)
    titles = set(selectors.notice_list(actor=guard).values_list("title", flat=True))
    assert n["staff"].title in titles and n["draft"].title not in titles and "k2" not in titles
    director = actor(world, Role.DIRECTOR)
    assert n["draft"].title in set(selectors.notice_list(actor=director, include_drafts=True).values_list("title", flat=True))


def test_reading_records_one_receipt_and_the_sender_sees_who_read(world, login):
    n = _notices(world)
    parent_client = login(world.k1.users[Role.PARENT])
    url = f"/k/k1/notices/{n['own_class'].code}/"
    assert parent_client.get(url).status_code == 200
    first = NoticeReceipt.objects.get(notice=n["own_class"]).read_at
    parent_client.get(url)
    assert NoticeReceipt.objects.filter(notice=n["own_class"]).count() == 1
    assert NoticeReceipt.objects.get(notice=n["own_class"]).read_at == first
    # The director sees who read: the one parent of 小一班 with a login.
    result = selectors.receipts(actor=actor(world, Role.DIRECTOR), notice=n["own_class"])
    assert (result["read"], result["total"]) == (1, 1)
    page = login(world.k1.users[Role.DIRECTOR]).get(f"/k/k1/notices/{n['own_class'].code}/receipts/")
    assert world.k1.users[Role.PARENT].display_name in page.content.decode()
    # Reading someone else's notice is 404, and leaves no receipt.
    assert parent_client.get(f"/k/k1/notices/{n['other_class'].code}/").status_code == 404
    assert not NoticeReceipt.objects.filter(notice=n["other_class"]).exists()


def test_class_teachers_write_only_to_their_classes(world):
    teacher = actor(world, Role.CLASS_TEACHER)
    notice = services.notice_publish(actor=teacher, title="明天带水杯", body="请带水杯。", classes=[world.k1.own_class])
    assert list(notice.classes.all()) == [world.k1.own_class]
    with pytest.raises(Forbidden):
        services.notice_publish(actor=teacher, title="x", body="y", classes=[world.k1.classes[2]])
    with pytest.raises(Forbidden):
        services.notice_publish(actor=teacher, title="x", body="y")  # all parents
    with pytest.raises(Forbidden):
        services.notice_publish(actor=actor(world, Role.GUARD), title="x", body="y")


def test_bad_input_changes_nothing(world):
    director = actor(world, Role.DIRECTOR)
    before = Notice.objects.count()
    with pytest.raises(DomainError):
        services.notice_publish(actor=director, title=" ", body="y")
    with pytest.raises(DomainError):
        services.notice_publish(actor=director, title="x", body="y", audience=Audience.STAFF, classes=[world.k1.own_class])
    with pytest.raises(DomainError):
        services.notice_publish(actor=director, title="x", body="y", classes=[world.k2.own_class])
    assert Notice.objects.count() == before


def test_withdrawing_needs_a_reason_keeps_the_record_and_hides_it_from_parents(world):
    n = _notices(world)
    director = actor(world, Role.DIRECTOR)
    with pytest.raises(DomainError):
        services.notice_void(actor=director, notice=n["all"], reason=" ")
    services.notice_void(actor=director, notice=n["all"], reason="日期写错")
    n["all"].refresh_from_db()
    assert n["all"].voided_at and n["all"].void_reason == "日期写错"
    assert n["all"].history.count() == 2
    assert n["all"].title not in set(selectors.notice_list(actor=actor(world, Role.PARENT)).values_list("title", flat=True))


def test_the_api_lists_creates_reads_and_withdraws(world, login):
    n = _notices(world)
    director = login(world.k1.users[Role.DIRECTOR])
    created = director.post("/api/k/k1/notices", {
        "title": "冬季防火告家长书", "body": "注意用火安全。", "kind": "safety",
        "class_codes": [str(world.k1.own_class.code)]}, content_type="application/json")
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    parent = login(world.k1.users[Role.PARENT])
    listed = {x["title"]: x for x in parent.get("/api/k/k1/notices").json()}
    assert "冬季防火告家长书" in listed and not listed["冬季防火告家长书"]["is_read"]
    assert parent.post(f"/api/k/k1/notices/{code}/read").json()["is_read"] is True
    receipts = director.get(f"/api/k/k1/notices/{code}/receipts").json()
    assert (receipts["read"], receipts["total"]) == (1, 1)
    bad = director.post("/api/k/k1/notices", {"title": "", "body": "x"}, content_type="application/json")
    assert bad.status_code == 422
    voided = director.post(f"/api/k/k1/notices/{n['all'].code}/void", {"reason": "重复"}, content_type="application/json")
    assert voided.json()["voided"] is True
    assert parent.post(f"/api/k/k1/notices/{n['other_class'].code}/read").status_code == 404


def test_unread_notices_are_a_todo_for_the_parent(world):
    _notices(world)
    from houqin.notices.navigation import notice_todos

    todos = notice_todos(actor(world, Role.PARENT))
    assert len(todos) == 1 and todos[0].urgency == 2  # a disease notice is among the unread


def test_the_list_runs_a_fixed_number_of_queries(world, login):
    def count(client, url):
        client.get(url)  # the first request of a session caches a few things
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    _notices(world)
    clients = [login(world.k1.users[Role.DIRECTOR]), login(world.k1.users[Role.PARENT])]
    urls = ["/k/k1/notices/", "/api/k/k1/notices"]
    before = [count(c, u) for c in clients for u in urls]
    for i in range(15):
        publish_notice(kindergarten=world.k1.kg, user=world.k1.users[Role.DIRECTOR], title=f"通知{i}", body="x",
                       classes=[world.k1.own_class] if i % 2 else [])
    after = [count(c, u) for c in clients for u in urls]
    assert after == before


ROUTES = [
    ("/k/{kg}/notices/", "notices.view", None),
    ("/k/{kg}/notices/new/", "notices.publish", None),
    ("/k/{kg}/notices/{code}/void/", "notices.void", "notice"),
    ("/api/k/{kg}/notices", "notices.view", None),
]


def test_matrix(world):
    n = _notices(world)
    mismatches, checked = run_matrix(world, ROUTES, {"notice": {"k1": n["all"], "other_kg": n["other_kg"],
                                                                "missing": MISSING}})
    assert mismatches == [] and checked > 60


@pytest.mark.parametrize("role,variant,expected", [
    (Role.PARENT, "all", 200), (Role.PARENT, "own_class", 200), (Role.PARENT, "other_class", 404),
    (Role.PARENT, "staff", 404), (Role.PARENT, "draft", 404), (Role.PARENT, "other_kg", 404),
    (Role.GUARD, "staff", 200), (Role.GUARD, "draft", 404), (Role.DIRECTOR, "draft", 200),
    (Role.CLASS_TEACHER, "other_class", 404), (Role.GUARD, "own_child", 404), (None, "all", 302),
])
def test_detail_by_audience(world, login, client, role, variant, expected):
    n = _notices(world)
    c = login(world.k1.users[role]) if role else client
    assert c.get(f"/k/k1/notices/{n[variant].code}/").status_code == expected


@pytest.mark.parametrize("role,expected", [
    (Role.DIRECTOR, 200), (Role.CLASS_TEACHER, 200), (Role.PARENT, 403), (Role.NURSERY, 403)])
def test_receipts_page_policy(world, login, role, expected):
    n = _notices(world)
    assert login(world.k1.users[role]).get(f"/k/k1/notices/{n['own_class'].code}/receipts/").status_code == expected
    assert login(world.k1.users[role]).get(f"/api/k/k1/notices/{n['own_class'].code}/receipts").status_code == expected

"""The outbox's pages and API: who may open what (the role matrix), fixed query counts on the lists,
the preferences form refusing bad input in Chinese with nothing saved, reading messages, and the
director's view of deliveries and job runs."""

import datetime as dt

import pytest
from django.utils import timezone

from houqin.notices import outbox, schedule
from houqin.notices.models import Channel, ChannelPreference, Delivery, DeliveryStatus, JobRun, Message
from houqin.notices.services import publish_notice
from houqin.org.models import Role
from houqin.testing import query_count_mismatches, run_matrix

pytestmark = pytest.mark.django_db

ROUTES = [
    ("/k/{kg}/notices/messages/", "notices.messages", None),
    ("/k/{kg}/notices/preferences/", "notices.messages", None),
    ("/k/{kg}/notices/outbox/", "notices.outbox.view", None),
    ("/k/{kg}/notices/outbox/?status=failed", "notices.outbox.view", None),
    ("/api/k/{kg}/messages", "notices.messages", None),
    ("/api/k/{kg}/message-preferences", "notices.messages", None),
    ("/api/k/{kg}/outbox", "notices.outbox.view", None),
    ("/api/k/{kg}/jobs", "notices.outbox.view", None),
]


def _notices(world, n=1):
    director = world.k1.users[Role.DIRECTOR]
    return [publish_notice(kindergarten=world.k1.kg, user=director, title=f"通知{i}", body="内容") for i in range(n)]


def test_matrix(world):
    _notices(world)
    mismatches, checked = run_matrix(world, ROUTES, {})
    assert mismatches == [] and checked > 90


def _grow(world, n):
    _notices(world, n)
    parent = world.k1.users[Role.PARENT]
    parent.email = "p@example.cn"
    parent.save(update_fields=["email"])
    _notices(world, n)
    outbox.send_due()
    JobRun.objects.bulk_create([JobRun(job="hazards", kindergarten=world.k1.kg, period=f"x{i}{n}", status="done")
                                for i in range(n)])


def test_query_count_does_not_grow_with_rows(world, login):
    """The parent's and the director's lists, counted on one world grown from few rows to many (grown
    once for all of them)."""
    pages = [(Role.PARENT, "/k/k1/notices/messages/"),
             (Role.DIRECTOR, "/k/k1/notices/outbox/"),
             (Role.DIRECTOR, "/k/k1/notices/outbox/?status=sent"),
             (Role.PARENT, "/k/k1/notices/preferences/")]
    clients = {role: login(world.k1.users[role]) for role in (Role.PARENT, Role.DIRECTOR)}
    _grow(world, 1)
    counted, wrong = query_count_mismatches(pages, lambda page: clients[page[0]], lambda: _grow(world, 8), budget=20)
    assert wrong == [], "\n".join(wrong)
    assert len(counted) == len(pages) == 4


def test_the_parent_reads_a_message_and_opens_what_it_is_about(world, login):
    notice = _notices(world)[0]
    parent = world.k1.users[Role.PARENT]
    message = Message.objects.get(recipient=parent)
    client = login(parent)
    page = client.get("/k/k1/notices/messages/").content.decode()
    assert notice.title in page and "fw-bold" in page
    r = client.get(f"/k/k1/notices/messages/{message.code}/")
    assert r.status_code == 302 and r.url == f"/k/k1/notices/{notice.code}/"
    message.refresh_from_db()
    assert message.read_at is not None
    assert Delivery.objects.get(message=message, channel=Channel.IN_APP).status == DeliveryStatus.READ
    # somebody else's message is a 404, like a missing one
    publish_notice(kindergarten=world.k1.kg, user=world.k1.users[Role.DIRECTOR], title="例会", body="周五例会",
                   audience="staff")
    other = Message.objects.exclude(recipient=parent).first()
    assert client.get(f"/k/k1/notices/messages/{other.code}/").status_code == 404


def test_mark_all_read(world, login):
    _notices(world, 3)
    publish_notice(kindergarten=world.k1.kg, user=world.k1.users[Role.DIRECTOR], title="例会", body="周五例会",
                   audience="staff")
    parent = world.k1.users[Role.PARENT]
    client = login(parent)
    assert client.post("/k/k1/notices/messages/read/").status_code == 302
    assert not Message.objects.filter(recipient=parent, read_at__isnull=True).exists()
    assert Message.objects.filter(read_at__isnull=True).exists()  # the others' stay unread


def test_preferences_form_saves_the_channels_and_quiet_hours(world, login):
    parent = world.k1.users[Role.PARENT]
    client = login(parent)
    r = client.post("/k/k1/notices/preferences/", {"channels": ["email"], "email": "mum@example.cn", "phone": "",
                                                   "quiet_start": "22:00", "quiet_end": "06:30"})
    assert r.status_code == 302
    pref = ChannelPreference.objects.get(user=parent)
    assert pref.channels == ["email"] and (pref.quiet_start, pref.quiet_end) == (dt.time(22), dt.time(6, 30))
    parent.refresh_from_db()
    assert parent.email == "mum@example.cn"


@pytest.mark.parametrize("data,message", [
    ({"channels": ["email"], "email": "", "quiet_start": "22:00", "quiet_end": "06:30"}, "请填写您的邮箱地址"),
    ({"channels": [], "email": "不是邮箱", "quiet_start": "22:00", "quiet_end": "06:30"}, "请输入有效的电子邮箱地址"),
    ({"channels": [], "phone": "12345", "quiet_start": "22:00", "quiet_end": "06:30"}, "11位"),
    ({"channels": [], "quiet_start": "22:00", "quiet_end": "22:00"}, "不能相同"),
    ({"channels": ["sms"], "quiet_start": "22:00", "quiet_end": "06:30"}, "有效的选项"),
])
def test_preferences_refuse_bad_input_in_chinese_and_save_nothing(world, login, data, message):
    parent = world.k1.users[Role.PARENT]
    client = login(parent)
    r = client.post("/k/k1/notices/preferences/", {"email": "", "phone": "", **data}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200 and message in r.content.decode()
    assert not ChannelPreference.objects.exists()
    parent.refresh_from_db()
    assert parent.email == "" and parent.phone == ""


def test_preferences_through_the_api(world, login):
    nurse = world.k1.users[Role.HEALTH_TEACHER]
    client = login(nurse)
    r = client.put("/api/k/k1/message-preferences", {"channels": ["email"], "email": "n@example.cn",
                                                     "quiet_start": "21:00", "quiet_end": "07:00"},
                   content_type="application/json")
    assert r.status_code == 200 and r.json()["channels"] == ["email"] and r.json()["email"] == "n@example.cn"
    assert (r.json()["quiet_start"], r.json()["quiet_end"]) == ("21:00", "07:00")
    r = client.put("/api/k/k1/message-preferences", {"channels": ["wecom"]}, content_type="application/json")
    assert r.status_code in (400, 422)
    assert ChannelPreference.objects.get(user=nurse).channels == ["email"]


def test_messages_through_the_api(world, login):
    notice = _notices(world)[0]
    parent = world.k1.users[Role.PARENT]
    client = login(parent)
    rows = client.get("/api/k/k1/messages?unread=true").json()
    assert [r["title"] for r in rows] == [notice.title]
    r = client.post(f"/api/k/k1/messages/{rows[0]['code']}/read")
    assert r.status_code == 200 and r.json()["read_at"]
    assert client.get("/api/k/k1/messages?unread=true").json() == []


def test_the_director_sees_deliveries_and_job_runs(world, login):
    parent = world.k1.users[Role.PARENT]
    parent.email = "p@example.cn"
    parent.save(update_fields=["email"])
    _notices(world)
    local = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(7, 45)))
    schedule.run_once(now=local, jobs=["morning_check"])
    schedule.run_once(jobs=[])  # now: the notice's e-mail is due
    client = login(world.k1.users[Role.DIRECTOR])
    page = client.get("/k/k1/notices/outbox/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "晨检提醒" in page and "已发送" in page
    api = client.get("/api/k/k1/outbox?status=sent").json()
    assert {(d["channel"], d["status"]) for d in api} >= {("email", "sent"), ("in_app", "sent")}
    jobs = client.get("/api/k/k1/jobs").json()
    assert [(j["job"], j["status"], j["messages"]) for j in jobs] == [("morning_check", "done", 2)]
    # another kindergarten's runs are not shown
    assert JobRun.objects.filter(kindergarten=world.k2.kg).exists()

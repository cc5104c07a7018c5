"""The outbox and the worker (issue 15): a fever at the morning check reaches the parent's e-mail and
the health teacher within one round of the worker, and a second round sends nothing; failed channels
wait and are retried with backoff; quiet hours hold all but urgent health alerts; preferences choose
the channels; read in the app marks the delivery read."""

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from houqin.health import services as health_services
from houqin.health.tests.conftest import actor_of
from houqin.notices import channels, outbox, schedule
from houqin.notices.models import (
    Channel, ChannelPreference, Delivery, DeliveryStatus, JobRun, Message, MessageKind, Notice,
)
from houqin.notices.services import mark_read, publish_notice
from houqin.org.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _channels():
    channels.RecordingTransport.clear()
    channels.reset()
    yield
    channels.reset()


def _fever(world):
    teacher = actor_of(world, Role.CLASS_TEACHER)
    child = world.k1.own_child
    health_services.record_check(actor=teacher, school_class=world.k1.own_class, day=timezone.localdate(),
                                 entries={child.pk: {"temperature": "38.6", "action": "observe"}})
    return child


def test_fever_reaches_the_parents_email_and_the_health_teacher_in_one_round_and_only_once(world):
    parent, nurse = world.k1.users[Role.PARENT], world.k1.users[Role.HEALTH_TEACHER]
    parent.email, nurse.email = "parent@example.cn", "health@example.cn"
    parent.save(update_fields=["email"])
    nurse.save(update_fields=["email"])
    child = _fever(world)
    assert not mail.outbox  # nothing leaves before the worker runs

    result = schedule.run_once(jobs=[])
    to = {m.to[0]: m for m in mail.outbox}
    assert set(to) == {"parent@example.cn", "health@example.cn"} and result["sent"] == 2
    assert child.name in to["parent@example.cn"].subject and child.name in to["health@example.cn"].subject
    alert = Message.objects.get(recipient=nurse)
    assert alert.kind == MessageKind.ALERT and alert.urgent and "/observation/" in alert.url
    assert Delivery.objects.get(message=alert, channel=Channel.IN_APP).status == DeliveryStatus.SENT

    assert schedule.run_once(jobs=[])["sent"] == 0
    assert len(mail.outbox) == 2
    # the check submitted again (a correction) makes no new message
    _fever(world)
    schedule.run_once(jobs=[])
    assert len(mail.outbox) == 2 and Message.objects.count() == 2


def test_a_failed_channel_waits_with_backoff_and_then_sends(world, monkeypatch):
    parent = world.k1.users[Role.PARENT]
    parent.email = "parent@example.cn"
    parent.save(update_fields=["email"])
    calls = []

    def broken(*args, **kwargs):
        calls.append(args)
        raise OSError("connection refused")

    monkeypatch.setattr(channels, "send_mail", broken)
    publish_notice(kindergarten=world.k1.kg, user=world.k1.users[Role.DIRECTOR], title="停水通知", body="明日停水。")
    now = timezone.now()
    assert schedule.run_once(now=now, jobs=[])["retry"] == 1
    d = Delivery.objects.get(channel=Channel.EMAIL)
    assert (d.status, d.attempts, d.last_error) == (DeliveryStatus.QUEUED, 1, "connection refused")
    assert d.next_attempt_at == now + outbox.BACKOFF[0]
    assert schedule.run_once(now=now + dt.timedelta(seconds=30), jobs=[])["retry"] == 0 and len(calls) == 1

    monkeypatch.undo()
    assert schedule.run_once(now=now + dt.timedelta(minutes=2), jobs=[])["sent"] == 1
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENT and d.attempts == 2 and mail.outbox[0].to == ["parent@example.cn"]


def test_after_the_last_attempt_the_delivery_is_failed(world, monkeypatch):
    parent = world.k1.users[Role.PARENT]
    parent.email = "parent@example.cn"
    parent.save(update_fields=["email"])
    monkeypatch.setattr(channels, "send_mail", lambda *a, **k: (_ for _ in ()).throw(OSError("down")))
    publish_notice(kindergarten=world.k1.kg, user=world.k1.users[Role.DIRECTOR], title="停水通知", body="明日停水。")
    now = timezone.now()
    for _i in range(outbox.MAX_ATTEMPTS):
        schedule.run_once(now=now, jobs=[])
        now += dt.timedelta(hours=7)
    d = Delivery.objects.get(channel=Channel.EMAIL)
    assert d.status == DeliveryStatus.FAILED and d.attempts == outbox.MAX_ATTEMPTS


def test_quiet_hours_hold_a_notice_but_not_an_urgent_health_alert(world):
    parent, nurse = world.k1.users[Role.PARENT], world.k1.users[Role.HEALTH_TEACHER]
    for u in (parent, nurse):
        u.email = f"{u.username}@example.cn"
        u.save(update_fields=["email"])
        ChannelPreference.objects.create(kindergarten=world.k1.kg, user=u, channels=[Channel.EMAIL],
                                         quiet_start=dt.time(9, 0), quiet_end=dt.time(18, 0))
    publish_notice(kindergarten=world.k1.kg, user=world.k1.users[Role.DIRECTOR], title="周五活动", body="亲子运动会。")
    _fever(world)  # at 09:30 (the suite's clock): in both people's quiet hours
    schedule.run_once(jobs=[])
    assert sorted(m.subject for m in mail.outbox) == sorted(
        [m.title for m in Message.objects.filter(urgent=True, recipient__in=[parent, nurse])])
    held = Delivery.objects.get(channel=Channel.EMAIL, message__title="周五活动")
    assert held.status == DeliveryStatus.QUEUED and timezone.localtime(held.next_attempt_at).time() == dt.time(18, 0)


@override_settings(HOUQIN_WECOM_WEBHOOKS="k1=https://qyapi.example/send?key=x",
                   HOUQIN_WECOM_TRANSPORT="houqin.notices.channels.RecordingTransport",
                   HOUQIN_SMS_GATEWAY="houqin.notices.channels.RecordingTransport")
def test_wecom_and_sms_through_their_adapters(world):
    channels.reset()
    nurse = world.k1.users[Role.HEALTH_TEACHER]
    nurse.phone = "13800000001"
    nurse.save(update_fields=["phone"])
    ChannelPreference.objects.create(kindergarten=world.k1.kg, user=nurse, channels=[Channel.WECOM, Channel.SMS])
    child = _fever(world)
    schedule.run_once(jobs=[])
    sent = channels.RecordingTransport.sent
    robot = [s for s in sent if "url" in s]
    sms = [s for s in sent if "phone" in s]
    assert len(robot) == 1 and robot[0]["payload"]["text"]["mentioned_mobile_list"] == ["13800000001"]
    assert child.name in robot[0]["payload"]["text"]["content"]
    assert len(sms) == 1 and sms[0]["phone"] == "13800000001" and child.name in sms[0]["text"]


def test_reading_the_notice_marks_the_in_app_delivery_read(world):
    parent = world.k1.users[Role.PARENT]
    notice = publish_notice(kindergarten=world.k1.kg, user=world.k1.users[Role.DIRECTOR], title="停水通知", body="明日停水。")
    delivery = Delivery.objects.get(message__recipient=parent, channel=Channel.IN_APP)
    assert delivery.status == DeliveryStatus.SENT
    mark_read(notice, parent)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.READ and delivery.message.read_at is not None


def test_a_rolled_back_notice_leaves_no_message(world):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        publish_notice(kindergarten=world.k1.kg, user=world.k1.users[Role.DIRECTOR], title="停水通知", body="明日停水。")
        raise RuntimeError
    assert not Notice.objects.exists() and not Message.objects.exists()


def _local(hour, minute=0):
    day = timezone.localdate()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def test_the_morning_check_reminder_runs_once_per_kindergarten_and_day(world):
    assert schedule.run_once(now=_local(7, 0), jobs=["morning_check"])["runs"] == []  # not yet
    result = schedule.run_once(now=_local(7, 45), jobs=["morning_check"])
    runs = {r.kindergarten.slug: r for r in result["runs"]}
    assert set(runs) == {"k1", "k2", "k3"} and runs["k1"].status == "done"
    reminded = set(Message.objects.filter(kindergarten=world.k1.kg, kind=MessageKind.REMINDER)
                   .values_list("recipient__username", flat=True))
    assert reminded == {world.k1.users[Role.CLASS_TEACHER].username, world.k1.users[Role.NURSERY].username}
    assert runs["k1"].messages == 2
    again = schedule.run_once(now=_local(8, 0), jobs=["morning_check"])
    assert again["runs"] == [] and JobRun.objects.count() == 3
    assert Message.objects.filter(kind=MessageKind.REMINDER).count() == 6  # 2 a kindergarten, once


def test_a_class_already_checked_gets_no_reminder(world):
    _fever(world)
    schedule.run_once(now=_local(7, 45), jobs=["morning_check"])
    assert not Message.objects.filter(kindergarten=world.k1.kg, kind=MessageKind.REMINDER).exists()


def test_the_meal_account_reminder_goes_to_who_publishes_it(world):
    run = schedule.run_once(now=_local(9, 0), jobs=["meal_account"])["runs"]
    k1 = next(r for r in run if r.kindergarten == world.k1.kg)
    people = set(Message.objects.filter(kindergarten=world.k1.kg).values_list("recipient__username", flat=True))
    assert k1.status == "done" and k1.messages == len(people) > 0
    assert world.k1.users[Role.PARENT].username not in people
    assert schedule.run_once(now=_local(10, 0), jobs=["meal_account"])["runs"] == []


def test_a_failing_job_is_recorded_and_the_worker_goes_on(world, monkeypatch):
    job = next(j for j in schedule.JOBS if j.key == "morning_check")
    broken = schedule.Job(job.key, job.label, job.period, lambda kg, period, now: 1 / 0)
    monkeypatch.setattr(schedule, "JOBS", [broken])
    runs = schedule.run_once(now=_local(7, 45))["runs"]
    assert {r.status for r in runs} == {"failed"} and "ZeroDivisionError" in runs[0].result


def test_under_a_write_lock_nothing_is_lost(world, monkeypatch):
    """The result cannot be written (another writer holds the lock): the delivery stays queued under
    its lease and is sent in a round after it."""
    from django.db import OperationalError

    parent = world.k1.users[Role.PARENT]
    parent.email = "parent@example.cn"
    parent.save(update_fields=["email"])
    publish_notice(kindergarten=world.k1.kg, user=world.k1.users[Role.DIRECTOR], title="停水通知", body="明日停水。")
    now = timezone.now()
    real = outbox._record

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(outbox, "_record", locked)
    assert schedule.run_once(now=now, jobs=[])["sent"] == 0
    d = Delivery.objects.get(channel=Channel.EMAIL)
    assert d.status == DeliveryStatus.QUEUED and d.next_attempt_at == now + outbox.LEASE
    monkeypatch.setattr(outbox, "_record", real)
    assert schedule.run_once(now=now + dt.timedelta(minutes=1), jobs=[])["sent"] == 0  # still leased
    assert schedule.run_once(now=now + outbox.LEASE, jobs=[])["sent"] == 1
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENT


def test_the_worker_command_runs_one_round(world):
    from io import StringIO

    from django.core.management import call_command

    parent = world.k1.users[Role.PARENT]
    parent.email = "parent@example.cn"
    parent.save(update_fields=["email"])
    publish_notice(kindergarten=world.k1.kg, user=world.k1.users[Role.DIRECTOR], title="停水通知", body="明日停水。")
    with override_settings(HOUQIN_WORKER_BACKUP=False):
        call_command("worker", "--once", stdout=StringIO())
    assert [m.to for m in mail.outbox] == [["parent@example.cn"]]
    assert not JobRun.objects.filter(job="backup").exists()

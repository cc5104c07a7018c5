"""Demo notices: a term of letters to parents (all, a class, some children) and to the staff, some
read by the demo parent and the staff (planted: one disease notice to 中一班 that the parent has
read, one safety letter they have not)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from houqin.org.demo import demo_step

NOTICES = [
    # days after the story's term start (1 Sept 2026, placed by DemoDates.moved), kind, audience, target ("all", "class", "child", "staff"), title, body, read by parent
    (2, "general", "parents", "all", "2026年秋季开学告家长书", "各位家长：新学期将于9月1日开学，请按时送孩子入园，并带好接送卡。", True),
    (10, "meals", "parents", "all", "九月第二周带量食谱公示", "本周食谱已在公示栏和家长园地公布，欢迎家长监督。", True),
    (28, "safety", "parents", "all", "国庆假期安全告家长书", "国庆假期请注意交通安全、防溺水、用火用电安全。", True),
    (45, "disease", "parents", "class", "关于中一班手足口病的告家长书", "中一班发现手足口病病例，请家长每日晨起检查孩子手、足、口腔，如有发热请及时就医并告知老师。", True),
    (52, "vaccination", "parents", "child", "预防接种补种提醒", "经查验，您的孩子有疫苗需要补种，请尽快到社区卫生服务中心补种并将接种证交保健老师查验。", False),
    (70, "safety", "parents", "all", "冬季防火安全告家长书", "冬季天干物燥，请教育孩子不玩火，家中取暖注意用电安全。", False),
    (8, "staff", "staff", "staff", "后勤例会通知", "本周五下午3点在会议室召开后勤例会，请全体后勤人员参加。", False),
]


@demo_step
def build_notices(ctx):
    from houqin.notices.models import Notice, NoticeReceipt
    from houqin.org.models import Guardian, Membership, Role

    count = receipts = 0
    for slug, suffix in (("demo", ""), ("demo2", "2")):
        kg = ctx.kindergartens[slug]
        director = ctx.users[f"director{suffix}"]
        parent = ctx.users[f"parent{suffix}"]
        guardian = Guardian.objects.filter(user=parent, kindergarten=kg).select_related("child").first()
        staff = [m.user for m in Membership.objects.filter(kindergarten=kg, is_active=True).exclude(role=Role.PARENT)
                 .select_related("user").order_by("pk")]
        for offset, kind, audience, target, title, body, parent_read in NOTICES:
            if slug == "demo2" and kind in ("disease", "vaccination"):
                continue
            day = ctx.dates.moved(dt.date(2026, 9, 1) + dt.timedelta(days=offset))  # the story's day, on ctx.dates
            at = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 30)))
            notice = Notice.objects.create(kindergarten=kg, created_by=director, kind=kind, audience=audience,
                                           title=title, body=body, published_at=at, source="demo", created_at=at)
            if target == "class" and guardian:
                notice.classes.set([guardian.child.school_class])
            if target == "child" and guardian:
                notice.children.set([guardian.child])
            count += 1
            readers = []
            if audience == "parents" and parent_read:
                readers.append(parent)
            if audience == "staff":
                readers.extend(u for u in staff if ctx.rng.random() < 0.7 and u != director)
            NoticeReceipt.objects.bulk_create([
                NoticeReceipt(notice=notice, user=u, read_at=at + dt.timedelta(hours=ctx.rng.randint(1, 30)))
                for u in readers])
            receipts += len(readers)
    ctx.counts["notices"] = count
    ctx.counts["notice receipts"] = receipts


@demo_step
def build_outbox(ctx):
    """The outbox as it stands at 9 a.m.: e-mail addresses and channels for the demo logins, each
    published notice's messages (the app and e-mail: read where the reader read the notice), this
    morning's fever alert to the health teacher (unread: a red to-do; its e-mail waiting for a retry
    after the mail server did not answer), one e-mail that failed after its last attempt, and two
    weeks of the worker's job runs before today (today's are the worker's own when it runs)."""
    from django.db.models import F

    from houqin.health.models import CheckFinding
    from houqin.notices import outbox, schedule
    from houqin.notices.models import (
        Channel, ChannelPreference, Delivery, DeliveryStatus, JobRun, Message, MessageKind, Notice, NoticeReceipt,
    )
    from houqin.org.models import Membership, Role

    today = ctx.dates.today

    def at(day, hour, minute=0):
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    now = at(today, 9)
    messages = runs = 0
    for slug, suffix in (("demo", ""), ("demo2", "2")):
        kg = ctx.kindergartens[slug]
        for name, quiet in (("parent", (21, 30, 7, 0)), ("health", (22, 0, 6, 30)), ("director", None),
                            ("principal", None)):
            user = ctx.users[f"{name}{suffix}"]
            user.email = f"{user.username}@example.com"
            user.save(update_fields=["email"])
            if quiet:
                ChannelPreference.objects.create(kindergarten=kg, user=user, created_by=user, channels=[Channel.EMAIL],
                                                 quiet_start=dt.time(quiet[0], quiet[1]), quiet_end=dt.time(quiet[2], quiet[3]))
        for notice in Notice.objects.filter(kindergarten=kg, published_at__isnull=False, voided_at__isnull=True,
                                            published_at__lte=now).order_by("published_at", "pk"):
            made = outbox.enqueue_notice_at(notice, notice.published_at)
            messages += len(made)
            read = dict(NoticeReceipt.objects.filter(notice=notice).values_list("user_id", "read_at"))
            for m in made:
                if m.recipient_id in read:
                    Message.objects.filter(pk=m.pk).update(read_at=read[m.recipient_id])
                    Delivery.objects.filter(message=m, channel=Channel.IN_APP).update(status=DeliveryStatus.READ)
            Delivery.objects.filter(message__in=made, channel=Channel.EMAIL).update(
                status=DeliveryStatus.SENT, attempts=1, sent_at=F("next_attempt_at"))
        # the safety letter of the winter: the parent's mailbox refused it, six times
        last_letter = Delivery.objects.filter(message__kindergarten=kg, message__kind=MessageKind.NOTICE,
                                              message__recipient=ctx.users[f"parent{suffix}"],
                                              channel=Channel.EMAIL).order_by("-message__created_at").first()
        if last_letter is not None:
            Delivery.objects.filter(pk=last_letter.pk).update(
                status=DeliveryStatus.FAILED, attempts=outbox.MAX_ATTEMPTS, sent_at=None,
                last_error="550 mailbox unavailable")
        # this morning's fever at the gate: the health teacher's alert
        fever = (CheckFinding.objects.filter(kindergarten=kg, date=today, temperature__gte=Decimal("37.3"))
                 .select_related("child", "school_class").order_by("created_at").first()) if ctx.dates.is_school_day else None
        if fever is not None:
            nurses = outbox.staff_with_role(kg, [Role.HEALTH_TEACHER])
            made = outbox.enqueue(
                kindergarten=kg, recipients=nurses, kind=MessageKind.ALERT, urgent=True, now=at(today, 8, 5),
                title=f"健康警报：{fever.child.name}", body=f"{fever.school_class.name}，晨检：{fever.temperature} °C 发热，已通知家长接回。",
                url=f"/k/{kg.slug}/health/", key=f"demo.fever:{fever.pk}")
            messages += len(made)
            Delivery.objects.filter(message__in=made, channel=Channel.EMAIL).update(
                attempts=1, next_attempt_at=now + outbox.BACKOFF[1], last_error="timed out")
        # the worker's runs of the last two weeks, before today
        class_staff = Membership.objects.filter(kindergarten=kg, is_active=True,
                                                role__in=[Role.CLASS_TEACHER, Role.NURSERY]).count()
        rows = []
        for back in range(14, 0, -1):
            day = today - dt.timedelta(days=back)
            for job in schedule.JOBS:
                if job.instance:
                    continue
                period = job.period(timezone.localtime(at(day, 23, 59)))
                if period is None or any(r.job == job.key and r.period == period for r in rows):
                    continue
                if job.key in ("expiry_check", "meal_account", "certificates") and period == job.period(
                        timezone.localtime(now)):
                    continue  # this period's run is the worker's, today
                start = at(day, {"morning_check": 7}.get(job.key, 8), 30 if job.key == "morning_check" else 0)
                count = {"morning_check": ctx.rng.randint(0, 3) * 2 if class_staff else 0,
                         "hazards": 4 if back <= 4 else 0, "certificates": 3, "expiry_check": 2,
                         "meal_account": 3, "outbreak": 2 if back == 5 else 0}[job.key]
                rows.append(JobRun(job=job.key, kindergarten=kg, period=period, status="done", started_at=start,
                                   finished_at=start + dt.timedelta(seconds=ctx.rng.randint(1, 4)), messages=count))
        JobRun.objects.bulk_create(rows)
        runs += len(rows)
    ctx.counts["messages"] = messages
    ctx.counts["job runs"] = runs

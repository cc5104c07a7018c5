"""Demo notices: a term of letters to parents (all, a class, some children) and to the staff, some
read by the demo parent and the staff (planted: one disease notice to 中一班 that the parent has
read, one safety letter they have not)."""

from __future__ import annotations

import datetime as dt

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

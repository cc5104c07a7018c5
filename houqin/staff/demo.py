"""Demo term of the logistics staff, up to ctx.dates.today: posts and assessment items, trainings
(六T, 食品添加剂 for the kitchen, 餐前消毒 for the nursery staff, fire safety for everyone), weekly
meetings with action items (the last one overdue), the assessments of the last two complete months
(confirmed; last month has a mistake the nursery staff was trained on: the deduction is doubled) and
of this month, a rating period for 爱心阿姨 this month (teachers, peers and parents have rated), the
daily procedure ticked, and health certificates (a cook's expired some days ago, a nursery staff's
expiring within 30 days). Every date from ctx.dates."""

from __future__ import annotations

import datetime as dt

from houqin.org.demo import CHANGE_REASON, demo_step

POSTS = [  # name, bonus at full points (None: the kindergarten's), needs a certificate, roles
    ("保育员", None, True, ("nursery",)),
    ("厨师", "800.00", True, ("canteen",)),
    ("保安", "500.00", False, ("guard",)),
    ("仓库保管员", None, False, ("storekeeper",)),
]
TOPICS = [("六T管理", "food_safety"), ("食品添加剂的种类及对人体的危害", "food_safety"), ("餐前消毒流程", "nursery"),
          ("防火安全与疏散", "safety")]
ITEMS = {
    "保育员": [("餐前桌面未消毒", "2", "餐前消毒流程", ""), ("物品摆放不整齐", "1", None, ""),
            ("日常消毒记载不及时", "2", None, ""), ("一日流程未记录", "1", None, "staff.procedure_missed"),
            ("例会事项逾期", "1", None, "staff.action_overdue")],
    "厨师": [("留样不规范", "3", "六T管理", ""), ("操作间卫生不达标", "2", "六T管理", ""),
           ("违规使用食品添加剂", "5", "食品添加剂的种类及对人体的危害", ""), ("例会事项逾期", "1", None, "staff.action_overdue")],
    "保安": [("来访人员未登记", "2", None, ""), ("巡查漏项", "2", "防火安全与疏散", "")],
    "仓库保管员": [("出入库未及时登记", "2", None, "")],
}
STEPS = [("7:30", "开窗通风", "活动室、寝室开窗通风30分钟"), ("7:50", "晨间消毒", "桌面、门把手、玩具柜用含氯消毒液擦拭"),
         ("9:30", "准备点心", "洗手、分发点心和温开水"), ("11:00", "餐前桌面消毒", "餐前10分钟消毒桌面，清水擦净"),
         ("11:30", "照顾进餐", "分餐、添饭，关注进餐慢的幼儿"), ("12:20", "午睡检查", "巡视午睡，掖被子，记录异常"),
         ("14:40", "起床整理", "帮助幼儿穿衣、整理床铺、梳头"), ("16:30", "离园清洁", "地面湿拖、毛巾口杯消毒、填写消毒记录")]


def _actor(kg, user):
    from houqin import policy

    return policy.actor_for_kindergarten(user, kg)


@demo_step
def build_staff(ctx):
    """Posts, trainings, meetings, assessments, ratings, the daily procedure and certificates."""
    from django.utils import timezone

    from houqin.org.models import Membership

    for slug, full in (("demo", True), ("demo2", False)):
        kg = ctx.kindergartens[slug]
        suffix = "" if slug == "demo" else "2"
        director_user = ctx.users.get("director" + suffix)
        if director_user is None:
            continue
        director = _actor(kg, director_user)
        members = list(Membership.objects.filter(kindergarten=kg, is_active=True).select_related("user")
                       .prefetch_related("classes").order_by("pk"))
        by_role: dict[str, list] = {}
        for m in members:
            by_role.setdefault(m.role, []).append(m)
        _build(ctx, kg, director, by_role, suffix, full, timezone)


def _build(ctx, kg, director, by_role, suffix, full, timezone):
    from django.utils import translation

    from houqin.org.models import Role
    from houqin.staff import services
    from houqin.staff.models import Assessment, ProcedureCheck, ProcedureStep, Rating

    rng = ctx.rng
    counts = ctx.counts
    dates = ctx.dates
    today = dates.today
    with translation.override("zh-hans"):
        topics = {name: services.topic_save(actor=director, name=name, category=cat) for name, cat in TOPICS}
        posts = {}
        for i, (name, bonus, cert, roles) in enumerate(POSTS):
            post = services.post_save(actor=director, name=name, base_bonus=bonus, handles_food_or_children=cert,
                                      sort_order=i + 1)
            posts[name] = post
            for j, (item, points, topic, kind) in enumerate(ITEMS[name]):
                services.item_save(actor=director, post=post, name=item, points=points,
                                   topic=topics.get(topic) if topic else None, finding_kind=kind, sort_order=j)
            for role in roles:
                for m in by_role.get(role, []):
                    services.assign(actor=director, user=m.user, post=post, started_on=ctx.term_start)
        nursery = [m.user for m in by_role.get(Role.NURSERY, [])]
        canteen = [m.user for m in by_role.get(Role.CANTEEN, [])]
        everyone = [m.user for r, ms in by_role.items() if r not in (Role.PARENT, Role.SUPERVISOR) for m in ms]
        everyone = list({u.pk: u for u in everyone}.values())
        health_user = ctx.users.get("health" + suffix) or director.user
        health = _actor(kg, health_user)

        # trainings: the kitchen's 六T and food additives, the nursery staff's pre-meal disinfection, fire safety
        plan = [(dates.moved(dt.date(2026, 9, 4)), "六T管理", "区食堂管理培训：六T实务", "区教育局后勤科 李老师", canteen, False),
                (dates.moved(dt.date(2026, 9, 18)), "餐前消毒流程", "保育员餐前消毒规范（微格教研）", health_user.display_name, nursery, False),
                (dates.moved(dt.date(2026, 10, 16)), "食品添加剂的种类及对人体的危害", "《食品添加剂的种类及对人体的危害》知识讲座",
                 "区疾控中心 王医生", canteen, True),
                (dates.moved(dt.date(2026, 11, 6)), "防火安全与疏散", "消防日防火安全培训", "消防大队 张教官", everyone, True)]
        if not full:
            plan = plan[:2]
        trainings = []
        for date, topic, title, trainer, people, test in plan:
            t = services.training_create(actor=health if topic != "防火安全与疏散" else director, topic=topics[topic],
                                         date=date, title=title, trainer=trainer, attendees=people, has_test=test,
                                         location="多功能厅", hours="1.5")
            trainings.append(t)
            if people:
                rows = []
                for u in people:
                    absent = rng.random() < 0.06 and u not in (nursery[:1] + canteen[:1])
                    rows.append({"user": u, "attended": not absent,
                                 "score": None if (absent or not test) else str(rng.randint(72, 100))})
                services.training_record(actor=director, training=t, rows=rows)
        counts["staff trainings"] = counts.get("staff trainings", 0) + len(trainings)

        # weekly logistics meetings (Mondays), an action item each; the last open one is overdue
        owners = [u for u in (canteen[:2] + nursery[:2] + [m.user for m in by_role.get(Role.GUARD, [])][:1]) if u]
        subjects = ["检查各班消毒记录", "更换厨房排风扇滤网", "整理留样柜并核对留样记录", "检查消防器材", "清点各班被褥",
                    "修理中二班水龙头", "冬季防滑垫铺设", "整理仓库过期物品", "检查户外大型玩具", "准备流感防控物资",
                    "补充各班洗手液"]
        # Mondays up to the last one whose action (due on Wednesday) is overdue today
        last_monday = dates.week_start if today > dates.week_start + dt.timedelta(days=2) else (
            dates.week_start - dt.timedelta(days=7))
        last_monday = min(last_monday, dates.last_day)
        mondays = [d for d in dates.past_days if d.weekday() == 0 and d <= last_monday]
        if not full:
            mondays = mondays[-3:]
        week = 0
        for monday in mondays:
            m = services.meeting_create(
                actor=director, date=monday, title=f"第{week + 2}周后勤例会",
                agenda="1. 上周工作回顾\n2. 本周重点工作\n3. 业务学习", minutes="各岗位汇报上周工作，主任点评巡查中发现的问题。",
                decisions=f"本周重点：{subjects[week % len(subjects)]}。", attendees=everyone[:12])
            if owners:
                owner = owners[week % len(owners)]
                due = monday + dt.timedelta(days=4 if monday < mondays[-1] else 2)
                action = services.action_add(actor=director, meeting=m, description=subjects[week % len(subjects)],
                                             owner=owner, due_date=due)
                if monday < mondays[-1]:
                    action._history_user = director.user
                    from houqin.staff.models import ActionItem

                    ActionItem.objects.filter(pk=action.pk).update(
                        done_at=timezone.make_aware(dt.datetime.combine(due, dt.time(16, 0))), done_by=owner,
                        done_note="已完成")
            week += 1
        counts["staff meetings"] = counts.get("staff meetings", 0) + week

        # the daily procedure: the template, ticked by the nursery staff on school days
        for i, (time_label, title, desc) in enumerate(STEPS):
            services.step_save(actor=director, time_label=time_label, title=title, description=desc, sort_order=i + 1)
        steps = list(ProcedureStep.objects.filter(kindergarten=kg))
        ticks = []
        ticked_from, missed = dates.moved(dt.date(2026, 11, 2)), dates.moved(dt.date(2026, 11, 12))
        for m in by_role.get(Role.NURSERY, []):
            for cls in m.classes.all():
                for day in dates.past_days:
                    if day >= ticked_from and not (day == missed and m.user == nursery[0]):
                        for step in steps:
                            at = timezone.make_aware(dt.datetime.combine(day, dt.time(*map(int, step.time_label.split(":")))))
                            ticks.append(ProcedureCheck(kindergarten=kg, school_class=cls, date=day, step=step,
                                                        done_by=m.user, done_at=at, created_by=m.user))
        ProcedureCheck.objects.bulk_create(ticks, ignore_conflicts=True)

        # the last two complete months' assessments (confirmed) and this month's; last month has the
        # doubled, trained-on mistake of the demo nursery staff
        months = dates.months[-2:]
        current = dates.this_month if any(d >= dates.this_month for d in dates.past_days) else None
        planted_day = None
        if months:
            in_last = [d for d in dates.past_days if d.replace(day=1) == months[-1]]
            planted_day = in_last[len(in_last) // 2]
        for month in months + ([current] if current else []):
            services.assessment_generate(actor=director, month=month)
            sheets = list(Assessment.objects.filter(kindergarten=kg, month=month).select_related("post", "user"))
            for a in sheets:
                items = list(a.post.items.filter(finding_kind=""))
                days_in = [d for d in dates.past_days if d.replace(day=1) == month]
                for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
                    if not days_in:
                        break
                    item = rng.choice(items)
                    day = rng.choice(days_in)
                    services.deduction_add(actor=director, assessment=a, item=item, date=day,
                                           note=rng.choice(["巡查发现", "推门考核发现", "班主任反映", "保健老师走动管理发现"]))
            if months and month == months[-1] and nursery:
                planted = next(a for a in sheets if a.user == nursery[0])
                trained = plan[1][0]
                services.deduction_add(actor=director, assessment=planted,
                                       item=planted.post.items.get(name="餐前桌面未消毒"), date=planted_day,
                                       note=f"午餐前未消毒桌面（{trained.month}月{trained.day}日已培训）")
            if month != current:
                services.assessment_confirm_month(actor=director, month=month)
        counts["staff assessments"] = counts.get("staff assessments", 0) + Assessment.objects.filter(kindergarten=kg).count()

        # 爱心阿姨: this month's rating period; teachers and peers have rated, parents partly (not the demo parent)
        month_end = (dates.this_month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        rnd = services.round_create(actor=director, title=f"{today.year}年{today.month}月 爱心阿姨评选",
                                    starts_on=dates.this_month, ends_on=month_end, notify_parents=full)
        ratings = []
        for m in by_role.get(Role.CLASS_TEACHER, []) + by_role.get(Role.NURSERY, []):
            rater = _actor(kg, m.user)
            for target in services.rateable(rater, rnd):
                ratings.append(Rating(kindergarten=kg, round=rnd, ratee=target.ratee, rater=m.user,
                                      rater_kind=target.kind, school_class=target.school_class,
                                      stars=rng.choice([3, 4, 4, 5, 5, 5]), created_by=m.user))
        # parents: about one in four of each class has rated its nursery staff (not the demo parent)
        from houqin.org.models import Guardian

        parent_logins = {m.user_id for m in by_role.get(Role.PARENT, [])}
        nursery_of = {c.pk: m.user for m in by_role.get(Role.NURSERY, []) for c in m.classes.all()}
        guardians = (Guardian.objects.filter(kindergarten=kg, is_primary=True, voided_at__isnull=True,
                                             child__left_on__isnull=True)
                     .select_related("child").order_by("pk"))
        parents = [g for g in guardians if g.user_id not in parent_logins and g.child.school_class_id in nursery_of]
        raters = [g for g in parents if rng.random() < 0.25]
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password

        User = get_user_model()
        accounts = User.objects.bulk_create([  # the parents' own accounts (not demo logins)
            User(username=f"{kg.slug}-parent-{g.pk}", full_name=g.name, phone=g.phone, password=make_password(None))
            for g in raters])
        Guardian.objects.bulk_update([setattr(g, "user", u) or g for g, u in zip(raters, accounts, strict=True)],
                                     ["user"])
        from houqin.org.models import Membership as OrgMembership

        from simple_history.utils import bulk_create_with_history

        bulk_create_with_history([OrgMembership(user=u, role=Role.PARENT, kindergarten=kg) for u in accounts],
                                 OrgMembership, default_change_reason=CHANGE_REASON)
        for g, u in zip(raters, accounts, strict=True):
            ratings.append(Rating(kindergarten=kg, round=rnd, ratee=nursery_of[g.child.school_class_id], rater=u,
                                  rater_kind="parent", school_class_id=g.child.school_class_id,
                                  stars=rng.choice([4, 4, 5, 5, 5, 5, 3]), created_by=u))
        counts["parent ratings"] = counts.get("parent ratings", 0) + len(raters)
        Rating.objects.bulk_create(ratings, ignore_conflicts=True)

        # health certificates: everyone who needs one; one expired (a cook), one expiring (a nursery staff)
        from houqin.staff import selectors

        people = selectors.needs_certificate(kg)
        for i, u in enumerate(people):
            issued = today - dt.timedelta(days=rng.randint(60, 260))
            expires = None
            if canteen and u == canteen[-1]:  # planted: expired 12 days ago
                expires = today - dt.timedelta(days=12)
                issued = expires.replace(year=expires.year - 1) + dt.timedelta(days=1)
            elif nursery and u == nursery[-1]:  # planted: expires in 14 days
                expires = today + dt.timedelta(days=14)
                issued = expires.replace(year=expires.year - 1) + dt.timedelta(days=1)
            services.certificate_add(actor=health, user=u, issued_on=issued, expires_on=expires,
                                     number=f"{kg.pk:02d}{issued.year}{i:05d}", issuer="区疾病预防控制中心")
        counts["health certificates"] = counts.get("health certificates", 0) + len(people)


@demo_step
def build_nap_rounds(ctx):
    """The nap-time watch (午睡巡视) of the last five school days: the demo nursery staff's class
    walked every 30 minutes from 12:30 (one kicked-off cover, once a child crying), and on the day
    before the last one the 14:00 round is missing."""
    from django.utils import timezone

    from houqin.org.models import Membership, Role
    from houqin.staff.models import NapFinding, NapRound

    tz = timezone.get_current_timezone()
    days = list(ctx.dates.past_days)[-5:]
    made = []
    for slug in ("demo", "demo2"):
        kg = ctx.kindergartens.get(slug)
        if kg is None:
            continue
        member = Membership.objects.filter(kindergarten=kg, role=Role.NURSERY, is_active=True).order_by("pk").first()
        if member is None:
            continue
        for cls in member.classes.all()[:1]:
            size = cls.children.filter(left_on__isnull=True).count()
            for n, day in enumerate(days):
                for k, (hour, minute) in enumerate(((12, 30), (13, 0), (13, 30), (14, 0))):
                    if n == len(days) - 2 and k == 3:
                        continue
                    findings, note = [], ""
                    if n == len(days) - 1 and k == 1:
                        findings, note = [NapFinding.COVERS], "靠窗第二张床的孩子蹬被，已盖好。"
                    elif n == len(days) - 3 and k == 0:
                        findings, note = [NapFinding.CRYING], "一名幼儿想妈妈哭闹，抱起安抚后入睡。"
                    made.append(NapRound(kindergarten=kg, school_class=cls, date=day,
                                         at=dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz),
                                         children_checked=min(max(size, 1), 60), findings=findings, note=note,
                                         done_by=member.user, created_by=member.user))
    NapRound.objects.bulk_create(made)
    ctx.counts["staff nap rounds"] = len(made)

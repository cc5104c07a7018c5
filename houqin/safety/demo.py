"""A term of safety records for the demo kindergartens, up to ctx.dates.today (9 a.m.): zones with
daily self-checks, inspection templates with their rounds, hazards in every state (planted: some
overdue), fire equipment (planted: one extinguisher's annual inspection overdue), drills (one fire
drill with every class out in 2 min 10 s, an earthquake drill, a third only planned: the term is one
drill short of the rule's three so far), visitors (one inside now), delegations for today, releases
and one refused pick-up, a custody restriction (不得接走: a court order, the barred father's photo) with
his refused attempt this morning (the principal's and class teacher's red alert), duty shifts of this week and the next, an incident and signed weekly
reports. Every date from ctx.dates."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from houqin.core import calendar
from houqin.org.demo import demo_step


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


ZONES = [
    ("大门及门卫室", "gate", "保安", "guard", ["门卫室设备完好", "一键报警可用", "防冲撞设施到位"]),
    ("户外大型玩具区", "playground", "后勤主任", "director", ["滑梯无松动", "秋千链条完好", "地面软垫无破损"]),
    ("厨房", "kitchen", "营养员", "canteen", ["燃气阀门关闭", "刀具上锁", "地面防滑"]),
    ("保健室", "office", "保健老师", "health", ["药品上锁", "消毒用品分区存放"]),
    ("库房", "store", "仓库保管员", "storekeeper", ["物品码放整齐", "消防通道畅通"]),
]
TEMPLATES = [
    ("技防设备日检", "guard", "daily", "guard", ["监控画面正常", "一键报警联网", "门禁刷卡正常", "防暴器械齐全"]),
    ("大型玩具周检", "large_toys", "weekly", "director", ["滑梯螺丝紧固", "秋千链条无锈蚀", "攀爬网无破损",
                                                        "地面软垫完好"]),
    ("用电安全月检", "electrical", "monthly", "director", ["插座有保护盖", "电线无裸露", "配电箱上锁"]),
    ("厨房安全周检", "kitchen", "weekly", "canteen", ["燃气管道无泄漏", "灭火毯在位", "排烟罩清洁"]),
]
HAZARD_TEXTS = [
    ("二楼楼梯", "扶手螺丝松动"), ("户外大型玩具区", "滑梯侧板开裂"), ("中三班教室", "插座保护盖缺失"),
    ("厨房", "地面瓷砖破损易滑倒"), ("大门", "伸缩门电机异响"), ("操场", "沙池发现碎玻璃"),
    ("走廊", "应急灯不亮"), ("午睡室", "窗户限位器损坏"), ("围墙", "监控摄像头画面模糊"), ("卫生间", "地漏盖板缺失"),
]


@demo_step
def build_safety(ctx):
    from simple_history.utils import bulk_create_with_history

    from houqin.org.models import Child, Guardian
    from houqin.safety.models import (
        Agreement,
        Delegation,
        Drill,
        DutyShift,
        FireCheck,
        FireEquipment,
        Hazard,
        HazardState,
        Incident,
        InspectionResult,
        InspectionRound,
        InspectionTemplate,
        LeadershipMember,
        Release,
        SafetyReport,
        SelfCheck,
        Visitor,
        Zone,
    )

    rng = ctx.rng
    dates = ctx.dates
    today = dates.today
    counts = {"hazards": 0, "rounds": 0, "self-checks": 0}
    for slug, suffix in (("demo", ""), ("demo2", "2")):
        kg = ctx.kindergartens.get(slug)
        if kg is None:
            continue
        users = {name: ctx.users.get(name + suffix) for name in
                 ("principal", "director", "guard", "teacher", "canteen", "health", "storekeeper", "parent", "nursery")}
        classes = sorted(ctx.classes_of(slug), key=lambda c: (c.sort_order, c.name))
        full = slug == "demo"
        days = list(dates.past_days)
        if not full:
            days = days[-20:]

        # --- zones, agreements, the group -------------------------------------------------
        zones = []
        for name, kind, post, owner, items in ZONES:
            zones.append(Zone(kindergarten=kg, name=name, kind=kind, post=post, owner=users[owner], checklist=items,
                              created_by=users["director"], created_at=_at(ctx.term_start, 8)))
        teacher_class = next((c for c in classes if c.name == "中一班"), classes[0])
        zones.append(Zone(kindergarten=kg, name=f"{teacher_class.name}教室", kind="classroom", post="班主任",
                          owner=users["teacher"], school_class=teacher_class, campus=teacher_class.campus,
                          checklist=["门窗完好", "插座有保护盖", "玩具无尖锐破损"], created_by=users["director"],
                          created_at=_at(ctx.term_start, 8)))
        zones = bulk_create_with_history(zones, Zone, default_user=users["director"])
        zones = list(Zone.objects.filter(kindergarten=kg).order_by("pk"))
        bulk_create_with_history([
            Agreement(kindergarten=kg, year=ctx.term_start.year, post=post, holder=users[owner], created_by=users["principal"],
                      duties=f"负责{zone}的日常安全自查，发现隐患及时上报并协助整改。",
                      signed_at=_at(ctx.term_start + dt.timedelta(days=rng.randrange(1, 6)), 10)
                      if owner != "storekeeper" else None)
            for (zone, _k, post, owner, _i) in ZONES], Agreement, default_user=users["principal"])
        bulk_create_with_history([
            LeadershipMember(kindergarten=kg, user=users["principal"], group_role="leader", duty="全面负责"),
            LeadershipMember(kindergarten=kg, user=users["director"], group_role="deputy", duty="隐患排查与整改"),
            LeadershipMember(kindergarten=kg, user=users["health"], group_role="member", duty="卫生与传染病防控"),
            LeadershipMember(kindergarten=kg, user=users["guard"], group_role="member", duty="门卫与技防")],
            LeadershipMember, default_user=users["principal"])

        # daily self-checks (a few missed: findings)
        checks = []
        for day in days:
            for zone in zones:
                if rng.random() < 0.04:
                    continue
                checks.append(SelfCheck(kindergarten=kg, zone=zone, date=day, checked_by=zone.owner,
                                        results=[{"item": i, "ok": True, "note": ""} for i in zone.checklist],
                                        all_ok=True, created_by=zone.owner))
        SelfCheck.objects.bulk_create(checks, batch_size=500)
        counts["self-checks"] += len(checks)

        # --- inspections ------------------------------------------------------------------
        templates = bulk_create_with_history([
            InspectionTemplate(kindergarten=kg, name=name, category=cat, frequency=freq, items=items,
                               inspector=users[who], created_by=users["director"])
            for name, cat, freq, who, items in TEMPLATES], InspectionTemplate, default_user=users["director"])
        templates = list(InspectionTemplate.objects.filter(kindergarten=kg).order_by("pk"))
        rounds = []
        for t in templates:
            for day in days:
                if (t.frequency == "weekly" and day.weekday() != 2) or (t.frequency == "monthly" and day.day > 7
                                                                       or t.frequency == "monthly" and day.weekday() != 4):
                    continue
                rounds.append(InspectionRound(kindergarten=kg, template=t, date=day, inspector=t.inspector,
                                              done_at=_at(day, 8, 30), created_by=t.inspector))
        InspectionRound.objects.bulk_create(rounds, batch_size=500)
        rounds = list(InspectionRound.objects.filter(kindergarten=kg).select_related("template"))
        InspectionResult.objects.bulk_create([
            InspectionResult(kindergarten=kg, round=r, position=i, item=item, passed=True, created_by=r.inspector)
            for r in rounds for i, item in enumerate(r.template.items)], batch_size=1000)
        counts["rounds"] += len(rounds)

        # --- hazards in every state -------------------------------------------------------
        hazards = []
        n = 24 if full else 6
        for i in range(n):
            place, text = HAZARD_TEXTS[i % len(HAZARD_TEXTS)]
            reported = days[min(len(days) - 1, int(i * len(days) / n))]
            h = Hazard(kindergarten=kg, number=f"YH-{reported.year}-{i + 1:04d}", location=place, description=text,
                       severity=rng.choice(["low", "normal", "normal", "high"]), reported_at=_at(reported, 9, 10),
                       created_by=rng.choice([users["teacher"], users["guard"], users["nursery"], users["director"]]))
            age = (today - reported).days
            if i == n - 1:
                pass  # the newest: reported, waiting to be assigned
            else:
                h.assignee = users["guard"] if i % 3 else users["storekeeper"]
                h.deadline = reported + dt.timedelta(days=7)
                h.assigned_by, h.assigned_at, h.state = users["director"], _at(reported, 14), HazardState.ASSIGNED
                if age > 10 or i % 4 == 0:
                    h.rectification, h.rectified_by = "已更换/加固并拍照留存", h.assignee
                    h.rectified_at, h.state = _at(reported + dt.timedelta(days=rng.randrange(1, 6)), 11), \
                        HazardState.RECTIFIED
                    if age > 14:
                        h.checked_by, h.checked_at = users["director"], _at(reported + dt.timedelta(days=6), 16)
                        h.state, h.check_note = HazardState.CLOSED, "复查合格"
            if i in (n - 3, n - 4) and full:  # planted: overdue, still being rectified
                h.state, h.rectified_at, h.rectified_by, h.rectification = HazardState.ASSIGNED, None, None, ""
                h.checked_at = h.checked_by = None
                h.deadline = today - dt.timedelta(days=2 + i % 3)
            if i == n - 2:  # planted: rectified, waiting for someone else's re-check
                h.rectification, h.rectified_by = "已清理并更换", h.assignee
                h.rectified_at, h.state = _at(reported, 15), HazardState.RECTIFIED
            hazards.append(h)
        bulk_create_with_history(hazards, Hazard, default_user=users["director"])
        counts["hazards"] += len(hazards)

        # --- fire equipment and monthly checks --------------------------------------------
        equipment = []
        for i in range(12 if full else 4):
            last = today - dt.timedelta(days=355 - rng.randrange(0, 200))
            if i == 0 and full:
                last = today - dt.timedelta(days=400)  # planted: annual inspection overdue
            equipment.append(FireEquipment(kindergarten=kg, kind="extinguisher" if i < 9 else "hydrant" if i < 11 else "alarm",
                                           model_type="ABC干粉 4kg" if i < 9 else "", label=f"MHQ-{i + 1:03d}",
                                           location=rng.choice(["一楼走廊", "二楼走廊", "厨房门口", "楼梯口", "多功能厅"]),
                                           last_inspected_on=last, last_refilled_on=last,
                                           expires_on=dt.date(2030, 6, 1), last_checked_on=days[-5],
                                           created_by=users["director"]))
        equipment = bulk_create_with_history(equipment, FireEquipment, default_user=users["director"])
        equipment = list(FireEquipment.objects.filter(kindergarten=kg))
        months = sorted({d.replace(day=1) for d in days})
        FireCheck.objects.bulk_create([
            FireCheck(kindergarten=kg, equipment=e, date=next(d for d in days if d >= m), checked_by=users["guard"],
                      ok=True, created_by=users["guard"]) for e in equipment for m in months])

        # --- drills -----------------------------------------------------------------------
        fire_day = dates.moved(dt.date(2026, 10, 9))
        drill_specs = [("fire", fire_day, True, 130), ("earthquake", dates.moved(dt.date(2026, 11, 12)), False, 150)]
        if not full:
            drill_specs = drill_specs[:1]
        made = []
        for kind, day, announced, seconds in drill_specs:
            made.append(Drill(kindergarten=kg, kind=kind, planned_on=day, announced=announced, held_at=_at(day, 10),
                              children_count=Child.objects.filter(kindergarten=kg).count(), staff_count=60 if full else 15,
                              evacuation_seconds=seconds, recorded_by=users["director"], created_by=users["director"],
                              summary="听到警报后各班按疏散路线有序撤离至操场，清点人数无遗漏。"))
        made.append(Drill(kindergarten=kg, kind="anti_terror", planned_on=dates.moved(dt.date(2026, 12, 10)),
                          announced=True,
                          created_by=users["director"]))
        bulk_create_with_history(made, Drill, default_user=users["director"])
        for d in Drill.objects.filter(kindergarten=kg, held_at__isnull=False):
            d.classes.set(classes)

        # --- visitors (one still inside) ---------------------------------------------------
        visitors = []
        for i, day in enumerate(days[-25:]):
            arrived = _at(day, 9 + i % 6, 5 * (i % 10))
            visitors.append(Visitor(kindergarten=kg, name=f"{'王李张刘陈杨'[i % 6]}师傅", organisation="维修公司" if i % 2 else "食品配送",
                                    reason="设备维修" if i % 2 else "送货", host="后勤主任" if i % 2 else "食堂",
                                    id_number="", phone=f"139{rng.randrange(10**8):08d}", arrived_at=arrived,
                                    left_at=arrived + dt.timedelta(minutes=40), created_by=users["guard"]))
        visitors.append(Visitor(kindergarten=kg, name="赵工程师", organisation="消防维保公司", reason="消防设施年检",
                                host="后勤主任", id_number="32010419850612001X", arrived_at=_at(today, 8, 40),
                                created_by=users["guard"]))
        bulk_create_with_history(visitors, Visitor, default_user=users["guard"])

        # --- pick-up: delegations, releases, the refused attempt ---------------------------
        kids = list(Child.objects.filter(kindergarten=kg, school_class=teacher_class).order_by("pk")[:6])
        if kids:
            delegs = [
                Delegation(kindergarten=kg, child=kids[0], date=today, delegate_name="周阿姨", relation="邻居",
                           phone="13900001111", reason="父母加班", requested_via="parent",
                           requested_by=users["parent"], created_by=users["parent"]),
                Delegation(kindergarten=kg, child=kids[1 % len(kids)], date=today, delegate_name="吴舅舅", relation="舅舅",
                           phone="13900002222", requested_via="teacher", requested_by=users["teacher"],
                           confirmed_by=users["teacher"], confirmed_at=_at(today, 14, 5),
                           confirmation_note="已致电孩子妈妈确认", created_by=users["teacher"]),
                Delegation(kindergarten=kg, child=kids[2 % len(kids)], date=days[-1], delegate_name="郑奶奶",
                           relation="邻居奶奶", phone="13900003333", requested_via="parent", requested_by=users["parent"],
                           confirmed_by=users["teacher"], confirmed_at=_at(days[-1], 13), confirmation_note="已电话确认",
                           created_by=users["parent"]),
            ]
            bulk_create_with_history(delegs, Delegation, default_user=users["teacher"])
            releases = []
            for day in days[-5:]:
                for child in kids:
                    g = Guardian.objects.filter(child=child, can_pick_up=True).first()
                    if g is None:
                        continue
                    releases.append(Release(kindergarten=kg, child=child, date=day, at=_at(day, 16, 30 + rng.randrange(20)),
                                            outcome="released", collector_kind="guardian", collector_name=g.name,
                                            guardian=g, released_by=users["guard"], created_by=users["guard"]))
            refused = Release(kindergarten=kg, child=kids[3 % len(kids)], date=days[-1], at=_at(days[-1], 16, 20),
                              outcome="refused", collector_kind="unknown", collector_name="孙先生",
                              released_by=users["guard"], note="自称孩子叔叔，不在授权名单，已联系家长",
                              created_by=users["guard"])
            releases = [r for r in releases if not (r.child_id == refused.child_id and r.date == refused.date
                                                    and r.at < refused.at)]
            Release.objects.bulk_create(releases + [refused])
            from houqin.core.models import AuditEvent

            AuditEvent.objects.create(at=refused.at, actor=users["guard"], actor_name=users["guard"].username,
                                      kindergarten=kg, action="safety.pickup.refused", outcome="denied",
                                      object_type="safety.Release",
                                      object_code=str(Release.objects.get(outcome="refused", kindergarten=kg).code),
                                      detail={"collector": "孙先生", "kind": "unknown"})
            _custody(kg, kids[4 % len(kids)], users, today, rng)

        # --- duty roster (this week and the next, two at peak times; one slot short) ------
        week = [d for d in calendar.school_days(dates.week_start, dates.week_start + dt.timedelta(days=13))]
        shifts = []
        for j, day in enumerate(week):
            shifts.append(DutyShift(kindergarten=kg, date=day, slot="morning_peak", person=users["guard"], post="大门"))
            shifts.append(DutyShift(kindergarten=kg, date=day, slot="morning_peak", person=users["director"], post="护导"))
            shifts.append(DutyShift(kindergarten=kg, date=day, slot="evening_peak", person=users["guard"], post="大门"))
            if j != 2:
                shifts.append(DutyShift(kindergarten=kg, date=day, slot="evening_peak", volunteer_name="家长志愿者",
                                        post="护导"))
        bulk_create_with_history(shifts, DutyShift, default_user=users["director"])

        # --- an incident, and signed weekly reports ----------------------------------------
        bulk_create_with_history([Incident(
            kindergarten=kg, kind="injury", occurred_at=_at(dates.moved(dt.date(2026, 11, 3)), 10, 15),
            reported_at=_at(dates.moved(dt.date(2026, 11, 3)), 10, 40), location="户外活动区", child=kids[0] if kids else None,
            description="幼儿奔跑时摔倒，膝盖擦伤。", actions="保健老师消毒包扎，已通知家长。", created_by=users["teacher"])],
            Incident, default_user=users["teacher"])
        from houqin.safety.figures import report_figures
        from houqin.safety.services import report_bounds

        reports = []
        for weeks_back in (3, 2, 1):
            start, end = report_bounds("week", today - dt.timedelta(days=7 * weeks_back))
            reports.append(SafetyReport(kindergarten=kg, period="week", start=start, end=end,
                                        figures=report_figures(kg, start, end), signed_by=users["principal"],
                                        signed_at=_at(end + dt.timedelta(days=1), 9), created_by=users["director"]))
        bulk_create_with_history(reports, SafetyReport, default_user=users["director"])
    ctx.counts.update({f"safety {k}": v for k, v in counts.items()})


def _portrait(rng) -> bytes:
    """A generated head-and-shoulders silhouette (the barred person's photo on the gate's card)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 300), (222, 228, 236))
    draw = ImageDraw.Draw(image)
    shade = (70 + rng.randrange(30), 60, 55)
    draw.ellipse((75, 40, 165, 140), fill=shade)
    draw.rounded_rectangle((40, 150, 200, 320), radius=50, fill=(50, 70, 110))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def _court_order() -> bytes:
    """A scan of a court order: a white page with lines of text (a PNG, as a phone photo would be)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (620, 877), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((200, 40, 420, 70), fill=(40, 40, 40))
    for i in range(24):
        draw.rectangle((60, 120 + i * 28, 560 - (i % 5) * 40, 132 + i * 28), fill=(90, 90, 90))
    draw.ellipse((430, 700, 560, 830), outline=(200, 30, 30), width=6)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _custody(kg, child, users, today, rng) -> None:
    """不得接走: the principal recorded the mother's court order and its photo weeks ago; the father
    came this morning under another name, showed his identity card and was refused."""
    from django.core.files.base import ContentFile
    from simple_history.utils import bulk_create_with_history

    from houqin.core.models import AuditEvent
    from houqin.safety.custody import name_key
    from houqin.safety.models import CustodyRestriction, Release

    filed = today - dt.timedelta(days=40)
    restriction = CustodyRestriction(
        kindergarten=kg, child=child, person_name="赵建国", name_key=name_key("赵建国"),
        id_number="11010519491231002X", document_kind="court_order",
        reason="离婚判决：抚养权归母亲，父亲探视须经母亲同意并在场", valid_from=filed,
        filed_by=users["principal"], created_by=users["principal"], confirmed_by=users["principal"],
        confirmed_at=_at(filed, 10))
    restriction.document.save("court-order.png", ContentFile(_court_order()), save=False)
    restriction.photo.save("barred.jpg", ContentFile(_portrait(rng)), save=False)
    bulk_create_with_history([restriction], CustodyRestriction, default_user=users["principal"])
    restriction = CustodyRestriction.objects.get(kindergarten=kg, child=child, person_name="赵建国")
    refused = Release.objects.create(
        kindergarten=kg, child=child, date=today, at=_at(today, 8, 40), outcome="refused",
        collector_kind="restricted", collector_name="赵先生", released_by=users["guard"], restriction=restriction,
        note="称要带孩子去医院，身份证号与不得接走登记一致，未放行", created_by=users["guard"])
    AuditEvent.objects.create(at=refused.at, actor=users["guard"], actor_name=users["guard"].username,
                              kindergarten=kg, action="safety.custody.refused", outcome="denied",
                              object_type="safety.Release", object_code=str(refused.code),
                              detail={"collector": "赵先生", "kind": "restricted",
                                      "restriction": str(restriction.code)})


@demo_step
def build_injuries(ctx):
    """Injuries told to parents (意外伤害登记): on the last school day the demo parent's child scraped a
    knee (first aid, told to the parents, acknowledged by the parent in the app); the school day
    before, a child of another class hurt a chin badly enough to see a doctor (serious: in the
    incident book and, by the rule, on the principal's list to report to the district); and one in
    the teacher's class the parents have not answered yet."""
    from simple_history.utils import bulk_create_with_history

    from houqin.notices.models import NoticeKind
    from houqin.notices.services import publish_notice
    from houqin.org.models import Child, Guardian
    from houqin.safety.injuries import parent_text
    from houqin.safety.models import Incident, Injury, InjurySeverity, ParentResponse

    dates = ctx.dates
    past = list(dates.past_days)
    if len(past) < 2:
        return
    made = 0
    for slug, suffix in (("demo", ""), ("demo2", "2")):
        kg = ctx.kindergartens.get(slug)
        parent, health, teacher = (ctx.users.get(n + suffix) for n in ("parent", "health", "teacher"))
        if kg is None or parent is None or health is None:
            continue
        own = Guardian.objects.filter(kindergarten=kg, user=parent, voided_at__isnull=True).select_related(
            "child__school_class").order_by("pk").first()
        if own is None:
            continue
        child = own.child
        others = list(Child.objects.filter(kindergarten=kg, school_class__isnull=False).exclude(
            school_class=child.school_class).select_related("school_class").order_by("pk")[:1])
        mates = list(Child.objects.filter(kindergarten=kg, school_class=child.school_class).exclude(pk=child.pk)
                     .select_related("school_class").order_by("pk")[:1])
        serious_at = _at(past[-2], 15, 40)
        rows = [
            Injury(kindergarten=kg, child=child, school_class=child.school_class, occurred_at=_at(past[-1], 10, 20),
                   location="户外大型玩具区（滑梯）", description="从滑梯滑下时没站稳，向前摔倒，右膝盖擦破一小块皮。",
                   first_aid="保健老师用生理盐水清洗伤口、碘伏消毒，贴了创可贴；孩子情绪平稳，继续参加活动。",
                   witnesses="班主任、保育员", created_by=teacher or health,
                   response=ParentResponse.ACKNOWLEDGED, response_text="已看到，谢谢老师及时处理。",
                   responded_by=parent, responded_at=_at(past[-1], 17, 45)),
        ]
        if others:
            incident = Incident(kindergarten=kg, kind="injury", occurred_at=serious_at,
                                reported_at=serious_at + dt.timedelta(minutes=30), location="楼梯转角",
                                campus=others[0].school_class.campus, child=others[0],
                                description="下楼时被同伴碰到，下巴磕在台阶边，裂开约1厘米的口子。",
                                actions="保健老师压迫止血后，由班主任和保健老师陪同送区妇幼保健院缝合2针，家长到医院陪同。",
                                created_by=health)
            bulk_create_with_history([incident], Incident, default_user=health)
            rows.append(Injury(kindergarten=kg, child=others[0], school_class=others[0].school_class,
                               occurred_at=serious_at, location="楼梯转角",
                               description=incident.description, first_aid=incident.actions, witnesses="配班老师",
                               doctor_needed=True, severity=InjurySeverity.SERIOUS, incident=incident,
                               district_due=True, created_by=health))
        if mates:
            rows.append(Injury(kindergarten=kg, child=mates[0], school_class=mates[0].school_class,
                               occurred_at=_at(past[-1], 11, 5), location="教室",
                               description="搬小椅子时夹到左手食指，指甲边发红。", first_aid="冷水冲洗、冷敷10分钟，无破皮。",
                               witnesses="保育员", created_by=teacher or health))
        bulk_create_with_history(rows, Injury, default_user=health)
        for injury in rows:
            notice = publish_notice(kindergarten=kg, user=injury.created_by, kind=NoticeKind.SAFETY,
                                    title=f"{injury.child.name}在园受伤", body=parent_text(injury),
                                    children=[injury.child], source=f"safety.injury:{injury.code}")
            Injury.objects.filter(pk=injury.pk).update(notice_code=str(notice.code))
        made += len(rows)
    ctx.counts.update({"safety injuries": made})


# Staggered times by grade at the main gate (seed 002: 错峰放学): the older children first.
SLOT_TIMES = {
    "arrival": {"large": ("07:40", "07:55"), "middle": ("07:55", "08:10"), "small": ("08:10", "08:25"),
                "toddler": ("08:25", "08:40")},
    "dismissal": {"large": ("16:00", "16:10"), "middle": ("16:10", "16:20"), "small": ("16:20", "16:30"),
                  "toddler": ("16:30", "16:40")},
}


@demo_step
def build_slots_and_education(ctx):
    """Staggered arrival and dismissal at each campus's main gate, grade by grade (the guard and the
    parent volunteer on the peak duty at 大门 are its posts), told to the parents at the start of term;
    last week the small classes' dismissal moved five minutes later (a second notice). Safety
    education: every class's lessons of the 119 fire-safety week and on traffic, food safety for the
    middle and large classes, a staff training on the extinguishers, a letter to parents on winter
    safety (sent as a notice); drowning prevention and a parents' talk still to come (the plan)."""
    from simple_history.utils import bulk_create_with_history

    from houqin.notices.models import Notice, NoticeKind
    from houqin.notices.services import publish_notice
    from houqin.org.models import Grade, SchoolClass
    from houqin.safety.models import GateSlot, SafetyLesson

    dates = ctx.dates
    past = list(dates.past_days)
    if not past:
        return
    today = dates.today
    start = dates.term.start if dates.term.start <= today else past[0]
    made_slots = made_lessons = 0
    for slug, suffix in (("demo", ""), ("demo2", "2")):
        kg = ctx.kindergartens.get(slug)
        director, principal = ctx.users.get("director" + suffix), ctx.users.get("principal" + suffix)
        if kg is None or director is None:
            continue
        classes = list(SchoolClass.objects.filter(kindergarten=kg, is_active=True).select_related("campus")
                       .order_by("campus__name", "sort_order", "name"))
        # --- slots: each grade of each campus at its main gate -------------------------------
        slots, moved_on = [], past[-min(5, len(past))]
        moves = moved_on > start
        pairs = sorted({(c.campus_id, c.grade) for c in classes})
        campuses = {c.campus_id: c.campus for c in classes}
        for kind, times in SLOT_TIMES.items():
            for campus_id, grade in pairs:
                begin, end = times.get(grade, times["small"])
                slot = GateSlot(kindergarten=kg, kind=kind, campus=campuses[campus_id], gate="大门", grade=grade,
                                start=dt.time.fromisoformat(begin), end=dt.time.fromisoformat(end),
                                valid_from=start, created_by=director)
                if kind == "dismissal" and grade == Grade.SMALL and moves:
                    # the small classes' old time, until the change last week
                    slot.valid_until = moved_on - dt.timedelta(days=1)
                    slots.append(slot)
                    slot = GateSlot(kindergarten=kg, kind=kind, campus=campuses[campus_id], gate="大门",
                                    grade=grade, start=dt.time(16, 25), end=dt.time(16, 35), valid_from=moved_on,
                                    note="小班幼儿整理物品较慢，离园时间顺延5分钟", created_by=director)
                slots.append(slot)
        bulk_create_with_history(slots, GateSlot, default_user=director)
        made_slots += len(slots)
        kind_words = {"arrival": "入园", "dismissal": "离园"}
        grade_words = {"toddler": "托班", "small": "小班", "middle": "中班", "large": "大班"}
        lines = [f"{grade_words.get(s.grade, s.grade)}（{s.campus.name}）{kind_words[s.kind]}："
                 f"{s.start:%H:%M}–{s.end:%H:%M}，走大门"
                 for s in slots if s.valid_from == start]
        first = publish_notice(kindergarten=kg, user=director, kind=NoticeKind.SAFETY, title="错峰入园、离园时间安排",
                               body="为避免来园、离园高峰时段大门口拥挤，本学期按年级错峰入园、离园：\n"
                                    + "\n".join(lines)
                                    + "\n请家长在规定时段内接送孩子，谢谢配合。",
                               classes=classes, source="safety.slot:demo")
        Notice.objects.filter(pk=first.pk).update(published_at=_at(start, 8, 0) - dt.timedelta(days=2))
        small = [c for c in classes if c.grade == Grade.SMALL]
        if small and moves:
            change = publish_notice(kindergarten=kg, user=director, kind=NoticeKind.SAFETY,
                                    title="小班错峰离园时间调整",
                                    body=f"小班：自{moved_on:%m月%d日}起离园时间为16:25–16:35，走大门（原为16:20–16:30）。\n"
                                         "小班幼儿整理物品较慢，离园时间顺延5分钟。为避免大门口拥挤，请在规定时段内接送孩子，谢谢配合。",
                                    classes=small, source="safety.slot:demo-change")
            Notice.objects.filter(pk=change.pk).update(published_at=_at(moved_on, 9, 0) - dt.timedelta(days=3))
            GateSlot.objects.filter(kindergarten=kg, valid_from=moved_on).update(notice_code=str(change.code))

        # --- safety education: the term's plan and what was held ---------------------------
        lessons = []
        fire_day = dates.moved(dt.date(2026, 11, 9))
        traffic_day = dates.moved(dt.date(2026, 10, 13))
        food_day = dates.moved(dt.date(2026, 10, 28))
        for i, c in enumerate(classes):
            who = director
            lessons.append(SafetyLesson(
                kindergarten=kg, audience="children", topic="fire", form="lesson", school_class=c,
                title="119消防安全周：着火了怎么办", planned_on=fire_day, held_on=fire_day, participants=24 + i % 6,
                summary="认识消防标志，学习用湿毛巾捂住口鼻、弯腰沿安全通道撤离，知道火警电话119。", held_by=who,
                created_by=director))
            lessons.append(SafetyLesson(
                kindergarten=kg, audience="children", topic="traffic", form="lesson", school_class=c,
                title="红灯停，绿灯行", planned_on=traffic_day, held_on=traffic_day, participants=23 + i % 7,
                summary="认识红绿灯和斑马线，知道过马路要大人牵着手、不在马路边玩耍。", held_by=who,
                created_by=director))
            if c.grade in (Grade.MIDDLE, Grade.LARGE):
                lessons.append(SafetyLesson(
                    kindergarten=kg, audience="children", topic="food", form="lesson", school_class=c,
                    title="不吃“三无”零食", planned_on=food_day, held_on=food_day, participants=22 + i % 8,
                    summary="认识食品包装上的生产日期和保质期，不吃陌生人给的食物。", held_by=who, created_by=director))
            lessons.append(SafetyLesson(
                kindergarten=kg, audience="children", topic="drowning", form="lesson", school_class=c,
                title="寒假防溺水：不去冰面玩", planned_on=today + dt.timedelta(days=21), created_by=director))
        lessons.append(SafetyLesson(
            kindergarten=kg, audience="staff", topic="fire", form="talk", title="全体教职工消防器材使用培训",
            planned_on=fire_day, held_on=fire_day, participants=48 if slug == "demo" else 16,
            summary="消防大队教员讲解灭火器、消火栓的使用方法，全员实操灭火器。", held_by=director, created_by=director))
        letter_day = past[-min(3, len(past))]
        letter = SafetyLesson(
            kindergarten=kg, audience="parents", topic="other", form="letter", title="冬季安全告家长书",
            planned_on=letter_day, held_on=letter_day, participants=0, held_by=director, created_by=director,
            summary="冬季天气寒冷，请家长注意：1. 使用取暖器时远离易燃物，不让孩子单独靠近；2. 外出注意防滑，"
                    "不带孩子到冰面玩耍；3. 注意室内通风，预防一氧化碳中毒；4. 接送孩子遵守交通规则，电动车请给孩子戴头盔。")
        lessons.append(letter)
        lessons.append(SafetyLesson(
            kindergarten=kg, audience="parents", topic="traffic", form="talk", title="家长学校：交通安全与儿童安全座椅",
            planned_on=today + dt.timedelta(days=10), created_by=principal or director))
        bulk_create_with_history(lessons, SafetyLesson, default_user=director)
        notice = publish_notice(kindergarten=kg, user=director, kind=NoticeKind.SAFETY, title=letter.title,
                                body=letter.summary, source=f"safety.education:{letter.code}")
        Notice.objects.filter(pk=notice.pk).update(published_at=_at(letter_day, 15, 0))
        SafetyLesson.objects.filter(pk=letter.pk).update(notice_code=str(notice.code))
        made_lessons += len(lessons)
    ctx.counts.update({"safety staggered slots": made_slots, "safety education sessions": made_lessons})


PLANS = [  # title, kind, drill kind it is rehearsed by, text of the current version
    ("消防应急疏散预案", "contingency", "fire",
     "一、组织：园长任总指挥，后勤主任任副总指挥，各班班主任、保育员负责本班幼儿疏散。\n"
     "二、报警：发现火情立即拨打119，同时拉响警报、广播通知。\n"
     "三、疏散：各班按墙上疏散路线图从最近的安全出口撤离至操场，保育员最后检查教室、午睡室、卫生间。\n"
     "四、清点：到达操场后各班立即清点人数，向总指挥报告。\n五、善后：保健老师检查幼儿有无受伤，通知家长。"),
    ("食物中毒应急预案", "contingency", "",
     "一、发现幼儿出现呕吐、腹痛、腹泻等症状时，保健老师立即初步处理，症状重者拨打120送医。\n"
     "二、立即停止食用可疑食物，封存留样及剩余食品、原料和餐具，保护现场。\n"
     "三、2小时内报告区教育局和市场监管部门，配合调查。\n四、通知家长，做好解释和安抚工作。"),
    ("传染病应急预案", "contingency", "",
     "一、晨午检发现发热、皮疹等症状的幼儿立即隔离观察，通知家长接回就医。\n"
     "二、同一班级出现2例及以上同种传染病时报告保健部门，按要求关班、加强消毒。\n"
     "三、因病缺勤幼儿每日追踪病因，痊愈后凭医院证明返园。"),
    ("防暴恐应急预案", "contingency", "anti_terror",
     "一、门卫发现可疑人员强行闯入，立即按一键报警，使用防暴钢叉、盾牌阻止，同时拨打110。\n"
     "二、各班教师立即关闭门窗，将幼儿集中到教室内远离门窗的位置。\n三、园长统一指挥，等待警方处置。"),
    ("地震应急疏散预案", "contingency", "earthquake",
     "一、震时：教师组织幼儿就近躲在桌子下或墙角，护住头部。\n二、震后：按疏散路线有序撤离到操场空旷处，清点人数。"),
    ("门卫管理制度", "rule", "",
     "一、门卫24小时值班，上下学时段护导双岗。\n二、外来人员一律登记、核实后方可入园。\n"
     "三、家长凭接送卡接孩子，委托他人接送须家长事先告知并电话确认。"),
]


@demo_step
def build_rulebook(ctx):
    """The rule book (制度与应急预案): six plans approved by the principal, the fire evacuation plan in
    its second version (after the new fire doors), most staff have read the current versions and a
    few have not; planted: the anti-terror plan is past its review date (the principal's red to-do)
    and the infectious-disease plan is due for review this month. The fire, earthquake and
    anti-terror drills name the plan they rehearse."""
    from houqin.safety.models import Drill, Plan, PlanReceipt, PlanVersion

    today = ctx.dates.today
    made = 0
    for slug, suffix in (("demo", ""), ("demo2", "2")):
        kg = ctx.kindergartens.get(slug)
        principal, director = ctx.users.get("principal" + suffix), ctx.users.get("director" + suffix)
        if kg is None or principal is None or director is None:
            continue
        readers = [u for u in (ctx.users.get(n + suffix) for n in
                               ("principal", "director", "health", "canteen", "storekeeper", "guard", "teacher",
                                "nursery", "accountant")) if u is not None]
        for i, (title, kind, drill_kind, text) in enumerate(PLANS):
            plan = Plan(kindergarten=kg, title=title, kind=kind, created_by=director,
                        created_at=_at(today - dt.timedelta(days=400), 9))
            plan._history_user = director
            plan.save()
            approved = today - dt.timedelta(days=330 - 20 * i)
            review = approved + dt.timedelta(days=365)
            if title == "防暴恐应急预案":
                review = today - dt.timedelta(days=12)  # planted: past its review date
            elif title == "传染病应急预案":
                review = today + dt.timedelta(days=18)  # due this month
            versions = []
            if title == "消防应急疏散预案":
                versions.append(PlanVersion(kindergarten=kg, plan=plan, number=1, text=text.replace("各班按", "各班按原"),
                                            approved_by=principal, approved_on=approved,
                                            review_due=approved + dt.timedelta(days=365), created_by=director))
                approved = today - dt.timedelta(days=45)
                review = approved + dt.timedelta(days=365)
            versions.append(PlanVersion(kindergarten=kg, plan=plan, number=len(versions) + 1, text=text,
                                        changes="新增东侧消防门疏散路线" if versions else "",
                                        approved_by=principal, approved_on=approved, review_due=review,
                                        created_by=director))
            for v in versions:
                v._history_user = director
                v.save()
            current = versions[-1]
            # most read the current version; the newest (fire, v2) is still missing a few readers
            missing = 3 if len(versions) > 1 else (1 if i % 2 else 0)
            PlanReceipt.objects.bulk_create([
                PlanReceipt(version=current, user=u,
                            read_at=_at(max(current.approved_on, today - dt.timedelta(days=40)) + dt.timedelta(days=1 + j % 5), 16))
                for j, u in enumerate(readers[:len(readers) - missing])])
            if drill_kind:
                Drill.objects.filter(kindergarten=kg, kind=drill_kind).update(plan=plan)
            made += 1
    ctx.counts.update({"safety plans": made})

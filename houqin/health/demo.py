"""A term of health care for the demo kindergartens (steps of `manage.py seed_demo`).

For every school day of ctx.dates before today: attendance of every enrolled child (a few per cent
on sick or personal leave, illness absences followed up except the last days'), the morning check of
every class (a few exceptions), disinfection records (a few missing, for the to-dos and findings).
Today, as at 9 a.m.: about two classes in three have done their morning check (one child with a fever
sent home), the others are still to check; no disinfection yet (it is done in the afternoon).
The admission exam and the November term exam with their growth assessment (WHO LMS), the
vaccination certificate check (some doses missing, catch-up partly done), weak-child cases, an
influenza case cleared some weeks ago and THE PLANTED CLUSTER: two hand-foot-mouth cases in 小二班 of
本部 within the last week, which fires the class rule (report prefilled, actions proposed); one
catch-up dose reminded long ago and still not given (the late catch-up).

Haemoglobin is drawn around 122 g/L (SD 7): a few per cent of the exams fall under the anaemia line;
overweight, thin and short children are a few per cent, as in a city kindergarten.

Deterministic (ctx.rng and ctx.dates only, no clock); bulk_create throughout.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from houqin.health import growth, judgements, rules
from houqin.health.models import (
    Attendance,
    CaseStatus,
    CatchUp,
    CatchUpStatus,
    CheckFinding,
    CheckSession,
    DiseaseCase,
    Disinfection,
    Exam,
    ExamKind,
    OutbreakAlert,
    VaccinationCheck,
    VaccinationDose,
    WeakChildCase,
    WeakChildFollowUp,
)
from houqin.org.demo import demo_step
from houqin.org.models import Membership, Role

CLUSTER_CLASS = ("本部", "小二班")
CLUSTER = [(5, "hospital", "市儿童医院"), (2, "hospital", "市儿童医院")]  # onset: school days before today
CHECKED_TODAY = 0.65  # share of the classes that have done today's morning check by 9 a.m.
SICK_SYMPTOMS = [["fever"], ["fever", "cough"], ["cough", "runny_nose"], ["vomiting"], ["diarrhoea"], ["fever", "sore_throat"]]
DIAGNOSES = ["上呼吸道感染", "急性支气管炎", "发热", "胃肠炎", "扁桃体炎", "感冒"]
CHECK_FINDINGS = [(["runny_nose"], "observe"), (["cough"], "observe"), (["injury"], "parent_called"),
                  (["dangerous_object"], "object_taken"), (["eye_discharge"], "parent_called"),
                  (["fever"], "sent_home")]
AREAS = rules.disinfection_areas()
METHOD = {"toys": ("chlorine", 500, 30), "tableware": ("cabinet", None, 20), "room": ("chlorine", 500, 30)}


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _class_staff(kg) -> dict[int, dict[str, int]]:
    staff: dict[int, dict[str, int]] = {}
    for m in Membership.objects.filter(kindergarten=kg, is_active=True, role__in=[Role.CLASS_TEACHER, Role.NURSERY]) \
            .prefetch_related("classes").order_by("pk"):
        for c in m.classes.all():
            staff.setdefault(c.pk, {}).setdefault(m.role, m.user_id)
    return staff


def _health_user(kg):
    m = Membership.objects.filter(kindergarten=kg, role=Role.HEALTH_TEACHER, is_active=True).select_related("user")
    return m.first().user


@demo_step
def build_attendance_and_checks(ctx):
    """Attendance, morning checks and disinfection of every school day of the term so far (the
    canteen's meal account reads the attendance)."""
    dates = ctx.dates
    days = list(dates.days)  # today too, if it is a school day (only the classes checked by 9 a.m.)
    n_att = n_find = n_dis = 0
    for slug in ctx.kindergartens:
        kg = ctx.kindergartens[slug]
        rng = ctx.rng
        health = _health_user(kg)
        staff = _class_staff(kg)
        children = list(ctx.children_of(slug).select_related("school_class"))
        cluster_class = ctx.classes.get((slug, CLUSTER_CLASS[1])) if slug == "demo" else None
        cluster_kids = ([c for c in children if c.school_class_id == cluster_class.pk][:2] if cluster_class else [])
        cluster_absent = {(kid.pk, day) for kid, (onset, _s, _n) in zip(cluster_kids, CLUSTER)
                          for day in days if day >= dates.back(onset)}
        unchecked = set()  # the classes still to check this morning
        if dates.is_school_day:
            class_ids = sorted({c.school_class_id for c in children})
            unchecked = set(rng.sample(class_ids, round(len(class_ids) * (1 - CHECKED_TODAY))))
        fever_today = dates.is_school_day
        attendance, sessions, findings, disinfections = [], [], [], []
        by_class: dict[int, list] = {}
        for c in children:
            by_class.setdefault(c.school_class_id, []).append(c)
        sick_spell: dict[int, int] = {}
        for day in days:
            recent = (dates.today - day).days <= 3
            # the day's times, made once for its thousand rows
            at_check, at_entry, at_session, at_disinfection = _at(day, 8, 5), _at(day, 8, 10), _at(day, 8, 20), \
                _at(day, 16, 30)
            at_follow_up = _at(day + dt.timedelta(days=1), 10)
            is_today = day == dates.today
            for class_id, kids in by_class.items():
                if is_today and class_id in unchecked:
                    continue
                present = 0
                for child in kids:
                    if child.enrolled_on > day or (child.left_on and child.left_on < day):
                        continue
                    status, symptoms, diagnosis = "present", "", ""
                    if (child.pk, day) in cluster_absent:
                        status, symptoms, diagnosis = "sick", "fever,mouth_blisters,hand_foot_blisters", "手足口病"
                    elif sick_spell.get(child.pk, 0) > 0:
                        sick_spell[child.pk] -= 1
                        status, symptoms, diagnosis = "sick", "fever", "上呼吸道感染"
                    else:
                        r = rng.random()
                        if r < 0.025:
                            status = "sick"
                            symptoms = ",".join(rng.choice(SICK_SYMPTOMS))
                            diagnosis = "" if recent else rng.choice(DIAGNOSES)
                            sick_spell[child.pk] = rng.choice([0, 0, 1, 2])
                        elif r < 0.04:
                            status = "personal"
                    attendance.append(Attendance(
                        kindergarten=kg, child=child, school_class_id=class_id, date=day, status=status,
                        symptoms=symptoms, diagnosis=diagnosis, created_by_id=staff.get(class_id, {}).get(
                            Role.CLASS_TEACHER, health.pk), created_at=at_entry,
                        followed_up_at=at_follow_up if diagnosis else None,
                        followed_up_by=health if diagnosis else None))
                    if status == "present":
                        present += 1
                        if is_today and fever_today and class_id not in unchecked:
                            fever_today = False  # today's one fever: 38.2 °C at the gate, sent home
                            findings.append((class_id, day, CheckFinding(
                                kindergarten=kg, child=child, school_class_id=class_id, date=day,
                                temperature=Decimal("38.2"), findings=["fever"], action="sent_home", is_abnormal=True,
                                created_at=at_check)))
                        elif rng.random() < 0.012:
                            found, action = rng.choice(CHECK_FINDINGS)
                            if is_today and "fever" in found:  # today has its one fever, above
                                found, action = CHECK_FINDINGS[0]
                            temp = Decimal(str(round(rng.uniform(37.4, 38.6), 1))) if "fever" in found else None
                            findings.append((class_id, day, CheckFinding(
                                kindergarten=kg, child=child, school_class_id=class_id, date=day, temperature=temp,
                                findings=found, action=action, is_abnormal=True, created_at=at_check)))
                checker = staff.get(class_id, {}).get(Role.CLASS_TEACHER, health.pk)
                sessions.append(CheckSession(
                    kindergarten=kg, school_class_id=class_id, date=day, kind="morning", checker_id=checker,
                    second_checker_id=staff.get(class_id, {}).get(Role.NURSERY), checked_count=present,
                    created_by_id=checker, created_at=at_session))
                nursery = staff.get(class_id, {}).get(Role.NURSERY, health.pk)
                # disinfection is done in the afternoon: none yet today; planted gaps: a few days
                # without records in two classes
                if is_today or (class_id % 7 == 3 and day.day in (12, 19)) or (
                        class_id % 7 == 5 and day == dates.last_day):
                    continue
                for area in AREAS:
                    method, conc, minutes = METHOD[area]
                    disinfections.append(Disinfection(
                        kindergarten=kg, school_class_id=class_id, date=day, area=area, method=method,
                        concentration_mg_l=conc, minutes=minutes, done_by_id=nursery, created_by_id=nursery,
                        created_at=at_disinfection))
        Attendance.objects.bulk_create(attendance, batch_size=2000)
        # each session counts its findings before it is written (no second pass over the sessions)
        session_of = {(s.school_class_id, s.date): s for s in sessions}
        for class_id, day, _f in findings:
            session_of[(class_id, day)].abnormal_count += 1
        CheckSession.objects.bulk_create(sessions, batch_size=2000)  # sets their pks
        rows = []
        for class_id, day, f in findings:
            f.session = session_of[(class_id, day)]
            rows.append(f)
        CheckFinding.objects.bulk_create(rows, batch_size=2000)
        Disinfection.objects.bulk_create(disinfections, batch_size=2000)
        n_att += len(attendance)
        n_find += len(rows)
        n_dis += len(disinfections)
    ctx.counts["attendance"] = n_att
    ctx.counts["check findings"] = n_find
    ctx.counts["disinfection records"] = n_dis


def _measure(rng, child, day, cutoffs):
    days = (day - child.birth_date).days
    hlms, _ = growth.lms_for("length_height_for_age", child.sex, age_days=days)
    z = max(min(rng.gauss(0.2, 0.8), 1.9), -1.9)
    if rng.random() < 0.01:
        z = rng.uniform(-2.6, -2.1)  # a few short children
    height = round(hlms.value_at(max(min(z, 3), -3)), 1)
    wlms, _ = growth.lms_for("weight_for_height", child.sex, age_days=days, height_cm=height)
    wz = max(min(rng.gauss(0.3, 0.8), 1.9), -1.9)
    if rng.random() < 0.03:
        wz = rng.uniform(2.1, 3.4)  # overweight and obese children
    if rng.random() < 0.01:
        wz = rng.uniform(-2.8, -2.1)  # thin children
    weight = round(wlms.value_at(max(min(wz, 3.5), -3.5)), 1) if wlms else round(height * 0.16, 1)
    return Decimal(str(height)), Decimal(str(weight))


@demo_step
def build_exams_vaccination_and_disease(ctx):
    exams_n = weak_n = checks_n = 0
    for slug in ctx.kindergartens:
        kg = ctx.kindergartens[slug]
        rng = ctx.rng
        health = _health_user(kg)
        cutoffs = rules.growth_cutoffs(kg)
        figs = rules.figures(kg)
        children = list(ctx.children_of(slug).select_related("school_class"))
        exams = []
        for child in children:
            if child.left_on:
                continue
            admitted = child.enrolled_on >= ctx.term_start - dt.timedelta(days=31)
            for day, kind in ((max(child.enrolled_on, ctx.term_start) + dt.timedelta(days=rng.randint(0, 6)),
                               ExamKind.ADMISSION if admitted else ExamKind.TERM),
                              (ctx.dates.moved(dt.date(2026, 11, 2) + dt.timedelta(days=rng.randint(0, 9))),
                               ExamKind.TERM)):
                if day >= ctx.dates.today or rng.random() < 0.02:
                    continue  # a few absent on exam day
                height, weight = _measure(rng, child, day, cutoffs)
                if exams and exams[-1].child_id == child.pk:
                    height = max(height, exams[-1].height_cm + Decimal("0.8"))
                    weight = max(weight - Decimal("0.3"), exams[-1].weight_kg)
                a = growth.assess(sex=child.sex, birth_date=child.birth_date, on=day, height_cm=height,
                                  weight_kg=weight, cutoffs=cutoffs, standard=growth.WST423)
                hb = max(95, min(150, round(rng.gauss(122, 7)))) if kind == ExamKind.TERM else None
                left = Decimal(rng.choice(["4.8", "4.9", "5.0", "5.0", "5.1"])) if kind == ExamKind.TERM else None
                right = Decimal(rng.choice(["4.8", "4.9", "5.0", "5.0", "5.1"])) if kind == ExamKind.TERM else None
                caries = rng.choice([0, 0, 0, 0, 1, 2, 3])
                exams.append(Exam(
                    kindergarten=kg, created_by=health, child=child, school_class_id=child.school_class_id, date=day,
                    kind=kind, height_cm=height, weight_kg=weight, age_days=a.age_days, bmi=a.bmi, waz=a.waz,
                    haz=a.haz, whz=a.whz, bmiz=a.bmiz, results=a.results, standard=a.standard,
                    vision_left=left, vision_right=right, caries=caries, haemoglobin=hb,
                    anaemia=judgements.anaemic(hb, age_days=a.age_days, figs=figs),
                    poor_vision=judgements.poor_vision(left, right, age_days=a.age_days, figs=figs),
                    has_caries=judgements.has_caries(caries, figs=figs),
                    created_at=_at(day, 10)))
        Exam.objects.bulk_create(exams, batch_size=2000)
        # 矫治 follow-ups: opened by the first exam that found the condition, re-checked by the next
        from types import SimpleNamespace

        from houqin.health.services import _open_corrections

        _open_corrections(list(Exam.objects.filter(kindergarten=kg)), SimpleNamespace(kindergarten=kg, user=health),
                          figs)
        exams_n += len(exams)
        latest = {}
        for e in exams:
            latest[e.child_id] = e
        weak, follow = [], []
        reasons = {"underweight": "malnutrition", "wasting": "malnutrition", "stunting": "stunting",
                   "obesity": "obesity"}
        for e in latest.values():
            wanted = {reasons[r] for r in e.results if r in reasons} | ({"anaemia"} if e.anaemia else set())
            for reason in sorted(wanted):
                weak.append(WeakChildCase(kindergarten=kg, created_by=health, child_id=e.child_id,
                                          school_class_id=e.school_class_id, reason=reason, opened_on=e.date,
                                          plan={"obesity": "控制零食与甜饮，每日户外活动1小时，每月测体重。",
                                                "anaemia": "膳食增加动物肝脏、红肉，建议就医补铁，1个月后复查血红蛋白。",
                                                "malnutrition": "增加优质蛋白与餐次，每月测体重身高，家园共育。",
                                                "stunting": "保证睡眠与运动、补充钙与优质蛋白，每季度测身高。"}[reason]))
        WeakChildCase.objects.bulk_create(weak)
        for case in WeakChildCase.objects.filter(kindergarten=kg)[:10]:
            follow.append(WeakChildFollowUp(kindergarten=kg, created_by=health, case=case,
                                            date=case.opened_on + dt.timedelta(days=7),
                                            note="已与家长沟通，家长配合，继续观察。"))
        WeakChildFollowUp.objects.bulk_create(follow)
        weak_n += len(weak)
        # vaccination certificate check at admission: ~97 % checked, ~8 % with missing doses
        from houqin.health.services import missing_doses

        schedule = rules.nip_schedule()
        checks, doses, catch_ups = [], [], []
        for child in children:
            if child.left_on or rng.random() < 0.03:
                continue
            day = max(child.enrolled_on, ctx.term_start) + dt.timedelta(days=rng.randint(1, 20))
            all_due = missing_doses(birth_date=child.birth_date, on=day, given=set())
            skip = set()
            if rng.random() < 0.08:
                skip = {d.key for d in rng.sample(all_due, k=min(len(all_due), rng.choice([1, 1, 2])))}
            for d in all_due:
                if d.key not in skip:
                    doses.append(VaccinationDose(kindergarten=kg, created_by=health, child=child, vaccine=d.vaccine,
                                                 dose_no=d.dose_no,
                                                 given_on=child.birth_date + dt.timedelta(days=int(d.age_months * 30.4) + 3)))
            checks.append((child, day, sorted(skip)))
        VaccinationDose.objects.bulk_create(doses, batch_size=2000)
        made = VaccinationCheck.objects.bulk_create([
            VaccinationCheck(kindergarten=kg, created_by=health, child=c, school_class_id=c.school_class_id,
                             checked_on=day, missing=missing, created_at=_at(day, 11)) for c, day, missing in checks])
        by_key = {d.key: d for d in schedule}
        extra_doses = []
        late = slug == "demo"  # planted: the first catch-up of the demo kindergarten is long overdue
        for check, (child, day, missing) in zip(made, checks):
            for key in missing:
                d = by_key[key]
                done_on = day + dt.timedelta(days=rng.randint(7, 40))  # most parents catch up within weeks
                done = done_on < ctx.dates.today and not late
                if not done:
                    done_on = None
                late = False
                catch_ups.append(CatchUp(kindergarten=kg, created_by=health, child=child, check_record=check,
                                         vaccine=d.vaccine, dose_no=d.dose_no,
                                         status=CatchUpStatus.DONE if done else CatchUpStatus.PENDING, done_on=done_on,
                                         reminded_at=_at(day + dt.timedelta(days=3), 15)))
                if done:
                    extra_doses.append(VaccinationDose(kindergarten=kg, created_by=health, child=child,
                                                       vaccine=d.vaccine, dose_no=d.dose_no, given_on=done_on,
                                                       is_catch_up=True))
        CatchUp.objects.bulk_create(catch_ups)
        VaccinationDose.objects.bulk_create(extra_doses)
        checks_n += len(made)
        # disease: an influenza case cleared in October; in demo the planted HFMD cluster
        flu_child = next(c for c in children if not c.left_on)
        diseases = rules.diseases(kg)
        onset = ctx.dates.moved(dt.date(2026, 10, 19))
        DiseaseCase.objects.create(
            kindergarten=kg, created_by=health, child=flu_child, school_class_id=flu_child.school_class_id,
            disease="influenza", onset_date=onset, diagnosis_source="hospital", diagnosis_note="区人民医院",
            isolation_start=onset, isolation_days=diseases["influenza"].isolation_days,
            return_due=onset + dt.timedelta(days=diseases["influenza"].isolation_days), status=CaseStatus.CLEARED,
            cleared_on=ctx.dates.moved(dt.date(2026, 10, 26)), clearance_note="区人民医院复课证明")
        if slug == "demo":
            _plant_cluster(ctx, kg, health, children)
    ctx.counts["exams"] = exams_n
    ctx.counts["weak-child cases"] = weak_n
    ctx.counts["vaccination checks"] = checks_n


def _plant_cluster(ctx, kg, health, children):
    """Two HFMD cases in 小二班 of 本部 within a week: the class rule fires."""
    from houqin.health import services
    from houqin.policy import actor_for_kindergarten

    cls = ctx.classes[("demo", CLUSTER_CLASS[1])]
    kids = [c for c in children if c.school_class_id == cls.pk][:2]
    actor = actor_for_kindergarten(health, kg)
    for kid, (onset, source, note) in zip(kids, CLUSTER):
        services.case_create(actor=actor, child=kid, disease="hfmd", onset_date=ctx.dates.back(onset),
                             diagnosis_source=source, diagnosis_note=note)
    alert = OutbreakAlert.objects.get(kindergarten=kg, rule_key="hfmd_class")
    made_at = _at(ctx.dates.back(CLUSTER[-1][0]), 10, 40)  # from ctx.dates: the demo never reads the clock
    rule = next(r for r in rules.outbreak_rules(kg) if r.key == "hfmd_class")
    cases = DiseaseCase.objects.filter(kindergarten=kg, disease="hfmd").select_related("child", "school_class")
    alert.report_made_at = made_at
    alert.created_at = made_at
    alert.report_text = services._report_text(
        kg=kg, rule=rule, school_class=cls, start=alert.window_start, end=alert.window_end, made_at=made_at,
        cases_desc=[f"{c.child.name}（{cls.name}），手足口病，发病 {c.onset_date.isoformat()}" for c in cases])
    alert.save()
    ctx.counts["outbreak alerts"] = 1


# The allergy and special-diet register: (who, kind, key, severity, reaction, days from term start / to today).
# "parent": the demo parent's own child; "class": another child of the demo teacher's class; "other": a
# child of another class. Ends: None = no end, a number = that many days after today.
DIET_PLAN = [
    ("parent", "allergy", "egg", "moderate", "吃鸡蛋后全身荨麻疹、呕吐；蛋糕、蛋黄酱也不能吃", None, "confirmed"),
    ("class", "allergy", "milk", "moderate", "牛奶蛋白过敏：腹泻、湿疹；可喝豆浆", None, "confirmed"),
    ("other", "allergy", "peanut", "severe", "曾喉头水肿；出现症状立即通知保健室并拨打120", None, "confirmed"),
    ("other", "allergy", "shellfish", "mild", "吃虾后口周红肿", None, "confirmed"),
    ("other", "diet", "halal", "", "回族，清真饮食，不吃猪肉", None, "confirmed"),
    ("other", "diet", "soft", "", "手足口病痊愈返园，口腔溃疡未愈，软食一周", 2, "confirmed"),
    ("class", "allergy", "mango", "mild", "家长反映吃芒果后口周起疹，已附医院诊断", None, "requested"),
]


@demo_step
def build_diet_register(ctx):
    """过敏与特殊膳食登记: a handful of children of each demo kindergarten with real-looking allergies (egg,
    milk, peanut, shrimp), a 清真 diet, a temporary soft diet after illness and a parent's request still
    waiting for the health teacher (demo2: the egg allergy only)."""
    from houqin.health.models import DietRecord, DietStatus
    from houqin.org.models import Guardian

    made = []
    for slug in ctx.kindergartens:
        kg = ctx.kindergartens[slug]
        suffix = "" if slug == "demo" else "2"
        health = _health_user(kg)
        children = [c for c in ctx.children_of(slug).select_related("school_class") if not c.left_on]
        parent_user = ctx.users.get("parent" + suffix)
        own = (Guardian.objects.filter(kindergarten=kg, user=parent_user).order_by("pk")
               .values_list("child_id", flat=True).first())
        teacher_user = ctx.users.get("teacher" + suffix)
        teacher_classes = set(Membership.objects.filter(kindergarten=kg, user=teacher_user)
                              .values_list("classes", flat=True))
        own_child = next((c for c in children if c.pk == own), children[0])
        in_class = [c for c in children if c.school_class_id in teacher_classes and c.pk != own_child.pk]
        others = [c for c in children if c.school_class_id not in teacher_classes]
        ctx.rng.shuffle(in_class)
        ctx.rng.shuffle(others)
        plan = DIET_PLAN if slug == "demo" else DIET_PLAN[:1]
        for who, kind, key, severity, reaction, ends, status in plan:
            child = own_child if who == "parent" else (in_class or others).pop() if who == "class" else others.pop()
            start = ctx.term_start if ends is None else ctx.dates.today - dt.timedelta(days=5)
            created = _at(start, 8, 30)
            made.append(DietRecord(
                kindergarten=kg, child=child, kind=kind, allergen=key if kind == "allergy" else "", severity=severity,
                diet=key if kind == "diet" else "", reaction=reaction, start_date=start,
                end_date=None if ends is None else ctx.dates.today + dt.timedelta(days=ends),
                status=status, confirmed_by=health if status == DietStatus.CONFIRMED else None,
                confirmed_at=created if status == DietStatus.CONFIRMED else None,
                created_by=parent_user if status == DietStatus.REQUESTED else health, created_at=created))
    DietRecord.objects.bulk_create(made)
    ctx.counts["health diet records"] = len(made)

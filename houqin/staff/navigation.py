"""Menu entries, to-do providers, term figures and assessment findings of this area
(imported from AppConfig.ready)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.core.registry import (
    Figure,
    Finding,
    NavItem,
    Todo,
    register_figures,
    register_findings,
    register_nav,
    register_todos,
)

register_nav(NavItem(gettext_lazy("Logistics staff"), "staff:home", "staff.view", icon="person-workspace", order=60))
register_nav(NavItem(gettext_lazy("Monthly assessment"), "staff:assessment_list", "staff.assessment.view", icon="clipboard-check",
                     order=61))
register_nav(NavItem(gettext_lazy("Health certificates"), "staff:certificate_list", "staff.certificate.view",
                     icon="card-checklist", order=62))
register_nav(NavItem(gettext_lazy("Trainings"), "staff:training_list", "staff.training.view", icon="mortarboard", order=63))
register_nav(NavItem(gettext_lazy("Logistics meetings"), "staff:meeting_list", "staff.meeting.view", icon="chat-square-text",
                     order=64))
register_nav(NavItem(gettext_lazy("Daily procedure"), "staff:procedure", "staff.procedure.view", icon="list-check", order=65))
register_nav(NavItem(gettext_lazy("Rate the nursery staff"), "staff:rate", "staff.rating.rate", icon="star", order=66))
register_nav(NavItem(gettext_lazy("My work record"), "staff:me", "staff.self", icon="person", order=67))

ACTION_OVERDUE = "staff.action_overdue"
PROCEDURE_MISSED = "staff.procedure_missed"


@register_todos
def staff_todos(actor) -> list[Todo]:
    """Health certificates (expired or missing red, expiring amber) for those who keep them; one's own
    action items (overdue red, due within 3 days amber); today's procedure of one's class; an open
    rating period one has not finished; last month's sheets not yet generated or confirmed."""
    if actor.kindergarten is None:
        return []
    from django.utils import timezone

    from houqin.staff import selectors, services
    from houqin.staff.models import Assessment, AssessmentStatus

    slug = actor.kindergarten.slug
    today = timezone.localdate()
    todos: list[Todo] = []
    if actor.has("staff.certificate.change"):
        rows = selectors.certificate_rows(actor=actor, today=today)
        url = reverse("staff:certificate_list", kwargs={"kg": slug})
        expired = [r for r in rows if r.status == "expired"]
        missing = [r for r in rows if r.status == "missing"]
        soon = [r for r in rows if r.status == "expiring"]
        if expired:
            todos.append(Todo(_("%(n)d health certificates have expired") % {"n": len(expired)}, url + "?status=expired",
                              urgency=3, area="staff", due=expired[0].certificate.expires_on,
                              detail="、".join(r.user.display_name for r in expired[:6])))
        if missing:
            todos.append(Todo(_("%(n)d staff have no health certificate on file") % {"n": len(missing)},
                              url + "?status=missing", urgency=3, area="staff",
                              detail="、".join(r.user.display_name for r in missing[:6])))
        if soon:
            todos.append(Todo(_("%(n)d health certificates expire within %(days)d days")
                              % {"n": len(soon), "days": soon[0].warning_days},
                              url + "?status=expiring", urgency=2, area="staff", due=soon[0].certificate.expires_on,
                              detail="、".join(r.user.display_name for r in soon[:6])))
    if actor.has("staff.meeting.view"):
        for action in selectors.open_actions(actor=actor).filter(due_date__lte=today + dt.timedelta(days=3))[:10]:
            overdue = action.due_date < today
            todos.append(Todo(
                (_("Overdue: %(what)s") if overdue else _("Due soon: %(what)s")) % {"what": action.description},
                reverse("staff:meeting_detail", kwargs={"kg": slug, "code": action.meeting.code}) + f"#a-{action.code}",
                urgency=3 if overdue else 2, area="staff", due=action.due_date, detail=str(action.meeting)))
    if actor.has("staff.procedure.check") and not actor.has("staff.manage"):
        for row in selectors.procedure_overview(actor=actor, date=today):
            if row["total"] and row["done"] < row["total"]:
                todos.append(Todo(
                    _("Daily procedure of %(cls)s: %(done)d of %(total)d steps ticked")
                    % {"cls": row["school_class"].name, "done": row["done"], "total": row["total"]},
                    reverse("staff:procedure_day", kwargs={"kg": slug, "code": row["school_class"].code}),
                    urgency=2, area="staff", due=today))
    if actor.has("staff.rating.rate"):
        rnd = services.current_round(actor.kindergarten, today)
        if rnd is not None:
            left = [r for r in services.rateable(actor, rnd) if r.rating is None]
            if left:
                todos.append(Todo(_("Rate the nursery staff (爱心阿姨): %(n)d to rate") % {"n": len(left)},
                                  reverse("staff:rate", kwargs={"kg": slug}), urgency=1, area="staff",
                                  due=rnd.ends_on))
    if actor.has("staff.assessment.change"):
        last_month = services.month_start(services.month_start(today) - dt.timedelta(days=1))
        sheets = Assessment.objects.filter(kindergarten=actor.kindergarten, month=last_month, voided_at__isnull=True)
        url = reverse("staff:assessment_list", kwargs={"kg": slug}) + f"?month={last_month:%Y-%m}"
        counts = {s: 0 for s in AssessmentStatus.values}
        for status in sheets.values_list("status", flat=True):
            counts[status] += 1
        if not sum(counts.values()):
            todos.append(Todo(_("Generate the assessment of %(month)s") % {"month": f"{last_month:%Y-%m}"}, url,
                              urgency=2, area="staff"))
        elif counts[AssessmentStatus.DRAFT]:
            todos.append(Todo(_("%(n)d assessments of %(month)s are waiting to be confirmed")
                              % {"n": counts[AssessmentStatus.DRAFT], "month": f"{last_month:%Y-%m}"}, url,
                              urgency=2, area="staff"))
    return todos


@register_figures
def staff_figures(kindergartens, start, end) -> dict[int, list[Figure]]:
    """Trainings held and attendance rate, meetings, assessments confirmed, certificates expired at the
    end, 服务之星 and 爱心阿姨 winners. A fixed number of queries for any number of kindergartens."""
    from django.db.models import Count, Q

    from houqin.staff import selectors
    from houqin.staff.models import Assessment, HealthCertificate, Meeting, RatingRound, Training, TrainingAttendance

    ids = [k.pk for k in kindergartens]
    out: dict[int, list[Figure]] = {pk: [] for pk in ids}
    trainings = {r["kindergarten_id"]: r for r in Training.objects.filter(
        kindergarten_id__in=ids, date__range=(start, end), voided_at__isnull=True)
        .values("kindergarten_id").annotate(n=Count("pk")).order_by()}
    attendance = {r["kindergarten_id"]: r for r in TrainingAttendance.objects.filter(
        kindergarten_id__in=ids, training__date__range=(start, end), training__voided_at__isnull=True)
        .values("kindergarten_id").annotate(n=Count("pk"), present=Count("pk", filter=Q(attended=True))).order_by()}
    training_items = {}
    for t in (Training.objects.filter(kindergarten_id__in=ids, date__range=(start, end), voided_at__isnull=True)
              .select_related("topic").order_by("date")):
        training_items.setdefault(t.kindergarten_id, []).append(f"{t.date.month}月{t.date.day}日 {t}（{t.trainer}）")
    meetings = dict(Meeting.objects.filter(kindergarten_id__in=ids, date__range=(start, end), voided_at__isnull=True)
                    .values("kindergarten_id").annotate(n=Count("pk")).order_by().values_list("kindergarten_id", "n"))
    confirmed = dict(Assessment.objects.filter(kindergarten_id__in=ids, month__range=(start.replace(day=1), end),
                                               voided_at__isnull=True, status="confirmed")
                     .values("kindergarten_id").annotate(n=Count("pk")).order_by()
                     .values_list("kindergarten_id", "n"))
    latest = {}
    for kg_id, user_id, expires in (HealthCertificate.objects.filter(kindergarten_id__in=ids, voided_at__isnull=True,
                                                                       issued_on__lte=end)
                                    .order_by("expires_on").values_list("kindergarten_id", "user_id", "expires_on")):
        latest[(kg_id, user_id)] = expires
    expired = {}
    for (kg_id, _user), expires in latest.items():
        if expires < end:
            expired[kg_id] = expired.get(kg_id, 0) + 1
    # 服务之星 of every month in the period (one query for the period, not per month or kindergarten)
    stars: dict[int, list[str]] = {}
    for month, by_kg in sorted(selectors.service_stars_between(ids, start, end).items()):
        for kg_id, rows in by_kg.items():
            for star in rows:
                names = "、".join(u.display_name for u in star.winners)
                stars.setdefault(kg_id, []).append(f"{month.month}月 {star.post.name}：{names}（{star.score.normalize():f}分）")
    love: dict[int, list[str]] = {}
    for rnd in RatingRound.objects.filter(kindergarten_id__in=ids, ends_on__range=(start, end)).select_related("kindergarten"):
        winners = [r for r in selectors.love_results(rnd) if r.winner]
        if winners:
            love.setdefault(rnd.kindergarten_id, []).append(
                f"{rnd.title}：" + "、".join(f"{w.ratee.display_name}（{w.weighted}）" for w in winners))
    for k in kindergartens:
        slug = k.slug
        period = f"?start={start:%Y-%m-%d}&end={end:%Y-%m-%d}"
        t = trainings.get(k.pk, {}).get("n", 0)
        a = attendance.get(k.pk)
        rate = None
        if a and a["n"]:
            rate = (a["present"] * 100 / a["n"])
            from decimal import ROUND_HALF_UP, Decimal
            rate = Decimal(rate).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        out[k.pk] += [
            Figure("staff.trainings", _("Staff trainings held"), t, _("times"), "staff",
                   reverse("staff:training_list", kwargs={"kg": slug}) + period, items=tuple(training_items.get(k.pk, ())),
                   district=True),
            Figure("staff.training_attendance", _("Training attendance rate"), rate, "%", "staff",
                   reverse("staff:training_list", kwargs={"kg": slug}) + period,
                   detail=f"{a['present']} / {a['n']}" if a else "", district=True),
            Figure("staff.meetings", _("Logistics meetings held"), meetings.get(k.pk, 0), _("times"), "staff",
                   reverse("staff:meeting_list", kwargs={"kg": slug}) + period),
            Figure("staff.assessments", _("Monthly assessments confirmed"), confirmed.get(k.pk, 0), _("sheets"), "staff",
                   reverse("staff:assessment_list", kwargs={"kg": slug})),
            Figure("staff.service_stars", _("Service stars (服务之星)"), len(stars.get(k.pk, [])), _("awards"), "staff",
                   reverse("staff:awards", kwargs={"kg": slug}), items=tuple(stars.get(k.pk, ()))),
            Figure("staff.love_aunties", _("Caring aunties (爱心阿姨)"), len(love.get(k.pk, [])), _("periods"), "staff",
                   reverse("staff:awards", kwargs={"kg": slug}), items=tuple(love.get(k.pk, ()))),
            Figure("staff.certificates_expired", _("Health certificates expired"), expired.get(k.pk, 0), _("people"),
                   "staff", reverse("staff:certificate_list", kwargs={"kg": slug}) + "?status=expired", district=True),
        ]
    return out


@register_findings({ACTION_OVERDUE: gettext_lazy("Meeting action not done by its due date"),
                    PROCEDURE_MISSED: gettext_lazy("Daily procedure not recorded for a school day")})
def staff_findings(kindergarten, start, end) -> list[Finding]:
    """Action items of logistics meetings not done by their due date (against their owner), and school
    days (days with attendance records) on which a class's daily procedure has no tick (against the
    class's nursery staff), counted from the day the kindergarten started ticking."""
    from django.utils import timezone

    from houqin.org.models import Membership, Role
    from houqin.staff.models import ActionItem, ProcedureCheck

    today = timezone.localdate()
    found: list[Finding] = []
    label_action = str(gettext_lazy("Meeting action not done by its due date"))
    for a in (ActionItem.objects.filter(kindergarten=kindergarten, due_date__range=(start, min(end, today - dt.timedelta(days=1))),
                                        meeting__voided_at__isnull=True)
              .filter(models_q_not_done_by_due()).select_related("meeting")):
        found.append(Finding(ACTION_OVERDUE, label_action, a.owner_id, a.due_date,
                             _("Not done by %(due)s: %(what)s") % {"due": a.due_date.isoformat(), "what": a.description},
                             reverse("staff:meeting_detail", kwargs={"kg": kindergarten.slug, "code": a.meeting.code})
                             + f"#a-{a.code}"))
    first_tick = ProcedureCheck.objects.filter(kindergarten=kindergarten).order_by("date").values_list("date", flat=True).first()
    if first_tick is None:
        return found
    try:
        from houqin.health.models import Attendance
    except ImportError:  # pragma: no cover - the health area is always installed
        return found
    last = min(end, today - dt.timedelta(days=1))
    begin = max(start, first_tick)
    if begin > last:
        return found
    school_days = set(Attendance.objects.filter(kindergarten=kindergarten, date__range=(begin, last))
                      .values_list("school_class_id", "date").distinct())
    ticked = set(ProcedureCheck.objects.filter(kindergarten=kindergarten, date__range=(begin, last))
                 .values_list("school_class_id", "date").distinct())
    missed = sorted(school_days - ticked, key=lambda x: (x[1], x[0]))
    if not missed:
        return found
    owners: dict[int, list[int]] = {}
    through = Membership.classes.through
    for class_id, user_id in through.objects.filter(
            membership__kindergarten=kindergarten, membership__role=Role.NURSERY, membership__is_active=True
    ).values_list("schoolclass_id", "membership__user_id"):
        owners.setdefault(class_id, []).append(user_id)
    from houqin.org.models import SchoolClass

    codes = {c.pk: c for c in SchoolClass.objects.filter(pk__in={m[0] for m in missed})}
    label = str(gettext_lazy("Daily procedure not recorded for a school day"))
    for class_id, day in missed:
        cls = codes[class_id]
        for user_id in owners.get(class_id, []):
            found.append(Finding(PROCEDURE_MISSED, label, user_id, day,
                                 _("%(cls)s: no step of the daily procedure ticked on %(day)s")
                                 % {"cls": cls.name, "day": day.isoformat()},
                                 reverse("staff:procedure_day", kwargs={"kg": kindergarten.slug, "code": cls.code})
                                 + f"?date={day.isoformat()}"))
    return found


def models_q_not_done_by_due():
    """Not done, or done after the end of its due date."""
    from django.db.models import F, Q

    return Q(done_at__isnull=True) | Q(done_at__date__gt=F("due_date"))


@register_todos
def nap_todos(actor) -> list[Todo]:
    """The class's staff on a school day: a nap-time round overdue now (within the nap window of the
    rule "nap_round"), or no round at all once the window is over. Two queries."""
    if actor.kindergarten is None or not actor.has("staff.nap.record") or actor.has("staff.manage"):
        return []
    from django.db.models import Max
    from django.utils import timezone

    from houqin import policy
    from houqin.core import calendar
    from houqin.org.models import SchoolClass
    from houqin.staff.models import NapRound
    from houqin.staff.naps import missed, nap_rule

    now = timezone.now()
    today = timezone.localdate()
    if not calendar.is_school_day(today):
        return []
    rule = nap_rule()
    if not missed(None, now, rule):
        return []
    classes = list(policy.scoped(actor, "staff.nap.record", SchoolClass.objects.filter(is_active=True))
                   .order_by("sort_order")[:20])
    last = dict(NapRound.objects.filter(school_class__in=classes, date=today).values("school_class_id")
                .annotate(m=Max("at")).values_list("school_class_id", "m"))
    todos = []
    for cls in classes:
        state = missed(last.get(cls.pk), now, rule)
        if state:
            title = (_("Nap-time round due: %(cls)s") if state == "due"
                     else _("Nap-time rounds missed today: %(cls)s")) % {"cls": cls.name}
            todos.append(Todo(title, reverse("staff:nap_round", kwargs={"kg": actor.kindergarten.slug,
                                                                        "code": cls.code}),
                              urgency=3, area="staff", due=today))
    return todos

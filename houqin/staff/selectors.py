"""What the staff area's pages, API, to-dos and figures read. Lists run a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from houqin import policy
from houqin.org.models import Membership, Role
from houqin.staff.models import (
    ActionItem,
    Assessment,
    AssessmentItem,
    Assignment,
    Deduction,
    HealthCertificate,
    Meeting,
    Post,
    ProcedureCheck,
    ProcedureStep,
    RaterKind,
    Rating,
    RatingRound,
    Training,
    TrainingAttendance,
    TrainingTopic,
)
from houqin.staff.services import get_settings, month_start

# Roles whose members handle food or children: they need a health certificate (健康证).
CERTIFICATE_ROLES = (Role.CANTEEN, Role.NURSERY, Role.CLASS_TEACHER, Role.HEALTH_TEACHER)


# --- posts and items ------------------------------------------------------------------------------------


def post_list(*, actor):
    items = AssessmentItem.objects.select_related("topic").order_by("sort_order", "name")
    current = Assignment.objects.filter(ended_on__isnull=True).select_related("user")
    return (policy.scoped(actor, "staff.view", Post.objects.all())
            .prefetch_related(Prefetch("items", queryset=items), Prefetch("assignments", queryset=current,
                                                                          to_attr="current")))


def get_post(*, actor, code, capability="staff.view"):
    return policy.get_or_404(actor, capability, post_list(actor=actor), code=code)


def topic_list(*, actor, capability="staff.training.view"):
    return policy.scoped(actor, capability, TrainingTopic.objects.all())


def current_posts(kindergarten, user_ids=None) -> dict[int, Assignment]:
    qs = Assignment.objects.filter(kindergarten=kindergarten, ended_on__isnull=True).select_related("post")
    if user_ids is not None:
        qs = qs.filter(user_id__in=user_ids)
    return {a.user_id: a for a in qs}


# --- assessments ----------------------------------------------------------------------------------------


def assessment_list(*, actor, month: dt.date, post_code: str = ""):
    qs = (policy.scoped(actor, "staff.assessment.view",
                        Assessment.objects.filter(month=month_start(month), voided_at__isnull=True))
          .select_related("user", "post").order_by("post__sort_order", "post__name", "user__full_name"))
    if post_code:
        qs = qs.filter(post__code=post_code)
    return qs


def deductions_qs():
    return Deduction.objects.filter(voided_at__isnull=True).select_related("item", "trained_in", "trained_in__topic")


def get_assessment(*, actor, code, capability="staff.assessment.view"):
    qs = (Assessment.objects.select_related("user", "post", "confirmed_by")
          .prefetch_related(Prefetch("deductions", queryset=deductions_qs(), to_attr="active_deductions")))
    return policy.get_or_404(actor, capability, qs, code=code)


def own_assessments(*, actor):
    return (policy.scoped(actor, "staff.self", Assessment.objects.filter(user=actor.user, voided_at__isnull=True))
            .select_related("post")
            .prefetch_related(Prefetch("deductions", queryset=deductions_qs(), to_attr="active_deductions"))
            .order_by("-month"))


def get_deduction(*, actor, code, capability="staff.assessment.change"):
    return policy.get_or_404(actor, capability, Deduction.objects.select_related("assessment", "assessment__post"), code=code)


def month_summary(*, actor, month: dt.date) -> dict:
    rows = list(assessment_list(actor=actor, month=month))
    return {
        "count": len(rows),
        "confirmed": sum(1 for r in rows if r.status == "confirmed"),
        "vetoed": sum(1 for r in rows if r.vetoed),
        "bonus": sum((r.bonus for r in rows), Decimal("0")),
    }


@dataclass
class Star:
    post: object
    score: Decimal
    winners: list = field(default_factory=list)  # one person: the rule breaks ties
    tied: int = 1  # how many had the top score


def service_stars(kindergarten_ids, month: dt.date) -> dict[int, list[Star]]:
    """服务之星 of the month: one per post, the top score among sheets not vetoed; a tie goes to the one
    with fewer deductions that month, then by name (the rule "service_star" of staff_rules.json; the
    director may change the award by hand). One query."""
    return service_stars_between(kindergarten_ids, month, month).get(month_start(month), defaultdict(list))


def service_stars_between(kindergarten_ids, start: dt.date, end: dt.date) -> dict[dt.date, dict[int, list[Star]]]:
    """服务之星 of every month from start's to end's, by month (first day, ascending) then kindergarten:
    what service_stars gives for each month, in one query for the whole period."""
    rows = (Assessment.objects.filter(kindergarten_id__in=list(kindergarten_ids),
                                      month__range=(month_start(start), month_start(end)),
                                      voided_at__isnull=True, vetoed=False)
            .annotate(n_deductions=Count("deductions", filter=Q(deductions__voided_at__isnull=True)))
            .select_related("user", "post")
            .order_by("month", "post__sort_order", "post__name", "-score", "n_deductions", "user__full_name", "pk"))
    best: dict[tuple[dt.date, int, int], Star] = {}
    for a in rows:
        key = (a.month, a.kindergarten_id, a.post_id)
        star = best.get(key)
        if star is None:
            best[key] = Star(a.post, a.score, [a.user])
        elif a.score == star.score:
            star.tied += 1
    out: dict[dt.date, dict[int, list[Star]]] = {}
    for (month, kg_id, _post), star in best.items():
        out.setdefault(month, defaultdict(list))[kg_id].append(star)
    return out


# --- ratings --------------------------------------------------------------------------------------------


@dataclass
class LoveResult:
    ratee: object
    averages: dict
    counts: dict
    weighted: Decimal | None
    winner: bool = False


def love_results(rnd: RatingRound) -> list[LoveResult]:
    """爱心阿姨: the weighted mean (kindergarten's weights) of the parents', class teachers' and peers'
    average stars; a group without ratings leaves its weight out (the others are rescaled)."""
    s = get_settings(rnd.kindergarten)
    weights = {RaterKind.PARENT: Decimal(s.weight_parents), RaterKind.TEACHER: Decimal(s.weight_teachers),
               RaterKind.PEER: Decimal(s.weight_peers)}
    sums = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for r in Rating.objects.filter(round=rnd, voided_at__isnull=True).values_list("ratee_id", "rater_kind", "stars"):
        sums[r[0]][r[1]][0] += r[2]
        sums[r[0]][r[1]][1] += 1
    User = get_user_model()
    users = User.objects.in_bulk(list(sums))
    results = []
    for ratee_id, kinds in sums.items():
        averages, counts = {}, {}
        wsum, total = Decimal("0"), Decimal("0")
        for kind, (stars, n) in kinds.items():
            avg = (Decimal(stars) / n).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            averages[kind], counts[kind] = avg, n
            wsum += weights[kind]
            total += weights[kind] * Decimal(stars) / n
        weighted = (total / wsum).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if wsum else None
        results.append(LoveResult(users[ratee_id], averages, counts, weighted))
    results.sort(key=lambda r: (-(r.weighted or 0), r.ratee.display_name))
    if results and results[0].weighted is not None:
        for r in results:
            r.winner = r.weighted == results[0].weighted
    return results


def round_list(*, actor):
    return policy.scoped(actor, "staff.view", RatingRound.objects.annotate(
        n=Count("ratings", filter=Q(ratings__voided_at__isnull=True))))


def get_round(*, actor, code):
    return policy.get_or_404(actor, "staff.view", RatingRound.objects.all(), code=code)


# --- trainings --------------------------------------------------------------------------------------


def training_list(*, actor, start=None, end=None, topic_code: str = ""):
    qs = (policy.scoped(actor, "staff.training.view", Training.objects.filter(voided_at__isnull=True))
          .select_related("topic")
          .annotate(invited=Count("attendances"),
                    present=Count("attendances", filter=Q(attendances__attended=True))))
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    if topic_code:
        qs = qs.filter(topic__code=topic_code)
    return qs


def get_training(*, actor, code, capability="staff.training.view"):
    qs = Training.objects.select_related("topic").prefetch_related(
        Prefetch("attendances", queryset=TrainingAttendance.objects.select_related("user").order_by("user__full_name")))
    return policy.get_or_404(actor, capability, qs, code=code)


def own_trainings(*, actor):
    return (TrainingAttendance.objects.filter(kindergarten=actor.kindergarten, user=actor.user,
                                              training__voided_at__isnull=True)
            .select_related("training", "training__topic").order_by("-training__date"))


# --- meetings -------------------------------------------------------------------------------------


def meeting_list(*, actor, start=None, end=None):
    qs = (policy.scoped(actor, "staff.meeting.view", Meeting.objects.filter(voided_at__isnull=True))
          .annotate(n_actions=Count("actions"), open_actions=Count("actions", filter=Q(actions__done_at__isnull=True))))
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    return qs


def get_meeting(*, actor, code, capability="staff.meeting.view"):
    qs = Meeting.objects.select_related("chair").prefetch_related(
        "attendees", Prefetch("actions", queryset=ActionItem.objects.select_related("owner", "done_by")))
    return policy.get_or_404(actor, capability, qs, code=code)


def get_action(*, actor, code):
    return policy.get_or_404(actor, "staff.meeting.view", ActionItem.objects.select_related("meeting", "owner"), code=code)


def open_actions(*, actor, own_only: bool = True):
    qs = policy.scoped(actor, "staff.meeting.view", ActionItem.objects.filter(done_at__isnull=True,
                                                                             meeting__voided_at__isnull=True))
    if own_only:
        qs = qs.filter(owner=actor.user)
    return qs.select_related("meeting", "owner").order_by("due_date")


# --- health certificates -----------------------------------------------------------------------------


@dataclass
class CertificateRow:
    user: object
    certificate: HealthCertificate | None
    status: str  # missing, expired, expiring, valid
    post: object = None
    days_left: int | None = None
    warning_days: int | None = None  # the kindergarten's "expiring within" days it was judged by


def needs_certificate(kindergarten) -> list:
    """Staff who handle food or children: canteen, nursery, class and health teachers, and anyone on a
    post marked as needing one."""
    User = get_user_model()
    by_role = Membership.objects.filter(kindergarten=kindergarten, is_active=True,
                                        role__in=CERTIFICATE_ROLES).values("user_id")
    by_post = Assignment.objects.filter(kindergarten=kindergarten, ended_on__isnull=True,
                                        post__handles_food_or_children=True).values("user_id")
    active = Membership.objects.filter(kindergarten=kindergarten, is_active=True).values("user_id")
    return list(User.objects.filter(Q(pk__in=by_role) | Q(pk__in=by_post), pk__in=active, is_active=True)
                .order_by("full_name", "username"))


def certificate_rows(*, actor, today: dt.date | None = None) -> list[CertificateRow]:
    """Each person who needs a certificate, with the latest valid-until certificate and its status."""
    today = today or timezone.localdate()
    kg = actor.kindergarten
    warn = get_settings(kg).certificate_warning_days
    people = needs_certificate(kg)
    latest: dict[int, HealthCertificate] = {}
    for cert in (policy.scoped(actor, "staff.certificate.view",
                               HealthCertificate.objects.filter(voided_at__isnull=True,
                                                                user_id__in=[p.pk for p in people]))
                 .order_by("user_id", "expires_on")):
        latest[cert.user_id] = cert
    posts = current_posts(kg, [p.pk for p in people])
    rows = []
    for person in people:
        cert = latest.get(person.pk)
        post = posts.get(person.pk)
        if cert is None:
            rows.append(CertificateRow(person, None, "missing", post and post.post, warning_days=warn))
            continue
        left = (cert.expires_on - today).days
        status = "expired" if left < 0 else "expiring" if left <= warn else "valid"
        rows.append(CertificateRow(person, cert, status, post and post.post, left, warn))
    order = {"expired": 0, "missing": 1, "expiring": 2, "valid": 3}
    rows.sort(key=lambda r: (order[r.status], r.days_left if r.days_left is not None else 0))
    return rows


def get_certificate(*, actor, code, capability="staff.certificate.view"):
    return policy.get_or_404(actor, capability, HealthCertificate.objects.select_related("user"), code=code)


def certificates_of(*, actor, user):
    return policy.scoped(actor, "staff.certificate.view",
                         HealthCertificate.objects.filter(user=user).order_by("-expires_on"))


def own_certificate(*, actor):
    return (HealthCertificate.objects.filter(kindergarten=actor.kindergarten, user=actor.user,
                                             voided_at__isnull=True).order_by("-expires_on").first())


# --- the daily procedure ------------------------------------------------------------------------------


def procedure_classes(*, actor):
    from houqin.org.models import SchoolClass

    return policy.scoped(actor, "staff.procedure.view",
                         SchoolClass.objects.filter(is_active=True)).select_related("campus").order_by("sort_order")


def steps(kindergarten):
    return list(ProcedureStep.objects.filter(kindergarten=kindergarten, is_active=True).order_by("sort_order", "pk"))


def procedure_day(*, actor, school_class, date: dt.date) -> list[dict]:
    ticks = {c.step_id: c for c in ProcedureCheck.objects.filter(school_class=school_class, date=date)
             .select_related("done_by")}
    return [{"step": s, "check": ticks.get(s.pk)} for s in steps(actor.kindergarten)]


def procedure_overview(*, actor, date: dt.date) -> list[dict]:
    """Every class the actor may see, with how many of the day's steps are ticked. Two queries."""
    classes = list(procedure_classes(actor=actor))
    total = ProcedureStep.objects.filter(kindergarten=actor.kindergarten, is_active=True).count()
    done = dict(ProcedureCheck.objects.filter(school_class__in=classes, date=date, step__is_active=True)
                .values("school_class_id").annotate(n=Count("pk")).values_list("school_class_id", "n"))
    return [{"school_class": c, "done": done.get(c.pk, 0), "total": total} for c in classes]

"""The kindergarten's clock: the scheduled jobs the worker runs (`manage.py worker`), and one round
of the worker (`run_once`).

A job says, for a moment, which period is due (None: not yet), and what it does for one
kindergarten in that period (or once for the instance: the backup). Each (job, kindergarten,
period) runs once: its JobRun row is the key, written before the work and finished after it, so a
second round — or a second worker — finds it and does nothing. The messages a job makes are keyed
too (outbox.enqueue), so a run interrupted half-way and taken up again sends nothing twice. The
director sees the runs on the outbox page.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Callable

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.core import calendar
from houqin.notices import outbox
from houqin.notices.models import JobRun, JobStatus, MessageKind

log = logging.getLogger("houqin.worker")


@dataclass(frozen=True)
class Job:
    key: str
    label: object
    period: Callable[[dt.datetime], str | None]  # local time → the due period, or None
    run: Callable  # (kindergarten or None, period, now) → number of messages made, or a result text
    instance: bool = False  # once for the whole instance (not per kindergarten)


# --- periods --------------------------------------------------------------------------------------


def school_day_after(hour: int, minute: int = 0):
    def period(local: dt.datetime) -> str | None:
        if not calendar.is_school_day(local.date()) or local.time() < dt.time(hour, minute):
            return None
        return local.date().isoformat()
    return period


def daily_after(hour: int):
    def period(local: dt.datetime) -> str | None:
        return local.date().isoformat() if local.hour >= hour else None
    return period


def half_month_after(day_of_half: int, hour: int):
    """The half-month (1st–15th "a", 16th–end "b") once its `day_of_half`th day has come."""
    def period(local: dt.datetime) -> str | None:
        first = 1 if local.day <= 15 else 16
        if local.day < first + day_of_half - 1 or local.hour < hour:
            return None
        return f"{local:%Y-%m}-{'a' if first == 1 else 'b'}"
    return period


def monthly_from(day: int, hour: int):
    def period(local: dt.datetime) -> str | None:
        return f"{local:%Y-%m}" if local.day >= day and local.hour >= hour else None
    return period


def weekly_on(weekday: int, hour: int):
    def period(local: dt.datetime) -> str | None:
        if local.weekday() < weekday or (local.weekday() == weekday and local.hour < hour):
            return None
        year, week, _d = local.isocalendar()
        return f"{year}-W{week:02d}"
    return period


# --- who gets a reminder --------------------------------------------------------------------------


def holders(kindergarten, capability: str) -> list:
    """The actors of the kindergarten's active staff who hold `capability`."""
    from houqin import policy
    from houqin.org.models import Membership

    roles = list(policy.CAPABILITIES[capability].grants)
    memberships = list(Membership.objects.filter(kindergarten=kindergarten, is_active=True, role__in=roles,
                                                 user__is_active=True).select_related("user").order_by("user_id", "pk"))
    by_user: dict[int, list] = {}
    for m in memberships:
        by_user.setdefault(m.user_id, []).append(m)
    return [policy.Actor(user=ms[0].user, memberships=ms, kindergarten=kindergarten) for ms in by_user.values()]


def remind_from_todos(kindergarten, *, job: str, key: str, capability: str, provider, keep, urgent=False) -> int:
    """A reminder for each to-do of `provider` that `keep` accepts, to each holder of `capability`
    who has it on their home page (so each person is reminded of what is theirs, in their scope)."""
    made = 0
    for actor in holders(kindergarten, capability):
        for todo in provider(actor):
            if not keep(todo):
                continue
            body = f"{todo.detail}" if todo.detail else ""
            made += len(outbox.enqueue(kindergarten=kindergarten, recipients=[actor.user], kind=MessageKind.REMINDER,
                                       title=str(todo.title), body=body, url=todo.url, urgent=urgent,
                                       key=f"{job}:{key}:{todo.url}:{todo.title}"))
    return made


# --- the jobs -------------------------------------------------------------------------------------


def morning_check_reminder(kg, period, now) -> int:
    """Before the morning check: the class teachers and nursery staff of each class not yet checked."""
    from houqin.health.models import CheckKind, CheckSession
    from houqin.org.models import Membership, Role, SchoolClass

    day = dt.date.fromisoformat(period)
    done = CheckSession.objects.filter(kindergarten=kg, date=day, kind=CheckKind.MORNING).values("school_class_id")
    classes = list(SchoolClass.objects.filter(kindergarten=kg, is_active=True).exclude(pk__in=done))
    made = 0
    for cls in classes:
        staff = [m.user for m in Membership.objects.filter(kindergarten=kg, is_active=True, classes=cls,
                                                           role__in=[Role.CLASS_TEACHER, Role.NURSERY])
                 .select_related("user")]
        made += len(outbox.enqueue(
            kindergarten=kg, recipients=staff, kind=MessageKind.REMINDER,
            title=_("Morning check of %(cls)s today") % {"cls": cls.name},
            body=_("Check each child at the door: temperature, hands and mouth, mood; record exceptions only."),
            url=reverse("health:check", kwargs={"kg": kg.slug, "code": cls.code}), key=f"morning_check:{period}:{cls.pk}"))
    return made


def expiry_check_reminder(kg, period, now) -> int:
    from houqin.foodsafety.navigation import todos_on

    return remind_from_todos(kg, job="expiry_check", key=period, capability="foodsafety.oversee",
                             provider=lambda actor: todos_on(kg, today=timezone.localdate(now), now=now),
                             keep=lambda t: t.extra.get("kind") in ("check_due", "check_missed"))


def meal_account_reminder(kg, period, now) -> int:
    from houqin.canteen.navigation import canteen_todos

    url = reverse("canteen:account_list", kwargs={"kg": kg.slug})
    return remind_from_todos(kg, job="meal_account", key=period, capability="canteen.account.change",
                             provider=canteen_todos, keep=lambda t: t.url == url)


def certificate_reminder(kg, period, now) -> int:
    from houqin.foodsafety.navigation import todos_on
    from houqin.staff.navigation import staff_todos

    staff_url = reverse("staff:certificate_list", kwargs={"kg": kg.slug})
    made = remind_from_todos(kg, job="certificates", key=period, capability="staff.certificate.change",
                             provider=staff_todos, keep=lambda t: t.url.startswith(staff_url))
    return made + remind_from_todos(
        kg, job="certificates", key=period, capability="foodsafety.oversee",
        provider=lambda actor: todos_on(kg, today=timezone.localdate(now), now=now),
        keep=lambda t: t.extra.get("kind") in ("certificate_expired", "certificate_expiring"))


def overdue_hazard_reminder(kg, period, now) -> int:
    """Each hazard past its deadline: its assignee and the people who assign hazards, once a day."""
    from houqin.safety.models import Hazard, HazardState

    day = dt.date.fromisoformat(period)
    managers = [a.user for a in holders(kg, "safety.hazard.assign")]
    made = 0
    for hazard in Hazard.objects.filter(kindergarten=kg, state=HazardState.ASSIGNED, deadline__lt=day).select_related(
            "assignee"):
        made += len(outbox.enqueue(
            kindergarten=kg, recipients=[*managers, hazard.assignee], kind=MessageKind.REMINDER,
            title=_("Hazard %(number)s is overdue") % {"number": hazard.number},
            body=_("%(where)s: %(what)s — to be rectified by %(deadline)s.") % {
                "where": hazard.location, "what": hazard.description[:80], "deadline": hazard.deadline},
            url=reverse("safety:hazard_detail", kwargs={"kg": kg.slug, "code": hazard.code}),
            key=f"hazard_overdue:{period}:{hazard.pk}"))
    return made


def outbreak_report_reminder(kg, period, now) -> int:
    """An outbreak rule fired, its report overdue: the people who manage disease cases (urgent);
    each alert and state once."""
    from houqin.health.navigation import health_todos

    return remind_from_todos(kg, job="outbreak", key="", capability="health.disease.manage", provider=health_todos,
                             keep=lambda t: "/alerts/" in t.url and t.urgency >= 3, urgent=True)


def nightly_backup(kg, period, now) -> str:
    from houqin.core.backup import create_backup

    result = create_backup(None)
    return result.path.name


JOBS: list[Job] = [
    Job("morning_check", gettext_lazy("Morning check reminder"), school_day_after(7, 30), morning_check_reminder),
    Job("expiry_check", gettext_lazy("Half-monthly expiry check reminder"), half_month_after(10, 8),
        expiry_check_reminder),
    Job("meal_account", gettext_lazy("Meal account reminder (by the 15th)"), monthly_from(10, 8),
        meal_account_reminder),
    Job("certificates", gettext_lazy("Certificate expiry reminder"), weekly_on(0, 8), certificate_reminder),
    Job("hazards", gettext_lazy("Overdue hazard reminder"), daily_after(8), overdue_hazard_reminder),
    Job("outbreak", gettext_lazy("Outbreak report deadline reminder"), daily_after(0), outbreak_report_reminder),
    Job("backup", gettext_lazy("Nightly backup"), daily_after(2), nightly_backup, instance=True),
]
JOB_LABELS = {j.key: j.label for j in JOBS}


def _start(job: Job, kg, period: str, now) -> JobRun | None:
    """Claim the run of (job, kindergarten, period); None when it is already there."""
    try:
        with transaction.atomic():
            if JobRun.objects.filter(job=job.key, kindergarten=kg, period=period).exists():
                return None
            return JobRun.objects.create(job=job.key, kindergarten=kg, period=period, started_at=now)
    except IntegrityError:  # another worker claimed it first
        return None


def run_job(job: Job, kg, period: str, now) -> JobRun | None:
    run = _start(job, kg, period, now)
    if run is None:
        return None
    try:
        if job.instance:  # the backup: a read transaction of its own, never the write lock
            made = job.run(kg, period, now)
        else:
            with transaction.atomic():
                made = job.run(kg, period, now)
    except Exception as exc:  # kept on the run for the director; the worker goes on
        log.exception("worker: job %s failed", job.key)
        run.status, run.result = JobStatus.FAILED, f"{type(exc).__name__}: {exc}"[:200]
    else:
        run.status = JobStatus.DONE
        if isinstance(made, int):
            run.messages = made
        else:
            run.result = str(made)[:200]
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "result", "messages", "finished_at"])
    return run


def due_jobs(now=None, jobs=None):
    """(job, kindergarten or None, period) for every job due now whose run is not yet recorded."""
    from houqin.org.models import Kindergarten

    now = now or timezone.now()
    local = timezone.localtime(now)
    kindergartens = list(Kindergarten.objects.order_by("pk"))
    for job in JOBS:
        if jobs is not None and job.key not in jobs:
            continue
        if job.key == "backup" and not settings.HOUQIN_WORKER_BACKUP:
            continue
        period = job.period(local)
        if period is None:
            continue
        for kg in ([None] if job.instance else kindergartens):
            yield job, kg, period


def run_once(*, now=None, jobs=None) -> dict:
    """One round of the worker: the due jobs, then the due deliveries of the outbox. A busy database
    (another writer's lock) skips the rest of the round: everything waits for the next one."""
    start = now or timezone.now()
    runs = []
    try:
        for job, kg, period in due_jobs(start, jobs):
            run = run_job(job, kg, period, start)
            if run is not None:
                runs.append(run)
    except DatabaseError as exc:
        log.warning("worker: jobs skipped this round: %s", exc)
    sent = outbox.send_due(now=now)  # None: the time after the jobs, so that their messages go out now
    return {"runs": runs, **sent}

"""The rule book (制度与应急预案): the kindergarten's own rules and contingency plans (食物中毒应急预案,
传染病应急预案, 消防应急预案, 防暴恐预案 …) as versioned documents.

A plan has versions; each version is its text and/or a file (a scan or a PDF, read by
core.files), who approved it (the principal or the director of this kindergarten) and on which day,
and when it is due for review. A version is never edited: a change is a new version. Staff
acknowledge having read the current version (a PlanReceipt per reader, the first one counts, the
way notices record theirs); the principal and the director see who has and who has not. A review
due within REVIEW_NOTICE_DAYS is a to-do for them (navigation.rulebook_todos), red once past.
A drill names the plan it rehearses (`check_plan`, called by services.drill_plan and
`drill_link_plan`): only a plan of the drill's own kindergarten.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import policy
from houqin.core import files
from houqin.core.errors import Conflict, field_error, raise_for
from houqin.org.models import Membership, Role
from houqin.org.selectors import staff_users
from houqin.safety.models import Drill, Plan, PlanKind, PlanReceipt, PlanVersion

REVIEW_NOTICE_DAYS = 30  # a review due within a month shows on the principal's home
APPROVER_ROLES = (Role.PRINCIPAL, Role.DIRECTOR)
MAX_TEXT = 20000


def _text(value, limit: int) -> str:
    return (value or "").strip()[:limit]


def _save(instance, actor, reason: str, **kwargs):
    instance._history_user = actor.user
    instance._change_reason = reason
    instance.save(**kwargs)
    return instance


# --------------------------------------------------------------------------------------------
# Reading


def current_versions():
    """The newest version of each plan (a subquery-free prefetch: one query for all plans)."""
    return PlanVersion.objects.select_related("approved_by").order_by("plan_id", "-number")


def plan_list(*, actor):
    """The plans of the rule book with their versions (newest first, approver), the number of
    drills naming each, and whether the actor has read the newest version. Three queries."""
    plans = list(policy.scoped(actor, "safety.rulebook.view", Plan.objects.active())
                 .annotate(n_drills=Count("drills", distinct=True)).order_by("kind", "title", "id")
                 .prefetch_related(Prefetch("versions", queryset=current_versions().annotate(
                     read_count=Count("receipts", distinct=True),
                     is_read=Exists(PlanReceipt.objects.filter(version_id=OuterRef("pk"), user_id=actor.user.pk))))))
    for plan in plans:
        versions = list(plan.versions.all())
        plan.current = versions[0] if versions else None
    return plans


def get_plan(*, actor, code, capability: str = "safety.rulebook.view") -> Plan:
    plan = policy.get_or_404(actor, capability, Plan.objects.active(), code=code)
    versions = list(current_versions().filter(plan=plan).annotate(read_count=Count("receipts", distinct=True)))
    plan.all_versions = versions
    plan.current = versions[0] if versions else None
    if plan.current is not None:
        plan.current.is_read = PlanReceipt.objects.filter(version=plan.current, user=actor.user).exists()
    return plan


def get_version(*, actor, plan: Plan, number: int) -> PlanVersion:
    from django.http import Http404

    from houqin.core.inputs import INT_LIMIT

    if not 0 < number <= INT_LIMIT:
        raise Http404
    version = PlanVersion.objects.select_related("approved_by").filter(plan=plan, number=number).first()
    if version is None:
        raise Http404
    return version


def receipts(*, actor, version: PlanVersion) -> dict:
    """Who of the staff has read `version` (with when) and who has not. Two queries."""
    policy.require(actor, "safety.rulebook.receipts", version.plan)
    read = {r.user_id: r.read_at for r in PlanReceipt.objects.filter(version=version)}
    people = list(staff_users(actor.kindergarten))
    return {"read": [(u, read[u.pk]) for u in people if u.pk in read],
            "unread": [u for u in people if u.pk not in read]}


def approvers(kindergarten):
    """Who may be named as a version's approver: the principal and directors of the kindergarten."""
    roles = Membership.objects.filter(kindergarten=kindergarten, is_active=True, role__in=APPROVER_ROLES)
    return staff_users(kindergarten).filter(pk__in=roles.values("user_id"))


def reviews_due(kindergarten, today: dt.date | None = None) -> dict:
    """The plans whose newest version is due for review: {"overdue": n, "soon": n}. One query."""
    today = today or timezone.localdate()
    newest = PlanVersion.objects.filter(plan_id=OuterRef("plan_id")).order_by("-number").values("number")[:1]
    return (PlanVersion.objects.filter(kindergarten=kindergarten, plan__voided_at__isnull=True,
                                       number=Subquery(newest))
            .aggregate(overdue=Count("id", filter=Q(review_due__lt=today)),
                       soon=Count("id", filter=Q(review_due__gte=today,
                                                  review_due__lte=today + dt.timedelta(days=REVIEW_NOTICE_DAYS)))))


# --------------------------------------------------------------------------------------------
# Writing


@transaction.atomic
def plan_create(*, actor, title: str, kind: str = PlanKind.CONTINGENCY) -> Plan:
    """A new rule or plan in the rule book (its first version follows with `version_add`)."""
    policy.require(actor, "safety.rulebook.change")
    title = _text(title, 120)
    errors = {}
    if not title:
        errors["title"] = _("Enter the title of the rule or plan.")
    elif Plan.objects.active().filter(kindergarten=actor.kindergarten, title=title).exists():
        errors["title"] = _("The rule book already has a plan with this title: add a new version to it.")
    if kind not in PlanKind.values:
        errors["kind"] = _("Say whether it is a rule or a contingency plan.")
    raise_for(errors)
    plan = Plan(kindergarten=actor.kindergarten, title=title, kind=kind, created_by=actor.user)
    return _save(plan, actor, "created")


@transaction.atomic
def version_add(*, actor, plan: Plan, approved_by, approved_on: dt.date | None, review_due: dt.date | None,
                text: str = "", document=None, changes: str = "") -> PlanVersion:
    """A new version of `plan`: its text and/or file, who approved it (the principal or a director of
    this kindergarten), on which day, and when it is due for review. Staff acknowledge it again."""
    policy.require(actor, "safety.rulebook.change", plan)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)  # two editors number their versions in turn
    if plan.is_voided:
        raise Conflict(_("This plan was voided."))
    today = timezone.localdate()
    text = _text(text, MAX_TEXT)
    errors = {}
    if approved_by is None:
        errors["approved_by"] = _("Name who approved this version: a version without an approver is not recorded.")
    elif not approvers(actor.kindergarten).filter(pk=approved_by.pk).exists():
        errors["approved_by"] = _("The approver must be the principal or a director of this kindergarten.")
    if not approved_on:
        errors["approved_on"] = _("Enter the day it was approved.")
    elif approved_on > today:
        errors["approved_on"] = _("The approval date is in the future.")
    if not review_due:
        errors["review_due"] = _("Enter when it is due for review.")
    elif approved_on and review_due <= approved_on:
        errors["review_due"] = _("The review date must be after the approval date.")
    if not text and not document:
        errors["text"] = _("Write the text of the plan or attach its file.")
    raise_for(errors)
    scan = files.read_optional(document, field="document", accept=files.DOCUMENTS)
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PlanVersion(kindergarten=actor.kindergarten, plan=plan, number=number, text=text,
                          changes=_text(changes, 200), approved_by=approved_by, approved_on=approved_on,
                          review_due=review_due, created_by=actor.user)
    if scan is not None:
        version.document.save(scan.name, scan.as_content_file(), save=False)
    _save(version, actor, f"version {number}")
    plan.save(update_fields=["updated_at"])
    return version


@transaction.atomic
def plan_void(*, actor, plan: Plan, reason: str) -> Plan:
    """A plan no longer in force is voided with a reason; it stays on record with its versions."""
    policy.require(actor, "safety.rulebook.change", plan)
    return plan.locked().void(actor=actor, reason=reason)


def version_acknowledge(*, actor, plan: Plan) -> PlanReceipt:
    """The actor has read the current version of `plan` (the first acknowledgment counts; later
    ones change nothing). Only the newest version can be acknowledged."""
    policy.require(actor, "safety.rulebook.acknowledge", plan)
    if plan.is_voided:
        raise Conflict(_("This plan was voided."))
    version = plan.versions.order_by("-number").first()
    if version is None:
        raise Conflict(_("This plan has no version to read yet."))
    receipt, _created = PlanReceipt.objects.get_or_create(version=version, user=actor.user,
                                                          defaults={"read_at": timezone.now()})
    return receipt


# --------------------------------------------------------------------------------------------
# Drills rehearse a plan


def check_plan(actor, plan) -> None:
    """A drill may name only an active plan of its own kindergarten; otherwise a clear message on
    the `plan` field (nothing is saved)."""
    if plan is None:
        return
    if plan.kindergarten_id != actor.kindergarten.pk or plan.is_voided:
        raise field_error("plan", _("Choose a plan of this kindergarten's rule book."))


@transaction.atomic
def drill_link_plan(*, actor, drill: Drill, plan: Plan | None) -> Drill:
    """Say which plan a drill rehearses (or none)."""
    policy.require(actor, "safety.drill.change", drill)
    check_plan(actor, plan)
    drill = Drill.objects.select_for_update().get(pk=drill.pk)
    drill.plan = plan
    return _save(drill, actor, "plan", update_fields=["plan", "updated_at"])


def plan_by_code(actor, code):
    """The plan a form or the API names by its code, for `check_plan`: one of another kindergarten
    (or none) gives the same clear field error, never a 404."""
    if not code:
        return None
    plan = Plan.objects.active().filter(kindergarten=actor.kindergarten, code=code).first()
    if plan is None:
        raise field_error("plan", _("Choose a plan of this kindergarten's rule book."))
    return plan

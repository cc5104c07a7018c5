"""What changes the staff area's records. Every function takes the acting `actor`, checks the rules of
the domain, and writes in one transaction; a broken rule raises DomainError and changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from houqin import policy
from houqin.core import files
from houqin.core.errors import Conflict, Forbidden, field_error
from houqin.core.numbers import NumberProblem, read_decimal
from houqin.core.workflow import allowed_moves, move
from houqin.org.models import Membership, Role
from houqin.staff.models import (
    ASSESSMENT_TRANSITIONS,
    ActionItem,
    Assessment,
    AssessmentItem,
    AssessmentStatus,
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
    StaffSettings,
    TrainedMistakeRule,
    Training,
    TrainingAttendance,
    TrainingCategory,
    TrainingTopic,
    money,
)

ZERO = Decimal("0")


# --- helpers -------------------------------------------------------------------------------------


def _save(instance, actor, reason: str = "", **kwargs):
    instance._history_user = actor.user
    if reason:
        instance._change_reason = reason[:100]
    instance.save(**kwargs)
    return instance


def _decimal(value, field: str, *, minimum=None, maximum=None) -> Decimal:
    try:
        number = read_decimal(value, minimum=minimum, maximum=maximum, exact_only=True)
    except NumberProblem as problem:
        raise field_error(field, problem.message) from None
    if number is None:
        raise field_error(field, _("Enter a number."))
    return number


def _text(value, field: str, *, required: bool = True, max_length: int = 200) -> str:
    text = (value or "").strip()
    if required and not text:
        raise field_error(field, _("This field is required."))
    if len(text) > max_length:
        raise field_error(field, _("At most %(n)d characters.") % {"n": max_length})
    return text


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    first = month_start(day)
    return (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _staff_memberships(actor):
    """The active staff memberships of the actor's kindergarten (parents and supervisors are not staff)."""
    return Membership.objects.filter(kindergarten=actor.kindergarten, is_active=True).exclude(
        role__in=[Role.PARENT, Role.SUPERVISOR])


def staff_user(actor, user_id_or_user):
    """A user with an active staff membership in the actor's kindergarten (404 otherwise)."""
    User = get_user_model()
    user_id = getattr(user_id_or_user, "pk", user_id_or_user)
    if not _staff_memberships(actor).filter(user_id=user_id).exists():
        raise Http404
    return User.objects.get(pk=user_id)


def staff_users(actor, users_or_ids) -> list:
    """staff_user of each, in order, in two queries whatever their number (404 if any is not staff)."""
    User = get_user_model()
    ids = [int(getattr(u, "pk", u)) for u in users_or_ids]  # a form's "12" as staff_user reads it
    if not ids:
        return []
    staff = set(_staff_memberships(actor).filter(user_id__in=set(ids)).values_list("user_id", flat=True))
    if not staff.issuperset(ids):
        raise Http404
    found = User.objects.in_bulk(set(ids))
    return [found[i] for i in ids]


# --- settings, posts, items, assignments -------------------------------------------------------------


def get_settings(kindergarten) -> StaffSettings:
    found = StaffSettings.objects.filter(kindergarten=kindergarten).first()
    if found is None:
        try:
            with transaction.atomic():
                found = StaffSettings.objects.create(kindergarten=kindergarten)
        except IntegrityError:
            found = StaffSettings.objects.get(kindergarten=kindergarten)
    return found


SETTING_FIELDS = ("base_points", "base_bonus", "bonus_source", "trained_rule", "trained_multiplier", "trained_source",
                  "weight_parents", "weight_teachers", "weight_peers", "rating_source", "certificate_warning_days",
                  "certificate_valid_months")


@transaction.atomic
def settings_update(*, actor, **values) -> StaffSettings:
    s = get_settings(actor.kindergarten)
    s = StaffSettings.objects.select_for_update().get(pk=s.pk)
    for key, value in values.items():
        if key not in SETTING_FIELDS:
            raise field_error(key, _("Unknown setting."))
        setattr(s, key, value)
    if Decimal(s.base_points) <= 0:
        raise field_error("base_points", _("Base points must be more than zero."))
    if Decimal(s.base_bonus) < 0:
        raise field_error("base_bonus", _("The bonus cannot be negative."))
    if s.trained_rule not in TrainedMistakeRule.values:
        raise field_error("trained_rule", _("Choose a rule from the list."))
    if Decimal(s.trained_multiplier) < 1:
        raise field_error("trained_multiplier", _("The multiplier must be at least 1."))
    weights = [Decimal(s.weight_parents), Decimal(s.weight_teachers), Decimal(s.weight_peers)]
    if any(w < 0 for w in weights) or sum(weights) != Decimal("1"):
        raise field_error("weight_parents", _("The three rating weights must add up to 1 (e.g. 0.4 + 0.3 + 0.3)."))
    return _save(s, actor)


@transaction.atomic
def post_save(*, actor, post=None, name: str, base_bonus=None, handles_food_or_children: bool = True,
              sort_order: int = 0, is_active: bool = True) -> Post:
    name = _text(name, "name", max_length=40)
    if base_bonus not in (None, ""):
        base_bonus = money(_decimal(base_bonus, "base_bonus", minimum=0))
    else:
        base_bonus = None
    clash = Post.objects.filter(kindergarten=actor.kindergarten, name=name)
    if post is not None:
        policy.same_kindergarten(actor, post)
        clash = clash.exclude(pk=post.pk)
    if clash.exists():
        raise field_error("name", _("There is already a post called %(name)s.") % {"name": name})
    post = post or Post(kindergarten=actor.kindergarten, created_by=actor.user)
    post.name, post.base_bonus = name, base_bonus
    post.handles_food_or_children, post.sort_order, post.is_active = handles_food_or_children, sort_order, is_active
    return _save(post, actor)


@transaction.atomic
def topic_save(*, actor, name: str, category: str = TrainingCategory.OTHER, topic=None) -> TrainingTopic:
    name = _text(name, "name", max_length=60)
    if category not in TrainingCategory.values:
        raise field_error("category", _("Choose a category from the list."))
    clash = TrainingTopic.objects.filter(kindergarten=actor.kindergarten, name=name)
    if topic is not None:
        policy.same_kindergarten(actor, topic)
        clash = clash.exclude(pk=topic.pk)
    if clash.exists():
        raise field_error("name", _("There is already a topic called %(name)s.") % {"name": name})
    topic = topic or TrainingTopic(kindergarten=actor.kindergarten, created_by=actor.user)
    topic.name, topic.category = name, category
    return _save(topic, actor)


@transaction.atomic
def item_save(*, actor, post, name: str, points, topic=None, finding_kind: str = "", sort_order: int = 0,
              is_active: bool = True, item=None) -> AssessmentItem:
    from houqin.core.registry import FINDING_KINDS

    policy.same_kindergarten(actor, post, topic, item)
    name = _text(name, "name", max_length=100)
    points = _decimal(points, "points", minimum=Decimal("0.5"), maximum=Decimal("100"))
    finding_kind = (finding_kind or "").strip()
    if finding_kind and finding_kind not in FINDING_KINDS:
        raise field_error("finding_kind", _("Choose a kind of finding from the list."))
    clash = AssessmentItem.objects.filter(post=post, name=name)
    if item is not None:
        clash = clash.exclude(pk=item.pk)
    if clash.exists():
        raise field_error("name", _("This post already has an item called %(name)s.") % {"name": name})
    item = item or AssessmentItem(kindergarten=actor.kindergarten, created_by=actor.user)
    item.post, item.name, item.points, item.topic = post, name, points, topic
    item.finding_kind, item.sort_order, item.is_active = finding_kind, sort_order, is_active
    return _save(item, actor)


@transaction.atomic
def assign(*, actor, user, post, started_on: dt.date) -> Assignment:
    """Put a staff member on a post from `started_on`; their previous post ends the day before."""
    policy.same_kindergarten(actor, post)
    user = staff_user(actor, user)
    if not post.is_active:
        raise field_error("post", _("This post is no longer in use."))
    current = Assignment.objects.select_for_update().filter(kindergarten=actor.kindergarten, user=user,
                                                            ended_on__isnull=True).first()
    if current is not None:
        if current.post_id == post.pk:
            raise field_error("post", _("%(name)s already holds this post.") % {"name": user.display_name})
        if started_on <= current.started_on:
            raise field_error("started_on", _("The new post must start after the current one started."))
        current.ended_on = started_on - dt.timedelta(days=1)
        _save(current, actor)
    return _save(Assignment(kindergarten=actor.kindergarten, created_by=actor.user, user=user, post=post,
                            started_on=started_on), actor)


@transaction.atomic
def assignment_end(*, actor, assignment, ended_on: dt.date) -> Assignment:
    policy.same_kindergarten(actor, assignment)
    if assignment.ended_on is not None:
        raise Conflict(_("This assignment has already ended."))
    if ended_on < assignment.started_on:
        raise field_error("ended_on", _("The end cannot be before the start."))
    assignment.ended_on = ended_on
    return _save(assignment, actor)


# --- the monthly assessment ------------------------------------------------------------------------


def trained_before(*, kindergarten, user_id: int, topic_id: int | None, date: dt.date) -> Training | None:
    """The latest training on `topic` that the person attended BEFORE `date` (not voided), or None."""
    if topic_id is None:
        return None
    attendance = (TrainingAttendance.objects
                  .filter(kindergarten=kindergarten, user_id=user_id, attended=True, training__topic_id=topic_id,
                          training__date__lt=date, training__voided_at__isnull=True)
                  .select_related("training").order_by("-training__date").first())
    return attendance.training if attendance else None


def _decide(settings: StaffSettings, item: AssessmentItem, training: Training | None) -> tuple[Decimal, bool]:
    """(factor, veto) of a deduction: the training record decides."""
    if training is None:
        return Decimal("1"), False
    if settings.trained_rule == TrainedMistakeRule.VETO:
        return Decimal("1"), True
    return Decimal(settings.trained_multiplier), False


def recompute(assessment: Assessment, deductions=None) -> Assessment:
    """Score = base points − deductions (not below 0); bonus = full bonus × score ÷ base points, 0 if vetoed."""
    if deductions is None:
        deductions = list(assessment.deductions.filter(voided_at__isnull=True))
    deducted = sum((d.amount for d in deductions), ZERO)
    vetoed = any(d.is_veto for d in deductions)
    score = max(ZERO, Decimal(assessment.base_points) - deducted)
    assessment.deducted, assessment.score, assessment.vetoed = deducted, score, vetoed
    if vetoed:
        assessment.bonus = money(0)
    else:
        assessment.bonus = money(Decimal(assessment.full_bonus) * score / Decimal(assessment.base_points))
    return assessment


def _new_deduction(*, actor, settings, assessment, item, date, note="", finding=None, training_cache=None) -> Deduction:
    if training_cache is not None:
        training = training_cache(assessment.user_id, item.topic_id, date)
    else:
        training = trained_before(kindergarten=assessment.kindergarten, user_id=assessment.user_id,
                                  topic_id=item.topic_id, date=date)
    factor, veto = _decide(settings, item, training)
    deduction = Deduction(
        kindergarten=assessment.kindergarten, created_by=actor.user if actor else None, assessment=assessment,
        item=item, date=date, note=note[:200], points=item.points, factor=factor, is_veto=veto,
        amount=(Decimal(item.points) * factor), trained_in=training,
    )
    if finding is not None:
        deduction.finding_kind = finding.kind
        deduction.finding_key = finding_key(finding)
        deduction.source_url = (finding.url or "")[:300]
    return deduction


def finding_key(finding) -> str:
    raw = f"{finding.kind}|{finding.user_id}|{finding.date}|{finding.url}|{finding.description}"
    return hashlib.sha256(raw.encode()).hexdigest()[:64]


@dataclass
class GenerateResult:
    created: int = 0
    deductions: int = 0
    confirmed_skipped: int = 0
    sheets: int = 0


@transaction.atomic
def assessment_generate(*, actor, month: dt.date) -> GenerateResult:
    """Make (or bring up to date) the month's score sheet of everyone on a post during the month, and a
    deduction for each finding from the other areas whose kind an item of their post is linked to.
    Idempotent: a finding already counted is not counted again; confirmed sheets are left alone."""
    from houqin.core.registry import findings_for

    kg = actor.kindergarten
    first, last = month_start(month), month_end(month)
    if first > timezone.localdate():
        raise field_error("month", _("A month that has not started cannot be assessed."))
    settings = StaffSettings.objects.select_for_update().get(pk=get_settings(kg).pk)  # one generator at a time
    assignments = list(Assignment.objects.filter(kindergarten=kg, started_on__lte=last)
                       .exclude(ended_on__lt=first).select_related("post", "user").order_by("started_on"))
    by_user = {}
    for a in assignments:  # the latest post held in the month
        by_user[a.user_id] = a
    existing = {a.user_id: a for a in Assessment.objects.filter(kindergarten=kg, month=first, voided_at__isnull=True)}
    result = GenerateResult()
    new = []
    for user_id, a in by_user.items():
        if user_id in existing:
            continue
        full = a.post.base_bonus if a.post.base_bonus is not None else settings.base_bonus
        new.append(Assessment(kindergarten=kg, created_by=actor.user, user_id=user_id, post=a.post, month=first,
                              base_points=settings.base_points, score=settings.base_points, full_bonus=full,
                              bonus=money(full)))
    if new:
        bulk_create_with_history(new, Assessment, default_user=actor.user, default_change_reason="generated")
        result.created = len(new)
        new = list(Assessment.objects.filter(kindergarten=kg, month=first, voided_at__isnull=True,
                                             user_id__in=[n.user_id for n in new]))
        for assessment in new:
            existing[assessment.user_id] = assessment
    result.sheets = len(existing)
    # findings → deductions
    linked: dict[tuple[int, str], AssessmentItem] = {}
    for item in AssessmentItem.objects.filter(kindergarten=kg, is_active=True).exclude(finding_kind=""):
        linked.setdefault((item.post_id, item.finding_kind), item)
    if linked:
        findings = findings_for(kg, first, last)
        # a finding counted once is never counted again, even when its deduction was voided on review
        keys = set(Deduction.objects.filter(assessment__in=list(existing.values()))
                   .exclude(finding_key="").values_list("assessment_id", "finding_key"))
        cache = _training_cache(kg, [f.user_id for f in findings])
        touched, made = {}, []
        for f in findings:
            assessment = existing.get(f.user_id)
            if assessment is None:
                continue
            item = linked.get((assessment.post_id, f.kind))
            if item is None:
                continue
            key = finding_key(f)
            if (assessment.pk, key) in keys:
                continue
            if assessment.status == AssessmentStatus.CONFIRMED:
                result.confirmed_skipped += 1
                continue
            keys.add((assessment.pk, key))
            made.append(_new_deduction(actor=actor, settings=settings, assessment=assessment, item=item, date=f.date,
                                       note=f.description, finding=f, training_cache=cache))
            touched[assessment.pk] = assessment
        if made:
            bulk_create_with_history(made, Deduction, default_user=actor.user, default_change_reason="finding")
            result.deductions = len(made)
            per = {}
            for d in Deduction.objects.filter(assessment_id__in=list(touched), voided_at__isnull=True):
                per.setdefault(d.assessment_id, []).append(d)
            for pk, assessment in touched.items():
                recompute(assessment, per.get(pk, []))
            Assessment.objects.bulk_update(list(touched.values()), ["deducted", "score", "vetoed", "bonus", "updated_at"])
    return result


def _training_cache(kindergarten, user_ids):
    """A lookup `(user_id, topic_id, date) → Training | None` answered from one query."""
    rows = list(TrainingAttendance.objects.filter(kindergarten=kindergarten, user_id__in=set(user_ids), attended=True,
                                                  training__voided_at__isnull=True)
                .select_related("training").order_by("training__date"))
    by = {}
    for r in rows:
        by.setdefault((r.user_id, r.training.topic_id), []).append(r.training)

    def lookup(user_id, topic_id, date):
        found = None
        for training in by.get((user_id, topic_id), []):
            if training.date < date:
                found = training
        return found

    return lookup


def _locked_draft(actor, assessment) -> Assessment:
    policy.same_kindergarten(actor, assessment)
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.is_voided:
        raise Conflict(_("This assessment has been voided."))
    if AssessmentStatus.CONFIRMED not in allowed_moves(ASSESSMENT_TRANSITIONS, locked.status):
        raise Conflict(_("This assessment has been confirmed and can no longer be changed."))
    return locked


@transaction.atomic
def deduction_add(*, actor, assessment, item, date: dt.date, note: str = "") -> Deduction:
    """A mistake on `item` on `date`. If the person attended a training on the item's topic before that
    date, the kindergarten's multiplier (or its veto) applies: the training record decides."""
    assessment = _locked_draft(actor, assessment)
    policy.same_kindergarten(actor, item)
    if item.post_id != assessment.post_id:
        raise field_error("item", _("Choose an item of %(post)s.") % {"post": assessment.post.name})
    if not (assessment.month <= date <= month_end(assessment.month)):
        raise field_error("date", _("The mistake must be within the month of the assessment."))
    if date > timezone.localdate():
        raise field_error("date", _("The date cannot be in the future."))
    note = _text(note, "note", required=False)
    settings = get_settings(actor.kindergarten)
    deduction = _new_deduction(actor=actor, settings=settings, assessment=assessment, item=item, date=date, note=note)
    _save(deduction, actor)
    _save(recompute(assessment), actor, "deduction")
    return deduction


@transaction.atomic
def deduction_void(*, actor, deduction, reason: str) -> Deduction:
    reason = _text(reason, "reason")
    assessment = _locked_draft(actor, deduction.assessment)
    deduction = deduction.locked().void(actor=actor, reason=reason,
                                        already=_("This deduction has already been voided."))
    _save(recompute(assessment), actor, "deduction voided")
    return deduction


@transaction.atomic
def assessment_confirm(*, actor, assessment) -> Assessment:
    assessment = _locked_draft(actor, assessment)
    if month_end(assessment.month) > timezone.localdate() and assessment.month == month_start(timezone.localdate()):
        raise field_error("month", _("A month can be confirmed only after it has ended."))
    _save(recompute(assessment), actor)
    move(assessment, AssessmentStatus.CONFIRMED, ASSESSMENT_TRANSITIONS)
    assessment.confirmed_by, assessment.confirmed_at = actor.user, timezone.now()
    return _save(assessment, actor, "confirmed")


@transaction.atomic
def assessment_confirm_month(*, actor, month: dt.date) -> int:
    n = 0
    for a in Assessment.objects.filter(kindergarten=actor.kindergarten, month=month_start(month),
                                       status=AssessmentStatus.DRAFT, voided_at__isnull=True):
        assessment_confirm(actor=actor, assessment=a)
        n += 1
    return n


# --- trainings -------------------------------------------------------------------------------------------


def _store(instance, field_name: str, type_field: str, checked: files.SafeFile):
    setattr(instance, type_field, checked.content_type)
    getattr(instance, field_name).save(checked.name, checked.as_content_file(), save=False)


@transaction.atomic
def training_create(*, actor, topic, date: dt.date, trainer: str, title: str = "", location: str = "", hours="1",
                    content: str = "", attendees=(), has_test: bool = False, pass_score="60",
                    material=None) -> Training:
    policy.same_kindergarten(actor, topic)
    trainer = _text(trainer, "trainer", max_length=50)
    if date > timezone.localdate() + dt.timedelta(days=60):
        raise field_error("date", _("The date is too far in the future."))
    hours = _decimal(hours, "hours", minimum=Decimal("0.5"), maximum=Decimal("24"))
    pass_score = _decimal(pass_score, "pass_score", minimum=0, maximum=100)
    checked = files.read_optional(material, field="material")
    people = staff_users(actor, attendees)
    training = Training(kindergarten=actor.kindergarten, created_by=actor.user, topic=topic, date=date,
                        trainer=trainer, title=_text(title, "title", required=False, max_length=100),
                        location=_text(location, "location", required=False, max_length=60), hours=hours,
                        content=(content or "").strip(), has_test=has_test, pass_score=pass_score)
    if checked:
        training.material_name = checked.original_name
        _store(training, "material", "material_type", checked)
    try:
        _save(training, actor)
        TrainingAttendance.objects.bulk_create([
            TrainingAttendance(kindergarten=actor.kindergarten, training=training, user=u, attended=True)
            for u in {p.pk: p for p in people}.values()
        ])
    except Exception:
        if checked:
            training.material.delete(save=False)
        raise
    return training


@transaction.atomic
def training_record(*, actor, training, rows) -> list[TrainingAttendance]:
    """Attendance and test scores: rows of {"user": user or id, "attended": bool, "score": str|None}.
    People not yet on the list are added."""
    policy.same_kindergarten(actor, training)
    training = Training.objects.select_for_update().get(pk=training.pk)
    if training.is_voided:
        raise Conflict(_("This training has been voided."))
    existing = {a.user_id: a for a in training.attendances.all()}
    out = []
    for row, user in zip(rows, staff_users(actor, [row["user"] for row in rows]), strict=True):
        score = row.get("score")
        if score in ("", None):
            score = None
        else:
            score = _decimal(score, "score", minimum=0, maximum=100)
            if not training.has_test:
                raise field_error("score", _("This training has no test: leave the scores empty."))
        attended = bool(row.get("attended", True))
        if score is not None and not attended:
            raise field_error("score", _("Only those who attended can have a test score."))
        att = existing.get(user.pk) or TrainingAttendance(kindergarten=actor.kindergarten, training=training,
                                                          user=user, created_by=actor.user)
        att.attended, att.score = attended, score
        out.append(_save(att, actor))
    return out


@transaction.atomic
def training_void(*, actor, training, reason: str) -> Training:
    policy.same_kindergarten(actor, training)
    reason = _text(reason, "reason")
    return training.locked().void(actor=actor, reason=reason, already=_("This training has already been voided."))


# --- meetings and action items ----------------------------------------------------------------------------


@transaction.atomic
def meeting_create(*, actor, date: dt.date, title: str, agenda: str = "", minutes: str = "", decisions: str = "",
                   attendees=(), actions=()) -> Meeting:
    title = _text(title, "title", max_length=100)
    if date > timezone.localdate() + dt.timedelta(days=30):
        raise field_error("date", _("The date is too far in the future."))
    meeting = _save(Meeting(kindergarten=actor.kindergarten, created_by=actor.user, date=date, title=title,
                            agenda=(agenda or "").strip(), minutes=(minutes or "").strip(),
                            decisions=(decisions or "").strip(), chair=actor.user), actor)
    people = staff_users(actor, attendees)
    if people:
        meeting.attendees.set(people)
    for action in actions:
        action_add(actor=actor, meeting=meeting, **action)
    return meeting


@transaction.atomic
def meeting_update(*, actor, meeting, **values) -> Meeting:
    policy.same_kindergarten(actor, meeting)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_voided:
        raise Conflict(_("This meeting has been voided."))
    for key in ("agenda", "minutes", "decisions"):
        if key in values:
            setattr(meeting, key, (values[key] or "").strip())
    if "title" in values:
        meeting.title = _text(values["title"], "title", max_length=100)
    return _save(meeting, actor)


@transaction.atomic
def action_add(*, actor, meeting, description: str, owner, due_date: dt.date) -> ActionItem:
    policy.same_kindergarten(actor, meeting)
    if meeting.is_voided:
        raise Conflict(_("This meeting has been voided."))
    description = _text(description, "description")
    owner = staff_user(actor, owner)
    if due_date < meeting.date:
        raise field_error("due_date", _("The due date cannot be before the meeting."))
    return _save(ActionItem(kindergarten=actor.kindergarten, created_by=actor.user, meeting=meeting,
                            description=description, owner=owner, due_date=due_date), actor)


@transaction.atomic
def action_done(*, actor, action, note: str = "") -> ActionItem:
    """Its owner, or whoever may record meetings, marks an action item done."""
    policy.same_kindergarten(actor, action)
    if action.owner_id != actor.user.pk and not actor.has("staff.meeting.change"):
        raise Forbidden(_("Only the owner or the logistics director can mark this done."))
    action = ActionItem.objects.select_for_update().get(pk=action.pk)
    if action.done_at is not None:
        raise Conflict(_("This action has already been done."))
    action.done_at, action.done_by = timezone.now(), actor.user
    action.done_note = _text(note, "note", required=False)
    return _save(action, actor)


# --- health certificates ------------------------------------------------------------------------------------


def proposed_expiry(kindergarten, issued_on: dt.date) -> dt.date:
    months = get_settings(kindergarten).certificate_valid_months
    y, m = divmod(issued_on.month - 1 + months, 12)
    year, month = issued_on.year + y, m + 1
    day = min(issued_on.day, month_end(dt.date(year, month, 1)).day)
    return dt.date(year, month, day) - dt.timedelta(days=1)


@transaction.atomic
def certificate_add(*, actor, user, issued_on: dt.date, expires_on: dt.date | None = None, number: str = "",
                    issuer: str = "", scan=None) -> HealthCertificate:
    user = staff_user(actor, user)
    today = timezone.localdate()
    if issued_on > today:
        raise field_error("issued_on", _("The issue date cannot be in the future."))
    expires_on = expires_on or proposed_expiry(actor.kindergarten, issued_on)
    if expires_on <= issued_on:
        raise field_error("expires_on", _("The certificate must be valid after the day it was issued."))
    if expires_on > issued_on + dt.timedelta(days=3 * 366):
        raise field_error("expires_on", _("A health certificate is valid for a year or so: check the date."))
    checked = files.read_optional(scan, field="scan")
    cert = HealthCertificate(kindergarten=actor.kindergarten, created_by=actor.user, user=user, issued_on=issued_on,
                             expires_on=expires_on, number=_text(number, "number", required=False, max_length=40),
                             issuer=_text(issuer, "issuer", required=False, max_length=60))
    if checked:
        _store(cert, "scan", "scan_type", checked)
    try:
        return _save(cert, actor)
    except Exception:
        if checked:
            cert.scan.delete(save=False)
        raise


@transaction.atomic
def certificate_void(*, actor, certificate, reason: str) -> HealthCertificate:
    policy.same_kindergarten(actor, certificate)
    reason = _text(reason, "reason")
    return certificate.locked().void(actor=actor, reason=reason,
                                     already=_("This certificate has already been voided."))


# --- ratings (爱心阿姨) ----------------------------------------------------------------------------------------


@transaction.atomic
def round_create(*, actor, title: str, starts_on: dt.date, ends_on: dt.date, notify_parents: bool = True) -> RatingRound:
    title = _text(title, "title", max_length=60)
    if ends_on < starts_on:
        raise field_error("ends_on", _("The end cannot be before the start."))
    overlap = RatingRound.objects.filter(kindergarten=actor.kindergarten, starts_on__lte=ends_on,
                                         ends_on__gte=starts_on)
    if overlap.exists():
        raise field_error("starts_on", _("Another rating period overlaps these dates."))
    rnd = _save(RatingRound(kindergarten=actor.kindergarten, created_by=actor.user, title=title, starts_on=starts_on,
                            ends_on=ends_on), actor)
    if notify_parents:
        from houqin.notices.models import Audience, NoticeKind
        from houqin.notices.services import publish_notice

        publish_notice(kindergarten=actor.kindergarten, user=actor.user, title=_("Rate your class's nursery staff"),
                       body=_("From %(start)s to %(end)s you can rate the nursery staff of your child's class "
                              "(爱心阿姨) on your phone: open Houqin and choose “Rate the nursery staff”.")
                       % {"start": starts_on.isoformat(), "end": ends_on.isoformat()},
                       kind=NoticeKind.STAFF, audience=Audience.PARENTS, source=f"staff.rating:{rnd.code}")
    return rnd


def current_round(kindergarten, day: dt.date | None = None) -> RatingRound | None:
    day = day or timezone.localdate()
    return RatingRound.objects.filter(kindergarten=kindergarten, starts_on__lte=day, ends_on__gte=day).first()


@dataclass
class Rateable:
    ratee: object
    school_class: object
    kind: str
    rating: Rating | None = None


def rateable(actor, rnd: RatingRound | None) -> list[Rateable]:
    """Whom the actor may rate in the period: parents the nursery staff of their children's classes,
    class teachers those of their classes, nursery staff their peers (other nursery staff of their
    campus or kindergarten, never themselves)."""
    from houqin.org.models import Child, Guardian, SchoolClass

    if rnd is None:
        return []
    kg = actor.kindergarten
    kinds: list[tuple[str, list[int]]] = []
    for m in actor.memberships:
        if m.role == Role.PARENT:
            child_ids = Guardian.objects.filter(user_id=actor.user.pk, kindergarten=kg,
                                                voided_at__isnull=True).values("child_id")
            class_ids = list(Child.objects.filter(pk__in=child_ids, voided_at__isnull=True, left_on__isnull=True)
                             .values_list("school_class_id", flat=True))
            kinds.append((RaterKind.PARENT, class_ids))
        elif m.role == Role.CLASS_TEACHER:
            kinds.append((RaterKind.TEACHER, list(m.classes.values_list("pk", flat=True))))
        elif m.role == Role.NURSERY:
            kinds.append((RaterKind.PEER, None))
    if not kinds:
        return []
    nursery = list(Membership.objects.filter(kindergarten=kg, role=Role.NURSERY, is_active=True)
                   .select_related("user").prefetch_related("classes"))
    classes = {c.pk: c for c in SchoolClass.objects.filter(kindergarten=kg)}
    given = {r.ratee_id: r for r in Rating.objects.filter(round=rnd, rater=actor.user, voided_at__isnull=True)}
    out, seen = [], set()
    for kind, class_ids in kinds:
        for m in nursery:
            their = [c.pk for c in m.classes.all()]
            if m.user_id == actor.user.pk or m.user_id in seen:
                continue
            if kind == RaterKind.PEER:
                own_campus = next((x.campus_id for x in actor.memberships if x.role == Role.NURSERY), None)
                if own_campus and m.campus_id and m.campus_id != own_campus:
                    continue
                shared = their[:1]
            else:
                shared = [c for c in their if c in class_ids]
            if not shared or shared[0] not in classes:
                continue
            seen.add(m.user_id)
            out.append(Rateable(m.user, classes[shared[0]], kind, given.get(m.user_id)))
    return out


@transaction.atomic
def rating_submit(*, actor, ratee, stars, comment: str = "", rnd: RatingRound | None = None) -> Rating:
    rnd = rnd or current_round(actor.kindergarten)
    if rnd is None:
        raise field_error("stars", _("There is no rating period open today."))
    policy.same_kindergarten(actor, rnd)
    today = timezone.localdate()
    if not (rnd.starts_on <= today <= rnd.ends_on):
        raise field_error("stars", _("This rating period is not open."))
    target = next((r for r in rateable(actor, rnd) if r.ratee.pk == getattr(ratee, "pk", ratee)), None)
    if target is None:
        raise Http404
    if target.rating is not None:
        raise Conflict(_("You have already rated %(name)s in this period.") % {"name": target.ratee.display_name})
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise field_error("stars", _("Choose one to five stars."))
    rating = Rating(kindergarten=actor.kindergarten, created_by=actor.user, round=rnd, ratee=target.ratee,
                    rater=actor.user, rater_kind=target.kind, school_class=target.school_class, stars=stars,
                    comment=_text(comment, "comment", required=False))
    try:
        with transaction.atomic():
            return _save(rating, actor)
    except IntegrityError:
        raise Conflict(_("You have already rated %(name)s in this period.")
                       % {"name": target.ratee.display_name}) from None


# --- the nursery staff's daily procedure -------------------------------------------------------------------


@transaction.atomic
def step_save(*, actor, title: str, time_label: str = "", description: str = "", sort_order: int = 0,
              is_active: bool = True, step=None) -> ProcedureStep:
    policy.same_kindergarten(actor, step)
    step = step or ProcedureStep(kindergarten=actor.kindergarten, created_by=actor.user)
    step.title = _text(title, "title", max_length=60)
    step.time_label = _text(time_label, "time_label", required=False, max_length=20)
    step.description = _text(description, "description", required=False, max_length=300)
    step.sort_order, step.is_active = sort_order, is_active
    return _save(step, actor)


@transaction.atomic
def procedure_tick(*, actor, school_class, date: dt.date, step, done: bool = True, note: str = "") -> ProcedureCheck | None:
    """Tick (or untick, the same day only) a step of a class's day. The policy decides which classes."""
    from houqin import policy

    policy.same_kindergarten(actor, school_class, step)
    if not policy.can(actor, "staff.procedure.check", school_class):
        raise Http404
    today = timezone.localdate()
    if date > today:
        raise field_error("date", _("A step cannot be ticked for a day that has not come."))
    if date < today - dt.timedelta(days=1) and not actor.has("staff.manage"):
        raise field_error("date", _("Only today's and yesterday's steps can be ticked."))
    existing = ProcedureCheck.objects.select_for_update().filter(school_class=school_class, date=date, step=step).first()
    if not done:
        if existing is not None:
            if existing.date != today:
                raise field_error("date", _("Only today's ticks can be taken back."))
            existing._history_user = actor.user
            ProcedureCheck.objects.filter(pk=existing.pk).delete()
        return None
    if existing is not None:
        return existing
    if not step.is_active:
        raise field_error("step", _("This step is no longer in use."))
    check = ProcedureCheck(kindergarten=actor.kindergarten, created_by=actor.user, school_class=school_class, date=date,
                           step=step, done_by=actor.user, done_at=timezone.now(),
                           note=_text(note, "note", required=False))
    try:
        with transaction.atomic():
            return _save(check, actor)
    except IntegrityError:
        return ProcedureCheck.objects.get(school_class=school_class, date=date, step=step)

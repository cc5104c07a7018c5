"""JSON API of the logistics staff: the same selectors and services as the pages, the same policy.
Points and money are exact decimals (strings in JSON)."""


import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema, Status

from houqin.core.inputs import Day, Input
from houqin import policy
from houqin.core.errors import DomainError
from houqin.org.models import SchoolClass
from houqin.staff import selectors, services
from houqin.staff.models import AssessmentItem, ProcedureStep, TrainingTopic

router = Router(tags=["staff"])
K = "/k/{kg}/staff"


# --- shapes -------------------------------------------------------------------------------------------


class StaffItemOut(Schema):
    code: UUID
    name: str
    points: Decimal
    topic: str | None
    finding_kind: str
    is_active: bool


class PostOut(Schema):
    code: UUID
    name: str
    base_bonus: Decimal | None
    handles_food_or_children: bool
    is_active: bool
    members: list[str]
    items: list[StaffItemOut]


class PostIn(Input):
    name: str
    base_bonus: Decimal | None = None
    handles_food_or_children: bool = True
    sort_order: int = 0


class StaffItemIn(Input):
    name: str
    points: Decimal
    topic_code: UUID | None = None
    finding_kind: str = ""


class StaffAssignIn(Input):
    user_id: int
    started_on: dt.date


class DeductionOut(Schema):
    code: UUID
    item: str
    date: dt.date
    note: str
    points: Decimal
    factor: Decimal
    is_veto: bool
    amount: Decimal
    trained_in: str | None
    trained_on: dt.date | None
    finding_kind: str
    source_url: str


class AssessmentOut(Schema):
    code: UUID
    user: str
    user_id: int
    post: str
    month: dt.date
    base_points: Decimal
    deducted: Decimal
    score: Decimal
    vetoed: bool
    full_bonus: Decimal
    bonus: Decimal
    status: str


class AssessmentDetailOut(AssessmentOut):
    deductions: list[DeductionOut]


class GenerateIn(Input):
    month: str  # YYYY-MM


class GenerateOut(Schema):
    sheets: int
    created: int
    deductions: int
    confirmed_skipped: int


class DeductionIn(Input):
    item_code: UUID
    date: dt.date
    note: str = ""


class StaffReasonIn(Input):
    reason: str


class AttendanceOut(Schema):
    user: str
    user_id: int
    attended: bool
    score: Decimal | None


class TrainingOut(Schema):
    code: UUID
    title: str
    topic: str
    category: str
    date: dt.date
    trainer: str
    hours: Decimal
    invited: int
    present: int


class TrainingDetailOut(TrainingOut):
    location: str
    content: str
    has_test: bool
    pass_score: Decimal
    has_material: bool
    attendances: list[AttendanceOut]


class TrainingIn(Input):
    topic_code: UUID
    date: dt.date
    trainer: str
    title: str = ""
    location: str = ""
    hours: Decimal = Decimal("1")
    content: str = ""
    attendee_ids: list[int] = []
    has_test: bool = False
    pass_score: Decimal = Decimal("60")


class StaffAttendanceIn(Input):
    user_id: int
    attended: bool = True
    score: Decimal | None = None


class TopicIn(Input):
    name: str
    category: str = "other"


class TopicOut(Schema):
    code: UUID
    name: str
    category: str


class ActionOut(Schema):
    code: UUID
    description: str
    owner: str
    owner_id: int
    due_date: dt.date
    done_at: dt.datetime | None
    done_note: str
    overdue: bool


class MeetingOut(Schema):
    code: UUID
    date: dt.date
    title: str
    n_actions: int
    open_actions: int


class MeetingDetailOut(Schema):
    code: UUID
    date: dt.date
    title: str
    agenda: str
    minutes: str
    decisions: str
    attendees: list[str]
    actions: list[ActionOut]


class ActionIn(Input):
    description: str
    owner_id: int
    due_date: dt.date


class StaffMeetingIn(Input):
    date: dt.date
    title: str
    agenda: str = ""
    minutes: str = ""
    decisions: str = ""
    attendee_ids: list[int] = []
    actions: list[ActionIn] = []


class StaffDoneIn(Input):
    note: str = ""


class CertificateRowOut(Schema):
    user: str
    user_id: int
    post: str | None
    status: str
    days_left: int | None
    certificate_code: UUID | None
    expires_on: dt.date | None


class StaffCertificateOut(Schema):
    code: UUID
    user: str
    number: str
    issuer: str
    issued_on: dt.date
    expires_on: dt.date
    has_scan: bool
    voided: bool


class StaffCertificateIn(Input):
    user_id: int
    issued_on: dt.date
    expires_on: dt.date | None = None
    number: str = ""
    issuer: str = ""


class StaffRoundIn(Input):
    title: str
    starts_on: dt.date
    ends_on: dt.date
    notify_parents: bool = True


class StaffRoundOut(Schema):
    code: UUID
    title: str
    starts_on: dt.date
    ends_on: dt.date


class LoveOut(Schema):
    ratee: str
    averages: dict[str, Decimal]
    counts: dict[str, int]
    weighted: Decimal | None
    winner: bool


class RateableOut(Schema):
    ratee_id: int
    ratee: str
    school_class: str
    kind: str
    stars: int | None


class RatingIn(Input):
    ratee_id: int
    stars: int
    comment: str = ""


class StarOut(Schema):
    post: str
    score: Decimal
    winners: list[str]


class StepOut(Schema):
    code: UUID
    time_label: str
    title: str
    description: str
    done: bool
    done_by: str | None
    done_at: dt.datetime | None


class TickIn(Input):
    step_code: UUID
    date: dt.date
    done: bool = True
    note: str = ""


# --- helpers ----------------------------------------------------------------------------------------


def _month(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except (TypeError, ValueError):
        raise DomainError("YYYY-MM", errors=[{"field": "month", "message": "YYYY-MM"}]) from None


def _post(p) -> dict:
    return {"code": p.code, "name": p.name, "base_bonus": p.base_bonus,
            "handles_food_or_children": p.handles_food_or_children, "is_active": p.is_active,
            "members": [a.user.display_name for a in p.current],
            "items": [_item(i) for i in p.items.all()]}


def _item(i) -> dict:
    return {"code": i.code, "name": i.name, "points": i.points, "topic": i.topic.name if i.topic_id else None,
            "finding_kind": i.finding_kind, "is_active": i.is_active}


def _assessment(a) -> dict:
    return {"code": a.code, "user": a.user.display_name, "user_id": a.user_id, "post": a.post.name, "month": a.month,
            "base_points": a.base_points, "deducted": a.deducted, "score": a.score, "vetoed": a.vetoed,
            "full_bonus": a.full_bonus, "bonus": a.bonus, "status": a.status}


def _deduction(d) -> dict:
    return {"code": d.code, "item": d.item.name, "date": d.date, "note": d.note, "points": d.points,
            "factor": d.factor, "is_veto": d.is_veto, "amount": d.amount,
            "trained_in": str(d.trained_in) if d.trained_in_id else None,
            "trained_on": d.trained_in.date if d.trained_in_id else None, "finding_kind": d.finding_kind,
            "source_url": d.source_url}


def _assessment_detail(a) -> dict:
    return {**_assessment(a), "deductions": [_deduction(d) for d in a.active_deductions]}


def _training(t) -> dict:
    return {"code": t.code, "title": str(t), "topic": t.topic.name, "category": t.topic.category, "date": t.date,
            "trainer": t.trainer, "hours": t.hours, "invited": getattr(t, "invited", 0),
            "present": getattr(t, "present", 0)}


def _training_detail(t) -> dict:
    atts = list(t.attendances.all())
    return {**_training(t), "invited": len(atts), "present": sum(1 for a in atts if a.attended),
            "location": t.location, "content": t.content, "has_test": t.has_test, "pass_score": t.pass_score,
            "has_material": bool(t.material),
            "attendances": [{"user": a.user.display_name, "user_id": a.user_id, "attended": a.attended,
                             "score": a.score} for a in atts]}


def _meeting_detail(m, today) -> dict:
    return {"code": m.code, "date": m.date, "title": m.title, "agenda": m.agenda, "minutes": m.minutes,
            "decisions": m.decisions, "attendees": [u.display_name for u in m.attendees.all()],
            "actions": [_action(a, today) for a in m.actions.all()]}


def _action(a, today) -> dict:
    return {"code": a.code, "description": a.description, "owner": a.owner.display_name, "owner_id": a.owner_id,
            "due_date": a.due_date, "done_at": a.done_at, "done_note": a.done_note,
            "overdue": a.done_at is None and a.due_date < today}


def _cert(c) -> dict:
    return {"code": c.code, "user": c.user.display_name, "number": c.number, "issuer": c.issuer,
            "issued_on": c.issued_on, "expires_on": c.expires_on, "has_scan": bool(c.scan), "voided": c.is_voided}


# --- posts and items -----------------------------------------------------------------------------------


@router.get(K + "/posts", response=list[PostOut])
@policy.requires("staff.view")
def list_posts(request, kg: str):
    return [_post(p) for p in selectors.post_list(actor=request.actor)]


@router.get(K + "/posts/{code}", response=PostOut)
@policy.requires("staff.view")
def get_post(request, kg: str, code: UUID):
    return _post(selectors.get_post(actor=request.actor, code=code))


@router.post(K + "/posts", response={201: PostOut})
@policy.requires("staff.manage")
def create_post(request, kg: str, payload: PostIn):
    post = services.post_save(actor=request.actor, **payload.dict())
    return Status(201, _post(selectors.get_post(actor=request.actor, code=post.code)))


@router.post(K + "/posts/{code}/items", response={201: StaffItemOut})
@policy.requires("staff.manage")
def create_item(request, kg: str, code: UUID, payload: StaffItemIn):
    actor = request.actor
    post = selectors.get_post(actor=actor, code=code, capability="staff.manage")
    data = payload.dict()
    topic_code = data.pop("topic_code")
    topic = None
    if topic_code:
        topic = policy.scoped(actor, "staff.manage", TrainingTopic.objects.filter(code=topic_code)).first()
        if topic is None:
            raise Http404
    item = services.item_save(actor=actor, post=post, topic=topic, **data)
    return Status(201, _item(AssessmentItem.objects.select_related("topic").get(pk=item.pk)))


@router.post(K + "/posts/{code}/assign", response={201: dict})
@policy.requires("staff.manage")
def assign(request, kg: str, code: UUID, payload: StaffAssignIn):
    post = selectors.get_post(actor=request.actor, code=code, capability="staff.manage")
    a = services.assign(actor=request.actor, post=post, user=payload.user_id, started_on=payload.started_on)
    return Status(201, {"code": str(a.code), "user_id": a.user_id, "post": post.name, "started_on": str(a.started_on)})


# --- assessments ------------------------------------------------------------------------------------------


@router.get(K + "/assessments", response=list[AssessmentOut])
@policy.requires("staff.assessment.view")
def list_assessments(request, kg: str, month: str = ""):
    m = _month(month) if month else services.month_start(timezone.localdate())
    return [_assessment(a) for a in selectors.assessment_list(actor=request.actor, month=m)]


@router.get(K + "/assessments/mine", response=list[AssessmentDetailOut])
@policy.requires("staff.self")
def my_assessments(request, kg: str):
    return [_assessment_detail(a) for a in selectors.own_assessments(actor=request.actor).select_related("user")]


@router.post(K + "/assessments/generate", response=GenerateOut)
@policy.requires("staff.assessment.change")
def generate(request, kg: str, payload: GenerateIn):
    result = services.assessment_generate(actor=request.actor, month=_month(payload.month))
    return result.__dict__


@router.get(K + "/assessments/{code}", response=AssessmentDetailOut)
@policy.requires("staff.assessment.view")
def get_assessment(request, kg: str, code: UUID):
    return _assessment_detail(selectors.get_assessment(actor=request.actor, code=code))


@router.post(K + "/assessments/{code}/deductions", response={201: AssessmentDetailOut})
@policy.requires("staff.assessment.change")
def add_deduction(request, kg: str, code: UUID, payload: DeductionIn):
    actor = request.actor
    assessment = selectors.get_assessment(actor=actor, code=code, capability="staff.assessment.change")
    item = policy.scoped(actor, "staff.assessment.change", AssessmentItem.objects.filter(code=payload.item_code)).first()
    if item is None:
        raise Http404
    services.deduction_add(actor=actor, assessment=assessment, item=item, date=payload.date, note=payload.note)
    return Status(201, _assessment_detail(selectors.get_assessment(actor=actor, code=code)))


@router.post(K + "/deductions/{code}/void", response=AssessmentDetailOut)
@policy.requires("staff.assessment.change")
def void_deduction(request, kg: str, code: UUID, payload: StaffReasonIn):
    actor = request.actor
    deduction = selectors.get_deduction(actor=actor, code=code)
    services.deduction_void(actor=actor, deduction=deduction, reason=payload.reason)
    return _assessment_detail(selectors.get_assessment(actor=actor, code=deduction.assessment.code))


@router.post(K + "/assessments/{code}/confirm", response=AssessmentDetailOut)
@policy.requires("staff.assessment.change")
def confirm(request, kg: str, code: UUID):
    actor = request.actor
    assessment = selectors.get_assessment(actor=actor, code=code, capability="staff.assessment.change")
    services.assessment_confirm(actor=actor, assessment=assessment)
    return _assessment_detail(selectors.get_assessment(actor=actor, code=code))


@router.get(K + "/awards/service-stars", response=list[StarOut])
@policy.requires("staff.view")
def service_stars(request, kg: str, month: str = ""):
    m = _month(month) if month else services.month_start(timezone.localdate())
    stars = selectors.service_stars([request.actor.kindergarten.pk], m).get(request.actor.kindergarten.pk, [])
    return [{"post": s.post.name, "score": s.score, "winners": [u.display_name for u in s.winners]} for s in stars]


# --- ratings ---------------------------------------------------------------------------------------------


@router.get(K + "/ratings/rounds", response=list[StaffRoundOut])
@policy.requires("staff.view")
def list_rounds(request, kg: str):
    return list(selectors.round_list(actor=request.actor))


@router.post(K + "/ratings/rounds", response={201: StaffRoundOut})
@policy.requires("staff.manage")
def create_round(request, kg: str, payload: StaffRoundIn):
    return Status(201, services.round_create(actor=request.actor, **payload.dict()))


@router.get(K + "/ratings/rounds/{code}/results", response=list[LoveOut])
@policy.requires("staff.view")
def round_results(request, kg: str, code: UUID):
    rnd = selectors.get_round(actor=request.actor, code=code)
    return [{"ratee": r.ratee.display_name, "averages": r.averages, "counts": r.counts, "weighted": r.weighted,
             "winner": r.winner} for r in selectors.love_results(rnd)]


@router.get(K + "/ratings/mine", response=list[RateableOut])
@policy.requires("staff.rating.rate")
def my_ratings(request, kg: str):
    actor = request.actor
    rnd = services.current_round(actor.kindergarten)
    return [{"ratee_id": t.ratee.pk, "ratee": t.ratee.display_name, "school_class": t.school_class.name, "kind": t.kind,
             "stars": t.rating.stars if t.rating else None} for t in services.rateable(actor, rnd)]


@router.post(K + "/ratings", response={201: RateableOut})
@policy.requires("staff.rating.rate")
def rate(request, kg: str, payload: RatingIn):
    r = services.rating_submit(actor=request.actor, ratee=payload.ratee_id, stars=payload.stars,
                               comment=payload.comment)
    return Status(201, {"ratee_id": r.ratee_id, "ratee": r.ratee.display_name, "school_class": r.school_class.name,
                        "kind": r.rater_kind, "stars": r.stars})


# --- trainings ------------------------------------------------------------------------------------------


@router.get(K + "/topics", response=list[TopicOut])
@policy.requires("staff.training.view")
def list_topics(request, kg: str):
    return list(selectors.topic_list(actor=request.actor))


@router.post(K + "/topics", response={201: TopicOut})
@policy.requires("staff.training.change")
def create_topic(request, kg: str, payload: TopicIn):
    return Status(201, services.topic_save(actor=request.actor, **payload.dict()))


@router.get(K + "/trainings", response=list[TrainingOut])
@policy.requires("staff.training.view")
def list_trainings(request, kg: str, start: Day | None = None, end: Day | None = None):
    return [_training(t) for t in selectors.training_list(actor=request.actor, start=start, end=end)]


@router.get(K + "/trainings/{code}", response=TrainingDetailOut)
@policy.requires("staff.training.view")
def get_training(request, kg: str, code: UUID):
    return _training_detail(selectors.get_training(actor=request.actor, code=code))


@router.post(K + "/trainings", response={201: TrainingDetailOut})
@policy.requires("staff.training.change")
def create_training(request, kg: str, payload: TrainingIn):
    actor = request.actor
    data = payload.dict()
    topic = policy.scoped(actor, "staff.training.change", TrainingTopic.objects.filter(code=data.pop("topic_code"))).first()
    if topic is None:
        raise Http404
    t = services.training_create(actor=actor, topic=topic, attendees=data.pop("attendee_ids"), **data)
    return Status(201, _training_detail(selectors.get_training(actor=actor, code=t.code)))


@router.post(K + "/trainings/{code}/attendance", response=TrainingDetailOut)
@policy.requires("staff.training.change")
def record_attendance(request, kg: str, code: UUID, payload: list[StaffAttendanceIn]):
    actor = request.actor
    t = selectors.get_training(actor=actor, code=code, capability="staff.training.change")
    services.training_record(actor=actor, training=t, rows=[{"user": r.user_id, "attended": r.attended,
                                                             "score": r.score} for r in payload])
    return _training_detail(selectors.get_training(actor=actor, code=code))


@router.post(K + "/trainings/{code}/void", response=TrainingDetailOut)
@policy.requires("staff.training.change")
def void_training(request, kg: str, code: UUID, payload: StaffReasonIn):
    actor = request.actor
    t = selectors.get_training(actor=actor, code=code, capability="staff.training.change")
    services.training_void(actor=actor, training=t, reason=payload.reason)
    return _training_detail(selectors.get_training(actor=actor, code=code))


# --- meetings ---------------------------------------------------------------------------------------------


@router.get(K + "/meetings", response=list[MeetingOut])
@policy.requires("staff.meeting.view")
def list_meetings(request, kg: str, start: Day | None = None, end: Day | None = None):
    return list(selectors.meeting_list(actor=request.actor, start=start, end=end))


@router.get(K + "/meetings/{code}", response=MeetingDetailOut)
@policy.requires("staff.meeting.view")
def get_meeting(request, kg: str, code: UUID):
    return _meeting_detail(selectors.get_meeting(actor=request.actor, code=code), timezone.localdate())


@router.post(K + "/meetings", response={201: MeetingDetailOut})
@policy.requires("staff.meeting.change")
def create_meeting(request, kg: str, payload: StaffMeetingIn):
    actor = request.actor
    data = payload.dict()
    actions = [{"description": a["description"], "owner": a["owner_id"], "due_date": a["due_date"]}
               for a in data.pop("actions")]
    m = services.meeting_create(actor=actor, attendees=data.pop("attendee_ids"), actions=actions, **data)
    return Status(201, _meeting_detail(selectors.get_meeting(actor=actor, code=m.code), timezone.localdate()))


@router.post(K + "/meetings/{code}/actions", response={201: MeetingDetailOut})
@policy.requires("staff.meeting.change")
def add_action(request, kg: str, code: UUID, payload: ActionIn):
    actor = request.actor
    m = selectors.get_meeting(actor=actor, code=code, capability="staff.meeting.change")
    services.action_add(actor=actor, meeting=m, description=payload.description, owner=payload.owner_id,
                        due_date=payload.due_date)
    return Status(201, _meeting_detail(selectors.get_meeting(actor=actor, code=code), timezone.localdate()))


@router.get(K + "/actions/mine", response=list[ActionOut])
@policy.requires("staff.meeting.view")
def my_actions(request, kg: str):
    today = timezone.localdate()
    return [_action(a, today) for a in selectors.open_actions(actor=request.actor)]


@router.post(K + "/actions/{code}/done", response=ActionOut)
@policy.requires("staff.meeting.view")
def action_done(request, kg: str, code: UUID, payload: StaffDoneIn):
    actor = request.actor
    a = selectors.get_action(actor=actor, code=code)
    a = services.action_done(actor=actor, action=a, note=payload.note)
    return _action(a, timezone.localdate())


# --- health certificates -----------------------------------------------------------------------------


@router.get(K + "/certificates", response=list[CertificateRowOut])
@policy.requires("staff.certificate.view")
def list_certificates(request, kg: str, status: str = ""):
    rows = selectors.certificate_rows(actor=request.actor)
    return [{"user": r.user.display_name, "user_id": r.user.pk, "post": r.post.name if r.post else None,
             "status": r.status, "days_left": r.days_left,
             "certificate_code": r.certificate.code if r.certificate else None,
             "expires_on": r.certificate.expires_on if r.certificate else None}
            for r in rows if not status or r.status == status]


@router.get(K + "/certificates/{code}", response=StaffCertificateOut)
@policy.requires("staff.certificate.view")
def get_certificate(request, kg: str, code: UUID):
    return _cert(selectors.get_certificate(actor=request.actor, code=code))


@router.post(K + "/certificates", response={201: StaffCertificateOut})
@policy.requires("staff.certificate.change")
def create_certificate(request, kg: str, payload: StaffCertificateIn):
    data = payload.dict()
    cert = services.certificate_add(actor=request.actor, user=data.pop("user_id"), **data)
    return Status(201, _cert(cert))


@router.post(K + "/certificates/{code}/void", response=StaffCertificateOut)
@policy.requires("staff.certificate.change")
def void_certificate(request, kg: str, code: UUID, payload: StaffReasonIn):
    cert = selectors.get_certificate(actor=request.actor, code=code, capability="staff.certificate.change")
    return _cert(services.certificate_void(actor=request.actor, certificate=cert, reason=payload.reason))


# --- the daily procedure ---------------------------------------------------------------------------------


def _class(actor, code, capability):
    cls = policy.scoped(actor, capability, SchoolClass.objects.filter(code=code)).first()
    if cls is None:
        raise Http404
    return cls


def _steps(actor, cls, day):
    return [{"code": r["step"].code, "time_label": r["step"].time_label, "title": r["step"].title,
             "description": r["step"].description, "done": r["check"] is not None,
             "done_by": r["check"].done_by.display_name if r["check"] else None,
             "done_at": r["check"].done_at if r["check"] else None}
            for r in selectors.procedure_day(actor=actor, school_class=cls, date=day)]


@router.get(K + "/procedure/{code}", response=list[StepOut])
@policy.requires("staff.procedure.view")
def procedure_day(request, kg: str, code: UUID, date: Day | None = None):
    cls = _class(request.actor, code, "staff.procedure.view")
    return _steps(request.actor, cls, date or timezone.localdate())


@router.post(K + "/procedure/{code}/tick", response=list[StepOut])
@policy.requires("staff.procedure.check")
def procedure_tick(request, kg: str, code: UUID, payload: TickIn):
    actor = request.actor
    cls = _class(actor, code, "staff.procedure.check")
    step = ProcedureStep.objects.filter(kindergarten=actor.kindergarten, code=payload.step_code).first()
    if step is None:
        raise Http404
    services.procedure_tick(actor=actor, school_class=cls, date=payload.date, step=step, done=payload.done,
                            note=payload.note)
    return _steps(actor, cls, payload.date)


# --- the nap-time watch (staff/naps.py) ---------------------------------------------------------------------


class NapRoundIn(Input):
    children_checked: int
    findings: list[str] = []
    note: str = ""


class NapRoundOut(Schema):
    code: UUID
    date: dt.date
    at: dt.datetime
    children_checked: int
    findings: list[str]
    note: str
    done_by: str


def _nap_out(r) -> dict:
    return {"code": r.code, "date": r.date, "at": r.at, "children_checked": r.children_checked,
            "findings": list(r.findings), "note": r.note, "done_by": r.done_by.display_name}


@router.get(K + "/procedure/{code}/naps", response=list[NapRoundOut])
@policy.requires("staff.nap.view")
def nap_rounds(request, kg: str, code: UUID, date: Day | None = None):
    from houqin.staff import naps

    cls = _class(request.actor, code, "staff.nap.view")
    return [_nap_out(r) for r in naps.nap_rounds(actor=request.actor, school_class=cls,
                                                 day=date or timezone.localdate())]


@router.post(K + "/procedure/{code}/naps", response={201: NapRoundOut})
@policy.requires("staff.nap.record")
def record_nap_round(request, kg: str, code: UUID, payload: NapRoundIn):
    from houqin.staff import naps

    cls = _class(request.actor, code, "staff.nap.record")
    return Status(201, _nap_out(naps.nap_round_record(actor=request.actor, school_class=cls, **payload.dict())))

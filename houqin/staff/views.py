"""HTML pages of the logistics staff. Thin: parse a form, call a selector or a service, render or redirect."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from houqin import policy
from houqin.core import files
from houqin.core.errors import DomainError
from houqin.core.history import history_rows
from houqin.core.registry import FINDING_KINDS
from houqin.core.web import add_domain_errors, day_param, form_action, xlsx_response
from houqin.org.models import SchoolClass
from houqin.org.selectors import staff_users
from houqin.staff import exports, rules, selectors, services
from houqin.staff.forms import (
    RATER_LABELS,
    ActionForm,
    AssignForm,
    CertificateForm,
    DeductionForm,
    ItemForm,
    MeetingForm,
    PostForm,
    RatingForm,
    RoundForm,
    SettingsForm,
    StepForm,
    TopicForm,
    TrainingForm,
)
from houqin.staff.models import AssessmentItem, Assignment, Deduction, ProcedureStep


def _history(obj, n: int) -> list[dict]:
    records = list(obj.history.all()[:n])
    return history_rows(records) if records else []  # core.history_rows needs at least one record


def _month(request) -> dt.date:
    raw = request.GET.get("month", "") or request.POST.get("month", "")
    try:
        return dt.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        return services.month_start(timezone.localdate())


def _date(raw, default=None) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except (TypeError, ValueError):
        return default or timezone.localdate()


def _run(request, func, success: str, **kwargs):
    try:
        result = func(actor=request.actor, **kwargs)
    except DomainError as exc:
        messages.error(request, exc.message)
        return None
    if success:
        messages.success(request, success)
    return result if result is not None else True


def _users(actor):
    return staff_users(actor.kindergarten)


def _period(request):
    start = _date(request.GET.get("start"), None) if request.GET.get("start") else None
    end = _date(request.GET.get("end"), None) if request.GET.get("end") else None
    return start, end


# --- overview, settings, posts ----------------------------------------------------------------------


@policy.requires("staff.view")
def home(request, kg):
    actor = request.actor
    month = services.month_start(timezone.localdate())
    return render(request, "staff/home.html", {
        "posts": selectors.post_list(actor=actor), "settings": services.get_settings(actor.kindergarten),
        "summary": selectors.month_summary(actor=actor, month=month) if actor.has("staff.assessment.view") else None,
        "month": month, "can_manage": actor.has("staff.manage"), "finding_kinds": FINDING_KINDS,
        "rules": rules.load(),
    })


@require_http_methods(["GET", "POST"])
@policy.requires("staff.manage")
def staff_settings(request, kg):
    actor = request.actor
    current = services.get_settings(actor.kindergarten)
    initial = {f: getattr(current, f) for f in services.SETTING_FIELDS}
    form = SettingsForm(request.POST or None, initial=initial)
    return form_action(request, form, lambda data: services.settings_update(actor=actor, **data),
                       success_url=reverse("staff:home", kwargs={"kg": kg}), template="staff/settings.html",
                       context={"rules": rules.load(), "history": _history(current, 20)},
                       success_message=_("The rules have been saved."))


@require_http_methods(["GET", "POST"])
@policy.requires("staff.manage")
def post_create(request, kg):
    actor = request.actor
    form = PostForm(request.POST or None)
    return form_action(request, form, lambda data: services.post_save(actor=actor, **data),
                       success_url=reverse("staff:home", kwargs={"kg": kg}), template="staff/form.html",
                       context={"title": _("New post")}, success_message=_("The post has been saved."))


@require_http_methods(["GET", "POST"])
@policy.requires("staff.manage")
def post_edit(request, kg, code):
    actor = request.actor
    post = selectors.get_post(actor=actor, code=code, capability="staff.manage")
    initial = {"name": post.name, "base_bonus": post.base_bonus, "sort_order": post.sort_order,
               "handles_food_or_children": post.handles_food_or_children, "is_active": post.is_active}
    form = PostForm(request.POST or None, initial=initial)
    return form_action(request, form, lambda data: services.post_save(actor=actor, post=post, **data),
                       success_url=reverse("staff:post_detail", kwargs={"kg": kg, "code": code}),
                       template="staff/form.html", context={"title": post.name},
                       success_message=_("The post has been saved."))


@policy.requires("staff.view")
def post_detail(request, kg, code):
    actor = request.actor
    post = selectors.get_post(actor=actor, code=code)
    past = Assignment.objects.filter(post=post, ended_on__isnull=False).select_related("user")
    return render(request, "staff/post_detail.html", {
        "post": post, "past": past, "can_manage": actor.has("staff.manage"), "finding_kinds": FINDING_KINDS,
        "assign_form": AssignForm(users=_users(actor)),
    })


def _item_form(request, actor, **kwargs):
    return ItemForm(request.POST or None, topics=selectors.topic_list(actor=actor, capability="staff.manage"),
                    kinds={k: str(v) for k, v in FINDING_KINDS.items()}, **kwargs)


@require_http_methods(["GET", "POST"])
@policy.requires("staff.manage")
def item_create(request, kg, code):
    actor = request.actor
    post = selectors.get_post(actor=actor, code=code, capability="staff.manage")
    form = _item_form(request, actor)
    return form_action(request, form, lambda data: services.item_save(actor=actor, post=post, **data),
                       success_url=reverse("staff:post_detail", kwargs={"kg": kg, "code": code}),
                       template="staff/form.html", context={"title": _("New item of %(post)s") % {"post": post.name}},
                       success_message=_("The item has been saved."))


@require_http_methods(["GET", "POST"])
@policy.requires("staff.manage")
def item_edit(request, kg, code):
    actor = request.actor
    item = policy.scoped(actor, "staff.manage", AssessmentItem.objects.select_related("post").filter(code=code)).first()
    if item is None:
        raise Http404
    initial = {"name": item.name, "points": item.points, "topic": item.topic_id, "finding_kind": item.finding_kind,
               "sort_order": item.sort_order, "is_active": item.is_active}
    form = _item_form(request, actor, initial=initial)
    return form_action(request, form, lambda data: services.item_save(actor=actor, post=item.post, item=item, **data),
                       success_url=reverse("staff:post_detail", kwargs={"kg": kg, "code": item.post.code}),
                       template="staff/form.html", context={"title": item.name},
                       success_message=_("The item has been saved."))


@require_POST
@policy.requires("staff.manage")
def post_assign(request, kg, code):
    actor = request.actor
    post = selectors.get_post(actor=actor, code=code, capability="staff.manage")
    form = AssignForm(request.POST, users=_users(actor))
    if form.is_valid():
        _run(request, services.assign, _("The post has been assigned."), post=post, **form.cleaned_data)
    else:
        messages.error(request, _("Choose a staff member and a date."))
    return redirect("staff:post_detail", kg=kg, code=code)


@require_POST
@policy.requires("staff.manage")
def assignment_end(request, kg, code):
    actor = request.actor
    assignment = policy.scoped(actor, "staff.manage", Assignment.objects.filter(code=code)).select_related("post").first()
    if assignment is None:
        raise Http404
    _run(request, services.assignment_end, _("The assignment has ended."), assignment=assignment,
         ended_on=_date(request.POST.get("ended_on")))
    return redirect("staff:post_detail", kg=kg, code=assignment.post.code)


# --- monthly assessment ------------------------------------------------------------------------------


@policy.requires("staff.assessment.view")
def assessment_list(request, kg):
    actor = request.actor
    month = _month(request)
    rows = list(selectors.assessment_list(actor=actor, month=month))
    stars = selectors.service_stars([actor.kindergarten.pk], month).get(actor.kindergarten.pk, [])
    return render(request, "staff/assessment_list.html", {
        "rows": rows, "month": month, "stars": stars,
        "summary": {"count": len(rows), "vetoed": sum(1 for r in rows if r.vetoed),
                    "drafts": sum(1 for r in rows if r.status == "draft"),
                    "bonus": sum((r.bonus for r in rows), 0)},
        "prev": services.month_start(month - dt.timedelta(days=1)),
        "next": services.month_start(month + dt.timedelta(days=32)),
        "can_change": actor.has("staff.assessment.change"), "can_export": actor.has("staff.assessment.export"),
        "future": month > timezone.localdate(),
    })


@require_POST
@policy.requires("staff.assessment.change")
def assessment_generate(request, kg):
    month = _month(request)
    result = _run(request, services.assessment_generate, "", month=month)
    if result:
        messages.success(request, _("%(sheets)d score sheets for %(month)s: %(new)d new, %(d)d deductions from "
                                    "findings added.") % {"sheets": result.sheets, "month": f"{month:%Y-%m}",
                                                          "new": result.created, "d": result.deductions})
    return redirect(reverse("staff:assessment_list", kwargs={"kg": kg}) + f"?month={month:%Y-%m}")


@require_POST
@policy.requires("staff.assessment.change")
def assessment_confirm_month(request, kg):
    month = _month(request)
    n = _run(request, services.assessment_confirm_month, "", month=month)
    if n is not None:
        messages.success(request, _("%(n)d assessments confirmed.") % {"n": n if n is not True else 0})
    return redirect(reverse("staff:assessment_list", kwargs={"kg": kg}) + f"?month={month:%Y-%m}")


@policy.requires("staff.assessment.export")
def assessment_export(request, kg):
    actor = request.actor
    month = _month(request)
    rows = list(selectors.assessment_list(actor=actor, month=month).prefetch_related(
        Prefetch("deductions", queryset=Deduction.objects.select_related("item", "trained_in__topic"))))
    return xlsx_response(exports.payroll_xlsx(actor.kindergarten, month, rows),
                         f"{actor.kindergarten.short_name or actor.kindergarten.name}-后勤考核奖-{month:%Y-%m}.xlsx")


@policy.requires("staff.assessment.view")
def assessment_detail(request, kg, code):
    actor = request.actor
    assessment = selectors.get_assessment(actor=actor, code=code)
    return render(request, "staff/assessment_detail.html", {
        "a": assessment, "deductions": assessment.active_deductions,
        "can_change": actor.has("staff.assessment.change") and assessment.status == "draft",
        "settings": services.get_settings(actor.kindergarten),
        "history": _history(assessment, 30),
    })


@require_http_methods(["GET", "POST"])
@policy.requires("staff.assessment.change")
def deduction_add(request, kg, code):
    actor = request.actor
    assessment = selectors.get_assessment(actor=actor, code=code, capability="staff.assessment.change")
    items = AssessmentItem.objects.filter(post=assessment.post, is_active=True).select_related("topic")
    form = DeductionForm(request.POST or None, items=items, initial={"date": min(timezone.localdate(), services.month_end(assessment.month))})
    return form_action(
        request, form, lambda data: services.deduction_add(actor=actor, assessment=assessment, **data),
        success_url=reverse("staff:assessment_detail", kwargs={"kg": kg, "code": code}), template="staff/form.html",
        context={"title": _("Deduction for %(name)s, %(month)s") % {"name": assessment.user.display_name,
                                                                    "month": f"{assessment.month:%Y-%m}"},
                 "back": reverse("staff:assessment_detail", kwargs={"kg": kg, "code": code}),
                 "form_testid": "deduction-form"},
        success_message=_("The deduction has been recorded."))


@require_POST
@policy.requires("staff.assessment.change")
def deduction_void(request, kg, code):
    actor = request.actor
    deduction = selectors.get_deduction(actor=actor, code=code)
    _run(request, services.deduction_void, _("The deduction has been voided."), deduction=deduction,
         reason=request.POST.get("reason", ""))
    return redirect("staff:assessment_detail", kg=kg, code=deduction.assessment.code)


@require_POST
@policy.requires("staff.assessment.change")
def assessment_confirm(request, kg, code):
    actor = request.actor
    assessment = selectors.get_assessment(actor=actor, code=code, capability="staff.assessment.change")
    _run(request, services.assessment_confirm, _("The assessment has been confirmed."), assessment=assessment)
    return redirect("staff:assessment_detail", kg=kg, code=code)


# --- awards and ratings --------------------------------------------------------------------------------


@policy.requires("staff.view")
def awards(request, kg):
    actor = request.actor
    month = _month(request)
    rounds = list(selectors.round_list(actor=actor))
    code = request.GET.get("round", "")
    rnd = next((r for r in rounds if str(r.code) == code), rounds[0] if rounds else None)
    return render(request, "staff/awards.html", {
        "month": month, "stars": selectors.service_stars([actor.kindergarten.pk], month).get(actor.kindergarten.pk, []),
        "rounds": rounds, "round": rnd, "results": selectors.love_results(rnd) if rnd else [],
        "rater_labels": RATER_LABELS, "settings": services.get_settings(actor.kindergarten),
        "prev": services.month_start(month - dt.timedelta(days=1)),
        "next": services.month_start(month + dt.timedelta(days=32)), "can_manage": actor.has("staff.manage"),
    })


@require_http_methods(["GET", "POST"])
@policy.requires("staff.manage")
def round_create(request, kg):
    actor = request.actor
    form = RoundForm(request.POST or None)
    return form_action(request, form, lambda data: services.round_create(actor=actor, **data),
                       success_url=reverse("staff:awards", kwargs={"kg": kg}), template="staff/form.html",
                       context={"title": _("New rating period (爱心阿姨)")},
                       success_message=_("The rating period has been opened."))


@require_http_methods(["GET", "POST"])
@policy.requires("staff.rating.rate")
def rate(request, kg):
    """Rate the nursery staff from the phone: one card per person one may rate, stars and a comment."""
    actor = request.actor
    rnd = services.current_round(actor.kindergarten)
    targets = services.rateable(actor, rnd)
    form = None
    if request.method == "POST":
        form = RatingForm(request.POST)
        target = next((t for t in targets if str(t.ratee.pk) == request.POST.get("ratee")), None)
        if target is None:
            raise Http404
        if form.is_valid():
            try:
                services.rating_submit(actor=actor, rnd=rnd, ratee=target.ratee, **form.cleaned_data)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Thank you: your rating of %(name)s has been recorded.")
                                 % {"name": target.ratee.display_name})
            return redirect("staff:rate", kg=kg)
        messages.error(request, _("Choose one to five stars."))
    return render(request, "staff/rate.html", {"round": rnd, "targets": targets, "form": RatingForm(),
                                               "rater_labels": RATER_LABELS})


# --- trainings ---------------------------------------------------------------------------------------


@policy.requires("staff.training.view")
def training_list(request, kg):
    actor = request.actor
    start, end = _period(request)
    return render(request, "staff/training_list.html", {
        "trainings": selectors.training_list(actor=actor, start=start, end=end,
                                             topic_code=request.GET.get("topic", "")),
        "topics": selectors.topic_list(actor=actor), "start": start, "end": end,
        "can_change": actor.has("staff.training.change"),
    })


@require_http_methods(["GET", "POST"])
@policy.requires("staff.training.change")
def training_create(request, kg):
    actor = request.actor
    form = TrainingForm(request.POST or None, request.FILES or None,
                        topics=selectors.topic_list(actor=actor, capability="staff.training.change"),
                        users=_users(actor))
    made = {}

    def action(data):
        made["t"] = services.training_create(actor=actor, **data)

    response = form_action(request, form, action, success_url=reverse("staff:training_list", kwargs={"kg": kg}),
                           template="staff/form.html",
                           context={"title": _("New training"), "multipart": True, "form_testid": "training-form",
                                    "extra_link": (reverse("staff:topic_create", kwargs={"kg": kg}), _("New topic"))},
                           success_message=_("The training has been recorded."))
    if "t" in made:
        return redirect("staff:training_detail", kg=kg, code=made["t"].code)
    return response


@require_http_methods(["GET", "POST"])
@policy.requires("staff.training.change")
def topic_create(request, kg):
    actor = request.actor
    form = TopicForm(request.POST or None)
    return form_action(request, form, lambda data: services.topic_save(actor=actor, **data),
                       success_url=reverse("staff:training_create", kwargs={"kg": kg}), template="staff/form.html",
                       context={"title": _("New training topic")}, success_message=_("The topic has been saved."))


@require_http_methods(["GET", "POST"])
@policy.requires("staff.training.view")
def training_detail(request, kg, code):
    actor = request.actor
    training = selectors.get_training(actor=actor, code=code)
    can_change = actor.has("staff.training.change") and not training.is_voided
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        rows = []
        ids = set(request.POST.getlist("present"))
        for att in training.attendances.all():
            rows.append({"user": att.user_id, "attended": str(att.user_id) in ids,
                         "score": request.POST.get(f"score-{att.user_id}", "")})
        extra = request.POST.get("add_user")
        if extra:
            rows.append({"user": extra, "attended": True, "score": ""})
        if _run(request, services.training_record, _("Attendance and scores have been saved."), training=training,
                rows=rows):
            return redirect("staff:training_detail", kg=kg, code=code)
        training = selectors.get_training(actor=actor, code=code)
    listed = {a.user_id for a in training.attendances.all()}
    return render(request, "staff/training_detail.html", {
        "t": training, "can_change": can_change, "others": [u for u in _users(actor) if u.pk not in listed],
        "history": _history(training, 20),
    })


@policy.requires("staff.training.view")
def training_material(request, kg, code):
    training = selectors.get_training(actor=request.actor, code=code)
    return files.file_response(training.material,
                               download_name=f"{training.date:%Y%m%d}-{training.pk}.{training.material_extension}")


@require_POST
@policy.requires("staff.training.change")
def training_void(request, kg, code):
    training = selectors.get_training(actor=request.actor, code=code, capability="staff.training.change")
    _run(request, services.training_void, _("The training has been voided."), training=training,
         reason=request.POST.get("reason", ""))
    return redirect("staff:training_list", kg=kg)


# --- meetings ---------------------------------------------------------------------------------------------


@policy.requires("staff.meeting.view")
def meeting_list(request, kg):
    actor = request.actor
    start, end = _period(request)
    return render(request, "staff/meeting_list.html", {
        "meetings": selectors.meeting_list(actor=actor, start=start, end=end), "start": start, "end": end,
        "mine": selectors.open_actions(actor=actor), "today": timezone.localdate(),
        "can_change": actor.has("staff.meeting.change"),
    })


@require_http_methods(["GET", "POST"])
@policy.requires("staff.meeting.change")
def meeting_create(request, kg):
    actor = request.actor
    form = MeetingForm(request.POST or None, users=_users(actor))
    made = {}

    def action(data):
        made["m"] = services.meeting_create(actor=actor, **data)

    response = form_action(request, form, action, success_url=reverse("staff:meeting_list", kwargs={"kg": kg}),
                           template="staff/form.html", context={"title": _("New logistics meeting"),
                                                                "form_testid": "meeting-form"},
                           success_message=_("The meeting has been recorded."))
    if "m" in made:
        return redirect("staff:meeting_detail", kg=kg, code=made["m"].code)
    return response


@require_http_methods(["GET", "POST"])
@policy.requires("staff.meeting.view")
def meeting_detail(request, kg, code):
    actor = request.actor
    meeting = selectors.get_meeting(actor=actor, code=code)
    can_change = actor.has("staff.meeting.change") and not meeting.is_voided
    form = ActionForm(request.POST or None, users=_users(actor), initial={"due_date": meeting.date + dt.timedelta(days=7)})
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.action_add(actor=actor, meeting=meeting, **form.cleaned_data)
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("The action has been added."))
                return redirect("staff:meeting_detail", kg=kg, code=code)
    return render(request, "staff/meeting_detail.html", {"m": meeting, "form": form, "can_change": can_change,
                                                         "today": timezone.localdate()})


@require_POST
@policy.requires("staff.meeting.view")
def action_done(request, kg, code):
    action = selectors.get_action(actor=request.actor, code=code)
    _run(request, services.action_done, _("Marked as done."), action=action, note=request.POST.get("note", ""))
    return redirect(reverse("staff:meeting_detail", kwargs={"kg": kg, "code": action.meeting.code}) + f"#a-{action.code}")


# --- health certificates -----------------------------------------------------------------------------------


@policy.requires("staff.certificate.view")
def certificate_list(request, kg):
    actor = request.actor
    rows = selectors.certificate_rows(actor=actor)
    status = request.GET.get("status", "")
    counts = {s: sum(1 for r in rows if r.status == s) for s in ("expired", "missing", "expiring", "valid")}
    if status in counts:
        rows = [r for r in rows if r.status == status]
    return render(request, "staff/certificate_list.html", {
        "rows": rows, "counts": counts, "status": status, "can_change": actor.has("staff.certificate.change"),
        "settings": services.get_settings(actor.kindergarten), "rules": rules.load(),
    })


@require_http_methods(["GET", "POST"])
@policy.requires("staff.certificate.change")
def certificate_create(request, kg):
    actor = request.actor
    initial = {}
    if request.GET.get("user"):
        initial["user"] = request.GET["user"]
    form = CertificateForm(request.POST or None, request.FILES or None, users=_users(actor), initial=initial)
    return form_action(request, form, lambda data: services.certificate_add(actor=actor, **data),
                       success_url=reverse("staff:certificate_list", kwargs={"kg": kg}), template="staff/form.html",
                       context={"title": _("New health certificate"), "multipart": True,
                                "form_testid": "certificate-form"},
                       success_message=_("The health certificate has been recorded."))


@policy.requires("staff.certificate.view")
def certificate_detail(request, kg, code):
    actor = request.actor
    cert = selectors.get_certificate(actor=actor, code=code)
    return render(request, "staff/certificate_detail.html", {
        "c": cert, "others": selectors.certificates_of(actor=actor, user=cert.user),
        "can_change": actor.has("staff.certificate.change") and not cert.is_voided,
        "history": _history(cert, 20),
    })


@policy.requires("staff.certificate.view")
def certificate_scan(request, kg, code):
    cert = selectors.get_certificate(actor=request.actor, code=code)
    if not cert.scan:
        raise Http404
    return files.file_response(cert.scan, download_name=f"health-certificate-{cert.pk}.{cert.scan_extension}")


@require_POST
@policy.requires("staff.certificate.change")
def certificate_void(request, kg, code):
    cert = selectors.get_certificate(actor=request.actor, code=code, capability="staff.certificate.change")
    _run(request, services.certificate_void, _("The certificate has been voided."), certificate=cert,
         reason=request.POST.get("reason", ""))
    return redirect("staff:certificate_list", kg=kg)


# --- the daily procedure ------------------------------------------------------------------------------------


@policy.requires("staff.procedure.view")
def procedure(request, kg):
    actor = request.actor
    day = day_param(request)
    overview = selectors.procedure_overview(actor=actor, date=day)
    if len(overview) == 1 and not request.GET.get("date"):
        return redirect("staff:procedure_day", kg=kg, code=overview[0]["school_class"].code)
    return render(request, "staff/procedure.html", {"overview": overview, "day": day,
                                                    "can_manage": actor.has("staff.manage")})


def _procedure_class(actor, code, capability="staff.procedure.view"):
    cls = policy.scoped(actor, capability, SchoolClass.objects.filter(code=code)).first()
    if cls is None:
        raise Http404
    return cls


@policy.requires("staff.procedure.view")
def procedure_day(request, kg, code):
    actor = request.actor
    cls = _procedure_class(actor, code)
    day = day_param(request)
    rows = selectors.procedure_day(actor=actor, school_class=cls, date=day)
    from houqin.staff.naps import nap_rounds

    return render(request, "staff/procedure_day.html", {
        "naps": list(nap_rounds(actor=actor, school_class=cls, day=day)) if actor.has("staff.nap.view") else None,
        "cls": cls, "day": day, "rows": rows, "done": sum(1 for r in rows if r["check"]),
        "can_check": policy.can(actor, "staff.procedure.check", cls), "today": timezone.localdate(),
        "prev": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1),
    })


@require_POST
@policy.requires("staff.procedure.check")
def procedure_tick(request, kg, code):
    """Tick or untick one step (htmx swaps the row; without htmx the page reloads)."""
    actor = request.actor
    cls = _procedure_class(actor, code, "staff.procedure.check")
    day = _date(request.POST.get("date"))
    step = ProcedureStep.objects.filter(kindergarten=actor.kindergarten, code=request.POST.get("step", "")).first() \
        if _is_uuid(request.POST.get("step", "")) else None
    if step is None:
        raise Http404
    error = ""
    try:
        services.procedure_tick(actor=actor, school_class=cls, date=day, step=step,
                                done=request.POST.get("done") != "0", note=request.POST.get("note", ""))
    except DomainError as exc:
        error = exc.message
    if request.headers.get("HX-Request"):
        row = next(r for r in selectors.procedure_day(actor=actor, school_class=cls, date=day) if r["step"].pk == step.pk)
        return render(request, "staff/_procedure_row.html", {"row": row, "cls": cls, "day": day, "can_check": True,
                                                             "error": error, "today": timezone.localdate()})
    if error:
        messages.error(request, error)
    return redirect(reverse("staff:procedure_day", kwargs={"kg": kg, "code": code}) + f"?date={day.isoformat()}")


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except (ValueError, TypeError):
        return False
    return True


@require_http_methods(["GET", "POST"])
@policy.requires("staff.manage")
def procedure_steps(request, kg):
    actor = request.actor
    form = StepForm(request.POST or None)
    return form_action(request, form, lambda data: services.step_save(actor=actor, **data),
                       success_url=reverse("staff:procedure_steps", kwargs={"kg": kg}),
                       template="staff/procedure_steps.html",
                       context={"steps": ProcedureStep.objects.filter(kindergarten=actor.kindergarten)},
                       success_message=_("The step has been saved."))


@require_http_methods(["GET", "POST"])
@policy.requires("staff.manage")
def procedure_step_edit(request, kg, code):
    actor = request.actor
    step = policy.scoped(actor, "staff.manage", ProcedureStep.objects.filter(code=code)).first()
    if step is None:
        raise Http404
    initial = {f: getattr(step, f) for f in ("time_label", "title", "description", "sort_order", "is_active")}
    form = StepForm(request.POST or None, initial=initial)
    return form_action(request, form, lambda data: services.step_save(actor=actor, step=step, **data),
                       success_url=reverse("staff:procedure_steps", kwargs={"kg": kg}), template="staff/form.html",
                       context={"title": step.title}, success_message=_("The step has been saved."))


# --- one's own record ------------------------------------------------------------------------------------


@policy.requires("staff.self")
def me(request, kg):
    actor = request.actor
    post = selectors.current_posts(actor.kindergarten, [actor.user.pk]).get(actor.user.pk)
    cert = selectors.own_certificate(actor=actor)
    return render(request, "staff/me.html", {
        "post": post, "assessments": selectors.own_assessments(actor=actor)[:12],
        "trainings": selectors.own_trainings(actor=actor)[:30], "certificate": cert,
        "actions": selectors.open_actions(actor=actor) if actor.has("staff.meeting.view") else [],
        "today": timezone.localdate(), "settings": services.get_settings(actor.kindergarten),
    })


"""Pages of the rule book (制度与应急预案). Thin: parse, call houqin.safety.rulebook, render.

Every member of staff reads the plans and acknowledges the current version; the principal and the
director add plans and versions (with the approver and the review date), see who has read a version
and void a plan no longer in force."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin import policy
from houqin.core import files
from houqin.core.errors import DomainError
from houqin.core.web import add_domain_errors
from houqin.safety import forms, rulebook


def _url(name, kg, **kwargs):
    return reverse(f"safety:{name}", kwargs={"kg": kg, **kwargs})


@policy.requires("safety.rulebook.view")
def plan_list(request, kg):
    actor = request.actor
    return render(request, "safety/plan_list.html", {
        "plans": rulebook.plan_list(actor=actor), "today": timezone.localdate(),
        "soon": timezone.localdate() + dt.timedelta(days=rulebook.REVIEW_NOTICE_DAYS),
        "can_change": actor.has("safety.rulebook.change")})


@policy.requires("safety.rulebook.change")
def plan_create(request, kg):
    actor = request.actor
    form = forms.PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = rulebook.plan_create(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Added. Now add its first version with the approver and the review date."))
            return redirect(_url("plan_version_create", kg, code=plan.code))
    return render(request, "safety/form.html", {"form": form, "title": _("Add a rule or plan")})


@policy.requires("safety.rulebook.view")
def plan_detail(request, kg, code):
    actor = request.actor
    plan = rulebook.get_plan(actor=actor, code=code)
    return render(request, "safety/plan_detail.html", {
        "plan": plan, "today": timezone.localdate(),
        "drills": plan.drills.active().order_by("-planned_on")[:20],
        "can_change": actor.has("safety.rulebook.change"),
        "can_receipts": actor.has("safety.rulebook.receipts"),
        "can_acknowledge": actor.has("safety.rulebook.acknowledge")})


@policy.requires("safety.rulebook.change")
def plan_version_create(request, kg, code):
    actor = request.actor
    plan = rulebook.get_plan(actor=actor, code=code, capability="safety.rulebook.change")
    form = forms.PlanVersionForm(request.POST or None, request.FILES or None, kindergarten=actor.kindergarten,
                                 initial={"approved_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            version = rulebook.version_add(actor=actor, plan=plan, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Version %(n)d recorded: staff are asked to read it.") % {"n": version.number})
            return redirect(_url("plan_detail", kg, code=plan.code))
    return render(request, "safety/form.html", {
        "form": form, "title": _("New version of %(plan)s") % {"plan": plan.title},
        "intro": _("A version is not changed once saved: a change is a new version, which staff read again.")})


@require_POST
@policy.requires("safety.rulebook.acknowledge")
def plan_acknowledge(request, kg, code):
    actor = request.actor
    plan = rulebook.get_plan(actor=actor, code=code, capability="safety.rulebook.acknowledge")
    try:
        rulebook.version_acknowledge(actor=actor, plan=plan)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you: your reading is recorded."))
    return redirect(_url("plan_detail", kg, code=code))


@require_POST
@policy.requires("safety.rulebook.change")
def plan_void(request, kg, code):
    actor = request.actor
    plan = rulebook.get_plan(actor=actor, code=code, capability="safety.rulebook.change")
    try:
        rulebook.plan_void(actor=actor, plan=plan, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_url("plan_detail", kg, code=code))
    messages.success(request, _("Voided: the plan is no longer in the rule book."))
    return redirect(_url("plan_list", kg))


@policy.requires("safety.rulebook.receipts")
def plan_receipts(request, kg, code, number):
    actor = request.actor
    plan = rulebook.get_plan(actor=actor, code=code, capability="safety.rulebook.receipts")
    version = rulebook.get_version(actor=actor, plan=plan, number=number)
    return render(request, "safety/plan_receipts.html", {
        "plan": plan, "version": version, **rulebook.receipts(actor=actor, version=version)})


@policy.requires("safety.rulebook.view")
def plan_document(request, kg, code, number):
    plan = rulebook.get_plan(actor=request.actor, code=code)
    version = rulebook.get_version(actor=request.actor, plan=plan, number=number)
    if not version.document:
        raise Http404
    return files.file_response(version.document)


@require_POST
@policy.requires("safety.drill.change")
def drill_plan_link(request, kg, code):
    """Say which plan a drill rehearses, from the drill's page."""
    from houqin.safety import selectors

    actor = request.actor
    drill = selectors.get_drill(actor=actor, code=code)
    try:
        rulebook.drill_link_plan(actor=actor, drill=drill,
                                 plan=rulebook.plan_by_code(actor, request.POST.get("plan") or None))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect(_url("drill_detail", kg, code=code))

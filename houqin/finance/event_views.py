"""Pages of big events (大型活动): the list with each event's cost against its budget, a new event, an
event's needs with who sees to each, and its purchase request. Thin: parse, call
houqin.finance.events, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin import policy
from houqin.core.errors import DomainError
from houqin.core.web import add_domain_errors
from houqin.finance import events
from houqin.finance.forms import EventForm, EventNeedForm
from houqin.finance.models import BudgetCategory
from houqin.org.selectors import staff_users


def _url(name, kg, **kwargs):
    return reverse(f"finance:{name}", kwargs={"kg": kg, **kwargs})


def _categories(actor):
    return BudgetCategory.objects.filter(kindergarten=actor.kindergarten, is_active=True, is_food=False).order_by(
        "sort_order", "name")


@policy.requires("finance.event.view")
def event_list(request, kg):
    actor = request.actor
    today = timezone.localdate()
    rows = [{"event": e, "cost": events.cost(e.needs.all())} for e in events.event_list(actor=actor)[:100]]
    return render(request, "finance/event_list.html", {
        "upcoming": [r for r in rows if r["event"].date >= today][::-1],
        "past": [r for r in rows if r["event"].date < today],
        "can_change": actor.has("finance.event.change")})


@policy.requires("finance.event.change")
def event_create(request, kg):
    actor = request.actor
    form = EventForm(request.POST or None, staff=staff_users(actor.kindergarten),
                     initial={"lead": actor.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            event = events.event_create(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(_url("event_detail", kg, code=event.code))
    return render(request, "finance/simple_form.html", {"form": form, "title": _("Plan an event"),
                                                        "back": _url("event_list", kg)})


@policy.requires("finance.event.view")
def event_detail(request, kg, code):
    actor = request.actor
    event = events.get_event(actor=actor, code=code)
    can_change = actor.has("finance.event.change")
    form = EventNeedForm(request.POST or None) if can_change else None
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                events.need_add(actor=actor, event=event, **form.cleaned_data)
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Added."))
                return redirect(_url("event_detail", kg, code=event.code))
    needs = list(event.needs.all())
    return render(request, "finance/event_detail.html", {
        "event": event, "needs": needs, "cost": events.cost(needs), "over": events.over_budget(event),
        "form": form, "can_change": can_change,
        "can_request": can_change and actor.has("finance.purchase.create") and not event.purchase_request_id,
        "categories": _categories(actor)})


@require_POST
@policy.requires("finance.event.change")
def event_request_purchase(request, kg, code):
    actor = request.actor
    event = events.get_event(actor=actor, code=code, capability="finance.event.change")
    category = _categories(actor).filter(pk=request.POST.get("category") or 0).first() \
        if (request.POST.get("category") or "").isdigit() else None
    try:
        event = events.event_request_purchase(actor=actor, event=event, category=category)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Purchase request %(number)s made and sent for approval.")
                         % {"number": event.purchase_request.number})
    return redirect(_url("event_detail", kg, code=event.code))


@require_POST
@policy.requires("finance.event.change")
def event_void(request, kg, code):
    actor = request.actor
    event = events.get_event(actor=actor, code=code, capability="finance.event.change")
    try:
        events.event_void(actor=actor, event=event, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_url("event_detail", kg, code=event.code))
    messages.success(request, _("Voided."))
    return redirect(_url("event_list", kg))

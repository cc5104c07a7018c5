"""Pages of the staggered arrival and dismissal (错峰入园/离园). Thin: parse, call safety.dismissal,
render. The gate screen (today's slots gate by gate, with the posts) is the guard's page on a phone;
the director sets, moves and withdraws slots, and the parents are told in a notice."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import policy
from houqin.safety import dismissal, forms
from houqin.safety.views import _form_page


def _url(name, kg, **kwargs):
    return reverse(f"safety:{name}", kwargs={"kg": kg, **kwargs})


def _day(value) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@policy.requires("safety.slot.view")
def slot_today(request, kg):
    """The gate screen: the day's slots at each gate (arrival, then dismissal) and who is posted there."""
    actor = request.actor
    today = timezone.localdate()
    day = _day(request.GET.get("day"))
    now = timezone.localtime().time() if day == today else None
    screen = dismissal.gate_screen(actor=actor, day=day, now=now)
    from houqin.core.calendar import is_school_day

    return render(request, "safety/slot_today.html", {
        **screen, "day": day, "is_today": day == today, "school_day": is_school_day(day),
        "prev_day": day - dt.timedelta(days=1), "next_day": day + dt.timedelta(days=1),
        "can_change": actor.has("safety.slot.change"),
    })


@policy.requires("safety.slot.view")
def slot_list(request, kg):
    actor = request.actor
    return render(request, "safety/slot_list.html", {
        "slots": list(dismissal.slot_list(actor=actor)), "today": timezone.localdate(),
        "can_change": actor.has("safety.slot.change"),
    })


def _classes(actor):
    from houqin.org.models import SchoolClass

    return policy.scoped(actor, "safety.slot.change", SchoolClass.objects.filter(is_active=True)).select_related(
        "campus").order_by("campus__name", "sort_order", "name")


def _campuses(actor):
    from houqin.org.models import Campus

    return policy.scoped(actor, "safety.slot.change", Campus.objects.all()).order_by("name")


@policy.requires("safety.slot.change")
def slot_create(request, kg):
    actor = request.actor
    form = forms.GateSlotForm(request.POST or None, classes=_classes(actor), campuses=_campuses(actor),
                              initial={"valid_from": timezone.localdate(), "announce": True})

    def action(data):
        return dismissal.slot_create(actor=actor, **data)

    return _form_page(request, form, action, title=_("Set a staggered slot"),
                      success=lambda slot: _url("slot_list", kg),
                      context={"intro": _("One class, or every class of a grade on a campus. Two slots at the same "
                                          "gate may not share a class at the same time.")},
                      message=_("Saved."))


@policy.requires("safety.slot.change")
def slot_edit(request, kg, code):
    actor = request.actor
    slot = dismissal.get_slot(actor=actor, code=code)
    form = forms.GateSlotChangeForm(request.POST or None, initial={
        "gate": slot.gate, "start": slot.start, "end": slot.end, "valid_from": slot.valid_from,
        "valid_until": slot.valid_until, "note": slot.note, "announce": True})

    def action(data):
        return dismissal.slot_change(actor=actor, slot=slot, **data)

    return _form_page(request, form, action, title=_("Change the slot of %(who)s") % {"who": slot.who},
                      success=lambda s: _url("slot_list", kg), message=_("Saved."),
                      context={"intro": dismissal.slot_line(slot)})


@policy.requires("safety.slot.change")
def slot_void(request, kg, code):
    actor = request.actor
    slot = dismissal.get_slot(actor=actor, code=code)
    form = forms.ReasonForm(request.POST or None)

    def action(data):
        return dismissal.slot_void(actor=actor, slot=slot, reason=data["reason"])

    return _form_page(request, form, action, title=_("Withdraw the slot of %(who)s") % {"who": slot.who},
                      success=lambda s: _url("slot_list", kg), message=_("Withdrawn: the parents have been told."),
                      context={"intro": dismissal.slot_line(slot)})

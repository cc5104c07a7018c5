"""Pages of energy and water (水电气): the meters with this month's use against the same month last
year, a meter's twelve-month trend, adding a meter and recording a monthly reading. Thin: parse,
call houqin.finance.utilities, render."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin import policy
from houqin.core.errors import DomainError
from houqin.core.web import add_domain_errors
from houqin.finance import utilities
from houqin.finance.forms import MeterForm, MeterReadingForm
from houqin.finance.models import MeterReading


def _url(name, kg, **kwargs):
    return reverse(f"finance:{name}", kwargs={"kg": kg, **kwargs})


@policy.requires("finance.utilities.view")
def meter_list(request, kg):
    actor = request.actor
    return render(request, "finance/meter_list.html", {
        "meters": utilities.meter_list(actor=actor), "can_record": actor.has("finance.utilities.record")})


@policy.requires("finance.utilities.view")
def meter_detail(request, kg, code):
    actor = request.actor
    meter = utilities.get_meter(actor=actor, code=code)
    rows = utilities.meter_trend(meter)
    peak = max([r.usage or 0 for r in rows] + [r.last_year or 0 for r in rows] + [1])
    return render(request, "finance/meter_detail.html", {
        "meter": meter, "rows": rows, "peak": peak, "last": utilities.last_reading(meter),
        "can_record": actor.has("finance.utilities.record")})


@policy.requires("finance.utilities.record")
def meter_create(request, kg):
    actor = request.actor
    form = MeterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meter = utilities.meter_create(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Added."))
            return redirect(_url("meter_detail", kg, code=meter.code))
    return render(request, "finance/simple_form.html", {"form": form, "title": _("Add a meter"),
                                                        "back": _url("meter_list", kg)})


@policy.requires("finance.utilities.record")
def meter_read(request, kg, code):
    actor = request.actor
    meter = utilities.get_meter(actor=actor, code=code, capability="finance.utilities.record")
    form = MeterReadingForm(request.POST or None, initial={"month": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            utilities.reading_record(actor=actor, meter=meter, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Recorded."))
            return redirect(_url("meter_detail", kg, code=meter.code))
    return render(request, "finance/simple_form.html", {
        "form": form, "title": _("Reading of %(meter)s") % {"meter": meter.name},
        "back": _url("meter_detail", kg, code=meter.code)})


@require_POST
@policy.requires("finance.utilities.record")
def reading_void(request, kg, code):
    actor = request.actor
    reading = policy.get_or_404(actor, "finance.utilities.record", MeterReading.objects.active(), code=code)
    try:
        utilities.reading_void(actor=actor, reading=reading, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Voided."))
    return redirect(_url("meter_detail", kg, code=reading.meter.code))

"""Pages of the pest-control log and of drinking water. Thin: parse a form, call logs.py, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from houqin import policy
from houqin.core import files
from houqin.core.errors import DomainError
from houqin.core.web import add_domain_errors
from houqin.foodsafety import logs, services
from houqin.foodsafety.forms import FilterChangeForm, PestForm, WaterTestForm, WaterUnitForm
from houqin.foodsafety.models import FigureKey

PAGE_SIZE = 50
RECENT = 20  # the water page shows the latest filter changes and tests


# --- pest control -----------------------------------------------------------------------------------


@policy.requires("foodsafety.view")
def pest_list(request, kg):
    actor = request.actor
    rows = Paginator(logs.pest_list(actor=actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "foodsafety/pest_list.html", {
        "rows": rows, "due": logs.pest_due(actor.kindergarten, timezone.localdate()),
        "figure": services.rule_figures(actor.kindergarten)[FigureKey.PEST_CHECK_DAYS],
        "can_record": actor.has("foodsafety.pest.record"), "can_void": actor.has("foodsafety.void")})


@require_http_methods(["GET", "POST"])
@policy.requires("foodsafety.pest.record")
def pest_create(request, kg):
    form = PestForm(request.POST or None, initial={"done_on": timezone.localdate(), "kind": "rodent"})
    if request.method == "POST" and form.is_valid():
        try:
            logs.pest_record(actor=request.actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Pest-control check recorded."))
            return redirect("foodsafety:pest_list", kg=kg)
    return render(request, "foodsafety/form.html", {
        "form": form, "title": _("Record a pest-control check"), "testid": "pest-form",
        "back": reverse("foodsafety:pest_list", kwargs={"kg": kg}),
        "datalists": [{"id": "pest-places", "options": logs.PLACES}, {"id": "pest-methods", "options": logs.METHODS}]})


# --- drinking water -----------------------------------------------------------------------------------


@policy.requires("foodsafety.view")
def water_list(request, kg):
    actor = request.actor
    today = timezone.localdate()
    return render(request, "foodsafety/water_list.html", {
        "states": logs.unit_states(actor.kindergarten, today, units=logs.water_units(actor=actor)),
        "changes": logs.filter_change_list(actor=actor)[:RECENT], "tests": logs.water_test_list(actor=actor)[:RECENT],
        "can_record": actor.has("foodsafety.water.record"), "can_units": actor.has("foodsafety.water.units"),
        "can_void": actor.has("foodsafety.void")})


@require_http_methods(["GET", "POST"])
@policy.requires("foodsafety.water.units")
def water_unit_create(request, kg):
    form = WaterUnitForm(request.POST or None, initial={"kind": "direct"})
    if request.method == "POST" and form.is_valid():
        try:
            logs.water_unit_save(actor=request.actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Drinking-water unit added."))
            return redirect("foodsafety:water_list", kg=kg)
    return render(request, "foodsafety/form.html", {
        "form": form, "title": _("Add a drinking-water unit"), "testid": "water-unit-form",
        "back": reverse("foodsafety:water_list", kwargs={"kg": kg})})


def _unit_initial(request, units):
    return units.filter(code=request.GET.get("unit") or None).first() if request.GET.get("unit") else None


@require_http_methods(["GET", "POST"])
@policy.requires("foodsafety.water.record")
def filter_create(request, kg):
    actor = request.actor
    units = logs.water_units(actor=actor)
    form = FilterChangeForm(request.POST or None, units=units, initial={
        "unit": _unit_initial(request, units), "changed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            change = logs.filter_change_record(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Filter change recorded: the next is due by %(date)s.") % {
                "date": change.next_due.strftime("%Y-%m-%d")})
            return redirect("foodsafety:water_list", kg=kg)
    return render(request, "foodsafety/form.html", {
        "form": form, "title": _("Record a filter change"), "testid": "filter-form",
        "back": reverse("foodsafety:water_list", kwargs={"kg": kg})})


@require_http_methods(["GET", "POST"])
@policy.requires("foodsafety.water.record")
def water_test_create(request, kg):
    actor = request.actor
    units = logs.water_units(actor=actor)
    form = WaterTestForm(request.POST or None, request.FILES or None, units=units, initial={
        "unit": _unit_initial(request, units), "tested_on": timezone.localdate(), "tester": "lab"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            test = logs.water_test_record(actor=actor, unit=data["unit"], tested_on=data["tested_on"],
                                          tester=data["tester"], lab=data["lab"], passed=data["passed"] == "1",
                                          result=data["result"], report=data["report"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            if test.passed:
                messages.success(request, _("Water test recorded."))
            else:
                messages.warning(request, _("Water test recorded as failed: a hazard has been reported."))
            return redirect("foodsafety:water_list", kg=kg)
    return render(request, "foodsafety/form.html", {
        "form": form, "title": _("Record a water test"), "testid": "water-test-form", "multipart": True,
        "back": reverse("foodsafety:water_list", kwargs={"kg": kg})})


@policy.requires("foodsafety.view")
def water_test_report(request, kg, code):
    return files.file_response(logs.get_water_test(actor=request.actor, code=code).report)

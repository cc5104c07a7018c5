"""Pages of 家长委托喂药 (medicines entrusted by parents). Thin: a form, a service of
houqin.health.medication, a redirect."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from houqin import policy
from houqin.core import files
from houqin.core.errors import DomainError
from houqin.core.forms import StyledForm
from houqin.core.web import add_domain_errors
from houqin.health import medication
from houqin.health.models import DoseUnit
from houqin.org.models import Child


class MedicationForm(StyledForm):
    drug_name = forms.CharField(label=gettext_lazy("Medicine"), max_length=100)
    dose_amount = forms.CharField(label=gettext_lazy("Dose each time"), max_length=10,
                                  widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    dose_unit = forms.ChoiceField(label=gettext_lazy("Unit of the dose"),
                                  choices=[("", "—")] + list(DoseUnit.choices), required=False)
    times = forms.CharField(label=gettext_lazy("Times of the day"), max_length=60,
                            help_text=gettext_lazy("Hours and minutes, separated by commas, e.g. 10:00, 14:30."))
    start_date = forms.DateField(label=gettext_lazy("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label=gettext_lazy("Number of days"), min_value=1, max_value=medication.MAX_DAYS,
                              initial=1)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)
    photo = forms.FileField(label=gettext_lazy("Photo of the box or prescription"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT_DOCUMENTS,
                                                                   "capture": "environment"}))
    confirmed = forms.BooleanField(label=gettext_lazy(
        "I confirm that the medicine, the dose and the times are right and ask the class to give it."),
        required=False)


@policy.requires("health.medication.view")
def medication_list(request, kg):
    actor = request.actor
    children = []
    if actor.has("health.medication.request"):
        children = list(policy.scoped(actor, "health.medication.request", Child.objects.active().filter(
            left_on__isnull=True)).order_by("name_pinyin", "name"))
    return render(request, "health/medication_list.html", {
        "requests": list(medication.request_list(actor=actor)[:100]), "children": children})


@policy.requires("health.medication.request")
def medication_create(request, kg, code):
    actor = request.actor
    child = policy.get_or_404(actor, "health.medication.request", Child.objects.select_related("school_class"),
                              code=code)
    form = MedicationForm(request.POST or None, request.FILES or None,
                          initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = medication.request_medicine(actor=actor, child=child, **data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Sent: the class will check the medicine when you bring it."))
            return redirect("health:medication_detail", kg=kg, code=made.code)
    return render(request, "health/medication_form.html", {"form": form, "child": child})


@policy.requires("health.medication.view")
def medication_detail(request, kg, code):
    actor = request.actor
    item = medication.get_request(actor=actor, code=code)
    request.audit_object = item
    can_give = policy.can(actor, "health.medication.give", item)
    return render(request, "health/medication_detail.html", {
        "item": item, "rows": medication.schedule(item), "can_give": can_give, "today": timezone.localdate()})


@require_POST
@policy.requires("health.medication.give")
def medication_receive(request, kg, code):
    actor = request.actor
    item = medication.get_request(actor=actor, code=code)
    try:
        medication.receive_medicine(actor=actor, request=item, accept=request.POST.get("decision") == "accept",
                                    reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("health:medication_detail", kg=kg, code=code)


@require_POST
@policy.requires("health.medication.give")
def medication_give(request, kg, code):
    import datetime as dt

    actor = request.actor
    item = medication.get_request(actor=actor, code=code)
    try:
        day = dt.date.fromisoformat(request.POST.get("date", ""))
    except ValueError:
        day = None
    try:
        medication.give_medicine(actor=actor, request=item, date=day, scheduled=request.POST.get("scheduled", ""),
                                 dose_amount=request.POST.get("dose_amount") or None,
                                 note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Recorded."))
    return redirect("health:medication_detail", kg=kg, code=code)


@policy.requires("health.medication.view")
def medication_photo(request, kg, code):
    item = medication.get_request(actor=request.actor, code=code)
    return files.file_response(item.photo)

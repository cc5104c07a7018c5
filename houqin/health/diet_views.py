"""Pages of 过敏与特殊膳食登记 (the allergy and special-diet register). Thin: a form, a service of
houqin.health.diets, a redirect."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
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
from houqin.health import diets
from houqin.health.allergens import Allergen, Diet
from houqin.health.models import DietKind, Severity
from houqin.org.models import Child, SchoolClass


class DietForm(StyledForm):
    child = forms.ChoiceField(label=gettext_lazy("Child"))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=DietKind.choices, widget=forms.RadioSelect,
                             initial=DietKind.ALLERGY)
    allergen = forms.ChoiceField(label=gettext_lazy("Allergic to"), choices=[("", "—")] + list(Allergen.choices),
                                 required=False)
    severity = forms.ChoiceField(label=gettext_lazy("Severity"), choices=[("", "—")] + list(Severity.choices),
                                 required=False)
    diet = forms.ChoiceField(label=gettext_lazy("Diet"), choices=[("", "—")] + list(Diet.choices), required=False)
    reaction = forms.CharField(label=gettext_lazy("Reaction and what to do"), max_length=200, required=False)
    start_date = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=gettext_lazy("Until"), required=False,
                               help_text=gettext_lazy("Only for a temporary diet, e.g. after an illness."),
                               widget=forms.DateInput(attrs={"type": "date"}))
    proof = forms.FileField(label=gettext_lazy("Doctor's proof (photo or PDF)"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT_DOCUMENTS}))

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.children = {str(c.code): c for c in children}
        self.fields["child"].choices = [(str(c.code), f"{c.name} · {c.school_class.name}") for c in children]


def _children(actor):
    capability = "health.diet.record" if actor.has("health.diet.record") else "health.diet.request"
    return list(policy.scoped(actor, capability, Child.objects.active().filter(left_on__isnull=True))
                .select_related("school_class").order_by("school_class__name", "name_pinyin", "name"))


@policy.requires("health.diet.view")
def diet_list(request, kg):
    """Per class (?class=): every record in force; the parents' requests waiting on top."""
    actor = request.actor
    classes = list(policy.scoped(actor, "org.class.view", SchoolClass.objects.all()).order_by("name")) \
        if actor.has("org.class.view") else []
    chosen = next((c for c in classes if str(c.code) == request.GET.get("class", "")), None)
    records = list(diets.diet_list(actor=actor, school_class=chosen)[:300])
    return render(request, "health/diet_list.html", {
        "records": records, "classes": classes, "chosen": chosen,
        "waiting": [r for r in records if r.status == "requested"],
        "can_add": actor.has("health.diet.record") or actor.has("health.diet.request")})


@policy.requires("health.diet.view")
def diet_create(request, kg):
    actor = request.actor
    if not (actor.has("health.diet.record") or actor.has("health.diet.request")):
        raise Http404
    children = _children(actor)
    initial = {"start_date": timezone.localdate(), "child": request.GET.get("child", "")}
    form = DietForm(request.POST or None, request.FILES or None, children=children, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        child = form.children[data.pop("child")]
        try:
            made = diets.diet_create(actor=actor, child=child, **data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Saved.") if made.status == "confirmed" else
                             _("Sent: the health teacher will check the proof and confirm."))
            return redirect("health:diet_detail", kg=kg, code=made.code)
    return render(request, "health/form.html", {"form": form, "title": _("Allergy or special diet"),
                                                "multipart": True})


@policy.requires("health.diet.view")
def diet_detail(request, kg, code):
    actor = request.actor
    item = diets.get_diet(actor=actor, code=code)
    request.audit_object = item
    return render(request, "health/diet_detail.html", {
        "item": item, "can_record": policy.can(actor, "health.diet.record", item)})


@require_POST
@policy.requires("health.diet.record")
def diet_confirm(request, kg, code):
    actor = request.actor
    item = diets.get_diet(actor=actor, code=code)
    try:
        diets.diet_confirm(actor=actor, record=item)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Confirmed: the kitchen now cooks for it."))
    return redirect("health:diet_detail", kg=kg, code=code)


@require_POST
@policy.requires("health.diet.record")
def diet_void(request, kg, code):
    actor = request.actor
    item = diets.get_diet(actor=actor, code=code)
    try:
        diets.diet_void(actor=actor, record=item, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Voided."))
    return redirect("health:diet_detail", kg=kg, code=code)


@policy.requires("health.diet.view")
def diet_proof(request, kg, code):
    item = diets.get_diet(actor=request.actor, code=code)
    if not item.proof:
        raise Http404
    return files.file_response(item.proof)

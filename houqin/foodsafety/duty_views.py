"""Pages of the kitchen's food-safety duties (日管控、周排查、月调度) and of 园长陪餐. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from houqin import policy
from houqin.core.errors import DomainError
from houqin.core.web import add_domain_errors
from houqin.foodsafety import duties, services
from houqin.foodsafety.forms import AccompanyForm
from houqin.foodsafety.models import DutyKind

PAGE_SIZE = 50


@policy.requires("foodsafety.view")
def duty_list(request, kg):
    actor = request.actor
    checks = Paginator(duties.duty_list(actor=actor), PAGE_SIZE).get_page(request.GET.get("page"))
    due = duties.duties_due(actor.kindergarten, timezone.localdate())
    return render(request, "foodsafety/duty_list.html", {
        "checks": checks, "kinds": [(k, label, k in due) for k, label in DutyKind.choices],
        "source": duties.duty_source(), "can_record": actor.has("foodsafety.duty.record")})


@require_http_methods(["GET", "POST"])
@policy.requires("foodsafety.duty.record")
def duty_create(request, kg, kind):
    if kind not in DutyKind.values:
        raise Http404
    actor = request.actor
    items = [{"key": key, "text": text, "answer": request.POST.get(f"pass-{key}"),
              "note": request.POST.get(f"note-{key}", "")} for key, text in duties.duty_items(kind)]
    error = None
    if request.method == "POST":
        answers = {"1": True, "0": False}
        results = {i["key"]: {"passed": answers.get(i["answer"]), "note": i["note"]} for i in items}
        try:
            check = duties.duty_record(actor=actor, kind=kind, results=results,
                                       attendees=request.POST.get("attendees", ""), note=request.POST.get("note", ""))
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("%(kind)s recorded.") % {"kind": check.get_kind_display()})
            return redirect("foodsafety:duty_detail", kg=kg, code=check.code)
    return render(request, "foodsafety/duty_form.html", {
        "items": items, "error": error, "post": request.POST, "kind": kind, "title": DutyKind(kind).label,
        "source": duties.duty_source()})


@policy.requires("foodsafety.view")
def duty_detail(request, kg, code):
    return render(request, "foodsafety/duty_detail.html", {"check": duties.get_duty(actor=request.actor, code=code)})


@policy.requires("foodsafety.view")
def accompany_list(request, kg):
    rows = Paginator(duties.accompany_list(actor=request.actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "foodsafety/accompany_list.html", {
        "rows": rows, "can_record": request.actor.has("foodsafety.accompany.record")})


@require_http_methods(["GET", "POST"])
@policy.requires("foodsafety.accompany.record")
def accompany_create(request, kg):
    from houqin.canteen.models import Meal

    actor = request.actor
    day = timezone.localdate()
    dishes = services.served_dishes(actor.kindergarten, day)
    meals = list({d["meal"]: (d["meal"], d.get("meal_label", d["meal"])) for d in dishes}.values()) or list(
        Meal.choices)
    form = AccompanyForm(request.POST or None, meals=meals, initial={"meal": "lunch"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            duties.accompany_record(actor=actor, meal=data["meal"], meal_label=str(dict(meals).get(data["meal"], "")),
                                    place=data["place"], remarks=data["remarks"], problems=data["problems"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Meal with the children recorded."))
            return redirect("foodsafety:accompany_list", kg=kg)
    menu = "、".join(d["dish_name"] for d in dishes)
    return render(request, "foodsafety/form.html", {
        "form": form, "title": _("Meal with the children"), "testid": "accompany-form",
        "back": reverse("foodsafety:accompany_list", kwargs={"kg": kg}),
        "hint": _("Today's menu: %(menu)s") % {"menu": menu} if menu else ""})

"""Pages of production, serving and waste (生产记录). Thin: parse a form, call production.py, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from houqin import policy
from houqin.core.errors import DomainError
from houqin.core.web import add_domain_errors, day_param
from houqin.foodsafety import production, services
from houqin.foodsafety.forms import ProductionForm
from houqin.foodsafety.models import FigureKey

PAGE_SIZE = 50
WASTE_DAYS = 28  # the waste tables look back four weeks
TIMES = {"breakfast": (dt.time(7, 30), dt.time(8, 0)), "morning_snack": (dt.time(9, 30), dt.time(9, 50)),
         "lunch": (dt.time(10, 40), dt.time(11, 20)), "afternoon_snack": (dt.time(14, 40), dt.time(15, 10)),
         "supper": (dt.time(16, 30), dt.time(17, 0))}  # suggested on the form; the cook changes them


def _kitchen_url(kg, day: dt.date) -> str:
    return reverse("foodsafety:kitchen", kwargs={"kg": kg}) + f"?day={day.isoformat()}"


@require_http_methods(["GET", "POST"])
@policy.requires("foodsafety.production.record")
def production_create(request, kg):
    from houqin.stock.selectors import staff_people

    actor = request.actor
    day = day_param(request, "day", latest=timezone.localdate())
    dishes = services.served_dishes(actor.kindergarten, day)
    meal = request.GET.get("dish", "").partition("|")[0]
    cooked, served = TIMES.get(meal, TIMES["lunch"])
    initial = {"dish_code": request.GET.get("dish", ""), "cooked_at": cooked, "served_at": served}
    form = ProductionForm(request.POST or None, dishes=dishes, people=staff_people(actor=actor), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meal, _sep, code = data["dish_code"].partition("|")
        try:
            record = production.production_record(
                actor=actor, day=day, meal=meal, dish_code=code, dishes=dishes,
                planned_portions=data["planned_portions"], served_portions=data["served_portions"],
                cooked_kg=data["cooked_kg"], served_kg=data["served_kg"], leftover_kg=data["leftover_kg"],
                plate_waste_kg=data["plate_waste_kg"], cooked_at=data["cooked_at"], served_at=data["served_at"],
                cooked_by=data["cooked_by"], note=data["note"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Production of %(dish)s recorded.") % {"dish": record.dish_name})
            return redirect(_kitchen_url(kg, day))
    return render(request, "foodsafety/form.html", {
        "form": form, "title": _("Record production"), "testid": "production-form", "back": _kitchen_url(kg, day),
        "hint": _("Day: %(day)s. Weigh in kilograms.") % {"day": day.strftime("%Y-%m-%d")}})


@policy.requires("foodsafety.view")
def production_list(request, kg):
    actor = request.actor
    end = timezone.localdate()
    start = end - dt.timedelta(days=WASTE_DAYS - 1)
    rows = Paginator(production.production_list(actor=actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "foodsafety/production_list.html", {
        "rows": rows, "start": start, "end": end,
        "by_dish": production.waste_by_dish(actor=actor, start=start, end=end),
        "by_day": production.waste_by_day(actor=actor, start=start, end=end),
        "flag": services.rule_figures(actor.kindergarten)[FigureKey.PLATE_WASTE_FLAG_PERCENT],
        "can_record": actor.has("foodsafety.production.record")})

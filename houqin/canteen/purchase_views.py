"""Pages of the purchase plans (采购计划): the list with the month's running meal balance, one plan by
delivery day and supplier, and making a plan of a published menu. Thin: houqin.canteen.purchasing
does the work."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from houqin import policy
from houqin.canteen import purchasing, selectors
from houqin.canteen.models import MenuStatus
from houqin.core.errors import DomainError
from houqin.core.numbers import price_as_written
from houqin.core.web import add_domain_errors, day_param


@policy.requires("canteen.purchase.view")
def plan_list(request, kg):
    """The plans of the last weeks and the weeks ahead, the published menus still without one, and the
    month's running balance."""
    actor = request.actor
    today = timezone.localdate()
    plans = list(purchasing.plan_list(actor=actor)[:30])
    planned = {p.menu_id for p in plans}
    monday = selectors.week_start_of(today)
    waiting = [m for m in selectors.menu_list(actor=actor, capability="canteen.purchase.view")
               .filter(status=MenuStatus.PUBLISHED, week_start__gte=monday).order_by("week_start")[:6]
               if m.pk not in planned]
    return render(request, "canteen/purchase_list.html", {
        "plans": plans, "waiting": waiting, "this_week": monday,
        "balance": purchasing.month_balance(kindergarten=actor.kindergarten, today=today),
        "can_change": actor.has("canteen.purchase.change")})


@policy.requires("canteen.purchase.view")
def plan_detail(request, kg, code):
    actor = request.actor
    plan = purchasing.get_plan(actor=actor, code=code)
    weekdays = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    days = [dt.date.fromisoformat(iso) for iso in (plan.attendance[0]["expected"] if plan.attendance else {})]
    groups = [{**g, "weekday": weekdays[g["day"].weekday()]} for g in purchasing.plan_groups(plan)]
    return render(request, "canteen/purchase_detail.html", {
        "plan": plan, "groups": groups, "days": [(d, weekdays[d.weekday()]) for d in days],
        "classes": [{**row, "rate_pct": _pct(row["rate"]),
                     "cells": [(row["expected"][d.isoformat()], row["leave"][d.isoformat()]) for d in days]}
                    for row in plan.attendance],
        "can_change": actor.has("canteen.purchase.change") and plan.menu.voided_at is None,
        "can_receive": actor.has("stock.receive"), **_request_context(actor, plan)})


def _request_context(actor, plan) -> dict:
    """The purchase request of the food that keeps: made (a link), offered (where food is bought from
    the budget), or not offered, with why."""
    from houqin.finance.models import BudgetCategory

    if plan.purchase_request_id:
        return {"purchase_request": plan.purchase_request}
    if not (actor.has("canteen.purchase.change") and actor.has("finance.purchase.create")):
        return {}
    if not purchasing.food_in_budget(actor.kindergarten):
        return {"request_offered": False}
    return {"request_offered": True, "request_lines": len(purchasing.request_lines(plan)),
            "categories": list(BudgetCategory.objects.filter(kindergarten=actor.kindergarten, is_active=True,
                                                             is_food=True).order_by("name"))}


@require_POST
@policy.requires("canteen.purchase.change")
def plan_request_purchase(request, kg, code):
    """The food of the plan that keeps, as one finance purchase request (once)."""
    from houqin.finance.models import BudgetCategory

    actor = request.actor
    plan = purchasing.get_plan(actor=actor, code=code, capability="canteen.purchase.change")
    try:
        code_of = forms.UUIDField(required=False).clean(request.POST.get("category"))
    except forms.ValidationError:
        code_of = None
    category = BudgetCategory.objects.filter(kindergarten=actor.kindergarten, code=code_of).first() if code_of else None
    try:
        made = purchasing.plan_request_purchase(actor=actor, plan=plan, category=category)
    except DomainError as exc:
        for error in exc.errors or [{"message": exc.message}]:
            messages.error(request, error.get("message") if isinstance(error, dict) else str(error))
    else:
        messages.success(request, _("Purchase request %(number)s has been made and submitted for approval.")
                         % {"number": made.number})
    return redirect("canteen:purchase_detail", kg=kg, code=plan.code)


@require_POST
@policy.requires("canteen.purchase.change")
def plan_generate(request, kg, code):
    """Make the plan of a menu (or, with replace and a reason, make it again)."""
    actor = request.actor
    menu = selectors.get_menu(actor=actor, code=code, capability="canteen.purchase.change")
    try:
        plan = purchasing.plan_generate(actor=actor, menu=menu, replace=request.POST.get("replace") == "1",
                                        reason=request.POST.get("reason", ""))
    except DomainError as exc:
        for error in exc.errors or [{"message": exc.message}]:
            messages.error(request, error.get("message") if isinstance(error, dict) else str(error))
        return redirect("canteen:purchase_list", kg=kg)
    messages.success(request, _("The purchase plan has been made."))
    return redirect("canteen:purchase_detail", kg=kg, code=plan.code)


@require_http_methods(["GET", "POST"])
@policy.requires("stock.receive")
def deliveries(request, kg):
    """今日应到货: what the purchase plans expect delivered on the day, per supplier, each line received
    with the real quantity and price through the storeroom's receiving (purchasing.receive_line)."""
    from houqin.canteen.forms import DeliveryReceiveForm
    from houqin.stock import selectors as stock_selectors
    from houqin.stock.models import WarehouseKind

    actor = request.actor
    today = timezone.localdate()
    day = day_param(request, default=today)
    store_list = list(stock_selectors.warehouse_list(actor=actor, capability="stock.receive")
                      .filter(kind=WarehouseKind.FOOD))
    lines = purchasing.delivery_lines(kindergarten=actor.kindergarten, day=day)
    posted = request.POST.get("line", "") if request.method == "POST" else ""
    forms = {}
    for line in lines:
        if line.receipt_id:
            continue
        prefix = f"l{line.pk}"
        if posted == str(line.code):
            forms[line.pk] = DeliveryReceiveForm(request.POST, prefix=prefix, warehouses=store_list)
        else:
            forms[line.pk] = DeliveryReceiveForm(prefix=prefix, warehouses=store_list, initial={
                "quantity": line.to_buy, "unit_cost": price_as_written(line.unit_price), "production_date": day,
                "warehouse": str(store_list[0].code) if store_list else None})
    if request.method == "POST":
        line = next((ln for ln in lines if str(ln.code) == posted), None)
        if line is None:
            raise Http404
        form = forms.get(line.pk)
        if form is None:
            messages.error(request, _("%(item)s of this plan has already been received.") % {"item": line.name})
            return redirect(reverse("canteen:deliveries", kwargs={"kg": kg}) + f"?date={day.isoformat()}")
        if form.is_valid():
            try:
                movement = purchasing.receive_line(actor=actor, line=line, occurred_on=day, **form.cleaned_data)
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("Received %(quantity)s %(unit)s of %(item)s.") % {
                    "quantity": _num(movement.quantity), "unit": line.unit, "item": line.name})
                return redirect(reverse("canteen:deliveries", kwargs={"kg": kg}) + f"?date={day.isoformat()}")
    groups = purchasing.deliveries_by_supplier(lines)
    for group in groups:
        group["rows"] = [(line, forms.get(line.pk)) for line in group["lines"]]
    return render(request, "canteen/deliveries.html", {
        "day": day, "today": today, "groups": groups, "one_store": len(store_list) == 1,
        "previous": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1),
        "plan_view": actor.has("canteen.purchase.view")})


def _num(value) -> str:
    return purchasing._num(Decimal(value))


def _pct(rate: str | None) -> Decimal | None:
    return None if rate is None else (Decimal(rate) * 100).quantize(Decimal("0.1"))

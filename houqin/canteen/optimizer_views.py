"""Pages of the menu optimizer: propose a week (least food cost, every nutrition target), look at it
day by day on a phone, propose one day again, accept it as a draft menu. Thin: houqin.canteen.optimizer
does the work."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from houqin import policy
from houqin.canteen import forms as f
from houqin.canteen import nutrition, optimizer, selectors
from houqin.canteen.models import Meal, MenuProposal
from houqin.core.errors import DomainError
from houqin.core.web import add_domain_errors
from houqin.org.models import Grade

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _free_monday(kindergarten) -> dt.date:
    """The first Monday from next week on without a menu."""
    from houqin.canteen.models import Menu

    monday = selectors.week_start_of(timezone.localdate()) + dt.timedelta(days=7)
    taken = set(Menu.objects.active().filter(kindergarten=kindergarten, week_start__gte=monday)
                .values_list("week_start", flat=True))
    while monday in taken:
        monday += dt.timedelta(days=7)
    return monday


def proposals(actor):
    return policy.scoped(actor, "canteen.menu.change", MenuProposal.objects.all()).select_related("menu")


def get_proposal(actor, code) -> MenuProposal:
    proposal = proposals(actor).filter(code=code).first()
    if proposal is None:
        raise Http404
    return proposal


@require_http_methods(["GET", "POST"])
@policy.requires("canteen.menu.change")
def optimizer_page(request, kg):
    actor = request.actor
    form = f.ProposalForm(request.POST or None, initial={"week_start": _free_monday(actor.kindergarten),
                                                         "grade": Grade.MIDDLE})
    if request.method == "POST" and form.is_valid():
        try:
            proposal = optimizer.proposal_create(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            return redirect("canteen:proposal_detail", kg=kg, code=proposal.code)
    grades = dict(Grade.choices)
    rows = [{"p": p, "grade": grades.get(p.grade, p.grade)} for p in proposals(actor)[:20]]
    return render(request, "canteen/optimizer.html", {"form": form, "proposals": rows})


def _figure_rows(result: dict) -> list[dict]:
    labels = {("nutrient", k): label for k, label, *_rest in nutrition.NUTRIENTS}
    labels.update({("energy", "protein"): _("Energy from protein"), ("energy", "fat"): _("Energy from fat"),
                   ("energy", "carbohydrate"): _("Energy from carbohydrate"),
                   ("hq", "high_quality_protein"): _("High-quality protein (animal and soy)")})
    labels.update({("meal", k): v for k, v in nutrition.MEAL_GROUP_LABELS.items()})
    labels.update({("group", k): v for k, v in nutrition.PAGODA_GROUPS})
    rows = []
    for r in result.get("figures", []):
        unit = {"nutrient": "%", "energy": "%", "meal": "%", "hq": "%", "group": " g"}[r["kind"]]
        rows.append({**r, "label": labels.get((r["kind"], r["key"]), r["key"]), "unit": unit,
                     "ok": r["status"] == nutrition.ADEQUATE})
    return rows


def _days(proposal: MenuProposal) -> list[dict]:
    from houqin.health.allergens import tag_label

    meals = dict(Meal.choices)
    days = []
    for day in range(proposal.days):
        rows = []
        for e in proposal.result.get("entries", []):
            if e["day"] != day:
                continue
            subs = [{"avoid": tag_label(tag), "dish": s["dish"]} for tag, s in e.get("substitutes", {}).items()]
            rows.append({"meal": meals.get(e["meal"], e["meal"]), "dish": e["dish"], "scale": e["scale"],
                         "grams": round(sum(x["raw"] for x in e["foods"])), "substitutes": subs})
        days.append({"day": day, "label": _(WEEKDAYS[day]), "date": proposal.week_start + dt.timedelta(days=day),
                     "rows": rows})
    return days


@policy.requires("canteen.menu.change")
def proposal_detail(request, kg, code):
    actor = request.actor
    proposal = get_proposal(actor, code)
    return render(request, "canteen/proposal_detail.html", {
        "proposal": proposal, "days": _days(proposal), "figures": _figure_rows(proposal.result),
        "grade": dict(Grade.choices).get(proposal.grade, proposal.grade)})


@require_POST
@policy.requires("canteen.menu.change")
def proposal_accept(request, kg, code):
    actor = request.actor
    proposal = get_proposal(actor, code)
    try:
        menu = optimizer.proposal_accept(actor=actor, proposal=proposal)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("canteen:proposal_detail", kg=kg, code=proposal.code)
    messages.success(request, _("The proposed week is now a draft menu: check it, change what you like, then "
                                "publish it."))
    return redirect("canteen:menu_detail", kg=kg, code=menu.code)


@require_POST
@policy.requires("canteen.menu.change")
def proposal_redo_day(request, kg, code):
    actor = request.actor
    proposal = get_proposal(actor, code)
    try:
        day = int(request.POST.get("day", ""))
    except ValueError:
        day = -1
    try:
        optimizer.proposal_redo_day(actor=actor, proposal=proposal, day=day)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(day)s has been proposed again.") % {"day": _(WEEKDAYS[day])})
    return redirect("canteen:proposal_detail", kg=kg, code=proposal.code)

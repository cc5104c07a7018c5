"""Pages of 替代餐 (substitute dishes): the kitchen's list of who gets what instead, the cards at each
class's serving table, and the health teacher's choice of a substitute. Thin: houqin.canteen.substitutes
does the work."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from houqin import policy
from houqin.canteen import selectors, substitutes
from houqin.canteen.models import Dish, Meal, MenuEntry
from houqin.core.errors import DomainError


@policy.requires("canteen.allergy.view")
def substitute_list(request, kg, code):
    """The kitchen's list by day and meal (who, which class, what instead), or with ?class= the card of
    one class (printable, read on a phone at the serving table). Class staff see their classes only."""
    actor = request.actor
    menu = selectors.get_menu(actor=actor, code=code)
    rows = substitutes.menu_rows(menu, actor=actor)
    labels = dict(Meal.choices)
    classes = substitutes.by_class(rows, labels)
    chosen = request.GET.get("class", "")
    card = next((c for c in classes if str(c["class_id"]) == chosen), None) if chosen else None
    if chosen and card is None:
        raise Http404
    return render(request, "canteen/substitutes.html", {
        "menu": menu, "days": substitutes.by_day_and_meal(rows, labels), "classes": classes, "card": card,
        "missing": len(substitutes.uncovered(rows))})


@require_POST
@policy.requires("canteen.substitute.change")
def substitute_set(request, kg, code, entry):
    actor = request.actor
    menu = selectors.get_menu(actor=actor, code=code, capability="canteen.substitute.change")
    item = MenuEntry.objects.filter(menu=menu, code=entry).first()
    if item is None:
        raise Http404
    dish = None
    if request.POST.get("dish"):
        dish = policy.scoped(actor, "canteen.menu.view", Dish.objects.all()).filter(
            code=request.POST["dish"]).first() if _is_uuid(request.POST["dish"]) else None
        if dish is None:
            messages.error(request, _("Choose a dish of the kindergarten's dish library."))
            return redirect("canteen:menu_detail", kg=kg, code=menu.code)
    try:
        substitutes.substitute_set(actor=actor, entry=item, avoid=request.POST.get("avoid", ""), dish=dish)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("canteen:menu_detail", kg=kg, code=menu.code)


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True

"""Big events (大型活动: 六一, 运动会, 开放日 … seeds 000 §1.1, §5 and 002): their logistics.

An event has its day, place, the children and guests expected, who leads it and a budget. Its needs
are listed (food and drink, materials, safety and first aid …), each with who sees to it and whether it
is bought at an estimated price or taken from what the kindergarten has. What is to be bought becomes
one purchase request through finance's own service (its approvals, its budget category, its numbering),
linked to the event; the event shows its planned cost against its budget.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import policy
from houqin.core.errors import Conflict, field_error, raise_for
from houqin.core.numbers import decimal_into
from houqin.finance.models import Event, EventKind, EventNeed, NeedKind, money
from houqin.finance.services import _save
from houqin.org.selectors import staff_users

MAX_NEEDS = 60
MAX_PEOPLE = 5000
MAX_MONEY = Decimal("9999999999.99")
MAX_QUANTITY = Decimal("999999999.999")


def cost(needs) -> Decimal:
    """What the needs to be bought cost at their estimated prices."""
    return sum((n.amount for n in needs), Decimal("0.00"))


def event_list(*, actor):
    """The events (newest first) with their needs: one query for each."""
    return (policy.scoped(actor, "finance.event.view", Event.objects.active())
            .select_related("lead", "purchase_request")
            .prefetch_related(Prefetch("needs", queryset=EventNeed.objects.order_by("kind", "id"))))


def get_event(*, actor, code, capability: str = "finance.event.view") -> Event:
    event = event_list(actor=actor).filter(code=code).first()
    if event is None:
        raise Http404
    if capability != "finance.event.view":
        policy.require(actor, capability, event)
    return event


def _clean(actor, errors: list, *, title, kind, date, place, children, guests, lead, budget, notes) -> dict:
    title, place, notes = (title or "").strip()[:60], (place or "").strip()[:60], (notes or "").strip()[:500]
    if not title:
        errors.append({"field": "title", "message": _("Give the event a title.")})
    if kind not in EventKind.values:
        errors.append({"field": "kind", "message": _("Choose the kind of event.")})
    if not isinstance(date, dt.date):
        errors.append({"field": "date", "message": _("Give the day of the event.")})
    elif date.year < 2000 or date > timezone.localdate() + dt.timedelta(days=730):
        errors.append({"field": "date", "message": _("The day is out of range.")})
    counts = {}
    for field, value in (("children", children), ("guests", guests)):
        try:
            counts[field] = int(value or 0)
        except (TypeError, ValueError):
            counts[field] = None
        if counts[field] is None or not 0 <= counts[field] <= MAX_PEOPLE:
            errors.append({"field": field, "message": _("Give a number between 0 and %(n)d.") % {"n": MAX_PEOPLE}})
    if lead is None:
        errors.append({"field": "lead", "message": _("Say who leads the event.")})
    elif not staff_users(actor.kindergarten).filter(pk=lead.pk).exists():
        errors.append({"field": "lead", "message": _("Choose a member of this kindergarten's staff.")})
    amount = decimal_into(errors, "budget", budget, places=2, minimum=Decimal("0"), maximum=MAX_MONEY)
    return {"title": title, "kind": kind, "date": date, "place": place, "lead": lead, "budget": amount,
            "notes": notes, **counts}


@transaction.atomic
def event_create(*, actor, title: str, kind: str, date, lead, budget, place: str = "", children=0, guests=0,
                 notes: str = "") -> Event:
    policy.require(actor, "finance.event.change")
    errors: list = []
    data = _clean(actor, errors, title=title, kind=kind, date=date, place=place, children=children, guests=guests,
                  lead=lead, budget=budget, notes=notes)
    raise_for(errors)
    event = Event(kindergarten=actor.kindergarten, created_by=actor.user, **data)
    return _save(event, actor, "created")


@transaction.atomic
def need_add(*, actor, event: Event, item: str, quantity, unit: str, kind: str = NeedKind.MATERIALS,
             to_buy: bool = True, unit_price=None, responsible: str = "") -> EventNeed:
    policy.require(actor, "finance.event.change", event)
    event = event.locked()
    errors: list = []
    item, unit, responsible = (item or "").strip()[:100], (unit or "").strip()[:10], (responsible or "").strip()[:30]
    if not item:
        errors.append({"field": "item", "message": _("Say what is needed.")})
    if not unit:
        errors.append({"field": "unit", "message": _("Give the unit (个, 箱, 套 …).")})
    if kind not in NeedKind.values:
        errors.append({"field": "kind", "message": _("Choose the kind of need.")})
    qty = decimal_into(errors, "quantity", quantity, places=3, positive=True, maximum=MAX_QUANTITY)
    price = decimal_into(errors, "unit_price", unit_price if to_buy else None, places=2, minimum=Decimal("0"),
                         maximum=MAX_MONEY, required=bool(to_buy),
                         required_message=_("Give the estimated price of what is to be bought."))
    if event.purchase_request_id:
        errors.append({"field": "item", "message": _(
            "The purchase request has been made: add what else is needed to it, not to the event.")})
    elif event.needs.count() >= MAX_NEEDS:
        errors.append({"field": "item", "message": _("An event has at most %(n)d needs.") % {"n": MAX_NEEDS}})
    raise_for(errors)
    return EventNeed.objects.create(kindergarten=event.kindergarten, event=event, kind=kind, item=item, quantity=qty,
                                    unit=unit, to_buy=bool(to_buy), unit_price=price if to_buy else None,
                                    responsible=responsible, created_by=actor.user)


@transaction.atomic
def event_request_purchase(*, actor, event: Event, category, submit: bool = True):
    """One purchase request for what the event must buy, made through finance's service (the same
    approvals as any purchase), linked to the event. Once only."""
    from houqin.finance import services

    policy.require(actor, "finance.event.change", event)
    event = event.locked()
    if event.purchase_request_id:
        raise Conflict(_("This event's purchase request has been made already (%(number)s).")
                       % {"number": event.purchase_request.number})
    needs = [n for n in event.needs.all() if n.to_buy]
    if not needs:
        raise field_error("needs", _("Nothing of this event is to be bought."))
    request = services.purchase_request_create(
        actor=actor, title=(_("%(event)s: what is to be bought") % {"event": event.title})[:100],
        reason=_("For %(event)s on %(day)s (%(children)d children, %(guests)d guests); budget ¥%(budget)s.") % {
            "event": event.title, "day": f"{event.date:%Y-%m-%d}", "children": event.children,
            "guests": event.guests, "budget": event.budget},
        category=category, budget_year=event.date.year,
        needed_by=max(event.date - dt.timedelta(days=2), timezone.localdate()),
        lines=[{"description": n.item, "quantity": str(n.quantity), "unit": n.unit, "unit_price": str(n.unit_price)}
               for n in needs], submit=submit)
    event.purchase_request = request
    return _save(event, actor, "purchase request", update_fields=["purchase_request", "updated_at"])


@transaction.atomic
def event_void(*, actor, event: Event, reason: str) -> Event:
    policy.require(actor, "finance.event.change", event)
    return event.locked().void(actor=actor, reason=reason)


def over_budget(event: Event) -> Decimal | None:
    """How much the needs to be bought are over the budget, or None."""
    over = money(cost(event.needs.all()) - event.budget)
    return over if over > 0 else None

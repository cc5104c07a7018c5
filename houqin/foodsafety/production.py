"""Production, serving and waste (生产记录): one record per dish per meal, as the kitchen cooked and
served it, and the waste it leaves, per dish and per child, over time.

Weights are kilograms, weighed: cooked (what came out of the pot), served (what went to the
classes), left over (what stayed in the kitchen) and plate waste (what the children left on their
plates, weighed when the trays come back). The sample kept of that dish that day
(houqin.foodsafety.models.Sample) is linked: it was taken from the same batch. A dish whose plate waste
reaches the kindergarten's figure (`plate_waste_flag_percent`) is flagged for the meal committee
(houqin.canteen's CommitteeMeeting discusses it).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import policy
from houqin.core.errors import Conflict, field_error, raise_for
from houqin.foodsafety import services
from houqin.foodsafety.models import FigureKey, ProductionRecord, Sample

MAX_KG = Decimal("500")  # one dish of one meal: more than this is a typing mistake, not a kitchen
MAX_KG_PER_PORTION = Decimal("1")  # a child's portion of one dish weighs well under a kilogram
MAX_PORTIONS = 3000
WEIGHING_TOLERANCE = Decimal("1.05")  # served + left over may exceed cooked by what the scales drift


def _portions(value, *, field: str, errors: list, allow_zero: bool = False) -> int | None:
    try:
        number = int(value)
        if number < (0 if allow_zero else 1) or number > MAX_PORTIONS:
            raise ValueError
    except (TypeError, ValueError):
        errors.append({"field": field, "message": _("Enter a number of portions between 1 and %(max)s.")
                       % {"max": MAX_PORTIONS}})
        return None
    return number


def _at(day: dt.date, value) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, dt.time):  # a time of that day; one sent with its offset keeps it
        at = dt.datetime.combine(day, value)
        return at if timezone.is_aware(at) else timezone.make_aware(at)
    return None


@transaction.atomic
def production_record(*, actor, day: dt.date | None, meal: str, dish_code, planned_portions, served_portions,
                      cooked_kg, served_kg, leftover_kg, plate_waste_kg, cooked_at=None, served_at=None,
                      cooked_by=None, note: str = "", dishes: list[dict] | None = None) -> ProductionRecord:
    """Record how a dish of a meal was cooked, served and wasted. Every problem is reported at once;
    a weight outside reason (negative, absurd, more served than cooked, more left on plates than
    served) is refused and nothing is saved."""
    services._require(actor, "foodsafety.production.record")
    kg = actor.kindergarten
    errors: list = []
    today = timezone.localdate()
    now = timezone.now()
    day = day or today
    if day > today:
        errors.append({"field": "day", "message": _("The day is in the future.")})
    dishes = dishes if dishes is not None else services.served_dishes(kg, day)
    dish = next((d for d in dishes if str(d["dish_code"]) == str(dish_code) and d["meal"] == meal), None)
    if dish is None:
        errors.append({"field": "dish_code", "message": _("This dish is not on the published menu of that day.")})
    planned = _portions(planned_portions, field="planned_portions", errors=errors)
    served_n = _portions(served_portions, field="served_portions", errors=errors)
    weights = {}
    for field, value in (("cooked_kg", cooked_kg), ("served_kg", served_kg), ("leftover_kg", leftover_kg),
                         ("plate_waste_kg", plate_waste_kg)):
        if value in (None, ""):
            errors.append({"field": field, "message": _("Enter the weight in kilograms (0 if none).")})
            continue
        before = len(errors)
        number = services._decimal(value, field=field, errors=errors, places=2, allow_zero=field != "cooked_kg",
                                   maximum=MAX_KG)
        if len(errors) > before:
            errors[-1] = {"field": field, "message": _(
                "Enter a weight between 0 and %(max)s kg, with at most two decimals.") % {"max": MAX_KG}}
        weights[field] = number
    cooked, served = weights.get("cooked_kg"), weights.get("served_kg")
    leftover, waste = weights.get("leftover_kg"), weights.get("plate_waste_kg")
    if cooked is not None and planned and cooked > MAX_KG_PER_PORTION * planned:
        errors.append({"field": "cooked_kg", "message": _(
            "%(kg)s kg for %(n)s portions is more than 1 kg a child: check the weight (kilograms, not grams).")
            % {"kg": services._plain(cooked), "n": planned}})
    if cooked is not None and served is not None and served > cooked:
        errors.append({"field": "served_kg", "message": _(
            "More was served (%(served)s kg) than was cooked (%(cooked)s kg).")
            % {"served": services._plain(served), "cooked": services._plain(cooked)}})
    elif (cooked is not None and served is not None and leftover is not None
          and served + leftover > cooked * WEIGHING_TOLERANCE):
        errors.append({"field": "leftover_kg", "message": _(
            "Served and left over (%(sum)s kg) add up to more than was cooked (%(cooked)s kg).")
            % {"sum": services._plain(served + leftover), "cooked": services._plain(cooked)}})
    if served is not None and waste is not None and waste > served:
        errors.append({"field": "plate_waste_kg", "message": _(
            "The plate waste (%(waste)s kg) is more than was served (%(served)s kg).")
            % {"waste": services._plain(waste), "served": services._plain(served)}})
    cooked_at, served_at = _at(day, cooked_at), _at(day, served_at)
    if cooked_at is None:
        errors.append({"field": "cooked_at", "message": _("Enter the time the dish was cooked.")})
    if served_at is None:
        errors.append({"field": "served_at", "message": _("Enter the time the dish was served.")})
    if cooked_at and served_at:
        if served_at < cooked_at:
            errors.append({"field": "served_at", "message": _("The dish was served before it was cooked.")})
        if served_at > now + dt.timedelta(minutes=5):
            errors.append({"field": "served_at", "message": _("The time is in the future.")})
        if timezone.localtime(cooked_at).date() != day:
            errors.append({"field": "cooked_at", "message": _("The time of cooking is not on that day.")})
    if cooked_by is None:
        cooked_by = actor.user
    elif not services._is_staff(kg, cooked_by):
        errors.append({"field": "cooked_by", "message": _("Choose a staff member of the kindergarten.")})
    if errors:
        raise_for(errors)
    if ProductionRecord.objects.active().filter(kindergarten=kg, day=day, meal=meal,
                                                dish_code=dish["dish_code"]).exists():
        raise field_error("dish_code", _("The production of this dish has already been recorded."), cls=Conflict,
                          code="duplicate")
    sample = (Sample.objects.active().filter(kindergarten=kg, day=day, meal=meal, dish_code=dish["dish_code"])
              .first())
    try:
        with transaction.atomic():
            return ProductionRecord.objects.create(
                kindergarten=kg, day=day, meal=meal, meal_label=services._text(str(dish.get("meal_label", "")), 20),
                dish_code=dish["dish_code"], dish_name=services._text(str(dish["dish_name"]), 60),
                planned_portions=planned, served_portions=served_n, cooked_kg=cooked, served_kg=served,
                leftover_kg=leftover, plate_waste_kg=waste, cooked_by=cooked_by, cooked_at=cooked_at,
                served_at=served_at, sample=sample, note=services._text(note, 200), created_by=actor.user,
                retain_until=services.retain_until(kg, day))
    except IntegrityError as exc:
        raise Conflict(_("The production of this dish has already been recorded."), code="duplicate") from exc


# --- reads ----------------------------------------------------------------------------------------------


def production_list(*, actor, start: dt.date | None = None, end: dt.date | None = None):
    qs = ProductionRecord.objects.filter(voided_at__isnull=True).select_related("cooked_by", "sample")
    if start:
        qs = qs.filter(day__gte=start)
    if end:
        qs = qs.filter(day__lte=end)
    return policy.scoped(actor, "foodsafety.view", qs).order_by("-day", "meal", "dish_name")


def get_production(*, actor, code, capability: str = "foodsafety.view") -> ProductionRecord:
    return policy.get_or_404(actor, capability, ProductionRecord.objects.select_related("cooked_by", "sample"),
                             code=code)


def _per_child(waste_kg: Decimal, children: int) -> Decimal | None:
    return (waste_kg * 1000 / children).quantize(Decimal("1")) if children else None


def _percent(waste_kg: Decimal, served_kg: Decimal) -> Decimal | None:
    return (waste_kg * 100 / served_kg).quantize(Decimal("1")) if served_kg else None


def waste_by_dish(*, actor, start: dt.date, end: dt.date) -> list[dict]:
    """Each dish served between `start` and `end`: times, kilograms served and left on the plates,
    grams left per child, the share of what was served, and whether it goes to the meal committee.
    Worst first. One query for the figures, one for the rows."""
    flag = services.figure(actor.kindergarten, FigureKey.PLATE_WASTE_FLAG_PERCENT)
    rows = (production_list(actor=actor, start=start, end=end).order_by()
            .values("dish_code").annotate(dish_name=Max("dish_name"), times=Count("pk"), served_kg=Sum("served_kg"),
                                          plate_waste_kg=Sum("plate_waste_kg"), children=Sum("served_portions"),
                                          last_day=Max("day")))
    out = []
    for row in rows:
        percent = _percent(row["plate_waste_kg"], row["served_kg"])
        out.append({**row, "grams_per_child": _per_child(row["plate_waste_kg"], row["children"]),
                    "percent": percent, "flagged": percent is not None and percent >= flag})
    out.sort(key=lambda r: (-(r["percent"] or 0), r["dish_name"]))
    return out


def waste_by_day(*, actor, start: dt.date, end: dt.date) -> list[dict]:
    """Each day between `start` and `end` with production recorded: kilograms cooked, served, left
    over and left on the plates, and grams left per child served (the trend)."""
    rows = (production_list(actor=actor, start=start, end=end).order_by("day")
            .values("day").annotate(cooked_kg=Sum("cooked_kg"), served_kg=Sum("served_kg"),
                                    leftover_kg=Sum("leftover_kg"), plate_waste_kg=Sum("plate_waste_kg"),
                                    children=Sum("served_portions"), dishes=Count("pk")))
    return [{**row, "grams_per_child": _per_child(row["plate_waste_kg"], row["children"]),
             "percent": _percent(row["plate_waste_kg"], row["served_kg"])} for row in rows]


def committee_dishes(*, actor, start: dt.date, end: dt.date) -> list[dict]:
    """The dishes the children leave, for the meal committee: those at or above the figure."""
    return [row for row in waste_by_dish(actor=actor, start=start, end=end) if row["flagged"]]


COMMITTEE_DAYS = 28  # the meal committee looks at the four weeks before its meeting


def committee_period(day: dt.date) -> tuple[dt.date, dt.date]:
    """The weeks a meal committee meeting on `day` looks back on."""
    return day - dt.timedelta(days=COMMITTEE_DAYS - 1), day


def committee_dishes_before(*, actor, day: dt.date) -> dict:
    """For the meal committee meeting on `day`: the period it looks back on, the dishes the
    children left at or above the figure (with the waste figures), and the figure in force."""
    start, end = committee_period(day)
    return {"start": start, "end": end, "dishes": committee_dishes(actor=actor, start=start, end=end),
            "flag": services.rule_figures(actor.kindergarten)[FigureKey.PLATE_WASTE_FLAG_PERCENT]}

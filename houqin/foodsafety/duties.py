"""The kitchen's food-safety duties (日管控、周排查、月调度) and the leaders' meals with the children
(园长陪餐).

The lists of items ship as data (data/rules.json "duties", with their source marked unconfirmed:
《学校食品安全与营养健康管理规定》2019 and the 2022 SAMR rules on the food-safety responsibility
system; the exact items are to be confirmed). A daily check by the food-safety officer, a weekly
review, a monthly scheduling meeting with the principal: each answers every item; a failed item
gets the kindergarten's deadline and becomes a hazard, the same path as the hygiene inspection
(services._report_hazard → houqin.safety). One check of a kind per day, week or month.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from houqin import policy
from houqin.core.errors import Conflict, field_error, raise_for
from houqin.foodsafety import services
from houqin.foodsafety.models import (
    AccompaniedMeal,
    DutyCheck,
    DutyKind,
    DutyResult,
    FigureKey,
    FoodSafetySettings,
)


def duty_items(kind: str) -> list[tuple[str, str]]:
    """The shipped items of a kind of duty: (key, text)."""
    return [tuple(row) for row in services.shipped_rules()["duties"].get(kind, [])]


def duty_source() -> dict:
    return services.shipped_rules()["duties_source"]


def period_of(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The day, the week (Monday to Sunday) or the month a check of `kind` on `day` covers."""
    if kind == DutyKind.WEEKLY:
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if kind == DutyKind.MONTHLY:
        start = day.replace(day=1)
        return start, services.add_months(start, 1) - dt.timedelta(days=1)
    return day, day


@transaction.atomic
def duty_record(*, actor, kind: str, results: dict, done_on: dt.date | None = None, attendees: str = "",
                note: str = "") -> DutyCheck:
    """Record a daily check, a weekly review or a monthly scheduling meeting: every item answered,
    a failed one with what was wrong (it becomes a hazard with a deadline); the monthly meeting
    names who was present."""
    services._require(actor, "foodsafety.duty.record")
    kg = actor.kindergarten
    errors: list = []
    today = timezone.localdate()
    done_on = done_on or today
    if kind not in DutyKind.values:
        raise field_error("kind", _("Choose the daily check, the weekly review or the monthly meeting."))
    if done_on > today:
        errors.append({"field": "done_on", "message": _("The date is in the future.")})
    items = duty_items(kind)
    results = {str(k): v for k, v in (results or {}).items()}
    for key, text in items:
        found = results.get(key)
        if not isinstance(found, dict) or not isinstance(found.get("passed"), bool):
            errors.append({"field": f"item-{key}", "message": _("Answer this item, passed or failed: %(item)s")
                           % {"item": text}})
        elif not found["passed"] and not services._text(found.get("note"), 200):
            errors.append({"field": f"item-{key}", "message": _("Say what was wrong: %(item)s") % {"item": text}})
    attendees = services._text(attendees, 200)
    if kind == DutyKind.MONTHLY and not attendees:
        errors.append({"field": "attendees", "message": _("Name who was at the meeting (the principal first).")})
    if errors:
        raise_for(errors)
    # one check of a kind per period: two phones saving at once are put one after the other
    FoodSafetySettings.objects.select_for_update().filter(pk=services.fs_settings(kg).pk).first()
    start, end = period_of(kind, done_on)
    if DutyCheck.objects.active().filter(kindergarten=kg, kind=kind, done_on__range=(start, end)).exists():
        raise field_error("kind", _("This has already been recorded for %(period)s.") % {
            "period": start.strftime("%Y-%m-%d") if start == end
            else f"{start.strftime('%Y-%m-%d')} – {end.strftime('%Y-%m-%d')}"}, cls=Conflict, code="duplicate")
    figures = services.rule_figures(kg)
    days = services.figure_int(kg, FigureKey.HAZARD_DEADLINE_DAYS, figures)
    check = DutyCheck.objects.create(kindergarten=kg, kind=kind, done_on=done_on, done_by=actor.user,
                                     attendees=attendees, note=services._text(note, 500), created_by=actor.user,
                                     retain_until=services.retain_until(kg, done_on, figures))
    rows = []
    for key, text in items:
        found = results[key]
        passed = found["passed"]
        row = DutyResult(kindergarten=kg, check_record=check, item_key=key, text=text[:200], passed=passed,
                         note=services._text(found.get("note"), 200), created_by=actor.user,
                         deadline=None if passed else done_on + dt.timedelta(days=days))
        if not passed:
            hazard = services._report_hazard(actor=actor, location=_("Kitchen"), description=f"{text}：{row.note}",
                                             source=f"foodsafety.duty:{check.code}")
            row.hazard_code = getattr(hazard, "code", None)
        rows.append(row)
    bulk_create_with_history(rows, DutyResult)
    return check


def duty_list(*, actor, kind: str | None = None, start: dt.date | None = None, end: dt.date | None = None):
    qs = (DutyCheck.objects.filter(voided_at__isnull=True).select_related("done_by")
          .annotate(item_count=Count("results"), failed_count=Count("results", filter=Q(results__passed=False))))
    if kind:
        qs = qs.filter(kind=kind)
    if start:
        qs = qs.filter(done_on__gte=start)
    if end:
        qs = qs.filter(done_on__lte=end)
    return policy.scoped(actor, "foodsafety.view", qs).order_by("-done_on", "kind", "-pk")


def get_duty(*, actor, code, capability: str = "foodsafety.view") -> DutyCheck:
    qs = DutyCheck.objects.select_related("done_by").prefetch_related(
        Prefetch("results", DutyResult.objects.order_by("pk")))
    return policy.get_or_404(actor, capability, qs, code=code)


def duties_due(kindergarten, today: dt.date) -> list[str]:
    """The kinds of duty not yet recorded for the period containing `today` (one query)."""
    periods = Q()
    for kind in DutyKind.values:
        periods |= Q(kind=kind, done_on__range=period_of(kind, today))
    done = set(DutyCheck.objects.active().filter(periods, kindergarten=kindergarten).order_by()
               .values_list("kind", flat=True).distinct())
    return [k for k in DutyKind.values if k not in done]


# --- 园长陪餐 -------------------------------------------------------------------------------------------


@transaction.atomic
def accompany_record(*, actor, meal: str, place: str, remarks: str, day: dt.date | None = None,
                     problems: str = "", meal_label: str = "") -> AccompaniedMeal:
    """The principal (or another leader) ate a meal with a class: what they found, and what is to be
    put right. One leader records a meal once."""
    services._require(actor, "foodsafety.accompany.record")
    kg = actor.kindergarten
    errors: list = []
    today = timezone.localdate()
    day = day or today
    if day > today:
        errors.append({"field": "day", "message": _("The day is in the future.")})
    meal = services._text(meal, 20)
    if not meal:
        errors.append({"field": "meal", "message": _("Choose the meal.")})
    place = services._text(place, 40)
    if not place:
        errors.append({"field": "place", "message": _("Name the class you ate with.")})
    remarks = services._text(remarks, 500)
    if len(remarks) < 4:
        errors.append({"field": "remarks", "message": _(
            "Write what you found: taste, temperature, amount, how the children ate.")})
    if errors:
        raise_for(errors)
    if AccompaniedMeal.objects.active().filter(kindergarten=kg, day=day, meal=meal, diner=actor.user).exists():
        raise field_error("meal", _("You have already recorded this meal."), cls=Conflict, code="duplicate")
    if not meal_label:
        meal_label = next((str(d.get("meal_label", "")) for d in services.served_dishes(kg, day) if d["meal"] == meal),
                          "")
    return AccompaniedMeal.objects.create(
        kindergarten=kg, day=day, meal=meal, meal_label=services._text(meal_label, 20), diner=actor.user,
        place=place, remarks=remarks, problems=services._text(problems, 300), created_by=actor.user,
        retain_until=services.retain_until(kg, day))


def accompany_list(*, actor, start: dt.date | None = None, end: dt.date | None = None):
    qs = AccompaniedMeal.objects.filter(voided_at__isnull=True).select_related("diner")
    if start:
        qs = qs.filter(day__gte=start)
    if end:
        qs = qs.filter(day__lte=end)
    return policy.scoped(actor, "foodsafety.view", qs).order_by("-day", "meal", "-pk")


def get_accompany(*, actor, code, capability: str = "foodsafety.view") -> AccompaniedMeal:
    return policy.get_or_404(actor, capability, AccompaniedMeal.objects.select_related("diner"), code=code)

"""Menu entries, to-do providers, term figures and assessment findings of this area
(imported from AppConfig.ready)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.core.templatetags.hq import cn_date
from houqin.core.registry import (
    Figure,
    Finding,
    NavItem,
    Todo,
    register_figures,
    register_findings,
    register_nav,
    register_todos,
)

register_nav(NavItem(gettext_lazy("Kitchen today"), "foodsafety:kitchen", "foodsafety.view", icon="fire", order=50))
register_nav(NavItem(gettext_lazy("Receiving inspection"), "foodsafety:receipt_list", "foodsafety.view", icon="truck",
                     order=51))
register_nav(NavItem(gettext_lazy("Supplier certificates"), "foodsafety:certificate_list", "foodsafety.view",
                     icon="patch-check", order=52))
register_nav(NavItem(gettext_lazy("Food store checks"), "foodsafety:expiry_list", "foodsafety.view", icon="hourglass-split",
                     order=53))
register_nav(NavItem(gettext_lazy("Kitchen hygiene"), "foodsafety:hygiene_list", "foodsafety.view", icon="stars",
                     order=54))

AREA = "foodsafety"


def todos_on(kindergarten, *, today: dt.date, now=None) -> list[Todo]:
    """The food-safety to-dos of a kindergarten judged on `today` (the director's home page)."""
    from houqin.foodsafety import selectors

    gaps = selectors.gaps(kindergarten, today=today, now=now)
    slug = kindergarten.slug

    def url(name, **kw):
        return reverse(f"foodsafety:{name}", kwargs={"kg": slug, **kw})

    todos = []
    for dish in gaps["samples_past"]:
        todos.append(Todo(
            title=_("%(dish)s (%(meal)s) was served without a sample") % {"dish": dish["dish_name"],
                                                                        "meal": dish["meal_label"]},
            url=url("kitchen") + f"?day={dish['day'].isoformat()}", urgency=3, area=AREA, due=dish["day"],
            extra={"kind": "sample_missing", "dish_code": str(dish["dish_code"])}))
    if gaps["samples_today"]:
        names = "、".join(d["dish_name"] for d in gaps["samples_today"][:6])
        todos.append(Todo(
            title=_("%(n)d dishes served today have no sample") % {"n": len(gaps["samples_today"])} if
            gaps["samples_today_late"] else _("%(n)d dishes today still need a sample") % {
                "n": len(gaps["samples_today"])},
            url=url("kitchen"), urgency=3 if gaps["samples_today_late"] else 2, area=AREA, detail=names, due=today,
            extra={"kind": "sample_today"}))
    for meal in gaps["tableware"]:
        todos.append(Todo(
            title=_("No tableware disinfection recorded for %(meal)s") % {"meal": meal["meal_label"]},
            url=url("kitchen") + f"?day={meal['day'].isoformat()}", urgency=3, area=AREA, due=meal["day"],
            extra={"kind": "tableware_missing"}))
    for cert in gaps["certificates_expired"]:
        todos.append(Todo(
            title=_("%(certificate)s of %(supplier)s has expired") % {"certificate": cert.get_kind_display(),
                                                                     "supplier": cert.supplier.name},
            url=url("certificate_list"), urgency=3, area=AREA, due=cert.valid_until, detail=cert.number,
            extra={"kind": "certificate_expired", "code": str(cert.code)}))
    for cert in gaps["certificates_expiring"]:
        todos.append(Todo(
            title=_("%(certificate)s of %(supplier)s expires soon") % {"certificate": cert.get_kind_display(),
                                                                      "supplier": cert.supplier.name},
            url=url("certificate_list"), urgency=2, area=AREA, due=cert.valid_until, detail=cert.number,
            extra={"kind": "certificate_expiring", "code": str(cert.code)}))
    for store, period in gaps["checks_missed"]:
        todos.append(Todo(
            title=_("No expiry check of %(store)s from %(start)s to %(end)s") % {
                "store": store.name, "start": period[0].strftime("%m-%d"), "end": period[1].strftime("%m-%d")},
            url=url("expiry_list"), urgency=3, area=AREA, due=period[1], extra={"kind": "check_missed"}))
    for store, period in gaps["checks_due"]:
        todos.append(Todo(
            title=_("Expiry check of %(store)s due by %(end)s") % {"store": store.name,
                                                                  "end": period[1].strftime("%m-%d")},
            url=url("expiry_list"), urgency=2, area=AREA, due=period[1], extra={"kind": "check_due"}))
    if gaps["hygiene_overdue"]:
        todos.append(Todo(
            title=_("The weekly kitchen hygiene inspection is overdue"), url=url("hygiene_list"), urgency=3,
            area=AREA, detail=(_("Last: %(date)s") % {"date": gaps["hygiene_last"].strftime("%Y-%m-%d")}
                               if gaps["hygiene_last"] else ""), extra={"kind": "hygiene_overdue"}))
    todos += kitchen_todos(kindergarten, today=today, now=now)
    return todos


PRODUCTION_DUE_BY = dt.time(15, 0)  # a school day's production is weighed by the afternoon


def kitchen_todos(kindergarten, *, today: dt.date, now=None) -> list[Todo]:
    """The kitchen's missing records, each for whom it falls to (`extra["for"]`, a capability): a
    school day's dishes without production records (the canteen), the daily check, the weekly review
    (the food-safety officer) and the monthly scheduling meeting (the principal) not yet recorded in
    their period, pest control overdue, a water filter past its date, a failed or overdue water test."""
    from django.utils import timezone

    from houqin.foodsafety import duties, logs, selectors, services
    from houqin.foodsafety.models import DutyKind

    slug = kindergarten.slug
    now = timezone.localtime(now or timezone.now())

    def url(name, **kw):
        return reverse(f"foodsafety:{name}", kwargs={"kg": slug, **kw})

    todos = []
    for day, dishes in selectors.missing_production(kindergarten, today=today, now=now,
                                                    due_by=PRODUCTION_DUE_BY).items():
        todos.append(Todo(
            title=_("%(n)d dishes of %(day)s have no production record") % {"n": len(dishes),
                                                                            "day": cn_date(day)},
            url=url("kitchen") + f"?day={day.isoformat()}", urgency=3 if day < today else 2, area=AREA, due=day,
            detail="、".join(d["dish_name"] for d in dishes[:6]),
            extra={"kind": "production_missing", "for": "foodsafety.production.record"}))
    due = duties.duties_due(kindergarten, today)
    school_day = bool(services.served_dishes(kindergarten, today))
    if DutyKind.DAILY in due and school_day:
        todos.append(Todo(title=_("Today's food-safety daily check is not recorded yet"),
                          url=url("duty_create", kind="daily"), urgency=2, area=AREA, due=today,
                          extra={"kind": "duty_daily", "for": "foodsafety.duty.officer"}))
    if DutyKind.WEEKLY in due and today.weekday() >= 3:
        end = duties.period_of(DutyKind.WEEKLY, today)[1]
        todos.append(Todo(title=_("This week's food-safety review is not recorded yet"),
                          url=url("duty_create", kind="weekly"), urgency=3 if today.weekday() >= 4 else 2,
                          area=AREA, due=end - dt.timedelta(days=2),
                          extra={"kind": "duty_weekly", "for": "foodsafety.duty.officer"}))
    if DutyKind.MONTHLY in due and today.day >= 20:
        end = duties.period_of(DutyKind.MONTHLY, today)[1]
        todos.append(Todo(title=_("This month's food-safety scheduling meeting has not been held"),
                          url=url("duty_create", kind="monthly"), urgency=3 if (end - today).days < 3 else 2,
                          area=AREA, due=end, extra={"kind": "duty_monthly", "for": "foodsafety.duty.chair"}))
    pest = logs.pest_due(kindergarten, today)
    if pest["overdue"]:
        todos.append(Todo(
            title=_("Pest-control check overdue (every %(n)d days)") % {"n": pest["every"]}, url=url("pest_list"),
            urgency=3, area=AREA, due=pest["due"],
            detail=_("Last: %(date)s") % {"date": pest["last"].strftime("%Y-%m-%d")} if pest["last"] else "",
            extra={"kind": "pest_overdue", "for": "foodsafety.pest.record"}))
    water = logs.water_gaps(kindergarten, today)
    for state in water["filters_overdue"]:
        change = state["change"]
        todos.append(Todo(
            title=_("Change the water filter of %(unit)s") % {"unit": state["unit"]}, url=url("water_list"),
            urgency=3 if change else 2, area=AREA, due=change.next_due if change else None,
            detail=(_("Due by %(date)s") % {"date": change.next_due.strftime("%Y-%m-%d")} if change
                    else _("No filter change recorded")),
            extra={"kind": "filter_overdue", "for": "foodsafety.water.record", "code": str(state["unit"].code)}))
    for state in water["tests_failed"]:
        test = state["test"]
        todos.append(Todo(
            title=_("The drinking water of %(unit)s failed its test") % {"unit": state["unit"]},
            url=url("water_list"), urgency=3, area=AREA, due=test.tested_on, detail=test.result,
            extra={"kind": "water_failed", "for": "foodsafety.water.record", "code": str(state["unit"].code)}))
    for state in water["tests_overdue"]:
        todos.append(Todo(
            title=_("Have the drinking water of %(unit)s tested") % {"unit": state["unit"]}, url=url("water_list"),
            urgency=2, area=AREA, due=state["test_due"] if state["test"] else None,
            extra={"kind": "water_test_due", "for": "foodsafety.water.record", "code": str(state["unit"].code)}))
    return todos


def todos_for(actor, today: dt.date) -> list[Todo]:
    """The food-safety to-dos the actor acts on: the oversight ones (missing samples, certificates,
    checks) for who oversees, each kitchen to-do for whom it falls to."""
    if actor.kindergarten is None:
        return []
    return [t for t in todos_on(actor.kindergarten, today=today)
            if actor.has(t.extra.get("for", "foodsafety.oversee"))]


AUDIENCE = ("foodsafety.oversee", "foodsafety.production.record", "foodsafety.duty.officer", "foodsafety.duty.chair",
            "foodsafety.pest.record", "foodsafety.water.record")


@register_todos
def foodsafety_todos(actor) -> list[Todo]:
    if actor.kindergarten is None or not any(actor.has(c) for c in AUDIENCE):
        return []
    from django.utils import timezone

    return todos_for(actor, timezone.localdate())


FOODSAFETY_FIGURES_KEYS = (  # every key foodsafety_figures gives (register_figures)
    "foodsafety.receipts",
    "foodsafety.rejected",
    "foodsafety.samples",
    "foodsafety.expiry_checks",
    "foodsafety.hygiene",
    "foodsafety.certificates_expired",
    "foodsafety.production_days",
    "foodsafety.plate_waste",
    "foodsafety.duties_daily",
    "foodsafety.duties_weekly",
    "foodsafety.duties_monthly",
    "foodsafety.accompanied_meals",
    "foodsafety.pest_checks",
    "foodsafety.filter_changes",
    "foodsafety.water_tests",
)


@register_figures(keys=FOODSAFETY_FIGURES_KEYS)
def foodsafety_figures(kindergartens, start, end) -> dict[int, list[Figure]]:
    from houqin.foodsafety import selectors

    counts = selectors.term_figures(kindergartens, start, end)
    due_periods = len(selectors.periods_between(start, end, 15))
    result = {}
    for kg in kindergartens:
        c = counts[kg.pk]
        base = {"kg": kg.slug}
        q = f"?start={start.isoformat()}&end={end.isoformat()}"
        due = due_periods * max(1, c["stores"])
        result[kg.pk] = [
            Figure("foodsafety.receipts", _("Deliveries inspected"), c["receipts"], _("times"), "meals",
                   reverse("foodsafety:receipt_list", kwargs=base) + q, district=True),
            Figure("foodsafety.rejected", _("Foods rejected on receipt"), c["rejected"], _("items"), "meals",
                   reverse("foodsafety:receipt_list", kwargs=base) + q),
            Figure("foodsafety.samples", _("Samples kept"), c["samples"], _("items"), "meals",
                   reverse("foodsafety:sample_list", kwargs=base) + q),
            Figure("foodsafety.expiry_checks", _("Food store expiry checks done"), c["checks"], _("times"), "meals",
                   reverse("foodsafety:expiry_list", kwargs=base) + q, detail=f"{c['checks']} / {due}",
                   district=True),
            Figure("foodsafety.hygiene", _("Kitchen hygiene inspections"), c["hygiene"], _("times"), "meals",
                   reverse("foodsafety:hygiene_list", kwargs=base) + q, district=True),
            Figure("foodsafety.certificates_expired", _("Supplier certificates expired"), c["certificates_expired"],
                   _("items"), "meals", reverse("foodsafety:certificate_list", kwargs=base)),
            Figure("foodsafety.production_days", _("Days of production weighed"), c["production_days"], _("days"),
                   "meals", reverse("foodsafety:production_list", kwargs=base),
                   detail=_("%(n)d dishes") % {"n": c["production_records"]}),
            Figure("foodsafety.plate_waste", _("Plate waste per child and dish"), c["plate_waste_g"], _("g"), "meals",
                   reverse("foodsafety:production_list", kwargs=base)),
            Figure("foodsafety.duties_daily", _("Daily food-safety checks"), c["duties_daily"], _("times"), "meals",
                   reverse("foodsafety:duty_list", kwargs=base)),
            Figure("foodsafety.duties_weekly", _("Weekly food-safety reviews"), c["duties_weekly"], _("times"),
                   "meals", reverse("foodsafety:duty_list", kwargs=base)),
            Figure("foodsafety.duties_monthly", _("Monthly food-safety scheduling meetings"), c["duties_monthly"],
                   _("times"), "meals", reverse("foodsafety:duty_list", kwargs=base)),
            Figure("foodsafety.accompanied_meals", _("Meals with the children (principal)"), c["accompanied_meals"],
                   _("times"), "meals", reverse("foodsafety:accompany_list", kwargs=base)),
            Figure("foodsafety.pest_checks", _("Pest-control checks and treatments"), c["pest_checks"], _("times"),
                   "meals", reverse("foodsafety:pest_list", kwargs=base),
                   detail=_("signs found %(n)d times") % {"n": c["pest_signs"]}),
            Figure("foodsafety.filter_changes", _("Water filter changes"), c["filter_changes"], _("times"), "meals",
                   reverse("foodsafety:water_list", kwargs=base)),
            Figure("foodsafety.water_tests", _("Drinking-water tests"), c["water_tests"], _("times"), "meals",
                   reverse("foodsafety:water_list", kwargs=base),
                   detail=_("%(n)d failed") % {"n": c["water_failed"]}),
        ]
    return result


FINDING_KINDS = {
    "foodsafety.sample_missing": gettext_lazy("Dish served without a sample"),
    "foodsafety.tableware_log_missing": gettext_lazy("Tableware disinfection not recorded"),
}


@register_findings(FINDING_KINDS)
def foodsafety_findings(kindergarten, start, end) -> list[Finding]:
    from houqin.foodsafety import selectors

    found = []
    for row in selectors.findings(kindergarten, start, end):
        what = row["what"]
        url = reverse("foodsafety:kitchen", kwargs={"kg": kindergarten.slug}) + f"?day={row['date'].isoformat()}"
        if row["kind"] == "foodsafety.sample_missing":
            description = _("%(day)s %(meal)s: %(dish)s served without a sample") % {
                "day": row["date"].strftime("%m-%d"), "meal": what["meal_label"], "dish": what["dish_name"]}
        else:
            description = _("%(day)s %(meal)s: tableware disinfection not recorded") % {
                "day": row["date"].strftime("%m-%d"), "meal": what["meal_label"]}
        found.append(Finding(kind=row["kind"], label=str(FINDING_KINDS[row["kind"]]), user_id=row["user_id"],
                             date=row["date"], description=description, url=url))
    return found

"""Menu entries, to-do providers, term figures and assessment findings of the canteen
(imported from AppConfig.ready)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.core.registry import Figure, Finding, NavItem, Todo, register_figures, register_findings, register_nav
from houqin.core.registry import register_todos

register_nav(NavItem(gettext_lazy("Menus and nutrition"), "canteen:menu_list", "canteen.menu.view", icon="egg-fried",
                     order=50, section="meals"))
register_nav(NavItem(gettext_lazy("Menu of the week"), "canteen:published_list", "canteen.menu.published", icon="calendar-week",
                     order=51, section="meals"))
register_nav(NavItem(gettext_lazy("Meal account"), "canteen:account_list", "canteen.account.view", icon="calculator",
                     order=52, section="meals"))
register_nav(NavItem(gettext_lazy("Meal accounts"), "canteen:account_published", "canteen.account.published",
                     icon="calculator", order=53, section="meals"))


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


@register_todos
def canteen_todos(actor) -> list[Todo]:
    """This week's menu not published (red), next week's not published by Thursday (amber), last
    month's meal account not published (amber; red after the publishing day), no diet survey in the
    survey period (amber). A fixed number of queries."""
    if actor.kindergarten is None:
        return []
    from houqin.canteen.models import DietSurvey, MealAccount, Menu
    from houqin.canteen.rules import rules_for
    from houqin.canteen.selectors import week_start_of

    kg = actor.kindergarten
    today = timezone.localdate()
    todos: list[Todo] = []
    if actor.has("canteen.menu.publish"):
        monday = week_start_of(today)
        published = set(Menu.objects.active().filter(kindergarten=kg, status="published",
                                                     week_start__in=[monday, monday + dt.timedelta(days=7)])
                        .values_list("week_start", flat=True))
        url = reverse("canteen:menu_list", kwargs={"kg": kg.slug})
        if today.weekday() < 5 and monday not in published:
            todos.append(Todo(title=_("This week's menu has not been published"), url=url, urgency=3, area="canteen",
                              due=monday))
        elif today.weekday() >= 3 and monday + dt.timedelta(days=7) not in published:
            todos.append(Todo(title=_("Publish next week's menu"), url=url, urgency=2, area="canteen",
                              due=monday + dt.timedelta(days=7)))
        rules = rules_for(kg)
        every = int(rules.value("survey.every_days"))
        if not DietSurvey.objects.active().filter(kindergarten=kg, month__gte=today - dt.timedelta(days=every)).exists():
            todos.append(Todo(title=_("No diet survey in the last %(n)d days") % {"n": every},
                              url=reverse("canteen:survey", kwargs={"kg": kg.slug}), urgency=2, area="canteen"))
    if actor.has("canteen.account.change"):
        last = _month_start(_month_start(today) - dt.timedelta(days=1))
        published = MealAccount.objects.active().filter(kindergarten=kg, month=last, status="published").exists()
        if not published:
            day = int(rules_for(kg).value("account.publish_day"))
            todos.append(Todo(title=_("Publish the meal account of %(month)s") % {"month": f"{last:%Y-%m}"},
                              url=reverse("canteen:account_list", kwargs={"kg": kg.slug}),
                              urgency=3 if today.day > day else 2, area="canteen",
                              due=_month_start(today).replace(day=min(day, 28))))
    return todos


def _pct(values) -> Decimal | None:
    if not values:
        return None
    return (Decimal(str(sum(values))) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@register_figures
def canteen_figures(kindergartens, start, end) -> dict[int, list[Figure]]:
    from houqin.canteen.selectors import pct, term_figures

    data = term_figures(kindergartens, start, end)
    result = {}
    for k in kindergartens:
        d = data[k.pk]
        menus_url = reverse("canteen:menu_list", kwargs={"kg": k.slug})
        account = d["account"]
        balance_pct = pct(account[0], account[1]) if account and account[1] else None
        result[k.pk] = [
            Figure("canteen.menus_published", _("Weekly menus published"), d["menus"], unit=_("weeks"),
                   section="meals", url=menus_url, district=True),
            Figure("canteen.energy_adequacy", _("Energy of the menus, % of the reference intake"), _pct(d["energy"]),
                   unit="%", section="meals", url=menus_url, detail=_("average of %(n)d published menus, middle class")
                   % {"n": len(d["energy"])}, district=True),
            Figure("canteen.protein_adequacy", _("Protein of the menus, % of the reference intake"),
                   _pct(d["protein"]), unit="%", section="meals", url=menus_url, district=True),
            Figure("canteen.account_balance", _("Meal account surplus or deficit, cumulated"), balance_pct, unit="%",
                   section="meals", url=reverse("canteen:account_list", kwargs={"kg": k.slug}),
                   detail=f"{account[0]} / {account[1]}" if account else "", district=True),
            Figure("canteen.diet_surveys", _("Diet surveys done"), d["surveys"], unit=_("times"), section="meals",
                   url=reverse("canteen:survey", kwargs={"kg": k.slug}), district=True),
        ]
    return result


@register_findings({"canteen.account_late": gettext_lazy("Meal account published late")})
def canteen_findings(kindergarten, start, end) -> list[Finding]:
    """A meal account published after the publishing day of the next month (against who published it)."""
    from houqin.canteen.models import MealAccount
    from houqin.canteen.rules import rules_for

    day = int(rules_for(kindergarten).value("account.publish_day"))
    found = []
    accounts = MealAccount.objects.active().filter(kindergarten=kindergarten, status="published",
                                                   published_at__date__gte=start, published_at__date__lte=end)
    for a in accounts:
        nxt = (a.month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        deadline = nxt.replace(day=min(day, 28))
        published = timezone.localdate(a.published_at)
        if published > deadline and a.published_by_id:
            found.append(Finding("canteen.account_late", str(_("Meal account published late")), a.published_by_id,
                                 published, _("The meal account of %(month)s was published on %(day)s, after %(deadline)s.")
                                 % {"month": f"{a.month:%Y-%m}", "day": published, "deadline": deadline},
                                 url=reverse("canteen:account_detail", kwargs={"kg": kindergarten.slug,
                                                                               "month": f"{a.month:%Y-%m}"})))
    return found

"""Menu entries of the reports area (imported from AppConfig.ready); the figure providers of the
storeroom, assets and money live in houqin.reports.figures."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from houqin.core.registry import NavItem, Todo, register_district_todos, register_nav
from houqin.reports import figures  # noqa: F401  (registers the figure providers)

register_nav(NavItem(gettext_lazy("Parents' corner"), "reports:family", "reports.family.view", icon="heart", order=5))
register_nav(NavItem(gettext_lazy("Semester summary"), "reports:term_list", "reports.summary.view", icon="journal-richtext", order=95))


@register_district_todos
def reports_district_todos(actor) -> list[Todo]:
    """The supervisor: the kindergartens whose figures this term break a rule (the comparison's
    marks), one todo linking to the comparison filtered and sorted to them."""
    if actor.district is None or not actor.has("reports.district.compare"):
        return []
    from houqin.reports import district, services

    _name, start, end = services.default_term_for(timezone.localdate())
    table = district.comparison(district=actor.district, start=start, end=end, sort="flags", direction="desc",
                                flagged=True)
    if not table["rows"]:
        return []
    n = len(table["rows"])
    url = reverse("reports:district_compare", kwargs={"district": actor.district.slug})
    return [Todo(title=ngettext("%(n)d kindergarten breaks a rule this term", "%(n)d kindergartens break a rule this term",
                                n) % {"n": n},
                 url=f"{url}?flagged=1&sort=flags&dir=desc", urgency=2, area="reports",
                 detail="、".join(f"{r['kindergarten'].name}（{r['flags']}）" for r in table["rows"][:5])
                 + ("…" if n > 5 else ""),
                 extra={"count": n})]

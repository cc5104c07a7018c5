"""Where areas plug into the shell: menu entries, to-do providers, term figures and findings.

Each app registers its entries in its AppConfig.ready(); the core never names an area.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    capability: str
    icon: str = "dot"  # a Bootstrap Icons name (https://icons.getbootstrap.com), shown as <i class="bi bi-…">
    order: int = 100
    section: str = ""


@dataclass
class Todo:
    """One thing someone has to do: overdue, expiring, missing, waiting for a signature."""

    title: str
    url: str
    urgency: int = 1  # 3 red (overdue, today), 2 amber (soon), 1 normal
    detail: str = ""
    area: str = ""
    due: object = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Figure:
    """A figure the records give for a period, for the semester summary and the district comparison.

    Nothing is typed in: `value` is counted from records, and `url` opens those records (a list page
    filtered to the period) so that every number in a report can be checked.
    """

    key: str  # stable identifier, "<area>.<name>", e.g. "health.exam_rate"
    label: str  # translated label, e.g. 体检率
    value: object  # int | Decimal | None (None: nothing recorded, shown as "—")
    unit: str = ""  # "%", "次", "人", "元", …
    section: str = ""  # summary section: safety, health, meals, assets, staff
    url: str = ""
    detail: str = ""  # how it was counted, e.g. "598 / 612"
    items: tuple = ()  # the events behind it, one short line each ("10月9日 消防疏散演练，2分10秒")
    district: bool = False  # the bureau compares kindergartens on it


@dataclass(frozen=True)
class Finding:
    """A recorded fact that counts against one person in the monthly staff assessment (a missing
    food sample, a missed disinfection record, an overdue hazard assigned to them)."""

    kind: str  # stable identifier, "<area>.<name>", e.g. "foodsafety.sample_missing"
    label: str  # translated name of the kind
    user_id: int
    date: object  # datetime.date
    description: str
    url: str = ""


SECTIONS = ("safety", "health", "meals", "assets", "staff")

NAV_ITEMS: list[NavItem] = []
TODO_PROVIDERS: list[Callable] = []
DISTRICT_TODO_PROVIDERS: list[Callable] = []
FIGURE_PROVIDERS: list[Callable] = []
FIGURE_KEYS: dict[Callable, frozenset[str]] = {}  # the keys a provider gives, when it says (register_figures)
FINDING_PROVIDERS: list[Callable] = []
FINDING_KINDS: dict[str, str] = {}
# The menu's entries built once per process for each kindergarten and set of roles (see nav_for).
_NAV_CACHE: dict[tuple, tuple[dict, ...]] = {}
_NAV_CACHE_MAX = 4096


def register_nav(item: NavItem) -> None:
    if item not in NAV_ITEMS:
        NAV_ITEMS.append(item)
        NAV_ITEMS.sort(key=lambda i: (i.order, i.url_name))
        _NAV_CACHE.clear()


def register_todos(provider: Callable) -> Callable:
    """Decorate a function `(actor) -> list[Todo]`; it is asked for the home page's to-dos."""
    if provider not in TODO_PROVIDERS:
        TODO_PROVIDERS.append(provider)
    return provider


def register_district_todos(provider: Callable) -> Callable:
    """Decorate a function `(actor) -> list[Todo]` for a district supervisor (`actor.district`):
    what needs the supervisor today (reports to acknowledge, reports overdue, rules broken). It
    reads received reports and aggregates, never a child's record."""
    if provider not in DISTRICT_TODO_PROVIDERS:
        DISTRICT_TODO_PROVIDERS.append(provider)
    return provider


def register_figures(provider: Callable | None = None, *, keys=None):
    """Decorate a function `(kindergartens, start, end) -> {kindergarten.pk: [Figure, ...]}`.

    It gets a list of kindergartens so that the district comparison costs a fixed number of
    queries (aggregate with `values("kindergarten_id")`), not a number per kindergarten.

    `@register_figures(keys=[...])` also says which figure keys the provider gives, all of them: a
    caller that needs only some keys (figures_for(..., keys=...)) then does not ask a provider that
    gives none of them. (reports/tests/test_district.py holds every such provider to its list.)
    """

    def add(fn: Callable) -> Callable:
        if fn not in FIGURE_PROVIDERS:
            FIGURE_PROVIDERS.append(fn)
        if keys is not None:
            FIGURE_KEYS[fn] = frozenset(keys)
        return fn

    return add(provider) if provider is not None else add


def register_findings(kinds: dict[str, str]):
    """Decorate a function `(kindergarten, start, end) -> [Finding, ...]`; `kinds` maps each kind
    it can return to its translated label, so that assessment items can be linked to kinds."""

    def decorate(provider: Callable) -> Callable:
        FINDING_KINDS.update(kinds)
        if provider not in FINDING_PROVIDERS:
            FINDING_PROVIDERS.append(provider)
        return provider

    return decorate


def figures_for(kindergartens, start, end, *, keys=None) -> dict[int, list[Figure]]:
    """Every provider's figures per kindergarten; with `keys` (a set), the providers that declared
    their keys (register_figures) and give none of `keys` are skipped (the others give all theirs)."""
    result: dict[int, list[Figure]] = {k.pk: [] for k in kindergartens}
    for provider in FIGURE_PROVIDERS:
        if keys is not None and provider in FIGURE_KEYS and not FIGURE_KEYS[provider] & keys:
            continue
        for pk, figures in provider(kindergartens, start, end).items():
            result.setdefault(pk, []).extend(figures)
    return result


def findings_for(kindergarten, start, end) -> list[Finding]:
    found: list[Finding] = []
    for provider in FINDING_PROVIDERS:
        found.extend(provider(kindergarten, start, end))
    found.sort(key=lambda f: (str(f.date), f.kind))
    return found


def nav_for(actor) -> list[dict]:
    """The menu entries the actor may open, in menu order (labels stay lazy: translated when shown).

    Which entries show depends only on the actor's roles (`Actor.has` reads the roles' grants in the
    fixed policy table) and their URLs only on the kindergarten's slug and the URL configuration, so
    the entries are built once per process for each (kindergarten, roles, URL configuration) and
    again whenever an entry is registered; each call gets copies."""
    if actor is None or actor.kindergarten is None:
        return []
    from django.conf import settings
    from django.urls import get_script_prefix, get_urlconf

    slug = actor.kindergarten.slug
    key = (slug, actor.roles, settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())
    entries = _NAV_CACHE.get(key)
    if entries is None:
        entries = tuple(
            {"label": item.label, "url": reverse(item.url_name, kwargs={"kg": slug}), "icon": item.icon,
             "url_name": item.url_name, "area": item.url_name.partition(":")[0] if ":" in item.url_name else ""}
            for item in NAV_ITEMS
            if actor.has(item.capability)
        )
        if len(_NAV_CACHE) >= _NAV_CACHE_MAX:  # many kindergartens on one instance: start again
            _NAV_CACHE.clear()
        _NAV_CACHE[key] = entries
    return [dict(entry) for entry in entries]


def tab_links(context, entries) -> dict:
    """An area's own links above its pages: `entries` are (url name, capability, label); the ones
    the actor may open, the current one marked; none when only one would show."""
    actor = context.get("actor")
    request = context.get("request")
    if actor is None or actor.kindergarten is None:
        return {"links": []}
    kg = actor.kindergarten.slug
    current = request.resolver_match.view_name if request is not None and request.resolver_match else ""
    links = [{"url": reverse(name, kwargs={"kg": kg}), "label": label, "active": name == current}
             for name, capability, label in entries if actor.has(capability)]
    return {"links": links if len(links) > 1 else []}


def nav_sections(items: list[dict]) -> list[dict]:
    """The menu grouped by area (the URL namespace, which is the app label), in the order of each
    area's first item; the organisation's entries and the home page form the first, untitled group."""
    from django.apps import apps

    sections: dict[str, dict] = {}
    for item in items:
        area = "" if item["area"] in ("", "org") else item["area"]
        if area not in sections:
            label = ""
            if area:
                try:
                    label = apps.get_app_config(area).verbose_name
                except LookupError:
                    label = area
            sections[area] = {"area": area, "label": label, "items": []}
        sections[area]["items"].append(item)
    return list(sections.values())


def todos_for(actor) -> list[Todo]:
    todos: list[Todo] = []
    for provider in TODO_PROVIDERS:
        todos.extend(provider(actor))
    todos.sort(key=lambda t: (-t.urgency, str(t.due or "")))
    return todos


def district_todos_for(actor) -> list[Todo]:
    todos: list[Todo] = []
    for provider in DISTRICT_TODO_PROVIDERS:
        todos.extend(provider(actor))
    todos.sort(key=lambda t: (-t.urgency, str(t.due or "")))
    return todos

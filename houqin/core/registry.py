"""Where areas plug into the shell: menu entries and to-do providers.

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
    icon: str = "•"
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


NAV_ITEMS: list[NavItem] = []
TODO_PROVIDERS: list[Callable] = []


def register_nav(item: NavItem) -> None:
    if item not in NAV_ITEMS:
        NAV_ITEMS.append(item)
        NAV_ITEMS.sort(key=lambda i: (i.order, i.url_name))


def register_todos(provider: Callable) -> Callable:
    """Decorate a function `(actor) -> list[Todo]`; it is asked for the home page's to-dos."""
    if provider not in TODO_PROVIDERS:
        TODO_PROVIDERS.append(provider)
    return provider


def nav_for(actor) -> list[dict]:
    if actor is None or actor.kindergarten is None:
        return []
    slug = actor.kindergarten.slug
    return [
        {"label": item.label, "url": reverse(item.url_name, kwargs={"kg": slug}), "icon": item.icon,
         "url_name": item.url_name}
        for item in NAV_ITEMS
        if actor.has(item.capability)
    ]


def todos_for(actor) -> list[Todo]:
    todos: list[Todo] = []
    for provider in TODO_PROVIDERS:
        todos.extend(provider(actor))
    todos.sort(key=lambda t: (-t.urgency, str(t.due or "")))
    return todos

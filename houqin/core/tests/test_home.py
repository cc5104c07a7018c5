"""The home page gathers every area's to-dos, most urgent first; the menu shows counts per area."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from houqin.core.registry import TODO_PROVIDERS, Todo, register_todos

pytestmark = pytest.mark.django_db


@pytest.fixture
def planted_todos():
    """A provider registered for the test (and removed after): the real registry, not a mock."""

    def provider(actor):
        if actor.kindergarten is None or not actor.has("stock.receive"):
            return []
        return [
            Todo(title="Amber thing", url="/a", urgency=2, area="stock"),
            Todo(title="Normal thing", url="/n", urgency=1, area="finance"),
            Todo(title="Red thing", url="/r", urgency=3, area="stock"),
        ]

    register_todos(provider)
    yield provider
    TODO_PROVIDERS.remove(provider)


def test_home_groups_todos_by_urgency_most_urgent_first(world, login, planted_todos):
    client = login(world.k1.users["director"])
    html = client.get(reverse("home", kwargs={"kg": world.k1.kg.slug})).content.decode()
    assert html.index('data-testid="todo-group-urgent"') < html.index('data-testid="todo-group-soon"') \
        < html.index('data-testid="todo-group-waiting"')
    assert html.index("Red thing") < html.index("Amber thing") < html.index("Normal thing")


def _badges(html: str) -> dict[str, tuple[str, str]]:
    """{badge id: (css classes, text)} of the out-of-band count badges."""
    pattern = r'<span class="([^"]*)" id="nav-count-([\w-]+)"[^>]*>(\d+)</span>'
    return {m[2]: (m[1], m[3]) for m in re.finditer(pattern, html)}


def test_menu_counts_come_per_area_with_the_urgent_ones_red(world, login, planted_todos):
    client = login(world.k1.users["director"])
    url = reverse("todo_counts", kwargs={"kg": world.k1.kg.slug})
    page = client.get(reverse("org:class_list", kwargs={"kg": world.k1.kg.slug})).content.decode()
    assert f'hx-get="{url}"' in page  # the menu asks for its counts after the page
    badges = _badges(client.get(url).content.decode())
    others = _others(world)
    assert "bg-danger" in badges["stock"][0] and int(badges["stock"][1]) == 2 + others.get("stock", 0)
    if not others.get("finance"):
        assert "bg-warning" in badges["finance"][0] and badges["finance"][1] == "1"
    assert int(badges["all"][1]) == 3 + sum(others.values())


def _others(world) -> Counter:
    """To-dos per area that the other (real) providers give the director on the test world."""
    from houqin import policy
    from houqin.core.registry import todos_for

    actor = policy.actor_for_kindergarten(world.k1.users["director"], world.k1.kg)
    counts = Counter(t.area for t in todos_for(actor))
    counts.subtract({"stock": 2, "finance": 1})
    return +counts


def test_a_parent_gets_no_staff_counts(world, login, planted_todos):
    client = login(world.k1.users["parent"])
    html = client.get(reverse("todo_counts", kwargs={"kg": world.k1.kg.slug})).content.decode()
    assert "nav-count-stock" not in html


def test_todays_to_dos_come_first_and_a_long_list_folds_what_can_wait(world, login):
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()

    def provider(actor):
        if actor.kindergarten is None or not actor.has("stock.receive"):
            return []
        later = [Todo(title=f"Later {i}", url=f"/l{i}", urgency=1, area="finance") for i in range(12)]
        return [Todo(title="Overdue thing", url="/o", urgency=3, area="stock", due=today - dt.timedelta(days=3)),
                Todo(title="Amber today", url="/t2", urgency=2, area="stock", due=today),
                Todo(title="Red today", url="/t3", urgency=3, area="safety", due=today), *later]

    register_todos(provider)
    try:
        client = login(world.k1.users["director"])
        html = client.get(reverse("home", kwargs={"kg": world.k1.kg.slug})).content.decode()
    finally:
        TODO_PROVIDERS.remove(provider)
    assert html.index('data-testid="todo-group-today"') < html.index('data-testid="todo-group-urgent"')
    assert html.index("Red today") < html.index("Amber today") < html.index("Overdue thing")

    def group_open(key):
        start = html.rindex("<details", 0, html.index(f'data-testid="todo-group-{key}"'))
        return " open" in html[start:html.index(">", start)]

    assert group_open("today") and group_open("urgent") and not group_open("waiting")
    # the director's many shortcut tiles fold under one heading
    assert 'data-testid="tiles"' in html


def test_a_short_list_stays_open(world, login):
    def provider(actor):
        return [Todo(title="Red", url="/r", urgency=3, area="health"), Todo(title="Amber", url="/a", urgency=2),
                Todo(title="Normal", url="/n", urgency=1)]

    register_todos(provider)
    try:
        html = login(world.k1.users["class_teacher"]).get(reverse("home", kwargs={"kg": world.k1.kg.slug}))
    finally:
        TODO_PROVIDERS.remove(provider)
    html = html.content.decode()
    assert 3 <= html.count('class="hq-todo ') <= 10  # the planted three and what the test world gives
    assert html.count('<details class="hq-todo-group" open>') == html.count('class="hq-todo-group"') >= 3

"""替代餐 on a real menu: publishing a menu that serves a child's allergen with no substitute is refused,
naming the day, meal, dish, allergen and children, and nothing changes; the health teacher picks a
substitute (never one with the same allergen); the kitchen list and the class cards show who gets
what instead, each reader only the children of their scope; the demo's egg-allergic child gets a
substitute on every egg day."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from houqin.canteen import services, substitutes
from houqin.canteen.models import Menu, MenuEntry, MenuStatus, MenuSubstitute
from houqin.canteen.tests.conftest import MONDAY, RICE, actor_of, food, make_menu, register
from houqin.core.errors import DomainError, Forbidden
from houqin.org.models import Role
from houqin.testing import ChildFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def egg_menu(world, health, dishes):
    """Mon–Fri: milk, rice, greens with pork; Monday and Thursday lunch also the steamed egg."""
    menu = make_menu(health, dishes)
    for day in (0, 3):
        services.entry_add(actor=health, menu=menu, day=day, meal="lunch", dish=dishes["egg"])
    return menu


@pytest.fixture
def tofu(health):
    return services.dish_save(actor=health, name="番茄豆腐", category="meat", ingredients=[
        {"food": food(RICE), "grams_raw": "10"}])


def _egg_entries(menu):
    return list(MenuEntry.objects.filter(menu=menu, dish_name="蒸鸡蛋羹").order_by("day"))


def test_publishing_with_an_allergen_and_no_substitute_is_refused_naming_everything(world, health, egg_menu):
    child = world.k1.own_child
    register(child, "egg")
    with pytest.raises(DomainError) as caught:
        services.menu_publish(actor=health, menu=egg_menu, notify=False)
    text = " ".join(e["message"] for e in caught.value.errors)
    assert f"Mon Lunch: 蒸鸡蛋羹 contains Egg and has no substitute for {child.name}（{child.school_class.name}）." in text
    assert "Thu Lunch: 蒸鸡蛋羹" in text
    egg_menu.refresh_from_db()
    assert egg_menu.status == MenuStatus.DRAFT and egg_menu.published_at is None


def test_the_refusal_is_in_chinese_on_the_page(world, login, egg_menu):
    register(world.k1.own_child, "egg")
    client = login(world.k1.users[Role.HEALTH_TEACHER])
    with translation.override("zh-hans"):
        r = client.post(f"/k/k1/canteen/menus/{egg_menu.code}/publish/", follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = r.content.decode()
    assert "周一" in body and "午餐" in body and "蒸鸡蛋羹" in body and "鸡蛋" in body and world.k1.own_child.name in body
    assert "替代" in body
    egg_menu.refresh_from_db()
    assert egg_menu.status == MenuStatus.DRAFT


def test_a_substitute_for_every_egg_day_lets_the_menu_publish(world, health, dishes, egg_menu, tofu):
    child = world.k1.own_child
    register(child, "egg")
    register(world.k1.other_child, "egg", end=MONDAY + dt.timedelta(days=1))  # over by Thursday
    first, second = _egg_entries(egg_menu)
    # a substitute with the same allergen, or for an allergen the dish does not have: refused
    with pytest.raises(DomainError, match="contains Egg too"):
        substitutes.substitute_set(actor=health, entry=first, avoid="egg", dish=dishes["egg"])
    with pytest.raises(DomainError, match="does not contain"):
        substitutes.substitute_set(actor=health, entry=first, avoid="peanut", dish=tofu)
    # the kitchen cannot choose substitutes
    with pytest.raises(Forbidden):
        substitutes.substitute_set(actor=actor_of(world, Role.CANTEEN), entry=first, avoid="egg", dish=tofu)
    substitutes.substitute_set(actor=health, entry=first, avoid="egg", dish=tofu)
    with pytest.raises(DomainError):
        services.menu_publish(actor=health, menu=egg_menu, notify=False)  # Thursday still missing
    substitutes.substitute_set(actor=health, entry=second, avoid="egg", dish=tofu)
    services.menu_publish(actor=health, menu=egg_menu, notify=False)
    rows = substitutes.menu_rows(egg_menu)
    assert [(r["child"], r["date"], r["substitute"]) for r in rows] == [
        *sorted([(child.name, MONDAY, "番茄豆腐"), (world.k1.other_child.name, MONDAY, "番茄豆腐")]),
        (child.name, MONDAY + dt.timedelta(days=3), "番茄豆腐")]
    # removing a substitute: no dish
    substitutes.substitute_set(actor=health, entry=second, avoid="egg", dish=None)
    assert MenuSubstitute.objects.count() == 1


def test_a_notes_only_allergy_is_not_read_any_more(world, health, egg_menu):
    child = world.k1.own_child
    child.notes = "对鸡蛋过敏"
    child.save()
    assert substitutes.menu_rows(egg_menu) == []
    services.menu_publish(actor=health, menu=egg_menu, notify=False)  # nothing in the register: publishes


def test_the_halal_child_avoids_pork(world, health, dishes, egg_menu):
    register(world.k1.own_child, "halal", kind="diet")
    rows = substitutes.menu_rows(egg_menu)
    assert {r["dish"] for r in rows} == {"青菜肉丝"} and len(rows) == 5


@pytest.mark.parametrize("role, seen", [
    (Role.HEALTH_TEACHER, {"own", "other"}), (Role.CANTEEN, {"own", "other"}), (Role.PRINCIPAL, {"own", "other"}),
    (Role.CLASS_TEACHER, {"own"}), (Role.NURSERY, {"own"}),
])
def test_the_kitchen_list_and_class_cards_are_scoped_to_the_reader(world, login, health, egg_menu, tofu, role, seen):
    children = {"own": world.k1.own_child, "other": world.k1.other_child}
    for c in children.values():
        register(c, "egg", reaction="父母离异，由外婆接送")
    for entry in _egg_entries(egg_menu):
        substitutes.substitute_set(actor=health, entry=entry, avoid="egg", dish=tofu)
    client = login(world.k1.users[role])
    for url in (f"/k/k1/canteen/menus/{egg_menu.code}/substitutes/",
                f"/k/k1/canteen/menus/{egg_menu.code}/substitutes/?class={world.k1.own_class.pk}",
                f"/api/k/k1/canteen/menus/{egg_menu.code}/substitutes"):
        r = client.get(url)
        assert r.status_code == 200, url
        body = r.content.decode() if not url.startswith("/api/") else r.content.decode("unicode_escape")
        assert "外婆" not in body, url
        expected = seen if "class=" not in url else seen & {"own"}
        assert {k for k, c in children.items() if c.name in body} == expected, url
        assert "番茄豆腐" in body
    assert client.get(f"/k/k1/canteen/menus/{egg_menu.code}/substitutes/?class=999999").status_code == 404


def test_parents_and_the_storekeeper_do_not_see_the_kitchen_list(world, login, egg_menu):
    for role in (Role.PARENT, Role.STOREKEEPER):
        client = login(world.k1.users[role])
        assert client.get(f"/k/k1/canteen/menus/{egg_menu.code}/substitutes/").status_code == 403
        assert client.get(f"/api/k/k1/canteen/menus/{egg_menu.code}/substitutes").status_code == 403


def test_the_health_teacher_picks_a_substitute_on_the_menu_page_and_the_api(world, login, egg_menu, tofu, dishes):
    register(world.k1.own_child, "egg")
    client = login(world.k1.users[Role.HEALTH_TEACHER])
    page = client.get(f"/k/k1/canteen/menus/{egg_menu.code}/").content.decode()
    assert 'data-testid="substitute-edit"' in page and 'value="egg"' in page
    assert f'value="{dishes["egg"].code}"' not in page.split('data-testid="substitute-edit"')[1].split("</section>")[0]
    first, second = _egg_entries(egg_menu)
    r = client.post(f"/k/k1/canteen/menus/{egg_menu.code}/entries/{first.code}/substitute/",
                    {"avoid": "egg", "dish": str(tofu.code)})
    assert r.status_code == 302 and MenuSubstitute.objects.get().entry == first
    api = client.post(f"/api/k/k1/canteen/menus/{egg_menu.code}/entries/{second.code}/substitute",
                      {"avoid": "egg", "dish": str(dishes["egg"].code)}, content_type="application/json")
    assert api.status_code == 422 and "鸡蛋" in api.json()["detail"] and MenuSubstitute.objects.count() == 1
    api = client.post(f"/api/k/k1/canteen/menus/{egg_menu.code}/entries/{second.code}/substitute",
                      {"avoid": "egg", "dish": str(tofu.code)}, content_type="application/json")
    assert api.status_code == 200 and api.json()["missing"] == 0
    canteen = login(world.k1.users[Role.CANTEEN])
    assert canteen.post(f"/k/k1/canteen/menus/{egg_menu.code}/entries/{first.code}/substitute/",
                        {"avoid": "egg", "dish": ""}).status_code == 403
    assert MenuSubstitute.objects.count() == 2


@pytest.mark.parametrize("url", ["/k/k1/canteen/menus/{code}/substitutes/", "/api/k/k1/canteen/menus/{code}/substitutes",
                                 "/k/k1/canteen/menus/{code}/"])
def test_the_substitute_pages_run_a_fixed_number_of_queries(world, login, health, egg_menu, tofu, url):
    client = login(world.k1.users[Role.HEALTH_TEACHER])
    url = url.format(code=egg_menu.code)
    assert client.get(url).status_code == 200
    counts = []
    for _round in range(2):
        for c in world.k1.classes:
            register(ChildFactory(school_class=c, sex="M"), "egg")
            register(ChildFactory(school_class=c, sex="F"), "halal", kind="diet")
        for entry in _egg_entries(egg_menu):
            substitutes.substitute_set(actor=health, entry=entry, avoid="egg", dish=tofu)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_demo_egg_child_gets_a_substitute_on_every_egg_day_and_the_kitchen_list_shows_it(demo_built, client):
    from houqin.health.models import DietRecord
    from houqin.org import demo
    from houqin.org.models import Kindergarten

    kg = Kindergarten.objects.get(slug="demo")
    monday = demo.dates_for().week_start
    menu = Menu.objects.active().get(kindergarten=kg, week_start=monday)
    assert menu.status == MenuStatus.PUBLISHED
    egg = DietRecord.objects.get(kindergarten=kg, allergen="egg", status="confirmed")
    rows = [r for r in substitutes.menu_rows(menu) if r["child_id"] == egg.child_id]
    egg_entries = [e for e in MenuEntry.objects.filter(menu=menu).prefetch_related("foods__food")
                   if "egg" in substitutes.dish_tags(ef.food for ef in e.foods.all())]
    assert egg_entries, "this week's demo menu serves egg"
    assert {r["entry_id"] for r in rows} == {e.pk for e in egg_entries}
    assert all(r["substitute"] for r in rows)
    assert substitutes.uncovered(substitutes.menu_rows(menu)) == []
    # a child of each allergy and the halal diet is on the register
    keys = set(DietRecord.objects.filter(kindergarten=kg, status="confirmed").values_list("allergen", "diet"))
    assert {("egg", ""), ("milk", ""), ("peanut", ""), ("shellfish", ""), ("", "halal")} <= keys
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="canteen"))
    page = client.get(f"/k/demo/canteen/menus/{menu.code}/substitutes/").content.decode()
    assert page.count(egg.child.name) >= len(egg_entries)
    assert 'data-testid="substitutes-missing"' not in page


def test_a_copied_menu_keeps_the_substitutes(world, health, egg_menu, tofu):
    register(world.k1.own_child, "egg")
    for entry in _egg_entries(egg_menu):
        substitutes.substitute_set(actor=health, entry=entry, avoid="egg", dish=tofu)
    copy = services.menu_create(actor=health, week_start=MONDAY + dt.timedelta(days=7), copy_from=egg_menu)
    assert MenuSubstitute.objects.filter(entry__menu=copy).count() == 2
    services.menu_publish(actor=health, menu=copy, notify=False)


def test_the_tags_of_the_library_in_one_query_are_those_of_the_whole_foods(world, health, dishes, tofu,
                                                                             django_assert_num_queries):
    """The menu page reads the library's avoid tags from the foods' tag fields only (dishes_tags): the same
    tags as dish_tags over the whole foods, in one query, an empty dish with none."""
    from houqin.canteen.models import Dish

    empty = Dish.objects.create(kindergarten=world.k1.kg, name="空菜", category="soup")
    library = list(Dish.objects.filter(kindergarten=world.k1.kg).prefetch_related("ingredients__food"))
    expected = {d.pk: substitutes.dish_tags(i.food for i in d.ingredients.all()) for d in library}
    assert expected[dishes["egg"].pk] >= {"egg"} and any("pork" in t for t in expected.values())
    with django_assert_num_queries(1):
        got = substitutes.dishes_tags(d.pk for d in library)
    assert got == expected and got[empty.pk] == frozenset()


@pytest.mark.parametrize("role", [Role.HEALTH_TEACHER, Role.CLASS_TEACHER, Role.PARENT])
def test_in_scope_marks_the_rows_scoped_keeps(world, role):
    """policy.in_scope (an annotation) and policy.scoped (a filter) agree row by row: every reader's
    part of the allergy register, the class teacher's one class, the parent's none."""
    from houqin import policy
    from houqin.health.models import DietRecord

    for school_class in world.k1.classes:
        register(ChildFactory(school_class=school_class, sex="M"), "egg")
    reader = actor_of(world, role)
    marked = dict(DietRecord.objects.annotate(mine=policy.in_scope(reader, "canteen.allergy.view", DietRecord))
                  .values_list("pk", "mine"))
    kept = set(policy.scoped(reader, "canteen.allergy.view", DietRecord.objects.all()).values_list("pk", flat=True))
    assert {pk for pk, mine in marked.items() if mine} == kept and len(marked) == len(world.k1.classes) + len(
        DietRecord.objects.filter(kindergarten=world.k2.kg))
    assert len(kept) == {Role.HEALTH_TEACHER: len(world.k1.classes), Role.CLASS_TEACHER: 1, Role.PARENT: 0}[role]


@pytest.mark.parametrize("role", [Role.HEALTH_TEACHER, Role.CLASS_TEACHER])
def test_the_menu_data_read_once_gives_the_warnings_and_the_editor_what_each_reads_alone(world, health, egg_menu,
                                                                                          tofu, role):
    """substitutes.menu_data reads the register once for the menu page: the warnings' rows (the reader's
    children) and the editor's entries (every child) are those menu_rows and edit_data read themselves."""
    from houqin.canteen.selectors import menu_entries

    for school_class in world.k1.classes:
        register(ChildFactory(school_class=school_class, sex="M"), "egg")
    register(ChildFactory(school_class=world.k1.classes[1], sex="F"), "halal", kind="diet")
    substitutes.substitute_set(actor=health, entry=_egg_entries(egg_menu)[0], avoid="egg", dish=tofu)
    reader, entries = actor_of(world, role), menu_entries(egg_menu)
    with CaptureQueriesContext(connection) as ctx:
        data = substitutes.menu_data(egg_menu, entries, actor=reader)
    assert sum("health_dietrecord" in q["sql"] for q in ctx.captured_queries) == 1
    alone = substitutes.menu_rows(egg_menu, entries, actor=reader)
    assert substitutes.menu_rows(egg_menu, entries, actor=reader, data=data) == alone
    assert substitutes.edit_data(egg_menu, entries, data=data) == substitutes.edit_data(egg_menu, entries)
    children = {r["child_id"] for r in alone}
    assert len(children) == (len(world.k1.classes) + 1 if role == Role.HEALTH_TEACHER else 1)
    assert any(r["substitute"] == "番茄豆腐" for r in alone) and any(r["substitute"] is None for r in alone)

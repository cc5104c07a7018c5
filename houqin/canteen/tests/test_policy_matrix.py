"""The canteen's role × route × scope matrix: every page and API GET endpoint, on objects of k1, of
k2 and missing; POST actions under the same policy; and the grants against RELIABILITY.md
Appendix A (menus: staff R K, writers director/health/canteen; parents the published menu and
the published meal account only; the meal account kept by the accountant)."""

import datetime as dt

import pytest
from django.test import Client

from houqin import policy
from houqin.canteen import services
from houqin.canteen.models import Menu
from houqin.canteen.tests.conftest import MONDAY, actor_of, make_dishes, make_menu
from houqin.org.models import Role
from houqin.testing import MISSING, run_matrix

pytestmark = pytest.mark.django_db

ROUTES = [
    ("/k/{kg}/canteen/", "canteen.menu.view", None),
    ("/k/{kg}/canteen/menus/new/", "canteen.menu.change", None),
    ("/k/{kg}/canteen/menus/{code}/", "canteen.menu.view", "menu"),
    ("/k/{kg}/canteen/menus/{code}/analysis/", "canteen.menu.view", "menu"),
    ("/k/{kg}/canteen/menus/{code}/void/", "canteen.menu.publish", "menu"),
    ("/k/{kg}/canteen/published/", "canteen.menu.published", None),
    ("/k/{kg}/canteen/published/{code}/", "canteen.menu.published", "published"),
    ("/k/{kg}/canteen/dishes/", "canteen.menu.view", None),
    ("/k/{kg}/canteen/dishes/new/", "canteen.menu.change", None),
    ("/k/{kg}/canteen/dishes/{code}/", "canteen.menu.change", "dish"),
    ("/k/{kg}/canteen/foods/", "canteen.menu.view", None),
    ("/k/{kg}/canteen/foods/?q=qc", "canteen.menu.view", None),
    ("/k/{kg}/canteen/foods/new/", "canteen.menu.change", None),
    ("/k/{kg}/canteen/survey/", "canteen.menu.view", None),
    ("/k/{kg}/canteen/committee/", "canteen.committee.view", None),
    ("/k/{kg}/canteen/committee/new/", "canteen.committee.change", None),
    ("/k/{kg}/canteen/committee/{code}/", "canteen.committee.view", "meeting"),
    ("/k/{kg}/canteen/account/", "canteen.account.view", None),
    ("/k/{kg}/canteen/account/published/", "canteen.account.published", None),
    ("/k/{kg}/canteen/settings/", "canteen.settings.change", None),
    ("/k/{kg}/canteen/settings/stock-items/", "canteen.settings.change", None),
    ("/k/{kg}/canteen/rules/", "canteen.menu.view", None),
    ("/api/k/{kg}/canteen/foods?q=jd", "canteen.menu.view", None),
    ("/api/k/{kg}/canteen/dishes", "canteen.menu.view", None),
    ("/api/k/{kg}/canteen/dishes/{code}", "canteen.menu.view", "dish"),
    ("/api/k/{kg}/canteen/menus", "canteen.menu.view", None),
    ("/api/k/{kg}/canteen/menus/{code}", "canteen.menu.view", "menu"),
    ("/api/k/{kg}/canteen/menus/{code}/analysis", "canteen.menu.view", "menu"),
    ("/api/k/{kg}/canteen/published", "canteen.menu.published", None),
    ("/api/k/{kg}/canteen/published/{code}", "canteen.menu.published", "published"),
    ("/api/k/{kg}/canteen/served?day=2026-11-16", "canteen.menu.published", None),
    ("/api/k/{kg}/canteen/survey?month=2026-10-01", "canteen.menu.view", None),
    ("/api/k/{kg}/canteen/committee", "canteen.committee.view", None),
    ("/api/k/{kg}/canteen/committee/{code}", "canteen.committee.view", "meeting"),
    ("/api/k/{kg}/canteen/accounts", "canteen.account.view", None),
    ("/api/k/{kg}/canteen/accounts/published", "canteen.account.published", None),
    ("/api/k/{kg}/canteen/rules", "canteen.menu.view", None),
]


def _objects(world):
    made = {}
    for k in ("k1", "k2"):
        health = actor_of(world, Role.HEALTH_TEACHER, k)
        dishes = make_dishes(health)
        draft = make_menu(health, dishes, week_start=MONDAY + dt.timedelta(days=7))
        published = make_menu(health, dishes)
        services.menu_publish(actor=health, menu=published)
        meeting = services.meeting_create(actor=health, held_on=dt.date(2026, 11, 2), members="园长\n李梅 家长代表",
                                          minutes="讨论十月食谱")
        made[k] = {"dish": dishes["greens"], "menu": draft, "published": published, "meeting": meeting}
    k1, k2 = made["k1"], made["k2"]
    return {kind: {"k1": k1[kind], "other_kg": k2[kind], "missing": MISSING}
            for kind in ("dish", "menu", "published", "meeting")}


def test_matrix_every_role_every_route_every_scope(world):
    mismatches, checked = run_matrix(world, ROUTES, _objects(world))
    assert mismatches == []
    assert checked > 500


def test_the_grants_follow_appendix_a():
    grants = {name: cap.grants for name, cap in policy.CAPABILITIES.items() if name.startswith("canteen.")}
    assert set(grants["canteen.menu.change"]) == {Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN}
    assert set(grants["canteen.menu.view"]) == {Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN,
                                                Role.CLASS_TEACHER, Role.NURSERY}
    assert set(grants["canteen.account.change"]) == {Role.ACCOUNTANT}
    assert set(grants["canteen.account.view"]) == {Role.PRINCIPAL, Role.DIRECTOR, Role.ACCOUNTANT}
    for name, by_role in grants.items():
        if name in ("canteen.menu.published", "canteen.account.published"):
            assert by_role[Role.PARENT] == policy.Scope.KINDERGARTEN
        else:
            assert Role.PARENT not in by_role, name
        assert Role.SUPERVISOR not in by_role and Role.GUARD not in by_role or name == "canteen.menu.published", name


def test_posts_follow_the_policy(world):
    """Publishing and adding dishes: only the granted roles, only in their own kindergarten."""
    objects = _objects(world)
    draft = objects["menu"]["k1"]
    other = objects["menu"]["other_kg"]
    dish = objects["dish"]["k1"]
    for role, user in world.k1.users.items():
        client = Client()
        client.force_login(user)
        url = f"/k/k1/canteen/menus/{draft.code}/"
        response = client.post(url, {"day": "0", "meal": "lunch", "dish": str(dish.code), "factor": "1"})
        can = role in policy.CAPABILITIES["canteen.menu.change"].grants
        assert response.status_code == (302 if can else 403), role
        response = client.post(f"/k/k1/canteen/menus/{other.code}/publish/")
        assert response.status_code in (403, 404), role
    assert Menu.objects.get(pk=other.pk).status == "draft"
    publisher = Client()
    publisher.force_login(world.k1.users[Role.CANTEEN])
    assert publisher.post(f"/k/k1/canteen/menus/{draft.code}/publish/").status_code == 403
    publisher.force_login(world.k1.users[Role.HEALTH_TEACHER])
    assert publisher.post(f"/k/k1/canteen/menus/{draft.code}/publish/").status_code == 302
    assert Menu.objects.get(pk=draft.pk).status == "published"


def test_a_parent_never_sees_a_draft_or_another_kindergartens_menu(world):
    objects = _objects(world)
    client = Client()
    client.force_login(world.k1.users[Role.PARENT])
    assert client.get(f"/k/k1/canteen/published/{objects['menu']['k1'].code}/").status_code == 404
    assert client.get(f"/k/k1/canteen/menus/{objects['menu']['k1'].code}/menu.pdf").status_code == 404
    assert client.get(f"/k/k1/canteen/published/{objects['published']['other_kg'].code}/").status_code == 404
    page = client.get(f"/k/k1/canteen/published/{objects['published']['k1'].code}/")
    assert page.status_code == 200 and "青菜肉丝" in page.content.decode()
    assert client.get("/k/k2/canteen/published/").status_code == 404

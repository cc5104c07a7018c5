"""The menu is built once per process for each kindergarten and set of roles (core.registry.nav_for)."""

import pytest
from django.urls import reverse

from houqin import policy
from houqin.core import registry
from houqin.org.models import Role
from houqin.testing import KindergartenFactory, make_member


def _uncached(actor):
    registry._NAV_CACHE.clear()
    return registry.nav_for(actor)


@pytest.mark.django_db
def test_the_cached_menu_is_the_one_built_for_the_roles_and_kindergarten(django_assert_num_queries):
    k1, k2 = KindergartenFactory(slug="navk1"), KindergartenFactory(slug="navk2")
    principal = policy.actor_for_kindergarten(make_member("nav-p", Role.PRINCIPAL, k1), k1)
    teacher = policy.actor_for_kindergarten(make_member("nav-t", Role.CLASS_TEACHER, k1), k1)
    other = policy.actor_for_kindergarten(make_member("nav-p2", Role.PRINCIPAL, k2), k2)
    fresh = {name: _uncached(a) for name, a in (("p", principal), ("t", teacher), ("o", other))}
    registry._NAV_CACHE.clear()
    with django_assert_num_queries(0):
        for _ in range(2):  # built, then from the cache: the same entries either way
            assert registry.nav_for(principal) == fresh["p"]
            assert registry.nav_for(teacher) == fresh["t"]
            assert registry.nav_for(other) == fresh["o"]
    assert len(fresh["t"]) < len(fresh["p"])  # the teacher's menu is not the principal's
    assert all(e["url"].startswith("/k/navk2/") for e in fresh["o"])  # nor another kindergarten's URLs
    assert {e["url_name"] for e in fresh["t"]} == {i.url_name for i in registry.NAV_ITEMS if teacher.has(i.capability)}
    menu = registry.nav_for(principal)
    menu[0]["url"] = "/changed/"
    menu.pop()
    assert registry.nav_for(principal) == fresh["p"]  # a caller's change never reaches the cache


@pytest.mark.django_db
def test_a_registered_entry_shows_at_once(monkeypatch):
    kg = KindergartenFactory(slug="navk3")
    principal = policy.actor_for_kindergarten(make_member("nav-p3", Role.PRINCIPAL, kg), kg)
    before = registry.nav_for(principal)
    monkeypatch.setattr(registry, "NAV_ITEMS", list(registry.NAV_ITEMS))
    registry.register_nav(registry.NavItem("新入口", "org:staff_list", "home.view", order=999))
    after = registry.nav_for(principal)
    assert len(after) == len(before) + 1
    assert after[-1]["label"] == "新入口" and after[-1]["url"] == reverse("org:staff_list", kwargs={"kg": "navk3"})
    registry._NAV_CACHE.clear()

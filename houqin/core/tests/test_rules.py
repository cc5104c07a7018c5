"""One mechanism for the rule figures of every area (core.rules): the shipped figure with its source,
the kindergarten's own value with its own source in its place, the same checks, the same page row
and the same POST for canteen, health, food safety and safety."""

import json
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from houqin import policy
from houqin.core import rules
from houqin.core.errors import DomainError, Forbidden, NotFound
from houqin.core.models import RuleOverride
from houqin.org.models import Role

pytestmark = pytest.mark.django_db

# area: (its rules page, the URL name of a figure's POST)
PAGES = {
    "canteen": ("canteen:rules", "canteen:rule_set"),
    "health": ("health:settings", "health:rule_set"),
    "foodsafety": ("foodsafety:rules", "foodsafety:rule_set"),
    "safety": ("safety:settings", "safety:rule_set"),
    "finance": ("finance:bill_list", "finance:bill_rule_set"),
}
API = {area: f"/api/k/k1/{area}/rules" for area in PAGES}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _roles(area):
    """(a role that may change the area's figures, a staff role that may not)."""
    grants = policy.CAPABILITIES[rules.areas()[area][1]].grants
    allowed = next(r for r in grants if r != Role.SUPERVISOR)
    refused = next(r for r in policy.ALL_STAFF if r not in grants)
    return allowed, refused


def _actor(world, role, k="k1"):
    ns = getattr(world, k)
    return policy.actor_for_kindergarten(ns.users[role], ns.kg)


def _changeable(area) -> rules.Figure:
    """A shipped figure whose value can go one up."""
    return next(f for f in rules.shipped(area).values()
                if f.value is not None and f.value + 1 <= f.maximum)


def test_every_area_with_figures_uses_the_one_mechanism():
    assert set(rules.areas()) == set(PAGES)
    # no area keeps a table of its own overrides any more
    own_tables = [m._meta.label for m in apps.get_models()
                  if re.search(r"Rule(Override|Figure)|^SafetySettings$", m.__name__) and not m.__name__.startswith(
                      "Historical")]
    assert own_tables == ["core.RuleOverride"]
    with translation.override("zh-hans"):
        for area in PAGES:
            shipped = rules.shipped(area)
            assert shipped, area
            for figure in shipped.values():
                assert figure.source.strip(), (area, figure.key)  # every figure says where it comes from
                assert CJK.search(figure.label), (area, figure.key, figure.label)  # and is named in Chinese
                assert figure.value == figure.shipped_value and not figure.overridden


@pytest.mark.parametrize("area", sorted(PAGES))
def test_set_and_clear_through_core_for_each_area(world, area):
    allowed, refused = _roles(area)
    figure = _changeable(area)
    actor = _actor(world, allowed)
    with pytest.raises(DomainError) as exc:  # an own value says where it comes from
        rules.override_set(actor=actor, area=area, key=figure.key, value=figure.value + 1, source=" ")
    assert exc.value.errors[0]["field"] == "source"
    with pytest.raises(Forbidden):
        rules.override_set(actor=_actor(world, refused), area=area, key=figure.key, value=figure.value + 1,
                           source="园务会决定")
    with pytest.raises(NotFound):
        rules.override_set(actor=actor, area=area, key="no.such.figure", value=1, source="园务会决定")
    assert not RuleOverride.objects.exists()

    rules.override_set(actor=actor, area=area, key=figure.key, value=figure.value + 1, source="  区教育局  2026 通知 ")
    mine = rules.figures(world.k1.kg, area)[figure.key]
    assert mine.value == figure.value + 1 and mine.overridden and mine.status == rules.OWN
    assert mine.source == "区教育局 2026 通知" and mine.shipped_value == figure.value
    assert mine.shipped_source == figure.source and not mine.unconfirmed
    assert rules.figures(world.k2.kg, area)[figure.key].value == figure.value  # another kindergarten's stays

    # the shipped value with no other source is the shipped figure again; so is clearing
    assert rules.override_set(actor=actor, area=area, key=figure.key, value=figure.value, source="") is None
    assert not rules.figures(world.k1.kg, area)[figure.key].overridden
    rules.override_set(actor=actor, area=area, key=figure.key, value=figure.value + 1, source="本园规定")
    rules.override_clear(actor=actor, area=area, key=figure.key)
    assert rules.figures(world.k1.kg, area)[figure.key] == figure
    assert RuleOverride.history.filter(key=figure.key).count() >= 3  # the own values it had stay in history


def test_values_are_checked_against_the_figure(world):
    director = _actor(world, Role.DIRECTOR)
    health = _actor(world, Role.HEALTH_TEACHER)

    def refused(actor, area, key, value):
        with pytest.raises(DomainError) as exc:
            rules.override_set(actor=actor, area=area, key=key, value=value, source="本园规定")
        return exc.value.errors[0]["message"]

    with translation.override("en"):
        assert "whole number" in refused(director, "safety", "drills_per_term", "2.5")
        assert "at least 1" in refused(director, "safety", "drills_per_term", "0")
        assert "at most 20" in refused(director, "safety", "drills_per_term", "21")
        assert "number" in refused(director, "safety", "drills_per_term", "三次")
        assert "number" in refused(director, "safety", "drills_per_term", "NaN")
        assert "decimal places" in refused(health, "canteen", "account.balance_limit_pct", "2.555")
        assert "zero or more" in refused(health, "canteen", "account.balance_limit_pct", "-1")
        assert "whole number" in refused(health, "health", "outbreak.hfmd_class.threshold", "1.5")
    assert not RuleOverride.objects.exists()
    # a temperature may be below zero (the sample fridge's lowest)
    row = rules.override_set(actor=director, area="foodsafety", key="sample_fridge_min_c", value="-1.5",
                             source="本园规定")
    assert row.value == Decimal("-1.5")
    assert rules.figures(world.k1.kg, "foodsafety")["sample_fridge_min_c"].value == Decimal("-1.5")


def test_figures_of_many_kindergartens_are_one_query(world):
    health = _actor(world, Role.HEALTH_TEACHER)
    rules.override_set(actor=health, area="canteen", key="account.balance_limit_pct", value="3", source="本园规定")
    with CaptureQueriesContext(connection) as queries:
        found = rules.figures_many([world.k1.kg, world.k2.kg], "canteen")
    assert len(queries) == 1
    assert found[world.k1.kg.pk]["account.balance_limit_pct"].value == 3
    assert found[world.k2.kg.pk]["account.balance_limit_pct"].value == 2


@pytest.mark.parametrize("area", sorted(PAGES))
def test_the_same_page_row_and_post_in_each_area(world, login, area):
    page_name, post_name = PAGES[area]
    allowed, refused = _roles(area)
    figure = _changeable(area)
    page = reverse(page_name, kwargs={"kg": "k1"})
    post = reverse(post_name, kwargs={"kg": "k1", "key": figure.key})

    client = login(world.k1.users[allowed])
    html = client.get(page).content.decode()
    assert html.count('data-testid="figure"') == len(rules.shipped(area))
    assert f'action="{post}"' in html

    # a bad value: a message in Chinese, nothing saved
    response = client.post(post, {"value": "abc", "source": "本园规定"}, follow=True)
    assert "请填写数字" in response.content.decode() and not RuleOverride.objects.exists()

    response = client.post(post, {"value": str(figure.value + 1), "source": "城南区 2026 年通知", "note": "园务会"})
    assert response.status_code == 302 and response["Location"].endswith(f"#rule-{figure.key}")
    html = client.get(page).content.decode()
    row = html[html.index(f'id="rule-{figure.key}"'):]
    row = row[:row.index('data-testid="figure"', 30) if row.count('data-testid="figure"') > 1 else len(row)]
    assert "城南区 2026 年通知" in row and "园务会" in row and 'name="clear"' in row

    # a role the capability does not grant: 403, and its page has no form
    other = login(world.k1.users[refused])
    assert other.post(post, {"value": "1", "source": "x"}).status_code == 403
    assert rules.figures(world.k1.kg, area)[figure.key].value == figure.value + 1

    response = client.post(post, {"clear": "1"})
    assert response.status_code == 302
    assert not rules.figures(world.k1.kg, area)[figure.key].overridden


@pytest.mark.parametrize("area", sorted(PAGES))
def test_the_same_api_in_each_area(world, login, area):
    allowed, refused = _roles(area)
    figure = _changeable(area)
    client = login(world.k1.users[allowed])
    listed = client.get(API[area]).json()
    assert [f["key"] for f in listed] == list(rules.shipped(area))
    assert {"label", "value", "unit", "source", "status", "unconfirmed", "shipped_value"} <= set(listed[0])

    url = f"{API[area]}/{figure.key}"
    body = json.dumps({"value": str(figure.value + 1), "source": "城南区 2026 年通知"})
    assert login(world.k1.users[refused]).post(url, body, content_type="application/json").status_code == 403
    assert client.post(f"{API[area]}/no.such.figure", body, content_type="application/json").status_code == 404
    refused_body = client.post(url, json.dumps({"value": "1", "source": ""}), content_type="application/json")
    assert refused_body.status_code == 422 and not RuleOverride.objects.exists()
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 200
    out = response.json()
    assert Decimal(out["value"]) == figure.value + 1 and out["overridden"] and out["source"] == "城南区 2026 年通知"
    assert Decimal(out["shipped_value"]) == figure.value
    assert rules.figures(world.k1.kg, area)[figure.key].value == figure.value + 1  # the page's figure too
    out = client.post(f"{url}/clear", content_type="application/json").json()
    assert not out["overridden"] and Decimal(out["value"]) == figure.value

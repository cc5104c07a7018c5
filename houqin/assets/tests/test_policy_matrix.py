"""Every role against every page and API read of fixed assets, on objects of its scope, of another
class, of another kindergarten and a missing one: outcomes follow from the declared grants."""

import pytest
from django.test import Client

from houqin.assets.models import Asset, Handover
from houqin.org.models import Role
from houqin.testing import MISSING, expected_status, run_matrix

pytestmark = pytest.mark.django_db

ROUTES = [
    ("/k/{kg}/assets/", "assets.view", None),
    ("/k/{kg}/assets/new/", "assets.change", None),
    ("/k/{kg}/assets/labels.pdf", "assets.view", None),
    ("/k/{kg}/assets/import/", "assets.import", None),
    ("/k/{kg}/assets/export.xlsx", "assets.export", None),
    ("/k/{kg}/assets/{code}/", "assets.view", "asset"),
    ("/k/{kg}/assets/{code}/edit/", "assets.change", "asset"),
    ("/k/{kg}/assets/{code}/state/", "assets.change", "asset"),
    ("/k/{kg}/assets/{code}/scrap/", "assets.scrap", "asset"),
    ("/k/{kg}/assets/{code}/void/", "assets.scrap", "asset"),
    ("/k/{kg}/assets/rooms/", "assets.view", None),
    ("/k/{kg}/assets/rooms/new/", "assets.change", None),
    ("/k/{kg}/assets/rooms/{code}/edit/", "assets.change", "room"),
    ("/k/{kg}/assets/handovers/", "assets.view", None),
    ("/k/{kg}/assets/handovers/open/", "assets.handover.close", None),
    ("/k/{kg}/assets/handovers/{code}/", "assets.view", "handover"),
    ("/k/{kg}/assets/handovers/{code}/close/", "assets.handover.close", "handover"),
    ("/k/{kg}/assets/handovers/{code}/return/", "assets.handover.close", "handover"),
    ("/k/{kg}/assets/handovers/{code}/void/", "assets.handover.close", "handover"),
    ("/k/{kg}/assets/stocktakes/", "assets.view", None),
    ("/k/{kg}/assets/stocktakes/new/", "assets.stocktake", None),
    ("/k/{kg}/assets/stocktakes/{code}/", "assets.view", "stocktake"),
    ("/k/{kg}/assets/stocktakes/{code}/void/", "assets.stocktake", "stocktake"),
    ("/api/k/{kg}/assets", "assets.view", None),
    ("/api/k/{kg}/assets/{code}", "assets.view", "asset"),
    ("/api/k/{kg}/asset-rooms", "assets.view", None),
    ("/api/k/{kg}/asset-handovers", "assets.view", None),
    ("/api/k/{kg}/asset-handovers/{code}", "assets.view", "handover"),
    ("/api/k/{kg}/asset-stocktakes", "assets.view", None),
    ("/api/k/{kg}/asset-stocktakes/{code}", "assets.view", "stocktake"),
    ("/api/k/{kg}/asset-register/export.xlsx", "assets.export", None),
]


def _objects(world, aw):
    return {
        "asset": {"own": aw.chairs, "other_class": aw.other_asset, "kitchen": aw.kitchen_asset,
                  "other_kg": aw.k2_asset, "missing": MISSING},
        "room": {"own": aw.own_room, "other_class": aw.other_room, "kitchen": aw.kitchen, "other_kg": aw.k2_room,
                 "missing": MISSING},
        "handover": {"own": aw.own_handover, "other_class": aw.other_handover, "other_kg": aw.k2_handover,
                     "missing": MISSING},
        "stocktake": {"kitchen": aw.kitchen_stocktake, "other_kg": aw.k2_stocktake, "missing": MISSING},
    }


def test_matrix_every_role_every_route_every_scope(world, aw):
    mismatches, checked = run_matrix(world, ROUTES, _objects(world, aw))
    assert mismatches == []
    assert checked > 500


def test_other_kindergarten_routes_are_not_found_for_every_k1_member(world, aw):
    objects = _objects(world, aw)
    for role, user in world.k1.users.items():
        client = Client()
        client.force_login(user)
        for template, _capability, kind in ROUTES:
            obj = objects[kind]["other_kg"] if kind else None
            url = template.format(kg="k2", code=getattr(obj, "code", None))
            assert client.get(url).status_code == 404, (role, url)


def test_scan_opens_the_asset_in_scope_and_is_not_found_outside(world, aw):
    cases = {"own": aw.chairs, "other_class": aw.other_asset, "kitchen": aw.kitchen_asset}
    for role, user in world.k1.users.items():
        client = Client()
        client.force_login(user)
        for variant, asset in cases.items():
            expected = expected_status(world, role, "assets.view", asset, is_api=False)
            response = client.get(f"/k/k1/assets/scan/{asset.label_code}/")
            if expected == 200:
                assert response.status_code == 302, (role, variant)
                assert response["Location"] == f"/k/k1/assets/{asset.code}/"
            else:
                assert response.status_code == expected, (role, variant)
        # a label of another kindergarten (the same code exists there) never opens k2's asset
        response = client.get(f"/k/k1/assets/scan/{aw.k2_asset.label_code}/")
        assert str(aw.k2_asset.code) not in response.get("Location", "")
        assert client.get("/k/k1/assets/scan/ZC-1999-9999/").status_code in (403, 404)
    anonymous = Client().get(f"/k/k1/assets/scan/{aw.chairs.label_code}/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


@pytest.mark.parametrize("variant", ["own", "other_class", "other_kg"])
def test_post_actions_follow_the_same_policy(world, aw, variant):
    """A write answers like the read of the same capability — 200/422 in scope, 404 outside, 403 for a
    role without it — and nothing changes unless allowed."""
    handover = _objects(world, aw)["handover"][variant]
    for role, user in world.k1.users.items():
        client = Client()
        client.force_login(user)
        response = client.post(f"/k/k1/assets/handovers/{handover.code}/void/", {"reason": ""})
        expected = expected_status(world, role, "assets.handover.close", handover, is_api=False)
        assert response.status_code == expected, (role, variant)
        handover.refresh_from_db()
        assert handover.voided_at is None


def test_state_change_by_get_is_refused(world, aw, login):
    client = login(world.k1.users[Role.CLASS_TEACHER])
    assert client.get(f"/k/k1/assets/handovers/{aw.own_handover.code}/count/").status_code == 405
    director = login(world.k1.users[Role.DIRECTOR])
    assert director.get(f"/k/k1/assets/stocktakes/{aw.kitchen_stocktake.code}/count/").status_code == 405
    assert director.get("/k/k1/assets/import/upload/").status_code == 405
    assert Handover.objects.get(pk=aw.own_handover.pk).status == "open"


def test_list_endpoint_returns_exactly_the_allowed_assets(world, aw, login):
    from houqin import policy
    from houqin.testing import oracle_in_scope

    for role, user in world.k1.users.items():
        grant = policy.CAPABILITIES["assets.view"].grants.get(role)
        response = login(user).get("/api/k/k1/assets")
        if grant is None:
            assert response.status_code == 403
            continue
        returned = {a["code"] for a in response.json()}
        oracle = {str(a.code) for a in Asset.objects.all() if oracle_in_scope(world, role, grant, a)}
        assert returned == oracle, role


def test_campus_membership_narrows_the_register(world, aw):
    from houqin import policy

    director = world.k1.users[Role.DIRECTOR]
    membership = director.memberships.get()
    membership.campus = world.k1.campuses[1]
    membership.save()
    actor = policy.actor_for_kindergarten(director, world.k1.kg)
    visible = set(policy.scoped(actor, "assets.view", Asset.objects.all()))
    assert visible == {aw.far_asset}

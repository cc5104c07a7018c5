"""The policy is complete (every URL declares one) and enforced (the role × route × scope matrix)."""

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from houqin import policy
from houqin.core.api import api
from houqin.org.models import Child, Role
from houqin.testing import MISSING, expected_status, oracle_in_scope, run_matrix

# URL patterns that are not ours to declare, each with the reason.
NOT_OURS = {
    "admin/": "Django's admin: is_staff superusers only, for back-office repair",
    "static/": "static files (WhiteNoise)",
    "api/openapi.json": "the API schema is public, like the API's documentation",
    "api/docs": "the API's documentation page",
}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _api_operations():
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                yield path, operation


def test_every_page_declares_its_policy():
    missing = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith("api/") or any(route.startswith(p) for p in NOT_OURS):
            continue
        if policy.declared_capability(pattern.callback) is None:
            missing.append(route)
    assert missing == []


def test_every_api_endpoint_declares_its_policy():
    operations = list(_api_operations())
    assert len(operations) > 10
    missing = [f"{op.methods} {path}" for path, op in operations if policy.declared_capability(op.view_func) is None]
    assert missing == []


def test_declared_capabilities_exist_in_the_policy_table():
    declared = {policy.declared_capability(p.callback) for _r, p in _walk(get_resolver().url_patterns)}
    declared |= {policy.declared_capability(op.view_func) for _p, op in _api_operations()}
    declared.discard(None)
    unknown = declared - set(policy.CAPABILITIES) - {policy.PUBLIC, policy.AUTHENTICATED, policy.SUPERUSER}
    assert unknown == set()


def test_unknown_capability_cannot_be_declared():
    with pytest.raises(ValueError):
        policy.requires("org.child.teleport")


def test_every_scoped_model_declares_its_paths():
    from django.apps import apps

    from houqin.core.models import TenantModel

    tenant_models = [m for m in apps.get_models() if issubclass(m, TenantModel)]
    assert tenant_models
    assert [m.__name__ for m in tenant_models if not hasattr(m, "scope_paths")] == []


# ---------------------------------------------------------------------------------------------
# The matrix: every role against every route, on objects of its scope, another class, another
# kindergarten and a missing one. Expected outcomes come from an oracle written independently of
# the policy's query code: the declared grant, and scope judged in Python from the fixtures.

MISSING_CODE = uuid.UUID(int=1)

ROUTES = [
    # (url template, capability, object kind)
    ("/k/{kg}/", "home.view", None),
    ("/k/{kg}/classes/", "org.class.view", None),
    ("/k/{kg}/classes/{code}/", "org.class.view", "class"),
    ("/k/{kg}/children/", "org.child.view", None),
    ("/k/{kg}/children/new/", "org.child.create", None),
    ("/k/{kg}/children/{code}/", "org.child.view", "child"),
    ("/k/{kg}/children/{code}/edit/", "org.child.change", "child"),
    ("/k/{kg}/children/{code}/leave/", "org.child.change", "child"),
    ("/k/{kg}/children/{code}/void/", "org.child.void", "child"),
    ("/k/{kg}/children/{code}/guardians/new/", "org.child.change", "child"),
    ("/k/{kg}/children/{code}/pickup/new/", "org.child.change", "child"),
    ("/k/{kg}/staff/", "org.staff.view", None),
    ("/k/{kg}/staff/new/", "org.staff.change", None),
    ("/k/{kg}/roster/", "org.roster.import", None),
    ("/k/{kg}/roster/children.xlsx", "org.roster.export", None),
    ("/k/{kg}/roster/staff.xlsx", "org.roster.export", None),
    ("/k/{kg}/audit/", "core.audit.view", None),
    ("/api/k/{kg}/classes", "org.class.view", None),
    ("/api/k/{kg}/children", "org.child.view", None),
    ("/api/k/{kg}/children/{code}", "org.child.view", "child"),
    ("/api/k/{kg}/staff", "org.staff.view", None),
    ("/api/k/{kg}/roster/children.xlsx", "org.roster.export", None),
]


def _objects(world):
    k1 = world.k1
    stranger = next(c for c in k1.children if c.school_class_id not in (k1.own_class.pk, world.sibling.school_class_id))
    return {
        "child": {"own": k1.own_child, "sibling": world.sibling, "stranger": stranger,
                  "other_kg": world.k2.own_child, "missing": MISSING},
        "class": {"own": k1.own_class, "other_class": k1.other_class, "other_kg": world.k2.own_class,
                  "missing": MISSING},
    }


def _url(template, obj, kg="k1"):
    code = MISSING_CODE if obj == MISSING else getattr(obj, "code", None)
    return template.format(kg=kg, code=code)


def test_matrix_every_role_every_route_every_scope(world):
    mismatches, checked = run_matrix(world, ROUTES, _objects(world))
    assert mismatches == []
    assert checked > 300


def test_other_kindergarten_routes_are_not_found_for_every_k1_member(world):
    for role, user in world.k1.users.items():
        client = Client()
        client.force_login(user)
        for template, _capability, kind in ROUTES:
            obj = _objects(world)[kind]["other_kg"] if kind else None
            assert client.get(_url(template, obj, kg="k2")).status_code == 404, (role, template)


def test_out_of_scope_and_missing_look_the_same_in_the_api(world, login):
    client = login(world.k1.users[Role.CLASS_TEACHER])
    stranger = world.k1.other_child
    out_of_scope = client.get(f"/api/k/k1/children/{world.k2.own_child.code}")
    other_class = client.get(f"/api/k/k1/children/{stranger.code}")
    missing = client.get(f"/api/k/k1/children/{MISSING_CODE}")
    assert out_of_scope.status_code == other_class.status_code == missing.status_code == 404
    assert out_of_scope.content == other_class.content == missing.content


@pytest.mark.parametrize("variant", ["own", "stranger", "other_kg"])
def test_post_actions_follow_the_same_policy(world, variant):
    """A write on an object answers like the read: 200 (form with errors) in scope, 404 outside,
    403 for a role without the capability — and nothing changes in any case."""
    target = _objects(world)["child"][variant]
    for role, user in world.k1.users.items():
        client = Client()
        client.force_login(user)
        response = client.post(f"/k/k1/children/{target.code}/leave/", {"left_on": ""})
        expected = expected_status(world, role, "org.child.change", target, is_api=False)
        assert response.status_code == expected, (role, variant)
        target.refresh_from_db()
        assert target.left_on is None


def test_list_endpoint_returns_exactly_the_allowed_children(world, login):
    for role, user in world.k1.users.items():
        grant = policy.CAPABILITIES["org.child.view"].grants.get(role)
        response = login(user).get("/api/k/k1/children")
        if grant is None:
            assert response.status_code == 403
            continue
        body = response.json()
        assert body["count"] == len(body["items"])
        returned = {c["code"] for c in body["items"]}
        oracle = {str(c.code) for c in Child.objects.all() if oracle_in_scope(world, role, grant, c)}
        assert returned == oracle, role


def test_children_endpoint_pages_by_100(world, login):
    from houqin.testing import ChildFactory

    for _ in range(105):
        ChildFactory(school_class=world.k1.own_class)
    client = login(world.k1.users[Role.PRINCIPAL])
    first, second = client.get("/api/k/k1/children").json(), client.get("/api/k/k1/children?page=2").json()
    assert first["count"] == second["count"] == Child.objects.filter(kindergarten=world.k1.kg).count()
    assert len(first["items"]) == 100 and len(second["items"]) == first["count"] - 100
    assert not {c["code"] for c in first["items"]} & {c["code"] for c in second["items"]}
    assert len(client.get("/api/k/k1/children?page_size=1000").json()["items"]) == 100


def test_parent_sees_both_own_children_and_no_other(world, login):
    response = login(world.k1.users[Role.PARENT]).get("/api/k/k1/children")
    names = {c["name"] for c in response.json()["items"]}
    assert names == {world.k1.own_child.name, world.sibling.name}


def test_revoked_guardianship_is_denied_on_the_next_request(world, login):
    client = login(world.k1.users[Role.PARENT])
    url = f"/api/k/k1/children/{world.sibling.code}"
    assert client.get(url).status_code == 200
    world.sibling.guardians.filter(user=world.k1.users[Role.PARENT]).update(voided_at="2026-11-01T00:00:00Z")
    assert client.get(url).status_code == 404


def test_deactivated_membership_loses_access_at_once(world, login):
    user = world.k1.users[Role.DIRECTOR]
    client = login(user)
    assert client.get("/k/k1/children/").status_code == 200
    user.memberships.update(is_active=False)
    assert client.get("/k/k1/children/").status_code == 404


def test_supervisor_sees_the_district_and_nothing_else(world, login):
    client = login(world.supervisor)
    response = client.get("/d/chengnan/")
    assert response.status_code == 200
    body = response.content.decode()
    assert world.k1.kg.name in body and world.k2.kg.name in body and world.k3.kg.name not in body
    assert world.k1.own_child.name not in body
    assert client.get("/d/chengbei/").status_code == 404
    api_rows = client.get("/api/district/chengnan/kindergartens").json()
    assert {r["slug"] for r in api_rows} == {"k1", "k2"}
    assert next(r for r in api_rows if r["slug"] == "k1")["children"] == len(world.k1.children)


def test_kindergarten_members_cannot_open_the_district_view(world, login):
    assert login(world.k1.users[Role.PRINCIPAL]).get("/d/chengnan/").status_code == 404


def test_class_teacher_scope_follows_the_class_assignment(world):
    actor = policy.actor_for_kindergarten(world.k1.users[Role.CLASS_TEACHER], world.k1.kg)
    visible = set(policy.scoped(actor, "org.child.view", Child.objects.all()))
    assert visible == {c for c in world.k1.children if c.school_class_id == world.k1.own_class.pk}
    for child in Child.objects.all():
        assert policy.can(actor, "org.child.view", child) == (child in visible)


def test_campus_membership_narrows_the_kindergarten_scope(world):
    director = world.k1.users[Role.DIRECTOR]
    membership = director.memberships.get()
    membership.campus = world.k1.campuses[1]
    membership.save()
    actor = policy.actor_for_kindergarten(director, world.k1.kg)
    visible = set(policy.scoped(actor, "org.child.view", Child.objects.all()))
    assert visible == {c for c in world.k1.children if c.school_class.campus_id == world.k1.campuses[1].pk}


def test_anonymous_actor_has_nothing(world):
    assert policy.actor_for_kindergarten(AnonymousUser(), world.k1.kg) is None


def test_campus_staff_still_see_rows_of_the_whole_kindergarten(world):
    """A campus narrows what belongs to a campus, not what belongs to the whole kindergarten."""
    director = world.k1.users[Role.DIRECTOR]
    membership = director.memberships.get()
    membership.campus = world.k1.campuses[1]
    membership.save()
    actor = policy.actor_for_kindergarten(director, world.k1.kg)
    # a model with no campus path is scoped to the kindergarten only
    class WholeKindergartenRow:
        scope_paths = {}

    q = policy.scope_q(actor, "org.child.view", WholeKindergartenRow)
    assert q is not None and dict(q.children) == {"kindergarten_id": world.k1.kg.pk}

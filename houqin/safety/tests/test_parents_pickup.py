"""Parents and pick-up: asking someone else to collect the child is one tap from the parent's
corner and home; parents see only their own delegations, never the gate's tables."""

import datetime as dt

from houqin import policy
from houqin.org.models import Role
from houqin.safety import services
from houqin.safety.models import Delegation


def _actor(world, role):
    return policy.actor_for_kindergarten(world.k1.users[role], world.k1.kg)


def test_parents_never_see_the_gate_tables(world, login):
    assert Role.PARENT not in policy.CAPABILITIES["safety.pickup.view"].grants
    parent = login(world.k1.users[Role.PARENT])
    child = world.k1.own_child
    for url in ("/k/k1/safety/pickup/", "/k/k1/safety/pickup/delegations/", "/k/k1/safety/pickup/log/",
                f"/k/k1/safety/pickup/{child.code}/", "/api/k/k1/safety/delegations",
                "/api/k/k1/safety/pickup-releases", f"/api/k/k1/safety/pickup/{child.code}"):
        assert parent.get(url).status_code == 403, url


def test_one_tap_from_home_and_corner_then_only_their_own_delegations(world, login):
    parent = login(world.k1.users[Role.PARENT])
    child = world.k1.own_child
    create = f"/k/k1/safety/pickup/{child.code}/delegate/"
    assert create in parent.get("/k/k1/").content.decode()
    assert create in parent.get("/k/k1/family/").content.decode()
    assert create in parent.get("/k/k1/safety/pickup/mine/").content.decode()
    # someone else's child's delegation, recorded by that class's teacher
    other = world.k1.children[1]
    services.delegation_request(actor=_actor(world, Role.CLASS_TEACHER), child=other, date=dt.date(2026, 11, 25),
                                delegate_name="钱阿姨", relation="邻居", phone="13900000001")
    r = parent.post(create, {"date": "2026-11-25", "delegate_name": "王阿姨", "relation": "邻居",
                             "phone": "13912345678"})
    assert r.status_code == 302 and r.url == "/k/k1/safety/pickup/mine/"
    mine = parent.get("/k/k1/safety/pickup/mine/").content.decode()
    assert "王阿姨" in mine and "钱阿姨" not in mine
    api = parent.get("/api/k/k1/safety/my-delegations").json()
    assert [d["delegate_name"] for d in api] == ["王阿姨"]
    assert Delegation.objects.filter(child=child, delegate_name="王阿姨", requested_via="parent").count() == 1


def test_a_delegate_without_a_phone_is_refused_and_nothing_saved(world, login):
    parent = login(world.k1.users[Role.PARENT])
    r = parent.post(f"/k/k1/safety/pickup/{world.k1.own_child.code}/delegate/",
                    {"date": "2026-11-25", "delegate_name": "王阿姨", "relation": "邻居", "phone": ""})
    assert r.status_code == 200 and not Delegation.objects.filter(delegate_name="王阿姨").exists()

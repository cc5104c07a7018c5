"""Every safety page renders for the people who use it, and the main POST actions work through
the pages (the same services as the API)."""

import pytest

from houqin.org.models import Role
from houqin.safety.models import Hazard, HazardState, Release
from houqin.safety.tests.conftest import make_safety

pytestmark = pytest.mark.django_db


def pages(s, world):
    child = world.k1.own_child.code
    return [
        "/k/k1/safety/", "/k/k1/safety/hazards/", "/k/k1/safety/hazards/?status=overdue",
        "/k/k1/safety/hazards/new/", f"/k/k1/safety/hazards/new/?zone={s.zone.code}",
        f"/k/k1/safety/hazards/{s.reported.code}/", f"/k/k1/safety/hazards/{s.assigned.code}/",
        f"/k/k1/safety/hazards/{s.rectified.code}/", f"/k/k1/safety/hazards/{s.closed.code}/",
        f"/k/k1/safety/photos/hazard/{s.closed.code}/",
        "/k/k1/safety/zones/", "/k/k1/safety/zones/new/", f"/k/k1/safety/zones/{s.zone.code}/",
        f"/k/k1/safety/zones/{s.zone.code}/edit/", f"/k/k1/safety/zones/{s.zone.code}/check/",
        f"/k/k1/safety/zones/{s.zone.code}/qr.pdf",
        "/k/k1/safety/agreements/", "/k/k1/safety/agreements/new/",
        "/k/k1/safety/inspections/", "/k/k1/safety/inspections/templates/new/",
        f"/k/k1/safety/inspections/templates/{s.template.code}/edit/",
        f"/k/k1/safety/inspections/templates/{s.template.code}/round/",
        f"/k/k1/safety/inspections/rounds/{s.round.code}/",
        "/k/k1/safety/fire/", "/k/k1/safety/fire/new/", "/k/k1/safety/fire/check/",
        f"/k/k1/safety/fire/{s.equipment.code}/edit/",
        "/k/k1/safety/drills/", "/k/k1/safety/drills/new/", f"/k/k1/safety/drills/{s.drill.code}/",
        "/k/k1/safety/visitors/", "/k/k1/safety/visitors/new/", f"/k/k1/safety/visitors/{s.visitor.code}/id/",
        "/k/k1/safety/pickup/", "/k/k1/safety/pickup/?q=小", f"/k/k1/safety/pickup/{child}/",
        f"/k/k1/safety/pickup/{child}/delegate/", "/k/k1/safety/pickup/delegations/",
        f"/k/k1/safety/pickup/delegations/{s.delegation.code}/confirm/", "/k/k1/safety/pickup/log/",
        "/k/k1/safety/duty/", "/k/k1/safety/duty/new/", f"/k/k1/safety/duty/{s.shift.code}/swap/",
        "/k/k1/safety/incidents/", "/k/k1/safety/incidents/new/", f"/k/k1/safety/incidents/{s.incident.code}/",
        "/k/k1/safety/reports/", f"/k/k1/safety/reports/{s.report.code}/",
        f"/k/k1/safety/reports/{s.report.code}/report.pdf", f"/k/k1/safety/reports/{s.report.code}/report.xlsx",
        "/k/k1/safety/settings/", "/k/k1/",
    ]


def test_every_page_renders_for_someone_allowed(world, login):
    from houqin import policy
    from django.urls import resolve

    s = make_safety(world)
    order = [Role.PRINCIPAL, Role.DIRECTOR, Role.GUARD, Role.CLASS_TEACHER, Role.PARENT]
    clients = {role: login(world.k1.users[role]) for role in order}
    for url in pages(s, world):
        path = url.split("?")[0]
        capability = policy.declared_capability(resolve(path).func)
        role = next(r for r in order if policy.CAPABILITIES[capability].grants.get(r) if capability in policy.CAPABILITIES) \
            if capability in policy.CAPABILITIES else Role.DIRECTOR
        response = clients[role].get(url)
        assert response.status_code == 200, (url, role, response.status_code)


def test_the_loop_through_the_pages(world, login):
    s = make_safety(world)
    director, guard = login(world.k1.users[Role.DIRECTOR]), login(world.k1.users[Role.GUARD])
    r = director.post(f"/k/k1/safety/hazards/{s.reported.code}/assign/",
                      {"assignee": world.k1.users[Role.GUARD].pk, "deadline": "2000-01-01"})
    assert r.status_code == 302
    s.reported.refresh_from_db()
    assert s.reported.state == HazardState.REPORTED  # a past deadline is refused
    r = guard.post(f"/k/k1/safety/hazards/{s.rectified.code}/verify/", {"decision": "close"})
    s.rectified.refresh_from_db()
    assert s.rectified.state == HazardState.RECTIFIED  # the rectifier cannot close it
    director.post(f"/k/k1/safety/hazards/{s.rectified.code}/verify/", {"decision": "close"})
    s.rectified.refresh_from_db()
    assert s.rectified.state == HazardState.CLOSED


def test_a_failed_self_check_item_becomes_a_hazard(world, login):
    s = make_safety(world)
    teacher = login(world.k1.users[Role.CLASS_TEACHER])
    r = teacher.post(f"/k/k1/safety/zones/{s.zone.code}/check/", {"ok-0": "1", "ok-1": "0", "note-1": ""})
    assert r.status_code == 200 and not s.zone.self_checks.exists()  # a failed item needs a note
    r = teacher.post(f"/k/k1/safety/zones/{s.zone.code}/check/", {"ok-0": "1", "ok-1": "0", "note-1": "盖子丢了"})
    assert r.status_code == 302
    hazard = Hazard.objects.get(source__startswith="safety.selfcheck:")
    assert hazard.zone == s.zone and "盖子丢了" in hazard.description


def test_a_refused_pickup_is_logged_and_the_child_is_not_released(world, login):
    from houqin.core.models import AuditEvent

    s = make_safety(world)
    guard = login(world.k1.users[Role.GUARD])
    child = world.k1.own_child
    r = guard.post(f"/k/k1/safety/pickup/{child.code}/release/",
                   {"collector": f"delegation:{s.delegation.code}"})  # not confirmed yet
    assert r.status_code == 302
    r = guard.post(f"/k/k1/safety/pickup/{child.code}/release/", {"collector": "other", "collector_name": "陌生人"})
    assert Release.objects.filter(outcome="released").count() == 0
    assert Release.objects.filter(outcome="refused").count() == 2
    assert AuditEvent.objects.filter(action="safety.pickup.refused", outcome="denied").count() == 2
    page = guard.get("/k/k1/safety/pickup/delegations/").content.decode()
    assert "陌生人" in page

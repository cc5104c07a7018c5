"""The safety area's role × route × scope matrix (every page and API GET endpoint, on objects of k1,
of another class, of k2, and missing), the district supervisor's reports, POSTs under the same
policy, and the grants against RELIABILITY.md Appendix A."""

import pytest
from django.test import Client

from houqin import policy
from houqin.org.models import Role
from houqin.safety import services
from houqin.safety.tests.conftest import actor_of, days, make_safety
from houqin.testing import MISSING, run_matrix

pytestmark = pytest.mark.django_db

ROUTES = [
    ("/k/{kg}/safety/", "safety.view", None),
    ("/k/{kg}/safety/hazards/", "safety.view", None),
    ("/k/{kg}/safety/hazards/new/", "safety.hazard.report", None),
    ("/k/{kg}/safety/hazards/{code}/", "safety.view", "hazard"),
    ("/k/{kg}/safety/photos/hazard/{code}/", "safety.view", "hazard"),
    ("/k/{kg}/safety/zones/", "safety.view", None),
    ("/k/{kg}/safety/zones/new/", "safety.zone.change", None),
    ("/k/{kg}/safety/zones/qr.pdf", "safety.zone.change", None),
    ("/k/{kg}/safety/zones/{code}/", "safety.view", "zone"),
    ("/k/{kg}/safety/zones/{code}/edit/", "safety.zone.change", "zone"),
    ("/k/{kg}/safety/zones/{code}/check/", "safety.selfcheck", "zone"),
    ("/k/{kg}/safety/agreements/", "safety.view", None),
    ("/k/{kg}/safety/agreements/new/", "safety.zone.change", None),
    ("/k/{kg}/safety/inspections/", "safety.view", None),
    ("/k/{kg}/safety/inspections/templates/new/", "safety.zone.change", None),
    ("/k/{kg}/safety/inspections/templates/{code}/edit/", "safety.zone.change", "template"),
    ("/k/{kg}/safety/inspections/templates/{code}/round/", "safety.inspection.record", "template"),
    ("/k/{kg}/safety/inspections/rounds/{code}/", "safety.view", "round"),
    ("/k/{kg}/safety/fire/", "safety.view", None),
    ("/k/{kg}/safety/fire/new/", "safety.fire.change", None),
    ("/k/{kg}/safety/fire/check/", "safety.fire.check", None),
    ("/k/{kg}/safety/fire/{code}/edit/", "safety.fire.change", "equipment"),
    ("/k/{kg}/safety/drills/", "safety.view", None),
    ("/k/{kg}/safety/drills/new/", "safety.drill.change", None),
    ("/k/{kg}/safety/drills/{code}/", "safety.view", "drill"),
    ("/k/{kg}/safety/drills/{code}/record/", "safety.drill.change", "drill"),
    ("/k/{kg}/safety/visitors/", "safety.gate.view", None),
    ("/k/{kg}/safety/visitors/new/", "safety.visitor.record", None),
    ("/k/{kg}/safety/visitors/{code}/id/", "safety.visitor.view_id", "visitor"),
    ("/k/{kg}/safety/pickup/", "safety.pickup.view", None),
    ("/k/{kg}/safety/pickup/{code}/", "safety.pickup.view", "child"),
    ("/k/{kg}/safety/pickup/{code}/delegate/", "safety.pickup.request", "child"),
    ("/k/{kg}/safety/pickup/delegations/", "safety.pickup.view", None),
    ("/k/{kg}/safety/pickup/delegations/{code}/confirm/", "safety.pickup.confirm", "delegation"),
    ("/k/{kg}/safety/pickup/log/", "safety.pickup.view", None),
    ("/k/{kg}/safety/custody/", "safety.custody.view", None),
    ("/k/{kg}/safety/custody/new/", "safety.custody.file", None),
    ("/k/{kg}/safety/custody/mine/", "safety.custody.file", None),
    ("/k/{kg}/safety/custody/{code}/", "safety.custody.view", "custody"),
    ("/k/{kg}/safety/custody/{code}/document/", "safety.custody.view", "custody"),
    ("/k/{kg}/safety/custody/{code}/photo/", "safety.pickup.view", "custody"),
    ("/k/{kg}/safety/duty/", "safety.view", None),
    ("/k/{kg}/safety/duty/new/", "safety.duty.change", None),
    ("/k/{kg}/safety/duty/{code}/swap/", "safety.duty.change", "shift"),
    ("/k/{kg}/safety/incidents/", "safety.incident.view", None),
    ("/k/{kg}/safety/incidents/new/", "safety.incident.report", None),
    ("/k/{kg}/safety/incidents/{code}/", "safety.incident.view", "incident"),
    ("/k/{kg}/safety/reports/", "safety.report.view", None),
    ("/k/{kg}/safety/reports/{code}/", "safety.report.view", "report"),
    ("/k/{kg}/safety/reports/{code}/report.xlsx", "safety.report.view", "report"),
    ("/k/{kg}/safety/settings/", "safety.settings", None),
    ("/api/k/{kg}/safety/hazards", "safety.view", None),
    ("/api/k/{kg}/safety/hazards/{code}", "safety.view", "hazard"),
    ("/api/k/{kg}/safety/staff", "safety.hazard.assign", None),
    ("/api/k/{kg}/safety/zones", "safety.view", None),
    ("/api/k/{kg}/safety/inspections/templates", "safety.view", None),
    ("/api/k/{kg}/safety/inspections/rounds", "safety.view", None),
    ("/api/k/{kg}/safety/inspections/rounds/{code}", "safety.view", "round"),
    ("/api/k/{kg}/safety/fire-equipment", "safety.view", None),
    ("/api/k/{kg}/safety/drills", "safety.view", None),
    ("/api/k/{kg}/safety/drills/{code}", "safety.view", "drill"),
    ("/api/k/{kg}/safety/visitors", "safety.gate.view", None),
    ("/api/k/{kg}/safety/pickup/{code}", "safety.pickup.view", "child"),
    ("/api/k/{kg}/safety/pickup-releases", "safety.pickup.view", None),
    ("/api/k/{kg}/safety/delegations", "safety.pickup.view", None),
    ("/api/k/{kg}/safety/custody", "safety.custody.view", None),
    ("/api/k/{kg}/safety/custody/{code}", "safety.custody.view", "custody"),
    ("/api/k/{kg}/safety/duty", "safety.view", None),
    ("/api/k/{kg}/safety/incidents", "safety.incident.view", None),
    ("/api/k/{kg}/safety/incidents/{code}", "safety.incident.view", "incident"),
    ("/api/k/{kg}/safety/reports", "safety.report.view", None),
    ("/api/k/{kg}/safety/reports/{code}", "safety.report.view", "report"),
]


def _objects(world):
    k1, k2 = make_safety(world), make_safety(world, "k2")
    director = actor_of(world, Role.DIRECTOR)
    other_zone = services.zone_save(actor=director, name="中一班教室", kind="classroom", post="班主任",
                                    school_class=world.k1.other_class, checklist=["门窗"])
    other_delegation = services.delegation_request(
        actor=actor_of(world, Role.PARENT), child=world.sibling, date=days(1), delegate_name="赵叔叔",
        relation="叔叔", phone="13800001111")

    def variants(name):
        return {"k1": getattr(k1, name), "other_kg": getattr(k2, name), "missing": MISSING}

    def restriction(k, child):
        from houqin.safety import custody
        from houqin.testing import pdf_bytes
        from django.core.files.uploadedfile import SimpleUploadedFile

        from houqin.safety.tests.conftest import png

        return custody.restriction_file(
            actor=actor_of(world, Role.PRINCIPAL, k), child=child, person_name="赵建国", document_kind="court_order",
            document=SimpleUploadedFile("order.pdf", pdf_bytes()), valid_from=days(0), photo=png())

    return {
        **{name: variants(attr) for name, attr in [
            ("hazard", "closed"), ("template", "template"), ("round", "round"), ("equipment", "equipment"),
            ("drill", "drill"), ("visitor", "visitor"), ("shift", "shift"), ("incident", "incident"),
            ("report", "report")]},
        "zone": {"own_class": k1.zone, "other_class": other_zone, "other_kg": k2.zone, "missing": MISSING},
        "child": {"own_child": world.k1.own_child, "sibling_other_class": world.sibling,
                  "other_child": world.k1.children[4], "other_kg": world.k2.own_child, "missing": MISSING},
        "delegation": {"own_class": k1.delegation, "other_class": other_delegation, "other_kg": k2.delegation,
                       "missing": MISSING},
        "custody": {"own_child": restriction("k1", world.k1.own_child),
                    "sibling_other_class": restriction("k1", world.sibling),
                    "other_child": restriction("k1", world.k1.children[4]),
                    "other_kg": restriction("k2", world.k2.own_child), "missing": MISSING},
    }


def test_matrix_every_role_every_route_every_scope(world):
    mismatches, checked = run_matrix(world, ROUTES, _objects(world))
    assert mismatches == []
    assert checked > 1000


def test_the_district_supervisor_sees_signed_reports_of_the_district_only(world):
    import datetime as dt

    from houqin.safety.models import SafetyReport

    objects = _objects(world)
    for k, report in (("k1", objects["report"]["k1"]), ("k2", objects["report"]["other_kg"])):
        services.report_sign(actor=actor_of(world, Role.PRINCIPAL, k), report=report)
    draft = services.report_create(actor=actor_of(world, Role.DIRECTOR), period="month",
                                   day=days(0).replace(day=1) - dt.timedelta(days=1))
    k3 = make_safety(world, "k3")
    services.report_sign(actor=actor_of(world, Role.PRINCIPAL, "k3"), report=k3.report)
    supervisor = Client()
    supervisor.force_login(world.supervisor)
    page = supervisor.get("/d/chengnan/safety/reports/")
    assert page.status_code == 200
    listed = page.content.decode()
    assert str(objects["report"]["k1"].code) in listed and str(objects["report"]["other_kg"].code) in listed
    assert str(draft.code) not in listed and str(k3.report.code) not in listed
    detail = supervisor.get(f"/d/chengnan/safety/reports/{objects['report']['k1'].code}/")
    assert detail.status_code == 200
    assert world.k1.own_child.name not in detail.content.decode()  # aggregate figures, never child names
    assert supervisor.get(f"/d/chengnan/safety/reports/{draft.code}/").status_code == 404
    assert supervisor.get(f"/d/chengnan/safety/reports/{k3.report.code}/").status_code == 404
    assert supervisor.get("/d/chengbei/safety/reports/").status_code == 404
    for role, user in world.k1.users.items():
        c = Client()
        c.force_login(user)
        assert c.get("/d/chengnan/safety/reports/").status_code == 404, role
    assert SafetyReport.objects.filter(signed_at__isnull=False).count() == 3


def test_the_grants_follow_appendix_a():
    """Hazards, inspections, drills: principal R/A, director R/W, health / canteen / storekeeper /
    guard W, class staff W (their class where the record has one), accountant and parent nothing;
    safety reports: director W, principal A (signs), supervisor R D."""
    grants = {name: cap.grants for name, cap in policy.CAPABILITIES.items() if name.startswith("safety.")}
    for role in (Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER, Role.CANTEEN, Role.STOREKEEPER, Role.GUARD,
                 Role.CLASS_TEACHER, Role.NURSERY):
        assert role in grants["safety.view"] and role in grants["safety.hazard.report"]
    assert Role.ACCOUNTANT not in grants["safety.view"] and Role.PARENT not in grants["safety.view"]
    assert set(grants["safety.hazard.assign"]) == {Role.PRINCIPAL, Role.DIRECTOR}
    assert set(grants["safety.report.sign"]) == {Role.PRINCIPAL}
    assert grants["safety.report.view"][Role.SUPERVISOR] == policy.Scope.DISTRICT
    assert Role.PARENT not in grants["safety.pickup.view"]  # parents never see the gate's tables
    assert grants["safety.pickup.request"][Role.PARENT] == policy.Scope.CHILD
    assert grants["safety.pickup.view"][Role.CLASS_TEACHER] == policy.Scope.CLASS
    assert set(grants["safety.visitor.view_id"]) == {Role.PRINCIPAL}
    assert policy.CAPABILITIES["safety.visitor.view_id"].sensitive
    # Custody restrictions: the details to the principal and the class teacher only (the guard sees the
    # photo and 不得接走 through safety.pickup.view); a parent files for their own child.
    assert grants["safety.custody.view"] == {Role.PRINCIPAL: policy.Scope.KINDERGARTEN,
                                             Role.CLASS_TEACHER: policy.Scope.CLASS}
    assert grants["safety.custody.file"] == {Role.PRINCIPAL: policy.Scope.KINDERGARTEN,
                                             Role.PARENT: policy.Scope.CHILD}
    assert set(grants["safety.custody.decide"]) == {Role.PRINCIPAL}
    assert policy.CAPABILITIES["safety.custody.view"].sensitive
    for name, by_role in grants.items():
        if name != "safety.report.view":
            assert Role.SUPERVISOR not in by_role, name
        if name in ("safety.injury.view", "safety.injury.acknowledge"):  # their own child's injuries
            assert by_role[Role.PARENT] == policy.Scope.CHILD, name
        elif name not in ("safety.pickup.request", "safety.custody.file"):
            assert Role.PARENT not in by_role, name


def test_a_teacher_cannot_release_or_confirm_for_another_class(world):
    objects = _objects(world)
    teacher = Client()
    teacher.force_login(world.k1.users[Role.CLASS_TEACHER])
    other = objects["child"]["other_child"]
    assert teacher.post(f"/k/k1/safety/pickup/{other.code}/release/", {"collector": "other",
                                                                      "collector_name": "x"}).status_code == 404
    delegation = objects["delegation"]["other_class"]
    assert teacher.post(f"/k/k1/safety/pickup/delegations/{delegation.code}/confirm/",
                        {"note": "已电话确认"}).status_code == 404
    delegation.refresh_from_db()
    assert not delegation.is_confirmed
    parent = Client()
    parent.force_login(world.k1.users[Role.PARENT])
    assert parent.post(f"/k/k1/safety/pickup/{world.k1.own_child.code}/release/",
                       {"collector": "other", "collector_name": "x"}).status_code == 403


def test_viewing_a_visitors_full_id_number_is_audited(world):
    from houqin.core.models import AuditEvent

    objects = _objects(world)
    visitor = objects["visitor"]["k1"]
    principal = Client()
    principal.force_login(world.k1.users[Role.PRINCIPAL])
    listing = principal.get("/k/k1/safety/visitors/").content.decode()
    assert visitor.id_number not in listing
    page = principal.get(f"/k/k1/safety/visitors/{visitor.code}/id/").content.decode()
    assert visitor.id_number in page
    assert AuditEvent.objects.filter(action="safety.visitor.view_id", object_code=str(visitor.code)).count() == 1
    guard = Client()
    guard.force_login(world.k1.users[Role.GUARD])
    assert guard.get(f"/k/k1/safety/visitors/{visitor.code}/id/").status_code == 403
    assert visitor.id_number not in guard.get("/api/k/k1/safety/visitors").content.decode()

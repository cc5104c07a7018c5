"""The staff area's role × route × scope matrix (every page and API GET on objects of k1, of another
class, of k2 and missing), and the grants against DOMAIN.md / RELIABILITY.md Appendix A."""

import datetime as dt

import pytest
from django.test import Client

from houqin import policy
from houqin.org.models import Role
from houqin.staff import services
from houqin.staff.models import Assessment, Deduction
from houqin.staff.tests.conftest import actor_of, make_staff, today
from houqin.testing import MISSING, run_matrix

pytestmark = pytest.mark.django_db

ROUTES = [
    ("/k/{kg}/staff/", "staff.view", None),
    ("/k/{kg}/staff/settings/", "staff.manage", None),
    ("/k/{kg}/staff/posts/new/", "staff.manage", None),
    ("/k/{kg}/staff/posts/{code}/", "staff.view", "post"),
    ("/k/{kg}/staff/posts/{code}/edit/", "staff.manage", "post"),
    ("/k/{kg}/staff/posts/{code}/items/new/", "staff.manage", "post"),
    ("/k/{kg}/staff/items/{code}/edit/", "staff.manage", "item"),
    ("/k/{kg}/staff/assessments/", "staff.assessment.view", None),
    ("/k/{kg}/staff/assessments/payroll.xlsx", "staff.assessment.export", None),
    ("/k/{kg}/staff/assessments/{code}/", "staff.assessment.view", "assessment"),
    ("/k/{kg}/staff/assessments/{code}/deduct/", "staff.assessment.change", "assessment"),
    ("/k/{kg}/staff/awards/", "staff.view", None),
    ("/k/{kg}/staff/ratings/new/", "staff.manage", None),
    ("/k/{kg}/staff/rate/", "staff.rating.rate", None),
    ("/k/{kg}/staff/trainings/", "staff.training.view", None),
    ("/k/{kg}/staff/trainings/new/", "staff.training.change", None),
    ("/k/{kg}/staff/trainings/topics/new/", "staff.training.change", None),
    ("/k/{kg}/staff/trainings/{code}/", "staff.training.view", "training"),
    ("/k/{kg}/staff/meetings/", "staff.meeting.view", None),
    ("/k/{kg}/staff/meetings/new/", "staff.meeting.change", None),
    ("/k/{kg}/staff/meetings/{code}/", "staff.meeting.view", "meeting"),
    ("/k/{kg}/staff/certificates/", "staff.certificate.view", None),
    ("/k/{kg}/staff/certificates/new/", "staff.certificate.change", None),
    ("/k/{kg}/staff/certificates/{code}/", "staff.certificate.view", "certificate"),
    ("/k/{kg}/staff/procedure/?date=2026-11-20", "staff.procedure.view", None),
    ("/k/{kg}/staff/procedure/steps/", "staff.manage", None),
    ("/k/{kg}/staff/procedure/{code}/", "staff.procedure.view", "class"),
    ("/k/{kg}/staff/me/", "staff.self", None),
    ("/api/k/{kg}/staff/posts", "staff.view", None),
    ("/api/k/{kg}/staff/posts/{code}", "staff.view", "post"),
    ("/api/k/{kg}/staff/assessments", "staff.assessment.view", None),
    ("/api/k/{kg}/staff/assessments/mine", "staff.self", None),
    ("/api/k/{kg}/staff/assessments/{code}", "staff.assessment.view", "assessment"),
    ("/api/k/{kg}/staff/awards/service-stars", "staff.view", None),
    ("/api/k/{kg}/staff/ratings/rounds", "staff.view", None),
    ("/api/k/{kg}/staff/ratings/rounds/{code}/results", "staff.view", "round"),
    ("/api/k/{kg}/staff/ratings/mine", "staff.rating.rate", None),
    ("/api/k/{kg}/staff/topics", "staff.training.view", None),
    ("/api/k/{kg}/staff/trainings", "staff.training.view", None),
    ("/api/k/{kg}/staff/trainings/{code}", "staff.training.view", "training"),
    ("/api/k/{kg}/staff/meetings", "staff.meeting.view", None),
    ("/api/k/{kg}/staff/meetings/{code}", "staff.meeting.view", "meeting"),
    ("/api/k/{kg}/staff/actions/mine", "staff.meeting.view", None),
    ("/api/k/{kg}/staff/certificates", "staff.certificate.view", None),
    ("/api/k/{kg}/staff/certificates/{code}", "staff.certificate.view", "certificate"),
    ("/api/k/{kg}/staff/procedure/{code}", "staff.procedure.view", "class"),
]


def _objects(world):
    made = {}
    for k in ("k1", "k2"):
        s = make_staff(world, k)
        services.assessment_generate(actor=s.director, month=dt.date(2026, 10, 1))
        health = actor_of(world, Role.HEALTH_TEACHER, k)
        t = services.training_create(actor=s.director, topic=s.six_t, date=dt.date(2026, 10, 9), trainer="王老师",
                                     attendees=[s.cook])
        m = services.meeting_create(actor=s.director, date=dt.date(2026, 10, 12), title="例会")
        c = services.certificate_add(actor=health, user=s.cook, issued_on=dt.date(2026, 3, 1))
        r = services.round_create(actor=s.director, title="爱心阿姨", starts_on=today(), ends_on=today(),
                                  notify_parents=False)
        made[k] = {"post": s.nursery_post, "item": s.item_tidy, "assessment": Assessment.objects.filter(
            kindergarten=s.kg).first(), "training": t, "meeting": m, "certificate": c, "round": r}
    objects = {kind: {"k1": made["k1"][kind], "other_kg": made["k2"][kind], "missing": MISSING}
               for kind in made["k1"]}
    objects["class"] = {"own_class": world.k1.own_class, "other_class": world.k1.other_class,
                        "other_kg": world.k2.own_class, "missing": MISSING}
    return objects


def test_matrix_every_role_every_route_every_scope(world):
    mismatches, checked = run_matrix(world, ROUTES, _objects(world))
    assert mismatches == []
    assert checked > 700


def test_the_grants_follow_appendix_a():
    """Staff accounts and the assessment: principal and director; certificates (health data of staff):
    principal, director, health teacher; nursery-staff rating: parents of their child's class only
    (CHILD scope), class teachers and nursery staff of their class; nobody at the district."""
    grants = {name: cap.grants for name, cap in policy.CAPABILITIES.items() if name.startswith("staff.")}
    assert set(grants["staff.assessment.change"]) == {Role.DIRECTOR}
    assert set(grants["staff.certificate.view"]) == {Role.PRINCIPAL, Role.DIRECTOR, Role.HEALTH_TEACHER}
    assert policy.CAPABILITIES["staff.certificate.view"].sensitive
    assert grants["staff.rating.rate"] == {Role.PARENT: policy.Scope.CHILD, Role.CLASS_TEACHER: policy.Scope.CLASS,
                                           Role.NURSERY: policy.Scope.CLASS}
    for name, by_role in grants.items():
        assert Role.SUPERVISOR not in by_role, name
        if name != "staff.rating.rate":
            assert Role.PARENT not in by_role, name


def test_writes_follow_the_policy(world):
    objects = _objects(world)
    own = objects["assessment"]["k1"]
    other = objects["assessment"]["other_kg"]
    item = objects["item"]["k1"]
    for role, user in world.k1.users.items():
        client = Client()
        client.force_login(user)
        for target in (own, other):
            response = client.post(f"/k/k1/staff/assessments/{target.code}/deduct/",
                                   {"item": item.pk, "date": "2026-10-15", "note": "x"})
            if role != Role.DIRECTOR:
                assert response.status_code == 403, role
            elif target == other:
                assert response.status_code == 404
            else:
                assert response.status_code == 302
    assert Deduction.objects.filter(assessment=own).count() == 1
    assert not Deduction.objects.filter(assessment=other).exists()

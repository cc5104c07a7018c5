"""Who sees children's health data: every page and API GET as every role of k1, the supervisor and an
anonymous visitor, on objects of the own class, another class, another kindergarten and missing ones.
Health data is invisible to the director, canteen, storekeeper, accountant, guard and supervisor;
parents see their own children's record only; every read is audited."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from houqin import policy
from houqin.core.models import AuditEvent
from houqin.health import services
from houqin.health.models import Attendance
from houqin.health.tests.conftest import actor_of
from houqin.org.models import Role
from houqin.testing import MISSING, run_matrix

pytestmark = pytest.mark.django_db

ROUTES = [
    ("/k/{kg}/health/", "health.view", None),
    ("/k/{kg}/health/check/{code}/", "health.check.record", "class"),
    ("/k/{kg}/health/attendance/", "health.view", None),
    ("/k/{kg}/health/attendance/{code}/follow-up/", "health.check.record", "attendance"),
    ("/k/{kg}/health/attendance/illness/", "health.view", None),
    ("/k/{kg}/health/attendance/illness/?format=xlsx", "health.view", None),
    ("/k/{kg}/health/cases/", "health.disease.view", None),
    ("/k/{kg}/health/cases/new/", "health.disease.manage", None),
    ("/k/{kg}/health/cases/{code}/", "health.disease.view", "case"),
    ("/k/{kg}/health/alerts/{code}/", "health.disease.view", "alert"),
    ("/k/{kg}/health/closures/new/", "health.disease.manage", None),
    ("/k/{kg}/health/exams/", "health.exam.view", None),
    ("/k/{kg}/health/exams/class/{code}/", "health.exam.record", "class"),
    ("/k/{kg}/health/exams/import/", "health.exam.record", None),
    ("/k/{kg}/health/children/{code}/", "health.child.view", "child"),
    ("/k/{kg}/health/summary/", "health.summary.view", None),
    ("/k/{kg}/health/weak/", "health.exam.view", None),
    ("/k/{kg}/health/weak/{code}/", "health.exam.view", "weak"),
    ("/k/{kg}/health/vaccination/", "health.vaccination.view", None),
    ("/k/{kg}/health/vaccination/check/{code}/", "health.vaccination.record", "child"),
    ("/k/{kg}/health/disinfection/", "health.disinfection.view", None),
    ("/k/{kg}/health/settings/", "health.settings", None),
    ("/k/{kg}/health/corrections/", "health.exam.view", None),
    ("/k/{kg}/health/summary/?format=xlsx", "health.summary.view", None),
    ("/api/k/{kg}/health/overview", "health.view", None),
    ("/api/k/{kg}/health/classes/{code}/check", "health.check.record", "class"),
    ("/api/k/{kg}/health/attendance?start=2026-11-01&end=2026-11-30", "health.view", None),
    ("/api/k/{kg}/health/illness-absence?date=2026-11-20", "health.view", None),
    ("/api/k/{kg}/health/cases", "health.disease.view", None),
    ("/api/k/{kg}/health/cases/{code}", "health.disease.view", "case"),
    ("/api/k/{kg}/health/alerts", "health.disease.view", None),
    ("/api/k/{kg}/health/alerts/{code}", "health.disease.view", "alert"),
    ("/api/k/{kg}/health/closures", "health.disease.view", None),
    ("/api/k/{kg}/health/exams", "health.exam.view", None),
    ("/api/k/{kg}/health/exams/{code}", "health.exam.view", "exam"),
    ("/api/k/{kg}/health/summary?start=2026-09-01&end=2027-01-31", "health.summary.view", None),
    ("/api/k/{kg}/health/children/{code}/record", "health.child.view", "child"),
    ("/api/k/{kg}/health/weak-cases", "health.exam.view", None),
    ("/api/k/{kg}/health/catch-ups", "health.vaccination.view", None),
    ("/api/k/{kg}/health/disinfection", "health.disinfection.view", None),
    ("/api/k/{kg}/health/rules", "health.settings", None),
    ("/api/k/{kg}/health/statistics?period=year", "health.summary.view", None),
    ("/api/k/{kg}/health/corrections", "health.exam.view", None),
    ("/api/k/{kg}/health/growth-standard", "health.exam.view", None),
]


def _make(world, k):
    ns = getattr(world, k)
    health = actor_of(world, Role.HEALTH_TEACHER, k)
    teacher = actor_of(world, Role.CLASS_TEACHER, k)
    today = timezone.localdate()
    a, b = ns.children[0], ns.children[1]  # both in the own class
    services.record_check(actor=teacher, school_class=ns.own_class, day=today,
                          entries={a.pk: {"status": "sick", "symptoms": ["fever"]}})
    services.case_create(actor=health, child=a, disease="hfmd", onset_date=today - dt.timedelta(days=1),
                         diagnosis_source="hospital")
    case = services.case_create(actor=health, child=b, disease="hfmd", onset_date=today, diagnosis_source="hospital")
    exam = services.exam_record(actor=health, child=a, day=today, height_cm="104", weight_kg="25")  # obese
    from houqin.health.models import OutbreakAlert, WeakChildCase

    return {"case": case, "exam": exam, "alert": OutbreakAlert.objects.get(kindergarten=ns.kg),
            "weak": WeakChildCase.objects.get(child=a, reason="obesity"),
            "attendance": Attendance.objects.get(child=a, date=today)}


def _objects(world):
    k1, k2 = _make(world, "k1"), _make(world, "k2")
    health = actor_of(world, Role.HEALTH_TEACHER)
    other = world.k1.other_child
    other_case = services.case_create(actor=health, child=other, disease="varicella",
                                      onset_date=timezone.localdate(), diagnosis_source="clinic")
    other_exam = services.exam_record(actor=health, child=other, day=timezone.localdate(), height_cm="100",
                                      weight_kg="15")
    from houqin.health.models import WeakChildCase

    other_weak = services.weak_case_open(actor=health, child=other, reason=WeakChildCase._meta.get_field(
        "reason").choices[1][0], plan="补铁")
    teacher_other = Attendance.objects.create(kindergarten=world.k1.kg, child=other, school_class=other.school_class,
                                              date=timezone.localdate(), status="sick")
    return {
        "class": {"own": world.k1.own_class, "other_class": world.k1.other_class, "other_kg": world.k2.own_class,
                  "missing": MISSING},
        "child": {"own": world.k1.own_child, "sibling": world.sibling, "other_class": world.k1.children[4],
                  "other_kg": world.k2.own_child, "missing": MISSING},
        "case": {"own": k1["case"], "other_class": other_case, "other_kg": k2["case"], "missing": MISSING},
        "alert": {"own": k1["alert"], "other_kg": k2["alert"], "missing": MISSING},
        "exam": {"own": k1["exam"], "other_class": other_exam, "other_kg": k2["exam"], "missing": MISSING},
        "weak": {"own": k1["weak"], "other_class": other_weak, "other_kg": k2["weak"], "missing": MISSING},
        "attendance": {"own": k1["attendance"], "other_class": teacher_other, "other_kg": k2["attendance"],
                       "missing": MISSING},
    }


def test_matrix_every_role_every_route_every_scope(world):
    mismatches, checked = run_matrix(world, ROUTES, _objects(world))
    assert mismatches == []
    assert checked > 900


def test_health_data_is_invisible_to_roles_that_should_not_see_it():
    blind = {Role.DIRECTOR, Role.CANTEEN, Role.STOREKEEPER, Role.ACCOUNTANT, Role.GUARD, Role.SUPERVISOR}
    for name, cap in policy.CAPABILITIES.items():
        if not name.startswith("health."):
            continue
        if cap.sensitive:
            assert not blind & set(cap.grants), name
            assert set(cap.grants) <= {Role.HEALTH_TEACHER, Role.PRINCIPAL, Role.CLASS_TEACHER, Role.NURSERY,
                                       Role.PARENT}, name
        if Role.CLASS_TEACHER in cap.grants:
            assert cap.grants[Role.CLASS_TEACHER] == policy.Scope.CLASS, name
        if Role.PARENT in cap.grants:
            assert cap.grants[Role.PARENT] == policy.Scope.CHILD, name
    assert Role.NURSERY not in policy.CAPABILITIES["health.exam.view"].grants  # checks, not exams


def test_every_read_of_a_child_record_is_audited(world):
    child = world.k1.own_child
    for role in (Role.PARENT, Role.CLASS_TEACHER, Role.HEALTH_TEACHER):
        c = Client()
        c.force_login(world.k1.users[role])
        assert c.get(f"/k/k1/health/children/{child.code}/").status_code == 200
        assert c.get(f"/api/k/k1/health/children/{child.code}/record").status_code == 200
        events = AuditEvent.objects.filter(action="health.child.view", actor=world.k1.users[role],
                                           object_code=str(child.code))
        assert events.count() == 2, role
    c = Client()
    c.force_login(world.k1.users[Role.DIRECTOR])
    assert c.get(f"/k/k1/health/children/{child.code}/").status_code == 403
    assert AuditEvent.objects.filter(action="health.child.view", actor=world.k1.users[Role.DIRECTOR],
                                     outcome="denied").count() == 1


def test_posts_follow_the_policy(world):
    """A check of another class, a case by a class teacher, an exam by the nursery staff: refused,
    nothing written."""
    today = timezone.localdate().isoformat()
    for role, url, data, allowed in [
        (Role.CLASS_TEACHER, f"/k/k1/health/check/{world.k1.own_class.code}/?date={today}", {}, True),
        (Role.CLASS_TEACHER, f"/k/k1/health/check/{world.k1.other_class.code}/?date={today}", {}, False),
        (Role.NURSERY, f"/k/k1/health/exams/class/{world.k1.own_class.code}/", {"date": today}, False),
        (Role.CLASS_TEACHER, "/k/k1/health/cases/new/", {"child": str(world.k1.own_child.code), "disease": "hfmd",
                                                         "onset_date": today, "diagnosis_source": "hospital"}, False),
        (Role.DIRECTOR, f"/k/k1/health/check/{world.k1.own_class.code}/", {}, False),
    ]:
        c = Client()
        c.force_login(world.k1.users[role])
        status = c.post(url, data).status_code
        assert (status == 302) == allowed, (role, url, status)
    from houqin.health.models import CheckSession, DiseaseCase, Exam

    assert CheckSession.objects.count() == 1 and DiseaseCase.objects.count() == 0 and Exam.objects.count() == 0

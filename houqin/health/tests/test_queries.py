"""The health pages and list endpoints run a fixed number of queries, whatever the number of children,
checks, cases, exams and records: the daily overview of a whole kindergarten included."""

import datetime as dt

import pytest
from django.utils import timezone

from houqin.health import services
from houqin.health.tests.conftest import actor_of
from houqin.org.models import Role
from houqin.testing import ChildFactory, query_count_mismatches

pytestmark = pytest.mark.django_db

LIST_URLS = [
    "/k/k1/health/",
    "/k/k1/health/check/{own_class}/",
    "/k/k1/health/attendance/",
    "/k/k1/health/attendance/illness/",
    "/k/k1/health/attendance/illness/?format=xlsx",
    "/k/k1/health/children/{own_child}/",
    "/k/k1/health/cases/",
    "/k/k1/health/exams/",
    "/k/k1/health/exams/class/{own_class}/",
    "/k/k1/health/summary/",
    "/k/k1/health/weak/",
    "/k/k1/health/vaccination/",
    "/k/k1/health/disinfection/",
    "/k/k1/health/settings/",
    "/k/k1/health/corrections/",
    "/k/k1/health/corrections/?all=1",
    "/api/k/k1/health/overview",
    "/api/k/k1/health/classes/{own_class}/check",
    "/api/k/k1/health/illness-absence?date={today}",
    "/api/k/k1/health/cases",
    "/api/k/k1/health/alerts",
    "/api/k/k1/health/closures",
    "/api/k/k1/health/exams",
    "/api/k/k1/health/weak-cases",
    "/api/k/k1/health/catch-ups",
    "/api/k/k1/health/disinfection",
    "/api/k/k1/health/summary?start=2026-09-01&end=2027-01-31",
    "/api/k/k1/health/statistics",
    "/api/k/k1/health/statistics?period=year",
    "/api/k/k1/health/corrections",
    "/api/k/k1/health/growth-standard",
]


def _grow(world, rounds: int):
    """More children in every class, each day checked with exceptions and absences, cases, exams,
    vaccination checks with catch-up, disinfection records."""
    health = actor_of(world, Role.HEALTH_TEACHER)
    today = timezone.localdate()
    for i in range(rounds):
        kids = [ChildFactory(school_class=c, sex="M") for c in world.k1.classes for _ in range(2)]
        for c in world.k1.classes:
            members = [k for k in kids if k.school_class_id == c.pk]
            services.record_check(actor=health, school_class=c, day=today, entries={
                members[0].pk: {"status": "sick", "symptoms": ["cough"]},
                members[1].pk: {"temperature": "37.9", "action": "observe"}})
            services.disinfection_record(actor=health, school_class=c, day=today, area="toys", method="uv", minutes=30)
        for k in kids:
            services.exam_record(actor=health, child=k, day=today, height_cm="104", weight_kg="24", haemoglobin="100")
            services.vaccination_check(actor=health, child=k, checked_on=today, doses=[])
        services.case_create(actor=health, child=kids[0], disease="varicella", onset_date=today - dt.timedelta(days=1),
                             diagnosis_source="clinic")
        services.closure_create(actor=health, school_class=world.k1.classes[2], start=today - dt.timedelta(days=40 + 3 * i + 3 * rounds),
                                planned_end=today - dt.timedelta(days=39 + 3 * i + 3 * rounds), reason="x")


@pytest.mark.parametrize("role", [Role.HEALTH_TEACHER, Role.CLASS_TEACHER])
def test_query_count_does_not_grow_with_rows(world, login, role):
    """Every page and list of LIST_URLS, counted on one world grown from few rows to many (the world
    is grown once for all of them: growing it is what costs)."""
    wrong = _fixed_count_mismatches(world, login, LIST_URLS, role)
    assert wrong == [], "\n".join(wrong)
    assert len(LIST_URLS) > 30


@pytest.mark.date_sensitive
@pytest.mark.parametrize("role", [Role.HEALTH_TEACHER, Role.CLASS_TEACHER])
def test_home_query_count_does_not_grow_with_rows_on_any_day(world, login, role):
    """Which to-dos are due depends on the day: the home page stays within the one home budget."""
    wrong = _fixed_count_mismatches(world, login, ["/k/k1/"], role)
    assert wrong == [], "\n".join(wrong)


def _fixed_count_mismatches(world, login, urls, role) -> list[str]:
    """houqin.testing.query_count_mismatches of `urls` as `role`, the world grown from one round to
    five. A page of the health teacher only answers the class teacher otherwise than 200 (the matrix
    asserts which); the health teacher opens every one of them."""
    urls = [url.format(own_class=world.k1.own_class.code, own_child=world.k1.own_child.code,
                       today=timezone.localdate().isoformat()) for url in urls]
    _grow(world, 1)
    client = login(world.k1.users[role])
    counted, wrong = query_count_mismatches(urls, lambda url: client, lambda: _grow(world, 4), budget=30)
    assert role == Role.CLASS_TEACHER or len(counted) == len(urls)
    return wrong


@pytest.mark.parametrize("url,role,expected", [
    # the two-step sign-in check counts too: one query for a verified session (the health teacher's), two
    # for a role that is not asked (class teacher, parent: its roles, then whether it enrolled a phone)
    ("/k/k1/health/attendance/illness/", Role.HEALTH_TEACHER, 10),
    ("/k/k1/health/attendance/illness/?format=xlsx", Role.HEALTH_TEACHER, 10),
    ("/api/k/k1/health/illness-absence?date={today}", Role.HEALTH_TEACHER, 10),
    ("/k/k1/health/attendance/illness/", Role.CLASS_TEACHER, 11),
    # the child's page: one more for the allergy and diet register's records
    ("/k/k1/health/children/{own_child}/", Role.HEALTH_TEACHER, 20),
    ("/k/k1/health/children/{own_child}/", Role.PARENT, 18),
])
def test_illness_absence_and_the_child_page_run_a_fixed_number_of_queries(world, login, django_assert_num_queries,
                                                                         url, role, expected):
    """Exactly: the session and the actor (five), then the illness-absence selector's four (classes,
    enrolled, attendance counts, the sick children's symptoms); the child's page with its growth charts
    (the growth standard read once), whatever the number of rows."""
    health = actor_of(world, Role.HEALTH_TEACHER)
    today = timezone.localdate()
    for days in (360, 180):
        services.exam_record(actor=health, child=world.k1.own_child, day=today - dt.timedelta(days=days),
                             height_cm="100", weight_kg="15.5")
    url = url.format(own_child=world.k1.own_child.code, today=today.isoformat())
    client = login(world.k1.users[role])
    assert client.get(url).status_code == 200  # the first request of a session also writes the session
    for rounds in (1, 3):
        _grow(world, rounds)
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200

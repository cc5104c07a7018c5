"""The safety list pages and list endpoints run a fixed number of queries, whatever the number of
hazards, zones, rounds, drills, visitors, delegations, releases, shifts, incidents and reports."""

import pytest

from houqin.org.models import Role
from houqin.safety.tests.conftest import make_safety
from houqin.testing import query_count_mismatches

pytestmark = pytest.mark.django_db

LIST_URLS = [
    "/k/k1/",
    "/k/k1/safety/",
    "/k/k1/safety/hazards/",
    "/k/k1/safety/hazards/?status=all",
    "/k/k1/safety/hazards/?status=overdue",
    "/k/k1/safety/zones/",
    "/k/k1/safety/agreements/",
    "/k/k1/safety/inspections/",
    "/k/k1/safety/fire/",
    "/k/k1/safety/drills/",
    "/k/k1/safety/visitors/",
    "/k/k1/safety/pickup/",
    "/k/k1/safety/pickup/delegations/",
    "/k/k1/safety/pickup/log/",
    "/k/k1/safety/duty/",
    "/k/k1/safety/incidents/",
    "/k/k1/safety/reports/",
    "/api/k/k1/safety/hazards?status=all",
    "/api/k/k1/safety/zones",
    "/api/k/k1/safety/inspections/templates",
    "/api/k/k1/safety/inspections/rounds",
    "/api/k/k1/safety/fire-equipment",
    "/api/k/k1/safety/drills",
    "/api/k/k1/safety/visitors",
    "/api/k/k1/safety/pickup-releases",
    "/api/k/k1/safety/delegations",
    "/api/k/k1/safety/duty",
    "/api/k/k1/safety/incidents",
    "/api/k/k1/safety/reports",
]


def _grow(world, n: int, offset: int = 0):
    """n more of everything in k1."""
    from houqin.safety import services
    from houqin.safety.tests.conftest import actor_of, days, png

    director, guard = actor_of(world, Role.DIRECTOR), actor_of(world, Role.GUARD)
    teacher = actor_of(world, Role.CLASS_TEACHER)
    for i in range(offset, offset + n):
        h = services.report_hazard(actor=teacher, location=f"位置{i}", description="问题", photo=png())
        services.hazard_assign(actor=director, hazard=h, assignee=world.k1.users[Role.GUARD], deadline=days(1))
        zone = services.zone_save(actor=director, name=f"区域{i}", kind="other", post="保安",
                                  owner=world.k1.users[Role.GUARD], checklist=["a", "b"])
        services.self_check_record(actor=guard, zone=zone, results=[{"item": "a", "ok": True},
                                                                    {"item": "b", "ok": True}])
        template = services.template_save(actor=director, name=f"检查{i}", category="general", frequency="daily",
                                          items=["x", "y"], inspector=world.k1.users[Role.GUARD])
        services.round_record(actor=guard, template=template, results=[{"item": "x", "passed": True},
                                                                       {"item": "y", "passed": True}])
        services.equipment_save(actor=director, kind="extinguisher", label=f"E{i}", location="走廊",
                                last_inspected_on=days(-400))
        d = services.drill_plan(actor=director, kind="earthquake", planned_on=days(-2))
        import datetime as dt

        from django.utils import timezone

        services.drill_record(actor=director, drill=d, held_at=timezone.now() - dt.timedelta(hours=30),
                              classes=world.k1.classes[:2], children_count=30, staff_count=3,
                              evacuation_seconds=100 + i, summary="好")
        services.visitor_arrive(actor=guard, name=f"访客{i}", reason="送货", host="食堂",
                                id_number="11010519491231002X")
        child = world.k1.children[i % len(world.k1.children)]
        services.delegation_request(actor=teacher,
                                    child=world.k1.own_child, date=days(0), delegate_name=f"代接{i}",
                                    relation="邻居", phone="13912345678")
        try:
            services.release_child(actor=guard, child=child, collector="other", collector_name=f"陌生人{i}")
        except services.ReleaseRefused:
            pass
        services.duty_assign(actor=director, date=days(0), slot="evening_peak", volunteer_name=f"家长{i}")
        services.incident_report(actor=teacher, kind="injury", occurred_at=timezone.now(), location="操场",
                                 description="擦伤", child=world.k1.own_child)
        services.agreement_create(actor=director, year=days(0).year, post=f"岗位{i}",
                                  holder=world.k1.users[Role.GUARD], duties="职责")
        services.report_create(actor=director, period="month", day=days(-31 * (i + 1)))


def test_list_pages_do_not_grow_with_rows(world, login):
    """Every page and list of LIST_URLS as the director and as the principal, counted on one world
    grown from few rows to many (grown once for both; no budget: the count only must not change)."""
    make_safety(world)
    clients = {role: login(world.k1.users[role]) for role in (Role.DIRECTOR, Role.PRINCIPAL)}
    pages = [(role, url) for role in clients for url in LIST_URLS]
    counted, wrong = query_count_mismatches(pages, lambda page: clients[page[0]], lambda: _grow(world, 4), budget=None)
    assert wrong == [], "\n".join(wrong)
    assert len(counted) == len(pages) == 58


def test_the_guard_and_teacher_screens_do_not_grow(world, login):
    """The screens the guard and the class teacher may open (the others answer them otherwise than
    200), counted on one world grown once for both."""
    make_safety(world)
    urls = ["/k/k1/", "/k/k1/safety/", "/k/k1/safety/pickup/", "/k/k1/safety/visitors/",
            f"/k/k1/safety/pickup/{world.k1.own_child.code}/"]
    clients = {role: login(world.k1.users[role]) for role in (Role.GUARD, Role.CLASS_TEACHER)}
    pages = [(role, url) for role in clients for url in urls]
    counted, wrong = query_count_mismatches(pages, lambda page: clients[page[0]], lambda: _grow(world, 3), budget=None)
    assert wrong == [], "\n".join(wrong)
    assert len(counted) == 9  # the guard opens all five, the class teacher all but the visitors

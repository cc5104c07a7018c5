"""Inspections, fire equipment, drills, the gate, duty, reports: the rules and the bad input of the
issue (each refused with a message, nothing half-saved)."""

import datetime as dt

import pytest
from django.utils import timezone

from houqin.core.errors import Conflict, DomainError, Forbidden
from houqin.core import rules as core_rules
from houqin.core.models import AuditEvent, RuleOverride
from houqin.org.models import PickupPerson, Role
from houqin.safety import figures, services
from houqin.safety.models import (
    Delegation,
    Drill,
    FireCheck,
    Hazard,
    HazardState,
    InspectionRound,
    Release,
)
from houqin.safety.tests.conftest import actor_of, days, make_safety, png

pytestmark = pytest.mark.django_db


def test_a_failed_inspection_item_becomes_a_hazard_with_its_photo(world):
    s = make_safety(world)
    guard = actor_of(world, Role.GUARD)
    rnd = services.round_record(actor=guard, template=s.template, results=[
        {"item": "滑梯螺丝", "passed": False, "note": "两颗螺丝松动", "photo": png()},
        {"item": "秋千链条", "passed": True}])
    assert rnd.failed_count == 1
    failed = rnd.results.get(passed=False)
    assert failed.hazard.state == HazardState.REPORTED
    assert failed.hazard.source == f"safety.inspection:{rnd.code}"
    assert failed.hazard.photo.name == failed.photo.name and failed.photo
    assert "两颗螺丝松动" in failed.hazard.description


def test_a_round_needs_every_item_and_a_note_for_a_failure(world):
    s = make_safety(world)
    guard = actor_of(world, Role.GUARD)
    before = (InspectionRound.objects.count(), Hazard.objects.count())
    with pytest.raises(DomainError):
        services.round_record(actor=guard, template=s.template, results=[{"item": "滑梯螺丝", "passed": True}])
    with pytest.raises(DomainError):
        services.round_record(actor=guard, template=s.template, results=[
            {"item": "滑梯螺丝", "passed": False, "note": ""}, {"item": "秋千链条", "passed": True}])
    assert (InspectionRound.objects.count(), Hazard.objects.count()) == before


def test_rounds_due_by_frequency(world):
    from houqin.safety import selectors

    s = make_safety(world)
    director = actor_of(world, Role.DIRECTOR)
    daily = services.template_save(actor=director, name="技防日检", category="guard", frequency="daily",
                                   items=["监控画面", "一键报警"], inspector=world.k1.users[Role.GUARD])
    due = {d["template"].pk for d in selectors.rounds_due(actor=director)}
    assert daily.pk in due and s.template.pk not in due  # the weekly one was done this week
    services.round_record(actor=actor_of(world, Role.GUARD), template=daily,
                          results=[{"item": "监控画面", "passed": True}, {"item": "一键报警", "passed": True}])
    assert daily.pk not in {d["template"].pk for d in selectors.rounds_due(actor=director)}


def test_fire_equipment_due_and_the_monthly_round(world):
    s = make_safety(world)
    values = {k: r.value for k, r in services.rules(world.k1.kg).items()}
    due = services.equipment_due(s.equipment, days(0), values)
    assert [(when, overdue) for what, when, overdue in due] == [(days(0), False)]  # never self-checked: due today
    services.fire_round_record(actor=actor_of(world, Role.GUARD), checks=[
        {"equipment": s.equipment, "ok": False, "note": "压力表指针在红区"}])
    s.equipment.refresh_from_db()
    assert s.equipment.last_checked_on == days(0)
    check = FireCheck.objects.get()
    assert check.hazard.severity == "high" and "压力表" in check.hazard.description
    annual = [(w, d) for w, d, o in services.equipment_due(s.equipment, days(0), values) if o]
    assert annual == []  # inspected 300 days ago, within the 12 months; self-checked today
    assert figures.fire_overdue([world.k1.kg.pk], days(70), figures.rule_values([world.k1.kg.pk]))[world.k1.kg.pk] == 1


def test_a_drill_needs_participants_and_cannot_be_recorded_before_it_is_held(world):
    director = actor_of(world, Role.DIRECTOR)
    drill = services.drill_plan(actor=director, kind="earthquake", planned_on=days(0))
    with pytest.raises(DomainError) as exc:
        services.drill_record(actor=director, drill=drill, held_at=timezone.now(), classes=[], children_count=0,
                              staff_count=0, evacuation_seconds=90, summary="好")
    assert exc.value.errors[0]["field"] == "classes"
    with pytest.raises(DomainError):
        services.drill_record(actor=director, drill=drill, held_at=timezone.now() + dt.timedelta(hours=2),
                              classes=world.k1.classes, children_count=60, staff_count=6, evacuation_seconds=90,
                              summary="好")
    drill.refresh_from_db()
    assert drill.held_at is None and drill.classes.count() == 0
    services.drill_record(actor=director, drill=drill, held_at=timezone.now(), classes=world.k1.classes,
                          children_count=60, staff_count=6, evacuation_seconds=130, summary="有序",
                          problems="二楼疏散指示灯不亮\n楼梯口堆放杂物")
    assert Hazard.objects.filter(source=f"safety.drill:{drill.code}").count() == 2
    assert Drill.objects.get(pk=drill.pk).classes.count() == 3


def test_a_visitor_cannot_leave_before_arriving_and_who_is_inside(world):
    from houqin.safety import selectors

    guard = actor_of(world, Role.GUARD)
    with pytest.raises(DomainError):
        services.visitor_arrive(actor=guard, name="张三", reason="送货", host="食堂", id_number="110105194912310021")
    v = services.visitor_arrive(actor=guard, name="张三", reason="送货", host="食堂",
                                arrived_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(DomainError):
        services.visitor_leave(actor=guard, visitor=v, left_at=v.arrived_at - dt.timedelta(minutes=5))
    v.refresh_from_db()
    assert v.left_at is None
    assert [x.pk for x in selectors.visitor_list(actor=guard, inside_only=True)] == [v.pk]
    services.visitor_leave(actor=guard, visitor=v)
    with pytest.raises(Conflict):
        services.visitor_leave(actor=guard, visitor=v)
    assert list(selectors.visitor_list(actor=guard, inside_only=True)) == []


def test_pickup_delegation_must_be_confirmed_and_every_release_is_recorded(world):
    child = world.k1.own_child
    parent, teacher = actor_of(world, Role.PARENT), actor_of(world, Role.CLASS_TEACHER)
    guard = actor_of(world, Role.GUARD)
    d = services.delegation_request(actor=parent, child=child, date=days(0), delegate_name="王阿姨", relation="邻居",
                                    phone="139 1234 5678")
    assert d.requested_via == "parent" and d.phone == "13912345678"
    with pytest.raises(services.ReleaseRefused):
        services.release_child(actor=guard, child=child, collector=f"delegation:{d.code}")
    refused = Release.objects.get()
    assert refused.outcome == "refused" and refused.delegation == d and refused.released_by == guard.user
    assert AuditEvent.objects.filter(action="safety.pickup.refused", object_code=str(refused.code)).exists()
    with pytest.raises(DomainError):
        services.delegation_confirm(actor=teacher, delegation=d, note="")
    services.delegation_confirm(actor=teacher, delegation=d, note="已致电妈妈确认")
    made = services.release_child(actor=guard, child=child, collector=f"delegation:{d.code}")
    assert made.outcome == "released" and made.collector_name == "王阿姨" and made.released_by == guard.user
    with pytest.raises(Conflict):  # released once a day
        services.release_child(actor=guard, child=child, collector=f"delegation:{d.code}")
    assert Release.objects.filter(outcome="released").count() == 1


def test_release_to_a_guardian_or_pickup_person_and_refusal_of_strangers(world):
    guard = actor_of(world, Role.GUARD)
    child = world.k1.children[1]
    person = PickupPerson.objects.create(kindergarten=world.k1.kg, child=child, name="李外婆", relation="外婆",
                                         phone="13700000000", valid_from=days(-10), valid_until=days(-1))
    with pytest.raises(DomainError):  # expired authorisation: not listed today
        services.release_child(actor=guard, child=child, collector=f"pickup:{person.code}")
    with pytest.raises(services.ReleaseRefused) as exc:
        services.release_child(actor=guard, child=child, collector="other", collector_name="李外婆")
    assert "李外婆" in str(exc.value.message)
    assert Release.objects.filter(child=child, outcome="refused").count() == 1
    guardian = world.k1.own_child.guardians.get()
    made = services.release_child(actor=guard, child=world.k1.own_child, collector=f"guardian:{guardian.code}")
    assert made.guardian == guardian and made.collector_kind == "guardian"


def test_delegations_are_only_for_today_or_ahead_and_by_those_allowed(world):
    parent = actor_of(world, Role.PARENT)
    with pytest.raises(DomainError):
        services.delegation_request(actor=parent, child=world.k1.own_child, date=days(-1), delegate_name="a",
                                    relation="b", phone="13912345678")
    with pytest.raises(DomainError):
        services.delegation_request(actor=parent, child=world.k1.own_child, date=days(0), delegate_name="a",
                                    relation="b", phone="123")
    from django.http import Http404

    with pytest.raises(Http404):  # not the parent's child
        services.delegation_request(actor=parent, child=world.k1.children[1], date=days(0), delegate_name="a",
                                    relation="b", phone="13912345678")
    assert Delegation.objects.count() == 0


def test_duty_peak_and_swap(world):
    director = actor_of(world, Role.DIRECTOR)
    shift = services.duty_assign(actor=director, date=days(1), slot="evening_peak", person=world.k1.users[Role.GUARD])
    with pytest.raises(DomainError):
        services.duty_assign(actor=director, date=days(1), slot="evening_peak", person=world.k1.users[Role.GUARD],
                             volunteer_name="家长")
    services.duty_swap(actor=director, shift=shift, volunteer_name="王爸爸（家长志愿者）", reason="调休")
    shift.refresh_from_db()
    assert shift.who == "王爸爸（家长志愿者）" and shift.swapped_from == world.k1.users[Role.GUARD].display_name
    with pytest.raises(Forbidden):
        services.duty_assign(actor=actor_of(world, Role.GUARD), date=days(1), slot="day", volunteer_name="x")


def test_the_weekly_report_counts_the_records_and_freezes_when_signed(world):
    s = make_safety(world)
    director, principal = actor_of(world, Role.DIRECTOR), actor_of(world, Role.PRINCIPAL)
    start, end = services.report_bounds("week", days(0))
    found = figures.report_figures(world.k1.kg, start, end)
    assert found["hazards_found"] == Hazard.objects.filter(kindergarten=world.k1.kg).count() == 4
    assert found["hazards_closed"] == 1 and found["drills"] == 1 and found["incidents"] == 1
    assert found["visitors"] == 1 and found["inspections"] == 1
    assert found["drill_list"][0]["seconds"] == 130 and found["drill_list"][0]["classes"] == 3
    last_week = s.report
    with pytest.raises(Forbidden):
        services.report_sign(actor=director, report=last_week)
    signed = services.report_sign(actor=principal, report=last_week, remarks="本周无事故")
    frozen = dict(signed.figures)
    services.report_hazard(actor=director, location="x", description="y")
    signed.refresh_from_db()
    assert signed.figures == frozen and signed.signed_by == principal.user
    with pytest.raises(Conflict):
        services.report_sign(actor=principal, report=signed)
    this_week = services.report_create(actor=director, period="week", day=days(0))
    if this_week.end > days(0):
        with pytest.raises(Conflict):
            services.report_sign(actor=principal, report=this_week)


def test_overdue_hazards_in_the_report_and_the_findings(world):
    from houqin.core.registry import findings_for

    s = make_safety(world)
    Hazard.objects.filter(pk=s.assigned.pk).update(deadline=days(-3))
    start, end = days(-10), days(0)
    assert figures.report_figures(world.k1.kg, start, end)["hazards_overdue"] == 1
    found = [f for f in findings_for(world.k1.kg, start, end) if f.kind.startswith("safety.")]
    overdue = [f for f in found if f.kind == "safety.hazard_overdue"]
    assert [(f.user_id, f.date) for f in overdue] == [(world.k1.users[Role.GUARD].pk, days(-3))]


def test_a_missed_self_check_is_a_finding_of_the_zone_owner(world):
    from houqin.core.registry import findings_for
    from houqin.safety.models import Zone

    s = make_safety(world)
    Zone.objects.filter(pk=s.zone.pk).update(created_at=timezone.now() - dt.timedelta(days=14))
    start, end = days(-7), days(-1)
    missing = [f for f in findings_for(world.k1.kg, start, end) if f.kind == "safety.self_check_missing"]
    school_days = sum(1 for i in range(7) if (start + dt.timedelta(days=i)).weekday() < 5)
    assert len(missing) == school_days and {f.user_id for f in missing} == {world.k1.users[Role.CLASS_TEACHER].pk}


def test_rules_are_data_with_sources_and_overridable(world):
    rules = services.rules(world.k1.kg)
    assert rules["drills_per_term"].value == 3 and rules["drills_per_term"].unconfirmed
    assert rules["drills_per_term"].source
    director = actor_of(world, Role.DIRECTOR)
    with pytest.raises(DomainError):
        core_rules.override_set(actor=director, area="safety", key="drills_per_term", value="0", source="园务会")
    assert not RuleOverride.objects.exists()
    core_rules.override_set(actor=director, area="safety", key="drills_per_term", value=4, source="园务会决定")
    rules = services.rules(world.k1.kg)
    assert rules["drills_per_term"].value == 4 and rules["drills_per_term"].overridden
    assert not rules["drills_per_term"].unconfirmed
    page = __import__("django.test", fromlist=["Client"]).Client()
    page.force_login(world.k1.users[Role.DIRECTOR])
    html = page.get("/k/k1/safety/settings/").content.decode()
    assert 'data-testid="unconfirmed"' in html


def test_todos_show_overdue_hazards_red_for_the_director_and_principal(world):
    from houqin.core.registry import todos_for

    s = make_safety(world)
    Hazard.objects.filter(pk=s.assigned.pk).update(deadline=days(-1))
    for role in (Role.DIRECTOR, Role.PRINCIPAL):
        red = [t for t in todos_for(actor_of(world, role)) if t.area == "safety" and t.urgency == 3]
        assert any("overdue" in t.url for t in red), role
    guard_todos = [t for t in todos_for(actor_of(world, Role.GUARD)) if t.area == "safety" and t.urgency == 3]
    assert guard_todos  # their own overdue hazard
    teacher = [t for t in todos_for(actor_of(world, Role.CLASS_TEACHER)) if t.area == "safety"]
    assert any(s.zone.name in t.title for t in teacher)  # today's self-check of her zone
    assert any("delegations" in t.url for t in teacher)  # a delegation to confirm by phone


def test_term_figures_for_many_kindergartens_cost_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    from houqin.core.registry import FIGURE_PROVIDERS
    from houqin.safety.navigation import safety_figures

    assert safety_figures in FIGURE_PROVIDERS
    make_safety(world)
    make_safety(world, "k2")
    kgs = [world.k1.kg, world.k2.kg, world.k3.kg]
    start, end = days(-30), days(0)
    with django_assert_max_num_queries(14):
        result = safety_figures(kgs, start, end)
    by_key = {f.key: f for f in result[world.k1.kg.pk]}
    assert by_key["safety.hazards_found"].value == 4 and by_key["safety.hazards_found"].district
    assert by_key["safety.drills"].value == 1
    assert len(by_key["safety.drills"].items) == 1
    assert {f.key for f in result[world.k3.kg.pk]} == set(by_key)
    assert result[world.k3.kg.pk][1].value == 0

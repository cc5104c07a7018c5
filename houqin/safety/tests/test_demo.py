"""The demo step writes a term of safety records with the planted cases of the issue."""

import pytest

pytestmark = pytest.mark.django_db(transaction=False)


def test_the_demo_has_the_planted_cases(demo_built):
    from collections import Counter

    from houqin.core.models import AuditEvent
    from houqin.org.models import Kindergarten
    from houqin.safety.models import Drill, Hazard, Release, SafetyReport, Visitor

    kg = Kindergarten.objects.get(slug="demo")
    states = Counter(Hazard.objects.filter(kindergarten=kg).values_list("state", flat=True))
    assert set(states) == {"reported", "assigned", "rectified", "closed"}
    fire = Drill.objects.get(kindergarten=kg, kind="fire")
    assert fire.classes.count() == 22 and fire.evacuation_seconds == 130
    assert Visitor.objects.filter(kindergarten=kg, left_at__isnull=True).count() == 1
    refused = Release.objects.get(kindergarten=kg, outcome="refused", restriction__isnull=True)
    assert AuditEvent.objects.filter(action="safety.pickup.refused", object_code=str(refused.code)).exists()
    # 不得接走: a confirmed court order with the photo, the barred father refused this morning
    from houqin.safety.models import CustodyRestriction

    restriction = CustodyRestriction.objects.get(kindergarten=kg)
    assert restriction.document and restriction.photo and restriction.is_confirmed
    barred = Release.objects.get(kindergarten=kg, restriction=restriction)
    assert barred.outcome == "refused"
    assert AuditEvent.objects.filter(action="safety.custody.refused", object_code=str(barred.code)).exists()
    assert SafetyReport.objects.filter(kindergarten=kg, signed_at__isnull=False).count() == 3
    assert Hazard.objects.filter(kindergarten__slug="demo2").exists()


def test_the_demo_has_injuries_told_to_parents(demo_built):
    from houqin.notices.models import Notice
    from houqin.org.models import Guardian, Kindergarten
    from houqin.safety.models import Injury

    kg = Kindergarten.objects.get(slug="demo")
    acknowledged = Injury.objects.get(kindergarten=kg, response="acknowledged")
    assert Guardian.objects.filter(child=acknowledged.child, user=acknowledged.responded_by,
                                   user__username="parent").exists()
    assert Notice.objects.get(code=acknowledged.notice_code).children.get() == acknowledged.child
    serious = Injury.objects.get(kindergarten=kg, severity="serious")
    assert serious.incident is not None and serious.district_due and serious.district_reported_at is None
    assert Injury.objects.filter(kindergarten=kg, responded_at__isnull=True).count() == 2


def test_the_demo_shows_todays_slots_at_the_gate_and_counts_safety_education(demo_built, login):
    from django.utils import timezone

    from houqin.core.registry import figures_for
    from houqin.org.demo import DemoDates
    from django.contrib.auth import get_user_model

    from houqin.org.models import Kindergarten
    from houqin.safety.models import GateSlot, SafetyLesson

    User = get_user_model()

    kg = Kindergarten.objects.get(slug="demo")
    today = timezone.localdate()
    in_force = [s for s in GateSlot.objects.filter(kindergarten=kg).active() if s.in_force(today)]
    assert in_force and all(s.gate == "大门" for s in in_force)
    assert {s.kind for s in in_force} == {"arrival", "dismissal"}
    html = login(User.objects.get(username="guard")).get("/k/demo/safety/slots/").content.decode()
    assert html.count('data-testid="gate-slot"') == len(in_force)
    assert "16:25–16:35" in html and "16:20–16:30" not in html  # the small classes' time moved last week
    held = SafetyLesson.objects.filter(kindergarten=kg, held_on__isnull=False).active().count()
    assert held > 20 and SafetyLesson.objects.filter(kindergarten=kg, held_on__isnull=True).exists()
    term = DemoDates(today=today).term
    figures = {f.key: f for f in figures_for([kg], term.start, term.end)[kg.pk]}
    assert figures["safety.education"].value == SafetyLesson.objects.filter(
        kindergarten=kg, held_on__range=(term.start, term.end)).active().count()
    assert figures["safety.injuries"].value >= 2


def test_the_demo_has_the_rule_book(demo_built):
    """The rule book lists the plans with their versions, approver, review date and read receipts; the
    fire drill names the fire evacuation plan; the anti-terror plan is past its review date."""
    from django.utils import timezone

    from houqin.org.models import Kindergarten
    from houqin.safety.models import Drill, Plan, PlanReceipt
    from houqin.safety.rulebook import reviews_due

    kg = Kindergarten.objects.get(slug="demo")
    plans = {p.title: p for p in Plan.objects.filter(kindergarten=kg)}
    assert {"消防应急疏散预案", "食物中毒应急预案", "传染病应急预案", "防暴恐应急预案"} <= set(plans)
    fire = plans["消防应急疏散预案"]
    current = fire.versions.order_by("-number").first()
    assert current.number == 2 and current.approved_by.username == "principal"
    assert PlanReceipt.objects.filter(version=current).count() >= 3
    assert Drill.objects.get(kindergarten=kg, kind="fire").plan == fire
    assert plans["防暴恐应急预案"].versions.get().review_due < timezone.localdate()
    assert reviews_due(kg)["overdue"] == 1

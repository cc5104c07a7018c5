"""The demo term of food safety: records consistent with the storeroom's ledger, and the director's
to-dos on the day after the demo term are exactly the planted gaps (judged against that day)."""

import datetime as dt

import pytest
from django.utils import timezone

from houqin.foodsafety import services
from houqin.foodsafety.demo import OVERRIDE_REASON, planted
from houqin.foodsafety.models import ExpiryCheck, FilterChange, Receipt, ReceiptLine, Sample, SupplierCertificate
from houqin.foodsafety.navigation import todos_on
from houqin.org import demo
from houqin.org.models import Kindergarten

pytestmark = pytest.mark.django_db


def test_the_demo_term_and_its_planted_gaps(demo_built):
    dates = demo.dates_for()
    TODAY, DEMO_END = dates.today, dates.last_day
    kg = Kindergarten.objects.get(slug="demo")
    assert Receipt.objects.filter(kindergarten=kg).count() > 50
    assert ReceiptLine.objects.filter(kindergarten=kg, accepted=False).exclude(reject_reason="").exists()
    for line in ReceiptLine.objects.filter(accepted=True).select_related("movement__batch", "receipt")[:200]:
        assert line.movement.batch.supplier_id == line.receipt.supplier_id
        assert line.retain_until >= line.receipt.received_on + dt.timedelta(days=365 * 2)
    assert not Sample.objects.filter(weight_grams__lt=125).exists()
    assert ExpiryCheck.objects.filter(kindergarten=kg).count() >= 5

    plan = planted("demo", dates)
    nine = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(9)))
    todos = todos_on(kg, today=TODAY, now=nine)
    # the duties of the current day, week and month are reminders while their period runs (amber)
    assert all(t.urgency == 2 or t.due >= TODAY for t in todos if t.extra["kind"].startswith("duty_"))
    found = sorted((t.extra["kind"], t.urgency, str(t.due)) for t in todos
                   if t.due != TODAY and not t.extra["kind"].startswith("duty_"))
    overdue_filter = FilterChange.objects.get(kindergarten=kg, unit__place="小一班")
    assert overdue_filter.next_due < TODAY
    expected = [("certificate_expired", 3, str(plan["certificate_expired_on"])),
                ("certificate_expiring", 2, str(plan["certificate_expiring_on"])),
                ("check_missed", 3, str(plan["check_missed"][1])),
                ("filter_overdue", 3, str(overdue_filter.next_due))]
    if services.served_dishes(kg, DEMO_END):  # the canteen's demo publishes menus: one dish lacks its sample
        expected.append(("sample_missing", 3, str(DEMO_END)))
    assert found == sorted(expected)
    expired = SupplierCertificate.objects.get(kindergarten=kg, valid_until=plan["certificate_expired_on"])
    # nothing accepted from that supplier since its licence expired without the director's recorded override
    after = Receipt.objects.filter(kindergarten=kg, supplier_id=expired.supplier_id,
                                   received_on__gt=expired.valid_until)
    assert not after.filter(override_by__isnull=True).exists()
    assert all(r.override_reason == OVERRIDE_REASON for r in after)
    # the other kindergarten has no gaps at all
    assert [t for t in todos_on(Kindergarten.objects.get(slug="demo2"), today=TODAY, now=nine)
            if t.due != TODAY and not t.extra["kind"].startswith("duty_")] == []


def test_the_demo_kitchen_weighs_its_production_and_keeps_its_duties(demo_built):
    from houqin import policy
    from houqin.foodsafety import production
    from houqin.foodsafety.demo import PRODUCTION_DAYS, left_dish
    from houqin.foodsafety.disinfection import check_disinfection
    from houqin.foodsafety.models import AccompaniedMeal, DutyCheck, ProductionRecord, TablewareDisinfection
    from houqin.org.models import Membership, Role

    dates = demo.dates_for()
    kg = Kindergarten.objects.get(slug="demo")
    days = dates.past_days[-PRODUCTION_DAYS:]
    records = ProductionRecord.objects.filter(kindergarten=kg)
    if not services.served_dishes(kg, dates.last_day):
        pytest.skip("the canteen's demo publishes no menu")
    assert set(records.values_list("day", flat=True)) == set(days)  # two school weeks, every day
    assert not records.filter(sample__isnull=True).exclude(day=dates.last_day).exists()  # each with its sample
    # the rows keep the service's rules (written in bulk: checked here)
    for r in records:
        assert 0 <= r.plate_waste_kg <= r.served_kg <= r.cooked_kg and r.served_kg + r.leftover_kg <= r.cooked_kg
        assert r.cooked_kg <= r.planned_portions and r.cooked_at <= r.served_at
    director = policy.actor_for_kindergarten(
        Membership.objects.filter(kindergarten=kg, role=Role.DIRECTOR).first().user, kg)
    rows = production.waste_by_dish(actor=director, start=days[0], end=days[-1])
    flagged = [r["dish_name"] for r in rows if r["flagged"]]
    assert flagged == [left_dish([{"meal": r.meal, "dish_name": r.dish_name} for r in records])]
    assert all(r["grams_per_child"] for r in rows)
    # the duties: every recent school day, the Fridays, each month; the principal's lunches
    kinds = set(DutyCheck.objects.filter(kindergarten=kg).values_list("kind", flat=True))
    assert kinds == {"daily", "weekly", "monthly"}
    assert DutyCheck.objects.filter(kindergarten=kg, kind="daily", done_on=dates.last_day).exists()
    assert AccompaniedMeal.objects.filter(kindergarten=kg, diner__memberships__role=Role.PRINCIPAL).exists()
    # every tableware log keeps the disinfection rule
    for log in TablewareDisinfection.objects.filter(kindergarten=kg)[:300]:
        assert check_disinfection(kg, method=log.method, minutes=log.minutes, temperature=log.temperature,
                                  chlorine=log.chlorine_mg_l) == []


def test_the_demo_keeps_its_pest_control_and_drinking_water(demo_built):
    """A term of weekly pest rounds and the contractor's monthly treatment, a few signs found each
    with its action; the water units' filters changed on time but one, a laboratory test of each, and
    the failed self-test of 中一班 followed by a passed re-test."""
    from houqin.foodsafety import logs
    from houqin.foodsafety.models import PestCheck, WaterTest, WaterUnit

    dates = demo.dates_for()
    kg = Kindergarten.objects.get(slug="demo")
    checks = PestCheck.objects.filter(kindergarten=kg)
    assert checks.count() >= 3 * 10
    assert checks.exclude(contractor="").filter(contractor_licence__startswith="PCO").count() >= 2
    signs = checks.filter(signs_found=True)
    assert signs.exists() and not signs.filter(action="").exists()
    assert not logs.pest_due(kg, dates.today)["overdue"]
    assert WaterUnit.objects.filter(kindergarten=kg).count() == 4
    states = {s["unit"].place: s for s in logs.unit_states(kg, dates.today)}
    assert [p for p, s in states.items() if s["filter_overdue"] or s["filter_never"]] == ["小一班"]
    assert not any(s["test_failed"] or s["test_overdue"] for s in states.values())
    failed = WaterTest.objects.get(kindergarten=kg, passed=False)
    assert failed.unit.place == "中一班" and states["中一班"]["test"].tested_on > failed.tested_on
    for change in logs.FilterChange.objects.filter(kindergarten=kg):
        assert change.changed_on < change.next_due and change.changed_on <= dates.today

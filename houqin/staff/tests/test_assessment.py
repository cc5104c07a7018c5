"""The monthly assessment: deductions decided by the training record, the veto, the bonus figure,
generation from the other areas' findings (idempotent), confirmation and voiding."""

import datetime as dt
from decimal import Decimal

import pytest

from houqin.core import registry
from houqin.core.errors import Conflict, DomainError
from houqin.core.registry import Finding
from houqin.org.models import Role
from houqin.staff import services
from houqin.staff.models import Assessment, Deduction, TrainedMistakeRule
from houqin.staff.tests.conftest import actor_of

pytestmark = pytest.mark.django_db

OCT = dt.date(2026, 10, 1)


def _sheet(staff, user=None):
    services.assessment_generate(actor=staff.director, month=OCT)
    return Assessment.objects.get(user=user or staff.nursery, month=OCT)


def _train(staff, topic, date, people, attended=True):
    t = services.training_create(actor=staff.director, topic=topic, date=date, trainer="王保健", attendees=people)
    if not attended:
        services.training_record(actor=staff.director, training=t,
                                 rows=[{"user": p, "attended": False} for p in people])
    return t


def test_a_mistake_trained_on_before_counts_the_multiplier(staff):
    training = _train(staff, staff.disinfect, dt.date(2026, 10, 8), [staff.nursery])
    sheet = _sheet(staff)
    before = services.deduction_add(actor=staff.director, assessment=sheet, item=staff.item_disinfect,
                                    date=dt.date(2026, 10, 8), note="培训当天")
    after = services.deduction_add(actor=staff.director, assessment=sheet, item=staff.item_disinfect,
                                   date=dt.date(2026, 10, 20), note="午餐前未消毒")
    untrained_item = services.deduction_add(actor=staff.director, assessment=sheet, item=staff.item_tidy,
                                            date=dt.date(2026, 10, 21))
    assert (before.factor, before.amount, before.trained_in) == (1, Decimal("2"), None)  # same day: not before
    assert (after.factor, after.amount, after.trained_in) == (2, Decimal("4"), training)
    assert (untrained_item.factor, untrained_item.amount) == (1, Decimal("1"))
    sheet.refresh_from_db()
    assert sheet.deducted == Decimal("7") and sheet.score == Decimal("93")
    assert sheet.bonus == Decimal("558.00")  # 600 × 93 / 100


def test_absence_or_a_voided_training_does_not_count(staff):
    _train(staff, staff.disinfect, dt.date(2026, 10, 2), [staff.nursery], attended=False)
    voided = _train(staff, staff.disinfect, dt.date(2026, 10, 3), [staff.nursery])
    services.training_void(actor=staff.director, training=voided, reason="录入错误")
    sheet = _sheet(staff)
    d = services.deduction_add(actor=staff.director, assessment=sheet, item=staff.item_disinfect,
                               date=dt.date(2026, 10, 20))
    assert d.factor == 1 and d.trained_in is None


def test_the_multiplier_is_the_kindergartens_and_the_veto_zeroes_the_bonus(staff):
    services.settings_update(actor=staff.director, trained_multiplier=Decimal("3"))
    _train(staff, staff.disinfect, dt.date(2026, 10, 8), [staff.nursery])
    sheet = _sheet(staff)
    d = services.deduction_add(actor=staff.director, assessment=sheet, item=staff.item_disinfect,
                               date=dt.date(2026, 10, 20))
    assert d.amount == Decimal("6")
    services.settings_update(actor=staff.director, trained_rule=TrainedMistakeRule.VETO)
    v = services.deduction_add(actor=staff.director, assessment=sheet, item=staff.item_disinfect,
                               date=dt.date(2026, 10, 22))
    sheet.refresh_from_db()
    assert v.is_veto and sheet.vetoed and sheet.bonus == Decimal("0.00") and sheet.score == Decimal("92")
    services.deduction_void(actor=staff.director, deduction=v, reason="复核：当天请假")
    sheet.refresh_from_db()
    assert not sheet.vetoed and sheet.bonus == Decimal("564.00")


def test_the_posts_own_bonus_and_rounding_to_the_fen(staff):
    sheet = _sheet(staff, staff.cook)
    assert sheet.full_bonus == Decimal("800.00")
    services.settings_update(actor=staff.director, base_points=Decimal("90"))
    # the sheet keeps the base points it was made with
    d = services.deduction_add(actor=staff.director, assessment=sheet, item=staff.item_sample, date=dt.date(2026, 10, 5))
    sheet.refresh_from_db()
    assert d.amount == 3 and sheet.score == Decimal("97") and sheet.bonus == Decimal("776.00")
    nov = dt.date(2026, 11, 1)
    services.assessment_generate(actor=staff.director, month=nov)
    nov_sheet = Assessment.objects.get(user=staff.cook, month=nov)
    services.deduction_add(actor=staff.director, assessment=nov_sheet, item=staff.item_sample,
                           date=dt.date(2026, 11, 2))
    nov_sheet.refresh_from_db()
    assert nov_sheet.base_points == Decimal("90") and nov_sheet.bonus == Decimal("773.33")  # 800 × 87 / 90


def test_bad_deductions_are_refused_and_change_nothing(staff):
    sheet = _sheet(staff)
    with pytest.raises(DomainError):  # an item of another post
        services.deduction_add(actor=staff.director, assessment=sheet, item=staff.item_sample, date=dt.date(2026, 10, 5))
    with pytest.raises(DomainError):  # outside the month
        services.deduction_add(actor=staff.director, assessment=sheet, item=staff.item_tidy, date=dt.date(2026, 11, 2))
    assert not Deduction.objects.exists()
    sheet.refresh_from_db()
    assert sheet.score == Decimal("100")


def test_a_confirmed_sheet_cannot_change(staff):
    sheet = _sheet(staff)
    services.assessment_confirm(actor=staff.director, assessment=sheet)
    with pytest.raises(Conflict):
        services.deduction_add(actor=staff.director, assessment=sheet, item=staff.item_tidy, date=dt.date(2026, 10, 5))


def test_generation_covers_everyone_on_a_post_during_the_month(staff, world):
    result = services.assessment_generate(actor=staff.director, month=OCT)
    assert result.created == 2 and result.sheets == 2
    again = services.assessment_generate(actor=staff.director, month=OCT)
    assert again.created == 0 and Assessment.objects.filter(month=OCT).count() == 2
    with pytest.raises(DomainError):
        services.assessment_generate(actor=staff.director, month=dt.date(2027, 1, 1))


@pytest.fixture
def findings_provider(staff):
    """A real provider in the registry (as another area registers one), removed afterwards."""
    kind = "testarea.sample_missing"
    found = []

    def provider(kindergarten, start, end):
        return [f for f in found if start <= f.date <= end and kindergarten.pk == staff.kg.pk]

    registry.register_findings({kind: "Missing food sample"})(provider)
    yield kind, found
    registry.FINDING_PROVIDERS.remove(provider)
    registry.FINDING_KINDS.pop(kind, None)


def test_findings_of_a_linked_kind_become_deductions_once(staff, findings_provider):
    kind, found = findings_provider
    services.item_save(actor=staff.director, post=staff.cook_post, item=staff.item_sample, name=staff.item_sample.name,
                       points="3", topic=staff.six_t, finding_kind=kind)
    _train(staff, staff.six_t, dt.date(2026, 9, 20), [staff.cook])
    found += [
        Finding(kind, "Missing food sample", staff.cook.pk, dt.date(2026, 10, 9), "10月9日午餐 番茄炒蛋 未留样",
                "/k/k1/foodsafety/samples/?date=2026-10-09"),
        Finding(kind, "Missing food sample", staff.cook.pk, dt.date(2026, 10, 15), "10月15日早点 未留样",
                "/k/k1/foodsafety/samples/?date=2026-10-15"),
        Finding(kind, "Missing food sample", staff.nursery.pk, dt.date(2026, 10, 15), "not linked on her post", ""),
        Finding("other.kind", "Other", staff.cook.pk, dt.date(2026, 10, 15), "not linked", ""),
    ]
    result = services.assessment_generate(actor=staff.director, month=OCT)
    assert result.deductions == 2
    sheet = Assessment.objects.get(user=staff.cook, month=OCT)
    ds = list(sheet.deductions.order_by("date"))
    assert [d.source_url for d in ds] == ["/k/k1/foodsafety/samples/?date=2026-10-09",
                                          "/k/k1/foodsafety/samples/?date=2026-10-15"]
    assert all(d.factor == 2 and d.amount == 6 and d.finding_kind == kind for d in ds)  # trained on 六T in September
    assert sheet.score == Decimal("88") and sheet.bonus == Decimal("704.00")
    assert not Assessment.objects.get(user=staff.nursery, month=OCT).deductions.exists()
    # again: nothing counted twice; a new finding is added
    found.append(Finding(kind, "Missing food sample", staff.cook.pk, dt.date(2026, 10, 20), "10月20日 未留样", "/x"))
    again = services.assessment_generate(actor=staff.director, month=OCT)
    assert again.deductions == 1 and sheet.deductions.count() == 3
    # a deduction voided on review is not brought back by the next generation
    services.deduction_void(actor=staff.director, deduction=ds[0], reason="复核：当天已留样，记录晚补")
    assert services.assessment_generate(actor=staff.director, month=OCT).deductions == 0
    sheet.refresh_from_db()
    assert sheet.score == Decimal("88") and sheet.deductions.filter(voided_at__isnull=True).count() == 2
    # a confirmed sheet is left alone
    services.assessment_confirm(actor=staff.director, assessment=sheet)
    found.append(Finding(kind, "Missing food sample", staff.cook.pk, dt.date(2026, 10, 21), "late", "/y"))
    third = services.assessment_generate(actor=staff.director, month=OCT)
    assert third.deductions == 0 and third.confirmed_skipped == 1


def test_the_settings_are_validated(director):
    with pytest.raises(DomainError):
        services.settings_update(actor=director, weight_parents=Decimal("0.5"))  # 0.5 + 0.3 + 0.3 ≠ 1
    with pytest.raises(DomainError):
        services.settings_update(actor=director, trained_multiplier=Decimal("0.5"))
    s = services.get_settings(director.kindergarten)
    assert s.weight_parents == Decimal("0.40") and s.trained_multiplier == 2


def test_posts_and_assignments(staff, world):
    with pytest.raises(DomainError):
        services.post_save(actor=staff.director, name="保育员")
    other = services.post_save(actor=staff.director, name="保洁")
    a = services.assign(actor=staff.director, user=staff.nursery, post=other, started_on=dt.date(2026, 10, 16))
    old = staff.nursery_post.assignments.get(user=staff.nursery)
    assert old.ended_on == dt.date(2026, 10, 15) and a.ended_on is None
    # October's sheet: the latest post held in the month
    services.assessment_generate(actor=staff.director, month=OCT)
    assert Assessment.objects.get(user=staff.nursery, month=OCT).post == other
    # a parent is not staff
    from django.http import Http404

    with pytest.raises(Http404):
        services.assign(actor=staff.director, user=world.k1.users[Role.PARENT], post=other, started_on=dt.date(2026, 11, 1))
    # a post of another kindergarten
    k2_director = actor_of(world, Role.DIRECTOR, "k2")
    with pytest.raises(Http404):
        services.assign(actor=k2_director, user=world.k2.users[Role.NURSERY], post=other, started_on=dt.date(2026, 11, 1))

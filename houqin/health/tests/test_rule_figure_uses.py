"""Every rule figure the health area ships is used, and used as the kindergarten has set it: for each
figure a test sets the kindergarten's own value (core.rules.override_set, as the settings page does)
and shows that what the figure decides moves with it — an isolation's return date, an outbreak rule's
count, window and reporting hours, a symptom cluster, the readings refused, the judgements of an exam,
the re-check dates, the follow-up and acknowledgement clocks. A figure added to the data without a
use and a test here fails `test_every_shipped_figure_has_its_use_tested`."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from houqin.core import rules as core_rules
from houqin.core.errors import DomainError
from houqin.health import judgements, rules, services
from houqin.health.models import Correction, OutbreakAlert
from houqin.health.tests.conftest import actor_of
from houqin.org.models import Role
from houqin.testing import ChildFactory

pytestmark = pytest.mark.django_db

SOURCE = "本园卫生保健制度（测试）"
DISEASES = sorted(rules.diseases())
RULES = {r.key: r for r in rules.outbreak_rules()}
DISEASE_RULES = sorted(k for k, r in RULES.items() if r.disease and r.scope in ("class", "kindergarten"))
SYMPTOM_RULES = sorted(k for k, r in RULES.items() if not r.disease)
# the figures tested one by one below, beyond the families (disease.*, outbreak.*)
SINGLE = {"temperature.min", "temperature.max", "temperature.fever", "exam.height_error_cm", "vaccination.check_days",
          "attendance.follow_up_days", "report.ack_hours", "growth.anaemia_hb", "growth.anaemia_from_months",
          "growth.anaemia_to_months", "vision.poor_below_3y", "vision.poor_below_4y", "vision.poor_below_5y",
          "vision.poor_below_6y", "caries.min_teeth", "correction.anaemia.recheck_days",
          "correction.vision.recheck_days", "correction.caries.recheck_days"}


def today():
    return timezone.localdate()


@pytest.fixture
def health(world):
    return actor_of(world, Role.HEALTH_TEACHER)


def own(actor, key, value):
    core_rules.override_set(actor=actor, area="health", key=key, value=value, source=SOURCE)


def figs(world):
    return rules.figures(world.k1.kg)


def test_every_shipped_figure_has_its_use_tested():
    keys = set(core_rules.shipped("health"))
    families = ({f"disease.{d}.isolation_days" for d in DISEASES}
                | {f"outbreak.{k}.{part}" for k in RULES for part in ("threshold", "window_days", "report_hours")})
    growth = {k for k in keys if k.startswith("growth.") and k not in SINGLE}
    assert keys - families - SINGLE - growth == set(), "a shipped figure without a use tested here"
    assert growth <= set(rules.growth_cutoffs(None)) | {"growth.anaemia_hb"}  # the cut-offs: tested below


# --- isolation ------------------------------------------------------------------------------------


@pytest.mark.parametrize("disease", DISEASES)
def test_the_isolation_period_is_the_kindergartens(world, health, disease):
    d = rules.diseases()[disease]
    own(health, f"disease.{disease}.isolation_days", d.isolation_days + 3)
    onset = today() - dt.timedelta(days=6)
    clock = {} if d.clock == "onset" else {d.clock: onset + dt.timedelta(days=1)}
    case = services.case_create(actor=health, child=world.k1.own_child, disease=disease, onset_date=onset,
                                diagnosis_source="hospital", **clock)
    start = onset if d.clock == "onset" else clock[d.clock]
    assert case.isolation_days == d.isolation_days + 3
    assert case.return_due == start + dt.timedelta(days=d.isolation_days + 3)


# --- outbreak rules of a disease ------------------------------------------------------------------


def _case(health, child, disease, onset):
    services.case_create(actor=health, child=child, disease=disease, onset_date=onset, diagnosis_source="hospital")


def _fired(key):
    return OutbreakAlert.objects.filter(rule_key=key)


@pytest.mark.parametrize("key", DISEASE_RULES)
def test_a_disease_rule_counts_with_the_kindergartens_threshold_window_and_hours(world, health, key):
    """The kindergarten asks one case more, over a window two days longer, with three more hours to
    report: a case just inside the longer window counts, one just outside does not; the rule fires
    at the new threshold, not the shipped one."""
    rule = RULES[key]
    threshold, window, hours = rule.threshold + 1, rule.window_days + 2, rule.report_hours + 3
    own(health, f"outbreak.{key}.threshold", threshold)
    own(health, f"outbreak.{key}.window_days", window)
    own(health, f"outbreak.{key}.report_hours", hours)
    classes = [world.k1.own_class] if rule.scope == "class" else list(world.k1.classes)
    kids = iter([ChildFactory(school_class=classes[i % len(classes)]) for i in range(threshold + 1)])
    first_day = today() - dt.timedelta(days=window - 1)  # inside the kindergarten's window, outside the shipped one
    _case(health, next(kids), rule.disease, first_day - dt.timedelta(days=1))  # just outside: never counted today
    for _i in range(threshold - 2):
        _case(health, next(kids), rule.disease, first_day)
    _case(health, next(kids), rule.disease, today())
    assert not _fired(key).filter(window_end=today()).exists()  # one short: the case outside does not count
    _case(health, next(kids), rule.disease, today())
    alert = _fired(key).get(window_end=today())
    assert (alert.case_count, alert.threshold, alert.window_start) == (threshold, threshold, first_day)
    assert alert.report_due_at - alert.report_made_at == dt.timedelta(hours=hours)


def test_the_classes_rule_counts_classes_with_the_kindergartens_figures(world, health):
    rule = RULES["hfmd_classes"]
    threshold, window, hours = rule.threshold - 1, rule.window_days + 2, rule.report_hours + 3
    own(health, "outbreak.hfmd_classes.threshold", threshold)
    own(health, "outbreak.hfmd_classes.window_days", window)
    own(health, "outbreak.hfmd_classes.report_hours", hours)
    first_day = today() - dt.timedelta(days=window - 1)
    a, b = world.k1.classes[0], world.k1.classes[1]
    for _i in range(rule.per_class):
        _case(health, ChildFactory(school_class=a), "hfmd", first_day)
    assert not _fired("hfmd_classes").exists()
    for _i in range(rule.per_class):
        _case(health, ChildFactory(school_class=b), "hfmd", today())
    alert = _fired("hfmd_classes").get()
    assert alert.case_count == threshold == 2
    assert alert.report_due_at - alert.report_made_at == dt.timedelta(hours=hours)


# --- symptom clusters in a class --------------------------------------------------------------------


@pytest.mark.parametrize("key", SYMPTOM_RULES)
def test_a_symptom_cluster_counts_with_the_kindergartens_figures(world, health, key):
    rule = RULES[key]
    threshold, window, hours = rule.threshold + 1, rule.window_days + 1, rule.report_hours + 3
    own(health, f"outbreak.{key}.threshold", threshold)
    own(health, f"outbreak.{key}.window_days", window)
    own(health, f"outbreak.{key}.report_hours", hours)
    cls = world.k1.own_class
    kids = [ChildFactory(school_class=cls) for _i in range(threshold)]
    earlier = today() - dt.timedelta(days=window - 1)  # counted only in the kindergarten's longer window
    services.record_check(actor=health, school_class=cls, day=earlier, entries={
        c.pk: {"status": "sick", "symptoms": ["cough"]} for c in kids[:threshold - 2]})
    services.record_check(actor=health, school_class=cls, day=today(), entries={
        kids[threshold - 2].pk: {"status": "sick", "symptoms": ["cough"]}})
    assert not _fired(key).exists()  # threshold − 1 children: the shipped threshold may be met, not the own one
    services.record_check(actor=health, school_class=cls, day=today(), entries={
        c.pk: {"status": "sick", "symptoms": ["cough"]} for c in kids[threshold - 2:]})
    alert = _fired(key).get()
    assert (alert.case_count, alert.threshold, alert.symptom) == (threshold, threshold, "cough")
    assert alert.report_due_at - alert.report_made_at == dt.timedelta(hours=hours)


# --- readings refused, fever ------------------------------------------------------------------------


def test_the_possible_temperatures_are_the_kindergartens(world, health):
    kg = world.k1.kg
    assert services.check_temperature(kg, "42.5") == Decimal("42.5")
    own(health, "temperature.max", "42.0")
    own(health, "temperature.min", "35.0")
    for reading in ("42.5", "34.5"):
        with pytest.raises(DomainError):
            services.check_temperature(kg, reading)
    assert services.check_temperature(kg, "35.0") == Decimal("35.0")


def test_the_fever_threshold_is_the_kindergartens(world, health):
    child = world.k1.own_child
    own(health, "temperature.fever", "37.6")
    services.record_check(actor=health, school_class=child.school_class, day=today(), entries={
        child.pk: {"temperature": "37.4"}})  # a fever at the shipped 37.3, not at the kindergarten's 37.6
    with pytest.raises(DomainError):  # at 37.6 a fever needs an action
        services.record_check(actor=health, school_class=child.school_class, day=today(), kind="noon", entries={
            child.pk: {"temperature": "37.6"}})


def test_the_height_measurement_error_is_the_kindergartens(world, health):
    child = world.k1.own_child
    services.exam_record(actor=health, child=child, day=today() - dt.timedelta(days=60), height_cm="105",
                         weight_kg="17")
    with pytest.raises(DomainError):  # 2 cm lower than last time: more than the shipped 1 cm
        services.exam_record(actor=health, child=child, day=today(), height_cm="103", weight_kg="17")
    own(health, "exam.height_error_cm", "2.5")
    assert services.exam_record(actor=health, child=child, day=today(), height_cm="103", weight_kg="17").pk


# --- judgements of an exam ----------------------------------------------------------------------------


def test_anaemia_uses_the_kindergartens_haemoglobin_and_ages(world, health):
    five_years = 5 * 365
    assert judgements.anaemic(105, age_days=five_years, figs=figs(world))
    own(health, "growth.anaemia_hb", "100")
    assert not judgements.anaemic(105, age_days=five_years, figs=figs(world))
    assert not judgements.anaemic(95, age_days=7 * 365 + 180, figs=figs(world))  # seven and a half: past the shipped 84 months
    own(health, "growth.anaemia_to_months", "96")
    assert judgements.anaemic(95, age_days=7 * 365 + 180, figs=figs(world))
    assert judgements.anaemic(95, age_days=300, figs=figs(world))  # 10 months
    own(health, "growth.anaemia_from_months", "12")
    assert not judgements.anaemic(95, age_days=300, figs=figs(world))


@pytest.mark.parametrize("years", [3, 4, 5, 6])
def test_poor_vision_uses_the_kindergartens_limit_for_the_age(world, health, years):
    age = years * 365 + 100
    limit = judgements.vision_limit(age_days=age, figs=figs(world))
    just_below = limit - Decimal("0.1")
    assert judgements.poor_vision(just_below, limit, age_days=age, figs=figs(world))
    own(health, f"vision.poor_below_{years}y", just_below)
    assert not judgements.poor_vision(just_below, limit, age_days=age, figs=figs(world))


def test_caries_counts_from_the_kindergartens_number_of_teeth(world, health):
    assert judgements.has_caries(1, figs=figs(world))
    own(health, "caries.min_teeth", 2)
    assert not judgements.has_caries(1, figs=figs(world)) and judgements.has_caries(2, figs=figs(world))


def test_the_growth_cut_offs_are_the_kindergartens(world, health):
    cutoffs = rules.growth_cutoffs(world.k1.kg)
    for key, value in cutoffs.items():
        own(health, key, Decimal(value) - Decimal("0.5"))
    assert rules.growth_cutoffs(world.k1.kg) == {k: Decimal(v) - Decimal("0.5") for k, v in cutoffs.items()}


@pytest.mark.parametrize("kind, values", [
    ("anaemia", {"haemoglobin": 95}), ("vision", {"vision_left": "4.5", "vision_right": "4.5"}), ("caries", {"caries": 3}),
])
def test_a_correction_is_rechecked_after_the_kindergartens_days(world, health, kind, values):
    own(health, f"correction.{kind}.recheck_days", 45)
    exam = services.exam_record(actor=health, child=world.k1.own_child, day=today(), height_cm="105", weight_kg="17",
                                **values)
    correction = Correction.objects.get(child=world.k1.own_child, kind=kind)
    assert correction.next_check_on == exam.date + dt.timedelta(days=45)


# --- clocks of follow-up and acknowledgement ---------------------------------------------------------


def test_illness_absences_are_followed_up_after_the_kindergartens_days(world, health):
    from houqin.core.registry import todos_for

    child = world.k1.own_child
    services.record_check(actor=health, school_class=child.school_class, day=today() - dt.timedelta(days=1),
                          entries={child.pk: {"status": "sick", "symptoms": ["fever"]}})

    def follow_up_todo():
        return any("illness absence" in str(t.title) for t in todos_for(actor_of(world, Role.HEALTH_TEACHER)))

    assert follow_up_todo()  # shipped: followed up the next day
    own(health, "attendance.follow_up_days", 2)
    assert not follow_up_todo()  # the kindergarten gives two days


def test_the_districts_acknowledgement_is_overdue_after_the_kindergartens_hours(world, health):
    from houqin.health.selectors import ack_overdue

    child, other = world.k1.own_child, world.k1.children[1]
    for kid in (child, other):
        _case(health, kid, "hfmd", today())
    alert = _fired("hfmd_class").get()
    alert.district_report = True
    alert.reported_at = timezone.now() - dt.timedelta(hours=30)
    assert ack_overdue(alert)  # shipped 24 hours
    own(health, "report.ack_hours", 36)
    assert not ack_overdue(alert)


def test_the_vaccination_check_period_shown_is_the_kindergartens(world, health, login):
    client = login(world.k1.users[Role.HEALTH_TEACHER])
    assert "入园后完成接种证查验的期限：30 天" in client.get("/k/k1/health/vaccination/").content.decode()
    own(health, "vaccination.check_days", 45)
    assert "入园后完成接种证查验的期限：45 天" in client.get("/k/k1/health/vaccination/").content.decode()

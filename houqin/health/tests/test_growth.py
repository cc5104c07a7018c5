"""The LMS z-scores against WHO's published tables (WHO Child Growth Standards 2006 SD tables and
the WHO Growth Reference 2007), and WHO's rule beyond ±3 SD."""

import datetime as dt
import math

import pytest

from houqin.health import growth

CUTOFFS = {"growth.underweight_waz": -2, "growth.stunting_haz": -2, "growth.wasting_whz": -2,
           "growth.overweight_whz": 2, "growth.obesity_whz": 3, "growth.overweight_bmiz": 1, "growth.obesity_bmiz": 2}


@pytest.mark.parametrize("indicator,sex,days,height,published", [
    # WHO SD tables (−2 SD, median, +2 SD), rounded to 0.1 as WHO publishes them
    ("weight_for_age", "M", 365, None, (7.7, 9.6, 12.0)),  # boys 12 months
    ("weight_for_age", "F", 1096, None, (10.8, 13.9, 18.1)),  # girls 3 years
    ("length_height_for_age", "M", 730, None, (81.7, 87.8, 93.9)),  # boys 24 months, length
    ("length_height_for_age", "M", 731, None, (81.0, 87.1, 93.2)),  # boys 24 months, height (−0.7 cm)
    ("length_height_for_age", "M", 1461, None, (94.9, 103.3, 111.7)),  # boys 4 years
    ("length_height_for_age", "F", 1826, None, (99.9, 109.4, 118.9)),  # girls 5 years
    ("weight_for_height", "M", 1000, 100.0, (13.1, 15.4, 18.2)),  # boys 100 cm
    ("length_height_for_age", "F", 2191, None, (104.9, 115.1, 125.4)),  # girls 6 years (2007 reference)
    ("length_height_for_age", "M", 2557, None, (111.2, 121.7, 132.3)),  # boys 7 years (2007 reference)
])
def test_sd_lines_match_who_published_tables(indicator, sex, days, height, published):
    lms, _edition = growth.lms_for(indicator, sex, age_days=days, height_cm=height)
    assert tuple(round(lms.value_at(z), 1) for z in (-2, 0, 2)) == published
    weight_based = indicator in growth.WEIGHT_BASED
    for z, value in zip((-2, 0, 2), published):
        # the published (rounded) value sits at its SD line within rounding
        assert growth.zscore(value, lms, weight_based=weight_based) == pytest.approx(z, abs=0.06)


def test_median_is_zero_and_sd_lines_exact():
    lms, edition = growth.lms_for("weight_for_age", "M", age_days=365)
    assert (lms.L, lms.M, lms.S) == (0.0645, 9.646, 0.10925)
    assert edition == "who2006"
    assert growth.zscore(9.646, lms, weight_based=True) == pytest.approx(0, abs=1e-12)
    for z in (-3, -2, -1, 1, 2, 3):
        assert growth.zscore(lms.value_at(z), lms, weight_based=True) == pytest.approx(z, abs=1e-9)


def test_who_rule_beyond_three_sd_for_weight_but_not_height():
    lms, _ = growth.lms_for("weight_for_age", "M", age_days=365)
    sd3, sd2 = lms.value_at(3), lms.value_at(2)
    heavy = sd3 + 0.5 * (sd3 - sd2)
    assert growth.zscore(heavy, lms, weight_based=True) == pytest.approx(3.5, abs=1e-9)
    raw = ((heavy / lms.M) ** lms.L - 1) / (lms.L * lms.S)
    assert abs(raw - 3.5) > 0.02  # the plain LMS value differs: the rule matters
    sdm3, sdm2 = lms.value_at(-3), lms.value_at(-2)
    light = sdm3 - (sdm2 - sdm3)
    assert growth.zscore(light, lms, weight_based=True) == pytest.approx(-4, abs=1e-9)
    hlms, _ = growth.lms_for("length_height_for_age", "M", age_days=365)
    tall = hlms.value_at(3.5)
    assert growth.zscore(tall, hlms, weight_based=False) == pytest.approx(3.5, abs=1e-9)


def test_interpolates_weight_for_height_between_millimetres_and_age_in_months_after_five():
    a, _ = growth.lms_for("weight_for_height", "F", age_days=1000, height_cm=90.0)
    b, _ = growth.lms_for("weight_for_height", "F", age_days=1000, height_cm=90.1)
    mid, _ = growth.lms_for("weight_for_height", "F", age_days=1000, height_cm=90.05)
    assert mid.M == pytest.approx((a.M + b.M) / 2)
    m61, ed = growth.lms_for("bmi_for_age", "M", age_days=math.ceil(61 * growth.DAYS_PER_MONTH))
    assert ed == "who2007" and m61.M == pytest.approx(15.2641, abs=0.01)


def test_assessment_by_who_classifies_by_the_cutoffs_and_names_the_standard():
    born = dt.date(2022, 5, 1)
    on = dt.date(2026, 5, 1)  # 4 years
    who = growth.WHO
    normal = growth.assess(sex="M", birth_date=born, on=on, height_cm=103.3, weight_kg=16.3, cutoffs=CUTOFFS,
                           standard=who)
    assert normal.results == [] and abs(normal.haz) < 0.1
    assert normal.standard == "who2006_2007"
    small = growth.assess(sex="M", birth_date=born, on=on, height_cm=92.0, weight_kg=11.0, cutoffs=CUTOFFS,
                          standard=who)
    assert "stunting" in small.results and "underweight" in small.results
    heavy = growth.assess(sex="M", birth_date=born, on=on, height_cm=103.0, weight_kg=23.5, cutoffs=CUTOFFS,
                          standard=who)
    assert "obesity" in heavy.results
    older = growth.assess(sex="F", birth_date=dt.date(2020, 1, 1), on=dt.date(2026, 3, 1), height_cm=115.0,
                          weight_kg=26.0, cutoffs=CUTOFFS, standard=who)
    assert older.whz is None and older.bmiz is not None and "obesity" in older.results

"""The growth judgements by WS/T 423-2022 and the 2012 规范's cut-offs, the position bands, anaemia,
poor vision and caries: every rule figure's use, at and around its boundary (no database)."""

import datetime as dt
from decimal import Decimal

import pytest

from houqin.health import growth, judgements, rules

BORN = dt.date(2022, 5, 1)  # a girl
AT_48_MONTHS = dt.date(2026, 5, 1)  # 1461 days = 48.0 months: a row of the tables


@pytest.fixture
def figs():
    return rules.figures(None)  # the shipped figures


def assess(height, weight, *, on=AT_48_MONTHS, standard=growth.WST423, sex="F"):
    return growth.assess(sex=sex, birth_date=BORN, on=on, height_cm=Decimal(height), weight_kg=Decimal(weight),
                         cutoffs=rules.growth_cutoffs(None), standard=standard)


def test_the_shipped_cut_offs_are_the_2012_guideline_marked_unconfirmed(figs):
    expected = {"growth.underweight_waz": -2, "growth.stunting_haz": -2, "growth.wasting_whz": -2,
                "growth.overweight_whz": 1, "growth.obesity_whz": 2, "growth.overweight_bmiz": 1,
                "growth.obesity_bmiz": 2, "growth.anaemia_hb": 110, "growth.anaemia_from_months": 6}
    for key, value in expected.items():
        assert figs[key].value == value and figs[key].unconfirmed, key
        assert "卫办妇社发〔2012〕49号" in figs[key].source, key
    assert rules.default_growth_standard() == "wst423_2022"
    assert judgements.standard_name("wst423_2022") == "WS/T 423-2022《7岁以下儿童生长标准》"
    assert "世界卫生组织" in judgements.standard_name("who2006_2007")


def test_sd_tables_give_the_published_rows_and_read_positions_off_the_lines():
    days = (AT_48_MONTHS - BORN).days
    assert growth.sd_values("weight_for_age", "F", age_days=days) == pytest.approx(
        (11.7, 13.0, 14.5, 16.2, 18.3, 20.8, 23.8))
    values = growth.sd_values("length_height_for_age", "F", age_days=days)
    assert values == pytest.approx((92.2, 96.0, 99.8, 103.7, 107.5, 111.3, 115.1))
    for z, v in zip(growth.SD_LINES, values):
        assert growth.sd_position(v, values) == pytest.approx(z)
    assert growth.sd_position((96.0 + 99.8) / 2, values) == pytest.approx(-1.5)
    assert growth.sd_position(115.1 + (115.1 - 111.3) / 2, values) == pytest.approx(3.5)  # beyond +3SD
    # weight-for-height by height (cm), linear between rows
    wfh102 = growth.sd_values("weight_for_height", "F", age_days=days, height_cm=102)
    wfh103 = growth.sd_values("weight_for_height", "F", age_days=days, height_cm=103)
    mid = growth.sd_values("weight_for_height", "F", age_days=days, height_cm=102.5)
    assert mid[3] == pytest.approx((wfh102[3] + wfh103[3]) / 2)
    assert growth.sd_values("weight_for_age", "F", age_days=82 * 31) is None  # beyond the standard's 81 months


@pytest.mark.parametrize("height,weight,expected", [
    ("103.7", "16.2", []),  # the medians
    ("103.7", "12.9", ["underweight"]),  # WAZ < −2SD (13.0)
    ("103.7", "13.0", []),  # at −2SD exactly: not below
    ("95.9", "14.5", ["stunting"]),  # HAZ < −2SD (96.0)
    ("96.0", "14.5", []),
])
def test_underweight_and_stunting_below_minus_two_sd(height, weight, expected):
    got = assess(height, weight).results
    assert [r for r in got if r in ("underweight", "stunting")] == expected


@pytest.mark.parametrize("weight,expected", [
    ("15.0", []),  # between −1SD and +1SD of weight-for-height at 100 cm (14.1, 16.4)
    ("16.3", []),
    ("16.4", ["overweight"]),  # ≥ +1SD
    ("17.9", ["overweight"]),
    ("18.0", ["obesity"]),  # ≥ +2SD
    ("13.0", ["wasting"]),  # < −2SD (13.1)
])
def test_weight_for_height_bands_at_100_cm(weight, expected):
    got = assess("100.0", weight).results
    assert [r for r in got if r in ("overweight", "obesity", "wasting")] == expected


def test_who_switches_to_bmi_at_five_but_the_national_standard_keeps_weight_for_height():
    on = dt.date(2028, 1, 1)  # 68 months
    national = assess("110.0", "23.0", on=on)
    who = assess("110.0", "23.0", on=on, standard=growth.WHO)
    assert national.whz is not None and national.standard == "wst423_2022"
    assert who.whz is None and who.bmiz is not None and who.standard == "who2006_2007"
    assert judgements.uses_bmi(age_days=who.age_days, standard=growth.WHO, whz=who.whz)
    assert not judgements.uses_bmi(age_days=national.age_days, standard=growth.WST423, whz=national.whz)
    # the same cut-offs apply to BMI-for-age: +2SD of BMI is obesity
    z = {"waz": 0, "haz": 0, "whz": None, "bmiz": Decimal("2.00")}
    assert judgements.classify(z, age_days=2000, standard=growth.WHO, cutoffs=rules.growth_cutoffs(None)) == ["obesity"]
    z["bmiz"] = Decimal("1.99")
    assert judgements.classify(z, age_days=2000, standard=growth.WHO, cutoffs=rules.growth_cutoffs(None)) == ["overweight"]


@pytest.mark.parametrize("z,label,band_range", [
    (-2.5, "下", "<−2SD"), (-2, "中下", "−2SD～−1SD"), (-1.2, "中下", "−2SD～−1SD"), (0, "中", "−1SD～+1SD"),
    (1, "中上", "+1SD～+2SD"), (1.99, "中上", "+1SD～+2SD"), (2, "上", "≥+2SD"),
])
def test_position_bands(z, label, band_range):
    b = judgements.band(Decimal(str(z)))
    assert (b.label, b.range) == (label, band_range)
    assert str(b) == f"{label}（{band_range}）"
    assert judgements.band(None) is None


def test_plain_words_never_a_z_score():
    exam = assess("100.0", "16.4")
    exam.anaemia = exam.poor_vision = exam.has_caries = False
    assert judgements.words(exam) == ["Overweight"]
    normal = assess("103.7", "16.2")
    normal.anaemia = normal.poor_vision = normal.has_caries = False
    assert judgements.words(normal) == ["Normal"]
    from django.utils.translation import override

    with override("zh-hans"):  # 正常, not the hazard's 一般 ("Normal" severity) that a parent would read as "so-so"
        assert judgements.words(normal) == ["正常"]
    positions = judgements.positions(normal)
    assert [p["band"].label for p in positions] == ["中", "中", "中"]


@pytest.mark.parametrize("hb,months,expected", [
    (109, 12, True), (110, 12, False), (100, 5, False), (100, 6.1, True), (100, 83.9, True), (100, 84, False),
])
def test_anaemia_below_110_from_6_months(figs, hb, months, expected):
    days = round(months * judgements.DAYS_PER_MONTH)
    assert judgements.anaemic(hb, age_days=days, figs=figs) is expected
    assert judgements.anaemic(None, age_days=days, figs=figs) is False


@pytest.mark.parametrize("left,right,years,expected", [
    ("4.7", "5.0", 4, True), ("4.8", "4.8", 4, False), ("4.8", "5.0", 6, True), ("4.9", "4.9", 6, False),
    ("4.7", "4.7", 3, False), ("4.6", None, 3, True), (None, None, 5, False), ("4.7", "4.8", 2, False),
])
def test_poor_vision_by_age(figs, left, right, years, expected):
    days = int(years * judgements.DAYS_PER_YEAR) + 10
    assert judgements.poor_vision(left, right, age_days=days, figs=figs) is expected


def test_caries_from_one_tooth(figs):
    assert judgements.has_caries(1, figs=figs) and not judgements.has_caries(0, figs=figs)
    assert not judgements.has_caries(None, figs=figs)

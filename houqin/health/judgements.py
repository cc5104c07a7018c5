"""What the health area concludes from an exam: the one module for these judgements, used by the
pages, the API, the follow-ups (矫治) and the statistics.

- classify: 低体重 / 生长迟缓 / 消瘦 / 超重 / 肥胖 from the z-scores (SD positions), as
  《儿童营养性疾病管理技术规范》(卫办妇社发〔2012〕49号) does (cut-offs: rule figures growth.*);
- band: the position as a band ("中上", "+1SD～+2SD") — what parents and teachers see, never a z-score;
- words: the plain words of an exam ("正常", "超重"…);
- anaemic, poor_vision, has_caries: what opens a 矫治 follow-up (figures growth.anaemia_*,
  vision.poor_below_*, caries.min_teeth);
- standard_name: the growth standard's Chinese name.

Every figure comes from houqin.health.rules (data/growth_rules.json); nothing here names a number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from houqin.health import rules

DAYS_PER_MONTH = 30.4375
DAYS_PER_YEAR = 365.25

RESULT_WORDS = {
    "underweight": _("Underweight"),
    "stunting": _("Stunting"),
    "wasting": _("Wasting"),
    "overweight": _("Overweight"),
    "obesity": _("Obesity"),
}
RESULT_ORDER = ("underweight", "stunting", "wasting", "overweight", "obesity")


def _value(cutoffs: dict, key: str) -> float:
    v = cutoffs[key]
    return float(getattr(v, "value", v))


def uses_bmi(*, age_days: int, standard: str, whz) -> bool:
    """Whether weight-for-height gives way to BMI-for-age: from the age the standard names
    (bmi_from_months), or where the standard has no weight-for-height for the child."""
    info = rules.growth_standard(standard) or {}
    start = info.get("bmi_from_months")
    return whz is None or (start is not None and age_days / DAYS_PER_MONTH >= start)


def classify(z: dict, *, age_days: int, standard: str, cutoffs: dict) -> list[str]:
    """The growth results of one measurement: z holds waz, haz, whz, bmiz (floats or Decimals, None
    where absent); cutoffs the rule figures growth.* (values or Figures).

    低体重 waz < underweight_waz; 生长迟缓 haz < stunting_haz; 消瘦 whz < wasting_whz;
    超重 whz ≥ overweight_whz and < obesity_whz; 肥胖 whz ≥ obesity_whz — on BMI-for-age (the
    *_bmiz figures) from the age the standard switches to it."""
    def f(key):
        v = z.get(key)
        return None if v is None else float(v)

    waz, haz, whz, bmiz = f("waz"), f("haz"), f("whz"), f("bmiz")
    results = []
    if waz is not None and waz < _value(cutoffs, "growth.underweight_waz"):
        results.append("underweight")
    if haz is not None and haz < _value(cutoffs, "growth.stunting_haz"):
        results.append("stunting")
    if uses_bmi(age_days=age_days, standard=standard, whz=whz):
        score, over, obese = bmiz, _value(cutoffs, "growth.overweight_bmiz"), _value(cutoffs, "growth.obesity_bmiz")
    else:
        score, over, obese = whz, _value(cutoffs, "growth.overweight_whz"), _value(cutoffs, "growth.obesity_whz")
    if score is not None:
        if score < _value(cutoffs, "growth.wasting_whz"):
            results.append("wasting")
        if score >= obese:
            results.append("obesity")
        elif score >= over:
            results.append("overweight")
    return results


@dataclass(frozen=True)
class Band:
    key: str
    label: str  # 下, 中下, 中, 中上, 上
    range: str  # "+1SD～+2SD"

    def __str__(self):
        return f"{self.label}（{self.range}）"


def band(z) -> Band | None:
    """The position band of a z-score (SD position); None without one."""
    if z is None:
        return None
    z = float(z)
    chosen = None
    for b in rules.growth_bands()["bands"]:
        if b["from"] is None or z >= b["from"]:
            chosen = b
    return Band(chosen["key"], chosen["label"], chosen["range"])


def result_words(results) -> list[str]:
    return [str(RESULT_WORDS[r]) for r in RESULT_ORDER if r in (results or [])]


def words(exam) -> list[str]:
    """The plain words of an exam: its growth results, anaemia, poor vision and caries, or 正常."""
    found = result_words(exam.results)
    if getattr(exam, "anaemia", False):
        found.append(str(_("Anaemia")))
    if getattr(exam, "poor_vision", False):
        found.append(str(_("Poor vision")))
    if getattr(exam, "has_caries", False):
        found.append(str(_("Caries")))
    return found or [str(pgettext("exam result", "Normal"))]


def positions(exam) -> list[dict]:
    """The bands of an exam's indicators, labelled in words (for parents and teachers):
    [{"indicator": "体重", "band": Band}]."""
    use_bmi = uses_bmi(age_days=exam.age_days, standard=exam.standard, whz=exam.whz)
    items = [(_("Weight-for-age"), exam.waz), (_("Height-for-age"), exam.haz),
             (_("BMI-for-age") if use_bmi else _("Weight-for-height"), exam.bmiz if use_bmi else exam.whz)]
    return [{"indicator": str(label), "band": band(z)} for label, z in items if z is not None]


def anaemic(haemoglobin, *, age_days: int, figs: dict) -> bool:
    """Hb below growth.anaemia_hb, for children from growth.anaemia_from_months to (not including)
    growth.anaemia_to_months."""
    if haemoglobin is None:
        return False
    months = age_days / DAYS_PER_MONTH
    if months < _value(figs, "growth.anaemia_from_months") or months >= _value(figs, "growth.anaemia_to_months"):
        return False
    return float(haemoglobin) < _value(figs, "growth.anaemia_hb")


def vision_limit(*, age_days: int, figs: dict) -> Decimal:
    """The vision (五分记录) below which an eye counts as poor, for the child's age in full years
    (3 and under: the 3-year figure; 6 and over: the 6-year figure)."""
    years = min(max(math.floor(age_days / DAYS_PER_YEAR), 3), 6)
    v = figs[f"vision.poor_below_{years}y"]
    return getattr(v, "value", v)


def poor_vision(left, right, *, age_days: int, figs: dict) -> bool:
    """视力不良: either eye below the limit of the child's age."""
    limit = vision_limit(age_days=age_days, figs=figs)
    return any(v is not None and Decimal(str(v)) < limit for v in (left, right))


def has_caries(caries, *, figs: dict) -> bool:
    return caries is not None and caries >= _value(figs, "caries.min_teeth")


def standard_name(key: str, *, short: bool = False) -> str:
    """The growth standard's Chinese name (or the short one); an unknown key is returned as is."""
    info = rules.growth_standard(key)
    if info is None:
        return key
    return info["short"] if short else info["edition"]

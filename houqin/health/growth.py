"""Growth assessment by the LMS method: WHO Child Growth Standards 2006 (0–5 years, by day) and
WHO Growth Reference 2007 (5–19 years, by month), read from the files in houqin/health/data/.

Pure functions, no database. z = ((X/M)^L − 1) / (L·S) (ln(X/M)/S when L = 0). For the weight-based
indicators (weight-for-age, weight-for-length/height, BMI-for-age) WHO's restricted rule applies
beyond ±3 SD: the distance past the 3 SD line is measured in units of the 2–3 SD distance
(SD23pos / SD23neg), as in WHO's igrowup and anthro software.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
WHO2006_LAST_DAY = 1826  # the 2006 standards (as shipped) run to 1826 days (60 months); the 2007 reference
# from 61 months: between the two (1827 days to 61 months) the 2007 reference's first month is used
DAYS_PER_MONTH = 30.4375
WEIGHT_BASED = {"weight_for_age", "weight_for_length", "weight_for_height", "bmi_for_age"}
EDITIONS = {
    "who2006": "WHO Child Growth Standards (2006)",
    "who2007": "WHO Growth Reference (2007)",
}
# The editions as pages name them (the exam keeps the English name it was assessed with).
EDITION_NAMES = {
    "WHO Child Growth Standards (2006)": "世界卫生组织儿童生长标准（2006）",
    "WHO Growth Reference (2007)": "世界卫生组织儿童青少年生长参考值（2007）",
}


def edition_name(standard: str) -> str:
    """An exam's growth standard in Chinese ("… + …" for an exam assessed with both)."""
    return "、".join(EDITION_NAMES.get(part, part) for part in (standard or "").split(" + ") if part)


@dataclass(frozen=True)
class LMS:
    L: float
    M: float
    S: float

    def value_at(self, z: float) -> float:
        """The measurement at z SD (the SD lines of WHO's tables)."""
        if self.L == 0:
            return self.M * math.exp(self.S * z)
        return self.M * (1 + self.L * self.S * z) ** (1 / self.L)


@functools.lru_cache(maxsize=1)
def _who2006() -> dict[tuple[str, str], dict[int, LMS]]:
    """{(indicator, sex): {x: LMS}}; x is the age in days, or the length/height in mm (0.1 cm)."""
    tables: dict[tuple[str, str], dict[int, LMS]] = {}
    with open(DATA / "who2006_growth_standards_lms_by_day.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            x = row["x"]
            key = int(round(float(x) * 10)) if row["x_type"] != "age_days" else int(x)
            tables.setdefault((row["indicator"], row["sex"]), {})[key] = LMS(float(row["L"]), float(row["M"]),
                                                                            float(row["S"]))
    return tables


@functools.lru_cache(maxsize=1)
def _who2007() -> dict[tuple[str, str], dict[int, LMS]]:
    tables: dict[tuple[str, str], dict[int, LMS]] = {}
    with open(DATA / "who2007_growth_reference_5_19y_lms_by_month.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            indicator = {"height_for_age": "length_height_for_age"}.get(row["indicator"], row["indicator"])
            tables.setdefault((indicator, row["sex"]), {})[int(row["age_months"])] = LMS(
                float(row["L"]), float(row["M"]), float(row["S"]))
    return tables


def _interpolate(table: dict[int, LMS], x: float) -> LMS | None:
    low, high = math.floor(x), math.ceil(x)
    if low not in table or high not in table:
        return None
    if low == high:
        return table[low]
    a, b, t = table[low], table[high], x - low
    return LMS(a.L + (b.L - a.L) * t, a.M + (b.M - a.M) * t, a.S + (b.S - a.S) * t)


def lms_for(indicator: str, sex: str, *, age_days: int | None = None, height_cm: float | None = None) -> tuple[LMS | None, str]:
    """The LMS parameters of `indicator` for a child, and the edition they come from.

    Age-based indicators: by day up to 1826 days (2006 standards), by month (interpolated) after
    (2007 reference; weight-for-age only to 120 months). Weight-for-length under 731 days, for
    height from 731 days (2006 standards only; linear between 0.1 cm rows).
    """
    if indicator in ("weight_for_length", "weight_for_height"):
        if age_days is None or age_days > WHO2006_LAST_DAY or height_cm is None:
            return None, ""
        indicator = "weight_for_length" if age_days < 731 else "weight_for_height"
        return _interpolate(_who2006().get((indicator, sex), {}), height_cm * 10), "who2006"
    if age_days is None or age_days < 0:
        return None, ""
    if age_days <= WHO2006_LAST_DAY:
        return _who2006().get((indicator, sex), {}).get(age_days), "who2006"
    months = max(age_days / DAYS_PER_MONTH, 61)
    return _interpolate(_who2007().get((indicator, sex), {}), months), "who2007"


def zscore(x: float, lms: LMS, *, weight_based: bool) -> float:
    """The LMS z-score of measurement `x`, with WHO's rule beyond ±3 SD for weight-based indicators."""
    L, M, S = lms.L, lms.M, lms.S
    z = math.log(x / M) / S if L == 0 else ((x / M) ** L - 1) / (L * S)
    if weight_based and abs(z) > 3:
        sd3pos, sd2pos = lms.value_at(3), lms.value_at(2)
        sd3neg, sd2neg = lms.value_at(-3), lms.value_at(-2)
        if z > 3:
            z = 3 + (x - sd3pos) / (sd3pos - sd2pos)
        else:
            z = -3 + (x - sd3neg) / (sd2neg - sd3neg)
    return z


def age_in_days(birth_date: dt.date, on: dt.date) -> int:
    return (on - birth_date).days


@dataclass
class Assessment:
    age_days: int
    bmi: Decimal | None
    waz: Decimal | None
    haz: Decimal | None
    whz: Decimal | None
    bmiz: Decimal | None
    edition: str
    results: list[str]  # underweight, stunting, wasting, overweight, obesity


def _d(z: float | None) -> Decimal | None:
    return None if z is None else Decimal(str(round(z, 2)))


def assess(*, sex: str, birth_date: dt.date, on: dt.date, height_cm, weight_kg, cutoffs: dict) -> Assessment:
    """The z-scores and the classification of one measurement. `cutoffs` are the rule figures
    (growth.underweight_waz, …) as Decimals, from houqin.health.rules."""
    days = age_in_days(birth_date, on)
    h = float(height_cm) if height_cm is not None else None
    w = float(weight_kg) if weight_kg is not None else None
    scores: dict[str, float | None] = {"waz": None, "haz": None, "whz": None, "bmiz": None}
    editions = set()
    bmi = w / (h / 100) ** 2 if h and w else None
    for key, indicator, x, kwargs in (
        ("waz", "weight_for_age", w, {"age_days": days}),
        ("haz", "length_height_for_age", h, {"age_days": days}),
        ("whz", "weight_for_height", w, {"age_days": days, "height_cm": h}),
        ("bmiz", "bmi_for_age", bmi, {"age_days": days}),
    ):
        if x is None:
            continue
        lms, edition = lms_for(indicator, sex, **kwargs)
        if lms is None:
            continue
        scores[key] = zscore(x, lms, weight_based=indicator in WEIGHT_BASED)
        editions.add(edition)
    c = {k: float(v) for k, v in cutoffs.items()}
    results = []
    under5 = days <= WHO2006_LAST_DAY
    if scores["waz"] is not None and scores["waz"] < c["growth.underweight_waz"]:
        results.append("underweight")
    if scores["haz"] is not None and scores["haz"] < c["growth.stunting_haz"]:
        results.append("stunting")
    thinness = scores["whz"] if under5 else scores["bmiz"]
    if thinness is not None and thinness < c["growth.wasting_whz"]:
        results.append("wasting")
    if under5 and scores["whz"] is not None:
        if scores["whz"] > c["growth.obesity_whz"]:
            results.append("obesity")
        elif scores["whz"] > c["growth.overweight_whz"]:
            results.append("overweight")
    elif not under5 and scores["bmiz"] is not None:
        if scores["bmiz"] > c["growth.obesity_bmiz"]:
            results.append("obesity")
        elif scores["bmiz"] > c["growth.overweight_bmiz"]:
            results.append("overweight")
    edition = " + ".join(EDITIONS[e] for e in sorted(editions))
    return Assessment(age_days=days, bmi=Decimal(str(round(bmi, 2))) if bmi else None,
                      waz=_d(scores["waz"]), haz=_d(scores["haz"]), whz=_d(scores["whz"]), bmiz=_d(scores["bmiz"]),
                      edition=edition, results=results)


def chart_bands(indicator: str, sex: str, *, from_days: int, to_days: int, step_days: int = 30) -> list[dict]:
    """The −3…+3 SD lines of an age-based indicator, for a growth chart."""
    points = []
    for days in range(max(from_days, 0), to_days + 1, step_days):
        lms, _ = lms_for(indicator, sex, age_days=days)
        if lms is None:
            continue
        points.append({"age_days": days, **{f"sd{z}": round(lms.value_at(z), 2) for z in (-3, -2, 0, 2, 3)}})
    return points

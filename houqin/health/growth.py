"""Growth assessment: z-scores of a measurement against a growth standard, read from the files in
houqin/health/data/. Two standards (the kindergarten chooses; every exam records the one used):

- "wst423_2022" (default): WS/T 423-2022《7岁以下儿童生长标准》, published as SD tables (−3SD…+3SD
  values by age in months, or by length/height in cm). The position of a measurement is read off
  the SD lines: linear between the two lines around it (rows interpolated linearly in age or
  height), beyond ±3SD in units of the 2–3SD distance. So "< −2SD" is exactly "below the −2SD value".
- "who2006_2007": WHO Child Growth Standards 2006 (0–5 years, by day) and WHO Growth Reference 2007
  (5–19 years, by month), by the LMS method below.

The judgements (低体重, 超重, the band "中上"…) are in houqin.health.judgements.

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
    "wst423_2022": "WS/T 423-2022",
}
WST423 = "wst423_2022"
WHO = "who2006_2007"
STANDARDS = (WST423, WHO)
SD_LINES = (-3, -2, -1, 0, 1, 2, 3)


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


# --- WS/T 423-2022: SD tables ------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _wst423() -> dict[tuple[str, str], list[tuple[float, tuple[float, ...]]]]:
    """{(indicator, sex): [(x, (−3SD … +3SD))]}, x ascending (age in months, or length/height in cm)."""
    import json

    with open(DATA / "wst423_2022_growth_sd_tables.json", encoding="utf-8") as f:
        data = json.load(f)
    tables = {}
    for indicator, table in data["tables"].items():
        for sex in ("M", "F"):
            tables[(indicator, sex)] = sorted((float(r[0]), tuple(float(v) for v in r[1:8])) for r in table[sex])
    return tables


def _sd_row(rows, x: float) -> tuple[float, ...] | None:
    """The SD values at x, linear between the two rows around it; None outside the table."""
    if not rows or x < rows[0][0] or x > rows[-1][0]:
        return None
    for (x0, a), (x1, b) in zip(rows, rows[1:]):
        if x0 <= x <= x1:
            t = 0 if x1 == x0 else (x - x0) / (x1 - x0)
            return tuple(va + (vb - va) * t for va, vb in zip(a, b))
    return rows[-1][1]


def sd_values(indicator: str, sex: str, *, age_days: int | None = None, height_cm: float | None = None
              ) -> tuple[float, ...] | None:
    """WS/T 423-2022: the −3SD…+3SD values of `indicator` for a child (None outside the tables).
    Weight-for-length under 24 months (731 days), weight-for-height from then on."""
    if age_days is None or age_days < 0:
        return None
    if indicator in ("weight_for_length", "weight_for_height"):
        if height_cm is None:
            return None
        indicator = "weight_for_length" if age_days < 731 else "weight_for_height"
        return _sd_row(_wst423().get((indicator, sex), []), height_cm)
    return _sd_row(_wst423().get((indicator, sex), []), age_days / DAYS_PER_MONTH)


def sd_position(x: float, values: tuple[float, ...]) -> float:
    """The position of x in SD units, read off the SD lines (see the module's docstring)."""
    if x < values[0]:
        return -3 - (values[0] - x) / (values[1] - values[0])
    if x > values[6]:
        return 3 + (x - values[6]) / (values[6] - values[5])
    for k in range(6):
        low, high = values[k], values[k + 1]
        if low <= x <= high:
            return SD_LINES[k] + (x - low) / (high - low)
    return 0.0  # not reached: the lines are ascending


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
    edition: str  # the standard used: WST423 or WHO
    results: list[str]  # underweight, stunting, wasting, overweight, obesity

    @property
    def standard(self) -> str:
        return self.edition


def _d(z: float | None) -> Decimal | None:
    return None if z is None else Decimal(str(round(z, 2)))


def scores(*, sex: str, age_days: int, height_cm: float | None, weight_kg: float | None,
           standard: str = WST423) -> dict[str, float | None]:
    """The z-scores (waz, haz, whz, bmiz) of one measurement by `standard`; None where the standard
    has no table for the child."""
    h, w = height_cm, weight_kg
    bmi = w / (h / 100) ** 2 if h and w else None
    result: dict[str, float | None] = {"waz": None, "haz": None, "whz": None, "bmiz": None}
    for key, indicator, x in (("waz", "weight_for_age", w), ("haz", "length_height_for_age", h),
                              ("whz", "weight_for_height", w), ("bmiz", "bmi_for_age", bmi)):
        if x is None:
            continue
        if standard == WST423:
            values = sd_values(indicator, sex, age_days=age_days, height_cm=h)
            if values is not None:
                result[key] = sd_position(x, values)
        else:
            lms, _edition = lms_for(indicator, sex, age_days=age_days, height_cm=h)
            if lms is not None:
                result[key] = zscore(x, lms, weight_based=indicator in WEIGHT_BASED)
    return result


def assess(*, sex: str, birth_date: dt.date, on: dt.date, height_cm, weight_kg, cutoffs: dict,
           standard: str = WST423) -> Assessment:
    """The z-scores and the classification of one measurement by `standard`. `cutoffs` are the rule
    figures (growth.underweight_waz, …) as Decimals, from houqin.health.rules; the classification is
    houqin.health.judgements.classify."""
    from houqin.health import judgements

    if standard not in STANDARDS:
        raise ValueError(f"unknown growth standard {standard!r}")
    days = age_in_days(birth_date, on)
    h = float(height_cm) if height_cm is not None else None
    w = float(weight_kg) if weight_kg is not None else None
    z = scores(sex=sex, age_days=days, height_cm=h, weight_kg=w, standard=standard)
    bmi = w / (h / 100) ** 2 if h and w else None
    results = judgements.classify(z, age_days=days, standard=standard, cutoffs=cutoffs)
    return Assessment(age_days=days, bmi=Decimal(str(round(bmi, 2))) if bmi else None,
                      waz=_d(z["waz"]), haz=_d(z["haz"]), whz=_d(z["whz"]), bmiz=_d(z["bmiz"]),
                      edition=standard, results=results)


def chart_bands(indicator: str, sex: str, *, from_days: int, to_days: int, step_days: int = 30,
                standard: str = WST423) -> list[dict]:
    """The −3…+3 SD lines of an age-based indicator by `standard`, for a growth chart:
    [{"age_days", "sd-3", "sd-2", "sd-1", "sd0", "sd1", "sd2", "sd3"}]."""
    points = []
    for days in range(max(from_days, 0), to_days + 1, step_days):
        if standard == WST423:
            values = sd_values(indicator, sex, age_days=days)
            if values is None:
                continue
            points.append({"age_days": days, **{f"sd{z}": round(v, 2) for z, v in zip(SD_LINES, values)}})
            continue
        lms, _ = lms_for(indicator, sex, age_days=days)
        if lms is None:
            continue
        points.append({"age_days": days, **{f"sd{z}": round(lms.value_at(z), 2) for z in SD_LINES}})
    return points


def chart(indicator: str, sex: str, measurements: list[tuple[int, float]], *, standard: str = WST423,
          margin_days: int = 180, step_days: int = 30) -> dict:
    """The data of a growth chart of one age-based indicator: the −3…+3 SD lines of `standard` from
    half a year before the first measurement to half a year after the last, and the child's points,
    x in months of age (one decimal). {"standard", "lines": {"sd-3": [[month, value]…], …},
    "points": [[month, value]…]}; no lines when the standard has no table for those ages."""
    if standard not in STANDARDS:
        raise ValueError(f"unknown growth standard {standard!r}")
    if not measurements:
        return {"standard": standard, "lines": {}, "points": []}
    ages = [days for days, _value in measurements]
    bands = chart_bands(indicator, sex, from_days=max(min(ages) - margin_days, 0), to_days=max(ages) + margin_days,
                        step_days=step_days, standard=standard)

    def month(days: int) -> float:
        return round(days / DAYS_PER_MONTH, 1)

    lines = {f"sd{z}": [[month(b["age_days"]), b[f"sd{z}"]] for b in bands] for z in SD_LINES} if bands else {}
    return {"standard": standard, "lines": lines,
            "points": [[month(days), round(float(value), 2)] for days, value in sorted(measurements)]}

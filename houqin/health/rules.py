"""The rule figures of the health area: shipped as data (data/health_rules.json, with source and
status), overridden per kindergarten through core.rules (one mechanism for every area). Nothing in the code names a regulatory number.

Keys:
- figures: "temperature.fever", "growth.underweight_waz", … (see the file);
- disease isolation periods: "disease.<code>.isolation_days";
- outbreak rules: "outbreak.<key>.threshold" and "outbreak.<key>.window_days".
"""

from __future__ import annotations

import csv
import functools
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from houqin.core import rules as core_rules
from houqin.core.rules import Figure, shipped_figure

DATA = Path(__file__).resolve().parent / "data"
AREA = "health"


@functools.lru_cache(maxsize=1)
def shipped() -> dict:
    with open(DATA / "health_rules.json", encoding="utf-8") as f:
        return json.load(f)


@functools.lru_cache(maxsize=1)
def shipped_growth() -> dict:
    """The growth, anaemia, vision and caries judgements' data (data/growth_rules.json)."""
    with open(DATA / "growth_rules.json", encoding="utf-8") as f:
        return json.load(f)


@dataclass(frozen=True)
class Disease:
    code: str
    name: str
    isolation_days: int
    isolation_basis: str
    status: str
    source: str
    clock: str = "onset"  # the date the isolation period runs from: onset, fever_end, rash_onset, …
    single_case_report: bool = False


CLOCKS = ("onset", "fever_end", "rash_onset", "symptoms_end", "treatment_start")


@dataclass(frozen=True)
class OutbreakRule:
    key: str
    name: str
    disease: str  # "" for a symptom rule
    scope: str  # class | kindergarten
    window_days: int
    threshold: int
    actions: tuple[str, ...]
    closure_days: int
    status: str
    source: str
    report_hours: int = 24  # the report is due this many hours after the rule fired (discovery)
    per_class: int = 0  # scope "classes": a class counts when it has at least this many cases


def _shipped_figures() -> dict[str, dict]:
    data = shipped()
    result = {f["key"]: f for f in data["figures"]}
    result.update({f["key"]: f for f in shipped_growth()["figures"]})
    for d in data["diseases"]:
        result[f"disease.{d['code']}.isolation_days"] = {
            "key": f"disease.{d['code']}.isolation_days",
            "name": f"{d['name']}隔离期（自{data['_clocks'][d.get('clock', 'onset')]}起）", "value": str(d["isolation_days"]),
            "unit": "天", "status": d["status"], "source": f"{d['isolation_basis']} — {d.get('title') or d['source']}"}
    for r in data["outbreak_rules"]:
        for part, unit, word in (("threshold", "例" if r["scope"] != "classes" else "个班", "例数"),
                                 ("window_days", "天", "天数"), ("report_hours", "小时", "报告时限")):
            result[f"outbreak.{r['key']}.{part}"] = {
                "key": f"outbreak.{r['key']}.{part}", "name": f"{r['name']}（{word}）",
                "value": str(r.get(part, 24)), "unit": unit, "status": r["status"], "source": r["source"]}
    return result


def shipped_figures() -> list[Figure]:
    """The figures as shipped, for core.rules: days, case counts and hours are whole numbers of at
    least 1; temperatures and cut-offs may be signed (z-scores)."""
    out = []
    for key, f in _shipped_figures().items():
        whole = key.endswith(("days", "threshold", "hours"))
        out.append(shipped_figure(key=key, label=f["name"], value=f["value"], unit=f["unit"], source=f["source"],
                                  status=f["status"], places=0 if whole else 2,
                                  minimum=Decimal(1) if whole else None, maximum=Decimal("999999")))
    return out


def figures(kindergarten) -> dict[str, Figure]:
    """Every rule figure with the kindergarten's own values in place (one query)."""
    return core_rules.figures(kindergarten, AREA)


def value(kindergarten, key: str) -> Decimal:
    return figures(kindergarten)[key].value


def known_keys() -> set[str]:
    return set(_shipped_figures())


def diseases(kindergarten=None) -> dict[str, Disease]:
    figs = figures(kindergarten) if kindergarten is not None else None
    result = {}
    for d in shipped()["diseases"]:
        days = int(figs[f"disease.{d['code']}.isolation_days"].value) if figs else d["isolation_days"]
        result[d["code"]] = Disease(d["code"], d["name"], days, d["isolation_basis"], d["status"], d["source"],
                                    d.get("clock", "onset"), bool(d.get("single_case_report")))
    return result


def disease_choices() -> list[tuple[str, str]]:
    return [(d["code"], d["name"]) for d in shipped()["diseases"]]


def outbreak_rules(kindergarten=None) -> list[OutbreakRule]:
    figs = figures(kindergarten) if kindergarten is not None else None
    result = []
    for r in shipped()["outbreak_rules"]:
        threshold = int(figs[f"outbreak.{r['key']}.threshold"].value) if figs else r["threshold"]
        window = int(figs[f"outbreak.{r['key']}.window_days"].value) if figs else r["window_days"]
        hours = int(figs[f"outbreak.{r['key']}.report_hours"].value) if figs else int(r.get("report_hours", 24))
        result.append(OutbreakRule(r["key"], r["name"], r["disease"], r["scope"], window, threshold,
                                   tuple(r["actions"]), r["closure_days"], r["status"], r["source"],
                                   hours, int(r.get("per_class", 0))))
    return result


def clock_labels() -> dict[str, str]:
    """The dates an isolation period may run from, by name (发病日期, 退热日期…)."""
    return dict(shipped()["_clocks"])


def morning_check() -> dict:
    """The morning check's alarm: which findings are serious and which actions answer an alarm."""
    return shipped()["morning_check"]


def growth_cutoffs(kindergarten) -> dict[str, Decimal]:
    return {k: f.value for k, f in figures(kindergarten).items() if k.startswith("growth.")}


def growth_standards() -> list[dict]:
    """The growth standards a kindergarten may choose (key, edition — the Chinese name —, short,
    default, bmi_from_months, source, status)."""
    return shipped_growth()["growth_standards"]


def growth_standard(key: str) -> dict | None:
    return next((s for s in growth_standards() if s["key"] == key), None)


def default_growth_standard() -> str:
    return next(s["key"] for s in growth_standards() if s["default"])


def growth_bands() -> dict:
    """The position bands (下, 中下, 中, 中上, 上) with their SD limits, source and status."""
    return shipped_growth()["growth_bands"]


def disinfection_areas() -> list[str]:
    return shipped()["disinfection_areas"]


@dataclass(frozen=True)
class Dose:
    vaccine: str  # abbreviation, e.g. DTaP
    name: str
    dose_no: int
    age_months: int
    label: str
    group: str = ""  # alternatives (JE-L or JE-I) share a group
    note: str = ""
    key: str = field(default="")


@functools.lru_cache(maxsize=1)
def nip_schedule() -> list[Dose]:
    """The national immunisation schedule (2026 edition) from data/nip_schedule_cn_2026.csv."""
    doses = []
    with open(DATA / "nip_schedule_cn_2026.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            doses.append(Dose(row["vaccine_abbr"], row["vaccine_cn"], int(row["dose_no"]),
                              int(row["recommended_age_months"]), row["recommended_age_label"],
                              row["alternative_group"].split("（")[0], row["note"],
                              key=f"{row['vaccine_abbr']}-{row['dose_no']}"))
    return doses


NIP_EDITION = "《国家免疫规划疫苗儿童免疫程序及说明（2026年版）》"
NIP_STATUS = "secondary"

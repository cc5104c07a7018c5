"""The 卫生保健 statistics the 妇幼保健院 asks for, per class and for the kindergarten, for a term or a
school year: 体检率; 低体重/生长迟缓/消瘦/超重/肥胖 rates; 贫血患病率, 视力不良率, 龋齿患病率; each
with its 矫治率; 预防接种证查验率 and 补种率; 传染病 cases; 出勤率. As a page, .xlsx, PDF and API.

Definitions (what each rate counts):
- 体检率 = children examined in the period / children enrolled at its end;
- growth rates = children whose latest exam in the period has the result / children examined; its
  矫治率 = of the children who had the result at their first exam of the period and were examined
  again, those whose latest exam no longer has it;
- 贫血患病率 / 视力不良率 / 龋齿患病率 = children found so at their latest exam / children whose
  haemoglobin / vision / teeth were examined (houqin.health.judgements decides); 矫治率 = correction
  follow-ups (矫治) opened in the period and resolved by its end / those opened;
- 预防接种证查验率 = enrolled children whose certificate was checked / enrolled; 补种率 = children with
  catch-up doses who received all of them / children with catch-up doses;
- 传染病 = disease cases of children with onset in the period (voided ones not counted);
- 出勤率 = present child-days / recorded child-days.

A fixed number of queries (eight), whatever the number of children.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from houqin import policy
from houqin.core import calendar
from houqin.core.pdf import render_pdf
from houqin.health import rules
from houqin.health.models import (
    Attendance,
    AttendanceStatus,
    CatchUp,
    CatchUpStatus,
    Correction,
    CorrectionKind,
    DiseaseCase,
    Exam,
    GrowthResult,
    PersonKind,
    VaccinationCheck,
)
from houqin.health.selectors import classes, enrolled

CAPABILITY = "health.summary.view"
GROWTH = ("underweight", "stunting", "wasting", "overweight", "obesity")
CONDITIONS = (("anaemia", "haemoglobin", CorrectionKind.ANAEMIA), ("poor_vision", "vision_left", CorrectionKind.VISION),
              ("has_caries", "caries", CorrectionKind.CARIES))


@dataclass(frozen=True)
class Period:
    kind: str  # term | year
    start: dt.date
    end: dt.date
    label: str


def period_of(day: dt.date, kind: str = "term") -> Period:
    """The term containing `day` (or the last one before it), or its whole school year."""
    term = calendar.current_term(day)
    if kind == "year":
        autumn, spring = calendar._terms_of_school_year(term.school_year)
        return Period("year", autumn.start, spring.end, f"{term.school_year}–{term.school_year + 1}学年")
    name = "秋季学期" if term.name == "autumn" else "春季学期"
    return Period("term", term.start, term.end, f"{term.school_year}–{term.school_year + 1}学年{name}")


def _pct(n: int, d: int) -> Decimal | None:
    return (Decimal(100 * n) / d).quantize(Decimal("0.1")) if d else None


def _blank() -> dict:
    row = {"enrolled": 0, "examined": 0, "vaccination_checked": 0, "catch_up_children": 0, "catch_up_complete": 0,
           "disease_cases": 0, "present_days": 0, "recorded_days": 0}
    for r in GROWTH:
        row.update({r: 0, f"{r}_found": 0, f"{r}_corrected": 0})
    for flag, _m, kind in CONDITIONS:
        row.update({flag: 0, f"{flag}_tested": 0, f"{kind}_found": 0, f"{kind}_corrected": 0})
    return row


def _rates(row: dict) -> dict:
    row["exam_rate"] = _pct(row["examined"], row["enrolled"])
    for r in GROWTH:
        row[f"{r}_rate"] = _pct(row[r], row["examined"])
        row[f"{r}_correction_rate"] = _pct(row[f"{r}_corrected"], row[f"{r}_found"])
    for flag, _m, kind in CONDITIONS:
        row[f"{flag}_rate"] = _pct(row[flag], row[f"{flag}_tested"])
        row[f"{flag}_correction_rate"] = _pct(row[f"{kind}_corrected"], row[f"{kind}_found"])
    row["vaccination_check_rate"] = _pct(row["vaccination_checked"], row["enrolled"])
    row["catch_up_rate"] = _pct(row["catch_up_complete"], row["catch_up_children"])
    row["attendance_rate"] = _pct(row["present_days"], row["recorded_days"])
    return row


def health_statistics(*, actor, start: dt.date, end: dt.date) -> dict:
    """{"rows": [{"school_class", …counts and rates}], "total": {…}, "diseases": [(name, cases)],
    "start", "end"} — per class and for the kindergarten (see the module's docstring)."""
    class_list = list(classes(actor=actor, capability=CAPABILITY).order_by("campus__name", "sort_order", "name"))
    ids = [c.pk for c in class_list]
    per: dict[int, dict] = defaultdict(_blank)
    # 1. enrolled at the end of the period
    for class_id, n in (enrolled(end).filter(school_class_id__in=ids).values("school_class_id")
                        .annotate(n=Count("pk")).values_list("school_class_id", "n")):
        per[class_id]["enrolled"] = n
    # 2. exams of the period: first and latest of each child
    first: dict[int, tuple] = {}
    latest: dict[int, tuple] = {}
    count: dict[int, int] = defaultdict(int)
    scoped = policy.scoped(actor, CAPABILITY, Exam.objects.active())
    for row in (scoped.filter(school_class_id__in=ids, date__gte=start, date__lte=end).order_by("date", "pk")
                .values_list("child_id", "school_class_id", "results", "anaemia", "haemoglobin", "poor_vision",
                             "vision_left", "has_caries", "caries")):
        first.setdefault(row[0], row)
        latest[row[0]] = row
        count[row[0]] += 1
    for child_id, (_c, class_id, results, anaemia, hb, poor, vision, caries_flag, caries) in latest.items():
        p = per[class_id]
        p["examined"] += 1
        results = results or []
        for r in GROWTH:
            p[r] += int(r in results)
            if r in (first[child_id][2] or []) and count[child_id] > 1:
                p[f"{r}_found"] += 1
                p[f"{r}_corrected"] += int(r not in results)
        for flag, value, measured in (("anaemia", anaemia, hb), ("poor_vision", poor, vision),
                                      ("has_caries", caries_flag, caries)):
            if measured is not None:
                p[f"{flag}_tested"] += 1
                p[flag] += int(value)
    # 3. 矫治 follow-ups opened in the period
    for class_id, kind, resolved_on in (policy.scoped(actor, CAPABILITY, Correction.objects.active())
                                        .filter(school_class_id__in=ids, opened_on__gte=start, opened_on__lte=end)
                                        .values_list("school_class_id", "kind", "resolved_on")):
        per[class_id][f"{kind}_found"] += 1
        per[class_id][f"{kind}_corrected"] += int(resolved_on is not None and resolved_on <= end)
    # 4.–5. vaccination certificates checked; catch-up children (all doses done or not)
    enrolled_ids = enrolled(end).filter(school_class_id__in=ids)
    for class_id, n in (VaccinationCheck.objects.active().filter(child__in=enrolled_ids, checked_on__lte=end)
                        .values("child__school_class_id").annotate(n=Count("child_id", distinct=True))
                        .values_list("child__school_class_id", "n")):
        per[class_id]["vaccination_checked"] = n
    for row in (CatchUp.objects.filter(child__in=enrolled_ids).values("child_id", "child__school_class_id")
                .annotate(pending=Count("pk", filter=Q(status=CatchUpStatus.PENDING) | Q(done_on__gt=end)))):
        p = per[row["child__school_class_id"]]
        p["catch_up_children"] += 1
        p["catch_up_complete"] += int(row["pending"] == 0)
    # 6. infectious disease cases of children
    disease_totals: dict[str, int] = defaultdict(int)
    for class_id, disease, n in (DiseaseCase.objects.active().filter(
            school_class_id__in=ids, person_kind=PersonKind.CHILD, onset_date__gte=start, onset_date__lte=end)
            .values("school_class_id", "disease").annotate(n=Count("pk"))
            .values_list("school_class_id", "disease", "n")):
        per[class_id]["disease_cases"] += n
        disease_totals[disease] += n
    # 7. attendance
    for class_id, status, n in (Attendance.objects.filter(school_class_id__in=ids, date__gte=start, date__lte=end)
                                .values("school_class_id", "status").annotate(n=Count("pk"))
                                .values_list("school_class_id", "status", "n")):
        per[class_id]["recorded_days"] += n
        if status == AttendanceStatus.PRESENT:
            per[class_id]["present_days"] += n
    rows = [{"school_class": c, **_rates(per[c.pk])} for c in class_list]
    total = _blank()
    for r in rows:
        for k in total:
            total[k] += r[k]
    names = {code: d.name for code, d in rules.diseases().items()}
    return {"rows": rows, "total": _rates(total), "start": start, "end": end,
            "diseases": sorted(((names.get(k, k), n) for k, n in disease_totals.items()), key=lambda x: -x[1])}


# The columns of the table (page, .xlsx, PDF, API): (key, heading); a rate column shows "n (rate%)".
def columns() -> list[tuple[str, str, str, str]]:
    """(heading, count key, denominator key, rate key) of every figure, in the usual table's order."""
    labels = dict(GrowthResult.choices)
    cols = [(str(_("Exam rate")), "examined", "enrolled", "exam_rate")]
    for r in GROWTH:
        cols.append((str(labels[r]), r, "examined", f"{r}_rate"))
        cols.append((str(_("%(name)s corrected") % {"name": labels[r]}), f"{r}_corrected", f"{r}_found",
                     f"{r}_correction_rate"))
    for flag, heading, kind in (("anaemia", _("Anaemia prevalence"), "anaemia"),
                                ("poor_vision", _("Poor vision rate"), "vision"),
                                ("has_caries", _("Caries prevalence"), "caries")):
        cols.append((str(heading), flag, f"{flag}_tested", f"{flag}_rate"))
        cols.append((str(_("%(name)s corrected") % {"name": dict(CorrectionKind.choices)[kind]}), f"{kind}_corrected",
                     f"{kind}_found", f"{flag}_correction_rate"))
    cols += [(str(_("Vaccination certificate check rate")), "vaccination_checked", "enrolled", "vaccination_check_rate"),
             (str(_("Catch-up rate")), "catch_up_complete", "catch_up_children", "catch_up_rate"),
             (str(_("Infectious disease cases")), "disease_cases", "", ""),
             (str(_("Attendance rate")), "present_days", "recorded_days", "attendance_rate")]
    return cols


def table(stats: dict) -> tuple[list[str], list[list]]:
    """The statistics as a header and rows of cells (class name, then "n/d（r%）" per column)."""
    cols = columns()
    header = [str(_("Class"))] + [c[0] for c in cols]

    def cells(name, row):
        out = [name]
        for _h, n, d, rate in cols:
            if not d:
                out.append(str(row[n]))
                continue
            r = row[rate]
            out.append(f"{row[n]}/{row[d]}" + (f"（{r}%）" if r is not None else ""))
        return out

    body = [cells(r["school_class"].name, r) for r in stats["rows"]]
    body.append(cells(str(_("Kindergarten")), stats["total"]))
    return header, body


def as_json(stats: dict) -> dict:
    def strip(row):
        return {k: (v.name if k == "school_class" else v) for k, v in row.items()}

    return {"start": stats["start"], "end": stats["end"], "rows": [strip(r) for r in stats["rows"]],
            "total": stats["total"], "diseases": [{"disease": n, "cases": c} for n, c in stats["diseases"]]}


def xlsx(*, actor, stats: dict, title: str) -> bytes:
    from houqin.core.spreadsheets import XlsxWriter

    header, body = table(stats)
    writer = XlsxWriter()
    sheet = writer.sheet("卫生保健统计", widths=[12] + [14] * (len(header) - 1), freeze="B4")
    sheet.row([f"{actor.kindergarten.name} {title}"], bold=True, size=14)
    sheet.row([f"{stats['start']:%Y-%m-%d} – {stats['end']:%Y-%m-%d}"])
    sheet.header(header, fill="E3F1EA")
    for row in body[:-1]:
        sheet.row(row)
    sheet.row(body[-1], bold=True)
    if stats["diseases"]:
        sheet.row([])
        sheet.row([str(_("Infectious disease cases"))], bold=True)
        for name, n in stats["diseases"]:
            sheet.row([name, n])
    return writer.content()


def pdf(*, actor, stats: dict, title: str) -> bytes:
    header, body = table(stats)
    grid = [(heading, [row[i] for row in body]) for i, heading in enumerate(header) if i]  # a figure a line
    return render_pdf("health/statistics_pdf.html", {
        "kindergarten": actor.kindergarten, "title": title, "stats": stats, "names": [row[0] for row in body],
        "grid": grid})


# --- 因病缺勤监测: the daily report ----------------------------------------------------------------------

ILLNESS_ABSENCE_COLUMNS = ("日期", "幼儿园", "班级", "应到人数", "实到人数", "缺勤人数", "因病缺勤人数", "因病缺勤率（%）",
                           "主要症状", "已查明病因", "未登记出勤人数")


def counts_text(pairs) -> str:
    """[(name, n), …] as one cell or line: 发热3、咳嗽1."""
    return "、".join(f"{name}{n}" for name, n in pairs)


def illness_absence_xlsx(*, actor, data: dict) -> bytes:
    """The day's 因病缺勤 report in the monitoring system's usual columns (ILLNESS_ABSENCE_COLUMNS): a
    row per class, the kindergarten's total last (houqin.health.selectors.illness_absence)."""
    from houqin.core.spreadsheets import build_workbook

    def line(name: str, r: dict) -> list:
        return [data["day"], actor.kindergarten.name, name, r["enrolled"], r["present"], r["absent"], r["sick"],
                r["rate"], counts_text(r["symptoms"]), counts_text(r["causes"]), r["unrecorded"]]

    rows = [line(r["school_class"].name, r) for r in data["rows"]] + [line(str(_("Total")), data["total"])]
    return build_workbook("因病缺勤日报", ILLNESS_ABSENCE_COLUMNS,
                          {"日期": 12, "幼儿园": 20, "主要症状": 30, "已查明病因": 24, "因病缺勤率（%）": 14}, iter(rows))

"""The district comparison (教育局): the district's kindergartens side by side on the figures the
bureau asks for, and the reports as they are submitted. Aggregates only: no child rows, no names.

Counts are shown per 100 children enrolled, rates as rates (the columns and their basis are data:
summary_rules.json, "district"). A value is marked when the problem finder (problems.py, the same
rules as the summary's 存在问题, with each kindergarten's rule figures in force) names its figure.
Each value has its trend against the previous term.

A fixed number of queries whatever the number of kindergartens: every figure provider answers for
the list of kindergartens at once, for this term and the previous one; the rules in force cost two.
`table` is the plain function over the figures; `comparison` reads them."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from houqin.core.registry import figures_for
from houqin.org.models import Kindergarten
from houqin.reports import draft, problems
from houqin.reports.rules import limits_for, shipped

HUNDRED = Decimal(100)
ONE_PLACE = Decimal("0.1")
CHILDREN = "summary.children"
SORT_KEYS = ("name", "flags")  # besides the column keys


def _number(value):
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _round(number: Decimal) -> Decimal:
    return number.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def spec() -> dict:
    """{"columns": [{key, mode[, num, den]}], "chart": [key, …]} as shipped."""
    return shipped()["district"]


def _labels() -> dict[str, str]:
    """Labels of the columns no area gives as a figure (they are computed here)."""
    return {"safety.hazard_closure_rate": _("Hazard rectification rate")}


def _basis(mode: str, unit: str) -> str:
    if mode == "per100":
        return _("per 100 children")
    if mode in ("rate", "ratio"):
        return "%"
    return unit


def _display(number, mode: str, unit: str) -> str:
    if number is None:
        return "—"
    if mode == "per100":
        return draft.format_value({"value": str(number), "unit": ""})
    return draft.format_value({"value": str(number), "unit": "%" if mode in ("rate", "ratio") else unit})


def normalised(column: dict, own: dict) -> Decimal | None:
    """The value a column shows for one kindergarten, from its figures {key: Figure}."""
    mode = column["mode"]
    if mode == "ratio":
        num, den = own.get(column["num"]), own.get(column["den"])
        n, d = _number(num.value if num else None), _number(den.value if den else None)
        return _round(n * HUNDRED / d) if n is not None and d else None
    figure = own.get(column["key"])
    value = _number(figure.value if figure else None)
    if value is None or mode != "per100":
        return value
    children = _number(own[CHILDREN].value) if CHILDREN in own else None
    return _round(value * HUNDRED / children) if children else None


def column_keys() -> set[str]:
    """The figure keys the shipped columns read (a ratio's two, the children for per-100 values): all
    that the previous term's figures are read for (its values and trends), so the providers that give
    none of them are not asked for that term."""
    keys = {CHILDREN}
    for c in spec()["columns"]:
        keys |= {c["num"], c["den"]} if c["mode"] == "ratio" else {c["key"]}
    return keys


def _trend(now, before) -> str:
    if now is None or before is None:
        return ""
    return "up" if now > before else "down" if now < before else "same"


def _columns(figures: dict) -> list[dict]:
    """The shipped columns whose figures the areas give (an area may be absent)."""
    given: dict[str, object] = {}
    for own in figures.values():
        for f in own:
            if f.district:
                given.setdefault(f.key, f)
    labels = _labels()
    columns = []
    for c in spec()["columns"]:
        needs = [c["num"], c["den"]] if c["mode"] == "ratio" else [c["key"]]
        if not all(k in given for k in needs):
            continue
        figure = given.get(c["key"])
        unit = str(figure.unit) if figure else ""
        label = labels.get(c["key"]) or str(figure.label)
        columns.append({**c, "label": label, "unit": unit, "basis": _basis(c["mode"], unit),
                        "section": figure.section if figure else given[c["num"]].section,
                        "chart": c["key"] in spec()["chart"]})
    return columns


def _summary(columns: list[dict], rows: list[dict], figures: dict) -> list[dict]:
    """The district's line: a sum for counts, per 100 of all the children for per-100 columns, the
    mean of the kindergartens for rates."""
    out = []
    for i, col in enumerate(columns):
        numbers = [r["cells"][i]["number"] for r in rows if r["cells"][i]["number"] is not None]
        total = None
        if numbers and col["mode"] == "raw":
            total = sum(numbers)
        elif numbers and col["mode"] in ("rate", "ratio"):
            total = _round(sum(numbers) / len(numbers))
        elif numbers:
            counts = children = Decimal(0)
            for r in rows:
                own = {f.key: f for f in figures.get(r["kindergarten"].pk, [])}
                c, n = _number(own[col["key"]].value if col["key"] in own else None), _number(
                    own[CHILDREN].value if CHILDREN in own else None)
                if c is not None and n:
                    counts, children = counts + c, children + n
            total = _round(counts * HUNDRED / children) if children else None
        out.append({"number": total, "display": _display(total, col["mode"], col["unit"])})
    return out


def table(kindergartens: list, figures: dict, previous: dict, limits: dict) -> dict:
    """The comparison from the figures of this term and the previous one ({kindergarten pk:
    [Figure]}) and the limits in force ({pk: {name: Decimal}}): {columns, rows: [{kindergarten,
    cells: [{key, number, display, detail, flag, rule, why, before, trend}], flags, problems}],
    summary}. No database."""
    columns = _columns(figures)
    rows = []
    for k in kindergartens:
        own = {f.key: f for f in figures.get(k.pk, [])}
        old = {f.key: f for f in previous.get(k.pk, [])}
        snap = {key: draft.snapshot(f) for key, f in own.items()}
        found = problems.find_in(snap, limits.get(k.pk, {}))
        by_figure: dict[str, problems.Problem] = {}
        for p in found:
            for key in p.figures:
                by_figure.setdefault(key, p)
        cells = []
        for col in columns:
            number, before = normalised(col, own), normalised(col, old)
            figure = own.get(col["key"])
            problem = by_figure.get(col["key"])
            detail = str(figure.detail) if figure and figure.detail else ""
            if col["mode"] == "per100" and figure is not None and figure.value is not None:
                detail = draft.format_value(snap[col["key"]]) + (f"（{detail}）" if detail else "")
            cells.append({
                "key": col["key"], "number": number, "display": _display(number, col["mode"], col["unit"]),
                "detail": detail, "flag": problem is not None, "rule": problem.rule if problem else "",
                "why": draft.render_text(problem.text, snap) if problem else "",
                "before": _display(before, col["mode"], col["unit"]) if before is not None else "",
                "trend": _trend(number, before),
            })
        rows.append({"kindergarten": k, "cells": cells, "flags": sum(1 for c in cells if c["flag"]),
                     "problems": [draft.render_text(p.text, snap) for p in found]})
    return {"columns": columns, "rows": rows, "summary": _summary(columns, rows, figures)}


def previous_term(start: dt.date) -> tuple[dt.date, dt.date]:
    """The usual term before the one that starts at `start`."""
    from houqin.reports.services import default_term_for

    _name, before_start, before_end = default_term_for(start - dt.timedelta(days=1))
    return before_start, min(before_end, start - dt.timedelta(days=1))


def sort_rows(rows: list[dict], columns: list[dict], key: str, direction: str) -> list[dict]:
    """Rows ordered by a column (its normalised value), by the number of flags or by name; values
    missing last whichever the direction."""
    reverse_order = direction == "desc"
    if key == "flags":
        return sorted(rows, key=lambda r: (r["flags"], r["kindergarten"].name), reverse=reverse_order)
    index = next((i for i, c in enumerate(columns) if c["key"] == key), None)
    if index is None:
        return sorted(rows, key=lambda r: r["kindergarten"].name, reverse=reverse_order)
    known = [r for r in rows if r["cells"][index]["number"] is not None]
    missing = [r for r in rows if r["cells"][index]["number"] is None]
    known.sort(key=lambda r: (r["cells"][index]["number"], r["kindergarten"].name), reverse=reverse_order)
    return known + sorted(missing, key=lambda r: r["kindergarten"].name)


def comparison(*, district, start: dt.date, end: dt.date, sort: str = "name", direction: str = "asc",
               flagged: bool = False) -> dict:
    """The district's active kindergartens compared over [start, end], sorted (`sort`: a column key,
    "flags" or "name"; `direction`: asc or desc), only those with a flagged value when `flagged`."""
    kindergartens = list(Kindergarten.objects.filter(district=district, is_active=True).order_by("name"))
    before_start, before_end = previous_term(start)
    if kindergartens:
        figures = figures_for(kindergartens, start, end)
        previous = figures_for(kindergartens, before_start, before_end, keys=column_keys())
        limits = limits_for(kindergartens)
    else:
        figures, previous, limits = {}, {}, {}
    result = table(kindergartens, figures, previous, limits)
    direction = direction if direction in ("asc", "desc") else "asc"
    if sort not in SORT_KEYS and sort not in {c["key"] for c in result["columns"]}:
        sort = "name"
    rows = result["rows"]
    if flagged:
        rows = [r for r in rows if r["flags"]]
    result.update(rows=sort_rows(rows, result["columns"], sort, direction), start=start, end=end,
                  before_start=before_start, before_end=before_end, sort=sort, direction=direction,
                  flagged=flagged, kindergartens=kindergartens,
                  breaking=sum(1 for r in result["rows"] if r["flags"]))
    return result


def chart(result: dict) -> dict:
    """The figures a supervisor watches, for ECharts: {kindergartens: [name], series: [{key, name,
    basis, values, flags}]} (json_script on the page)."""
    names = [r["kindergarten"].name for r in result["rows"]]
    series = []
    for i, col in enumerate(result["columns"]):
        if not col["chart"]:
            continue
        cells = [r["cells"][i] for r in result["rows"]]
        series.append({"key": col["key"], "name": col["label"], "basis": col["basis"],
                       "values": [None if c["number"] is None else float(c["number"]) for c in cells],
                       "flags": [c["flag"] for c in cells]})
    return {"kindergartens": names, "series": series, "axis": _("Kindergarten")}


def kindergarten_terms(*, kindergarten, start: dt.date, terms: int = 4) -> dict:
    """One kindergarten's columns over the last `terms` terms (the one starting at `start` first):
    {columns, terms: [{start, end}], rows: [{column, cells}]}. Two figure runs per term."""
    from houqin.reports.services import default_term_for

    periods = []
    _name, s, e = default_term_for(start)
    for _i in range(terms):
        periods.append((s, e))
        s, e = previous_term(s)
    limits = limits_for([kindergarten])
    tables = [table([kindergarten], figures_for([kindergarten], s, e), {}, limits) for s, e in periods]
    columns = tables[0]["columns"]
    rows = []
    for i, col in enumerate(columns):
        cells = [t["rows"][0]["cells"][i] if i < len(t["rows"][0]["cells"]) else None for t in tables]
        for cell, older in zip(cells, cells[1:] + [None], strict=True):
            if cell is not None and older is not None:
                cell["trend"], cell["before"] = _trend(cell["number"], older["number"]), older["display"]
        rows.append({"column": col, "cells": cells})
    return {"columns": columns, "terms": [{"start": s, "end": e} for s, e in periods], "rows": rows,
            "problems": tables[0]["rows"][0]["problems"]}


def submitted_reports(*, district, start: dt.date, end: dt.date, limit: int = 100,
                      kindergarten=None) -> list[dict]:
    """Reports the kindergartens sent to the bureau in the period, newest first: signed weekly and
    monthly safety reports, and infectious disease reports (their figures only, never a child's
    name), each linking to its page for the district; of one kindergarten when given."""
    rows: list[dict] = []
    try:
        from houqin.safety.selectors import district_reports as safety_reports
    except ImportError:  # the safety area is not there
        safety_reports = None
    if safety_reports is not None:
        qs = safety_reports(district=district).filter(start__lte=end, end__gte=start)
        if kindergarten is not None:
            qs = qs.filter(kindergarten=kindergarten)
        for r in qs[:limit]:
            rows.append({"kind": _("Safety report"), "title": f"{r.get_period_display()} {r.start:%m-%d}–{r.end:%m-%d}",
                         "kindergarten": r.kindergarten, "at": r.signed_at, "detail": "",
                         "url": _url("safety:district_report", district, r.code)})
    try:
        from houqin.health.selectors import district_reports as health_reports
    except ImportError:
        health_reports = None
    if health_reports is not None:
        qs = health_reports(district=district).filter(reported_at__date__gte=start, reported_at__date__lte=end)
        if kindergarten is not None:
            qs = qs.filter(kindergarten=kindergarten)
        for a in qs.order_by("-reported_at")[:limit]:
            rows.append({"kind": _("Outbreak report"), "title": a.rule_name, "kindergarten": a.kindergarten,
                         "at": a.reported_at, "url": _url("health:district_report", district, a.code),
                         "detail": _("%(disease)s, %(n)d cases") % {"disease": a.disease or a.symptom, "n": a.case_count}})
    rows.sort(key=lambda r: r["at"], reverse=True)
    return rows[:limit]


def _url(name: str, district, code) -> str:
    try:
        return reverse(name, kwargs={"district": district.slug, "code": code})
    except NoReverseMatch:
        return ""

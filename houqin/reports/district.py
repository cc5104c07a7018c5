"""The district comparison (教育局): the district's kindergartens side by side on the figures the
bureau asks for, and the reports as they are submitted. Aggregates only: no child rows, no names.

A fixed number of queries whatever the number of kindergartens: every figure provider answers for
the list of kindergartens at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from houqin.core.registry import figures_for
from houqin.org.models import Kindergarten
from houqin.reports import draft


def _number(value):
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def comparison(*, district, start: dt.date, end: dt.date) -> dict:
    """{start, end, columns: [{key, label, unit}], rows: [{kindergarten, cells: [{value, number,
    display}]}], summary: [{…}] (sum, or mean for rates)}."""
    kindergartens = list(Kindergarten.objects.filter(district=district, is_active=True).order_by("name"))
    figures = figures_for(kindergartens, start, end) if kindergartens else {}
    columns: dict[str, dict] = {}
    for k in kindergartens:
        for f in figures.get(k.pk, []):
            if f.district and f.key not in columns:
                columns[f.key] = {"key": f.key, "label": str(f.label), "unit": str(f.unit), "section": f.section}
    rows = []
    for k in kindergartens:
        own = {f.key: f for f in figures.get(k.pk, []) if f.district}
        cells = []
        for key, col in columns.items():
            f = own.get(key)
            value = None if f is None else f.value
            snap = {"value": None if value is None else str(value), "unit": col["unit"]}
            cells.append({"key": key, "value": value, "number": _number(value), "display": draft.format_value(snap),
                          "detail": "" if f is None else str(f.detail)})
        rows.append({"kindergarten": k, "cells": cells})
    summary = []
    for i, (key, col) in enumerate(columns.items()):
        numbers = [r["cells"][i]["number"] for r in rows if r["cells"][i]["number"] is not None]
        if not numbers:
            summary.append({"display": "—", "number": None})
            continue
        total = sum(numbers) / len(numbers) if col["unit"] == "%" else sum(numbers)
        total = total.quantize(Decimal("0.1")) if col["unit"] == "%" else total
        summary.append({"display": draft.format_value({"value": str(total), "unit": col["unit"]}), "number": total})
    ordered = sorted(columns.values(), key=lambda c: (draft.SECTION_ORDER.index(c["section"])
                                                      if c["section"] in draft.SECTION_ORDER else 9))
    order = [list(columns).index(c["key"]) for c in ordered]
    for row in rows:
        row["cells"] = [row["cells"][i] for i in order]
    summary = [summary[i] for i in order]
    return {"start": start, "end": end, "columns": ordered, "rows": rows, "summary": summary,
            "kindergartens": kindergartens}


def submitted_reports(*, district, start: dt.date, end: dt.date, limit: int = 100) -> list[dict]:
    """Reports the kindergartens sent to the bureau in the period, newest first: signed weekly and
    monthly safety reports, and outbreak reports (their figures only, never a child's name)."""
    rows: list[dict] = []
    try:
        from houqin.safety.selectors import district_reports
    except ImportError:  # the safety area is not there
        district_reports = None
    if district_reports is not None:
        for r in district_reports(district=district).filter(start__lte=end, end__gte=start)[:limit]:
            try:
                url = reverse("safety:district_report", kwargs={"district": district.slug, "code": r.code})
            except NoReverseMatch:
                url = ""
            rows.append({"kind": _("Safety report"), "title": f"{r.get_period_display()} {r.start:%m-%d}–{r.end:%m-%d}",
                         "kindergarten": r.kindergarten, "at": r.signed_at, "url": url, "detail": ""})
    try:
        from houqin.health.models import OutbreakAlert
    except ImportError:
        OutbreakAlert = None
    if OutbreakAlert is not None:
        alerts = (OutbreakAlert.objects.filter(kindergarten__district=district, reported_at__isnull=False,
                                               reported_at__date__gte=start, reported_at__date__lte=end)
                  .select_related("kindergarten").order_by("-reported_at")[:limit])
        for a in alerts:
            rows.append({"kind": _("Outbreak report"), "title": a.rule_name, "kindergarten": a.kindergarten,
                         "at": a.reported_at, "url": "",
                         "detail": _("%(disease)s, %(n)d cases") % {"disease": a.disease or a.symptom, "n": a.case_count}})
    rows.sort(key=lambda r: r["at"], reverse=True)
    return rows[:limit]



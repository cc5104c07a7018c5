"""Drafting the semester summary from figures, and rendering its figure tokens.

Pure functions (no database): `compose(...)` turns the term's figures into the sections of the
summary in the seeds' order, in plain Chinese prose with a token `[[key]]` where each number goes;
`render_html` / `render_text` put the numbers back, as links to their records or as plain text.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

TOKEN = re.compile(r"\[\[([a-z0-9_]+\.[a-z0-9_.]+)\]\]")

# The sections of a logistics summary, in the order the seeds use them (safety first).
SECTION_ORDER = ["safety", "health", "meals", "assets", "staff", "problems"]


def section_headings() -> dict[str, str]:
    return {
        "intro": _("Introduction"),
        "safety": _("1. Safety"),
        "health": _("2. Health care"),
        "meals": _("3. Meals and food safety"),
        "assets": _("4. Assets and money"),
        "staff": _("5. The logistics team"),
        "problems": _("6. Problems and next steps"),
    }


def snapshot(figure) -> dict:
    """A figure as stored with a version (JSON): the value as text, exact."""
    value = figure.value
    return {
        "label": str(figure.label), "value": None if value is None else str(value), "unit": str(figure.unit),
        "url": figure.url, "detail": str(figure.detail), "section": figure.section,
        "items": [str(i) for i in figure.items], "district": bool(figure.district),
    }


def format_value(fig: dict) -> str:
    """`1 234.50 元`, `98.2%`, `3 次`; "—" when nothing was recorded."""
    value, unit = fig.get("value"), fig.get("unit") or ""
    if value is None or value == "None":
        return "—"
    try:
        number = Decimal(value)
    except Exception:  # noqa: BLE001 - a text figure
        return f"{value}{unit}"
    if unit in ("元", "yuan"):
        text = f"{number:,.2f}"
        return f"{text} 元"
    if number == number.to_integral_value():
        text = f"{number:,.0f}"
    else:
        text = f"{number.normalize():f}"
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}".strip()


def render_text(text: str, figures: dict) -> str:
    """The text with each token replaced by its number (for .docx and PDF)."""
    return TOKEN.sub(lambda m: format_value(figures[m[1]]) if m[1] in figures else "〔?〕", text)


def render_html(text: str, figures: dict) -> str:
    """The text as safe HTML, each number a link to the records it was counted from; a token that
    names no figure is shown as missing."""
    out, last = [], 0
    for m in TOKEN.finditer(text):
        out.append(conditional_escape(text[last:m.start()]))
        fig = figures.get(m[1])
        if fig is None:
            out.append(format_html('<mark class="text-danger" title="{}">[[{}]]</mark>', _("No such figure"), m[1]))
        elif fig.get("url"):
            out.append(format_html('<a class="hq-figure" href="{}" title="{}" data-figure="{}">{}</a>', fig["url"],
                                   fig["label"] + (f"（{fig['detail']}）" if fig.get("detail") else ""), m[1],
                                   format_value(fig)))
        else:
            out.append(format_html('<span class="hq-figure" data-figure="{}">{}</span>', m[1], format_value(fig)))
        last = m.end()
    out.append(conditional_escape(text[last:]))
    html = "".join(str(p) for p in out)
    paragraphs = [p for p in html.split("\n") if p.strip()]
    return mark_safe("".join(f"<p>{p}</p>" for p in paragraphs))


def tokens_in(text: str) -> list[str]:
    return TOKEN.findall(text)


# Rates that must reach 100 % (入园体检率、预防接种证查验率、补种完成率 …); attendance or the
# prevalence of stunting are not among them.
FULL_RATES = ("exam_rate", "vaccination", "catch", "completion", "check_rate", "coverage", "sample_rate",
              "signed_rate", "closed_rate")


def _is_zero(fig: dict) -> bool:
    try:
        return fig["value"] is None or Decimal(fig["value"]) == 0
    except Exception:  # noqa: BLE001
        return False


def _clause(key: str, fig: dict) -> str:
    return f"{fig['label']} [[{key}]]"


def _problem(key: str, fig: dict) -> str | None:
    """A sentence for the problems section when the figure shows a gap: something overdue, expired
    or missing, or a rate under 100 %."""
    if fig["value"] is None:
        return None
    try:
        value = Decimal(fig["value"])
    except Exception:  # noqa: BLE001
        return None
    words = key.rsplit(".", 1)[-1]
    if fig["unit"] == "%" and value < 100 and any(w in words for w in FULL_RATES):
        return _("%(label)s was %(token)s, short of 100%%: we will follow it up next term.") % {
            "label": fig["label"], "token": f"[[{key}]]"}
    if value > 0 and any(w in words for w in ("overdue", "expired", "missing", "open", "unclosed", "late")):
        return _("%(label)s: %(token)s; each will be closed with a named person and a date.") % {
            "label": fig["label"], "token": f"[[{key}]]"}
    return None


def compose(*, kindergarten_name: str, term_name: str, start: dt.date, end: dt.date, figures: dict) -> list[dict]:
    """The draft: [{key, heading, text}] — an introduction, the five areas in the seeds' order and
    the problems and next steps. `figures` is {key: snapshot}. Every number is a token."""
    headings = section_headings()
    by_section: dict[str, list[tuple[str, dict]]] = {s: [] for s in SECTION_ORDER}
    for key, fig in figures.items():
        by_section.setdefault(fig.get("section") or "assets", []).append((key, fig))
    period = _("from %(start)s to %(end)s") % {"start": f"{start.year}年{start.month}月{start.day}日",
                                               "end": f"{end.year}年{end.month}月{end.day}日"}
    sections = [{"key": "intro", "heading": headings["intro"], "text": _(
        "This term (%(term)s, %(period)s), the logistics work of %(kg)s served the children and the teaching "
        "with safety first. The figures below are counted from the records kept in Houqin; each links to its "
        "records. The logistics work of the term is summarised as follows.") % {
        "term": term_name, "period": period, "kg": kindergarten_name}}]
    for section in SECTION_ORDER[:-1]:
        items = by_section.get(section, [])
        shown = [(k, f) for k, f in items if not _is_zero(f)]
        quiet = [(k, f) for k, f in items if _is_zero(f)]
        paragraphs = []
        if shown:
            paragraphs.append(_("This term: %(clauses)s.") % {"clauses": "，".join(_clause(k, f) for k, f in shown)})
        events = [line for _k, f in shown for line in f.get("items", [])][:12]
        if events:
            paragraphs.append(_("Among them: %(events)s.") % {"events": "；".join(events)})
        if quiet:
            paragraphs.append(_("Nothing was recorded this term for: %(labels)s.") % {
                "labels": "、".join(f"{f['label']}（[[{k}]]）" for k, f in quiet)})
        if not items:
            paragraphs.append(_("No records of this area were kept in Houqin this term."))
        sections.append({"key": section, "heading": headings[section], "text": "\n".join(paragraphs)})
    problems = [p for key, fig in figures.items() if (p := _problem(key, fig))]
    text = "\n".join(problems) if problems else _("The records of the term show nothing overdue or missing.")
    text += "\n" + _("Next term we will keep every register up to date, close each hazard within its time limit "
                     "and report to the bureau on time.")
    sections.append({"key": "problems", "heading": headings["problems"], "text": text})
    return sections

"""Drafting the semester summary from figures, and rendering its figure tokens.

Pure functions (no database): the writer (writer.py) turns the term's figures into the sections of
the summary with a token `[[key]]` where each number goes; `render_html` / `render_text` put the
numbers back, as links to their records or as plain text.
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
        return f"{text}元" if unit == "元" else f"{text} yuan"
    if number == number.to_integral_value():
        text = f"{number:,.0f}"
    else:
        text = f"{number.normalize():f}"
    if unit == "%":
        return f"{text}%"
    if unit and not unit.isascii():  # 78次, 598名: no space before a Chinese measure word
        return f"{text}{unit}"
    if unit.startswith(" "):
        return f"{text}{unit}"
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

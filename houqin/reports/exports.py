"""Exports: the summary as .docx (python-docx) and PDF (WeasyPrint, Chinese fonts), the district
comparison as .xlsx. Numbers are the figures of the version, written out."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from houqin.core.pdf import render_pdf
from houqin.reports import draft

CJK_FONT = "Noto Sans CJK SC"


def _paragraphs(text: str, figures: dict) -> list[str]:
    return [p.strip() for p in draft.render_text(text, figures).split("\n") if p.strip()]


def summary_docx(*, summary, version) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = CJK_FONT
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), CJK_FONT)
    for name in ("Title", "Heading 1"):
        doc.styles[name].font.name = CJK_FONT
        doc.styles[name].element.rPr.rFonts.set(qn("w:eastAsia"), CJK_FONT)
    title = doc.add_heading(summary.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for section in version.sections:
        if section["key"] != "intro":
            doc.add_heading(section["heading"], level=1)
        for text in _paragraphs(section["text"], version.figures):
            p = doc.add_paragraph(text)
            p.paragraph_format.first_line_indent = Pt(24)
    doc.add_paragraph("")
    foot = doc.add_paragraph(f"{summary.kindergarten.name}　{version.created_at:%Y年%m月%d日}")
    foot.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def summary_pdf(*, summary, version) -> bytes:
    sections = [{"heading": s["heading"], "key": s["key"], "paragraphs": _paragraphs(s["text"], version.figures)}
                for s in version.sections]
    return render_pdf("reports/summary_pdf.html", {"summary": summary, "version": version, "sections": sections})


FLAG_FILL = "F8CBAD"  # a value outside its rule (red, as on the page)


def comparison_xlsx(*, district, table: dict) -> bytes:
    """One row per kindergarten, one column per figure in its basis (per 100 children, %), the
    values outside their rule filled red with the rule as the cell's comment, and the rules broken
    in words in the last column; no child data (the comparison has none)."""
    from houqin.core.spreadsheets import XlsxWriter

    header = ([_("Kindergarten")] + [f"{c['label']}（{c['basis']}）" if c["basis"] else c["label"]
                                     for c in table["columns"]] + [_("Rules broken")])
    writer = XlsxWriter()
    ws = writer.sheet(_("Comparison"), widths=[22] + [14] * len(table["columns"]) + [60], freeze="B3")
    ws.row([f"{district.name} · {table['start']:%Y-%m-%d} – {table['end']:%Y-%m-%d}"])
    ws.header(header)
    for row in table["rows"]:
        values, marks = [row["kindergarten"].name], {}
        for cell in row["cells"]:
            if cell["flag"]:
                marks[len(values)] = (FLAG_FILL, _("Rule: %(r)s") % {"r": cell["rule"]} + f"\n{cell['why']}")
            values.append(cell["number"])
        values.append("\n".join(row["problems"]))
        ws.row(values, marks=marks, top=True)
    ws.row([_("District (total or mean)")] + [s["number"] for s in table["summary"]], bold=True)
    return writer.content()

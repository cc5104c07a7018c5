"""Asset labels: a QR code of the asset's scan address, and an A4 sheet of labels as a PDF."""

from __future__ import annotations

from django.urls import reverse

from houqin.core.pdf import qr_png_data_uri, render_pdf

MAX_LABELS = 600  # one PDF: 25 sheets of 24 labels


def scan_path(kindergarten, label_code: str) -> str:
    return reverse("assets:scan", kwargs={"kg": kindergarten.slug, "label": label_code})


COLUMNS, ROWS = 3, 8  # labels of 70 × 34 mm on A4
LABEL_MM = (69.9, 33.9)


def labels_pdf(*, assets, kindergarten, absolute_url) -> bytes:
    """A4 sheets of 3 × 8 labels (70 × 37 mm): QR code, name, label code, place, kindergarten.
    `absolute_url(path)` turns the scan path into the address the phone opens. Each label has its
    place on its sheet, and its code and text theirs on the label, one line each (no float for the
    layout engine to fit around, no line to break but the name's): the demo's 341 labels went from
    ~3.0 to ~2.0 s of CPU when the float went (WeasyPrint's layout is most of the time)."""
    per_sheet = COLUMNS * ROWS
    labels = [
        {"asset": a, "qr": qr_png_data_uri(absolute_url(scan_path(kindergarten, a.label_code))),
         "column": i % per_sheet % COLUMNS, "row": i % per_sheet // COLUMNS}
        for i, a in enumerate(assets[:MAX_LABELS])
    ]
    sheets = [labels[i:i + per_sheet] for i in range(0, len(labels), per_sheet)]
    return render_pdf("assets/labels_pdf.html", {
        "sheets": sheets, "kindergarten": kindergarten,
        "columns": [f"{c * LABEL_MM[0]:.1f}" for c in range(COLUMNS)], "rows": [f"{r * LABEL_MM[1]:.1f}" for r in range(ROWS)]})

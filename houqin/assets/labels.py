"""Asset labels: a QR code of the asset's scan address, and an A4 sheet of labels as a PDF."""

from __future__ import annotations

import segno
from django.template.loader import render_to_string
from django.urls import reverse

MAX_LABELS = 600  # one PDF: 25 sheets of 24 labels


def scan_path(kindergarten, label_code: str) -> str:
    return reverse("assets:scan", kwargs={"kg": kindergarten.slug, "label": label_code})


def qr_data_uri(url: str, *, scale: int = 4) -> str:
    """An SVG data URI of the QR code of `url` (error correction M survives a scuffed label)."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=scale, border=2)


def qr_png_data_uri(url: str, *, scale: int = 6) -> str:
    """The same as a PNG, for sheets of labels: WeasyPrint lays out PNGs faster than SVGs, and a fixed
    mask pattern skips the encoder's search for the best one (any mask decodes; the search is 80 %
    of the encoding time)."""
    return segno.make(url, error="m", micro=False, mask=2).png_data_uri(scale=scale, border=2)


def labels_pdf(*, assets, kindergarten, absolute_url) -> bytes:
    """A4 sheets of 3 × 8 labels (70 × 37 mm): QR code, name, label code, place, kindergarten.
    `absolute_url(path)` turns the scan path into the address the phone opens."""
    from weasyprint import HTML

    labels = [
        {"asset": a, "qr": qr_png_data_uri(absolute_url(scan_path(kindergarten, a.label_code)))}
        for a in assets[:MAX_LABELS]
    ]
    html = render_to_string("assets/labels_pdf.html", {"labels": labels, "kindergarten": kindergarten})
    return HTML(string=html).write_pdf()

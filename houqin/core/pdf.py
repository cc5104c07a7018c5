"""PDF documents and the QR codes printed on them, one way for every area: a template rendered to HTML and laid out by WeasyPrint
(A4, the CJK fonts installed with the system — fonts-noto-cjk — named in each template's CSS).

WeasyPrint is imported when the first PDF is asked for (importing it takes half a second), or, in a
web worker, when it starts (`warm`, called by config/wsgi.py when settings.HOUQIN_PDF_WARM)."""

import logging
import time
from functools import lru_cache

from django.template.loader import render_to_string


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()


# A page with what the documents use: the CJK font stack of their CSS in regular and bold, a table,
# page margins with a counter, and an image (the QR codes), so that a worker's first document finds
# WeasyPrint, Pango, fontconfig and the fonts loaded.
_WARM_HTML = """<html><head><style>
@page { size: A4; margin: 10mm; @bottom-center { content: counter(page) " / " counter(pages);
  font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; } }
html { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; font-size: 9pt; }
img { width: 20mm; image-rendering: pixelated; }
</style></head><body><h1>后勤 食谱 Houqin</h1><table><tr><th>星期一</th><td><b>米饭</b> 123.4 g，能量 kcal</td></tr>
</table><img src="%s"></body></html>"""


def warm() -> float:
    """Make one small PDF so that this process has WeasyPrint and the fonts loaded (a web worker,
    when it starts); the seconds it took. A failure is logged, never raised: the worker still serves,
    and its first PDF loads what it needs then."""
    started = time.perf_counter()
    try:
        html_to_pdf(_WARM_HTML % qr_png_data_uri("https://houqin.invalid/warm"))
    except Exception:  # noqa: BLE001 - a worker must start even when a font or library is missing
        logging.getLogger("houqin.pdf").exception("could not warm WeasyPrint")
    return time.perf_counter() - started


def render_pdf(template_name: str, context: dict, *, request=None, base_url: str | None = None) -> bytes:
    """The PDF of `template_name` rendered with `context`."""
    return html_to_pdf(render_to_string(template_name, context, request=request), base_url=base_url)


@lru_cache(maxsize=4096)  # an address never changes its code: a reprint skips the encoding
def qr_png_data_uri(url: str) -> str:
    """The QR code of `url` as a PNG data URI of one pixel a module, for sheets of labels: the sheet
    enlarges it without smoothing (CSS image-rendering: pixelated), so a 27 mm code stays sharp and
    the PNG is small to write and to read. Error correction M survives a scuffed label; a fixed mask
    pattern skips the encoder's search for the best one (any mask decodes; the search is 80 % of
    the encoding time)."""
    import segno

    return segno.make(url, error="m", micro=False, mask=2).png_data_uri(scale=1, border=2)


def qr_svg_data_uri(url: str, *, scale: int = 4) -> str:
    """The QR code of `url` as an SVG data URI, for a page or a sheet of a few codes."""
    import segno

    return segno.make(url, error="m", micro=False).svg_data_uri(scale=scale, border=2)

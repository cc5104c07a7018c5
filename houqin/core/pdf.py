"""PDF documents and the QR codes printed on them, one way for every area: a template rendered to HTML and laid out by WeasyPrint
(A4, the CJK fonts installed with the system — fonts-noto-cjk — named in each template's CSS).

WeasyPrint is imported when the first PDF is asked for (importing it takes half a second)."""

from functools import lru_cache

from django.template.loader import render_to_string


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()


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

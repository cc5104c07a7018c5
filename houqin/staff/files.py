"""Checking uploaded scans and training material: JPEG, PNG or PDF judged by content, not by name."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from houqin.core.errors import DomainError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
_NAME_JUNK = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069/\\]")


@dataclass
class CheckedFile:
    content: bytes
    content_type: str
    name: str


def _invalid(field: str, message) -> DomainError:
    return DomainError(message, errors=[{"field": field, "message": message}])


def safe_name(name: str) -> str:
    name = unicodedata.normalize("NFC", (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    return _NAME_JUNK.sub("", name).strip(". ")[:100]


def sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def check_upload(upload, field: str) -> CheckedFile:
    """A scan or material must be a JPEG or PNG image or a PDF (by its content), not empty, at most
    10 MB; images are re-encoded without metadata (no GPS location); PDFs with scripts are refused."""
    name = safe_name(getattr(upload, "name", "")) or _("file")
    size = getattr(upload, "size", None)
    if not size:
        raise _invalid(field, _("%(name)s is empty.") % {"name": name})
    if size > MAX_BYTES:
        raise _invalid(field, _("%(name)s is larger than 10 MB.") % {"name": name})
    upload.seek(0)
    content = upload.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise _invalid(field, _("%(name)s is larger than 10 MB.") % {"name": name})
    content_type = sniff(content[:16])
    if content_type is None:
        raise _invalid(field, _("%(name)s is not a photo or a scan: upload a JPEG or PNG image or a PDF.")
                       % {"name": name})
    if content_type == "application/pdf":
        if b"/JavaScript" in content or b"/Launch" in content:
            raise _invalid(field, _("%(name)s is a PDF with active content and cannot be accepted.") % {"name": name})
        return CheckedFile(content, content_type, name)
    return CheckedFile(_clean_image(content, content_type, name, field), content_type, name)


def _clean_image(content: bytes, content_type: str, name: str, field: str) -> bytes:
    from PIL import Image, ImageOps, UnidentifiedImageError

    unreadable = _invalid(field, _("%(name)s could not be read as an image.") % {"name": name})
    try:
        image = Image.open(io.BytesIO(content))
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise _invalid(field, _("%(name)s has too many pixels (%(w)d × %(h)d).")
                           % {"name": name, "w": width, "h": height})
        expected = {"image/jpeg": "JPEG", "image/png": "PNG"}[content_type]
        if image.format != expected:
            raise unreadable
        image.load()
        image = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        if expected == "JPEG":
            if image.mode not in ("RGB", "L", "CMYK"):
                image = image.convert("RGB")
            image.save(out, "JPEG", quality=88, optimize=True)
        else:
            image.save(out, "PNG", optimize=True)
        return out.getvalue()
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise unreadable from None

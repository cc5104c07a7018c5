"""Reading an upload: the one place where a file from outside becomes a file Houqin stores.

Every upload in Houqin (receipts, scans, training material, photos of assets, hazards, drills and
invoices) goes through `read_upload`, which

- judges the file by its content, never by its name or the type the browser declared;
- refuses anything over HOUQIN_UPLOAD_MAX_BYTES without reading it all;
- re-encodes images with Pillow (orientation applied, scaled to HOUQIN_UPLOAD_IMAGE_MAX_SIDE),
  which drops every byte that is not the picture: EXIF (GPS location included), XMP, comments,
  ICC profiles and anything glued after the image data (an HTML body after a JPEG header);
- parses PDFs with pypdf (never by searching the bytes, so name escapes like `/J#61vaScript` are
  seen for what they are) and refuses those with JavaScript, launch or import actions, embedded
  files, XFA forms or rich media; the accepted PDF is written again by pypdf without its metadata;
- returns a `SafeFile` with a server-made name (a random UUID and the extension of what the
  content is). The uploaded name is kept only as text to show.

`file_response` serves a stored file back (inline, with the content type of its extension,
`nosniff`, never cached by shared caches); views call it after their policy check.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import uuid
import warnings
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from houqin.core.errors import DomainError, field_error

# What the content is → (extension, content type).
KINDS = {
    "jpeg": ("jpg", "image/jpeg"),
    "png": ("png", "image/png"),
    "webp": ("webp", "image/webp"),
    "pdf": ("pdf", "application/pdf"),
}
IMAGES = frozenset({"jpeg", "png", "webp"})
DOCUMENTS = IMAGES | {"pdf"}  # a photo or a scan

MAX_PIXELS = 40_000_000  # what Pillow is allowed to decode (a decompression bomb is refused)
MAX_PDF_OBJECTS = 200_000  # a PDF with more objects than this is not a scan
# What a file input offers to choose (a hint to the browser: the reader decides).
ACCEPT_IMAGES = "image/jpeg,image/png,image/webp"
ACCEPT_DOCUMENTS = f"{ACCEPT_IMAGES},application/pdf"
_PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
_NAME_JUNK = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069/\\]")

# PDF features that run something, fetch something or carry another file: refused wherever found.
_PDF_ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFile", "/EmbeddedFiles", "/EF", "/XFA", "/RichMedia",
                    "/RichMediaContent", "/Launch"}
_PDF_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToE", "/RichMediaExecute",
                       "/Rendition", "/Sound", "/Movie"}
_PDF_ACTIVE_TYPES = {"/EmbeddedFile", "/Filespec"}


@dataclass(frozen=True)
class SafeFile:
    """A checked, cleaned upload: `content` is what will be stored, `name` a server-made file name."""

    content: bytes
    kind: str
    original_name: str
    name: str = field(default="")

    @property
    def extension(self) -> str:
        return KINDS[self.kind][0]

    @property
    def content_type(self) -> str:
        return KINDS[self.kind][1]

    @property
    def is_image(self) -> bool:
        return self.kind in IMAGES

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def as_content_file(self) -> ContentFile:
        return ContentFile(self.content, name=self.name)


def unreadable_request_message() -> str:
    """What a page or the API says when the request body cannot be parsed (a multipart upload
    without its boundary, a body cut short): a 400, never a 500."""
    return _("The form or file sent could not be read: choose the file again and send it once more.")


def max_bytes() -> int:
    return settings.HOUQIN_UPLOAD_MAX_BYTES


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def _limits_text(accept: frozenset[str] = DOCUMENTS) -> str:
    size = megabytes(max_bytes())
    if accept == IMAGES:
        return _("JPEG, PNG or WebP, at most %(size)s MB.") % {"size": size}
    return _("JPEG, PNG, WebP or PDF, at most %(size)s MB.") % {"size": size}


limits_text = lazy(_limits_text, str)  # a form field's help text: what the reader accepts


def display_name(name: str) -> str:
    """The uploaded name as text to show: no folders, control characters or direction overrides."""
    name = unicodedata.normalize("NFC", (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    return _NAME_JUNK.sub("", name).strip(". ")[:100]


def content_type_for(name: str) -> str:
    """The content type of a stored file, from the extension the reader gave it."""
    extension = (name or "").rsplit(".", 1)[-1].lower()
    for ext, content_type in KINDS.values():
        if ext == extension:
            return content_type
    return "application/octet-stream"


def extension_for(content_type: str) -> str:
    for ext, known in KINDS.values():
        if known == content_type:
            return ext
    return "bin"


def sniff(head: bytes) -> str | None:
    """What the first bytes say the file is (a claim that the decoder then has to confirm)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    return None


def read_bytes(upload, *, limit: int, too_large) -> bytes:
    """The bytes of an upload (a Django UploadedFile, a file object or bytes), refusing anything over
    `limit` without reading it all: `too_large` is raised."""
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        size = getattr(upload, "size", None)
        if size is not None and size > limit:
            raise too_large
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large
    return data


def read_upload(upload, *, field: str = "file", accept: frozenset[str] = DOCUMENTS) -> SafeFile:
    """Check an upload and return it cleaned (see the module's docstring); a DomainError on `field`
    with a message in the user's language otherwise. `accept` is IMAGES (photos) or DOCUMENTS
    (photos and PDF scans)."""
    name = display_name(getattr(upload, "name", "") or "") or _("the file")
    if upload is None or upload == b"":
        raise field_error(field, _("No file was received."))
    limit = max_bytes()
    too_large = field_error(field, _("%(name)s is too large: at most %(size)s MB.")
                         % {"name": name, "size": megabytes(limit)})
    data = read_bytes(upload, limit=limit, too_large=too_large)
    if not data:
        raise field_error(field, _("%(name)s is empty.") % {"name": name})
    kind = sniff(data[:16])
    if kind is None or kind not in accept:
        if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
            raise field_error(field, _("%(name)s is a HEIC photo: set the camera to JPEG (“Most compatible”) "
                                    "or take a screenshot of it.") % {"name": name})
        if accept == IMAGES:
            message = _("%(name)s is not a photo: upload a JPEG, PNG or WebP image.")
        else:
            message = _("%(name)s is not a photo or a scan: upload a JPEG, PNG or WebP image or a PDF.")
        raise field_error(field, message % {"name": name})
    if kind == "pdf":
        content = _clean_pdf(data, name, field)
    else:
        content = _clean_image(data, kind, name, field)
    return SafeFile(content=content, kind=kind, original_name=name, name=f"{uuid.uuid4().hex}.{KINDS[kind][0]}")


def read_optional(upload, *, field: str = "file", accept: frozenset[str] = DOCUMENTS) -> SafeFile | None:
    """`read_upload` for a field that may be left empty: None when nothing was chosen."""
    if not upload:
        return None
    return read_upload(upload, field=field, accept=accept)


def _clean_image(data: bytes, kind: str, name: str, field: str) -> bytes:
    """The picture alone, decoded and encoded again: no metadata survives, orientation is applied."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    unreadable = field_error(field, _("%(name)s could not be read as an image.") % {"name": name})
    expected = _PIL_FORMATS[kind]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected]) as probe:
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise field_error(field, _("%(name)s has too many pixels (%(w)d × %(h)d).")
                                   % {"name": name, "w": width, "h": height})
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[expected]) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
                side = settings.HOUQIN_UPLOAD_IMAGE_MAX_SIDE
                upright.thumbnail((side, side))
                # A new image of the pixels alone: nothing of the upload's info (EXIF, XMP, ICC,
                # comments, text chunks) can follow it into the stored file.
                mode = upright.mode
                if expected == "JPEG" and mode not in ("RGB", "L"):
                    mode = "RGB"
                elif expected != "JPEG" and mode not in ("RGB", "RGBA", "L", "LA"):
                    mode = "RGBA" if "A" in mode or "transparency" in upright.info else "RGB"
                pixels = upright.convert(mode) if upright.mode != mode else upright
                clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
                out = io.BytesIO()
                if expected == "JPEG":
                    clean.save(out, "JPEG", quality=88, optimize=True)
                elif expected == "PNG":
                    clean.save(out, "PNG", optimize=True)
                else:
                    clean.save(out, "WEBP", quality=85)
                return out.getvalue()
    except DomainError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            SyntaxError, ValueError, TypeError, EOFError, MemoryError) as exc:
        raise unreadable from exc


def _clean_pdf(data: bytes, name: str, field: str) -> bytes:
    """The PDF parsed by pypdf; refused when any object carries active content; written again
    without its metadata (and without whatever was appended after it)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError

    unreadable = field_error(field, _("%(name)s could not be read as a PDF.") % {"name": name})
    active = field_error(field, _("%(name)s is a PDF with active content (scripts, actions that start programs, "
                               "attached files or forms) and cannot be accepted.") % {"name": name})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                try:
                    decrypted = reader.decrypt("")
                except Exception:  # noqa: BLE001 - an unknown or broken encryption
                    decrypted = 0
                if not decrypted:
                    raise field_error(field, _("%(name)s is protected by a password: save it again without "
                                            "one.") % {"name": name})
            if _pdf_has_active_content(reader):
                raise active
            if len(reader.pages) == 0:
                raise unreadable
            writer = PdfWriter(clone_from=reader)
            writer.metadata = None
            if "/Metadata" in writer.root_object:
                del writer.root_object["/Metadata"]
            out = io.BytesIO()
            writer.write(out)
            return out.getvalue()
    except DomainError:
        raise
    except (PdfReadError, OSError, ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError,
            AssertionError, ZeroDivisionError, MemoryError) as exc:
        raise unreadable from exc


def _pdf_has_active_content(reader) -> bool:
    """Walk every object of the PDF (from its trailer, and every object its cross-reference table
    lists, reachable or not) and look at the names pypdf has decoded."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    for generation, objects in getattr(reader, "xref", {}).items():
        stack.extend(IndirectObject(number, generation, reader) for number in objects)
    for number in getattr(reader, "xref_objStm", {}):
        stack.append(IndirectObject(number, 0, reader))
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(item, DictionaryObject):
            for raw_key, value in item.items():
                key = str(raw_key)
                if key in _PDF_ACTIVE_KEYS:
                    return True
                if key == "/S" and isinstance(value, NameObject) and str(value) in _PDF_ACTIVE_ACTIONS:
                    return True
                if key == "/Type" and isinstance(value, NameObject) and str(value) in _PDF_ACTIVE_TYPES:
                    return True
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
        elif isinstance(item, NameObject) and str(item) in ("/JavaScript", "/Launch", "/EmbeddedFile"):
            return True
    return False


def file_response(stored, *, download_name: str = ""):
    """Serve a stored file (a FieldFile) inline after the caller's policy check: the content type
    its server-made extension says, `nosniff`, private to the browser. 404 when it is missing."""
    from urllib.parse import quote

    from django.http import FileResponse, Http404

    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type_for(stored.name))
    disposition = "inline"
    if download_name:
        disposition += f"; filename*=UTF-8''{quote(download_name)}"
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

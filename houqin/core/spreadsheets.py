"""Reading and writing .xlsx files the way kindergartens keep them: the generic part of every import.

An import reads the whole file, checks every row, and collects every problem (sheet, row, column,
reason) in `Problems`; a file with any problem is rejected whole (`ImportRejected`). Before openpyxl
opens anything, `read_upload` and `check_zip` refuse what is not a plain .xlsx (a CSV, an .xls, a
macro workbook), what is too large, and zip bombs. `load_table` finds the header row (after title
rows) and the columns by their Chinese names; `parse_date` and friends read cells as Chinese
spreadsheets hold them. Area importers (org.roster, assets.register, …) build on these.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from houqin.core import files
from houqin.core.errors import DomainError, RowError


MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024


MAX_ZIP_MEMBERS = 1000


HEADER_SEARCH_ROWS = 10  # the header row is looked for among the first rows (after title rows)


MAX_COLUMNS = 200


SCIENTIFIC = re.compile(r"^\d+(\.\d+)?E\+?\d+$", re.IGNORECASE)


DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)


DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class ImportRejected(DomainError):
    """The file was not imported. `errors` lists every problem found, as RowError dicts."""

    def __init__(self, message, errors):
        super().__init__(message, code="import_rejected", errors=errors)


@dataclass(frozen=True)
class ImportResult:
    kind: str
    created: int
    updated: int = 0

    def as_dict(self) -> dict:
        return {"kind": self.kind, "created": self.created, "updated": self.updated}


class Problems:
    """The problems found in one file, in reading order."""

    def __init__(self, sheet: str = ""):
        self.sheet = sheet
        self.items: list[RowError] = []

    def add(self, row: int | None, column: str, code: str, message) -> None:
        self.items.append(RowError(row=row, column=column, message=str(message), sheet=self.sheet, code=code))

    def __bool__(self) -> bool:
        return bool(self.items)

    def reject(self) -> ImportRejected:
        count = len(self.items)
        message = ngettext(
            "The file was not imported: %(count)d problem was found. Nothing has been changed.",
            "The file was not imported: %(count)d problems were found. Nothing has been changed.",
            count,
        ) % {"count": count}
        return ImportRejected(message, [e.as_dict() for e in self.items])


def file_rejected(code: str, message, *, column: str = "", row: int | None = None, sheet: str = "") -> ImportRejected:
    """A problem with the file as a whole: its message is the rejection's message."""
    error = RowError(row=row, column=column, message=str(message), sheet=sheet, code=code)
    return ImportRejected(str(message), [error.as_dict()])


def not_xlsx() -> ImportRejected:
    return file_rejected(
        "not_xlsx", _("Please upload an .xlsx file (Excel 2007 or later): save .xls, .xlsm and .csv files as .xlsx first.")
    )


def no_data() -> ImportRejected:
    return file_rejected("no_data", _("There is no data in the file."))


def read_upload(upload) -> bytes:
    """The bytes of the upload, refusing anything over HOUQIN_IMPORT_MAX_BYTES without reading it all
    (read by the one reader of uploads, houqin.core.files; check_zip then judges the content)."""
    limit = settings.HOUQIN_IMPORT_MAX_BYTES
    too_large = file_rejected(
        "file_too_large", _("The file is too large: at most %(size)s MB.") % {"size": megabytes(limit)}
    )
    return files.read_bytes(upload, limit=limit, too_large=too_large)


megabytes = files.megabytes


def check_zip(data: bytes) -> None:
    """Refuse anything that is not a plain .xlsx, or that would expand too much, before openpyxl sees it."""
    if not data:
        raise no_data()
    if not data.startswith(b"PK\x03\x04"):
        raise not_xlsx()  # .xls (OLE2), CSV in any encoding, HTML saved as .xls, …
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise not_xlsx()
            limit = getattr(settings, "HOUQIN_IMPORT_MAX_UNCOMPRESSED_BYTES", MAX_UNCOMPRESSED_BYTES)
            if sum(m.file_size for m in members) > limit:
                raise file_rejected(
                    "zip_bomb",
                    _("The file expands to more than %(size)s MB when opened and was not read.")
                    % {"size": megabytes(limit)},
                )
            names = {m.filename for m in members}
            if "[Content_Types].xml" not in names:
                raise not_xlsx()
            content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        raise not_xlsx() from exc
    if "xl/vbaProject.bin" in names or "macroEnabled" in content_types:
        raise file_rejected(
            "not_xlsx", _("Please upload an .xlsx file: workbooks with macros (.xlsm) are not accepted.")
        )
    if "spreadsheetml.sheet.main+xml" not in content_types:
        raise not_xlsx()  # a .docx, .pptx or another zip


@dataclass
class Row:
    number: int  # the row number Excel shows
    values: dict[str, Any]


@dataclass
class Table:
    sheet: str
    header_row: int
    rows: list[Row]
    epoch: dt.datetime


def header_key(value) -> str:
    if value is None:
        return ""
    return re.sub(r"[\s*]", "", unicodedata.normalize("NFKC", str(value)))


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def header_positions(row: tuple, columns: Iterable[str]) -> dict[str, int]:
    wanted = set(columns)
    positions: dict[str, int] = {}
    for index, value in enumerate(row[:MAX_COLUMNS]):
        key = header_key(value)
        if key in wanted and key not in positions:
            positions[key] = index
    return positions


def read_table(workbook, columns: tuple[str, ...], optional: frozenset[str]) -> Table:
    """The data rows under the best header row of the workbook (the sheet and row naming the most
    known columns). Raises ImportRejected for missing columns, no data or too many rows."""
    best: tuple[int, Any, int, dict[str, int]] | None = None  # (matches, sheet, row number, positions)
    any_content = False
    for sheet in workbook.worksheets:
        sheet.reset_dimensions()  # some programs write wrong dimensions; read what is there
        for number, row in enumerate(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1):
            if any(not is_blank(v) for v in row):
                any_content = True
            positions = header_positions(row, columns)
            if positions and (best is None or len(positions) > best[0]):
                best = (len(positions), sheet, number, positions)
    if not any_content:
        raise no_data()
    if best is None:
        required = "、".join(c for c in columns if c not in optional)
        raise file_rejected(
            "no_header",
            _("No header row was found: one of the first %(rows)s rows must name the columns %(columns)s.")
            % {"rows": HEADER_SEARCH_ROWS, "columns": required},
        )
    sheet, header_row, positions = best[1:]
    missing = [c for c in columns if c not in optional and c not in positions]
    if missing:
        errors = [
            RowError(row=header_row, column=column, sheet=sheet.title, code="missing_column",
                     message=_("Missing column: %(column)s") % {"column": column}).as_dict()
            for column in missing
        ]
        raise ImportRejected(_("Missing column: %(column)s") % {"column": "、".join(missing)}, errors)

    max_rows = settings.HOUQIN_IMPORT_MAX_ROWS
    rows: list[Row] = []
    data_rows = sheet.iter_rows(min_row=header_row + 1, values_only=True)
    for number, raw in enumerate(data_rows, start=header_row + 1):
        values = {c: (raw[i] if i < len(raw) else None) for c, i in positions.items()}
        if all(is_blank(v) for v in values.values()):
            continue
        if len(rows) >= max_rows:
            raise file_rejected(
                "too_many_rows",
                _("Too many rows: at most %(limit)s data rows per file.") % {"limit": max_rows},
                sheet=sheet.title,
            )
        rows.append(Row(number, values))
    if not rows:
        raise no_data()
    return Table(sheet=sheet.title, header_row=header_row, rows=rows, epoch=workbook.epoch)


def unreadable() -> ImportRejected:
    return file_rejected(
        "unreadable",
        _("The file could not be read as an Excel workbook: open it in Excel and save it again as .xlsx."),
    )


def load_table(data: bytes, columns: tuple[str, ...], optional: frozenset[str]) -> Table:
    """The table of an uploaded workbook, opened read-only (values, not formulas) once the zip
    has passed check_zip. Sheets are parsed lazily, so reading them can fail too."""
    check_zip(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - an untrusted file can break the parser in many ways
        raise unreadable() from exc
    try:
        return read_table(workbook, columns, optional)
    except ImportRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed XML, bad CRC, entities refused by defusedxml, …
        raise unreadable() from exc
    finally:
        workbook.close()


def cell_text(value) -> str:
    """A cell as text, trimmed (full-width spaces too). Whole numbers lose their `.0`."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    return str(value).strip()


def plain_text(value) -> str:
    """Text with full-width digits and letters turned half-width and no inner spaces (for codes)."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", cell_text(value)))


class BadValue(Exception):
    def __init__(self, code: str, message):
        super().__init__(str(message))
        self.code = code
        self.message = str(message)


def parse_date(value, epoch: dt.datetime) -> dt.date | None:
    """A real Excel date, an Excel serial number, 20210305, or text like 2021-03-05, 2021/3/5,
    2021.3.5, 2021年3月5日 (full-width digits too). None for an empty cell."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise BadValue("invalid_date", _("Not a date: write it like 2021-03-05."))
    if isinstance(value, int | float):
        if float(value).is_integer() and 19000101 <= value <= 21001231:  # 20210305 typed as a number
            digits = str(int(value))
            return date_or_error(digits[:4], digits[4:6], digits[6:])
        if 1 <= value < 2958466:
            converted = from_excel(value, epoch=epoch)
            if isinstance(converted, dt.datetime):
                return converted.date()
        raise BadValue("invalid_date", _("Not a date: write it like 2021-03-05."))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = DATE_TEXT.match(text) or DATE_COMPACT.match(text)
    if match is None:
        raise BadValue("invalid_date", _("Not a date: write it like 2021-03-05."))
    return date_or_error(*match.groups())


def date_or_error(year: str, month: str, day: str) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise BadValue("invalid_date", _("This date does not exist.")) from exc


def match_key(value: str) -> str:
    """How names of classes are compared: NFKC, no spaces."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", value))


def max_length(model, field_name: str) -> int:
    return model._meta.get_field(field_name).max_length


# --------------------------------------------------------------------------------------------
# Writing: the one .xlsx writer every export goes through

# Text starting with one of these is what a spreadsheet would run as a formula (OWASP "CSV
# injection"): a guardian named =HYPERLINK("//e.cn","点") must stay a name.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TITLE_JUNK = re.compile(r"[\[\]:*?/\\]")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


class Sheet:
    """One sheet of an export. Rows are written in order (the workbook streams them). Text is
    always written as text — never as a formula, whatever it starts with —, dates as dates, and
    numbers in the column's number format."""

    def __init__(self, workbook, title: str, *, widths=(), formats=(), freeze: str | None = None):
        self._sheet = workbook.create_sheet(_TITLE_JUNK.sub("", str(title))[:31] or "Sheet")
        for index, width in enumerate(widths, start=1):
            if width:
                self._sheet.column_dimensions[get_column_letter(index)].width = width
        if freeze:
            self._sheet.freeze_panes = freeze
        self.formats = list(formats)
        self.count = 0

    def row(self, values=(), *, bold: bool = False, size: int | None = None, fill: str | None = None,
            top: bool = False, marks: dict | None = None) -> None:
        """`marks`: {column index: (fill colour, note)} for single cells (a value outside its rule:
        a red fill and the rule as the cell's comment)."""
        font = Font(bold=bold, size=size) if (bold or size) else None
        cells = []
        for index, value in enumerate(values):
            cell = text_cell(self._sheet, value, self.formats[index] if index < len(self.formats) else None)
            if font is not None:
                cell.font = font
            if fill:
                cell.fill = PatternFill("solid", fgColor=fill)
            if marks and index in marks:
                colour, note = marks[index]
                cell.fill = PatternFill("solid", fgColor=colour)
                if note:
                    cell.comment = Comment(str(note), "Houqin", width=320, height=120)
            if top:
                cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str))
            cells.append(cell)
        self._sheet.append(cells)
        self.count += 1

    def header(self, names, *, fill: str | None = None) -> None:
        self.row(names, bold=True, fill=fill)


def text_cell(sheet, value, number_format: str | None = None) -> WriteOnlyCell:
    """A cell whose text is text: a string that starts like a formula is stored as a string with
    Excel's quote prefix (shown and edited as text), never as a formula."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=None)
        cell.value = value
        cell.data_type = "s"  # openpyxl would make "=…" a formula: it is text
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
        cell.number_format = "@"  # text: keeps ID numbers and phones from turning into numbers
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool) and number_format:
        cell.number_format = number_format
    return cell


class XlsxWriter:
    """The .xlsx file of an export: `sheet(...)` adds sheets, `content()` gives the bytes."""

    def __init__(self):
        self._workbook = Workbook(write_only=True)

    def sheet(self, title: str, *, columns=None, widths=(), formats=(), freeze: str | None = None,
              header_fill: str | None = None) -> Sheet:
        """A new sheet; with `columns`, their names are its bold header row, frozen on screen."""
        sheet = Sheet(self._workbook, title, widths=widths, formats=formats,
                      freeze=freeze if freeze is not None else ("A2" if columns else None))
        if columns:
            sheet.header(columns, fill=header_fill)
        return sheet

    def content(self) -> bytes:
        buffer = io.BytesIO()
        self._workbook.save(buffer)
        return buffer.getvalue()


def build_workbook(title: str, columns: tuple[str, ...], widths: dict[str, int], rows: Iterator[list]) -> bytes:
    """A one-sheet export: a header of `columns` and the rows under it."""
    writer = XlsxWriter()
    sheet = writer.sheet(title, columns=columns, widths=[widths.get(column, 12) for column in columns])
    for values in rows:
        sheet.row(values)
    return writer.content()

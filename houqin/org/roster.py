"""Roster import and export (.xlsx), the way kindergartens keep them today.

An import is all or nothing: the whole file is read and checked first, and any bad row rejects the
whole file with the list of every problem found (sheet, row, column, reason); only a clean file is
written, in one transaction.

Decisions:
- An import only *adds*. A child already enrolled in the kindergarten (same name and date of birth)
  is reported as an error (已在园) and rejects the file, so importing the same file twice, or
  re-importing an export, never creates duplicates and never silently changes existing records.
  `updated` is therefore always 0; it is kept for the API's shape.
- Staff are added with the rules of services.staff_add: a login name that exists already is reused
  (if the name in the file matches the person), a role the person already holds here is an error.
  New logins get an unusable password: the principal sets one later.
- The header row may follow title rows; headers are matched exactly after removing spaces
  (a renamed column is a missing column). Unknown columns are ignored.
- Exports write the same columns as the import reads, so an export re-imports (into another
  kindergarten: here it is rejected as duplicates). The identity-card number is written only for
  children on whom the actor holds org.child.view_sensitive.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from simple_history.utils import bulk_create_with_history

from houqin import policy
from houqin.core.audit import audit_event
from houqin.core.errors import DomainError, RowError
from houqin.core.models import AuditEvent
from houqin.org import selectors
from houqin.org.models import Child, Guardian, Kindergarten, Membership, Relation, Role, SchoolClass, Sex
from houqin.org.services import validate_child_dates
from houqin.org.validators import id_number_checksum_ok, normalize_phone, validate_id_number, validate_phone

KIND_CHILDREN = "children"
KIND_STAFF = "staff"
KINDS = (KIND_CHILDREN, KIND_STAFF)

# A workbook that expands beyond this when unzipped is refused before openpyxl parses it.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ZIP_MEMBERS = 1000
HEADER_SEARCH_ROWS = 10  # the header row is looked for among the first rows (after title rows)
MAX_COLUMNS = 200
CHANGE_REASON = "roster import"

# --- Columns (Chinese literals: they are what the kindergartens' sheets say) ---------------------

NAME = "姓名"
SEX = "性别"
BIRTH_DATE = "出生日期"
CLASS = "班级"
ENROLLED_ON = "入园日期"
ID_NUMBER = "身份证号"
G1_NAME, G1_RELATION, G1_PHONE = "监护人1姓名", "监护人1关系", "监护人1电话"
G2_NAME, G2_RELATION, G2_PHONE = "监护人2姓名", "监护人2关系", "监护人2电话"
GUARDIAN_COLUMNS = ((G1_NAME, G1_RELATION, G1_PHONE), (G2_NAME, G2_RELATION, G2_PHONE))

CHILD_COLUMNS = (NAME, SEX, BIRTH_DATE, CLASS, ENROLLED_ON, ID_NUMBER, G1_NAME, G1_RELATION, G1_PHONE,
                 G2_NAME, G2_RELATION, G2_PHONE)
CHILD_OPTIONAL = frozenset({ID_NUMBER, G2_NAME, G2_RELATION, G2_PHONE})

LOGIN = "登录名"
PHONE = "手机号"
ROLE = "角色"
POST = "岗位"
STAFF_COLUMNS = (LOGIN, NAME, PHONE, ROLE, POST, CLASS)
STAFF_OPTIONAL = frozenset({POST, CLASS})

SEX_BY_LABEL = {"男": Sex.MALE, "女": Sex.FEMALE}
SEX_LABELS = {v: k for k, v in SEX_BY_LABEL.items()}

RELATION_LABELS = {
    Relation.FATHER: "父亲",
    Relation.MOTHER: "母亲",
    Relation.PATERNAL_GRANDFATHER: "爷爷",
    Relation.PATERNAL_GRANDMOTHER: "奶奶",
    Relation.MATERNAL_GRANDFATHER: "外公",
    Relation.MATERNAL_GRANDMOTHER: "外婆",
    Relation.OTHER: "其他",
}
RELATION_BY_LABEL = {
    **{label: relation for relation, label in RELATION_LABELS.items()},
    "爸爸": Relation.FATHER,
    "妈妈": Relation.MOTHER,
    "祖父": Relation.PATERNAL_GRANDFATHER,
    "祖母": Relation.PATERNAL_GRANDMOTHER,
    "外祖父": Relation.MATERNAL_GRANDFATHER,
    "姥爷": Relation.MATERNAL_GRANDFATHER,
    "外祖母": Relation.MATERNAL_GRANDMOTHER,
    "姥姥": Relation.MATERNAL_GRANDMOTHER,
    "其它": Relation.OTHER,
}

# The model's labels are English msgids; sheets say the role the Chinese way. The first label of
# each role is the one exports write; the others are accepted on import.
ROLE_LABELS: dict[Role, tuple[str, ...]] = {
    Role.PRINCIPAL: ("园长",),
    Role.DIRECTOR: ("后勤主任", "后勤园长"),
    Role.HEALTH_TEACHER: ("保健医", "保健老师", "保健教师", "保健医生", "保健员"),
    Role.CANTEEN: ("食堂人员", "食堂", "厨师", "炊事员"),
    Role.STOREKEEPER: ("库管员", "保管员", "仓管员"),
    Role.ACCOUNTANT: ("会计", "财务"),
    Role.CLASS_TEACHER: ("班主任", "教师", "老师", "主班教师", "配班教师"),
    Role.NURSERY: ("保育员", "保育老师"),
    Role.GUARD: ("保安", "门卫", "安保"),
}
ROLE_BY_LABEL = {label: role for role, labels in ROLE_LABELS.items() for label in labels}

CLASS_SEPARATORS = re.compile(r"[、,，;；\s]+")
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?E\+?\d+$", re.IGNORECASE)
_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


# --- Results and errors ----------------------------------------------------------------------


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


class _Problems:
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


def _file_rejected(code: str, message, *, column: str = "", row: int | None = None, sheet: str = "") -> ImportRejected:
    """A problem with the file as a whole: its message is the rejection's message."""
    error = RowError(row=row, column=column, message=str(message), sheet=sheet, code=code)
    return ImportRejected(str(message), [error.as_dict()])


def _not_xlsx() -> ImportRejected:
    return _file_rejected(
        "not_xlsx", _("Please upload an .xlsx file (Excel 2007 or later): save .xls, .xlsm and .csv files as .xlsx first.")
    )


def _no_data() -> ImportRejected:
    return _file_rejected("no_data", _("There is no data in the file."))


# --- Reading the upload ----------------------------------------------------------------------


def _read_upload(upload) -> bytes:
    """The bytes of the upload, refusing anything over HOUQIN_IMPORT_MAX_BYTES without reading it all."""
    limit = settings.HOUQIN_IMPORT_MAX_BYTES
    too_large = _file_rejected(
        "file_too_large", _("The file is too large: at most %(size)s MB.") % {"size": _megabytes(limit)}
    )
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


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def _check_zip(data: bytes) -> None:
    """Refuse anything that is not a plain .xlsx, or that would expand too much, before openpyxl sees it."""
    if not data:
        raise _no_data()
    if not data.startswith(b"PK\x03\x04"):
        raise _not_xlsx()  # .xls (OLE2), CSV in any encoding, HTML saved as .xls, …
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise _not_xlsx()
            limit = getattr(settings, "HOUQIN_IMPORT_MAX_UNCOMPRESSED_BYTES", MAX_UNCOMPRESSED_BYTES)
            if sum(m.file_size for m in members) > limit:
                raise _file_rejected(
                    "zip_bomb",
                    _("The file expands to more than %(size)s MB when opened and was not read.")
                    % {"size": _megabytes(limit)},
                )
            names = {m.filename for m in members}
            if "[Content_Types].xml" not in names:
                raise _not_xlsx()
            content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        raise _not_xlsx() from exc
    if "xl/vbaProject.bin" in names or "macroEnabled" in content_types:
        raise _file_rejected(
            "not_xlsx", _("Please upload an .xlsx file: workbooks with macros (.xlsm) are not accepted.")
        )
    if "spreadsheetml.sheet.main+xml" not in content_types:
        raise _not_xlsx()  # a .docx, .pptx or another zip


# --- Finding the table -----------------------------------------------------------------------


@dataclass
class _Row:
    number: int  # the row number Excel shows
    values: dict[str, Any]


@dataclass
class _Table:
    sheet: str
    header_row: int
    rows: list[_Row]
    epoch: dt.datetime


def _header_key(value) -> str:
    if value is None:
        return ""
    return re.sub(r"[\s*]", "", unicodedata.normalize("NFKC", str(value)))


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_positions(row: tuple, columns: Iterable[str]) -> dict[str, int]:
    wanted = set(columns)
    positions: dict[str, int] = {}
    for index, value in enumerate(row[:MAX_COLUMNS]):
        key = _header_key(value)
        if key in wanted and key not in positions:
            positions[key] = index
    return positions


def _read_table(workbook, columns: tuple[str, ...], optional: frozenset[str]) -> _Table:
    """The data rows under the best header row of the workbook (the sheet and row naming the most
    known columns). Raises ImportRejected for missing columns, no data or too many rows."""
    best: tuple[int, Any, int, dict[str, int]] | None = None  # (matches, sheet, row number, positions)
    any_content = False
    for sheet in workbook.worksheets:
        sheet.reset_dimensions()  # some programs write wrong dimensions; read what is there
        for number, row in enumerate(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1):
            if any(not _is_blank(v) for v in row):
                any_content = True
            positions = _header_positions(row, columns)
            if positions and (best is None or len(positions) > best[0]):
                best = (len(positions), sheet, number, positions)
    if not any_content:
        raise _no_data()
    if best is None:
        required = "、".join(c for c in columns if c not in optional)
        raise _file_rejected(
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
    rows: list[_Row] = []
    data_rows = sheet.iter_rows(min_row=header_row + 1, values_only=True)
    for number, raw in enumerate(data_rows, start=header_row + 1):
        values = {c: (raw[i] if i < len(raw) else None) for c, i in positions.items()}
        if all(_is_blank(v) for v in values.values()):
            continue
        if len(rows) >= max_rows:
            raise _file_rejected(
                "too_many_rows",
                _("Too many rows: at most %(limit)s data rows per file.") % {"limit": max_rows},
                sheet=sheet.title,
            )
        rows.append(_Row(number, values))
    if not rows:
        raise _no_data()
    return _Table(sheet=sheet.title, header_row=header_row, rows=rows, epoch=workbook.epoch)


def _unreadable() -> ImportRejected:
    return _file_rejected(
        "unreadable",
        _("The file could not be read as an Excel workbook: open it in Excel and save it again as .xlsx."),
    )


def _load_table(data: bytes, columns: tuple[str, ...], optional: frozenset[str]) -> _Table:
    """The table of an uploaded workbook, opened read-only (values, not formulas) once the zip
    has passed _check_zip. Sheets are parsed lazily, so reading them can fail too."""
    _check_zip(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - an untrusted file can break the parser in many ways
        raise _unreadable() from exc
    try:
        return _read_table(workbook, columns, optional)
    except ImportRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed XML, bad CRC, entities refused by defusedxml, …
        raise _unreadable() from exc
    finally:
        workbook.close()


# --- Values ----------------------------------------------------------------------------------


def _text(value) -> str:
    """A cell as text, trimmed (full-width spaces too). Whole numbers lose their `.0`."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    return str(value).strip()


def _plain(value) -> str:
    """Text with full-width digits and letters turned half-width and no inner spaces (for codes)."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", _text(value)))


class _BadValue(Exception):
    def __init__(self, code: str, message):
        super().__init__(str(message))
        self.code = code
        self.message = str(message)


def _parse_date(value, epoch: dt.datetime) -> dt.date | None:
    """A real Excel date, an Excel serial number, 20210305, or text like 2021-03-05, 2021/3/5,
    2021.3.5, 2021年3月5日 (full-width digits too). None for an empty cell."""
    if _is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise _BadValue("invalid_date", _("Not a date: write it like 2021-03-05."))
    if isinstance(value, int | float):
        if float(value).is_integer() and 19000101 <= value <= 21001231:  # 20210305 typed as a number
            digits = str(int(value))
            return _date_or_error(digits[:4], digits[4:6], digits[6:])
        if 1 <= value < 2958466:
            converted = from_excel(value, epoch=epoch)
            if isinstance(converted, dt.datetime):
                return converted.date()
        raise _BadValue("invalid_date", _("Not a date: write it like 2021-03-05."))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE_TEXT.match(text) or _DATE_COMPACT.match(text)
    if match is None:
        raise _BadValue("invalid_date", _("Not a date: write it like 2021-03-05."))
    return _date_or_error(*match.groups())


def _date_or_error(year: str, month: str, day: str) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise _BadValue("invalid_date", _("This date does not exist.")) from exc


def _parse_phone(value) -> str:
    phone = normalize_phone(_text(value))
    try:
        validate_phone(phone)
    except ValidationError as exc:
        raise _BadValue("invalid_phone", exc.messages[0]) from exc
    return phone


def _parse_id_number(value) -> str:
    as_number = _BadValue(
        "id_number_as_number",
        _("The identity card number was stored as a number and has lost its last digits: "
          "format the column as text and type the number again."),
    )
    if _is_blank(value):
        return ""
    if isinstance(value, float):
        raise as_number
    if isinstance(value, int):
        if not id_number_checksum_ok(str(value)):  # Excel keeps 15 digits: the last ones became 0
            raise as_number
        return str(value)
    text = _plain(value).upper()
    if _SCIENTIFIC.match(text):
        raise as_number
    try:
        validate_id_number(text)
    except ValidationError as exc:
        raise _BadValue("invalid_id_number", exc.messages[0]) from exc
    return text


def _key(value: str) -> str:
    """How names of classes are compared: NFKC, no spaces."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", value))


def _max_length(model, field_name: str) -> int:
    return model._meta.get_field(field_name).max_length


class _ClassDirectory:
    """The active classes an import may use, by name. Two active classes with one name (e.g. of
    two school years) make that name ambiguous."""

    def __init__(self, classes: Iterable[SchoolClass]):
        self._by_name: dict[str, list[SchoolClass]] = defaultdict(list)
        for school_class in classes:
            self._by_name[_key(school_class.name)].append(school_class)

    def find(self, name: str) -> SchoolClass:
        found = self._by_name.get(_key(name), [])
        if not found:
            raise _BadValue(
                "unknown_class", _("There is no active class named “%(name)s” in this kindergarten.") % {"name": name}
            )
        if len(found) > 1:
            raise _BadValue(
                "ambiguous_class",
                _("Several active classes are named “%(name)s”: rename one of them first.") % {"name": name},
            )
        return found[0]


def _model_field_errors(instance, exclude: list[str], columns: dict[str, str], problems: _Problems, row: int) -> None:
    """Run the model's own field checks (lengths, characters) without queries; report by column."""
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as exc:
        for field_name, messages in exc.message_dict.items():
            problems.add(row, columns.get(field_name, field_name), "invalid", messages[0])


# --- Children --------------------------------------------------------------------------------


@dataclass
class _GuardianPlan:
    name: str
    relation: str
    phone: str


@dataclass
class _ChildPlan:
    row: int
    name: str
    sex: str
    birth_date: dt.date
    school_class: SchoolClass
    enrolled_on: dt.date
    id_number: str
    guardians: list[_GuardianPlan] = field(default_factory=list)


def _child_row(row: _Row, table: _Table, classes: _ClassDirectory, problems: _Problems,
               today: dt.date) -> _ChildPlan | None:
    """Check one row; report its problems and return the child to create when it has none."""
    n, v = row.number, row.values
    before = len(problems.items)

    def required_text(column: str, max_length: int) -> str:
        text = _text(v.get(column))
        if not text:
            problems.add(n, column, "required", _("This value is required."))
        elif len(text) > max_length:
            problems.add(n, column, "too_long", _("At most %(max)s characters.") % {"max": max_length})
        return text

    def parsed(column: str, parse, *args):
        try:
            return parse(v.get(column), *args)
        except _BadValue as exc:
            problems.add(n, column, exc.code, exc.message)
            return None

    name = required_text(NAME, _max_length(Child, "name"))
    sex_label = _plain(v.get(SEX))
    sex = SEX_BY_LABEL.get(sex_label)
    if not sex_label:
        problems.add(n, SEX, "required", _("This value is required."))
    elif sex is None:
        problems.add(n, SEX, "invalid_sex", _("Write 男 or 女."))
    birth_date = parsed(BIRTH_DATE, _parse_date, table.epoch)
    if birth_date is None and _is_blank(v.get(BIRTH_DATE)):
        problems.add(n, BIRTH_DATE, "required", _("This value is required."))
    enrolled_on = parsed(ENROLLED_ON, _parse_date, table.epoch)
    if enrolled_on is None and _is_blank(v.get(ENROLLED_ON)):
        enrolled_on = today  # as services.child_create: enrolled today unless told otherwise
    class_name = _text(v.get(CLASS))
    school_class = None
    if not class_name:
        problems.add(n, CLASS, "required", _("This value is required."))
    else:
        try:
            school_class = classes.find(class_name)
        except _BadValue as exc:
            problems.add(n, CLASS, exc.code, exc.message)
    id_number = parsed(ID_NUMBER, _parse_id_number) or ""

    if birth_date is not None and enrolled_on is not None:
        date_columns = {"birth_date": BIRTH_DATE, "enrolled_on": ENROLLED_ON}
        for field_name, message in validate_child_dates(
            birth_date=birth_date, enrolled_on=enrolled_on, today=today
        ).items():
            problems.add(n, date_columns[field_name], "invalid_date", message)

    guardians: list[_GuardianPlan] = []
    for index, (name_column, relation_column, phone_column) in enumerate(GUARDIAN_COLUMNS):
        cells = [v.get(name_column), v.get(relation_column), v.get(phone_column)]
        if index > 0 and all(_is_blank(c) for c in cells):
            continue  # the second guardian is optional, but all or none of their cells
        g_name = required_text(name_column, _max_length(Guardian, "name"))
        relation_label = _plain(v.get(relation_column))
        relation = RELATION_BY_LABEL.get(relation_label)
        if not relation_label:
            problems.add(n, relation_column, "required", _("This value is required."))
        elif relation is None:
            problems.add(n, relation_column, "invalid_relation", _("Unknown relation: write one of %(choices)s.")
                         % {"choices": "、".join(RELATION_LABELS.values())})
        phone = None
        if _is_blank(v.get(phone_column)):
            problems.add(n, phone_column, "required", _("This value is required."))
        else:
            phone = parsed(phone_column, _parse_phone)
        if g_name and relation and phone:
            if any(g.name == g_name and g.phone == phone for g in guardians):
                problems.add(n, name_column, "duplicate_guardian", _("This guardian is already recorded for the child."))
            guardians.append(_GuardianPlan(g_name, relation, phone))

    if len(problems.items) > before:
        return None
    plan = _ChildPlan(n, name, sex, birth_date, school_class, enrolled_on, id_number, guardians)
    child = Child(name=name, sex=sex, birth_date=birth_date, enrolled_on=enrolled_on, id_number=id_number)
    _model_field_errors(child, ["kindergarten", "school_class", "created_by", "code"],
                        {"name": NAME, "sex": SEX, "id_number": ID_NUMBER}, problems, n)
    for g, columns in zip(guardians, GUARDIAN_COLUMNS, strict=False):
        guardian = Guardian(name=g.name, relation=g.relation, phone=g.phone)
        _model_field_errors(guardian, ["kindergarten", "child", "created_by", "user", "code"],
                            dict(zip(("name", "relation", "phone"), columns, strict=True)), problems, n)
    return plan if len(problems.items) == before else None


def _identity(row: _Row, table: _Table) -> tuple[str, dt.date] | None:
    """Name and date of birth, which identify a child within a kindergarten (None if unreadable)."""
    name = _text(row.values.get(NAME))
    try:
        birth_date = _parse_date(row.values.get(BIRTH_DATE), table.epoch)
    except _BadValue:
        return None
    return (_key(name), birth_date) if name and birth_date else None


def _plan_children(actor, table: _Table) -> list[_ChildPlan]:
    """Every child of the table, checked; raises ImportRejected listing all problems."""
    classes = _ClassDirectory(
        policy.scoped(actor, "org.child.create", SchoolClass.objects.filter(is_active=True))
    )
    enrolled = {
        (_key(name), birth_date)
        for name, birth_date in Child.objects.active()
        .filter(kindergarten=actor.kindergarten, left_on__isnull=True)
        .values_list("name", "birth_date")
    }
    today = timezone.localdate()
    problems = _Problems(table.sheet)
    plans: list[_ChildPlan] = []
    seen: dict[tuple[str, dt.date], int] = {}
    for row in table.rows:
        # A row naming a child already enrolled, or already in the file, is reported as that alone:
        # the row has to go, whatever else is wrong with it.
        key = _identity(row, table)
        if key is not None and key in enrolled:
            problems.add(row.number, NAME, "already_enrolled",
                         _("A child with this name and date of birth is already enrolled in the kindergarten. "
                           "The import only adds new children and never changes existing ones: remove this row."))
            continue
        if key is not None and key in seen:
            problems.add(row.number, NAME, "duplicate_in_file",
                         _("The same child (name and date of birth) is already in row %(row)s of this file.")
                         % {"row": seen[key]})
            continue
        if key is not None:
            seen[key] = row.number
        plan = _child_row(row, table, classes, problems, today)
        if plan is not None:
            plans.append(plan)
    if problems:
        raise problems.reject()
    return plans


def _write_children(actor, plans: list[_ChildPlan]) -> int:
    kindergarten = actor.kindergarten
    children = [
        Child(kindergarten=kindergarten, name=p.name, sex=p.sex, birth_date=p.birth_date, school_class=p.school_class,
              enrolled_on=p.enrolled_on, id_number=p.id_number, created_by=actor.user).fill_derived()
        for p in plans
    ]
    children = bulk_create_with_history(children, Child, default_user=actor.user, default_change_reason=CHANGE_REASON)
    guardians = [
        Guardian(kindergarten=kindergarten, child=child, name=g.name, relation=g.relation, phone=g.phone,
                 is_primary=index == 0, created_by=actor.user)
        for child, plan in zip(children, plans, strict=True)
        for index, g in enumerate(plan.guardians)
    ]
    bulk_create_with_history(guardians, Guardian, default_user=actor.user, default_change_reason=CHANGE_REASON)
    return len(children)


# --- Staff -----------------------------------------------------------------------------------


@dataclass
class _StaffPlan:
    row: int
    username: str
    full_name: str
    phone: str
    role: Role
    post: str
    classes: list[SchoolClass]
    user: Any = None  # the existing login, when there is one


def _plan_staff(actor, table: _Table) -> list[_StaffPlan]:
    """Every staff row, checked with the rules of services.staff_add; raises ImportRejected."""
    User = get_user_model()
    kindergarten = actor.kindergarten
    classes = _ClassDirectory(SchoolClass.objects.filter(kindergarten=kindergarten, is_active=True))
    usernames = {User.normalize_username(_text(r.values.get(LOGIN))) for r in table.rows}
    existing_users = {u.username: u for u in User.objects.filter(username__in=usernames - {""})}
    held_roles = set(
        Membership.objects.filter(kindergarten=kindergarten, user__username__in=list(existing_users))
        .values_list("user__username", "role")
    )
    problems = _Problems(table.sheet)
    plans: list[_StaffPlan] = []
    seen: dict[str, int] = {}
    role_choices = "、".join(labels[0] for labels in ROLE_LABELS.values())
    for row in table.rows:
        n, v = row.number, row.values
        before = len(problems.items)
        username = User.normalize_username(_text(v.get(LOGIN)))
        full_name = _text(v.get(NAME))
        phone_raw = v.get(PHONE)
        role_label = _plain(v.get(ROLE))
        post = _text(v.get(POST))
        if not username:
            problems.add(n, LOGIN, "required", _("This value is required."))
        elif username in seen:
            problems.add(n, LOGIN, "duplicate_in_file",
                         _("This login name is already used in row %(row)s of this file.") % {"row": seen[username]})
        else:
            seen[username] = n
        role = ROLE_BY_LABEL.get(role_label)
        if not role_label:
            problems.add(n, ROLE, "required", _("This value is required."))
        elif role is None:
            problems.add(n, ROLE, "invalid_role", _("Unknown role: write one of %(choices)s.") % {"choices": role_choices})
        if len(post) > _max_length(Membership, "post"):
            problems.add(n, POST, "too_long", _("At most %(max)s characters.") % {"max": _max_length(Membership, "post")})
        school_classes: list[SchoolClass] = []
        for class_name in (c for c in CLASS_SEPARATORS.split(_text(v.get(CLASS))) if c):
            try:
                school_classes.append(classes.find(class_name))
            except _BadValue as exc:
                problems.add(n, CLASS, exc.code, exc.message)

        user = existing_users.get(username)
        phone = ""
        if user is not None:
            # staff_add reuses an existing login; the name guards against giving a role to a stranger.
            if full_name and full_name != user.full_name:
                problems.add(n, LOGIN, "login_taken",
                             _("This login name belongs to someone else: choose another one."))
            elif role is not None and (username, role.value) in held_roles:
                problems.add(n, ROLE, "role_exists", _("This person already has this role here."))
        elif username:
            if not full_name:
                problems.add(n, NAME, "required", _("Enter a name."))
            if _is_blank(phone_raw):
                problems.add(n, PHONE, "required", _("This value is required."))
            else:
                try:
                    phone = _parse_phone(phone_raw)
                except _BadValue as exc:
                    problems.add(n, PHONE, exc.code, exc.message)
            if len(problems.items) == before:
                _model_field_errors(User(username=username, full_name=full_name, phone=phone),
                                    ["password", "last_login", "date_joined"],
                                    {"username": LOGIN, "full_name": NAME, "phone": PHONE}, problems, n)
        if len(problems.items) == before:
            plans.append(_StaffPlan(n, username, full_name, phone, role, post, school_classes, user))
    if problems:
        raise problems.reject()
    return plans


def _write_staff(actor, plans: list[_StaffPlan]) -> int:
    User = get_user_model()
    for plan in plans:
        user = plan.user
        if user is None:
            user = User(username=plan.username, full_name=plan.full_name, phone=plan.phone)
            user.set_unusable_password()  # the principal gives them a password later
            user.save()
        membership = Membership(user=user, kindergarten=actor.kindergarten, role=plan.role, post=plan.post)
        membership._history_user = actor.user
        membership._change_reason = CHANGE_REASON
        membership.save()
        if plan.classes:
            membership.classes.set(plan.classes)
        audit_event(action="org.staff.add", actor=actor.user, kindergarten=actor.kindergarten, obj=membership,
                    detail={"role": plan.role.value, "username": plan.username, "via": "roster.import"})
    return len(plans)


# --- Import ----------------------------------------------------------------------------------

_PLANNERS = {KIND_CHILDREN: (CHILD_COLUMNS, CHILD_OPTIONAL, _plan_children, _write_children),
             KIND_STAFF: (STAFF_COLUMNS, STAFF_OPTIONAL, _plan_staff, _write_staff)}
_CAPABILITY = {KIND_CHILDREN: "org.child.create", KIND_STAFF: "org.staff.change"}


def import_roster(*, actor, kind: str, upload) -> ImportResult:
    """Import a children or staff roster (.xlsx): all rows or none.

    Raises ImportRejected (422) listing every problem found; PermissionDenied when the actor may
    import rosters but not add this kind of record (staff need org.staff.change, as staff_add).
    """
    if not actor.has("org.roster.import"):
        raise PermissionDenied
    if kind not in KINDS:
        raise _file_rejected("invalid_kind", _("Choose the roster to import: children or staff."))
    if not actor.has(_CAPABILITY[kind]):
        raise PermissionDenied
    columns, optional, plan, write = _PLANNERS[kind]
    rows = 0
    try:
        table = _load_table(_read_upload(upload), columns, optional)
        rows = len(table.rows)
        try:
            with transaction.atomic():
                # One import at a time per kindergarten, so that two uploads of one file cannot both
                # pass the duplicate checks. NO KEY UPDATE does not block rows pointing at it.
                Kindergarten.objects.select_for_update(no_key=True).filter(pk=actor.kindergarten.pk).first()
                created = write(actor, plan(actor, table))
                audit_event(action="org.roster.import", actor=actor.user, kindergarten=actor.kindergarten,
                            detail={"kind": kind, "rows": rows, "created": created, "updated": 0})
        except IntegrityError as exc:
            raise _file_rejected(
                "conflict", _("The records changed while the file was being imported: nothing was changed, try again.")
            ) from exc
    except ImportRejected as exc:
        # After the rollback, outside the transaction: the failure is recorded. Counts only.
        audit_event(action="org.roster.import", actor=actor.user, kindergarten=actor.kindergarten,
                    outcome=AuditEvent.Outcome.FAILED,
                    detail={"kind": kind, "rows": rows, "errors": len(exc.errors),
                            "codes": sorted({e["code"] for e in exc.errors})})
        raise
    return ImportResult(kind=kind, created=created)


# --- Export ----------------------------------------------------------------------------------


def _workbook(title: str, columns: tuple[str, ...], widths: dict[str, int], rows: Iterator[list]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for index, column in enumerate(columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = widths.get(column, 12)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for values in rows:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str):
                cell.number_format = "@"  # text: keeps ID numbers and phones from turning into numbers
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_children(*, actor) -> bytes:
    """The enrolled children in the actor's scope, in the import's columns. Identity-card numbers
    only where the actor holds org.child.view_sensitive. Four queries, whatever the size."""
    if not actor.has("org.roster.export"):
        raise PermissionDenied
    children = selectors.child_list(actor=actor).prefetch_related(
        Prefetch("guardians", queryset=Guardian.objects.active().order_by("-is_primary", "id"), to_attr="roster_guardians")
    )
    sensitive = set(
        policy.scoped(actor, "org.child.view_sensitive", selectors.child_list(actor=actor)).values_list("pk", flat=True)
    )
    children = list(children)

    def rows() -> Iterator[list]:
        for child in children:
            row = [child.name, SEX_LABELS.get(child.sex, ""), child.birth_date, child.school_class.name,
                   child.enrolled_on, child.id_number if child.pk in sensitive else ""]
            for guardian in child.roster_guardians[:2]:
                row += [guardian.name, RELATION_LABELS.get(guardian.relation, "其他"), guardian.phone]
            yield row

    content = _workbook("幼儿名册", CHILD_COLUMNS, {NAME: 10, BIRTH_DATE: 12, ENROLLED_ON: 12, ID_NUMBER: 21,
                                                  G1_PHONE: 14, G2_PHONE: 14}, rows())
    audit_event(action="org.roster.export", actor=actor.user, kindergarten=actor.kindergarten,
                detail={"kind": KIND_CHILDREN, "rows": len(children),
                        "id_numbers": sum(1 for c in children if c.pk in sensitive and c.id_number)})
    return content


def export_staff(*, actor) -> bytes:
    """The active staff memberships of the kindergarten, in the import's columns (one row per role)."""
    if not actor.has("org.roster.export"):
        raise PermissionDenied
    memberships = list(selectors.staff_list(actor=actor).filter(is_active=True))

    def rows() -> Iterator[list]:
        for m in memberships:
            labels = ROLE_LABELS.get(Role(m.role))
            yield [m.user.username, m.user.full_name, m.user.phone, labels[0] if labels else m.get_role_display(),
                   m.post, "、".join(sorted(c.name for c in m.classes.all()))]

    content = _workbook("教职工名册", STAFF_COLUMNS, {LOGIN: 14, PHONE: 14, CLASS: 20}, rows())
    audit_event(action="org.roster.export", actor=actor.user, kindergarten=actor.kindergarten,
                detail={"kind": KIND_STAFF, "rows": len(memberships)})
    return content

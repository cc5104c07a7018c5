"""Import and export of the fixed-asset register (.xlsx), the way kindergartens keep it today
(固定物品登记表: 名称, 类别, 存放地点, 班级, 数量, 单价, 购置日期, 供应商, 保管人, 备注).

All or nothing, like the roster import (houqin.org.roster, whose file checks, header detection and
value parsers this module reuses): the whole file is read and checked first; any bad row rejects
the whole file with every problem found (sheet, row, column, reason); only a clean file is written,
in one transaction.

Decisions:
- Required columns: 名称, 类别, 存放地点, 数量. Optional: 班级, 单价, 购置日期, 供应商, 保管人, 备注,
  and 编号 (label code), 园区 (campus), 单位 (unit), 状态 (state), which exports also write.
- 存放地点 names a room. A room not known yet is created on the campus of the row's class, or of the
  园区 column, or the only campus; a row whose campus cannot be told is an error. A row may leave
  存放地点 empty when it names a class.
- 数量 may carry its unit (“30把”); 单价 may carry ¥ or 元. Numbers have at most two decimals.
- An import only adds. A row that matches an asset already registered (same name, place, purchase
  date and unit price) or one already in the file is an error, so importing a file twice never
  creates duplicates. A label code (编号) already used in the kindergarten is an error too.
- 保管人 is a member of staff, by full name or login name.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from houqin.assets import selectors
from houqin.assets.models import Asset, AssetState, Category, Room
from houqin.assets.services import (
    MAX_PRICE,
    decimal_or_error,
    in_scope_place,
    lock_register,
    next_label_codes,
)
from houqin.core.audit import audit_event
from houqin.core.models import AuditEvent
from houqin.org.models import Campus, SchoolClass
from houqin.org.selectors import staff_users
from houqin.core.spreadsheets import (
    ImportRejected,
    ImportResult,
    BadValue,
    file_rejected,
    is_blank,
    match_key,
    load_table,
    parse_date,
    plain_text,
    Problems,
    read_upload,
    Row,
    Table,
    cell_text,
    build_workbook,
)
from houqin.org.roster import ClassDirectory

KIND = "assets"
CHANGE_REASON = "asset register import"

LABEL = "编号"
NAME = "名称"
CATEGORY = "类别"
CAMPUS = "园区"
PLACE = "存放地点"
CLASS = "班级"
QUANTITY = "数量"
UNIT = "单位"
PRICE = "单价"
PURCHASED = "购置日期"
SUPPLIER = "供应商"
CUSTODIAN = "保管人"
STATE = "状态"
NOTES = "备注"

COLUMNS = (LABEL, NAME, CATEGORY, CAMPUS, PLACE, CLASS, QUANTITY, UNIT, PRICE, PURCHASED, SUPPLIER, CUSTODIAN,
           STATE, NOTES)
OPTIONAL = frozenset({LABEL, CAMPUS, CLASS, UNIT, PRICE, PURCHASED, SUPPLIER, CUSTODIAN, STATE, NOTES})

# The first label of each category is the one exports write; the others are accepted on import.
CATEGORY_LABELS: dict[str, tuple[str, ...]] = {
    Category.FURNITURE: ("家具", "家俱", "桌椅"),
    Category.TEACHING: ("教玩具", "教具", "玩具", "教学设备", "教学用具", "图书"),
    Category.APPLIANCE: ("电器", "家电", "电器设备"),
    Category.KITCHEN: ("厨房设备", "厨具", "炊具", "炊事设备", "食堂设备"),
    Category.OUTDOOR: ("户外玩具", "户外大型玩具", "大型玩具", "户外设施", "户外器械", "体育器械"),
    Category.SECURITY: ("安防消防", "安防设备", "消防设备", "消防器材", "安保器材", "监控设备"),
    Category.IT: ("信息化设备", "电脑", "电脑设备", "电教设备", "办公设备", "网络设备"),
    Category.OTHER: ("其他", "其它"),
}
CATEGORY_BY_LABEL = {label: category for category, labels in CATEGORY_LABELS.items() for label in labels}
STATE_LABELS = {AssetState.IN_USE: "在用", AssetState.UNDER_REPAIR: "维修中", AssetState.SCRAPPED: "已报废"}
STATE_BY_LABEL = {"在用": AssetState.IN_USE, "正常": AssetState.IN_USE, "完好": AssetState.IN_USE,
                  "维修中": AssetState.UNDER_REPAIR, "维修": AssetState.UNDER_REPAIR, "待修": AssetState.UNDER_REPAIR,
                  "损坏": AssetState.UNDER_REPAIR}
_QUANTITY_WITH_UNIT = re.compile(r"^([0-9][0-9,]*(?:\.[0-9]+)?)\s*([^\d\s.,]{1,4})?$")
_MONEY_TEXT = re.compile(r"^[¥￥]?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*元?$")
_LABEL_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")


# --- values ----------------------------------------------------------------------------------


def _number(value, *, money: bool, column: str) -> tuple[Decimal | None, str]:
    """(number, unit written after it) of a quantity or price cell; raises BadValue."""
    if isinstance(value, bool):
        raise BadValue("invalid_number", _("Enter a number."))
    unit = ""
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        match = (_MONEY_TEXT if money else _QUANTITY_WITH_UNIT).match(text)
        if match is None:
            raise BadValue("invalid_number", _("Enter a number."))
        value = match.group(1)
        if not money:
            unit = match.group(2) or ""
    errors: list = []
    number = decimal_or_error(value, column, errors, maximum=MAX_PRICE if money else Decimal("99999999.99"),
                              positive=not money)
    if errors:
        code = "invalid_number"
        raise BadValue(code, errors[0]["message"])
    return number, unit


@dataclass
class _Plan:
    row: int
    label_code: str
    name: str
    category: str
    campus: Campus
    room: Room | None
    room_key: Any  # a room the import creates: (campus pk, name key), then its spec (dict)
    school_class: SchoolClass | None
    quantity: Decimal
    unit: str
    unit_price: Decimal | None
    purchase_date: dt.date | None
    supplier_name: str
    custodian: Any
    state: str
    notes: str


class _Places:
    """The kindergarten's campuses, rooms and classes, by name, for resolving 园区/存放地点/班级."""

    def __init__(self, actor):
        kindergarten = actor.kindergarten
        self.campuses = {match_key(c.name): c for c in Campus.objects.filter(kindergarten=kindergarten)}
        self.rooms: dict[tuple[int, str], Room] = {}
        self.rooms_by_name: dict[str, list[Room]] = {}
        for room in Room.objects.filter(kindergarten=kindergarten).select_related("campus", "school_class"):
            self.rooms[(room.campus_id, match_key(room.name))] = room
            self.rooms_by_name.setdefault(match_key(room.name), []).append(room)
        self.classes = ClassDirectory(SchoolClass.objects.filter(kindergarten=kindergarten, is_active=True)
                                       .select_related("campus"))
        self.new_rooms: dict[tuple[int, str], dict] = {}  # rooms this import creates

    def campus(self, name: str) -> Campus:
        found = self.campuses.get(match_key(name))
        if found is None:
            raise BadValue("unknown_campus", _("There is no campus named “%(name)s”.") % {"name": name})
        return found

    def only_campus(self) -> Campus | None:
        return next(iter(self.campuses.values())) if len(self.campuses) == 1 else None


def _plan_row(row: Row, table: Table, places: _Places, staff: dict, problems: Problems,
              today: dt.date) -> _Plan | None:
    n, v = row.number, row.values
    before = len(problems.items)

    def text(column: str, max_length: int, *, required: bool = False) -> str:
        value = cell_text(v.get(column))
        if required and not value:
            problems.add(n, column, "required", _("This value is required."))
        elif len(value) > max_length:
            problems.add(n, column, "too_long", _("At most %(max)s characters.") % {"max": max_length})
        return value

    name = text(NAME, Asset._meta.get_field("name").max_length, required=True)
    category_label = plain_text(v.get(CATEGORY))
    category = CATEGORY_BY_LABEL.get(category_label)
    if not category_label:
        problems.add(n, CATEGORY, "required", _("This value is required."))
    elif category is None:
        problems.add(n, CATEGORY, "invalid_category", _("Unknown category: write one of %(choices)s.")
                     % {"choices": "、".join(labels[0] for labels in CATEGORY_LABELS.values())})

    label_code = plain_text(v.get(LABEL)).upper()
    if label_code and not _LABEL_CODE.match(label_code):
        problems.add(n, LABEL, "invalid_label", _("A label code has at most 20 letters, digits and hyphens."))

    # where: campus, room, class
    campus = school_class = room = None
    room_key = None
    campus_name = cell_text(v.get(CAMPUS))
    if campus_name:
        try:
            campus = places.campus(campus_name)
        except BadValue as exc:
            problems.add(n, CAMPUS, exc.code, exc.message)
    class_name = cell_text(v.get(CLASS))
    if class_name:
        try:
            school_class = places.classes.find(class_name)
        except BadValue as exc:
            problems.add(n, CLASS, exc.code, exc.message)
    if school_class is not None and campus is not None and school_class.campus_id != campus.pk:
        problems.add(n, CLASS, "wrong_campus", _("This class is on another campus."))
    room_name = text(PLACE, Room._meta.get_field("name").max_length)
    if len(problems.items) == before:
        campus = campus or (school_class.campus if school_class is not None else None)
        if room_name:
            candidates = places.rooms_by_name.get(match_key(room_name), [])
            if campus is not None:
                candidates = [r for r in candidates if r.campus_id == campus.pk]
            if len(candidates) == 1:
                room = candidates[0]
                campus = room.campus
            elif len(candidates) > 1:
                problems.add(n, PLACE, "ambiguous_room",
                             _("Several campuses have a room named “%(name)s”: fill in the column %(column)s.")
                             % {"name": room_name, "column": CAMPUS})
            else:
                campus = campus or places.only_campus()
                if campus is None:
                    problems.add(n, PLACE, "unknown_room",
                                 _("There is no room named “%(name)s” yet: fill in %(campus)s or %(cls)s so that it "
                                   "can be created on the right campus.")
                                 % {"name": room_name, "campus": CAMPUS, "cls": CLASS})
                else:
                    room_key = (campus.pk, match_key(room_name))
                    planned = places.new_rooms.setdefault(
                        room_key, {"campus": campus, "name": room_name, "school_class": school_class, "row": n})
                    if school_class is not None and planned["school_class"] not in (None, school_class):
                        planned["school_class"] = None  # a room shared by classes belongs to none
            if room is not None and school_class is not None and room.school_class_id not in (None, school_class.pk):
                problems.add(n, CLASS, "wrong_class", _("The room belongs to another class: %(cls)s.")
                             % {"cls": room.school_class.name})
            if room is not None and school_class is None and room.school_class_id:
                school_class = room.school_class
        elif school_class is None:
            problems.add(n, PLACE, "required", _("Fill in %(place)s or %(cls)s.") % {"place": PLACE, "cls": CLASS})

    quantity = unit_price = None
    unit = text(UNIT, Asset._meta.get_field("unit").max_length)
    if is_blank(v.get(QUANTITY)):
        problems.add(n, QUANTITY, "required", _("This value is required."))
    else:
        try:
            quantity, written_unit = _number(v.get(QUANTITY), money=False, column=QUANTITY)
            if written_unit and not unit:
                unit = written_unit
        except BadValue as exc:
            problems.add(n, QUANTITY, exc.code, exc.message)
    if not is_blank(v.get(PRICE)):
        try:
            unit_price, _unit = _number(v.get(PRICE), money=True, column=PRICE)
        except BadValue as exc:
            problems.add(n, PRICE, exc.code, exc.message)
    purchase_date = None
    try:
        purchase_date = parse_date(v.get(PURCHASED), table.epoch)
    except BadValue as exc:
        problems.add(n, PURCHASED, exc.code, exc.message)
    if purchase_date is not None:
        if purchase_date > today:
            problems.add(n, PURCHASED, "invalid_date", _("The purchase date is in the future."))
        elif purchase_date.year < 1950:
            problems.add(n, PURCHASED, "invalid_date", _("The purchase date is too far in the past."))
    supplier_name = text(SUPPLIER, Asset._meta.get_field("supplier_name").max_length)
    notes = text(NOTES, Asset._meta.get_field("notes").max_length)
    custodian = None
    custodian_name = cell_text(v.get(CUSTODIAN))
    if custodian_name:
        found = staff.get(match_key(custodian_name), [])
        if not found:
            problems.add(n, CUSTODIAN, "unknown_custodian",
                         _("“%(name)s” is not a member of staff of this kindergarten.") % {"name": custodian_name})
        elif len(found) > 1:
            problems.add(n, CUSTODIAN, "ambiguous_custodian",
                         _("Several members of staff are called “%(name)s”: write the login name.")
                         % {"name": custodian_name})
        else:
            custodian = found[0]
    state = AssetState.IN_USE
    state_label = plain_text(v.get(STATE))
    if state_label:
        if state_label == STATE_LABELS[AssetState.SCRAPPED]:
            problems.add(n, STATE, "scrapped", _("Scrapped assets are not imported: remove this row."))
        elif state_label not in STATE_BY_LABEL:
            problems.add(n, STATE, "invalid_state", _("Unknown state: write 在用 or 维修中."))
        else:
            state = STATE_BY_LABEL[state_label]
    if len(problems.items) > before:
        return None
    return _Plan(n, label_code, name, category, campus, room, room_key, school_class, quantity, unit, unit_price,
                 purchase_date, supplier_name, custodian, state, notes)


def _duplicate_key(name: str, room_id, room_key, class_id, purchase_date, unit_price) -> tuple:
    return (match_key(name), room_id, room_key, class_id, purchase_date, unit_price)


def _plan(actor, table: Table) -> list[_Plan]:
    kindergarten = actor.kindergarten
    places = _Places(actor)
    staff: dict[str, list] = {}
    for user in staff_users(kindergarten):
        for label in {user.full_name, user.username} - {""}:
            staff.setdefault(match_key(label), [])
            if user not in staff[match_key(label)]:
                staff[match_key(label)].append(user)
    existing = {
        _duplicate_key(name, room_id, None, class_id, purchased, price)
        for name, room_id, class_id, purchased, price in Asset.objects.active()
        .filter(kindergarten=kindergarten).exclude(state=AssetState.SCRAPPED)
        .values_list("name", "room_id", "school_class_id", "purchase_date", "unit_price")
    }
    used_labels = set(Asset.objects.filter(kindergarten=kindergarten).values_list("label_code", flat=True))
    today = timezone.localdate()
    problems = Problems(table.sheet)
    plans: list[_Plan] = []
    seen: dict[tuple, int] = {}
    seen_labels: dict[str, int] = {}
    for row in table.rows:
        plan = _plan_row(row, table, places, staff, problems, today)
        if plan is None:
            continue
        if plan.label_code:
            if plan.label_code in used_labels:
                problems.add(row.number, LABEL, "label_exists", _("This label code is already used in the register."))
                continue
            if plan.label_code in seen_labels:
                problems.add(row.number, LABEL, "duplicate_in_file",
                             _("This label code is already in row %(row)s of this file.")
                             % {"row": seen_labels[plan.label_code]})
                continue
            seen_labels[plan.label_code] = row.number
        key = _duplicate_key(plan.name, plan.room.pk if plan.room else None, plan.room_key,
                             plan.school_class.pk if plan.school_class else None, plan.purchase_date, plan.unit_price)
        if key in existing:
            problems.add(row.number, NAME, "already_registered",
                         _("This asset (name, place, purchase date and price) is already in the register. The import "
                           "only adds new lines: remove this row or change the quantity on the asset's page."))
            continue
        if key in seen:
            problems.add(row.number, NAME, "duplicate_in_file",
                         _("The same asset (name, place, purchase date and price) is already in row %(row)s of this "
                           "file.") % {"row": seen[key]})
            continue
        seen[key] = row.number
        if not in_scope_place(actor, "assets.change", plan.campus.pk, plan.school_class.pk if plan.school_class else None):
            problems.add(row.number, PLACE, "out_of_scope", _("This place is outside your campus."))
            continue
        plans.append(plan)
    if problems:
        raise problems.reject()
    plans_rooms = places.new_rooms
    for plan in plans:
        if plan.room_key is not None:
            plan.room_key = plans_rooms[plan.room_key]  # resolved to the planned room's dict
    return plans


def _write(actor, plans: list[_Plan]) -> int:
    kindergarten = actor.kindergarten
    lock_register(kindergarten)
    new_rooms: dict[int, Room] = {}
    room_specs = {id(p.room_key): p.room_key for p in plans if p.room_key is not None}
    if room_specs:
        rooms = [Room(kindergarten=kindergarten, campus=spec["campus"], name=spec["name"],
                      school_class=spec["school_class"], created_by=actor.user) for spec in room_specs.values()]
        rooms = bulk_create_with_history(rooms, Room, default_user=actor.user, default_change_reason=CHANGE_REASON)
        new_rooms = dict(zip(room_specs, rooms, strict=True))
    codes = iter(next_label_codes(kindergarten, timezone.localdate().year, sum(1 for p in plans if not p.label_code)))
    now = timezone.now()
    assets = []
    for p in plans:
        room = p.room if p.room is not None else new_rooms.get(id(p.room_key))
        school_class = p.school_class
        if school_class is None and room is not None and room.school_class_id:
            school_class = room.school_class
        assets.append(Asset(
            kindergarten=kindergarten, label_code=p.label_code or next(codes), name=p.name, category=p.category,
            campus=p.campus, room=room, school_class=school_class, custodian=p.custodian, quantity=p.quantity,
            unit=p.unit, unit_price=p.unit_price, purchase_date=p.purchase_date, supplier_name=p.supplier_name,
            state=p.state, state_changed_at=now if p.state != AssetState.IN_USE else None,
            state_changed_by=actor.user if p.state != AssetState.IN_USE else None, notes=p.notes,
            created_by=actor.user,
        ))
    bulk_create_with_history(assets, Asset, batch_size=500, default_user=actor.user,
                             default_change_reason=CHANGE_REASON)
    return len(assets)


def import_register(*, actor, upload) -> ImportResult:
    """Import an asset register (.xlsx): all rows or none. Raises ImportRejected (422) listing every
    problem found; PermissionDenied without assets.import and assets.change."""
    if not actor.has("assets.import") or not actor.has("assets.change"):
        raise PermissionDenied
    rows = 0
    try:
        table = load_table(read_upload(upload), COLUMNS, OPTIONAL)
        rows = len(table.rows)
        try:
            with transaction.atomic():
                lock_register(actor.kindergarten)
                created = _write(actor, _plan(actor, table))
                audit_event(action="assets.import", actor=actor.user, kindergarten=actor.kindergarten,
                            detail={"kind": KIND, "rows": rows, "created": created})
        except IntegrityError as exc:
            raise file_rejected(
                "conflict", _("The records changed while the file was being imported: nothing was changed, try again.")
            ) from exc
    except ImportRejected as exc:
        audit_event(action="assets.import", actor=actor.user, kindergarten=actor.kindergarten,
                    outcome=AuditEvent.Outcome.FAILED,
                    detail={"kind": KIND, "rows": rows, "errors": len(exc.errors),
                            "codes": sorted({e["code"] for e in exc.errors})})
        raise
    return ImportResult(kind=KIND, created=created)


# --- export ----------------------------------------------------------------------------------


def export_register(*, actor) -> bytes:
    """The register as it stands (in use and under repair) in the actor's scope, in the import's
    columns: an export re-imports into another kindergarten (here: rejected as duplicates)."""
    if not actor.has("assets.export"):
        raise PermissionDenied
    assets = list(selectors.asset_list(actor=actor, capability="assets.export"))

    def rows():
        for a in assets:
            yield [a.label_code, a.name, CATEGORY_LABELS[a.category][0], a.campus.name, a.room.name if a.room else "",
                   a.school_class.name if a.school_class else "", a.quantity, a.unit,
                   a.unit_price if a.unit_price is not None else None, a.purchase_date, a.supplier_name,
                   a.custodian.display_name if a.custodian else "", STATE_LABELS[a.state], a.notes]

    content = build_workbook("固定物品登记表", COLUMNS,
                        {LABEL: 14, NAME: 16, PLACE: 14, PURCHASED: 12, SUPPLIER: 20, NOTES: 24}, rows())
    audit_event(action="assets.export", actor=actor.user, kindergarten=actor.kindergarten,
                detail={"kind": KIND, "rows": len(assets)})
    return content


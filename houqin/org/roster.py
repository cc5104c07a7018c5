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
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from houqin import policy
from houqin.core.audit import audit_event
from houqin.core.spreadsheets import (
    ImportRejected,
    ImportResult,
    BadValue,
    Problems,
    Row,
    SCIENTIFIC,
    Table,
    file_rejected,
    is_blank,
    match_key,
    load_table,
    max_length,
    parse_date,
    plain_text,
    read_upload,
    cell_text,
    build_workbook,
)
from houqin.core.models import AuditEvent
from houqin.org import selectors
from houqin.org.models import Child, Guardian, Kindergarten, Membership, Relation, Role, SchoolClass, Sex
from houqin.org.services import validate_child_dates
from houqin.org.validators import id_number_checksum_ok, normalize_phone, validate_id_number, validate_phone

KIND_CHILDREN = "children"
KIND_STAFF = "staff"
KINDS = (KIND_CHILDREN, KIND_STAFF)

# A workbook that expands beyond this when unzipped is refused before openpyxl parses it.
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


# --- Results and errors ----------------------------------------------------------------------


# --- Reading the upload ----------------------------------------------------------------------


# --- Finding the table -----------------------------------------------------------------------


# --- Values ----------------------------------------------------------------------------------


def _parse_phone(value) -> str:
    phone = normalize_phone(cell_text(value))
    try:
        validate_phone(phone)
    except ValidationError as exc:
        raise BadValue("invalid_phone", exc.messages[0]) from exc
    return phone


def _parse_id_number(value) -> str:
    as_number = BadValue(
        "id_number_as_number",
        _("The identity card number was stored as a number and has lost its last digits: "
          "format the column as text and type the number again."),
    )
    if is_blank(value):
        return ""
    if isinstance(value, float):
        raise as_number
    if isinstance(value, int):
        if not id_number_checksum_ok(str(value)):  # Excel keeps 15 digits: the last ones became 0
            raise as_number
        return str(value)
    text = plain_text(value).upper()
    if SCIENTIFIC.match(text):
        raise as_number
    try:
        validate_id_number(text)
    except ValidationError as exc:
        raise BadValue("invalid_id_number", exc.messages[0]) from exc
    return text


class ClassDirectory:
    """The active classes an import may use, by name. Two active classes with one name (e.g. of
    two school years) make that name ambiguous."""

    def __init__(self, classes: Iterable[SchoolClass]):
        self._by_name: dict[str, list[SchoolClass]] = defaultdict(list)
        for school_class in classes:
            self._by_name[match_key(school_class.name)].append(school_class)

    def find(self, name: str) -> SchoolClass:
        found = self._by_name.get(match_key(name), [])
        if not found:
            raise BadValue(
                "unknown_class", _("There is no active class named “%(name)s” in this kindergarten.") % {"name": name}
            )
        if len(found) > 1:
            raise BadValue(
                "ambiguous_class",
                _("Several active classes are named “%(name)s”: rename one of them first.") % {"name": name},
            )
        return found[0]


def _model_field_errors(instance, exclude: list[str], columns: dict[str, str], problems: Problems, row: int) -> None:
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


def _child_row(row: Row, table: Table, classes: ClassDirectory, problems: Problems,
               today: dt.date) -> _ChildPlan | None:
    """Check one row; report its problems and return the child to create when it has none."""
    n, v = row.number, row.values
    before = len(problems.items)

    def required_text(column: str, max_length: int) -> str:
        text = cell_text(v.get(column))
        if not text:
            problems.add(n, column, "required", _("This value is required."))
        elif len(text) > max_length:
            problems.add(n, column, "too_long", _("At most %(max)s characters.") % {"max": max_length})
        return text

    def parsed(column: str, parse, *args):
        try:
            return parse(v.get(column), *args)
        except BadValue as exc:
            problems.add(n, column, exc.code, exc.message)
            return None

    name = required_text(NAME, max_length(Child, "name"))
    sex_label = plain_text(v.get(SEX))
    sex = SEX_BY_LABEL.get(sex_label)
    if not sex_label:
        problems.add(n, SEX, "required", _("This value is required."))
    elif sex is None:
        problems.add(n, SEX, "invalid_sex", _("Write 男 or 女."))
    birth_date = parsed(BIRTH_DATE, parse_date, table.epoch)
    if birth_date is None and is_blank(v.get(BIRTH_DATE)):
        problems.add(n, BIRTH_DATE, "required", _("This value is required."))
    enrolled_on = parsed(ENROLLED_ON, parse_date, table.epoch)
    if enrolled_on is None and is_blank(v.get(ENROLLED_ON)):
        enrolled_on = today  # as services.child_create: enrolled today unless told otherwise
    class_name = cell_text(v.get(CLASS))
    school_class = None
    if not class_name:
        problems.add(n, CLASS, "required", _("This value is required."))
    else:
        try:
            school_class = classes.find(class_name)
        except BadValue as exc:
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
        if index > 0 and all(is_blank(c) for c in cells):
            continue  # the second guardian is optional, but all or none of their cells
        g_name = required_text(name_column, max_length(Guardian, "name"))
        relation_label = plain_text(v.get(relation_column))
        relation = RELATION_BY_LABEL.get(relation_label)
        if not relation_label:
            problems.add(n, relation_column, "required", _("This value is required."))
        elif relation is None:
            problems.add(n, relation_column, "invalid_relation", _("Unknown relation: write one of %(choices)s.")
                         % {"choices": "、".join(RELATION_LABELS.values())})
        phone = None
        if is_blank(v.get(phone_column)):
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


def _identity(row: Row, table: Table) -> tuple[str, dt.date] | None:
    """Name and date of birth, which identify a child within a kindergarten (None if unreadable)."""
    name = cell_text(row.values.get(NAME))
    try:
        birth_date = parse_date(row.values.get(BIRTH_DATE), table.epoch)
    except BadValue:
        return None
    return (match_key(name), birth_date) if name and birth_date else None


def _plan_children(actor, table: Table) -> list[_ChildPlan]:
    """Every child of the table, checked; raises ImportRejected listing all problems."""
    classes = ClassDirectory(
        policy.scoped(actor, "org.child.create", SchoolClass.objects.filter(is_active=True))
    )
    enrolled = {
        (match_key(name), birth_date)
        for name, birth_date in Child.objects.active()
        .filter(kindergarten=actor.kindergarten, left_on__isnull=True)
        .values_list("name", "birth_date")
    }
    today = timezone.localdate()
    problems = Problems(table.sheet)
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


def _plan_staff(actor, table: Table) -> list[_StaffPlan]:
    """Every staff row, checked with the rules of services.staff_add; raises ImportRejected."""
    User = get_user_model()
    kindergarten = actor.kindergarten
    classes = ClassDirectory(SchoolClass.objects.filter(kindergarten=kindergarten, is_active=True))
    usernames = {User.normalize_username(cell_text(r.values.get(LOGIN))) for r in table.rows}
    existing_users = {u.username: u for u in User.objects.filter(username__in=usernames - {""})}
    # Logins that belong to this kindergarten may get a role by name (services.staff_add's rule);
    # any other existing login is "taken".
    own_users = set(Membership.objects.filter(kindergarten=kindergarten, user__in=list(existing_users.values()))
                    .values_list("user__username", flat=True))
    held_roles = set(
        Membership.objects.filter(kindergarten=kindergarten, user__username__in=list(existing_users))
        .values_list("user__username", "role")
    )
    problems = Problems(table.sheet)
    plans: list[_StaffPlan] = []
    seen: dict[str, int] = {}
    role_choices = "、".join(labels[0] for labels in ROLE_LABELS.values())
    for row in table.rows:
        n, v = row.number, row.values
        before = len(problems.items)
        username = User.normalize_username(cell_text(v.get(LOGIN)))
        full_name = cell_text(v.get(NAME))
        phone_raw = v.get(PHONE)
        role_label = plain_text(v.get(ROLE))
        post = cell_text(v.get(POST))
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
        if len(post) > max_length(Membership, "post"):
            problems.add(n, POST, "too_long", _("At most %(max)s characters.") % {"max": max_length(Membership, "post")})
        school_classes: list[SchoolClass] = []
        for class_name in (c for c in CLASS_SEPARATORS.split(cell_text(v.get(CLASS))) if c):
            try:
                school_classes.append(classes.find(class_name))
            except BadValue as exc:
                problems.add(n, CLASS, exc.code, exc.message)

        user = existing_users.get(username)
        phone = ""
        if user is not None:
            # staff_add reuses an existing login; the name guards against giving a role to a stranger.
            if username not in own_users or (full_name and full_name != user.full_name):
                problems.add(n, LOGIN, "login_taken",
                             _("This login name belongs to someone else: choose another one."))
            elif role is not None and (username, role.value) in held_roles:
                problems.add(n, ROLE, "role_exists", _("This person already has this role here."))
        elif username:
            if not full_name:
                problems.add(n, NAME, "required", _("Enter a name."))
            if is_blank(phone_raw):
                problems.add(n, PHONE, "required", _("This value is required."))
            else:
                try:
                    phone = _parse_phone(phone_raw)
                except BadValue as exc:
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
        raise file_rejected("invalid_kind", _("Choose the roster to import: children or staff."))
    if not actor.has(_CAPABILITY[kind]):
        raise PermissionDenied
    columns, optional, plan, write = _PLANNERS[kind]
    rows = 0
    try:
        table = load_table(read_upload(upload), columns, optional)
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
            raise file_rejected(
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


def export_children(*, actor) -> bytes:
    """The enrolled children in the actor's scope, in the import's columns. Identity-card numbers
    only where the actor holds org.child.view_sensitive. Four queries, whatever the size."""
    if not actor.has("org.roster.export"):
        raise PermissionDenied
    children = selectors.child_list(actor=actor).prefetch_related(
        Prefetch("guardians", queryset=Guardian.objects.active().order_by("-is_primary", "id"), to_attr="roster_guardians")
    )
    sensitive = selectors.sensitive_child_ids(actor=actor, children=selectors.child_list(actor=actor))
    children = list(children)

    def rows() -> Iterator[list]:
        # The field policy of the pages: identity-card numbers left out and guardians' phones masked
        # for the children whose sensitive fields the actor may not read.
        for child in children:
            row = [child.name, SEX_LABELS.get(child.sex, ""), child.birth_date, child.school_class.name,
                   child.enrolled_on, child.id_number if child.pk in sensitive else ""]
            for guardian in child.roster_guardians[:2]:
                row += [guardian.name, RELATION_LABELS.get(guardian.relation, "其他"),
                        selectors.shown_phone(guardian.phone, sensitive=child.pk in sensitive)]
            yield row

    content = build_workbook("幼儿名册", CHILD_COLUMNS, {NAME: 10, BIRTH_DATE: 12, ENROLLED_ON: 12, ID_NUMBER: 21,
                                                  G1_PHONE: 14, G2_PHONE: 14}, rows())
    audit_event(action="org.roster.export", actor=actor.user, kindergarten=actor.kindergarten,
                detail={"kind": KIND_CHILDREN, "rows": len(children),
                        "id_numbers": sum(1 for c in children if c.pk in sensitive and c.id_number),
                        "phones": sum(len(c.roster_guardians[:2]) for c in children if c.pk in sensitive)})
    return content


def export_staff(*, actor) -> bytes:
    """The active staff memberships of the kindergarten, in the import's columns (one row per role)."""
    if not actor.has("org.roster.export"):
        raise PermissionDenied
    memberships = list(selectors.staff_list(actor=actor).filter(is_active=True))

    def rows() -> Iterator[list]:
        for m in memberships:
            labels = ROLE_LABELS.get(Role(m.role))
            yield [m.user.username, m.user.full_name, selectors.shown_staff_phone(actor, m.user.phone), labels[0] if labels else m.get_role_display(),
                   m.post, "、".join(sorted(c.name for c in m.classes.all()))]

    content = build_workbook("教职工名册", STAFF_COLUMNS, {LOGIN: 14, PHONE: 14, CLASS: 20}, rows())
    audit_event(action="org.roster.export", actor=actor.user, kindergarten=actor.kindergarten,
                detail={"kind": KIND_STAFF, "rows": len(memberships)})
    return content

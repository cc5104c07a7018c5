"""Roster import and export (.xlsx): good files, round trips, and malformed files that change nothing.

Every file is generated here with openpyxl; no binary fixtures.
"""

import datetime as dt
import io
import re
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from houqin.core.models import AuditEvent
from houqin.org import roster
from houqin.org.models import Child, Guardian, Membership, Relation, Role, SchoolClass, Sex
from houqin.policy import actor_for_kindergarten

User = get_user_model()

CHILD_HEADER = ["姓名", "性别", "出生日期", "班级", "入园日期", "身份证号",
                "监护人1姓名", "监护人1关系", "监护人1电话", "监护人2姓名", "监护人2关系", "监护人2电话"]
STAFF_HEADER = ["登录名", "姓名", "手机号", "角色", "岗位", "班级"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(birth: str, seq: str = "001") -> str:
    """A valid 18-character identity card number for a Beijing (110101) birth date YYYYMMDD."""
    body = f"110101{birth}{seq}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def child_row(name="李小明", sex="男", birth="2022-03-05", school_class="小一班", enrolled="2025-09-01", id_no="",
              g1=("李大明", "父亲", "13800138000"), g2=("", "", "")):
    return [name, sex, birth, school_class, enrolled, id_no, *g1, *g2]


def xlsx(rows, *, header=CHILD_HEADER, title=None, sheet="幼儿名册") -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    if title:
        ws.append([title])
    if header:
        ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name="名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def counts():
    return {
        "children": Child.objects.count(),
        "guardians": Guardian.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "child_history": Child.history.count(),
    }


@pytest.fixture(autouse=True)
def _english():
    """Assert on the English msgids, whatever the catalogue later says in Chinese."""
    with translation.override("en"):
        yield


@pytest.fixture
def principal(world):
    return actor_for_kindergarten(world.k1.users[Role.PRINCIPAL], world.k1.kg)


def rejected(actor, data, kind="children", name="名册.xlsx") -> roster.ImportRejected:
    """Import `data`, expecting a rejection that changes nothing and is audited as failed."""
    before = counts()
    failed_before = AuditEvent.objects.filter(action="org.roster.import", outcome="failed").count()
    with pytest.raises(roster.ImportRejected) as info:
        roster.import_roster(actor=actor, kind=kind, upload=upload(data, name))
    assert counts() == before
    assert AuditEvent.objects.filter(action="org.roster.import", outcome="failed").count() == failed_before + 1
    for error in info.value.errors:
        assert set(error) == {"sheet", "row", "column", "code", "message"}
    return info.value


def only_error(exc: roster.ImportRejected) -> dict:
    assert len(exc.errors) == 1, exc.errors
    return exc.errors[0]


# --- Good files -------------------------------------------------------------------------------


def test_good_children_file_imports_with_guardians_and_history(world, principal):
    k1 = world.k1
    before = counts()
    data = xlsx(
        [
            child_row(id_no=id_number("20220305"), g2=("王丽", "母亲", "139 1234 5678")),
            child_row(name="张小红", sex="女", birth="2021/9/1", school_class="大一班", enrolled="2024.9.1",
                      g1=("张奶奶", "奶奶", "+86 13700137000")),
        ],
        title="阳光幼儿园 2026 年秋季幼儿名册",
    )
    result = roster.import_roster(actor=principal, kind="children", upload=upload(data))

    assert result.as_dict() == {"kind": "children", "created": 2, "updated": 0}
    after = counts()
    assert after["children"] == before["children"] + 2
    assert after["guardians"] == before["guardians"] + 3
    assert after["child_history"] == before["child_history"] + 2
    li = Child.objects.get(name="李小明")
    assert (li.kindergarten, li.school_class.name, li.sex) == (k1.kg, "小一班", Sex.MALE)
    assert (li.birth_date, li.enrolled_on, li.id_number) == (dt.date(2022, 3, 5), dt.date(2025, 9, 1), id_number("20220305"))
    assert li.created_by == principal.user
    guardians = list(li.guardians.order_by("-is_primary", "id"))
    assert [(g.name, g.relation, g.phone, g.is_primary) for g in guardians] == [
        ("李大明", Relation.FATHER, "13800138000", True), ("王丽", Relation.MOTHER, "13912345678", False)
    ]
    assert all(g.kindergarten == k1.kg for g in guardians)
    assert li.history.get().history_user == principal.user
    assert Guardian.history.filter(child_id=li.pk).count() == 2
    zhang = Child.objects.get(name="张小红")
    assert (zhang.birth_date, zhang.enrolled_on, zhang.school_class.name) == (dt.date(2021, 9, 1), dt.date(2024, 9, 1), "大一班")
    assert zhang.guardians.get().relation == Relation.PATERNAL_GRANDMOTHER
    event = AuditEvent.objects.get(action="org.roster.import", outcome="success")
    assert event.detail == {"kind": "children", "rows": 2, "created": 2, "updated": 0}
    assert "李" not in str(event.detail)  # counts only, no personal data


def test_dates_in_every_form_kindergartens_type_them(world, principal):
    forms = [dt.datetime(2021, 3, 5), 44260, 20210305, "2021-03-05", "2021/3/5", "2021.3.5", "2021年3月5日",
             "２０２１－０３－０５", " 2021-3-5 "]
    rows = [child_row(name=f"孩子{i}", birth=value, enrolled=dt.date(2024, 9, 1)) for i, value in enumerate(forms)]
    result = roster.import_roster(actor=principal, kind="children", upload=upload(xlsx(rows)))
    assert result.created == len(forms)
    assert set(Child.objects.filter(name__startswith="孩子").values_list("birth_date", flat=True)) == {dt.date(2021, 3, 5)}


def test_header_with_spaces_extra_columns_and_empty_enrolment_date(world, principal):
    header = [" 姓 名", "性别", "出生\u3000日期", "备注", "班级", "入园日期", "监护人１姓名", "监护人1关系", "监护人1电话"]
    data = xlsx([["陈小", "女", "2022-01-02", "过敏：花生", "中一班", None, "陈爸", "爸爸", "13800138000"],
                 [None, None, None, None, None, None, None, None, None]], header=header)
    assert roster.import_roster(actor=principal, kind="children", upload=upload(data)).created == 1
    child = Child.objects.get(name="陈小")
    assert child.enrolled_on == timezone.localdate()  # as child_create: enrolled today by default
    assert child.id_number == "" and child.notes == ""


def test_good_staff_file_imports(world, principal):
    k1 = world.k1
    before = counts()
    data = xlsx(
        [["zhaoli", "赵丽", "13800001111", "保育员", "保育老师", "小一班、中一班"],
         ["qianwei", "钱伟", "13800002222", "保安", "", ""],
         ["teacher", "teacher", "", "保育员", "", "大一班"]],  # an existing login gets a second role
        header=STAFF_HEADER, title="教职工名册", sheet="教职工",
    )
    result = roster.import_roster(actor=principal, kind="staff", upload=upload(data))

    assert result.as_dict() == {"kind": "staff", "created": 3, "updated": 0}
    after = counts()
    assert after["users"] == before["users"] + 2
    assert after["memberships"] == before["memberships"] + 3
    zhao = User.objects.get(username="zhaoli")
    assert (zhao.full_name, zhao.phone, zhao.has_usable_password()) == ("赵丽", "13800001111", False)
    membership = zhao.memberships.get()
    assert (membership.kindergarten, membership.role, membership.post) == (k1.kg, Role.NURSERY, "保育老师")
    assert sorted(c.name for c in membership.classes.all()) == ["中一班", "小一班"]
    assert User.objects.get(username="qianwei").memberships.get().role == Role.GUARD
    teacher = k1.users[Role.CLASS_TEACHER]
    assert set(teacher.memberships.values_list("role", flat=True)) == {Role.CLASS_TEACHER, Role.NURSERY}
    assert AuditEvent.objects.filter(action="org.staff.add").count() == 3


def test_staff_import_needs_staff_change(world):
    director = actor_for_kindergarten(world.k1.users[Role.DIRECTOR], world.k1.kg)
    data = xlsx([["zhaoli", "赵丽", "13800001111", "保育员", "", ""]], header=STAFF_HEADER)
    with pytest.raises(PermissionDenied):
        roster.import_roster(actor=director, kind="staff", upload=upload(data))
    assert not User.objects.filter(username="zhaoli").exists()


# --- Export and round trips -------------------------------------------------------------------


def _sheet_rows(content: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    rows = [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    return rows


def test_export_reimport_is_rejected_as_duplicates_and_changes_nothing(world, principal):
    roster.import_roster(actor=principal, kind="children", upload=upload(xlsx([
        child_row(id_no=id_number("20220305"), g2=("王丽", "母亲", "13912345678"))])))
    content = roster.export_children(actor=principal)
    rows = _sheet_rows(content)
    assert list(rows[0]) == CHILD_HEADER
    enrolled = Child.objects.filter(kindergarten=world.k1.kg, left_on__isnull=True, voided_at__isnull=True).count()
    assert len(rows) - 1 == enrolled

    exc = rejected(principal, content)
    assert len(exc.errors) == enrolled
    assert {e["code"] for e in exc.errors} == {"already_enrolled"}
    assert {e["column"] for e in exc.errors} == {"姓名"}
    assert "already enrolled" in exc.errors[0]["message"]


def test_export_imports_into_another_kindergarten_with_the_same_data(world, principal):
    k2 = world.k2
    roster.import_roster(actor=principal, kind="children", upload=upload(xlsx([
        child_row(id_no=id_number("20220305"), g2=("王丽", "母亲", "13912345678")),
        child_row(name="周小", sex="女", birth="2021-11-30", school_class="中一班", g1=("周妈", "母亲", "13700137000")),
    ])))
    exported = load_workbook(io.BytesIO(roster.export_children(actor=principal)))
    sheet = exported.active
    for row in list(sheet.iter_rows(min_row=2)):
        if row[0].value not in ("李小明", "周小"):
            sheet.delete_rows(row[0].row)
    buffer = io.BytesIO()
    exported.save(buffer)

    k2_principal = actor_for_kindergarten(k2.users[Role.PRINCIPAL], k2.kg)
    assert roster.import_roster(actor=k2_principal, kind="children", upload=upload(buffer.getvalue())).created == 2

    def snapshot(kindergarten):
        return sorted(
            (c.name, c.sex, c.birth_date, c.school_class.name, c.enrolled_on, c.id_number,
             tuple((g.name, g.relation, g.phone, g.is_primary) for g in c.guardians.order_by("-is_primary", "id")))
            for c in Child.objects.filter(kindergarten=kindergarten, name__in=["李小明", "周小"])
        )

    assert snapshot(k2.kg) == snapshot(world.k1.kg)


def test_export_writes_id_numbers_only_with_view_sensitive(world, principal):
    roster.import_roster(actor=principal, kind="children", upload=upload(xlsx([child_row(id_no=id_number("20220305"))])))
    director = actor_for_kindergarten(world.k1.users[Role.DIRECTOR], world.k1.kg)

    def id_of_li(actor):
        rows = _sheet_rows(roster.export_children(actor=actor))
        return next(r for r in rows if r[0] == "李小明")[CHILD_HEADER.index("身份证号")]

    assert id_of_li(principal) == id_number("20220305")
    assert id_of_li(director) in (None, "")
    events = AuditEvent.objects.filter(action="org.roster.export")
    assert events.count() == 2
    assert sorted(e.detail["id_numbers"] for e in events) == [0, 1]


def test_export_masks_guardians_phones_exactly_where_the_pages_do(world, principal, login):
    """Issue 12, leak 3: the director's roster export had every guardian's full phone while the same
    director sees them masked on every page."""
    roster.import_roster(actor=principal, kind="children", upload=upload(xlsx([
        child_row(g1=("李大明", "父亲", "13800138000"), g2=("王丽", "母亲", "13912345678"))])))
    child = Child.objects.get(kindergarten=world.k1.kg, name="李小明")
    phone_columns = [CHILD_HEADER.index("监护人1电话"), CHILD_HEADER.index("监护人2电话")]
    for role, full in ((Role.PRINCIPAL, True), (Role.DIRECTOR, False)):
        user = world.k1.users[role]
        client = login(user)
        page = client.get(f"/k/k1/children/{child.code}/").content.decode()
        api = client.get(f"/api/k/k1/children/{child.code}").json()
        for export in (client.get("/k/k1/roster/children.xlsx"), client.get("/api/k/k1/roster/children.xlsx")):
            assert export.status_code == 200
            row = next(r for r in _sheet_rows(export.content) if r[0] == "李小明")
            phones = [str(row[i]) for i in phone_columns]
            shown = ["13800138000", "13912345678"] if full else ["138****8000", "139****5678"]
            assert phones == shown
            assert all(p in page for p in shown) and sorted(g["phone"] for g in api["guardians"]) == shown
        assert ("13800138000" in page) is full


def test_staff_export_masks_staff_phones_for_those_who_do_not_manage_staff(world, principal):
    world.k1.users[Role.GUARD].phone = "13600136000"
    world.k1.users[Role.GUARD].save()
    director = actor_for_kindergarten(world.k1.users[Role.DIRECTOR], world.k1.kg)

    def guard_phone(actor):
        return next(r for r in _sheet_rows(roster.export_staff(actor=actor)) if r[0] == "guard")[2]

    assert guard_phone(principal) == "13600136000"
    assert guard_phone(director) == "136****6000"


def test_export_children_query_count_does_not_grow(world, principal, django_assert_max_num_queries):
    rows = [child_row(name=f"孩子{i}", g2=("王丽", "母亲", "13912345678")) for i in range(30)]
    roster.import_roster(actor=principal, kind="children", upload=upload(xlsx(rows)))
    with django_assert_max_num_queries(5):
        content = roster.export_children(actor=principal)
    assert len(_sheet_rows(content)) == 1 + 30 + len(world.k1.children)


def test_staff_export_reimport_is_rejected(world, principal):
    content = roster.export_staff(actor=principal)
    rows = _sheet_rows(content)
    assert list(rows[0]) == STAFF_HEADER
    teacher_row = next(r for r in rows if r[0] == "teacher")
    assert teacher_row[3] == "班主任" and teacher_row[5] == "小一班"
    exc = rejected(principal, content, kind="staff")
    assert {e["code"] for e in exc.errors} == {"role_exists"}
    assert len(exc.errors) == len(rows) - 1


# --- Malformed children files: each names the row, the column and the reason; nothing changes --


def future(days=30) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


MALFORMED_ROWS = {
    "text in a date column": ([child_row(birth="明年春天")], 2, "出生日期", "invalid_date", "Not a date"),
    "a date that does not exist": ([child_row(birth="2022-02-30")], 2, "出生日期", "invalid_date", "does not exist"),
    "birth in the future": ([child_row(birth=future(), enrolled=future(60))], 2, "出生日期", "invalid_date", "in the future"),
    "enrolment before birth": ([child_row(enrolled="2021-09-01")], 2, "入园日期", "invalid_date", "before the date of birth"),
    "over seven": ([child_row(birth="2015-01-01")], 2, "出生日期", "invalid_date", "over seven"),
    "unknown class": ([child_row(school_class="小九班")], 2, "班级", "unknown_class", "小九班"),
    "sex not 男/女": ([child_row(sex="M")], 2, "性别", "invalid_sex", "男"),
    "bad phone": ([child_row(g1=("李大明", "父亲", "1380013800"))], 2, "监护人1电话", "invalid_phone", "11 digits"),
    "bad relation": ([child_row(g1=("李大明", "舅舅", "13800138000"))], 2, "监护人1关系", "invalid_relation", "父亲"),
    "half a second guardian": ([child_row(g2=("王丽", "", "13912345678"))], 2, "监护人2关系", "required", "required"),
    "bad ID number check digit": ([child_row(id_no="110101202203050010")], 2, "身份证号", "invalid_id_number", "check digit"),
    "ID number as a float": ([child_row(id_no=1.10101202203050e17)], 2, "身份证号", "id_number_as_number", "format the column as text"),
    "ID number as scientific text": ([child_row(id_no="1.10101E+17")], 2, "身份证号", "id_number_as_number", "text"),
    "duplicate child in the file": ([child_row(), child_row(sex="女")], 3, "姓名", "duplicate_in_file", "row 2"),
    "child already enrolled": ([child_row(name="小一班幼儿1", birth="2022-05-01")], 2, "姓名", "already_enrolled", "already enrolled"),
    "missing name": ([child_row(name="  ")], 2, "姓名", "required", "required"),
}


@pytest.mark.parametrize("case", list(MALFORMED_ROWS))
def test_malformed_row_is_rejected_naming_row_and_column(world, principal, case):
    rows, row, column, code, text = MALFORMED_ROWS[case]
    exc = rejected(principal, xlsx(rows))
    error = only_error(exc)
    assert (error["row"], error["column"], error["code"], error["sheet"]) == (row, column, code, "幼儿名册")
    assert text in error["message"]
    assert "Nothing has been changed" in exc.message


def test_missing_column(world, principal):
    header = [c for c in CHILD_HEADER if c != "出生日期"]
    rows = [[v for c, v in zip(CHILD_HEADER, child_row(), strict=True) if c != "出生日期"]]
    error = only_error(rejected(principal, xlsx(rows, header=header)))
    assert (error["column"], error["code"], error["row"]) == ("出生日期", "missing_column", 1)
    assert error["message"] == "Missing column: 出生日期"


def test_renamed_column_after_a_title_row(world, principal):
    header = ["出生年月" if c == "出生日期" else c for c in CHILD_HEADER]
    exc = rejected(principal, xlsx([child_row()], header=header, title="幼儿名册（2026 秋）"))
    error = only_error(exc)
    assert (error["column"], error["code"], error["row"]) == ("出生日期", "missing_column", 2)
    assert "出生日期" in exc.message


def test_no_header_at_all(world, principal):
    error = only_error(rejected(principal, xlsx([["a", "b"], [1, 2]], header=None)))
    assert error["code"] == "no_header" and "姓名" in error["message"]


def test_empty_file(world, principal):
    error = only_error(rejected(principal, b""))
    assert error["code"] == "no_data" and "no data" in error["message"]


def test_header_only_sheet(world, principal):
    assert only_error(rejected(principal, xlsx([], title="幼儿名册")))["code"] == "no_data"


def test_workbook_with_an_empty_sheet(world, principal):
    assert only_error(rejected(principal, xlsx([], header=None)))["code"] == "no_data"


def test_csv_in_gbk_is_not_an_xlsx(world, principal):
    csv = ",".join(CHILD_HEADER).encode("gbk") + b"\r\n" + ",".join(str(v) for v in child_row()).encode("gbk")
    error = only_error(rejected(principal, csv, name="名册.csv"))
    assert error["code"] == "not_xlsx" and ".xlsx" in error["message"]


def test_xls_is_not_an_xlsx(world, principal):
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000
    assert only_error(rejected(principal, ole2, name="名册.xls"))["code"] == "not_xlsx"


def test_other_zip_is_not_an_xlsx(world, principal):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert only_error(rejected(principal, buffer.getvalue(), name="名册.zip"))["code"] == "not_xlsx"


def _with_member(data: bytes, name: str, content: bytes, replace: str | None = None) -> bytes:
    """The xlsx `data` with one more zip member (or one member's content replaced)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = content if info.filename == replace else source.read(info.filename)
            target.writestr(info.filename, body)
        if replace is None:
            target.writestr(name, content)
    return out.getvalue()


def test_xlsm_with_macros_is_refused(world, principal):
    data = _with_member(xlsx([child_row()]), "xl/vbaProject.bin", b"\x00" * 100)
    error = only_error(rejected(principal, data, name="名册.xlsm"))
    assert error["code"] == "not_xlsx" and "macros" in error["message"]


def test_zip_bomb_is_refused_before_parsing(world, principal):
    data = xlsx([child_row()])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    head, tail = sheet_xml.split(b"<sheetData>", 1)
    bomb = head + b"<sheetData>" + b" " * (60 * 1024 * 1024) + tail  # 60 MB of blanks: a few KB zipped
    data = _with_member(data, "", bomb, replace="xl/worksheets/sheet1.xml")
    assert len(data) < 1024 * 1024
    error = only_error(rejected(principal, data))
    assert error["code"] == "zip_bomb" and "50" in error["message"]


def test_broken_sheet_xml_is_unreadable_not_a_crash(world, principal):
    data = _with_member(xlsx([child_row()]), "", b"<worksheet><sheetData><row r=", replace="xl/worksheets/sheet1.xml")
    assert only_error(rejected(principal, data))["code"] == "unreadable"


def test_xml_entities_are_refused(world, principal):
    data = xlsx([child_row()])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    laughs = '<!DOCTYPE w [<!ENTITY a "哈哈哈哈哈哈哈哈"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    name = re.search(r"<t>(李小明|&#26446;&#23567;&#26126;)</t>", sheet_xml)  # openpyxl with lxml writes char refs
    assert name is not None
    sheet_xml = laughs + sheet_xml.replace(name[0], "<t>&b;</t>", 1)
    data = _with_member(data, "", sheet_xml.encode(), replace="xl/worksheets/sheet1.xml")
    assert only_error(rejected(principal, data))["code"] == "unreadable"


def test_too_many_rows(world, principal, settings):
    settings.HOUQIN_IMPORT_MAX_ROWS = 3
    rows = [child_row(name=f"孩子{i}") for i in range(4)]
    error = only_error(rejected(principal, xlsx(rows)))
    assert error["code"] == "too_many_rows" and "3" in error["message"]
    settings.HOUQIN_IMPORT_MAX_ROWS = 4
    assert roster.import_roster(actor=principal, kind="children", upload=upload(xlsx(rows))).created == 4


def test_file_over_the_byte_limit(world, principal, settings):
    settings.HOUQIN_IMPORT_MAX_BYTES = 2048
    data = xlsx([child_row()])
    assert len(data) > 2048
    error = only_error(rejected(principal, data))
    assert error["code"] == "file_too_large" and "too large" in error["message"]


def test_several_bad_rows_are_all_reported(world, principal):
    rows = [
        child_row(name="好孩子"),
        child_row(name="甲", birth="昨天"),
        child_row(name="乙", school_class="火星班", g1=("乙爸", "父亲", "12345")),
        child_row(name="丙", sex="男孩", id_no="1.10101E+17"),
        child_row(name="丁", g1=("", "母亲", "13800138000")),
    ]
    exc = rejected(principal, xlsx(rows))
    found = {(e["row"], e["column"], e["code"]) for e in exc.errors}
    assert found == {
        (3, "出生日期", "invalid_date"),
        (4, "班级", "unknown_class"),
        (4, "监护人1电话", "invalid_phone"),
        (5, "性别", "invalid_sex"),
        (5, "身份证号", "id_number_as_number"),
        (6, "监护人1姓名", "required"),
    }
    assert "6 problems" in exc.message
    assert not Child.objects.filter(name="好孩子").exists()


def test_class_of_another_kindergarten_or_inactive_is_unknown(world, principal):
    SchoolClass.objects.filter(kindergarten=world.k1.kg, name="大一班").update(is_active=False)
    from houqin.testing import SchoolClassFactory

    SchoolClassFactory(campus=world.k2.campuses[0], name="蓝天班")
    exc = rejected(principal, xlsx([child_row(school_class="大一班"), child_row(name="钱", school_class="蓝天班")]))
    assert [(e["row"], e["code"]) for e in exc.errors] == [(2, "unknown_class"), (3, "unknown_class")]


# --- Malformed staff files ------------------------------------------------------------------


def test_staff_file_problems_are_all_reported(world, principal):
    rows = [
        ["zhaoli", "赵丽", "13800001111", "保育员", "", "小一班"],
        ["zhaoli", "赵丽二", "13800002222", "保安", "", ""],
        ["sunli", "孙丽", "123", "厨神", "", "小九班"],
        ["principal2", "某人", "13800003333", "会计", "", ""],  # the login of k2's principal
        ["director", "director", "", "后勤主任", "", ""],  # already holds this role here
        ["bad name!", "钱", "13800004444", "会计", "", ""],
    ]
    exc = rejected(principal, xlsx(rows, header=STAFF_HEADER), kind="staff")
    found = {(e["row"], e["column"], e["code"]) for e in exc.errors}
    assert found == {
        (3, "登录名", "duplicate_in_file"),
        (4, "手机号", "invalid_phone"),
        (4, "角色", "invalid_role"),
        (4, "班级", "unknown_class"),
        (5, "登录名", "login_taken"),
        (6, "角色", "role_exists"),
        (7, "登录名", "invalid"),
    }
    assert not User.objects.filter(username__in=["zhaoli", "sunli"]).exists()


# --- Through HTTP ---------------------------------------------------------------------------


def test_html_import_with_a_bad_file_shows_the_errors(world, login):
    client = login(world.k1.users[Role.PRINCIPAL])
    before = counts()
    data = xlsx([child_row(birth="明年春天")])
    response = client.post("/k/k1/roster/import/", {"kind": "children", "file": upload(data)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    body = response.content.decode()
    assert 'data-testid="import-errors"' in body
    assert "出生日期" in body and "Not a date" in body
    assert counts() == before


def test_html_import_of_a_good_file(world, login):
    client = login(world.k1.users[Role.PRINCIPAL])
    response = client.post("/k/k1/roster/import/", {"kind": "children", "file": upload(xlsx([child_row()]))})
    assert response.status_code == 200
    assert 'data-testid="import-result"' in response.content.decode()
    assert Child.objects.filter(name="李小明").exists()


def test_html_import_is_forbidden_to_the_class_teacher(world, login):
    client = login(world.k1.users[Role.CLASS_TEACHER])
    response = client.post("/k/k1/roster/import/", {"kind": "children", "file": upload(xlsx([child_row()]))})
    assert response.status_code == 403
    assert not Child.objects.filter(name="李小明").exists()


def test_api_import_with_a_bad_file_answers_422_with_errors(world, login):
    client = login(world.k1.users[Role.PRINCIPAL])
    before = counts()
    data = xlsx([child_row(g1=("李大明", "父亲", "12345")), child_row(name="赵", school_class="小九班")])
    response = client.post("/api/k/k1/roster/import", {"kind": "children", "file": upload(data)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "import_rejected"
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(2, "监护人1电话"), (3, "班级")]
    assert counts() == before


def test_api_import_of_a_good_file(world, login):
    client = login(world.k1.users[Role.PRINCIPAL])
    response = client.post("/api/k/k1/roster/import", {"kind": "children", "file": upload(xlsx([child_row()]))})
    assert response.status_code == 200
    assert response.json() == {"kind": "children", "created": 1, "updated": 0}


@pytest.mark.parametrize("path, header", [
    ("/k/k1/roster/children.xlsx", CHILD_HEADER),
    ("/k/k1/roster/staff.xlsx", STAFF_HEADER),
    ("/api/k/k1/roster/children.xlsx", CHILD_HEADER),
    ("/api/k/k1/roster/staff.xlsx", STAFF_HEADER),
])
def test_exports_are_xlsx_with_chinese_headers(world, login, path, header):
    response = login(world.k1.users[Role.PRINCIPAL]).get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert list(_sheet_rows(response.content)[0]) == header


def test_export_is_forbidden_to_the_class_teacher(world, login):
    assert login(world.k1.users[Role.CLASS_TEACHER]).get("/k/k1/roster/children.xlsx").status_code == 403

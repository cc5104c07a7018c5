"""Import of an existing register (.xlsx), all or nothing, and export → import round trips."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from houqin.assets import register
from houqin.assets.models import Asset, AssetState, Category, Room
from houqin.core.models import AuditEvent
from houqin.org.models import Role

pytestmark = pytest.mark.django_db

HEADER = ["名称", "类别", "存放地点", "班级", "数量", "单价", "购置日期", "供应商", "保管人", "备注"]


def _xlsx(rows, header=HEADER, title_rows=()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "固定物品登记表"
    for row in title_rows:
        sheet.append(row)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _good_rows(world):
    teacher = world.k1.users[Role.CLASS_TEACHER].full_name
    return [
        ["幼儿床", "家具", "小一班午睡室", "小一班", "30张", "¥260", dt.date(2025, 8, 20), "南京童乐家具", teacher, ""],
        ["电子琴", "教玩具", "小一班活动室", "", 1, 1280.5, "2024/9/1", "", "", "雅马哈"],
        ["绘本", "教具", "", "中一班", "120", "", "2023年9月1日", "", "", ""],
        ["冷藏柜", "厨房设备", "厨房", "", "2台", "4,680.00元", 20220301, "", "storekeeper", ""],
        ["灭火器", "消防设备", "厨房", "", 6, 120, "", "", "", "每年检查"],
    ]


def _import(world, content, role=Role.STOREKEEPER, where="k1"):
    from houqin import policy

    ns = getattr(world, where)
    actor = policy.actor_for_kindergarten(ns.users[role], ns.kg)
    return register.import_register(actor=actor, upload=content)


def _state():
    return (Asset.objects.count(), Room.objects.count(), Asset.history.count(), Room.history.count())


def test_a_good_register_is_imported(world, aw):
    before = Asset.objects.count()
    result = _import(world, _xlsx(_good_rows(world), title_rows=[["城南区实验幼儿园固定物品登记表"], []]))
    assert result.created == 5
    assert Asset.objects.count() == before + 5
    beds = Asset.objects.get(name="幼儿床")
    assert beds.quantity == Decimal("30") and beds.unit == "张" and beds.unit_price == Decimal("260.00")
    assert beds.school_class == world.k1.own_class and beds.room.name == "小一班午睡室"
    assert beds.room.school_class == world.k1.own_class  # a new room of the class, on its campus
    assert beds.custodian == world.k1.users[Role.CLASS_TEACHER]
    assert beds.label_code.startswith("ZC-")
    organ = Asset.objects.get(name="电子琴")
    assert organ.room == aw.own_room and organ.school_class == world.k1.own_class  # the room brings its class
    assert organ.unit_price == Decimal("1280.50") and organ.purchase_date == dt.date(2024, 9, 1)
    books = Asset.objects.get(name="绘本")
    assert books.room is None and books.school_class == world.k1.other_class and books.category == Category.TEACHING
    fridge = Asset.objects.get(name="冷藏柜")
    assert fridge.room == aw.kitchen and fridge.unit_price == Decimal("4680.00")
    assert fridge.purchase_date == dt.date(2022, 3, 1) and fridge.custodian.username == "storekeeper"
    assert Asset.objects.get(name="灭火器").category == Category.SECURITY
    assert AuditEvent.objects.filter(action="assets.import", outcome="success").count() == 1
    assert len({a.label_code for a in Asset.objects.filter(kindergarten=world.k1.kg)}) == Asset.objects.filter(
        kindergarten=world.k1.kg).count()


def test_importing_the_same_file_twice_creates_no_duplicates(world, aw):
    content = _xlsx(_good_rows(world))
    _import(world, content)
    before = _state()
    with pytest.raises(register.ImportRejected) as exc:
        _import(world, content)
    assert {e["code"] for e in exc.value.errors} == {"already_registered"}
    assert len(exc.value.errors) == 5
    assert _state() == before


def _rejected(world, content, **kwargs) -> list[dict]:
    before = _state()
    failed = AuditEvent.objects.filter(action="assets.import", outcome="failed").count()
    with pytest.raises(register.ImportRejected) as exc:
        _import(world, content, **kwargs)
    assert _state() == before, "a rejected file changed the database"
    assert AuditEvent.objects.filter(action="assets.import", outcome="failed").count() == failed + 1
    assert exc.value.message and exc.value.errors
    for error in exc.value.errors:
        assert error["message"]
    return exc.value.errors


def _one(world, **cells):
    row = dict(zip(HEADER, _good_rows(world)[0], strict=True))
    row.update(cells)
    return _xlsx([list(row.values())])


MALFORMED = {
    # name: (content builder, expected (column, code) pairs)
    "csv saved as xlsx": (lambda w: "名称,类别\n椅子,家具\n".encode("gbk"), {("", "not_xlsx")}),
    "empty file": (lambda w: b"", {("", "no_data")}),
    "a .docx": (lambda w: _docx(), {("", "not_xlsx")}),
    "missing column": (lambda w: _xlsx([["椅子", "家具", "厨房"]], header=["名称", "类别", "存放地点"]),
                       {("数量", "missing_column")}),
    "text quantity": (lambda w: _one(w, 数量="三十"), {("数量", "invalid_number")}),
    "zero quantity": (lambda w: _one(w, 数量=0), {("数量", "invalid_number")}),
    "price with 3 decimals": (lambda w: _one(w, 单价="12.345"), {("单价", "invalid_number")}),
    "negative price": (lambda w: _one(w, 单价=-5), {("单价", "invalid_number")}),
    "unknown category": (lambda w: _one(w, 类别="飞船"), {("类别", "invalid_category")}),
    "unknown class": (lambda w: _one(w, 班级="火星班"), {("班级", "unknown_class")}),
    "future purchase": (lambda w: _one(w, 购置日期=dt.date(2099, 1, 1)), {("购置日期", "invalid_date")}),
    "not a date": (lambda w: _one(w, 购置日期="去年秋天"), {("购置日期", "invalid_date")}),
    "unknown custodian": (lambda w: _one(w, 保管人="张三丰"), {("保管人", "unknown_custodian")}),
    "parent as custodian": (lambda w: _one(w, 保管人="parent"), {("保管人", "unknown_custodian")}),
    "no place": (lambda w: _one(w, 存放地点="", 班级=""), {("存放地点", "required")}),
    "new room, campus unknown": (lambda w: _one(w, 存放地点="音乐室", 班级=""), {("存放地点", "unknown_room")}),
    "room of another class": (lambda w: _one(w, 存放地点="中一班活动室", 班级="小一班"), {("班级", "wrong_class")}),
    "name too long": (lambda w: _one(w, 名称="椅" * 61), {("名称", "too_long")}),
    "missing name": (lambda w: _one(w, 名称=""), {("名称", "required")}),
    "duplicate rows": (lambda w: _xlsx([_good_rows(w)[0], _good_rows(w)[0]]), {("名称", "duplicate_in_file")}),
}


def _docx() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types><Override ContentType='application/vnd.openxmlformats-"
                                                "officedocument.wordprocessingml.document.main+xml'/></Types>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_file_is_rejected_with_its_problems_and_changes_nothing(world, aw, case):
    build, expected = MALFORMED[case]
    errors = _rejected(world, build(world))
    found = {(e["column"], e["code"]) for e in errors}
    assert expected <= found, errors


def test_every_problem_of_the_file_is_listed_not_only_the_first(world, aw):
    rows = _good_rows(world)
    rows[1][4] = "很多"  # 数量
    rows[2][1] = "飞船"  # 类别
    rows[3][6] = "2099-01-01"  # 购置日期
    errors = _rejected(world, _xlsx(rows))
    assert {(e["row"], e["column"]) for e in errors} == {(3, "数量"), (4, "类别"), (5, "购置日期")}
    assert all(e["sheet"] == "固定物品登记表" for e in errors)


def test_scrapped_rows_and_used_label_codes_are_refused(world, aw):
    header = [*HEADER, "编号", "状态"]
    row = _good_rows(world)[0]
    errors = _rejected(world, _xlsx([[*row, aw.chairs.label_code, "在用"]], header=header))
    assert {e["code"] for e in errors} == {"label_exists"}
    errors = _rejected(world, _xlsx([[*row, "", "已报废"]], header=header))
    assert {e["code"] for e in errors} == {"scrapped"}


def test_too_many_rows_are_refused(world, aw, settings):
    settings.HOUQIN_IMPORT_MAX_ROWS = 3
    rows = [[f"椅子{i}", "家具", "厨房", "", 1, "", "", "", "", ""] for i in range(5)]
    errors = _rejected(world, _xlsx(rows))
    assert errors[0]["code"] == "too_many_rows"


def test_import_needs_the_capability(world, aw):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _import(world, _xlsx(_good_rows(world)), role=Role.ACCOUNTANT)


def test_export_then_import_into_another_kindergarten_gives_the_same_register(world, aw):
    from houqin import policy

    # k1's register on the first campus (k2 has the same class names on a campus of the same name)
    _import(world, _xlsx([r for r in _good_rows(world) if r[0] != "冷藏柜"]))
    k1 = policy.actor_for_kindergarten(world.k1.users[Role.STOREKEEPER], world.k1.kg)
    aw.far_asset.voided_at = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)  # the second campus does not exist in k2
    aw.far_asset.save()
    repaired = Asset.objects.get(name="钢琴")
    repaired.state = AssetState.UNDER_REPAIR
    repaired.save()
    content = register.export_register(actor=k1)
    sheet = load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[1]] == list(register.COLUMNS)

    def snapshot(kg):
        return sorted(
            (a.label_code, a.name, a.category, a.campus.name, a.room.name if a.room else None,
             a.school_class.name if a.school_class else None, a.quantity, a.unit, a.unit_price, a.purchase_date,
             a.supplier_name, a.state, a.notes)
            for a in Asset.objects.active().filter(kindergarten=kg).exclude(state=AssetState.SCRAPPED)
            .select_related("campus", "room", "school_class")
        )

    expected = snapshot(world.k1.kg)
    Asset.objects.filter(kindergarten=world.k2.kg).update(voided_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
    # custodians are people of k1: k2 has none of them
    sheet_rows = list(sheet.iter_rows(values_only=True))
    custodian = register.COLUMNS.index(register.CUSTODIAN)
    cleaned = [list(r) for r in sheet_rows]
    for r in cleaned[1:]:
        r[custodian] = None
    workbook = Workbook()
    for r in cleaned:
        workbook.active.append(r)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = _import(world, buffer.getvalue(), role=Role.STOREKEEPER, where="k2")
    assert result.created == len(expected)
    assert snapshot(world.k2.kg) == expected
    # and into the same kindergarten it is refused as duplicates (label codes already used)
    errors = _rejected(world, content)
    assert {e["code"] for e in errors} == {"label_exists"}


def test_export_is_in_the_actor_scope_and_audited(world, aw):
    from houqin import policy

    actor = policy.actor_for_kindergarten(world.k1.users[Role.DIRECTOR], world.k1.kg)
    sheet = load_workbook(io.BytesIO(register.export_register(actor=actor))).active
    names = [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted(["幼儿椅", "幼儿桌", "钢琴", "消毒柜", "空调"])
    assert AuditEvent.objects.filter(action="assets.export", actor=world.k1.users[Role.DIRECTOR]).exists()


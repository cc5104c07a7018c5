"""The one .xlsx writer (houqin.core.spreadsheets.XlsxWriter): text is written as text, never as a
formula. Checked through the real export URLs of the roster and the asset register, and on the writer
itself; the exports read back with openpyxl."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from houqin import policy
from houqin.core.spreadsheets import FORMULA_START, XlsxWriter, build_workbook
from houqin.org.models import Guardian, Role
from houqin.testing import GuardianFactory

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("//e.cn","点")'


def _cells(content: bytes, text: str):
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [cell for row in sheet.iter_rows() for cell in row if cell.value == text]


def test_a_guardian_named_like_a_formula_is_text_in_the_roster_export(world, login):
    GuardianFactory(child=world.k1.own_child, name=HOSTILE, relation="mother")
    response = login(world.k1.users[Role.PRINCIPAL]).get("/k/k1/roster/children.xlsx")
    assert response.status_code == 200
    cells = _cells(response.content, HOSTILE)
    assert len(cells) == 1
    assert cells[0].data_type == "s" and cells[0].quotePrefix  # text, shown and edited as text
    assert Guardian.objects.filter(name=HOSTILE).exists()


def test_an_asset_named_like_a_formula_is_text_in_the_asset_export(world, login):
    from houqin.assets import services

    storekeeper = policy.actor_for_kindergarten(world.k1.users[Role.STOREKEEPER], world.k1.kg)
    services.asset_create(actor=storekeeper, name=HOSTILE, category="teaching", quantity=1,
                          school_class=world.k1.classes[0], supplier_name="@SUM(1+1)*cmd|' /C calc'!A0")
    response = login(world.k1.users[Role.STOREKEEPER]).get("/k/k1/assets/export.xlsx")
    assert response.status_code == 200
    for text in (HOSTILE, "@SUM(1+1)*cmd|' /C calc'!A0"):
        cells = _cells(response.content, text)
        assert len(cells) == 1 and cells[0].data_type == "s" and cells[0].quotePrefix


@pytest.mark.parametrize("start", FORMULA_START)
def test_every_formula_start_is_written_as_text(start):
    text = f"{start}1+2"
    content = build_workbook("名册", ("姓名",), {}, iter([[text]]))
    [cell] = _cells(content, text)
    assert cell.data_type == "s" and cell.quotePrefix


def test_the_writer_keeps_dates_numbers_and_plain_text_as_they_are():
    writer = XlsxWriter()
    sheet = writer.sheet("明细", columns=["日期", "金额", "名称", "时间"], formats=[None, "#,##0.00"])
    from django.utils import timezone

    at = timezone.make_aware(dt.datetime(2026, 11, 25, 9, 30))
    sheet.row([dt.date(2026, 11, 25), Decimal("12.50"), "大米", at])
    book = load_workbook(io.BytesIO(writer.content()))
    row = [c for c in book.worksheets[0][2]]
    assert row[0].value == dt.datetime(2026, 11, 25) and row[0].number_format == "yyyy-mm-dd"
    assert row[1].value == 12.5 and row[1].number_format == "#,##0.00"
    assert row[2].value == "大米" and row[2].data_type == "s" and not row[2].quotePrefix
    assert row[3].value == dt.datetime(2026, 11, 25, 9, 30)  # local time, as the kindergarten reads it

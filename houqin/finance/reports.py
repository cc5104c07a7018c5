"""The monthly report to the principal: spending by budget category this month and in the year to
date, against the budget, with what is committed and what remains — as .xlsx (openpyxl) and as an
A4 PDF (WeasyPrint, Chinese fonts)."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from houqin.core.audit import audit_event
from houqin.finance import selectors
from houqin.finance.models import SignatureStep

MONEY_FORMAT = "#,##0.00"
SUMMARY_COLUMNS = ["预算科目", "年度预算", "本月支出", "本年累计支出", "已承诺（未支付）", "剩余", "执行率"]
DETAIL_COLUMNS = ["单号", "付款日期", "事项", "预算科目", "收款方", "金额", "经手人", "验收人", "园长"]


def report_table(*, actor, year: int, month: int):
    return selectors.budget_table(actor=actor, year=year, month=month, capability="finance.report.view",
                                  with_expenses=True)


def _signers(expense) -> dict[str, str]:
    return {s.step: s.user.display_name for s in expense.signatures.all()}


def _text_cell(cell, value) -> None:
    """Text stays text: a value starting with = + - @ is never read as a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def monthly_xlsx(*, actor, year: int, month: int) -> bytes:
    table = report_table(actor=actor, year=year, month=month)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "经费月报"
    bold = Font(bold=True)
    sheet["A1"] = f"{actor.kindergarten.name} {year}年{month}月 经费支出月报"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"截至{year}年{month}月底；已承诺为制表时已批准未报销的申请和未支付的报销。制表：{timezone.localdate():%Y-%m-%d}"
    sheet.append([])
    sheet.append(SUMMARY_COLUMNS)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="E3F1EA")
    for row in table.rows:
        sheet.append([None, row.budget, row.spent_month, row.spent, row.committed, row.remaining,
                      (row.used_percent / 100) if row.used_percent is not None else None])
        _text_cell(sheet.cell(sheet.max_row, 1), row.category.name)
    sheet.append([None, table.total_budget, table.total_spent_month, table.total_spent, table.total_committed,
                  table.total_remaining, None])
    _text_cell(sheet.cell(sheet.max_row, 1), "合计")
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in sheet.iter_rows(min_row=header_row + 1, min_col=2, max_col=6):
        for cell in row:
            cell.number_format = MONEY_FORMAT
    for row in sheet.iter_rows(min_row=header_row + 1, min_col=7, max_col=7):
        for cell in row:
            cell.number_format = "0%"
    for index, width in enumerate([16, 14, 14, 14, 16, 14, 8], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    detail = workbook.create_sheet("本月支出明细")
    detail.append(DETAIL_COLUMNS)
    for cell in detail[1]:
        cell.font = bold
    for expense in table.expenses:
        signers = _signers(expense)
        detail.append([None, expense.paid_on, None, None, None, expense.amount, None, None, None])
        r = detail.max_row
        for col, value in ((1, expense.number), (3, expense.title), (4, expense.category.name), (5, expense.payee),
                           (7, signers.get(SignatureStep.HANDLER, "")), (8, signers.get(SignatureStep.ACCEPTOR, "")),
                           (9, signers.get(SignatureStep.PRINCIPAL, ""))):
            _text_cell(detail.cell(r, col), value)
        detail.cell(r, 2).number_format = "yyyy-mm-dd"
        detail.cell(r, 6).number_format = MONEY_FORMAT
    detail.append([None, None, None, None, None, table.total_spent_month])
    _text_cell(detail.cell(detail.max_row, 1), "合计")
    detail.cell(detail.max_row, 6).number_format = MONEY_FORMAT
    detail.cell(detail.max_row, 1).font = bold
    for index, width in enumerate([14, 12, 28, 12, 20, 12, 10, 10, 10], start=1):
        detail.column_dimensions[get_column_letter(index)].width = width
    detail.freeze_panes = "A2"
    for row in detail.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    audit_event(action="finance.report.export", actor=actor.user, kindergarten=actor.kindergarten,
                detail={"format": "xlsx", "year": year, "month": month})
    return buffer.getvalue()


def monthly_pdf(*, actor, year: int, month: int) -> bytes:
    from weasyprint import HTML  # imported when needed: it takes half a second

    table = report_table(actor=actor, year=year, month=month)
    expenses = [{"expense": e, "signers": _signers(e)} for e in table.expenses]
    html = render_to_string("finance/report_pdf.html", {
        "table": table, "year": year, "month": month, "kindergarten": actor.kindergarten, "expenses": expenses,
        "made_on": timezone.localdate(), "made_by": actor.user,
    })
    content = HTML(string=html).write_pdf()
    audit_event(action="finance.report.export", actor=actor.user, kindergarten=actor.kindergarten,
                detail={"format": "pdf", "year": year, "month": month})
    return content

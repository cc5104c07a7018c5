"""The monthly report to the principal: spending by budget category this month and in the year to
date, against the budget, with what is committed and what remains — as .xlsx (the one writer,
houqin.core.spreadsheets) and as an
A4 PDF (WeasyPrint, Chinese fonts)."""

from __future__ import annotations

from django.utils import timezone

from houqin.core.audit import audit_event
from houqin.core.pdf import render_pdf
from houqin.core.spreadsheets import XlsxWriter
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


def monthly_xlsx(*, actor, year: int, month: int) -> bytes:
    table = report_table(actor=actor, year=year, month=month)
    writer = XlsxWriter()
    money = [None, MONEY_FORMAT, MONEY_FORMAT, MONEY_FORMAT, MONEY_FORMAT, MONEY_FORMAT, "0%"]
    sheet = writer.sheet("经费月报", widths=[16, 14, 14, 14, 16, 14, 8], formats=money)
    sheet.row([f"{actor.kindergarten.name} {year}年{month}月 经费支出月报"], bold=True, size=14)
    sheet.row([f"截至{year}年{month}月底；已承诺为制表时已批准未报销的申请和未支付的报销。制表：{timezone.localdate():%Y-%m-%d}"])
    sheet.row([])
    sheet.header(SUMMARY_COLUMNS, fill="E3F1EA")
    for row in table.rows:
        sheet.row([row.category.name, row.budget, row.spent_month, row.spent, row.committed, row.remaining,
                   (row.used_percent / 100) if row.used_percent is not None else None])
    sheet.row(["合计", table.total_budget, table.total_spent_month, table.total_spent, table.total_committed,
               table.total_remaining, None], bold=True)

    detail = writer.sheet("本月支出明细", columns=DETAIL_COLUMNS, widths=[14, 12, 28, 12, 20, 12, 10, 10, 10],
                          formats=[None, None, None, None, None, MONEY_FORMAT])
    for expense in table.expenses:
        signers = _signers(expense)
        detail.row([expense.number, expense.paid_on, expense.title, expense.category.name, expense.payee,
                    expense.amount, signers.get(SignatureStep.HANDLER, ""), signers.get(SignatureStep.ACCEPTOR, ""),
                    signers.get(SignatureStep.PRINCIPAL, "")], top=True)
    detail.row(["合计", None, None, None, None, table.total_spent_month], bold=True)
    content = writer.content()
    audit_event(action="finance.report.export", actor=actor.user, kindergarten=actor.kindergarten,
                detail={"format": "xlsx", "year": year, "month": month})
    return content


def monthly_pdf(*, actor, year: int, month: int) -> bytes:
    table = report_table(actor=actor, year=year, month=month)
    expenses = [{"expense": e, "signers": _signers(e)} for e in table.expenses]
    content = render_pdf("finance/report_pdf.html", {
        "table": table, "year": year, "month": month, "kindergarten": actor.kindergarten, "expenses": expenses,
        "made_on": timezone.localdate(), "made_by": actor.user,
    })
    audit_event(action="finance.report.export", actor=actor.user, kindergarten=actor.kindergarten,
                detail={"format": "pdf", "year": year, "month": month})
    return content

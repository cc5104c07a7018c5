"""The month's assessment bonus for payroll (.xlsx): one row per person, and a sheet of deductions.
Text that a spreadsheet would read as a formula is neutralised."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _sheet(wb, title, header, widths):
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(65 + i)].width = w
    ws.freeze_panes = "A2"
    return ws


def _append(ws, values):
    ws.append([safe_text(v) for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, Decimal):
            cell.number_format = "#,##0.00"
        elif isinstance(cell.value, dt.date):
            cell.number_format = "yyyy-mm-dd"


def payroll_xlsx(kindergarten, month: dt.date, rows) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    ws = _sheet(wb, "考核奖", ["月份", "姓名", "岗位", "基础分", "扣分", "得分", "一票否决", "满分奖金(元)", "考核奖(元)", "状态"],
                [10, 14, 12, 8, 8, 8, 10, 14, 12, 8])
    total = Decimal("0")
    for a in rows:
        _append(ws, [f"{month:%Y-%m}", a.user.display_name, a.post.name, a.base_points, a.deducted, a.score,
                     "是" if a.vetoed else "", a.full_bonus, a.bonus, a.get_status_display()])
        total += a.bonus
    _append(ws, ["合计", "", "", None, None, None, "", None, total, ""])
    ws2 = _sheet(wb, "扣分明细", ["姓名", "岗位", "日期", "考核项目", "分值", "倍数", "一票否决", "扣分", "培训依据", "说明"],
                 [14, 12, 12, 28, 8, 8, 10, 8, 30, 40])
    for a in rows:
        for d in sorted((d for d in a.deductions.all() if d.voided_at is None), key=lambda d: (d.date, d.pk)):
            _append(ws2, [a.user.display_name, a.post.name, d.date, d.item.name, d.points, d.factor,
                          "是" if d.is_veto else "", d.amount,
                          f"{d.trained_in.date:%Y-%m-%d} {d.trained_in}" if d.trained_in_id else "", d.note])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

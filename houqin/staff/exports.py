"""The month's assessment bonus for payroll (.xlsx): one row per person, and a sheet of deductions.
Written by the one .xlsx writer (houqin.core.spreadsheets.XlsxWriter): text stays text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from houqin.core.spreadsheets import XlsxWriter

MONEY = "#,##0.00"


def payroll_xlsx(kindergarten, month: dt.date, rows) -> bytes:
    writer = XlsxWriter()
    ws = writer.sheet("考核奖", columns=["月份", "姓名", "岗位", "基础分", "扣分", "得分", "一票否决", "满分奖金(元)", "考核奖(元)", "状态"],
                      widths=[10, 14, 12, 8, 8, 8, 10, 14, 12, 8], formats=[MONEY] * 10)
    total = Decimal("0")
    for a in rows:
        ws.row([f"{month:%Y-%m}", a.user.display_name, a.post.name, a.base_points, a.deducted, a.score,
                "是" if a.vetoed else "", a.full_bonus, a.bonus, a.get_status_display()])
        total += a.bonus
    ws.row(["合计", "", "", None, None, None, "", None, total, ""])
    ws2 = writer.sheet("扣分明细", columns=["姓名", "岗位", "日期", "考核项目", "分值", "倍数", "一票否决", "扣分", "培训依据", "说明"],
                       widths=[14, 12, 12, 28, 8, 8, 10, 8, 30, 40], formats=[MONEY] * 10)
    for a in rows:
        for d in sorted((d for d in a.deductions.all() if d.voided_at is None), key=lambda d: (d.date, d.pk)):
            ws2.row([a.user.display_name, a.post.name, d.date, d.item.name, d.points, d.factor,
                     "是" if d.is_veto else "", d.amount,
                     f"{d.trained_in.date:%Y-%m-%d} {d.trained_in}" if d.trained_in_id else "", d.note])
    return writer.content()

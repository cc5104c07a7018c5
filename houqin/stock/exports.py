"""The storeroom's .xlsx exports (openpyxl): the monthly movements report (进销存月报) and the value of
stock on hand. Column headers are the Chinese the kindergartens' accounts use. Written by the one
.xlsx writer (houqin.core.spreadsheets.XlsxWriter): text stays text, never a formula."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from houqin.core.audit import audit_event
from houqin.core.spreadsheets import XlsxWriter
from houqin.stock import selectors
from houqin.stock.models import MovementKind

QTY_FORMAT = "#,##0.###"
MONEY_FORMAT = "#,##0.00"
COST_FORMAT = "#,##0.0000"


def _sheet(writer: XlsxWriter, title: str, columns: list[tuple[str, int, str | None]]):
    return writer.sheet(title, columns=[name for name, _, _ in columns], widths=[w for _, w, _ in columns],
                        formats=[fmt for _, _, fmt in columns])


def _kind_labels() -> dict[str, str]:
    return {k.value: {
        MovementKind.RECEIPT: "入库", MovementKind.ISSUE_REQUISITION: "领用出库", MovementKind.ISSUE_KITCHEN: "厨房出库",
        MovementKind.TRANSFER_OUT: "调出", MovementKind.TRANSFER_IN: "调入", MovementKind.DISPOSAL_EXPIRED: "过期报废",
        MovementKind.DISPOSAL_DAMAGED: "损坏报废", MovementKind.STOCKTAKE_ADJUSTMENT: "盘点调整",
        MovementKind.CORRECTION: "入库冲销",
    }[k] for k in MovementKind}


def monthly_workbook(*, actor, year: int, month: int) -> bytes:
    """Sheet 1: per warehouse and item, opening, in, out and closing quantities and values (月报).
    Sheet 2: every movement of the month (明细)."""
    if not actor.has("stock.export"):
        raise PermissionDenied
    report = selectors.monthly_report(actor=actor, year=year, month=month)
    writer = XlsxWriter()
    summary = _sheet(writer, f"{year}年{month}月进销存", [
        ("仓库", 12, None), ("物品", 18, None), ("类别", 12, None), ("单位", 6, None),
        ("期初数量", 10, QTY_FORMAT), ("期初金额", 12, MONEY_FORMAT),
        ("入库数量", 10, QTY_FORMAT), ("入库金额", 12, MONEY_FORMAT),
        ("出库数量", 10, QTY_FORMAT), ("出库金额", 12, MONEY_FORMAT),
        ("其中厨房", 12, MONEY_FORMAT), ("其中领用", 12, MONEY_FORMAT), ("其中报废", 12, MONEY_FORMAT),
        ("盘点及冲销数量", 12, QTY_FORMAT), ("盘点及冲销金额", 12, MONEY_FORMAT),
        ("期末数量", 10, QTY_FORMAT), ("期末金额", 12, MONEY_FORMAT),
    ])
    for r in report["rows"]:
        summary.row([
            r["warehouse"].name, str(r["item"]), selectors.category_label(r["item"].category), r["item"].unit,
            r["opening_quantity"], r["opening_value"], r["in_quantity"], r["in_value"], r["out_quantity"],
            r["out_value"], r["kitchen_value"], r["requisition_value"], r["disposal_value"], r["other_quantity"],
            r["other_value"], r["closing_quantity"], r["closing_value"],
        ])
    t = report["totals"]
    zero = Decimal("0")
    summary.row(["合计", "", "", "", None, t.get("opening_value", zero), None, t.get("in_value", zero), None,
                 t.get("out_value", zero), t.get("kitchen_value", zero), t.get("requisition_value", zero),
                 t.get("disposal_value", zero), None, t.get("other_value", zero), None, t.get("closing_value", zero)],
                bold=True)

    labels = _kind_labels()
    detail = _sheet(writer, "明细", [
        ("日期", 11, None), ("类型", 10, None), ("仓库", 12, None), ("物品", 18, None), ("批号", 12, None),
        ("数量", 10, QTY_FORMAT), ("单位", 6, None), ("单价", 10, COST_FORMAT), ("金额", 12, MONEY_FORMAT),
        ("班级", 10, None), ("领用人", 10, None), ("经手人", 10, None), ("领用单", 10, None), ("说明", 30, None),
    ])
    for m in selectors.month_movements(actor=actor, year=year, month=month).iterator(chunk_size=1000):
        detail.row([
            m.occurred_on, labels[m.kind], m.warehouse.name, str(m.item), m.batch.batch_no, m.quantity, m.item.unit,
            m.unit_cost, m.value, m.school_class.name if m.school_class else "",
            m.recipient.display_name if m.recipient else "", m.created_by.display_name if m.created_by else "",
            m.requisition.number if m.requisition else "", m.reason,
        ])
    content = writer.content()
    audit_event(action="stock.export", actor=actor.user, kindergarten=actor.kindergarten,
                detail={"kind": "monthly", "month": f"{year:04d}-{month:02d}", "rows": len(report["rows"])})
    return content


def on_hand_workbook(*, actor) -> bytes:
    """Every batch on hand with its dates, supplier, unit cost and book value (库存价值表)."""
    if not actor.has("stock.export"):
        raise PermissionDenied
    today = timezone.localdate()
    batches = selectors.batch_list(actor=actor, capability="stock.export").order_by(
        "warehouse__campus__name", "warehouse__name", "item__category", "item__name_pinyin", "expiry_date", "pk")
    writer = XlsxWriter()
    sheet = _sheet(writer, "库存价值", [
        ("园区", 10, None), ("仓库", 12, None), ("物品", 18, None), ("类别", 12, None), ("批号", 12, None),
        ("供应商", 18, None), ("生产日期", 11, None), ("保质期至", 11, None), ("状态", 8, None),
        ("数量", 10, QTY_FORMAT), ("单位", 6, None), ("单价", 10, COST_FORMAT), ("金额", 12, MONEY_FORMAT),
    ])
    total = Decimal("0")
    rows = 0
    for b in batches:
        state = "已过期" if b.is_expired_on(today) else ""
        sheet.row([
            b.warehouse.campus.name, b.warehouse.name, str(b.item), selectors.category_label(b.item.category),
            b.batch_no, b.supplier.name if b.supplier else "", b.production_date, b.expiry_date, state, b.quantity,
            b.item.unit, b.unit_cost, b.value,
        ])
        total += b.value
        rows += 1
    sheet.row(["合计", "", "", "", "", "", None, None, "", None, "", None, total], bold=True)
    content = writer.content()
    audit_event(action="stock.export", actor=actor.user, kindergarten=actor.kindergarten,
                detail={"kind": "on_hand", "rows": rows})
    return content


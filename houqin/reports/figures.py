"""Term figures of the areas built before the registry had figures (storeroom, assets, money), and
of notices, for the semester summary and the district comparison.

Each provider answers for a LIST of kindergartens with a fixed number of grouped queries
(`values("kindergarten_id")`), reading the other areas' models read-only. Every figure links to
the records it counts."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from houqin.core.registry import Figure, register_figures

ZERO = Decimal("0.00")


def _url(name: str, slug: str, query: str = "") -> str:
    try:
        return reverse(name, kwargs={"kg": slug}) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return ""


def _grouped(qs, **aggregates) -> dict[int, dict]:
    return {row.pop("kindergarten_id"): row for row in qs.values("kindergarten_id").annotate(**aggregates)}



def money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


@register_figures
def finance_figures(kindergartens, start, end) -> dict[int, list[Figure]]:
    """Purchase requests approved in the term and their estimated total; repair requests reported,
    repaired and their actual cost; expenses paid. Four queries."""
    from houqin.finance.models import COMMITTING, Expense, ExpenseStatus, PurchaseRequest, RepairRequest, RequestStatus

    ids = [k.pk for k in kindergartens]
    in_term = Q(submitted_at__date__gte=start, submitted_at__date__lte=end)
    purchases = _grouped(
        PurchaseRequest.objects.filter(kindergarten_id__in=ids, voided_at__isnull=True, status__in=COMMITTING).filter(in_term),
        n=Count("pk"), total=Sum("total"),
    )
    repairs = _grouped(
        RepairRequest.objects.filter(kindergarten_id__in=ids, voided_at__isnull=True).filter(in_term)
        .exclude(status__in=[RequestStatus.DRAFT, RequestStatus.CANCELLED]),
        n=Count("pk"), done=Count("pk", filter=Q(status=RequestStatus.DONE)),
        cost=Sum("actual_cost", filter=Q(status=RequestStatus.DONE)),
    )
    paid = _grouped(
        Expense.objects.filter(kindergarten_id__in=ids, voided_at__isnull=True, status=ExpenseStatus.PAID,
                               paid_on__gte=start, paid_on__lte=end),
        n=Count("pk"), total=Sum("amount"),
    )
    result = {}
    for k in kindergartens:
        p, r, e = purchases.get(k.pk, {}), repairs.get(k.pk, {}), paid.get(k.pk, {})
        purchase_url = _url("finance:purchase_list", k.slug, "status=approved")
        repair_url = _url("finance:repair_list", k.slug)
        result[k.pk] = [
            Figure("finance.purchases", _("purchase requests approved"), p.get("n", 0), _("times"), "assets",
                   purchase_url),
            Figure("finance.purchase_total", _("estimated total of approved purchases"), money(p.get("total")),
                   _("yuan"), "assets", purchase_url),
            Figure("finance.repairs", _("repair requests"), r.get("n", 0), _("times"), "assets", repair_url),
            Figure("finance.repairs_done", _("repairs done"), r.get("done", 0), _("times"), "assets",
                   _url("finance:repair_list", k.slug, "status=done"),
                   detail=f"{r.get('done', 0)} / {r.get('n', 0)}"),
            Figure("finance.repair_cost", _("cost of repairs"), money(r.get("cost")), _("yuan"), "assets",
                   _url("finance:repair_list", k.slug, "status=done")),
            Figure("finance.expenses_paid", _("expenses paid"), money(e.get("total")), _("yuan"), "assets",
                   _url("finance:expense_list", k.slug, "status=paid"), detail=f"{e.get('n', 0)}"),
        ]
    return result


@register_figures
def assets_and_stock_figures(kindergartens, start, end) -> dict[int, list[Figure]]:
    """Fixed assets in the register (lines and book value) and bought in the term; goods received
    into the storeroom in the term (value) and goods disposed of. Three queries."""
    from houqin.assets.models import Asset, AssetState
    from houqin.stock.models import DISPOSALS, Movement, MovementKind

    ids = [k.pk for k in kindergartens]
    line_value = ExpressionWrapper(F("quantity") * F("unit_price"), output_field=DecimalField(max_digits=14, decimal_places=2))
    assets = _grouped(
        Asset.objects.filter(kindergarten_id__in=ids, voided_at__isnull=True).exclude(state=AssetState.SCRAPPED),
        n=Count("pk"), value=Sum(line_value),
        bought=Count("pk", filter=Q(purchase_date__gte=start, purchase_date__lte=end)),
    )
    moves = _grouped(
        Movement.objects.filter(kindergarten_id__in=ids, occurred_on__gte=start, occurred_on__lte=end,
                                kind__in=[MovementKind.RECEIPT, *DISPOSALS]),
        received=Sum("value", filter=Q(kind=MovementKind.RECEIPT)),
        receipts=Count("pk", filter=Q(kind=MovementKind.RECEIPT)),
        disposals=Count("pk", filter=Q(kind__in=list(DISPOSALS))),
        disposed=Sum("value", filter=Q(kind__in=list(DISPOSALS))),
    )
    result = {}
    for k in kindergartens:
        a, m = assets.get(k.pk, {}), moves.get(k.pk, {})
        register = _url("assets:asset_list", k.slug)
        stock_report = _url("stock:report", k.slug)
        result[k.pk] = [
            Figure("assets.lines", _("lines in the fixed-asset register"), a.get("n", 0), _("lines"), "assets", register),
            Figure("assets.value", _("book value of fixed assets"), money(a.get("value")), _("yuan"), "assets", register),
            Figure("assets.bought", _("fixed assets bought this term"), a.get("bought", 0), _("lines"), "assets", register),
            Figure("stock.received", _("goods received into the storeroom"), money(m.get("received")), _("yuan"),
                   "assets", stock_report, detail=f"{m.get('receipts', 0)}"),
            Figure("stock.disposals", _("goods disposed of (expired or damaged)"), m.get("disposals", 0), _("times"),
                   "meals", _url("stock:alerts", k.slug), detail=str(money(-(m.get("disposed") or 0)))),
        ]
    return result

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


def _month_name(day) -> str:
    from houqin.reports.rules import is_zh

    return f"{day.month}月" if is_zh() else day.strftime("%B")


def _url(name: str, slug: str, query: str = "") -> str:
    try:
        return reverse(name, kwargs={"kg": slug}) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return ""


def _grouped(qs, **aggregates) -> dict[int, dict]:
    return {row.pop("kindergarten_id"): row for row in qs.values("kindergarten_id").annotate(**aggregates)}



def money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


FINANCE_FIGURES_KEYS = (  # every key finance_figures gives (register_figures)
    "finance.purchases",
    "finance.purchase_total",
    "finance.repairs",
    "finance.repairs_done",
    "finance.repair_cost",
    "finance.expenses_paid",
)


@register_figures(keys=FINANCE_FIGURES_KEYS)
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


ASSETS_AND_STOCK_FIGURES_KEYS = (  # every key assets_and_stock_figures gives (register_figures)
    "assets.lines",
    "assets.value",
    "assets.bought",
    "stock.received",
    "stock.disposals",
)


@register_figures(keys=ASSETS_AND_STOCK_FIGURES_KEYS)
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


@register_figures
def summary_figures(kindergartens, start, end) -> dict[int, list[Figure]]:
    """What the summary and the problem finder need beyond the areas' own figures: children and
    classes (the district comparison counts per 100 children), morning checks and disinfection
    records, meal committee meetings with their decisions, outbreak reports made late or never,
    deliveries accepted while the supplier's licence had expired, the weak-child share, the
    energy target of the published menus. Ten grouped queries for any number of kindergartens."""
    import datetime as dt

    from django.db.models import Avg, FloatField
    from django.db.models.fields.json import KT
    from django.db.models.functions import Cast

    from houqin.canteen.models import CommitteeMeeting, MealAccount, Menu, MenuStatus
    from houqin.foodsafety.models import REQUIRED_CERTIFICATE_KINDS, Receipt, SupplierCertificate
    from houqin.health.models import CheckSession, Disinfection, OutbreakAlert, WeakChildCase
    from houqin.org.models import Child, SchoolClass
    from houqin.reports.rules import limit

    ids = [k.pk for k in kindergartens]
    if not ids:
        return {}
    children = dict(Child.objects.active().filter(kindergarten_id__in=ids, enrolled_on__lte=end)
                    .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
                    .values("kindergarten_id").annotate(n=Count("pk")).values_list("kindergarten_id", "n"))
    classes = dict(SchoolClass.objects.filter(kindergarten_id__in=ids, is_active=True)
                   .values("kindergarten_id").annotate(n=Count("pk")).values_list("kindergarten_id", "n"))
    checks = dict(CheckSession.objects.filter(kindergarten_id__in=ids, date__gte=start, date__lte=end)
                  .values("kindergarten_id").annotate(n=Count("pk")).values_list("kindergarten_id", "n"))
    disinfections = dict(Disinfection.objects.active().filter(kindergarten_id__in=ids, date__gte=start, date__lte=end)
                         .values("kindergarten_id").annotate(n=Count("pk")).values_list("kindergarten_id", "n"))
    committee: dict[int, list] = {}
    for m in (CommitteeMeeting.objects.active().filter(kindergarten_id__in=ids, held_on__gte=start, held_on__lte=end)
              .order_by("held_on").only("kindergarten_id", "held_on", "decisions")):
        first = (m.decisions or "").strip().splitlines()
        committee.setdefault(m.kindergarten_id, []).append(
            f"{m.held_on.month}月{m.held_on.day}日" + (f"：{first[0].strip().rstrip('。；;')}" if first else ""))
    hours = dt.timedelta(hours=float(limit("outbreak_report_hours")))
    outbreaks: dict[int, dict] = {}
    for a in (OutbreakAlert.objects.filter(kindergarten_id__in=ids, report_made_at__date__gte=start,
                                           report_made_at__date__lte=end)
              .order_by("report_made_at").only("kindergarten_id", "rule_name", "disease", "symptom", "case_count",
                                               "window_start", "report_made_at", "reported_at")):
        o = outbreaks.setdefault(a.kindergarten_id, {"n": 0, "unreported": [], "late": [], "items": []})
        o["n"] += 1
        line = f"{a.window_start.month}月{a.window_start.day}日 {a.rule_name}（{a.case_count}例）"
        o["items"].append(line)
        if a.reported_at is None:
            o["unreported"].append(line)
        elif a.reported_at - a.report_made_at > hours:
            o["late"].append(line)
    weak = dict(WeakChildCase.objects.active().filter(kindergarten_id__in=ids, opened_on__lte=end)
                .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
                .values("kindergarten_id").annotate(n=Count("pk")).values_list("kindergarten_id", "n"))
    accounts: dict[int, int] = {}
    out_of_line: dict[int, list[str]] = {}  # months whose own balance was beyond the limit of that month
    for kg_id, month, pct, month_limit in (MealAccount.objects.active()
                                     .filter(kindergarten_id__in=ids, status="published",
                                             month__gte=start.replace(day=1), month__lte=end)
                                     .order_by("month").values_list("kindergarten_id", "month", "balance_pct",
                                                                    "limit_pct")):
        accounts[kg_id] = accounts.get(kg_id, 0) + 1
        if pct is not None and month_limit is not None and abs(pct) > month_limit:
            word = _("surplus") if pct > 0 else _("deficit")
            out_of_line.setdefault(kg_id, []).append(
                _("%(month)s: %(word)s %(pct)s%%") % {"month": _month_name(month), "word": word,
                                                     "pct": f"{abs(pct).normalize():f}"})
    targets = dict(Menu.objects.active().filter(kindergarten_id__in=ids, status=MenuStatus.PUBLISHED,
                                                week_start__gte=start - dt.timedelta(days=6), week_start__lte=end)
                   .annotate(t=KT("summary__target_pct")).exclude(t__isnull=True)
                   .values("kindergarten_id").annotate(avg=Avg(Cast(KT("summary__target_pct"), FloatField())))
                   .values_list("kindergarten_id", "avg"))
    # Deliveries with an accepted line from a supplier none of whose certificates of a required kind
    # was valid that day (it had one, and it had expired).
    receipts = list(Receipt.objects.filter(kindergarten_id__in=ids, voided_at__isnull=True, received_on__gte=start,
                                           received_on__lte=end, lines__accepted=True).distinct()
                    .values_list("pk", "kindergarten_id", "supplier_id", "supplier__name", "received_on"))
    certs: dict[tuple, list] = {}
    for supplier_id, kind, issued, until in (
            SupplierCertificate.objects.filter(supplier_id__in={r[2] for r in receipts}, voided_at__isnull=True,
                                               kind__in=list(REQUIRED_CERTIFICATE_KINDS))
            .values_list("supplier_id", "kind", "issued_on", "valid_until")):
        certs.setdefault((supplier_id, kind), []).append((issued, until))
    expired: dict[int, dict] = {}
    for _pk, kg_id, supplier_id, supplier_name, day in receipts:
        for kind in REQUIRED_CERTIFICATE_KINDS:
            held = certs.get((supplier_id, kind))
            if held and not any((i is None or i <= day) and day <= u for i, u in held):
                e = expired.setdefault(kg_id, {"n": 0, "suppliers": {}})
                e["n"] += 1
                e["suppliers"][supplier_name] = e["suppliers"].get(supplier_name, 0) + 1
                break
    result = {}
    for k in kindergartens:
        n = children.get(k.pk, 0)
        o = outbreaks.get(k.pk, {"n": 0, "unreported": [], "late": [], "items": []})
        e = expired.get(k.pk, {"n": 0, "suppliers": {}})
        w = weak.get(k.pk, 0)
        share = (Decimal(w * 100) / n).quantize(Decimal("0.1")) if n else None
        target = targets.get(k.pk)
        child_url = _url("org:child_list", k.slug)
        cases_url = _url("health:cases", k.slug)
        receipts_url = _url("foodsafety:receipt_list", k.slug, f"start={start:%Y-%m-%d}&end={end:%Y-%m-%d}")
        result[k.pk] = [
            Figure("summary.children", _("children enrolled"), n, _("children"), "intro", child_url, district=True),
            Figure("summary.classes", _("classes"), classes.get(k.pk, 0), _("classes"), "intro", child_url),
            Figure("summary.morning_checks", _("morning and noon checks recorded"), checks.get(k.pk, 0), _("times"),
                   "health", _url("health:overview", k.slug)),
            Figure("summary.disinfections", _("disinfection records"), disinfections.get(k.pk, 0), _("times"),
                   "health", _url("health:disinfection", k.slug)),
            Figure("summary.committee_meetings", _("meal committee meetings"), len(committee.get(k.pk, [])),
                   _("times"), "meals", _url("canteen:committee_list", k.slug), items=tuple(committee.get(k.pk, ()))),
            Figure("summary.accounts_published", _("monthly meal accounts published"), accounts.get(k.pk, 0),
                   _("months"), "meals", _url("canteen:account_list", k.slug)),
            Figure("summary.accounts_out_of_line", _("monthly meal accounts beyond the limit"),
                   len(out_of_line.get(k.pk, [])), _("months"), "meals", _url("canteen:account_list", k.slug),
                   items=tuple(out_of_line.get(k.pk, ()))),
            Figure("summary.energy_target", _("energy target of the menus, % of the reference intake"),
                   None if target is None else Decimal(str(target)).quantize(Decimal("0.1")), "%", "meals",
                   _url("canteen:menu_list", k.slug)),
            Figure("summary.outbreaks", _("outbreak alerts"), o["n"], _("times"), "health", cases_url,
                   items=tuple(o["items"])),
            Figure("summary.outbreaks_unreported", _("outbreak alerts never reported"), len(o["unreported"]),
                   _("times"), "health", cases_url, items=tuple(o["unreported"]), district=True),
            Figure("summary.outbreaks_late", _("outbreak alerts reported late"), len(o["late"]), _("times"), "health",
                   cases_url, items=tuple(o["late"])),
            Figure("summary.weak_child_share", _("share of children in weak-child cases"), share, "%", "health",
                   _url("health:weak_cases", k.slug), detail=f"{w} / {n}", district=True),
            Figure("summary.receipts_expired_licence", _("deliveries accepted while the supplier's licence had expired"),
                   e["n"], _("times"), "meals", receipts_url,
                   items=tuple(f"{name}（{c}批次）" for name, c in sorted(e["suppliers"].items())), district=True),
        ]
    return result

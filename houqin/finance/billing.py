"""Monthly fee bills to families (缴费通知单), their payments and receipts, and the meal fees the
canteen's meal account takes as its income.

A bill is one child's fees of one month, from the term's published fee standards and the class's
attendance register:
- the care fee (保育教育费, per month): the whole fee for a child enrolled every school day of the
  month, else the share of the school days enrolled; reduced by the kindergarten's percentage when
  the child was absent at least its number of school days in a row (rule figures below);
- the meal fee (伙食费, per day): the fee for each day the class registered the child (present or
  on leave), less the absent days refunded — the kinds of absence the canteen settings refund (sick,
  personal leave), and only absences of at least `meal_refund_days` school days in a row.

One bill per child and month: generating again recomputes the drafts in place and leaves issued bills
alone; an issued bill changes only by being voided with a reason and issued again. The accountant
records payments (amount, date, method); Houqin takes no money. Amounts are exact Decimal to the fen.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from houqin import policy
from houqin.core import calendar
from houqin.core import rules as core_rules
from houqin.core.bulk import update_alike_with_history
from houqin.core.errors import Conflict, raise_for
from houqin.core.rules import Figure, shipped_figure
from houqin.core.workflow import move
from houqin.finance.models import (
    BILL_TRANSITIONS,
    BillStatus,
    FeeBill,
    FeePayment,
    FeePaymentMethod,
    FeeStandard,
    FeeUnit,
    money,
)
from houqin.finance.services import _check_can, _save, parse_money

AREA = "finance"
RULES_FILE = Path(__file__).parent / "data" / "billing_rules.json"
RULE_LABELS = {
    "meal_refund_days": gettext_lazy("Meal fee refunded for absences of at least (school days in a row)"),
    "care_cut_days": gettext_lazy("Care fee reduced after an absence of (school days in a row)"),
    "care_cut_pct": gettext_lazy("Care fee reduced by (%)"),
}
RULE_LIMITS = {"meal_refund_days": (1, 31), "care_cut_days": (1, 31), "care_cut_pct": (0, 100)}
B = BillStatus
ABSENT = ("sick", "personal")
MEAL_WORD, CARE_WORD = "伙食", "保育"
BILL_FIELDS = ("school_class", "school_days", "present_days", "absent_days", "meal_days", "meal_refunded_days",
               "meal_fee_per_day", "meal_amount", "meal_refund", "care_fee", "care_amount", "care_reduction", "total",
               "rule_note")


# --- rule figures ----------------------------------------------------------------------------------


def _shipped() -> dict:
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def shipped_figures() -> list[Figure]:
    """The bills' rule figures as shipped, for core.rules: whole numbers within their limits."""
    return [shipped_figure(key=key, label=str(RULE_LABELS[key]), value=spec["value"], unit=spec.get("unit", ""),
                           source=spec["source"], status=spec["status"], places=0,
                           minimum=Decimal(RULE_LIMITS[key][0]), maximum=Decimal(RULE_LIMITS[key][1]))
            for key, spec in _shipped().items()]


def rules(kindergarten) -> dict[str, Figure]:
    return core_rules.figures(kindergarten, AREA)


# --- the calculation (pure) ------------------------------------------------------------------------


def absence_runs(days: list[tuple[dt.date, str]], kinds=ABSENT) -> list[int]:
    """The lengths of the runs of absence (statuses in `kinds`) in a child's register, in date order:
    the register holds school days only, so a weekend does not break a run."""
    runs, current = [], 0
    for _day, status in sorted(days):
        if status in kinds:
            current += 1
        else:
            if current:
                runs.append(current)
            current = 0
    if current:
        runs.append(current)
    return runs


def refunded_days(days: list[tuple[dt.date, str]], *, refundable, after: int) -> int:
    """Absent days refunded: the days of each run of refundable absence at least `after` days long."""
    return sum(n for n in absence_runs(days, tuple(refundable)) if n >= max(after, 1))


@dataclass(frozen=True)
class Standards:
    meal: FeeStandard | None
    care: FeeStandard | None


def compute_bill(*, days: list[tuple[dt.date, str]], enrolled_days: int, month_days: int, standards: Standards,
                 refundable, figures: dict) -> dict:
    """The figures of one child's bill (nothing saved). `days`: the child's register of the month
    [(date, status)]; `enrolled_days`: school days of the month the child was enrolled;
    `month_days`: school days of the month; `figures`: {rule key: value}."""
    present = sum(1 for _d, s in days if s == "present")
    absent = sum(1 for _d, s in days if s in ABSENT)
    fee = standards.meal.amount if standards.meal else Decimal("0")
    refunded = refunded_days(days, refundable=refundable, after=int(figures["meal_refund_days"]))
    meal_days = len(days) - refunded
    care_fee = standards.care.amount if standards.care else Decimal("0")
    care = care_fee if enrolled_days >= month_days else money(care_fee * enrolled_days / (month_days or 1))
    longest = max(absence_runs(days), default=0)
    reduction = Decimal("0")
    if care and longest >= int(figures["care_cut_days"]):
        reduction = money(care * Decimal(figures["care_cut_pct"]) / 100)
    meal_amount = money(fee * meal_days)
    return {
        "school_days": enrolled_days, "present_days": present, "absent_days": absent, "meal_days": meal_days,
        "meal_refunded_days": refunded, "meal_fee_per_day": fee, "meal_amount": meal_amount,
        "meal_refund": money(fee * refunded), "care_fee": care_fee, "care_amount": care - reduction,
        "care_reduction": reduction, "total": meal_amount + care - reduction,
    }


# --- reading what a bill needs ---------------------------------------------------------------------


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    start = month.replace(day=1)
    return start, (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def standards_for(kindergarten, month: dt.date) -> Standards:
    """The term's published per-day 伙食费 and per-month 保育(教育)费 fee standards."""
    year = month.year if month.month >= 8 else month.year - 1
    term = "autumn" if month.month >= 8 or month.month == 1 else "spring"
    fees = (FeeStandard.objects.active().filter(kindergarten=kindergarten, school_year=year, term=term,
                                                published_at__isnull=False).order_by("sort_order", "id"))
    meal = next((f for f in fees if f.unit == FeeUnit.PER_DAY and MEAL_WORD in f.item), None)
    care = next((f for f in fees if f.unit == FeeUnit.PER_MONTH and CARE_WORD in f.item), None)
    return Standards(meal=meal, care=care)


def refundable_kinds(kindergarten) -> tuple[str, ...]:
    """The absences refunded, as the canteen settings say (one rule for the bills and the meal account)."""
    from houqin.canteen.selectors import settings_for

    settings = settings_for(kindergarten)
    return tuple(k for k, on in (("sick", settings.refund_sick_days), ("personal", settings.refund_personal_days))
                 if on)


def _rule_note(figures: dict, refundable, standards: Standards) -> str:
    kinds = "、".join(str(_("sick leave") if k == "sick" else _("personal leave")) for k in refundable) or _("none")
    note = _("Meal fee: %(fee)s yuan a day registered; refunded: %(kinds)s, absences of %(after)s school days in a "
             "row or more. Care fee: %(pct)s %% off after %(care)s school days absent in a row.") % {
        "fee": standards.meal.amount if standards.meal else "0", "kinds": kinds,
        "after": figures["meal_refund_days"], "pct": figures["care_cut_pct"],
        "care": figures["care_cut_days"]}
    return note[:400]


def how_to_pay_text() -> str:
    return _("Pay at the finance office (cash or the kindergarten's payment code) or by bank transfer to the "
             "kindergarten's account, giving the child's name and the bill number. Houqin takes no payments online.")


def _billable_children(kindergarten, start: dt.date, end: dt.date):
    from houqin.org.models import Child

    return (Child.objects.active().filter(kindergarten=kindergarten, enrolled_on__lte=end)
            .filter(Q(left_on__isnull=True) | Q(left_on__gte=start)).select_related("school_class"))


def _check_month(month) -> dt.date:
    if not isinstance(month, dt.date):
        raise_for([{"field": "month", "message": _("Choose a month.")}])
    start = month.replace(day=1)
    if start > timezone.localdate():
        raise_for([{"field": "month", "message": _("This month has not begun: bill it once it has.")}])
    if start < dt.date(2000, 1, 1):
        raise_for([{"field": "month", "message": _("Choose a month.")}])
    return start


def _next_numbers(kindergarten, model, prefix: str, n: int) -> list[str]:
    last = model.objects.filter(kindergarten=kindergarten, number__startswith=prefix).aggregate(m=Max("number"))["m"]
    first = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return [f"{prefix}{i:04d}" for i in range(first, first + n)]


# --- use cases -------------------------------------------------------------------------------------


@transaction.atomic
def bills_generate(*, actor, month: dt.date, child=None) -> dict[str, int]:
    """Compute the month's bills (of every child enrolled during the month, or of one child): new
    drafts, drafts recomputed in place; issued and paid bills are kept as they are. {created,
    updated, kept}."""
    policy.require(actor, "finance.bill.change")
    start, end = month_bounds(_check_month(month))
    kg = actor.kindergarten
    if child is not None:
        policy.require(actor, "finance.bill.change", child)
        if child.left_on and child.left_on < start:
            raise_for([{"field": "child", "message": _(
                "%(name)s left on %(day)s, before this month: there is nothing to bill.") % {
                "name": child.name, "day": child.left_on.isoformat()}}])
        if child.enrolled_on > end:
            raise_for([{"field": "child", "message": _(
                "%(name)s was enrolled on %(day)s, after this month: there is nothing to bill.") % {
                "name": child.name, "day": child.enrolled_on.isoformat()}}])
    standards = standards_for(kg, start)
    if standards.meal is None and standards.care is None:
        raise_for([{"field": "month", "message": _(
            "This term has no published 保育教育费 (per month) or 伙食费 (per day) fee standard: publish the fee "
            "standards first.")}])
    figures = {k: f.value for k, f in rules(kg).items()}
    refundable = refundable_kinds(kg)
    note = _rule_note(figures, refundable, standards)
    month_school_days = calendar.school_days(start, end)
    children = _billable_children(kg, start, end)
    if child is not None:
        children = children.filter(pk=child.pk)
    children = list(children)
    from houqin.health.models import Attendance

    register: dict[int, list] = {}
    rows = Attendance.objects.filter(kindergarten=kg, date__gte=start, date__lte=end)
    if child is not None:
        rows = rows.filter(child=child)
    for child_id, day, status in rows.values_list("child_id", "date", "status"):
        register.setdefault(child_id, []).append((day, status))
    existing = {b.child_id: b for b in FeeBill.objects.active().select_for_update()
                .filter(kindergarten=kg, month=start, child_id__in=[c.pk for c in children])}
    new, changed, kept = [], [], 0
    for c in children:
        first, last = max(start, c.enrolled_on), min(end, c.left_on or end)
        enrolled = sum(1 for d in month_school_days if first <= d <= last)
        values = compute_bill(days=register.get(c.pk, []), enrolled_days=enrolled,
                              month_days=len(month_school_days), standards=standards, refundable=refundable,
                              figures=figures)
        values.update(school_class=c.school_class, rule_note=note)
        bill = existing.get(c.pk)
        if bill is None:
            new.append(FeeBill(kindergarten=kg, child=c, month=start, created_by=actor.user, **values))
        elif bill.status == B.DRAFT:
            for k, v in values.items():
                setattr(bill, k, v)
            changed.append(bill)
        else:
            kept += 1
    for bill, number in zip(new, _next_numbers(kg, FeeBill, f"{start:%Y%m}-", len(new)), strict=True):
        bill.number = number
    if new:
        try:
            with transaction.atomic():  # two people computing the same month at once: one of them wins
                bulk_create_with_history(new, FeeBill, default_user=actor.user, default_change_reason="generated")
        except IntegrityError:
            raise Conflict(_("Someone else is computing these bills right now: try again in a moment.")) from None
    if changed:
        bulk_update_with_history(changed, FeeBill, [*BILL_FIELDS, "updated_at"], default_user=actor.user,
                                 default_change_reason="recomputed")
    return {"created": len(new), "updated": len(changed), "kept": kept}


def _issue(bill: FeeBill, actor, now) -> FeeBill:
    move(bill, B.ISSUED, BILL_TRANSITIONS, message=_("This bill has already been issued."))
    if bill.total == 0:
        move(bill, B.PAID, BILL_TRANSITIONS)
    bill.issued_at, bill.issued_by, bill.how_to_pay = now, actor.user, how_to_pay_text()
    return bill


@transaction.atomic
def bills_issue(*, actor, month: dt.date) -> int:
    """Issue the month's drafts to the families (they see them in the parents' corner)."""
    policy.require(actor, "finance.bill.change")
    start = _check_month(month)
    drafts = list(FeeBill.objects.active().select_for_update()
                  .filter(kindergarten=actor.kindergarten, month=start, status=B.DRAFT))
    if not drafts:
        raise Conflict(_("There are no draft bills of this month to issue."))
    now = timezone.now()
    for bill in drafts:
        _issue(bill, actor, now)
    # updated_at is not among the fields: as with bulk_update (which writes the value read above and
    # calls no pre_save), it stays what it was
    update_alike_with_history(drafts, FeeBill, ["status", "issued_at", "issued_by", "how_to_pay"],
                              default_user=actor.user, default_change_reason="issued")
    return len(drafts)


@transaction.atomic
def bill_void(*, actor, bill: FeeBill, reason: str, reissue: bool = True) -> FeeBill | None:
    """Void an issued bill with a reason (a payment recorded on it must be voided first) and, by
    default, issue it again from today's register and fee standards. Returns the new bill."""
    _check_can(actor, "finance.bill.change", bill, view_capability="finance.bill.view")
    bill = bill.locked()
    if not bill.is_voided and bill.payments.active().exists():
        raise Conflict(_("Payments are recorded on this bill: void them first (with a reason), then the bill."))
    bill.void(actor=actor, reason=reason, already=_("This bill has already been voided."))
    if not reissue:
        return None
    bills_generate(actor=actor, month=bill.month, child=bill.child)
    new = FeeBill.objects.active().select_for_update().get(kindergarten=bill.kindergarten, child=bill.child_id,
                                                           month=bill.month)
    new.replaces = bill
    _issue(new, actor, timezone.now())
    return _save(new, actor, "reissued")


@transaction.atomic
def payment_record(*, actor, bill: FeeBill, amount, paid_on: dt.date, method: str, reference: str = "") -> FeePayment:
    """Record a payment of an issued bill (at most what is still due)."""
    _check_can(actor, "finance.bill.pay", bill, view_capability="finance.bill.view")
    bill = FeeBill.objects.select_for_update().get(pk=bill.pk)
    if bill.is_voided:
        raise Conflict(_("This bill has been voided."))
    if bill.status == B.DRAFT:
        raise Conflict(_("This bill is a draft: issue it before recording a payment."))
    if bill.status == B.PAID:
        raise Conflict(_("This bill is already paid in full."))
    errors = []
    try:
        value = parse_money(amount, allow_zero=False)
    except ValueError as exc:
        errors.append({"field": "amount", "message": str(exc)})
        value = None
    if value is not None and value > bill.due:
        errors.append({"field": "amount", "message": _(
            "%(amount)s yuan is more than the %(due)s yuan still due on this bill.") % {"amount": value,
                                                                                     "due": bill.due}})
    today = timezone.localdate()
    if not isinstance(paid_on, dt.date):
        errors.append({"field": "paid_on", "message": _("Enter the date of the payment.")})
    elif paid_on > today:
        errors.append({"field": "paid_on", "message": _("A payment is recorded after it was made.")})
    elif paid_on < bill.month - dt.timedelta(days=62):
        errors.append({"field": "paid_on", "message": _("This date is long before the bill's month: check it.")})
    if method not in FeePaymentMethod.values:
        errors.append({"field": "method", "message": _("Choose how it was paid.")})
    if errors:
        raise_for(errors)
    number = _next_numbers(bill.kindergarten, FeePayment, f"S{today:%Y%m}-", 1)[0]
    payment = FeePayment(kindergarten=bill.kindergarten, bill=bill, number=number, amount=value, paid_on=paid_on,
                         method=method, reference=" ".join((reference or "").split())[:60], created_by=actor.user)
    try:
        with transaction.atomic():  # two receipts numbered at the same moment: the second tries again
            _save(payment, actor, "recorded")
    except IntegrityError:
        raise Conflict(_("Another payment was being recorded at the same moment: try again.")) from None
    bill.paid_amount += value
    if bill.paid_amount == bill.total:
        move(bill, B.PAID, BILL_TRANSITIONS)
    _save(bill, actor, "payment")
    return payment


@transaction.atomic
def payment_void(*, actor, payment: FeePayment, reason: str) -> FeePayment:
    """Void a payment recorded by mistake (with a reason): its amount is due again."""
    _check_can(actor, "finance.bill.pay", payment, view_capability="finance.bill.view")
    payment = FeePayment.objects.select_for_update().get(pk=payment.pk)
    bill = FeeBill.objects.select_for_update().get(pk=payment.bill_id)
    payment.void(actor=actor, reason=reason, already=_("This payment has already been voided."))
    bill.paid_amount -= payment.amount
    if bill.status == B.PAID:
        move(bill, B.ISSUED, BILL_TRANSITIONS)
    _save(bill, actor, "payment voided")
    return payment


# --- what other areas read -------------------------------------------------------------------------


def meal_income(*, kindergarten, month: dt.date) -> dict | None:
    """The meal fees of the month's issued bills, for the canteen's meal account (its income):
    {bills, income, refunds, billed_days, refunded_days}; None when no bill of the month is issued."""
    start = month.replace(day=1)
    row = (FeeBill.objects.active().filter(kindergarten=kindergarten, month=start).exclude(status=B.DRAFT)
           .aggregate(n=Count("pk"), income=Sum("meal_amount"), refunds=Sum("meal_refund"), days=Sum("meal_days"),
                      refunded=Sum("meal_refunded_days")))
    if not row["n"]:
        return None
    return {"bills": row["n"], "income": row["income"], "refunds": row["refunds"], "billed_days": row["days"],
            "refunded_days": row["refunded"]}


def month_totals(bills) -> dict:
    """Totals of a list of bills: billed, paid, due, and how many are unpaid."""
    billed = sum((b.total for b in bills), Decimal("0"))
    paid = sum((b.paid_amount for b in bills), Decimal("0"))
    return {"count": len(bills), "billed": billed, "paid": paid, "due": billed - paid,
            "unpaid": sum(1 for b in bills if b.status == B.ISSUED),
            "drafts": sum(1 for b in bills if b.status == B.DRAFT),
            "meal": sum((b.meal_amount for b in bills), Decimal("0"))}



# --- reads -----------------------------------------------------------------------------------------


def _visible(actor, qs):
    """Families see issued bills only; drafts are the accountant's work."""
    return qs if actor.has("finance.bill.change") else qs.exclude(status=B.DRAFT)


def bill_list(*, actor, month: dt.date | None = None, status: str | None = None):
    qs = _visible(actor, FeeBill.objects.active().select_related("child", "school_class"))
    if month is not None:
        qs = qs.filter(month=month.replace(day=1))
    if status in B.values:
        qs = qs.filter(status=status)
    return policy.scoped(actor, "finance.bill.view", qs)


def get_bill(*, actor, code, capability: str = "finance.bill.view") -> FeeBill:
    qs = _visible(actor, FeeBill.objects.select_related("child", "school_class", "issued_by", "replaces"))
    return policy.get_or_404(actor, capability, qs, code=code)


def get_payment(*, actor, code, capability: str = "finance.bill.view") -> FeePayment:
    qs = FeePayment.objects.select_related("bill", "bill__child", "bill__school_class", "created_by")
    if not actor.has("finance.bill.change"):
        qs = qs.exclude(bill__status=B.DRAFT)
    return policy.get_or_404(actor, capability, qs, code=code)


def bill_payments(bill: FeeBill) -> list[FeePayment]:
    return list(bill.payments.all().select_related("created_by", "voided_by").order_by("paid_on", "id"))


# --- the receipt's amount in words (人民币大写) ------------------------------------------------------

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
BIG_UNITS = ("", "万", "亿", "万亿")


def _four_digits(n: int) -> str:
    out, zero = "", False
    for place, div in ((3, 1000), (2, 100), (1, 10), (0, 1)):
        d = n // div % 10
        if d == 0:
            zero = zero or bool(out)
            continue
        if zero:
            out, zero = out + "零", False
        out += DIGITS[d] + SMALL_UNITS[place]
    return out


def yuan_in_words(amount) -> str:
    """An amount in the capital numerals of receipts: 1483.50 → 壹仟肆佰捌拾叁元伍角整."""
    fen_total = int(money(amount) * 100)
    if fen_total == 0:
        return "零元整"
    yuan, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)
    out = ""
    if yuan:
        groups = []
        while yuan:
            yuan, group = divmod(yuan, 10000)
            groups.append(group)
        zero = False
        for i in range(len(groups) - 1, -1, -1):
            if groups[i] == 0:
                zero = True
                continue
            if out and (zero or groups[i] < 1000):
                out += "零"
            out += _four_digits(groups[i]) + BIG_UNITS[i]
            zero = False
        out += "元"
    if jiao:
        out += DIGITS[jiao] + "角"
    elif fen and out:
        out += "零"
    return out + (DIGITS[fen] + "分" if fen else "整")

"""Pages of the monthly fee bills (houqin.finance.billing): the accountant's month of bills, a bill
with its payments, the receipt PDF; parents see their own children's issued bills. Thin: parse,
call billing, render."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from houqin import policy
from houqin.core.errors import DomainError
from houqin.core.pdf import render_pdf
from houqin.core.web import add_domain_errors, rule_figure_post
from houqin.finance import billing
from houqin.finance.forms import BillPaymentForm, BillVoidForm, VoidForm
from houqin.finance.models import BillStatus


def _last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _month(request, source=None) -> dt.date:
    """The month asked for (`2026-11`); the last month when absent or not a month."""
    raw = ((source if source is not None else request.GET).get("month") or "").strip()
    try:
        year, month = (int(p) for p in raw.split("-")[:2])
        return dt.date(year, month, 1) if 2000 <= year <= 2100 else _last_month()
    except ValueError:
        if raw:
            messages.warning(request, _("“%(value)s” is not a month (write it as 2026-11); showing %(month)s.")
                             % {"value": raw[:20], "month": f"{_last_month():%Y-%m}"})
        return _last_month()


def _list_url(kg, month: dt.date) -> str:
    return reverse("finance:bill_list", kwargs={"kg": kg}) + f"?month={month:%Y-%m}"


def _detail(kg, bill) -> str:
    return reverse("finance:bill_detail", kwargs={"kg": kg, "code": bill.code})


@require_GET
@policy.requires("finance.bill.view")
def bill_list(request, kg):
    """The accountant's month of bills (totals, generate, issue, the rules); a family's own bills."""
    actor = request.actor
    if not actor.has("finance.bill.change"):
        bills = list(billing.bill_list(actor=actor).order_by("-month", "child__name_pinyin")[:60])
        return render(request, "finance/bill_family.html", {"bills": bills})
    month = _month(request)
    status = request.GET.get("status", "")
    bills = list(billing.bill_list(actor=actor, month=month))
    totals = billing.month_totals(bills)
    if status in BillStatus.values:
        bills = [b for b in bills if b.status == status]
    can_change = actor.has("finance.bill.change")
    return render(request, "finance/bill_list.html", {
        "bills": bills, "totals": totals, "month": month, "status": status, "statuses": BillStatus.choices,
        "previous": (month - dt.timedelta(days=1)).replace(day=1),
        "next": (month + dt.timedelta(days=32)).replace(day=1) if month < _last_month() + dt.timedelta(days=32)
        else None,
        "figures": list(billing.rules(actor.kindergarten).values()), "can_change": can_change,
        "post": reverse("finance:bill_list", kwargs={"kg": kg}) + "rules/",
    })


@require_POST
@policy.requires("finance.bill.change")
def bill_generate(request, kg):
    month = _month(request, request.POST)
    try:
        counts = billing.bills_generate(actor=request.actor, month=month)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Bills computed: %(created)d new, %(updated)d drafts recomputed, %(kept)d issued "
                                    "bills left as they are.") % counts)
    return redirect(_list_url(kg, month))


@require_POST
@policy.requires("finance.bill.change")
def bill_issue(request, kg):
    month = _month(request, request.POST)
    try:
        n = billing.bills_issue(actor=request.actor, month=month)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(n)d bills issued: the families see them in the parents' corner.") % {"n": n})
    return redirect(_list_url(kg, month))


@require_POST
@policy.requires("finance.bill.change")
def bill_rule_set(request, kg, key):
    return rule_figure_post(request, area=billing.AREA, key=key, back=reverse("finance:bill_list", kwargs={"kg": kg}))


@require_GET
@policy.requires("finance.bill.view")
def bill_detail(request, kg, code):
    actor = request.actor
    bill = billing.get_bill(actor=actor, code=code)
    can_pay = actor.has("finance.bill.pay") and bill.status == BillStatus.ISSUED and not bill.is_voided
    form = BillPaymentForm(initial={"paid_on": timezone.localdate(), "amount": bill.due}) if can_pay else None
    return render(request, "finance/bill_detail.html", {
        "bill": bill, "payments": billing.bill_payments(bill), "form": form, "can_pay": can_pay,
        "can_change": actor.has("finance.bill.change") and not bill.is_voided and bill.status != BillStatus.DRAFT,
        "can_void_payment": actor.has("finance.bill.pay"),
    })


@require_POST
@policy.requires("finance.bill.pay")
def bill_pay(request, kg, code):
    actor = request.actor
    bill = billing.get_bill(actor=actor, code=code, capability="finance.bill.pay")
    form = BillPaymentForm(request.POST)
    if form.is_valid():
        try:
            payment = billing.payment_record(actor=actor, bill=bill, **form.cleaned_data)
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("Payment recorded; receipt %(number)s.") % {"number": payment.number})
            return redirect(_detail(kg, bill))
    return render(request, "finance/bill_detail.html", {
        "bill": bill, "payments": billing.bill_payments(bill), "form": form, "can_pay": True,
        "can_change": actor.has("finance.bill.change"), "can_void_payment": True}, status=400)


@require_http_methods(["GET", "POST"])
@policy.requires("finance.bill.change")
def bill_void(request, kg, code):
    actor = request.actor
    bill = billing.get_bill(actor=actor, code=code, capability="finance.bill.change")
    form = BillVoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = billing.bill_void(actor=actor, bill=bill, reason=form.cleaned_data["reason"],
                                    reissue=form.cleaned_data["reissue"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The bill has been voided.") if new is None
                             else _("The bill has been voided and issued again as %(number)s.") % {"number": new.number})
            return redirect(_detail(kg, new or bill))
    return render(request, "finance/simple_form.html", {
        "form": form, "danger": True, "back": _detail(kg, bill),
        "title": _("Void bill %(number)s (%(child)s)") % {"number": bill.number, "child": bill.child.name}})


@require_http_methods(["GET", "POST"])
@policy.requires("finance.bill.pay")
def payment_void(request, kg, code):
    actor = request.actor
    payment = billing.get_payment(actor=actor, code=code, capability="finance.bill.pay")
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            billing.payment_void(actor=actor, payment=payment, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            messages.success(request, _("The payment has been voided: its amount is due again."))
            return redirect(_detail(kg, payment.bill))
    return render(request, "finance/simple_form.html", {
        "form": form, "danger": True, "back": _detail(kg, payment.bill),
        "title": _("Void payment %(number)s") % {"number": payment.number}})


@require_GET
@policy.requires("finance.bill.view")
def payment_receipt(request, kg, code):
    """The receipt (收据) of a payment, as a PDF."""
    payment = billing.get_payment(actor=request.actor, code=code)
    content = receipt_pdf(payment)
    response = HttpResponse(content, content_type="application/pdf")
    name = f"收据-{payment.number}-{payment.bill.child.name}.pdf"
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name)}"
    return response


def receipt_pdf(payment) -> bytes:
    bill = payment.bill
    return render_pdf("finance/fee_receipt_pdf.html", {
        "payment": payment, "bill": bill, "kindergarten": bill.kindergarten,
        "amount_words": billing.yuan_in_words(payment.amount)})

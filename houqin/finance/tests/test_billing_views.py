"""Fee bills as pages and through the API: the role × route × scope matrix, a fixed query count on
the lists, the accountant's flow (compute, issue, pay, receipt PDF), refusals that save nothing."""

import datetime as dt
import subprocess
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from houqin.finance import billing
from houqin.finance.models import BillStatus, FeeBill, FeePayment
from houqin.finance.tests.test_billing import MONTH, _register, _standards
from houqin.org.models import Role
from houqin.testing import MISSING, ChildFactory, run_matrix

pytestmark = pytest.mark.django_db

ROUTES = [
    ("/k/{kg}/finance/bills/", "finance.bill.view", None),
    ("/k/{kg}/finance/bills/?month=2026-11", "finance.bill.view", None),
    ("/k/{kg}/finance/bills/{code}/", "finance.bill.view", "bill"),
    ("/k/{kg}/finance/bills/{code}/void/", "finance.bill.change", "bill"),
    ("/k/{kg}/finance/payments/{code}/receipt.pdf", "finance.bill.view", "payment"),
    ("/k/{kg}/finance/payments/{code}/void/", "finance.bill.pay", "payment"),
    ("/api/k/{kg}/finance/bills", "finance.bill.view", None),
    ("/api/k/{kg}/finance/bills/{code}", "finance.bill.view", "bill"),
    ("/api/k/{kg}/finance/payments/{code}/receipt.pdf", "finance.bill.view", "payment"),
    ("/api/k/{kg}/finance/rules", "finance.bill.view", None),
]


def _issued(fin, k="k1"):
    _standards(fin, k)
    ns = getattr(fin.world, k)
    for child in ns.children:
        _register(fin.world, child, {2: "sick"} if child == ns.own_child else None)
    accountant = fin.actor(Role.ACCOUNTANT, k)
    billing.bills_generate(actor=accountant, month=MONTH)
    billing.bills_issue(actor=accountant, month=MONTH)
    bill = FeeBill.objects.get(child=ns.own_child, month=MONTH)
    payment = billing.payment_record(actor=accountant, bill=bill, amount="500", paid_on=fin.today, method="cash")
    return bill, payment


@pytest.fixture
def issued(fin):
    k1 = _issued(fin)
    k2 = _issued(fin, "k2")
    fin.bill, fin.payment = k1
    fin.objects = {"bill": {"k1": k1[0], "other_kg": k2[0], "missing": MISSING},
                   "payment": {"k1": k1[1], "other_kg": k2[1], "missing": MISSING}}
    return fin


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_matrix_every_role_every_route_every_scope(issued):
    mismatches, checked = run_matrix(issued.world, ROUTES, issued.objects)
    assert not mismatches, "\n".join(mismatches)
    assert checked > 100


def test_list_pages_have_a_fixed_query_count(issued):
    client = _client(issued.user(Role.ACCOUNTANT))
    url = "/k/k1/finance/bills/?month=2026-11"
    client.get(url)  # the session's first request loads more
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(3):  # more children, more bills
        _register(issued.world, ChildFactory(school_class=issued.world.k1.classes[1]))
    assert billing.bills_generate(actor=issued.actor(Role.ACCOUNTANT), month=MONTH)["created"] == 3
    with CaptureQueriesContext(connection) as more:
        assert client.get(url).status_code == 200
    assert len(more) == len(few) <= 25
    parent = _client(issued.user(Role.PARENT))
    parent.get("/k/k1/finance/bills/")
    with CaptureQueriesContext(connection) as family:
        page = parent.get("/k/k1/finance/bills/")
    assert page.status_code == 200 and len(family) <= 20
    api = _client(issued.user(Role.ACCOUNTANT))
    with CaptureQueriesContext(connection) as listed:
        assert api.get("/api/k/k1/finance/bills?year=2026&month=11").status_code == 200
    assert len(listed) <= 20


def test_the_parent_sees_the_bill_in_plain_words(issued):
    client = _client(issued.user(Role.PARENT))
    page = client.get("/k/k1/finance/bills/").content.decode()
    assert issued.world.k1.own_child.name in page and f"/k/k1/finance/bills/{issued.bill.code}/" in page
    assert "2026年11月" in page  # in Chinese
    detail = client.get(f"/k/k1/finance/bills/{issued.bill.code}/").content.decode()
    assert "还需缴纳" in detail or "Still to pay" in detail
    assert str(issued.bill.number) in detail
    assert "record-payment" not in detail and 'name="amount"' not in detail  # no accountant's form
    corner = client.get("/k/k1/family/").content.decode()
    assert "/k/k1/finance/bills/" in corner


def test_the_accountant_computes_issues_and_records_payments_through_pages(fin):
    _standards(fin)
    for child in fin.world.k1.children:
        _register(fin.world, child)
    client = _client(fin.user(Role.ACCOUNTANT))
    assert client.post("/k/k1/finance/bills/generate/", {"month": "2026-11"}).status_code == 302
    assert FeeBill.objects.filter(kindergarten=fin.world.k1.kg, status=BillStatus.DRAFT).count() == 6
    client.post("/k/k1/finance/bills/issue/", {"month": "2026-11"})
    bill = FeeBill.objects.get(child=fin.world.k1.own_child)
    assert bill.status == BillStatus.ISSUED and "转账" in bill.how_to_pay or "transfer" in bill.how_to_pay
    over = client.post(f"/k/k1/finance/bills/{bill.code}/pay/", {
        "amount": str(bill.total + 1), "paid_on": fin.today.isoformat(), "method": "cash"})
    assert over.status_code == 400 and not FeePayment.objects.exists()
    negative = client.post(f"/k/k1/finance/bills/{bill.code}/pay/", {
        "amount": "-3", "paid_on": fin.today.isoformat(), "method": "cash"})
    assert negative.status_code == 400 and not FeePayment.objects.exists()
    ok = client.post(f"/k/k1/finance/bills/{bill.code}/pay/", {
        "amount": str(bill.total), "paid_on": fin.today.isoformat(), "method": "scan"})
    assert ok.status_code == 302
    bill.refresh_from_db()
    assert bill.status == BillStatus.PAID


def test_api_flow_and_refusals(fin):
    _standards(fin)
    for child in fin.world.k1.children:
        _register(fin.world, child)
    client = _client(fin.user(Role.ACCOUNTANT))
    made = client.post("/api/k/k1/finance/bills/generate", {"month": "2026-11-03"}, content_type="application/json")
    assert made.status_code == 200 and made.json()["created"] == 6
    assert client.post("/api/k/k1/finance/bills/issue", {"month": "2026-11-01"},
                       content_type="application/json").json() == {"issued": 6}
    bill = FeeBill.objects.get(child=fin.world.k1.own_child)
    url = f"/api/k/k1/finance/bills/{bill.code}/payments"
    for amount in ("-1", str(bill.total + Decimal("0.01"))):
        refused = client.post(url, {"amount": amount, "paid_on": fin.today.isoformat(), "method": "cash"},
                              content_type="application/json")
        assert refused.status_code == 422, refused.content
    assert not FeePayment.objects.exists()
    paid = client.post(url, {"amount": "100.00", "paid_on": fin.today.isoformat(), "method": "cash"},
                       content_type="application/json")
    assert paid.status_code == 201 and paid.json()["amount"] == "100.00"
    detail = client.get(f"/api/k/k1/finance/bills/{bill.code}").json()
    assert Decimal(detail["due"]) == bill.total - Decimal("100.00") and len(detail["payments"]) == 1
    refused = client.post(f"/api/k/k1/finance/bills/{bill.code}/void", {"reason": "错了"},
                          content_type="application/json")
    assert refused.status_code == 409
    left = fin.world.k1.children[1]
    left.left_on = dt.date(2026, 10, 20)
    left.save()
    refused = client.post("/api/k/k1/finance/bills/generate", {"month": "2026-11-01", "child_code": str(left.code)},
                          content_type="application/json")
    assert refused.status_code == 422 and "2026-10-20" in refused.content.decode()


def test_the_receipt_pdf_is_chinese_and_renders(issued, tmp_path):
    client = _client(issued.user(Role.PARENT))
    response = client.get(f"/k/k1/finance/payments/{issued.payment.code}/receipt.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "收" in text and "伍佰元整" in text and issued.payment.number in text


def test_amount_in_words():
    assert billing.yuan_in_words(Decimal("1483.50")) == "壹仟肆佰捌拾叁元伍角整"
    assert billing.yuan_in_words(Decimal("1005")) == "壹仟零伍元整"
    assert billing.yuan_in_words(Decimal("100500")) == "壹拾万零伍佰元整"
    assert billing.yuan_in_words(Decimal("0.05")) == "伍分"
    assert billing.yuan_in_words(Decimal("20.05")) == "贰拾元零伍分"
    assert billing.yuan_in_words(Decimal("0")) == "零元整"

"""The JSON API: the same services and policy as the pages; amounts are exact decimal strings."""

import pytest

from houqin.core.models import AuditEvent
from houqin.finance.models import Expense, PurchaseRequest, Signature
from houqin.finance.tests.helpers import make_expense, png_bytes, signed_expense, upload
from houqin.org.models import Role

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_a_purchase_request_through_the_api(fin, login):
    client = login(fin.user(Role.STOREKEEPER))
    response = client.post("/api/k/k1/finance/purchases", {
        "title": "A4复印纸", "reason": "打印用纸", "category_code": str(fin.category().code), "submit": True,
        "lines": [{"description": "A4复印纸", "quantity": "20", "unit": "箱", "unit_price": "128.00"}],
    }, content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["total"] == "2560.00" and body["status"] == "submitted"
    assert body["approvals"]["needs_principal"] is True
    assert body["lines"][0]["amount"] == "2560.00"
    code = body["code"]
    director = login(fin.user(Role.DIRECTOR))
    assert director.post(f"/api/k/k1/finance/purchases/{code}/approve").json()["status"] == "director_approved"
    assert client.post(f"/api/k/k1/finance/purchases/{code}/approve").status_code == 403  # no capability
    principal = login(fin.user(Role.PRINCIPAL))
    approved = principal.post(f"/api/k/k1/finance/purchases/{code}/approve").json()
    assert approved["status"] == "approved" and approved["approvals"]["principal_approved_by"]
    assert principal.post(f"/api/k/k1/finance/purchases/{code}/approve").status_code == 409


def test_bad_input_is_422_with_fields_and_saves_nothing(fin, login):
    client = login(fin.user(Role.STOREKEEPER))
    response = client.post("/api/k/k1/finance/purchases", {
        "title": "纸", "reason": "用", "category_code": str(fin.category().code),
        "lines": [{"description": "纸", "quantity": "0", "unit": "箱", "unit_price": "1.005"}],
    }, content_type=JSON)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"lines.0.quantity", "lines.0.unit_price"} <= fields
    assert not PurchaseRequest.objects.exists()
    other_kg = client.post("/api/k/k1/finance/purchases", {
        "title": "纸", "reason": "用", "category_code": str(fin.category("办公用品", "k2").code),
        "lines": [{"description": "纸", "quantity": "1", "unit": "箱", "unit_price": "1"}],
    }, content_type=JSON)
    assert other_kg.status_code == 422 and not PurchaseRequest.objects.exists()


def test_an_expense_through_the_api_with_a_receipt_upload(fin, login):
    director = login(fin.user(Role.DIRECTOR))
    response = director.post("/api/k/k1/finance/expenses", {
        "title": "插座", "amount": "36.80", "category_code": str(fin.category("维修").code),
        "spent_on": fin.today.isoformat(), "payee": "五金店",
    }, content_type=JSON)
    assert response.status_code == 201, response.content
    code = response.json()["code"]
    assert response.json()["next_step"] == "handler" and response.json()["amount"] == "36.80"
    # no receipt yet: the handler cannot sign
    refused = director.post(f"/api/k/k1/finance/expenses/{code}/sign", {}, content_type=JSON)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "receipts"
    bad = director.post(f"/api/k/k1/finance/expenses/{code}/receipts",
                        {"file": upload(b"not an image", "r.png")})
    assert bad.status_code == 422
    added = director.post(f"/api/k/k1/finance/expenses/{code}/receipts", {"file": upload(png_bytes(), "r.png")})
    assert added.status_code == 201, added.content
    assert director.get(added.json()["url"]).status_code == 200
    signed = director.post(f"/api/k/k1/finance/expenses/{code}/sign", {}, content_type=JSON)
    assert signed.status_code == 200 and signed.json()["next_step"] == "acceptor"
    # the same person again: 403, nothing changed
    again = director.post(f"/api/k/k1/finance/expenses/{code}/sign", {"step": "acceptor"}, content_type=JSON)
    assert again.status_code == 403
    assert Signature.objects.filter(expense__code=code).count() == 1


def test_the_creator_cannot_approve_their_own_expense_403(fin, login):
    expense = make_expense(fin, role=Role.STOREKEEPER, handler=fin.user(Role.CANTEEN))
    login(fin.user(Role.CANTEEN)).post(f"/api/k/k1/finance/expenses/{expense.code}/sign", {}, content_type=JSON)
    response = login(fin.user(Role.STOREKEEPER)).post(f"/api/k/k1/finance/expenses/{expense.code}/sign",
                                                       {"step": "acceptor"}, content_type=JSON)
    assert response.status_code == 403
    assert Signature.objects.filter(expense=expense).count() == 1


def test_out_of_order_is_422_and_a_second_signature_of_a_step_is_409(fin, login):
    expense = make_expense(fin)
    principal = login(fin.user(Role.PRINCIPAL))
    response = principal.post(f"/api/k/k1/finance/expenses/{expense.code}/sign", {"step": "principal"},
                              content_type=JSON)
    assert response.status_code == 422 and response.json()["code"] == "out_of_order"
    done = signed_expense(fin)
    response = principal.post(f"/api/k/k1/finance/expenses/{done.code}/sign", {"step": "principal"}, content_type=JSON)
    assert response.status_code == 409


def test_pay_and_void_through_the_api(fin, login):
    expense = signed_expense(fin)
    accountant = login(fin.user(Role.ACCOUNTANT))
    paid = accountant.post(f"/api/k/k1/finance/expenses/{expense.code}/pay",
                           {"paid_on": fin.today.isoformat(), "method": "transfer", "reference": "PZ1"},
                           content_type=JSON)
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    assert accountant.post(f"/api/k/k1/finance/expenses/{expense.code}/void", {"reason": "x"},
                           content_type=JSON).status_code == 403
    principal = login(fin.user(Role.PRINCIPAL))
    assert principal.post(f"/api/k/k1/finance/expenses/{expense.code}/void", {"reason": ""},
                          content_type=JSON).status_code == 422
    voided = principal.post(f"/api/k/k1/finance/expenses/{expense.code}/void", {"reason": "重复"}, content_type=JSON)
    assert voided.json()["voided"] is True and voided.json()["void_reason"] == "重复"
    assert AuditEvent.objects.filter(action="finance.expense.void").count() == 1
    assert Expense.objects.get(pk=expense.pk).status == "voided"


def test_budgets_report_settings_through_the_api(fin, login):
    accountant = login(fin.user(Role.ACCOUNTANT))
    category = fin.category("教玩具")
    row = accountant.post("/api/k/k1/finance/budgets", {"category_code": str(category.code), "year": 2027,
                                                        "amount": "80000.00"}, content_type=JSON)
    assert row.status_code == 200 and row.json()["budget"] == "80000.00"
    table = accountant.get("/api/k/k1/finance/budgets?year=2027").json()
    assert table["total_budget"] == "80000.00"
    assert accountant.get("/api/k/k1/finance/budgets?year=3000").status_code == 422  # outside 1900-2100
    assert accountant.post("/api/k/k1/finance/settings", {"approval_threshold": "1"},
                           content_type=JSON).status_code == 403
    principal = login(fin.user(Role.PRINCIPAL))
    assert principal.get("/api/k/k1/finance/settings").json() == {"approval_threshold": "2000.00",
                                                                   "food_in_budget": False, "is_default": True}
    changed = principal.post("/api/k/k1/finance/settings", {"approval_threshold": "3000"}, content_type=JSON).json()
    assert changed["approval_threshold"] == "3000.00" and changed["is_default"] is False
    report = principal.get(f"/api/k/k1/finance/report?year={fin.today.year}&month={fin.today.month}")
    assert report.status_code == 200 and "expenses" in report.json()
    xlsx = principal.get(f"/api/k/k1/finance/report/{fin.today.year}/{fin.today.month}.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"

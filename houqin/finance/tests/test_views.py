"""The pages and the API: the role × route × scope matrix, fixed query counts, and the main flows
through the browser's forms (multipart receipts, signing, paying)."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from houqin.finance import services
from houqin.finance.models import Expense, ExpenseStatus, FeeStandard, PurchaseRequest, Receipt, RepairRequest
from houqin.finance.tests.helpers import make_expense, make_purchase, make_repair, png_bytes, signed_expense, upload
from houqin.org.models import Role
from houqin.testing import HOME_QUERY_BUDGET, MISSING, count_queries, query_count_mismatches, run_matrix

pytestmark = pytest.mark.django_db

ROUTES = [
    ("/k/{kg}/finance/purchases/", "finance.purchase.view", None),
    ("/k/{kg}/finance/purchases/?status=awaiting", "finance.purchase.view", None),
    ("/k/{kg}/finance/purchases/new/", "finance.purchase.create", None),
    ("/k/{kg}/finance/purchases/from-stock/?items=", "finance.purchase.create", None),
    ("/k/{kg}/finance/purchases/{code}/", "finance.purchase.view", "purchase"),
    ("/k/{kg}/finance/repairs/", "finance.repair.view", None),
    ("/k/{kg}/finance/repairs/new/", "finance.repair.create", None),
    ("/k/{kg}/finance/repairs/{code}/", "finance.repair.view", "repair"),
    ("/k/{kg}/finance/repairs/{code}/done/", "finance.repair.record", "repair"),
    ("/k/{kg}/finance/expenses/", "finance.expense.view", None),
    ("/k/{kg}/finance/expenses/new/", "finance.expense.create", None),
    ("/k/{kg}/finance/expenses/{code}/", "finance.expense.view", "expense"),
    ("/k/{kg}/finance/expenses/{code}/void/", "finance.expense.view", "expense"),
    ("/k/{kg}/finance/receipts/{code}/", "finance.expense.view", "receipt"),
    ("/k/{kg}/finance/budgets/", "finance.budget.view", None),
    ("/k/{kg}/finance/settings/", "finance.settings.change", None),
    ("/k/{kg}/finance/report/", "finance.report.view", None),
    ("/k/{kg}/finance/report/2026-10.xlsx", "finance.report.view", None),
    ("/k/{kg}/finance/report/2026-10.pdf", "finance.report.view", None),
    ("/k/{kg}/finance/fees/", "finance.fees.view", None),
    ("/k/{kg}/finance/fees/new/", "finance.fees.change", None),
    ("/k/{kg}/finance/fees/{code}/edit/", "finance.fees.change", "fee"),
    ("/k/{kg}/finance/fees/{code}/void/", "finance.fees.change", "fee"),
    ("/api/k/{kg}/finance/purchases", "finance.purchase.view", None),
    ("/api/k/{kg}/finance/purchases/{code}", "finance.purchase.view", "purchase"),
    ("/api/k/{kg}/finance/repairs", "finance.repair.view", None),
    ("/api/k/{kg}/finance/repairs/{code}", "finance.repair.view", "repair"),
    ("/api/k/{kg}/finance/expenses", "finance.expense.view", None),
    ("/api/k/{kg}/finance/expenses/{code}", "finance.expense.view", "expense"),
    ("/api/k/{kg}/finance/receipts/{code}", "finance.expense.view", "receipt"),
    ("/api/k/{kg}/finance/categories", "finance.budget.view", None),
    ("/api/k/{kg}/finance/budgets?year=2026", "finance.budget.view", None),
    ("/api/k/{kg}/finance/report?year=2026&month=10", "finance.report.view", None),
    ("/api/k/{kg}/finance/report/2026/10.xlsx", "finance.report.view", None),
    ("/api/k/{kg}/finance/settings", "finance.budget.view", None),
    ("/api/k/{kg}/finance/fees", "finance.fees.view", None),
]


def _objects(fin):
    def four(k1_obj, k2_obj):
        return {"k1": k1_obj, "other_kg": k2_obj, "missing": MISSING}

    e1, e2 = make_expense(fin), make_expense(fin, k="k2")
    fees = [services.fee_standard_create(actor=fin.actor(Role.ACCOUNTANT, k), school_year=2026, term="autumn",
                                         item="保育费", amount="1200", unit="month") for k in ("k1", "k2")]
    return {
        "purchase": four(make_purchase(fin), make_purchase(fin, k="k2")),
        "repair": four(make_repair(fin), make_repair(fin, k="k2")),
        "expense": four(e1, e2),
        "receipt": four(e1.receipts.get(), e2.receipts.get()),
        "fee": four(*fees),
    }


def test_matrix_every_role_every_route_every_scope(fin):
    mismatches, checked = run_matrix(fin.world, ROUTES, _objects(fin))
    assert mismatches == []
    assert checked > 700


def test_every_route_of_k2_is_not_found_for_k1_members(fin):
    objects = _objects(fin)
    for role, user in fin.world.k1.users.items():
        client = Client()
        client.force_login(user)
        for template, _capability, kind in ROUTES:
            obj = objects[kind]["other_kg"] if kind else None
            url = template.format(kg="k2", code=getattr(obj, "code", None))
            assert client.get(url).status_code == 404, (role, url)


def test_state_changes_by_get_are_refused(fin, login):
    purchase, expense = make_purchase(fin), make_expense(fin)
    client = login(fin.user(Role.PRINCIPAL))
    for url in (f"/k/k1/finance/purchases/{purchase.code}/approve/", f"/k/k1/finance/expenses/{expense.code}/sign/",
                f"/k/k1/finance/expenses/{expense.code}/pay/", "/k/k1/finance/budgets/save/"):
        assert client.get(url).status_code == 405, url
    purchase.refresh_from_db()
    assert purchase.status == "submitted"


def test_posts_need_the_csrf_token(fin):
    expense = make_expense(fin)
    client = Client(enforce_csrf_checks=True)
    client.force_login(fin.user(Role.DIRECTOR))
    response = client.post(f"/k/k1/finance/expenses/{expense.code}/sign/", {"step": "handler"})
    assert response.status_code == 403
    assert not expense.signatures.exists()


# --- query counts -------------------------------------------------------------------------------

LIST_URLS = [
    "/k/k1/",
    "/k/k1/finance/purchases/",
    "/k/k1/finance/repairs/",
    "/k/k1/finance/expenses/",
    "/k/k1/finance/budgets/",
    "/k/k1/finance/report/?month=2026-11",
    "/k/k1/finance/fees/",
    "/api/k/k1/finance/purchases",
    "/api/k/k1/finance/repairs",
    "/api/k/k1/finance/expenses",
    "/api/k/k1/finance/categories",
    "/api/k/k1/finance/budgets?year=2026",
    "/api/k/k1/finance/report?year=2026&month=11",
    "/api/k/k1/finance/fees",
]


_SERIAL = __import__("itertools").count()


def _grow(fin, n=6):
    for _ in range(n):
        i = next(_SERIAL)
        purchase = make_purchase(fin, price=f"{10 + i}.00")
        services.request_approve(actor=fin.actor(Role.DIRECTOR), request=purchase)
        make_repair(fin)
        expense = signed_expense(fin, amount=f"{20 + i}.00")
        services.expense_pay(actor=fin.actor(Role.ACCOUNTANT), expense=expense, paid_on=fin.today, method="cash")
        signed_expense(fin, upto="handler", amount="5.00", role=Role.STOREKEEPER)
        services.category_create(actor=fin.actor(Role.ACCOUNTANT), name=f"新科目{i}")
        fee = services.fee_standard_create(actor=fin.actor(Role.ACCOUNTANT), school_year=2026, term="autumn",
                                           item=f"费用{i}", amount="10", unit="month")
        services.fee_standard_publish(actor=fin.actor(Role.ACCOUNTANT), fee=fee)


def test_query_count_does_not_grow_with_rows(fin, login):
    """Every page and list of LIST_URLS, counted on one world grown from few rows to many (grown once
    for all of them)."""
    client = login(fin.user(Role.PRINCIPAL))
    _grow(fin, 1)
    counted, wrong = query_count_mismatches(LIST_URLS, lambda url: client, lambda: _grow(fin, 6), budget=20)
    assert wrong == [], "\n".join(wrong)
    assert len(counted) == len(LIST_URLS) == 14


def test_the_principals_home_page_stays_within_the_shells_budget(fin, login):
    client = login(fin.user(Role.PRINCIPAL))
    _grow(fin, 2)
    client.get("/k/k1/")
    assert count_queries(client, "/k/k1/") <= HOME_QUERY_BUDGET


# --- flows through the pages --------------------------------------------------------------------


def test_record_an_expense_with_a_photo_then_sign_pay(fin, login):
    director = login(fin.user(Role.DIRECTOR))
    response = director.post("/k/k1/finance/expenses/new/", {
        "title": "教室插座面板", "amount": "36.80", "category": fin.category("维修").pk, "spent_on": fin.today.isoformat(),
        "payee": "城南五金店", "photo": upload(png_bytes(), "IMG_2001.png"),
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    expense = Expense.objects.get(title="教室插座面板")
    assert response["Location"].endswith(f"/finance/expenses/{expense.code}/")
    assert expense.amount == Decimal("36.80") and expense.receipts.count() == 1

    page = director.get(response["Location"]).content.decode()
    assert 'data-testid="sign-handler"' in page and 'data-testid="sign-principal"' not in page
    director.post(f"/k/k1/finance/expenses/{expense.code}/sign/", {"step": "handler"})
    login(fin.user(Role.STOREKEEPER)).post(f"/k/k1/finance/expenses/{expense.code}/sign/", {"step": "acceptor"})
    principal = login(fin.user(Role.PRINCIPAL))
    principal.post(f"/k/k1/finance/expenses/{expense.code}/sign/", {"step": "principal"})
    accountant = login(fin.user(Role.ACCOUNTANT))
    page = accountant.get(f"/k/k1/finance/expenses/{expense.code}/").content.decode()
    assert 'data-testid="pay-button"' in page
    accountant.post(f"/k/k1/finance/expenses/{expense.code}/pay/", {"paid_on": fin.today.isoformat(),
                                                                   "method": "transfer"})
    expense.refresh_from_db()
    assert expense.status == ExpenseStatus.PAID


def test_an_expense_without_a_receipt_is_not_recorded_from_the_page(fin, login):
    client = login(fin.user(Role.DIRECTOR))
    response = client.post("/k/k1/finance/expenses/new/", {
        "title": "无票", "amount": "10", "category": fin.category().pk, "spent_on": fin.today.isoformat(), "payee": "店",
    })
    assert response.status_code == 200 and not Expense.objects.exists()


def test_a_bad_receipt_on_the_page_shows_the_message_and_records_nothing(fin, login):
    client = login(fin.user(Role.DIRECTOR))
    response = client.post("/k/k1/finance/expenses/new/", {
        "title": "票", "amount": "10", "category": fin.category().pk, "spent_on": fin.today.isoformat(), "payee": "店",
        "receipts": upload(b"MZ\x90\x00 an exe", "receipt.pdf", "application/pdf"),
    })
    assert response.status_code == 200
    assert "receipt.pdf" in response.content.decode()
    assert not Expense.objects.exists() and not Receipt.objects.exists()


def test_signing_out_of_order_shows_a_message_and_changes_nothing(fin, login):
    expense = make_expense(fin)
    services.expense_sign(actor=fin.actor(Role.DIRECTOR), expense=expense)
    client = login(fin.user(Role.PRINCIPAL))
    response = client.post(f"/k/k1/finance/expenses/{expense.code}/sign/", {"step": "principal"}, follow=True)
    assert response.status_code == 200
    assert re.search(r'class="alert alert-danger"', response.content.decode())
    expense.refresh_from_db()
    assert expense.status == ExpenseStatus.HANDLER_SIGNED and expense.signatures.count() == 1


def test_the_receipt_is_served_only_through_the_policy(fin, login):
    expense = make_expense(fin)
    receipt = expense.receipts.get()
    url = f"/k/k1/finance/receipts/{receipt.code}/"
    response = login(fin.user(Role.PRINCIPAL)).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert login(fin.user(Role.CLASS_TEACHER)).get(url).status_code == 403
    assert login(fin.user(Role.PRINCIPAL, "k2")).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    assert Client().get(f"/media/{receipt.file.name}").status_code == 404  # no public address


def test_a_purchase_request_from_the_form_with_more_lines(fin, login):
    client = login(fin.user(Role.STOREKEEPER))
    data = {"title": "打印耗材", "reason": "硒鼓用完", "category": fin.category().pk, "budget_year": fin.today.year,
            "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0",
            "lines-0-description": "硒鼓", "lines-0-quantity": "2", "lines-0-unit": "个", "lines-0-unit_price": "135.00",
            "lines-1-description": "", "lines-1-quantity": "", "lines-1-unit": "", "lines-1-unit_price": ""}
    more = client.post("/k/k1/finance/purchases/new/", {**data, "more": "1"})
    assert more.status_code == 200 and more.content.decode().count('data-testid="line"') == 5
    assert not PurchaseRequest.objects.exists()
    response = client.post("/k/k1/finance/purchases/new/", {**data, "action": "submit"})
    assert response.status_code == 302
    purchase = PurchaseRequest.objects.get()
    assert purchase.status == "submitted" and purchase.total == Decimal("270.00")


def test_a_bad_line_is_shown_on_its_line(fin, login):
    client = login(fin.user(Role.STOREKEEPER))
    response = client.post("/k/k1/finance/purchases/new/", {
        "title": "纸", "reason": "用", "category": fin.category().pk, "budget_year": fin.today.year,
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-description": "纸", "lines-0-quantity": "1",
        "lines-0-unit": "", "lines-0-unit_price": "3", "action": "draft"})
    assert response.status_code == 200 and not PurchaseRequest.objects.exists()
    assert "invalid-feedback" in response.content.decode()


def test_from_stock_prefills_the_named_items_and_leaves_food_out(fin, login):
    from houqin.stock.models import Item

    kg = fin.world.k1.kg
    paper = Item.objects.create(kindergarten=kg, name="A4复印纸", spec="70g", unit="箱", category="paper",
                                minimum_level=Decimal("5"))
    rice = Item.objects.create(kindergarten=kg, name="大米", unit="袋", category="grain_oil", minimum_level=Decimal("3"))
    expiring = Item.objects.create(kindergarten=kg, name="胶水", unit="支", category="office", minimum_level=Decimal("0"))
    client = login(fin.user(Role.STOREKEEPER))
    page = client.get(f"/k/k1/finance/purchases/from-stock/?items={paper.code},{rice.code},{expiring.code},nonsense")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'value="A4复印纸（70g）"' in body and 'value="10"' in body  # twice the minimum, none on hand
    assert "大米" not in re.sub(r'<div class="alert[^>]*>.*?</div>', "", body, flags=re.S)
    assert 'value="胶水"' in body  # named but not low (replacing stock about to expire): at least one
    assert f'value="{paper.code}"' in body
    other = Item.objects.create(kindergarten=fin.world.k2.kg, name="外园纸", unit="箱", category="paper",
                                minimum_level=Decimal("5"))
    assert "外园纸" not in client.get(f"/k/k1/finance/purchases/from-stock/?items={other.code}").content.decode()


def test_from_stock_saves_the_link_to_the_item(fin, login):
    from houqin.stock.models import Item

    paper = Item.objects.create(kindergarten=fin.world.k1.kg, name="A4复印纸", unit="箱", category="paper",
                                minimum_level=Decimal("5"))
    client = login(fin.user(Role.STOREKEEPER))
    response = client.post(f"/k/k1/finance/purchases/from-stock/?items={paper.code}", {
        "title": "补货", "reason": "低于下限", "category": fin.category().pk, "budget_year": fin.today.year,
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-description": "A4复印纸",
        "lines-0-quantity": "10", "lines-0-unit": "箱", "lines-0-unit_price": "128.00",
        "lines-0-stock_item": str(paper.code), "action": "submit"})
    assert response.status_code == 302
    assert PurchaseRequest.objects.get().lines.get().stock_item == paper


def test_a_repair_from_the_asset_register(fin, login):
    from houqin.assets.models import Asset

    world = fin.world
    asset = Asset.objects.create(kindergarten=world.k1.kg, label_code="ZC-0101", name="消毒柜",
                                 campus=world.k1.campuses[0], quantity=Decimal("1"))
    client = login(fin.user(Role.DIRECTOR))
    page = client.get(f"/k/k1/finance/repairs/new/?asset={asset.code}").content.decode()
    assert "ZC-0101" in page and 'value="消毒柜"' in page
    response = client.post(f"/k/k1/finance/repairs/new/?asset={asset.code}", {
        "title": "消毒柜不加热", "location": "厨房", "reason": "不加热", "category": fin.category("维修").pk,
        "estimated_cost": "300", "budget_year": fin.today.year, "asset": str(asset.code), "action": "submit"})
    assert response.status_code == 302
    assert RepairRequest.objects.get().asset == asset


def test_approve_and_reject_from_the_page(fin, login):
    purchase = make_purchase(fin)
    director = login(fin.user(Role.DIRECTOR))
    page = director.get(f"/k/k1/finance/purchases/{purchase.code}/").content.decode()
    assert 'data-testid="approve"' in page
    director.post(f"/k/k1/finance/purchases/{purchase.code}/reject/", {"reason": ""})
    purchase.refresh_from_db()
    assert purchase.status == "submitted"
    director.post(f"/k/k1/finance/purchases/{purchase.code}/approve/")
    purchase.refresh_from_db()
    assert purchase.status == "approved"
    storekeeper = login(fin.user(Role.STOREKEEPER))
    assert 'data-testid="approve"' not in storekeeper.get(f"/k/k1/finance/purchases/{purchase.code}/").content.decode()


def test_the_repair_is_recorded_done_from_the_page(fin, login):
    repair = make_repair(fin)
    services.request_approve(actor=fin.actor(Role.DIRECTOR), request=repair)
    client = login(fin.user(Role.STOREKEEPER))
    response = client.post(f"/k/k1/finance/repairs/{repair.code}/done/", {
        "fixed_by": "in_house", "fixer_name": "后勤维修组", "actual_cost": "12.50", "repaired_on": fin.today.isoformat()})
    assert response.status_code == 302
    repair.refresh_from_db()
    assert repair.status == "done" and repair.actual_cost == Decimal("12.50")


def test_the_accountant_saves_budgets_from_the_page(fin, login):
    from houqin.finance.models import Budget

    client = login(fin.user(Role.ACCOUNTANT))
    category = fin.category("教玩具")
    response = client.post("/k/k1/finance/budgets/save/", {"year": "2027", f"c_{category.code.hex}": "88000.00"})
    assert response.status_code == 302
    assert Budget.objects.get(category=category, year=2027).amount == Decimal("88000.00")
    page = client.get("/k/k1/finance/budgets/?year=2027").content.decode()
    assert "88000.00" in page


def test_parents_read_the_published_fees(fin, login):
    fee = services.fee_standard_create(actor=fin.actor(Role.ACCOUNTANT), school_year=2026, term="autumn",
                                       item="保育教育费", amount="1200", unit="month")
    services.fee_standard_create(actor=fin.actor(Role.ACCOUNTANT), school_year=2026, term="autumn",
                                 item="草稿费", amount="1", unit="month")
    services.fee_standard_publish(actor=fin.actor(Role.PRINCIPAL), fee=fee)
    parent = login(fin.user(Role.PARENT))
    page = parent.get("/k/k1/finance/fees/").content.decode()
    assert "保育教育费" in page and "¥1,200.00" in page and "草稿费" not in page
    api = parent.get("/api/k/k1/finance/fees?drafts=true").json()
    assert [f["item"] for f in api] == ["保育教育费"] and api[0]["amount"] == "1200.00"
    assert FeeStandard.objects.count() == 2


def test_each_role_sees_what_waits_for_it_on_the_home_page(fin, login):
    from houqin.core.registry import todos_for

    purchase = make_purchase(fin, price="1500.00", quantity="2")  # needs both approvals
    expense = make_expense(fin)  # waits for the director's own signature as handler
    titles = {role: [t.url for t in todos_for(fin.actor(role)) if t.area == "finance"]
              for role in (Role.DIRECTOR, Role.PRINCIPAL, Role.STOREKEEPER, Role.ACCOUNTANT, Role.CLASS_TEACHER)}
    assert "/k/k1/finance/purchases/?status=awaiting" in titles[Role.DIRECTOR]
    assert "/k/k1/finance/expenses/?status=signing" in titles[Role.DIRECTOR]
    assert titles[Role.PRINCIPAL] == [] and titles[Role.STOREKEEPER] == [] and titles[Role.CLASS_TEACHER] == []
    services.request_approve(actor=fin.actor(Role.DIRECTOR), request=purchase)
    services.expense_sign(actor=fin.actor(Role.DIRECTOR), expense=expense)
    assert [t.url for t in todos_for(fin.actor(Role.PRINCIPAL)) if t.area == "finance"] == [
        "/k/k1/finance/purchases/?status=awaiting"]
    assert [t.url for t in todos_for(fin.actor(Role.STOREKEEPER)) if t.area == "finance"] == [
        "/k/k1/finance/expenses/?status=signing"]
    services.expense_sign(actor=fin.actor(Role.STOREKEEPER), expense=expense)
    services.expense_sign(actor=fin.actor(Role.PRINCIPAL), expense=expense)
    assert [t.url for t in todos_for(fin.actor(Role.ACCOUNTANT)) if t.area == "finance"] == [
        "/k/k1/finance/expenses/?status=to_pay"]
    page = login(fin.user(Role.ACCOUNTANT)).get("/k/k1/").content.decode()
    assert "/k/k1/finance/expenses/?status=to_pay" in page


def test_a_signed_expense_has_no_edit_page(fin, login):
    expense = signed_expense(fin, upto="handler")
    response = login(fin.user(Role.DIRECTOR)).get(f"/k/k1/finance/expenses/{expense.code}/edit/")
    assert response.status_code == 302 and response["Location"].endswith(f"/finance/expenses/{expense.code}/")
    draft = make_expense(fin)
    assert login(fin.user(Role.DIRECTOR)).get(f"/k/k1/finance/expenses/{draft.code}/edit/").status_code == 200
    assert login(fin.user(Role.ACCOUNTANT)).get(f"/k/k1/finance/expenses/{draft.code}/edit/").status_code == 302


def test_staff_reporting_a_repair_do_not_choose_budget_lines(fin, login):
    client = login(fin.user(Role.CLASS_TEACHER))
    page = client.get("/k/k1/finance/repairs/new/").content.decode()
    assert 'name="category"' not in page and 'name="budget_year"' not in page
    response = client.post("/k/k1/finance/repairs/new/", {"title": "门把手坏了", "location": "小一班", "reason": "掉了",
                                                          "estimated_cost": "", "action": "submit"})
    assert response.status_code == 302
    repair = RepairRequest.objects.get()
    assert repair.category.name == "维修" and repair.budget_year == fin.today.year and repair.status == "submitted"

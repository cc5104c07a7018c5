"""Budgets with spent, committed and remaining; the monthly report (.xlsx and PDF); the settings."""

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from houqin.core.errors import DomainError, Forbidden
from houqin.finance import reports, selectors, services
from houqin.finance.models import Budget, BudgetCategory, FinanceSettings
from houqin.finance.tests.helpers import make_expense, make_purchase, make_repair, png_upload, signed_expense
from houqin.org.models import Role

pytestmark = pytest.mark.django_db


def _row(table, name):
    return next(r for r in table.rows if r.category.name == name)


def test_the_accountant_sets_budgets_and_changes_keep_history(fin):
    accountant = fin.actor(Role.ACCOUNTANT)
    category = fin.category("教玩具")
    budget = services.budget_set(actor=accountant, category=category, year=fin.today.year, amount="80000.00")
    services.budget_set(actor=accountant, category=category, year=fin.today.year, amount="85000.00")
    budget.refresh_from_db()
    assert budget.amount == Decimal("85000.00")
    assert budget.history.count() == 3  # made by the fixture, then two changes
    assert Budget.objects.filter(category=category, year=fin.today.year).count() == 1


@pytest.mark.parametrize("amount", ["-1", "abc", "1.001", ""])
def test_bad_budgets_are_refused(fin, amount):
    category = fin.category("教玩具")
    before = list(Budget.objects.values_list("pk", "amount"))
    with pytest.raises(DomainError):
        services.budget_set(actor=fin.actor(Role.ACCOUNTANT), category=category, year=fin.today.year, amount=amount)
    assert list(Budget.objects.values_list("pk", "amount")) == before


def test_only_the_accountant_changes_budgets(fin):
    for role in (Role.PRINCIPAL, Role.DIRECTOR):
        with pytest.raises(Forbidden):
            services.budget_set(actor=fin.actor(role), category=fin.category(), year=2026, amount="1")


def test_categories_are_unique_per_kindergarten(fin):
    with pytest.raises(DomainError):
        services.category_create(actor=fin.actor(Role.ACCOUNTANT), name="办公用品")
    assert BudgetCategory.objects.filter(name="办公用品").count() == 2  # one in k1, one in k2
    assert services.categories_create_defaults(actor=fin.actor(Role.ACCOUNTANT)) == []  # nothing twice


def test_spent_committed_and_remaining(fin):
    year = fin.today.year
    # committed: an approved purchase not yet expensed (2 × ¥100) …
    purchase = make_purchase(fin, price="100.00", quantity="2")
    services.request_approve(actor=fin.actor(Role.DIRECTOR), request=purchase)
    # … an approved repair (¥300, booked on 维修) …
    repair = make_repair(fin, cost="300.00")
    services.request_approve(actor=fin.actor(Role.DIRECTOR), request=repair)
    # … and an expense being signed (¥50)
    signed_expense(fin, upto="acceptor", amount="50.00")
    # spent: a paid expense (¥120.50)
    paid = signed_expense(fin, amount="120.50")
    services.expense_pay(actor=fin.actor(Role.ACCOUNTANT), expense=paid, paid_on=fin.today, method="cash")
    # not counted: a submitted request, a rejected one, a voided expense, and anything of k2
    make_purchase(fin, price="999.00")
    voided = make_expense(fin, amount="777.00")
    services.expense_void(actor=fin.actor(Role.PRINCIPAL), expense=voided, reason="错")
    make_purchase(fin, k="k2", price="50.00")

    table = selectors.budget_table(actor=fin.actor(Role.PRINCIPAL), year=year)
    office = _row(table, "办公用品")
    assert office.budget == Decimal("10000.00")
    assert office.spent == Decimal("120.50")
    assert office.committed == Decimal("250.00")  # 200 purchase + 50 unpaid expense
    assert office.remaining == Decimal("9629.50")
    assert _row(table, "维修").committed == Decimal("300.00")

    # once the purchase is expensed, the request no longer counts: the expense does
    purchase.refresh_from_db()
    linked = make_expense(fin, amount="190.00", purchase_request=purchase)
    table = selectors.budget_table(actor=fin.actor(Role.PRINCIPAL), year=year)
    assert _row(table, "办公用品").committed == Decimal("240.00")  # 50 + 190 (unpaid)
    services.expense_void(actor=fin.actor(Role.DIRECTOR), expense=linked, reason="重来")
    table = selectors.budget_table(actor=fin.actor(Role.PRINCIPAL), year=year)
    assert _row(table, "办公用品").committed == Decimal("250.00")


def test_a_done_repair_commits_its_actual_cost(fin):
    repair = make_repair(fin, cost="300.00")
    services.request_approve(actor=fin.actor(Role.DIRECTOR), request=repair)
    services.repair_request_complete(actor=fin.actor(Role.DIRECTOR), request=repair, fixed_by="in_house",
                                     fixer_name="后勤", actual_cost="45.00", repaired_on=fin.today)
    table = selectors.budget_table(actor=fin.actor(Role.PRINCIPAL), year=fin.today.year)
    assert _row(table, "维修").committed == Decimal("45.00")


def test_overspending_shows(fin):
    services.budget_set(actor=fin.actor(Role.ACCOUNTANT), category=fin.category(), year=fin.today.year, amount="100.00")
    signed_expense(fin, upto="handler", amount="150.00")
    row = _row(selectors.budget_table(actor=fin.actor(Role.PRINCIPAL), year=fin.today.year), "办公用品")
    assert row.remaining == Decimal("-50.00") and row.over and row.used_percent == 150


def test_food_is_left_out_of_the_budget_unless_the_kindergarten_says_otherwise(fin):
    services.category_create(actor=fin.actor(Role.ACCOUNTANT), name="食品", is_food=True)
    table = selectors.budget_table(actor=fin.actor(Role.PRINCIPAL), year=fin.today.year)
    assert "食品" not in [r.category.name for r in table.rows]
    services.settings_update(actor=fin.actor(Role.PRINCIPAL), approval_threshold="2000", food_in_budget=True)
    table = selectors.budget_table(actor=fin.actor(Role.PRINCIPAL), year=fin.today.year)
    assert "食品" in [r.category.name for r in table.rows]


def test_the_settings_default_to_2000_and_are_the_principals(fin):
    settings = services.finance_settings(fin.world.k1.kg)
    assert settings.pk is None and settings.approval_threshold == Decimal("2000.00")
    with pytest.raises(Forbidden):
        services.settings_update(actor=fin.actor(Role.ACCOUNTANT), approval_threshold="1", food_in_budget=False)
    with pytest.raises(DomainError):
        services.settings_update(actor=fin.actor(Role.PRINCIPAL), approval_threshold="-5", food_in_budget=False)
    assert not FinanceSettings.objects.exists()
    services.settings_update(actor=fin.actor(Role.PRINCIPAL), approval_threshold="3000.00", food_in_budget=False)
    services.settings_update(actor=fin.actor(Role.PRINCIPAL), approval_threshold="3500.00", food_in_budget=False)
    row = FinanceSettings.objects.get()
    assert row.approval_threshold == Decimal("3500.00") and row.history.count() == 2


# --- the monthly report -------------------------------------------------------------------------


@pytest.fixture
def month_data(fin):
    """Paid this month: ¥120.50 (办公用品); paid last month: ¥80.00; an expense being signed: ¥50."""
    this_month = fin.today.replace(day=1)
    last_month_day = this_month - dt.timedelta(days=1)
    old = signed_expense(fin, amount="80.00", spent_on=last_month_day)
    services.expense_pay(actor=fin.actor(Role.ACCOUNTANT), expense=old, paid_on=last_month_day, method="cash")
    now = signed_expense(fin, amount="120.50", spent_on=this_month)
    services.expense_pay(actor=fin.actor(Role.ACCOUNTANT), expense=now, paid_on=fin.today, method="transfer")
    signed_expense(fin, upto="handler", amount="50.00", spent_on=this_month)
    return now


def test_the_month_and_the_year_to_date(fin, month_data):
    table = reports.report_table(actor=fin.actor(Role.PRINCIPAL), year=fin.today.year, month=fin.today.month)
    office = _row(table, "办公用品")
    assert office.spent_month == Decimal("120.50")
    if fin.today.month > 1:
        assert office.spent == Decimal("200.50")
    assert office.committed == Decimal("50.00")
    assert [e.number for e in table.expenses] == [month_data.number]


def test_the_xlsx_report(fin, month_data):
    content = reports.monthly_xlsx(actor=fin.actor(Role.PRINCIPAL), year=fin.today.year, month=fin.today.month)
    book = load_workbook(io.BytesIO(content))
    summary, detail = book["经费月报"], book["本月支出明细"]
    assert "经费支出月报" in summary["A1"].value
    rows = {r[0]: r for r in summary.iter_rows(min_row=5, values_only=True) if r[0]}
    assert Decimal(str(rows["办公用品"][1])) == Decimal("10000")
    assert Decimal(str(rows["办公用品"][2])) == Decimal("120.5")
    assert "合计" in rows
    lines = list(detail.iter_rows(min_row=2, values_only=True))
    assert lines[0][0] == month_data.number and lines[0][6] == fin.user(Role.DIRECTOR).display_name
    assert lines[0][8] == fin.user(Role.PRINCIPAL).display_name


def test_text_in_the_xlsx_is_never_a_formula(fin):
    expense = services.expense_create(actor=fin.actor(Role.DIRECTOR), title="=HYPERLINK(\"http://x\")", amount="1.00",
                                      category=fin.category(), spent_on=fin.today, payee="+cmd",
                                      receipts=[png_upload()])
    for step, role in (("handler", Role.DIRECTOR), ("acceptor", Role.STOREKEEPER), ("principal", Role.PRINCIPAL)):
        services.expense_sign(actor=fin.actor(role), expense=expense, step=step)
    services.expense_pay(actor=fin.actor(Role.ACCOUNTANT), expense=expense, paid_on=fin.today, method="cash")
    content = reports.monthly_xlsx(actor=fin.actor(Role.PRINCIPAL), year=fin.today.year, month=fin.today.month)
    detail = load_workbook(io.BytesIO(content))["本月支出明细"]
    cells = [c for row in detail.iter_rows(min_row=2) for c in row if c.value in ("=HYPERLINK(\"http://x\")", "+cmd")]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)


def test_the_pdf_report_is_a4_with_chinese_text(fin, month_data, tmp_path):
    content = reports.monthly_pdf(actor=fin.actor(Role.PRINCIPAL), year=fin.today.year, month=fin.today.month)
    assert content.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    if shutil.which("pdftotext") is None:  # poppler-utils: installed by make test (system-deps)
        pytest.fail("pdftotext (poppler-utils) is missing")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert "经费支出月报" in text and "办公用品" in text and "¥120.50" in text and month_data.number in text
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    assert "(A4)" in info
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    assert "CJK" in fonts or "WenQuanYi" in fonts


def test_the_report_of_another_kindergarten_shows_none_of_ours(fin, month_data):
    table = reports.report_table(actor=fin.actor(Role.PRINCIPAL, "k2"), year=fin.today.year, month=fin.today.month)
    assert table.expenses == [] and table.total_spent == Decimal("0")

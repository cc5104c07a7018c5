"""Records of a term in k1 and k2 for the reports tests: purchases, repairs, expenses, assets,
notices — made through the other areas' own services."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from houqin import policy
from houqin.org.models import Role


def actor_of(world, role, k="k1"):
    ns = getattr(world, k)
    return policy.actor_for_kindergarten(ns.users[role], ns.kg)


@pytest.fixture
def term_records(world):
    from houqin.assets.models import Asset
    from houqin.finance import services as fin
    from houqin.finance.models import BudgetCategory, FixedBy, PaymentMethod
    from houqin.finance.tests.helpers import png_upload
    from houqin.notices.services import publish_notice
    from houqin.reports.models import Term

    today = timezone.localdate()
    made = {}
    for k in ("k1", "k2"):
        ns = getattr(world, k)
        accountant = actor_of(world, Role.ACCOUNTANT, k)
        fin.categories_create_defaults(actor=accountant)
        for category in BudgetCategory.objects.filter(kindergarten=ns.kg):
            fin.budget_set(actor=accountant, category=category, year=today.year, amount=Decimal("50000.00"))
        office = BudgetCategory.objects.get(kindergarten=ns.kg, name="办公用品")
        repairs_cat = BudgetCategory.objects.get(kindergarten=ns.kg, name="维修")
        keeper, director, principal = (actor_of(world, r, k) for r in (Role.STOREKEEPER, Role.DIRECTOR, Role.PRINCIPAL))
        purchases = []
        for price in ("100.00", "250.50"):
            p = fin.purchase_request_create(actor=keeper, title="A4复印纸", reason="打印用纸不够", category=office, submit=True,
                                            lines=[{"description": "A4复印纸", "quantity": Decimal("2"), "unit": "箱",
                                                    "unit_price": Decimal(price)}])
            purchases.append(fin.request_approve(actor=director, request=p))
        fin.purchase_request_create(actor=keeper, title="未提交", reason="x", category=office, submit=False,
                                    lines=[{"description": "x", "quantity": Decimal("1"), "unit": "个",
                                            "unit_price": Decimal("9.00")}])
        teacher = actor_of(world, Role.CLASS_TEACHER, k)
        repair = fin.repair_request_create(actor=teacher, title="水龙头漏水", location="盥洗室", reason="滴水",
                                           category=repairs_cat, estimated_cost=Decimal("300.00"), submit=True)
        repair = fin.request_approve(actor=director, request=repair)
        fin.repair_request_complete(actor=director, request=repair, fixed_by=FixedBy.CONTRACTOR, fixer_name="李师傅",
                                    actual_cost=Decimal("280.00"), repaired_on=today)
        fin.repair_request_create(actor=teacher, title="门把手松了", location="小一班", reason="松动",
                                  category=repairs_cat, estimated_cost=Decimal("50.00"), submit=True)
        expense = fin.expense_create(actor=director, title="打印纸", amount=Decimal("120.50"), category=office,
                                     spent_on=today, payee="晨光文具", handler=None, receipts=[png_upload()])
        for step, signer in (("handler", Role.DIRECTOR), ("acceptor", Role.STOREKEEPER), ("principal", Role.PRINCIPAL)):
            fin.expense_sign(actor=actor_of(world, signer, k), expense=expense, step=step)
        expense.refresh_from_db()
        fin.expense_pay(actor=accountant, expense=expense, paid_on=today, method=PaymentMethod.TRANSFER)
        Asset.objects.create(kindergarten=ns.kg, label_code=f"ZC-{k}-1", name="儿童桌", campus=ns.campuses[0],
                             quantity=Decimal("10"), unit="张", unit_price=Decimal("150.00"), purchase_date=today)
        publish_notice(kindergarten=ns.kg, user=ns.users[Role.DIRECTOR], title="防溺水安全告家长书", body="注意安全",
                       kind="safety")
        term = Term.objects.create(kindergarten=ns.kg, name="本学期", start=today - dt.timedelta(days=60),
                                   end=today + dt.timedelta(days=60))
        made[k] = SimpleNamespace(term=term, purchases=purchases, repair=repair, expense=expense)
    return SimpleNamespace(**made)

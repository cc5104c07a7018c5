"""Fixtures of the finance tests."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from houqin.finance import services
from houqin.finance.models import BudgetCategory
from houqin.finance.tests.helpers import actor_of
from houqin.org.models import Role


@pytest.fixture
def fin(world):
    """Categories (the usual ones) and 2026-style budgets in k1 and k2, and shortcuts."""
    today = timezone.localdate()
    for k in ("k1", "k2"):
        accountant = actor_of(world, Role.ACCOUNTANT, k)
        services.categories_create_defaults(actor=accountant)
        for category in BudgetCategory.objects.filter(kindergarten=getattr(world, k).kg):
            services.budget_set(actor=accountant, category=category, year=today.year, amount=Decimal("10000.00"))
    ns = SimpleNamespace(world=world, today=today)
    ns.actor = lambda role, k="k1": actor_of(world, role, k)
    ns.category = lambda name="办公用品", k="k1": BudgetCategory.objects.get(kindergarten=getattr(world, k).kg, name=name)
    ns.user = lambda role, k="k1": getattr(world, k).users[role]
    return ns



"""Fee standards (收费标准): drafted and published by the principal or the accountant, read by parents."""

from decimal import Decimal

import pytest

from houqin.core.errors import Conflict, DomainError, Forbidden
from houqin.finance import selectors, services
from houqin.finance.models import FeeStandard
from houqin.org.models import Role

pytestmark = pytest.mark.django_db


def _fee(fin, item="保育教育费", amount="1200.00", unit="month", k="k1", role=Role.ACCOUNTANT):
    return services.fee_standard_create(actor=fin.actor(role, k), school_year=2026, term="autumn", item=item,
                                        amount=amount, unit=unit, basis="城发改收费〔2025〕12号")


def test_draft_publish_and_parents_see_only_published(fin):
    care = _fee(fin)
    meals = _fee(fin, item="伙食费", amount="18.00", unit="day")
    assert not care.is_published
    parent = fin.actor(Role.PARENT)
    assert list(selectors.fee_standard_list(actor=parent)) == []
    services.fee_standard_publish(actor=fin.actor(Role.PRINCIPAL), fee=care)
    assert [f.item for f in selectors.fee_standard_list(actor=parent)] == ["保育教育费"]
    assert services.fee_standards_publish_term(actor=fin.actor(Role.ACCOUNTANT), school_year=2026, term="autumn") == 1
    assert {f.item for f in selectors.fee_standard_list(actor=parent)} == {"保育教育费", "伙食费"}
    meals.refresh_from_db()
    assert meals.published_by == fin.user(Role.ACCOUNTANT)
    assert list(selectors.fee_standard_list(actor=fin.actor(Role.PARENT, "k2"))) == []


def test_a_published_standard_is_voided_and_replaced_never_edited(fin):
    fee = _fee(fin)
    services.fee_standard_update(actor=fin.actor(Role.ACCOUNTANT), fee=fee, amount="1100.00")
    services.fee_standard_publish(actor=fin.actor(Role.PRINCIPAL), fee=fee)
    with pytest.raises(DomainError):
        services.fee_standard_update(actor=fin.actor(Role.ACCOUNTANT), fee=fee, amount="1500.00")
    with pytest.raises(Conflict):
        services.fee_standard_publish(actor=fin.actor(Role.PRINCIPAL), fee=fee)
    with pytest.raises(DomainError):
        services.fee_standard_void(actor=fin.actor(Role.PRINCIPAL), fee=fee, reason="")
    services.fee_standard_void(actor=fin.actor(Role.PRINCIPAL), fee=fee, reason="物价局调整")
    replacement = _fee(fin, amount="1300.00")  # the same item may be set again once the old one is void
    assert replacement.amount == Decimal("1300.00")
    fee.refresh_from_db()
    assert fee.amount == Decimal("1100.00") and fee.history.count() == 4


@pytest.mark.parametrize("field, value", [("amount", "-1"), ("amount", "1.234"), ("item", " "), ("unit", "week"),
                                          ("term", "summer"), ("school_year", 1999)])
def test_bad_fee_standards_are_refused(fin, field, value):
    data = {"school_year": 2026, "term": "autumn", "item": "保育费", "amount": "1200", "unit": "month"}
    data[field] = value
    with pytest.raises(DomainError) as exc:
        services.fee_standard_create(actor=fin.actor(Role.ACCOUNTANT), **data)
    assert exc.value.errors[0]["field"] == field
    assert not FeeStandard.objects.exists()


def test_one_standard_per_item_and_term(fin):
    _fee(fin)
    with pytest.raises(DomainError) as exc:
        _fee(fin, amount="1000")
    assert exc.value.errors[0]["field"] == "item"
    _fee(fin, k="k2")  # another kindergarten has its own


def test_only_the_principal_and_the_accountant_set_fees(fin):
    for role in (Role.DIRECTOR, Role.PARENT, Role.CLASS_TEACHER):
        with pytest.raises(Forbidden):
            _fee(fin, role=role)

"""One reader of exact numbers (core.numbers) for every area: what it accepts, what it refuses and
with which words; and the areas' readers are this one."""

from decimal import Decimal

import pytest
from django.utils import translation

from houqin.core.numbers import NumberProblem, decimal_into, price_as_written, read_decimal


@pytest.mark.parametrize("value, expected", [
    ("12", Decimal("12")), (" 1,280.50 ", Decimal("1280.50")), (3, Decimal(3)), (Decimal("2.5"), Decimal("2.5")),
    (0.1, Decimal("0.1")), ("-1.5", Decimal("-1.5")), ("", None), ("   ", None), (None, None),
])
def test_what_is_read(value, expected):
    assert read_decimal(value) == expected


@pytest.mark.parametrize("value, rules, words", [
    ("abc", {}, "Enter a number."), ("nan", {}, "Enter a number."), ("-Infinity", {}, "Enter a number."),
    ("1e400", {"places": 2, "maximum": Decimal("1e30")}, "Enter a number of at most"), (True, {}, "Enter a number."),
    (0.1, {"exact_only": True}, "Enter an exact number."),
    ("2.5", {"whole": True}, "Enter a whole number."),
    ("0", {"positive": True}, "Enter a number greater than zero."),
    ("-1", {"minimum": Decimal(0)}, "Enter zero or more."),
    ("0.4", {"minimum": Decimal("0.5")}, "Enter a number of at least 0.5."),
    ("101", {"maximum": Decimal(100)}, "Enter a number of at most 100."),
    ("-101", {"maximum": Decimal(100)}, "Enter a number of at most 100."),  # a signed figure: by size
    ("1.234", {"places": 2}, "Use at most 2 decimal places."),
    ("1" + "0" * 40, {"places": 2}, "This number is too large."),
])
def test_what_is_refused_and_in_which_words(value, rules, words):
    with translation.override("en"), pytest.raises(NumberProblem) as exc:
        read_decimal(value, **rules)
    assert exc.value.message.startswith(words)


def test_places_give_exactly_that_many():
    assert str(read_decimal("2", places=3)) == "2.000"


def test_refusals_in_chinese():
    with translation.override("zh-hans"), pytest.raises(NumberProblem) as exc:
        read_decimal("三斤")
    assert exc.value.message == "请填写数字。"


def test_gathered_refusals():
    errors = []
    assert decimal_into(errors, "quantity", "0", positive=True, positive_message="x > 0") is None
    assert decimal_into(errors, "price", "", required_message="Enter the price.") is None
    assert decimal_into(errors, "note", "", required=False) is None
    assert decimal_into(errors, "grams", "125.5", places=1) == Decimal("125.5")
    assert errors == [{"field": "quantity", "message": "x > 0"}, {"field": "price", "message": "Enter the price."}]


def test_the_areas_read_numbers_through_core():
    """No area parses a Decimal from input on its own any more (display code may still convert)."""
    import inspect

    from houqin.assets import services as assets
    from houqin.canteen import services as canteen
    from houqin.core import rules
    from houqin.finance import services as finance
    from houqin.foodsafety import services as foodsafety
    from houqin.health import medication
    from houqin.staff import services as staff
    from houqin.stock import services as stock

    readers = [assets.decimal_or_error, canteen._decimal, finance.parse_money, finance.parse_quantity,
               foodsafety._decimal, medication._amount, staff._decimal, stock._decimal, rules._parse]
    for reader in readers:
        source = inspect.getsource(reader)
        assert "read_decimal" in source or "decimal_into" in source, reader.__qualname__
        assert "Decimal(str(" not in source and "InvalidOperation" not in source, reader.__qualname__


@pytest.mark.parametrize("stored, written", [
    ("18.0000", "18.00"), ("4.6250", "4.625"), ("10", "10.00"), ("0.0125", "0.0125"), ("3.5", "3.50"),
])
def test_a_price_is_written_in_yuan_and_fen_keeping_its_precision(stored, written):
    shown = price_as_written(Decimal(stored))
    assert str(shown) == written and shown == Decimal(stored)
    assert price_as_written(None) is None

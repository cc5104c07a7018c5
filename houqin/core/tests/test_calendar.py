from datetime import date

from houqin.core import calendar


def test_holidays_weekends_and_adjusted_days_are_not_school_days():
    assert calendar.is_school_day(date(2026, 11, 25))  # a Wednesday in term
    assert not calendar.is_school_day(date(2026, 10, 5))  # National Day
    assert not calendar.is_school_day(date(2026, 11, 28))  # Saturday
    assert not calendar.is_school_day(date(2026, 10, 10))  # adjusted working Saturday: closed
    assert not calendar.is_school_day(date(2026, 8, 3))  # summer vacation


def test_school_days_of_a_range_and_terms():
    days = calendar.school_days(date(2026, 9, 28), date(2026, 10, 11))
    assert days == [date(2026, 9, 28), date(2026, 9, 29), date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 9)]
    assert calendar.current_term(date(2026, 11, 25)).start == date(2026, 9, 1)
    assert calendar.previous_term(date(2026, 11, 25)).start == date(2026, 2, 25)
    assert calendar.current_term(date(2026, 8, 1)).name == "spring"
    assert calendar.previous_term(date(2027, 3, 1)).name == "autumn"

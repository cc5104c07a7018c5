"""School calendar of a Chinese kindergarten: school days and terms.

Public holidays and adjusted working days come from data/calendar_cn.json (one entry per year,
with its source and whether it was verified). A year missing from the file falls back to plain
weekdays.

Choice: kindergartens do NOT open on adjusted ("调休") weekend working days - families are not
asked to bring children on a Saturday/Sunday; those days stay closed here. (Documented choice;
change ADJUSTED_WORKDAYS_ARE_SCHOOL_DAYS if a district decides otherwise.)

Terms: autumn term 1 Sep - 15 Jan (of the next year); spring term 25 Feb - 5 Jul.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

ADJUSTED_WORKDAYS_ARE_SCHOOL_DAYS = False
_DATA = Path(__file__).parent / "data" / "calendar_cn.json"


@lru_cache(maxsize=1)
def _data():
    raw = json.loads(_DATA.read_text(encoding="utf-8"))["years"]
    holidays, workdays = set(), set()
    for year in raw.values():
        holidays.update(date.fromisoformat(d) for d in year["holidays"])
        workdays.update(date.fromisoformat(d) for d in year["adjusted_workdays"])
    return frozenset(holidays), frozenset(workdays)


def is_holiday(day: date) -> bool:
    return day in _data()[0]


def is_school_day(day: date) -> bool:
    holidays, workdays = _data()
    if day in holidays:
        return False
    if day.weekday() >= 5:
        return ADJUSTED_WORKDAYS_ARE_SCHOOL_DAYS and day in workdays
    return term_of(day) is not None


def school_days(start: date, end: date) -> list[date]:
    """School days from start to end, both included."""
    out, day = [], start
    while day <= end:
        if is_school_day(day):
            out.append(day)
        day += timedelta(days=1)
    return out


@dataclass(frozen=True)
class Term:
    name: str  # "autumn" or "spring"
    school_year: int  # the year the school year starts (Sep)
    start: date
    end: date


def _terms_of_school_year(y: int) -> tuple[Term, Term]:
    return (Term("autumn", y, date(y, 9, 1), date(y + 1, 1, 15)),
            Term("spring", y, date(y + 1, 2, 25), date(y + 1, 7, 5)))


def term_of(day: date) -> Term | None:
    """The term containing day, or None in a vacation."""
    for y in (day.year - 1, day.year):
        for term in _terms_of_school_year(y):
            if term.start <= day <= term.end:
                return term
    return None


def current_term(day: date) -> Term:
    """The term containing day or, in a vacation, the last term that ended before it."""
    terms = [t for y in (day.year - 2, day.year - 1, day.year) for t in _terms_of_school_year(y)]
    return [t for t in terms if t.start <= day][-1]


def previous_term(day: date) -> Term:
    cur = current_term(day)
    return current_term(cur.start - timedelta(days=1))

"""The demo lives on the day it is built: DemoDates from core.calendar, and the demo built on a few
different days looks like a kindergarten at 9 a.m. that day (issue 18)."""

import datetime as dt

import zoneinfo

import pytest
import time_machine

from houqin.core import calendar
from conftest import TEST_TODAY
from houqin.org import demo

DAYS = {
    "wednesday-in-term": dt.date(2026, 11, 25),
    "monday": dt.date(2026, 11, 16),
    "weekend": dt.date(2026, 12, 5),
    "winter-holiday": dt.date(2027, 2, 8),
}


@pytest.mark.parametrize("day", DAYS.values(), ids=DAYS.keys())
def test_the_dates_come_from_the_calendar(day):
    dates = demo.DemoDates(day)
    assert dates.days and all(calendar.is_school_day(d) for d in dates.days)
    assert all(d.weekday() < 5 and not calendar.is_holiday(d) for d in dates.days)
    assert dates.days[-1] <= day and dates.past_days[-1] < day
    assert len(dates.past_days) >= demo.MIN_TERM_DAYS
    assert dates.is_school_day == (day in dates.days)
    assert dates.week_start.weekday() == 0 and dates.week_start <= day < dates.week_start + dt.timedelta(days=7)
    assert dates.last_month < dates.this_month <= day
    assert dates.months and dates.months[-1] < dates.this_month
    # the story's days keep their order and land on school days of the records
    moved = [dates.moved(d) for d in calendar.school_days(demo.STORY_START, demo.STORY_LAST)]
    assert moved == sorted(moved) and set(moved) <= set(dates.past_days)
    assert dates.moved(demo.STORY_LAST) == dates.last_day
    assert dates.moved(demo.STORY_LAST + dt.timedelta(days=20)) > day


# The suite's own day reads the demo every run builds once (conftest's demo_built); the other days
# build their own.
OTHER_DAYS = {name: day for name, day in DAYS.items() if day != TEST_TODAY}


@pytest.mark.parametrize("day", OTHER_DAYS.values(), ids=OTHER_DAYS.keys())
def test_the_demo_is_alive_on_the_day_it_is_built(db, day):
    nine = dt.datetime(day.year, day.month, day.day, 9, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(nine, tick=True):  # the services judge "not in the future" by the clock
        demo.build_demo(day)
    _check_alive(day)


def test_the_demo_is_alive_on_the_suites_day(db, demo_built):
    _check_alive(TEST_TODAY)


def _check_alive(day):
    from houqin.canteen.models import MealAccount, Menu, MenuStatus
    from houqin.health.models import Attendance, CheckFinding, CheckSession
    from houqin.org.models import Kindergarten, SchoolClass
    from houqin.safety.models import Hazard
    from houqin.staff.models import ActionItem

    dates = demo.DemoDates(day)
    kg = Kindergarten.objects.get(slug="demo")
    classes = SchoolClass.objects.filter(kindergarten=kg).count()

    # no record of a school day on a weekend or a holiday, none after today
    recorded = set(Attendance.objects.values_list("date", flat=True).distinct())
    assert recorded and all(calendar.is_school_day(d) for d in recorded) and max(recorded) <= day
    today_checks = CheckSession.objects.filter(kindergarten=kg, date=day).count()
    if dates.is_school_day:  # 9 a.m.: some classes checked, some still to check, one fever sent home
        assert 0 < today_checks < classes
        fevers = [f for f in CheckFinding.objects.filter(kindergarten=kg, date=day) if "fever" in f.findings]
        assert len(fevers) == 1
        # this week's menu is published
        assert Menu.objects.get(kindergarten=kg, week_start=dates.week_start).status == MenuStatus.PUBLISHED
    else:
        assert today_checks == 0
    assert max(recorded) == (day if dates.is_school_day else dates.last_day)
    if dates.this_week:  # a school week (a weekend after one): its menu is published
        assert Menu.objects.get(kindergarten=kg, week_start=dates.week_start).status == MenuStatus.PUBLISHED
    # next week's menu is published ahead (on the Friday ten days before), and its purchase plan made,
    # its cost per child-day within the rule's tolerance of the fee, whatever the weekday
    from houqin.canteen.models import PurchasePlan

    next_week = dates.week_start + dt.timedelta(days=7)
    upcoming = Menu.objects.filter(kindergarten=kg, week_start=next_week).first()
    if upcoming is not None and next_week <= dates.term_end:
        assert upcoming.status == MenuStatus.PUBLISHED
        plan = PurchasePlan.objects.active().get(kindergarten=kg, menu=upcoming)
        assert not plan.outside_fee and plan.unpriced == [], plan.cost_per_child_day
    # last month's meal account is published; within ±2 % but the planted month
    accounts = {a.month: a for a in MealAccount.objects.filter(kindergarten=kg)}
    assert accounts[dates.last_month].is_published
    out = [m for m, a in accounts.items() if abs(a.balance_pct) > 2]
    assert len(out) == 1 and accounts[out[0]].note
    # due and overdue to-dos
    assert Hazard.objects.filter(kindergarten=kg, deadline__lt=day, state="assigned").exists()
    assert ActionItem.objects.filter(kindergarten=kg, done_at__isnull=True, due_date__lt=day).exists()

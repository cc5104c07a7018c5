"""Read-side queries of the health area."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from houqin.health.models import Attendance, AttendanceStatus


def child_days(*, kindergarten, start: dt.date, end: dt.date, school_class=None) -> int:
    """Child-days of attendance (在园人日数): children present, summed over the days start..end
    (inclusive). The canteen divides food issued by it (记账法) and bills meal fees by it."""
    rows = Attendance.objects.filter(
        kindergarten=kindergarten, date__gte=start, date__lte=end, status=AttendanceStatus.PRESENT
    )
    if school_class is not None:
        rows = rows.filter(school_class=school_class)
    return rows.count()


def child_days_by_class(*, kindergarten, start: dt.date, end: dt.date) -> dict[int, int]:
    """{school_class_id: child-days present} for the period."""
    rows = (
        Attendance.objects.filter(
            kindergarten=kindergarten, date__gte=start, date__lte=end, status=AttendanceStatus.PRESENT
        )
        .values("school_class_id")
        .annotate(n=Count("pk"))
    )
    return {row["school_class_id"]: row["n"] for row in rows}


def days_by_child(*, kindergarten, start: dt.date, end: dt.date) -> dict[int, dict[str, int]]:
    """{child_id: {status: days}} for the period (the meal account refunds absent days by it)."""
    rows = (
        Attendance.objects.filter(kindergarten=kindergarten, date__gte=start, date__lte=end)
        .values("child_id", "status")
        .annotate(n=Count("pk"))
    )
    result: dict[int, dict[str, int]] = {}
    for row in rows:
        result.setdefault(row["child_id"], {})[row["status"]] = row["n"]
    return result

"""Energy and water (水电气): meters read once a month and the trend of their use.

Each reading is the meter's figure at the end of a month. The month's use is the reading less the
previous month's; a reading lower than the last one is refused unless the meter was changed that
month, in which case the old meter's final reading is given too and the use is (old final − last
reading) + new reading. One reading a meter a month, months in order (a wrong one is voided with a
reason and entered again). `trend` compares each month's use with the same month a year before,
the figure the seeds' saving measures are judged by (节约用水用电).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import policy
from houqin.core.errors import Conflict, raise_for
from houqin.core.numbers import decimal_into
from houqin.finance.models import Meter, MeterKind, MeterReading
from houqin.finance.services import _save

MAX_READING = Decimal("9999999999.99")
EARLIEST_MONTH = dt.date(2000, 1, 1)  # no meter of a kindergarten was read before


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


# --------------------------------------------------------------------------------------------
# The trend: pure, over plain (month, use) pairs


@dataclass(frozen=True)
class TrendRow:
    month: dt.date
    usage: Decimal | None
    last_year: Decimal | None

    @property
    def change(self) -> Decimal | None:
        """The change against the same month last year, in per cent (one decimal), or None."""
        if self.usage is None or not self.last_year:
            return None
        return ((self.usage - self.last_year) * 100 / self.last_year).quantize(Decimal("0.1"))


def trend(usage_by_month: dict[dt.date, Decimal | None], last: dt.date, months: int = 12) -> list[TrendRow]:
    """The `months` months up to `last` (newest first), each with its use and the same month's use a
    year before (None where there is no reading)."""
    return [TrendRow(m, usage_by_month.get(m), usage_by_month.get(add_months(m, -12)))
            for m in (add_months(last, -i) for i in range(months))]


# --------------------------------------------------------------------------------------------
# Reading


def meter_list(*, actor):
    """The meters with their latest reading's month, reading and use, and the use of the same month
    a year before. One query."""
    latest = MeterReading.objects.active().filter(meter_id=OuterRef("pk")).order_by("-month")
    meters = list(policy.scoped(actor, "finance.utilities.view", Meter.objects.active()).select_related("campus")
                  .annotate(last_month=Subquery(latest.values("month")[:1]),
                            last_reading=Subquery(latest.values("reading")[:1]),
                            last_usage=Subquery(latest.values("usage")[:1])))
    year_ago = {(r.meter_id, r.month): r.usage for r in MeterReading.objects.active().filter(
        meter__in=[m for m in meters if m.last_month],
        month__in={add_months(m.last_month, -12) for m in meters if m.last_month})} if meters else {}
    for m in meters:
        m.year_ago_usage = year_ago.get((m.pk, add_months(m.last_month, -12))) if m.last_month else None
        m.row = TrendRow(m.last_month, m.last_usage, m.year_ago_usage) if m.last_month else None
    return meters


def get_meter(*, actor, code, capability: str = "finance.utilities.view") -> Meter:
    return policy.get_or_404(actor, capability, Meter.objects.active().select_related("campus"), code=code)


def meter_trend(meter: Meter, months: int = 12) -> list[TrendRow]:
    rows = MeterReading.objects.active().filter(meter=meter).values_list("month", "usage")
    usage = dict(rows)
    last = max(usage) if usage else month_start(timezone.localdate())
    return trend(usage, last, months)


def last_reading(meter: Meter) -> MeterReading | None:
    return MeterReading.objects.active().filter(meter=meter).order_by("-month").first()


# --------------------------------------------------------------------------------------------
# Writing


@transaction.atomic
def meter_create(*, actor, name: str, kind: str, campus=None) -> Meter:
    policy.require(actor, "finance.utilities.record")
    policy.same_kindergarten(actor, campus)
    name = (name or "").strip()[:60]
    errors = {}
    if not name:
        errors["name"] = _("Name the meter (e.g. 主楼电表).")
    if kind not in MeterKind.values:
        errors["kind"] = _("Choose electricity, water or gas.")
    raise_for(errors)
    return _save(Meter(kindergarten=actor.kindergarten, name=name, kind=kind, campus=campus, created_by=actor.user),
                 actor, "created")


@transaction.atomic
def reading_record(*, actor, meter: Meter, month: dt.date, reading, meter_changed: bool = False,
                   old_meter_final=None, note: str = "") -> MeterReading:
    """Record the reading of `meter` at the end of `month`. Refused, with nothing saved: a month in the
    future, a month already read or before the last one read, a reading lower than the last one
    unless the meter was changed (then the old meter's final reading, not lower than the last)."""
    policy.require(actor, "finance.utilities.record", meter)
    meter = Meter.objects.select_for_update().get(pk=meter.pk)  # two readers of one meter take turns
    if meter.is_voided:
        raise Conflict(_("This meter was voided."))
    errors: list[dict] = []
    value = decimal_into(errors, "reading", reading, places=2, minimum=Decimal("0"), maximum=MAX_READING,
                         required_message=_("Enter the reading on the meter."))
    old_final = decimal_into(errors, "old_meter_final", old_meter_final, required=bool(meter_changed), places=2,
                             minimum=Decimal("0"), maximum=MAX_READING,
                             required_message=_("Enter the old meter's final reading."))
    if not month:
        errors.append({"field": "month", "message": _("Choose the month.")})
        raise_for(errors)
    month = month_start(month)
    if month > month_start(timezone.localdate()):
        errors.append({"field": "month", "message": _("The month has not come yet.")})
    elif month < EARLIEST_MONTH:
        errors.append({"field": "month", "message": _("Choose the month.")})
    previous = last_reading(meter)
    if previous is not None and month <= previous.month:
        errors.append({"field": "month", "message": _(
            "%(month)s is already read or before the last reading (%(last)s): void that reading first to "
            "correct it.") % {"month": month.strftime("%Y-%m"), "last": previous.month.strftime("%Y-%m")}})
    usage = None
    if value is not None and previous is not None and not errors:
        if meter_changed:
            if old_final < previous.reading:
                errors.append({"field": "old_meter_final", "message": _(
                    "The old meter's final reading is lower than its last reading (%(last)s).")
                    % {"last": previous.reading}})
            else:
                usage = old_final - previous.reading + value
        elif value < previous.reading:
            errors.append({"field": "reading", "message": _(
                "The reading is lower than the last one (%(last)s in %(month)s). If the meter was changed, "
                "tick 'meter changed' and give the old meter's final reading.")
                % {"last": previous.reading, "month": previous.month.strftime("%Y-%m")}})
        else:
            usage = value - previous.reading
    raise_for(errors)
    row = MeterReading(kindergarten=actor.kindergarten, meter=meter, month=month, reading=value, usage=usage,
                       meter_changed=bool(meter_changed), old_meter_final=old_final if meter_changed else None,
                       note=(note or "").strip()[:200], created_by=actor.user)
    return _save(row, actor, "read")


@transaction.atomic
def reading_void(*, actor, reading: MeterReading, reason: str) -> MeterReading:
    """A wrong reading is voided with a reason (only the latest of its meter, so that uses stay right)."""
    policy.require(actor, "finance.utilities.record", reading)
    Meter.objects.select_for_update().get(pk=reading.meter_id)
    reading = MeterReading.objects.get(pk=reading.pk)
    if not reading.is_voided and last_reading(reading.meter) != reading:
        raise Conflict(_("Only the latest reading of a meter can be voided."))
    return reading.void(actor=actor, reason=reason)

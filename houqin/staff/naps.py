"""The nap-time watch (午睡巡视): the class's staff walk through the nap room every so often and
record the round — the time, how many children were checked, anything seen (kicked-off covers, a
fever, crying). It is part of the class's day beside the nursery staff's daily procedure (the
procedure page shows the day's rounds), and a round missed is a to-do of the class's staff.

The interval and the nap window are the rule "nap_round" of data/staff_rules.json (with its source).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import policy
from houqin.core.errors import raise_for
from houqin.staff.models import NapFinding, NapRound

MAX_NOTE = 300


def nap_rule() -> dict:
    """{"minutes": int, "start": time, "end": time} from the shipped rule (package data)."""
    from houqin.staff.rules import load

    spec = load()["nap_round"]["default"]
    return {"minutes": int(spec["minutes"]), "start": dt.time.fromisoformat(spec["start"]),
            "end": dt.time.fromisoformat(spec["end"])}


def _at(day: dt.date, t: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, t, tzinfo=timezone.get_current_timezone())


@transaction.atomic
def nap_round_record(*, actor, school_class, children_checked, findings=(), note: str = "",
                     at: dt.datetime | None = None) -> NapRound:
    """Record a nap-time round of `school_class` (now, or at `at` earlier today)."""
    policy.require(actor, "staff.nap.record", school_class)
    errors = {}
    now = timezone.now()
    at = at or now
    findings = list(dict.fromkeys(findings or ()))
    note = (note or "").strip()[:MAX_NOTE]
    if children_checked in (None, ""):
        errors["children_checked"] = _("Enter how many children you checked.")
    else:
        try:
            children_checked = int(children_checked)
        except (TypeError, ValueError):
            children_checked = -1
        if not 0 < children_checked <= 60:
            errors["children_checked"] = _("Enter how many children you checked (1 to 60).")
    if any(f not in NapFinding.values for f in findings):
        errors["findings"] = _("Choose what you saw from the list.")
    if at > now + dt.timedelta(minutes=5):
        errors["at"] = _("The time is in the future.")
    elif timezone.localtime(at).date() != timezone.localdate():
        errors["at"] = _("A round is recorded on its day.")
    if NapFinding.OTHER in findings and not note:
        errors["note"] = _("Say what else you saw.")
    raise_for(errors)
    nap = NapRound(kindergarten=actor.kindergarten, created_by=actor.user, school_class=school_class,
                   date=timezone.localtime(at).date(), at=at, children_checked=children_checked,
                   findings=findings, note=note, done_by=actor.user)
    nap._history_user = actor.user
    nap.save()
    return nap


def nap_rounds(*, actor, school_class, day: dt.date):
    """The rounds of a class on a day (one query)."""
    return policy.scoped(actor, "staff.nap.view", NapRound.objects.filter(school_class=school_class, date=day)) \
        .select_related("done_by").order_by("at", "pk")


def missed(last_round_at: dt.datetime | None, now: dt.datetime, rule: dict) -> str:
    """"due" when a round is overdue now within the nap window, "missed" when the window is over with
    no round at all, "" otherwise."""
    day = timezone.localtime(now).date()
    start, end = _at(day, rule["start"]), _at(day, rule["end"])
    interval = dt.timedelta(minutes=rule["minutes"])
    if now < start + interval:
        return ""
    if now <= end:
        since = max(start, last_round_at) if last_round_at else start
        return "due" if now - since > interval else ""
    return "missed" if last_round_at is None or last_round_at < start else ""

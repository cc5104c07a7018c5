"""家长委托喂药: medicines entrusted by parents. A parent asks (child, drug, dose with its unit, times
of the day, days, reason, a photo of the box or prescription through core's upload reader, a
confirmation); class staff or the health teacher receive the medicine (checked against the request)
or refuse it with a reason; each administration is recorded (time, dose, who); the parent sees every
administration; a dose not given by its time is a red to-do for the class. Nothing is deleted.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import policy
from houqin.core import files
from houqin.core.errors import raise_for
from houqin.core.numbers import NumberProblem, read_decimal
from houqin.health.models import DoseUnit, MedicationGiven, MedicationRequest, MedicationStatus

MAX_DAYS = 14  # a request covers at most two weeks (a longer course is asked again)
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _times(value) -> list[str] | None:
    items = value if isinstance(value, (list, tuple)) else re.split(r"[,，、\s]+", str(value or ""))
    out = []
    for item in items:
        item = str(item).strip().replace("：", ":")
        if not item:
            continue
        m = _TIME.match(item)
        if not m:
            return None
        out.append(f"{int(m.group(1)):02d}:{m.group(2)}")
    return sorted(set(out))


def _amount(value) -> Decimal | None:
    try:
        d = read_decimal(value)
    except NumberProblem:
        return None
    return d if d is not None and Decimal("0") < d < Decimal("10000") else None


def request_medicine(*, actor, child, drug_name: str, dose_amount, dose_unit: str, times, start_date: dt.date,
                     days: int, reason: str, photo, confirmed: bool) -> MedicationRequest:
    """A parent entrusts a medicine. A dose without its unit, a time that is not a time, a past first
    day, more than MAX_DAYS days, no photo or no confirmation: refused with the field's message."""
    policy.require(actor, "health.medication.request", child)
    errors = {}
    drug_name = (drug_name or "").strip()
    if not drug_name:
        errors["drug_name"] = _("Name the medicine.")
    amount = _amount(dose_amount)
    if amount is None:
        errors["dose_amount"] = _("Give the dose as a number, e.g. 5.")
    if dose_unit not in DoseUnit.values:
        errors["dose_unit"] = _("Give the unit of the dose (ml, mg, tablets…): a dose without a unit cannot be given.")
    slots = _times(times)
    if not slots:
        errors["times"] = _("Give the times of the day as hours and minutes, e.g. 10:00, 14:30.")
    today = timezone.localdate()
    if start_date is None or start_date < today:
        errors["start_date"] = _("The first day cannot be in the past.")
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        errors["days"] = _("Between 1 and %(n)d days.") % {"n": MAX_DAYS}
    if not (reason or "").strip():
        errors["reason"] = _("Say why the child takes the medicine.")
    if not confirmed:
        errors["confirmed"] = _("Confirm that the medicine, the dose and the times are right.")
    if photo is None:
        errors["photo"] = _("Add a photo of the box or the prescription.")
    raise_for(errors)
    safe = files.read_upload(photo, field="photo", accept=files.DOCUMENTS)
    name = actor.user.display_name if hasattr(actor.user, "display_name") else str(actor.user)
    made = MedicationRequest(
        kindergarten=actor.kindergarten, child=child, school_class=child.school_class, drug_name=drug_name[:100],
        dose_amount=amount, dose_unit=dose_unit, times=slots, start_date=start_date,
        end_date=start_date + dt.timedelta(days=days - 1), reason=reason.strip()[:200],
        confirmed_text=(_("Confirmed by %(name)s at %(at)s") % {
            "name": name, "at": timezone.localtime().strftime("%Y-%m-%d %H:%M")})[:200],
        created_by=actor.user)
    made.photo.save(safe.name, safe.as_content_file(), save=False)
    made.save()
    return made


@transaction.atomic
def receive_medicine(*, actor, request: MedicationRequest, accept: bool, reason: str = "") -> MedicationRequest:
    """Class staff or the health teacher check the medicine against the request: received, or
    refused with a reason (the parent sees the reason)."""
    policy.require(actor, "health.medication.give", request)
    request = MedicationRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != MedicationStatus.REQUESTED:
        raise_for({"status": _("This medicine has already been received or refused.")})
    if not accept and not (reason or "").strip():
        raise_for({"reason": _("Say why the medicine is refused.")})
    request.status = MedicationStatus.RECEIVED if accept else MedicationStatus.REFUSED
    request.refusal_reason = "" if accept else reason.strip()[:200]
    request.checked_by, request.checked_at = actor.user, timezone.now()
    request.save()
    return request


def give_medicine(*, actor, request: MedicationRequest, date: dt.date, scheduled: str, dose_amount=None,
                  note: str = "") -> MedicationGiven:
    """Record one administration (the time is now, the giver the actor)."""
    policy.require(actor, "health.medication.give", request)
    errors = {}
    if request.status != MedicationStatus.RECEIVED:
        errors["status"] = _("The medicine has not been received.")
    if date is None or not request.start_date <= date <= request.end_date:
        errors["date"] = _("Not a day of this request.")
    elif date > timezone.localdate():
        errors["date"] = _("The date is in the future.")
    if scheduled not in request.times:
        errors["scheduled"] = _("Not a time of this request.")
    amount = request.dose_amount if dose_amount in (None, "") else _amount(dose_amount)
    if amount is None:
        errors["dose_amount"] = _("Give the dose as a number, e.g. 5.")
    raise_for(errors)
    try:
        with transaction.atomic():
            return MedicationGiven.objects.create(
                kindergarten=request.kindergarten, request=request, date=date, scheduled=scheduled,
                given_at=timezone.now(), dose_amount=amount, given_by=actor.user, note=(note or "").strip()[:200],
                created_by=actor.user)
    except IntegrityError:
        raise_for({"scheduled": _("This dose has already been recorded.")})


# --- reading ---------------------------------------------------------------------------------------


def request_list(*, actor, current_only: bool = False):
    qs = policy.scoped(actor, "health.medication.view", MedicationRequest.objects.all()).select_related(
        "child", "school_class", "created_by", "checked_by")
    if current_only:
        qs = qs.filter(end_date__gte=timezone.localdate() - dt.timedelta(days=7))
    return qs.order_by("-start_date", "-id")


def get_request(*, actor, code) -> MedicationRequest:
    return policy.get_or_404(actor, "health.medication.view", MedicationRequest.objects.select_related(
        "child", "school_class", "created_by", "checked_by"), code=code)


def schedule(request: MedicationRequest, *, today: dt.date | None = None, now: str | None = None) -> list[dict]:
    """Every dose of the request up to today: {date, time, given (MedicationGiven | None), missed}."""
    local = timezone.localtime()
    today = today or local.date()
    now = now or local.strftime("%H:%M")
    given = {(g.date, g.scheduled): g for g in request.given.select_related("given_by")}
    rows = []
    day = request.start_date
    while day <= min(request.end_date, today):
        for time in request.times:
            g = given.get((day, time))
            due = day < today or time <= now
            rows.append({"date": day, "time": time, "given": g, "due": due,
                         "missed": g is None and due and request.status == MedicationStatus.RECEIVED})
        day += dt.timedelta(days=1)
    return rows


def missed_doses(actor) -> list[tuple[MedicationRequest, str]]:
    """Doses of today whose time has passed and that nobody recorded (2 queries)."""
    local = timezone.localtime()
    today, now = local.date(), local.strftime("%H:%M")
    requests = list(policy.scoped(actor, "health.medication.give", MedicationRequest.objects.filter(
        status=MedicationStatus.RECEIVED, start_date__lte=today, end_date__gte=today)).select_related("child"))
    if not requests:
        return []
    given = set(MedicationGiven.objects.filter(request__in=requests, date=today).values_list("request_id", "scheduled"))
    return [(r, t) for r in requests for t in r.times if t <= now and (r.pk, t) not in given]


def waiting(actor) -> list[MedicationRequest]:
    return list(policy.scoped(actor, "health.medication.give", MedicationRequest.objects.filter(
        status=MedicationStatus.REQUESTED, end_date__gte=timezone.localdate())).select_related("child"))

"""Custody restrictions at the gate (不得接走): a person who must not collect a child.

A guardian of the child (with a court order or their signed statement) or the principal files a
restriction: the person's name, photo and identity card number, the document, valid from/to. It is
in force from the moment it is filed; the principal confirms it, or voids it with a reason.

`barred_collector` is the one check: `services.release_child` calls it for every collector (a
guardian, an authorised pick-up person, a delegate or someone else), so the page, the API and any
other path refuse the same way. Names are compared normalised (NFKC: full-width letters and spaces,
no whitespace, no middle dots, case folded), identity card numbers exactly (upper-case X): a
collector named differently but carrying the restricted number is refused too.

The refusal itself is saved (a refused Release pointing at the restriction, an AuditEvent) even
though the release is not; the principal and the class teacher see it at once as a red to-do on
their home (navigation.safety_todos), the one way Houqin alerts staff.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import policy
from houqin.core import files
from houqin.core.errors import Conflict, field_error, raise_for
from houqin.core.spreadsheets import match_key
from houqin.org.validators import id_number_checksum_ok
from houqin.safety.models import CustodyDocument, CustodyRestriction

_DOTS = re.compile(r"[·•・.．‧]")


def name_key(value: str) -> str:
    """How a collector's name is compared with a restricted person's: NFKC (full-width letters and
    spaces become ordinary ones), no whitespace, no middle dots, case folded."""
    return _DOTS.sub("", match_key(value or "")).casefold()[:30]


def id_key(value: str) -> str:
    """An identity card number as compared: NFKC, no whitespace, upper-case X."""
    return match_key(value or "").upper()


def in_force(child, day: dt.date):
    """The restrictions of `child` in force on `day` (filed and not voided, confirmed or not)."""
    return CustodyRestriction.objects.active().filter(child=child, valid_from__lte=day).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=day))


def barred_collector(child, *, name: str = "", id_number: str = "", day: dt.date | None = None):
    """The restriction that bars this collector from collecting `child` on `day`, or None. A match
    by the normalised name or by the exact identity card number is enough."""
    day = day or timezone.localdate()
    key, number = name_key(name), id_key(id_number)
    for restriction in in_force(child, day):
        if key and restriction.name_key == key:
            return restriction
        if number and restriction.id_number and restriction.id_number == number:
            return restriction
    return None


def mark_barred(found: dict, restrictions) -> None:
    """Mark the people `services.authorised_collectors` listed whose name a restriction in force bars
    (`is_barred`): the gate's card shows 不得接走 on them instead of a release button."""
    keys = {r.name_key for r in restrictions}
    for person in [*found["guardians"], *found["pickup_people"], *found["delegations"]]:
        person.is_barred = name_key(getattr(person, "delegate_name", None) or person.name) in keys


def refusal_line(restriction: CustodyRestriction, collector_name: str) -> str:
    """The one line the guard reads: who, and why, without the restriction's details."""
    return _("%(name)s must not collect %(child)s (custody restriction): the child was not released. The "
             "principal and the class teacher have been alerted.") % {
        "name": collector_name or restriction.person_name, "child": restriction.child.name}


# --------------------------------------------------------------------------------------------
# Filing, confirming, voiding


@transaction.atomic
def restriction_file(*, actor, child, person_name: str, document_kind: str, document, valid_from: dt.date,
                     valid_until: dt.date | None = None, id_number: str = "", photo=None,
                     reason: str = "") -> CustodyRestriction:
    """A guardian of the child (their own child only) or the principal files a restriction. Without
    the document (a court order or the signed statement) nothing is saved."""
    policy.require(actor, "safety.custody.file", child)
    if child.is_voided:
        raise field_error("child", _("Choose a child of this kindergarten."))
    errors = {}
    person_name = (person_name or "").strip()[:30]
    number = id_key(id_number)[:18]
    if not name_key(person_name):
        errors["person_name"] = _("Enter the full name of the person who must not collect the child.")
    if number and not id_number_checksum_ok(number):
        errors["id_number"] = _("Not a valid identity card number (18 characters, check digit wrong).")
    if document_kind not in CustodyDocument.values:
        errors["document_kind"] = _("Say whether the document is a court order or your signed statement.")
    if not valid_from:
        errors["valid_from"] = _("Enter the date from which the restriction applies.")
    elif valid_until and valid_until < valid_from:
        errors["valid_until"] = _("The end date is before the start date.")
    elif valid_until and valid_until < timezone.localdate():
        errors["valid_until"] = _("The end date is in the past.")
    if not document:
        errors["document"] = _("Attach the court order or the signed statement: a restriction is not "
                               "recorded without it.")
    raise_for(errors)
    from houqin.org.models import Child

    Child.objects.select_for_update().get(pk=child.pk)  # a release of this child waits for the filing
    scan = files.read_upload(document, field="document", accept=files.DOCUMENTS)
    picture = files.read_optional(photo, field="photo", accept=files.IMAGES)
    restriction = CustodyRestriction(
        kindergarten=actor.kindergarten, child=child, person_name=person_name, name_key=name_key(person_name),
        id_number=number, document_kind=document_kind, reason=(reason or "").strip()[:200],
        valid_from=valid_from, valid_until=valid_until, filed_by=actor.user, created_by=actor.user)
    restriction.document.save(scan.name, scan.as_content_file(), save=False)
    if picture is not None:
        restriction.photo.save(picture.name, picture.as_content_file(), save=False)
    restriction._history_user = actor.user
    restriction._change_reason = "filed"
    restriction.save()
    return restriction


@transaction.atomic
def restriction_confirm(*, actor, restriction: CustodyRestriction) -> CustodyRestriction:
    """The principal has read the document and confirms the restriction."""
    policy.require(actor, "safety.custody.decide", restriction)
    restriction = restriction.locked()
    if restriction.is_voided:
        raise Conflict(_("This restriction was voided."))
    if restriction.is_confirmed:
        raise Conflict(_("Already confirmed."))
    restriction.confirmed_by, restriction.confirmed_at = actor.user, timezone.now()
    restriction._history_user, restriction._change_reason = actor.user, "confirmed"
    restriction.save(update_fields=["confirmed_by", "confirmed_at", "updated_at"])
    return restriction


@transaction.atomic
def restriction_void(*, actor, restriction: CustodyRestriction, reason: str) -> CustodyRestriction:
    """The principal lifts a restriction (the order was revoked, or it was filed by mistake), with a
    reason; it stays on record."""
    policy.require(actor, "safety.custody.decide", restriction)
    return restriction.locked().void(actor=actor, reason=reason)


def reveal_id(*, actor, restriction: CustodyRestriction) -> str:
    """The full identity card number, for the principal and the class teacher; every look is in the
    audit log (safety.custody.view is a sensitive capability)."""
    policy.require(actor, "safety.custody.view", restriction)
    return restriction.id_number

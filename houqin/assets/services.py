"""Use cases of fixed assets: the register, rooms, class handovers and asset stocktakes.

Every function takes the acting `actor` (houqin.policy.Actor), checks its capability on the object,
validates, writes in one transaction and raises houqin.core.errors.DomainError (bad input, with
`errors=[{"field", "message"}]`), Forbidden or Conflict. Quantities and money are Decimal.

Decisions:
- A register row is an item type at one place with a quantity (幼儿椅 30 把), with its own label
  code ZC-<year>-<number> (unique per kindergarten, the year of registration). The place is a room,
  a class, or both; a class's own room brings its class. The campus follows from the place.
- Closing a handover applies its differences: the quantity changes by counted − expected; damaged
  pieces go under repair — the whole row when all of it is damaged, else they are split off into a
  new row (with its own label) in state "under repair". Nothing else changes the register behind
  the user's back.
- Posting a stocktake sets each counted quantity; if a row changed since the count began (another
  handover, an edit) the post is refused (Conflict) and names the rows: cancel and count again.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import policy
from houqin.assets.models import (
    ASSET_TRANSITIONS,
    HANDOVER_TRANSITIONS,
    QUANTITY,
    STOCKTAKE_TRANSITIONS,
    Asset,
    AssetState,
    AssetStocktake,
    AssetStocktakeLine,
    Category,
    Handover,
    HandoverKind,
    HandoverLine,
    HandoverStatus,
    Room,
    StocktakeStatus,
    Term,
)
from houqin.core import files
from houqin.core.errors import Conflict, DomainError, Forbidden, raise_for
from houqin.core.numbers import decimal_into
from houqin.core.workflow import move
from houqin.org.models import Kindergarten, SchoolClass
from houqin.org.selectors import staff_users

LABEL_PREFIX = "ZC"
MAX_QUANTITY = Decimal(10) ** (QUANTITY["max_digits"] - QUANTITY["decimal_places"]) - 1
MAX_PRICE = Decimal("9999999999.99")


# --- small helpers ---------------------------------------------------------------------------


def _need(actor, capability: str, obj=None) -> None:
    policy.require(actor, capability, obj)


def decimal_or_error(value, field: str, errors: list, *, places: int = 2, maximum: Decimal = MAX_QUANTITY,
                     required: bool = True, positive: bool = False, label: str = "") -> Decimal | None:
    """A Decimal from a form, the API or a cell (core.numbers); appends {"field", "message"} and
    returns None when it is not one."""
    return decimal_into(errors, field, value, required=required, required_message=_("This value is required."),
                        places=places, maximum=maximum, minimum=Decimal(0), positive=positive)


def _check_staff(kindergarten, user, field: str, errors: list) -> None:
    if user is not None and not staff_users(kindergarten).filter(pk=user.pk).exists():
        errors.append({"field": field, "message": _("Choose a member of staff of this kindergarten.")})


def next_label_codes(kindergarten, year: int, count: int = 1) -> list[str]:
    """The next `count` free label codes ZC-<year>-0001… of the kindergarten. Call it inside the
    transaction that writes them, after lock_register()."""
    prefix = f"{LABEL_PREFIX}-{year}-"
    used = Asset.objects.filter(kindergarten=kindergarten, label_code__startswith=prefix).values_list(
        "label_code", flat=True)
    highest = 0
    for code in used:
        tail = code[len(prefix):]
        if tail.isdigit():
            highest = max(highest, int(tail))
    return [f"{prefix}{n:04d}" for n in range(highest + 1, highest + 1 + count)]


def lock_register(kindergarten) -> None:
    """One writer of label codes at a time per kindergarten (NO KEY UPDATE blocks no FK)."""
    Kindergarten.objects.select_for_update(no_key=True).filter(pk=kindergarten.pk).first()



# --- rooms -----------------------------------------------------------------------------------


def _clean_room(room: Room, errors: list) -> None:
    room.name = (room.name or "").strip()
    if not room.name:
        errors.append({"field": "name", "message": _("Enter a name.")})
    elif len(room.name) > Room._meta.get_field("name").max_length:
        errors.append({"field": "name", "message": _("The name is too long.")})
    if room.school_class_id and room.school_class.campus_id != room.campus_id:
        errors.append({"field": "school_class", "message": _("The class is on another campus.")})
    if room.name and Room.objects.filter(kindergarten_id=room.kindergarten_id, campus_id=room.campus_id,
                                         name=room.name).exclude(pk=room.pk).exists():
        errors.append({"field": "name", "message": _("There is already a room of this name on the campus.")})


@transaction.atomic
def room_create(*, actor, campus, name: str, school_class: SchoolClass | None = None) -> Room:
    _need(actor, "assets.change")
    policy.same_kindergarten(actor, campus, school_class)
    if campus is None:
        raise_for([{"field": "campus", "message": _("Choose a campus.")}])
    if not in_scope_place(actor, "assets.change", campus.pk):
        raise Http404
    room = Room(kindergarten=actor.kindergarten, campus=campus, name=name, school_class=school_class,
                created_by=actor.user)
    errors: list = []
    _clean_room(room, errors)
    if errors:
        raise_for(errors)
    room.save()
    return room


ROOM_EDITABLE = ("name", "school_class", "is_active")


@transaction.atomic
def room_update(*, actor, room: Room, **changes) -> Room:
    _need(actor, "assets.change", room)
    unknown = set(changes) - set(ROOM_EDITABLE)
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %s") % ", ".join(sorted(unknown)))
    policy.same_kindergarten(actor, changes.get("school_class"))
    room = Room.objects.select_for_update().get(pk=room.pk)
    for field, value in changes.items():
        setattr(room, field, value)
    errors: list = []
    _clean_room(room, errors)
    if errors:
        raise_for(errors)
    room.save()
    return room


# --- the register ----------------------------------------------------------------------------

ASSET_EDITABLE = ("name", "category", "room", "school_class", "custodian", "quantity", "unit", "unit_price",
                  "purchase_date", "supplier_name", "notes", "photo")


def _place(asset: Asset, errors: list) -> None:
    """Room and class agree and give the campus."""
    room, school_class = asset.room, asset.school_class
    if room is None and school_class is None:
        errors.append({"field": "room", "message": _("Choose a room or a class.")})
        return
    if room is not None and school_class is None and room.school_class_id:
        asset.school_class = school_class = room.school_class
    if room is not None and school_class is not None:
        if room.school_class_id and room.school_class_id != school_class.pk:
            errors.append({"field": "school_class",
                           "message": _("The room belongs to another class: %(cls)s.") % {"cls": room.school_class}})
            return
        if room.campus_id != school_class.campus_id:
            errors.append({"field": "school_class", "message": _("The class is on another campus than the room.")})
            return
    asset.campus_id = room.campus_id if room is not None else school_class.campus_id


def _check_asset(asset: Asset, errors: list, today: dt.date, *, creating: bool = False) -> None:
    asset.name = (asset.name or "").strip()
    asset.unit = (asset.unit or "").strip()
    asset.supplier_name = (asset.supplier_name or "").strip()
    asset.notes = (asset.notes or "").strip()
    if not asset.name:
        errors.append({"field": "name", "message": _("Enter a name.")})
    if asset.category not in Category.values:
        errors.append({"field": "category", "message": _("Choose a category.")})
    asset.quantity = decimal_or_error(asset.quantity, "quantity", errors, positive=creating)
    if asset.unit_price is not None:
        asset.unit_price = decimal_or_error(asset.unit_price, "unit_price", errors, maximum=MAX_PRICE)
    if asset.purchase_date is not None:
        if asset.purchase_date > today:
            errors.append({"field": "purchase_date", "message": _("The purchase date is in the future.")})
        elif asset.purchase_date.year < 1950:
            errors.append({"field": "purchase_date", "message": _("The purchase date is too far in the past.")})
    _place(asset, errors)
    _check_staff(asset.kindergarten, asset.custodian, "custodian", errors)
    if not errors:
        try:
            asset.clean_fields(exclude=["kindergarten", "campus", "room", "school_class", "custodian", "created_by",
                                        "code", "photo", "label_code", "quantity", "unit_price"])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.extend({"field": field, "message": m} for m in messages)


def in_scope_place(actor, capability: str, campus_id, class_id=None) -> bool:
    """Whether a place (campus, optionally a class) lies in the actor's scope for `capability`:
    for rows not written yet (a new asset, room, handover or stocktake), the same rule as the policy."""
    for membership, scope in actor.grants(capability):
        if scope == policy.Scope.KINDERGARTEN and membership.campus_id in (None, campus_id):
            return True
        if scope == policy.Scope.CLASS and class_id is not None and membership.classes.filter(pk=class_id).exists():
            return True
    return False


def _scope_of_place(actor, capability: str, asset: Asset) -> None:
    if not in_scope_place(actor, capability, asset.campus_id, asset.school_class_id):
        raise Http404


@transaction.atomic
def asset_create(*, actor, name: str, category: str, quantity, room: Room | None = None,
                 school_class: SchoolClass | None = None, custodian=None, unit: str = "", unit_price=None,
                 purchase_date: dt.date | None = None, supplier_name: str = "", notes: str = "", photo=None,
                 label_code: str = "") -> Asset:
    _need(actor, "assets.change")
    policy.same_kindergarten(actor, room, school_class)
    kindergarten = actor.kindergarten
    asset = Asset(kindergarten=kindergarten, name=name, category=category, room=room, school_class=school_class,
                  custodian=custodian, quantity=quantity, unit=unit, unit_price=unit_price,
                  purchase_date=purchase_date, supplier_name=supplier_name, notes=notes, created_by=actor.user)
    errors: list = []
    today = timezone.localdate()
    _check_asset(asset, errors, today, creating=True)
    photo_file = None
    if photo:
        try:
            photo_file = files.read_upload(photo, field="photo", accept=files.IMAGES).as_content_file()
        except DomainError as exc:
            errors.extend(exc.errors)
    if errors:
        raise_for(errors)
    _scope_of_place(actor, "assets.change", asset)
    lock_register(kindergarten)
    asset.label_code = label_code or next_label_codes(kindergarten, today.year)[0]
    if Asset.objects.filter(kindergarten=kindergarten, label_code=asset.label_code).exists():
        raise Conflict(_("This label code is already used."), errors=[{"field": "label_code",
                                                                     "message": _("This label code is already used.")}])
    if photo_file is not None:
        asset.photo.save(photo_file.name, photo_file, save=False)
    asset.save()
    return asset


@transaction.atomic
def asset_update(*, actor, asset: Asset, **changes) -> Asset:
    _need(actor, "assets.change", asset)
    unknown = set(changes) - set(ASSET_EDITABLE)
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %s") % ", ".join(sorted(unknown)))
    policy.same_kindergarten(actor, changes.get("room"), changes.get("school_class"))
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    if asset.is_voided:
        raise DomainError(_("This record has been voided and cannot be changed."))
    if asset.state == AssetState.SCRAPPED:
        raise DomainError(_("This asset has been scrapped and cannot be changed."))
    photo = changes.pop("photo", None)
    for field, value in changes.items():
        setattr(asset, field, value)
    if "room" in changes and "school_class" not in changes:
        # moved to another room: the class follows the room (a store room has none)
        asset.school_class = asset.room.school_class if asset.room is not None and asset.room.school_class_id else (
            asset.school_class if asset.room is None else None)
    errors: list = []
    _check_asset(asset, errors, timezone.localdate())
    photo_file = None
    if photo:
        try:
            photo_file = files.read_upload(photo, field="photo", accept=files.IMAGES).as_content_file()
        except DomainError as exc:
            errors.extend(exc.errors)
    if errors:
        raise_for(errors)
    if "room" in changes or "school_class" in changes:
        _scope_of_place(actor, "assets.change", asset)
    if photo_file is not None:
        asset.photo.save(photo_file.name, photo_file, save=False)  # the old file stays: history points at it
    asset.save()
    return asset


def asset_set_state(*, actor, asset: Asset, state: str, reason: str = "") -> Asset:
    """The asset's state machine: in use ⇄ under repair → scrapped. Scrapping needs assets.scrap and
    a reason; the other moves need assets.change (repair requests call this)."""
    with transaction.atomic():
        return _set_state(actor=actor, asset=asset, state=state, reason=reason)


def _set_state(*, actor, asset: Asset, state: str, reason: str = "", system: bool = False) -> Asset:
    if state not in AssetState.values:
        raise_for([{"field": "state", "message": _("Choose a state.")}])
    if not system:
        _need(actor, "assets.scrap" if state == AssetState.SCRAPPED else "assets.change", asset)
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    if asset.is_voided:
        raise DomainError(_("This record has been voided and cannot be changed."))
    reason = (reason or "").strip()
    if state == asset.state:
        raise Conflict(_("The asset is already in this state."))
    move(asset, state, ASSET_TRANSITIONS, field="state",
         message=_("An asset that is %(from)s cannot become %(to)s.")
         % {"from": asset.get_state_display(), "to": AssetState(state).label})
    if state == AssetState.SCRAPPED and not reason:
        raise_for([{"field": "reason", "message": _("Give a reason for scrapping.")}])
    if len(reason) > 200:
        raise_for([{"field": "reason", "message": _("At most %(max)s characters.") % {"max": 200}}])
    asset.state = state
    asset.state_changed_at = timezone.now()
    asset.state_changed_by = actor.user
    asset.state_reason = reason
    asset._change_reason = reason[:100]
    asset.save(update_fields=["state", "state_changed_at", "state_changed_by", "state_reason", "updated_at"])
    return asset


def _void(instance, *, actor, reason: str) -> None:
    instance.void(actor=actor, reason=reason)


@transaction.atomic
def asset_void(*, actor, asset: Asset, reason: str) -> Asset:
    """A row entered by mistake is voided with a reason (never deleted). A row that is on an open
    handover or stocktake cannot be voided until that is finished."""
    _need(actor, "assets.scrap", asset)
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    busy = (HandoverLine.objects.filter(asset=asset, voided_at__isnull=True, handover__voided_at__isnull=True)
            .exclude(handover__status=HandoverStatus.CLOSED).exists()
            or AssetStocktakeLine.objects.filter(asset=asset, stocktake__voided_at__isnull=True,
                                                 stocktake__status=StocktakeStatus.OPEN).exists())
    if busy:
        raise Conflict(_("The asset is on a handover or stocktake that is not finished."))
    _void(asset, actor=actor, reason=reason)
    return asset


def _split_damaged(asset: Asset, damaged: Decimal, *, actor, reason: str) -> Asset:
    """Move `damaged` pieces of `asset` to a new row under repair (same item, own label code)."""
    lock_register(asset.kindergarten)
    code = next_label_codes(asset.kindergarten, timezone.localdate().year)[0]
    part = Asset(
        kindergarten=asset.kindergarten, label_code=code, name=asset.name, category=asset.category,
        campus_id=asset.campus_id, room_id=asset.room_id, school_class_id=asset.school_class_id,
        custodian_id=asset.custodian_id, quantity=damaged, unit=asset.unit, unit_price=asset.unit_price,
        purchase_date=asset.purchase_date, supplier_name=asset.supplier_name, photo=asset.photo.name,
        state=AssetState.UNDER_REPAIR, state_changed_at=timezone.now(), state_changed_by=actor.user,
        state_reason=reason[:200], notes=(_("Damaged pieces of %(label)s") % {"label": asset.label_code})[:200],
        created_by=actor.user,
    )
    part._change_reason = reason[:100]
    part.save()
    return part


# --- class handovers -------------------------------------------------------------------------


def _class_assets(school_class):
    return (Asset.objects.active().filter(school_class=school_class).exclude(state=AssetState.SCRAPPED)
            .order_by("label_code"))


@transaction.atomic
def handover_open(*, actor, school_class: SchoolClass, school_year: int, term: str, kind: str,
                  due_on: dt.date | None = None) -> Handover:
    """Open a class's handover for a term: one line per asset of the class, expecting the register's
    quantity. One per class, term and kind."""
    _need(actor, "assets.handover.close")
    policy.same_kindergarten(actor, school_class)
    if not in_scope_place(actor, "assets.handover.close", school_class.campus_id, school_class.pk):
        raise Http404
    errors = []
    if term not in Term.values:
        errors.append({"field": "term", "message": _("Choose a term.")})
    if kind not in HandoverKind.values:
        errors.append({"field": "kind", "message": _("Choose the start or the end of term.")})
    if not isinstance(school_year, int) or not 2000 <= school_year <= 2100:
        errors.append({"field": "school_year", "message": _("Enter a school year, e.g. 2026.")})
    if errors:
        raise_for(errors)
    if Handover.objects.active().filter(kindergarten=actor.kindergarten, school_class=school_class,
                                        school_year=school_year, term=term, kind=kind).exists():
        raise Conflict(_("%(cls)s already has this handover.") % {"cls": school_class.name})
    assets = list(_class_assets(school_class))
    if not assets:
        raise DomainError(_("%(cls)s has no assets in the register.") % {"cls": school_class.name})
    handover = Handover.objects.create(
        kindergarten=actor.kindergarten, school_class=school_class, school_year=school_year, term=term, kind=kind,
        due_on=due_on, created_by=actor.user,
    )
    HandoverLine.objects.bulk_create([
        HandoverLine(kindergarten=actor.kindergarten, handover=handover, asset=a, expected_quantity=a.quantity,
                     created_by=actor.user)
        for a in assets
    ])
    return handover


@transaction.atomic
def handover_open_for_classes(*, actor, school_year: int, term: str, kind: str,
                              due_on: dt.date | None = None) -> list[Handover]:
    """Open the handover for every active class in scope that has assets and none yet."""
    _need(actor, "assets.handover.close")
    have = set(Handover.objects.active().filter(kindergarten=actor.kindergarten, school_year=school_year, term=term,
                                                kind=kind).values_list("school_class_id", flat=True))
    with_assets = set(Asset.objects.active().filter(kindergarten=actor.kindergarten, school_class__isnull=False)
                      .exclude(state=AssetState.SCRAPPED).values_list("school_class_id", flat=True))
    created = []
    for school_class in SchoolClass.objects.filter(kindergarten=actor.kindergarten, is_active=True).order_by(
            "campus__name", "sort_order"):
        if school_class.pk in have or school_class.pk not in with_assets or not in_scope_place(
                actor, "assets.handover.close", school_class.campus_id, school_class.pk):
            continue
        created.append(handover_open(actor=actor, school_class=school_class, school_year=school_year, term=term,
                                     kind=kind, due_on=due_on))
    if not created:
        raise DomainError(_("Every class with assets already has this handover."))
    return created


def _can_count(actor, handover) -> bool:
    return policy.can(actor, "assets.handover.sign", handover) or policy.can(actor, "assets.handover.close", handover)


def _lines_by_code(handover, counts: list[dict]) -> list[tuple[HandoverLine, dict]]:
    lines = {str(line.code): line for line in handover.lines.active().select_related("asset")}
    out = []
    for entry in counts:
        line = entry.get("line")
        key = str(line.code) if isinstance(line, HandoverLine) else str(entry.get("line_code", line))
        if key not in lines:
            raise Http404
        out.append((lines[key], entry))
    return out


def _record_lines(actor, handover: Handover, counts: list[dict], *, may_assess: bool) -> list[HandoverLine]:
    """Validate every entry first; write only when all are good."""
    errors: list = []
    changed = []
    kindergarten = handover.kindergarten
    for line, entry in _lines_by_code(handover, counts):
        prefix = f"{line.code}."
        line_errors: list = []
        if "counted_quantity" in entry:
            line.counted_quantity = decimal_or_error(entry["counted_quantity"], prefix + "counted_quantity",
                                                     line_errors, required=False)
        if "damaged_quantity" in entry:
            damaged = decimal_or_error(entry["damaged_quantity"], prefix + "damaged_quantity", line_errors,
                                       required=False)
            line.damaged_quantity = damaged if damaged is not None else Decimal("0")
        if "explanation" in entry:
            line.explanation = (entry["explanation"] or "").strip()
            if len(line.explanation) > 200:
                line_errors.append({"field": prefix + "explanation",
                                    "message": _("At most %(max)s characters.") % {"max": 200}})
        assessing = any(k in entry for k in ("negligence", "responsible", "amount_charged"))
        if assessing and not may_assess:
            raise Forbidden(_("Only the logistics office decides on charges."))
        if "negligence" in entry:
            line.negligence = bool(entry["negligence"])
        if "responsible" in entry:
            line.responsible = entry["responsible"]
        if "amount_charged" in entry:
            line.amount_charged = decimal_or_error(entry["amount_charged"], prefix + "amount_charged", line_errors,
                                                   required=False, maximum=MAX_PRICE)
        if line.counted_quantity is not None and line.damaged_quantity > line.counted_quantity:
            line_errors.append({"field": prefix + "damaged_quantity",
                                "message": _("%(name)s: more damaged than found.") % {"name": line.asset.name}})
        if line.negligence:
            if line.responsible is None:
                line_errors.append({"field": prefix + "responsible",
                                    "message": _("%(name)s: name the person responsible.") % {"name": line.asset.name}})
            else:
                _check_staff(kindergarten, line.responsible, prefix + "responsible", line_errors)
            if line.amount_charged is None or line.amount_charged <= 0:
                line_errors.append({"field": prefix + "amount_charged",
                                    "message": _("%(name)s: enter the amount charged.") % {"name": line.asset.name}})
        elif line.responsible is not None or (line.amount_charged or 0) > 0:
            line_errors.append({"field": prefix + "negligence",
                                "message": _("%(name)s: a charge needs negligence to be ticked.")
                                % {"name": line.asset.name}})
        errors.extend(line_errors)
        changed.append(line)
    if errors:
        raise_for(errors)
    for line in changed:
        line.save()
    return changed


def _missing_explanations(handover) -> list[dict]:
    errors = []
    for line in handover.lines.active().select_related("asset"):
        if line.counted_quantity is None:
            errors.append({"field": f"{line.code}.counted_quantity",
                           "message": _("%(name)s: enter the quantity found.") % {"name": line.asset.name}})
        elif line.has_difference and not line.explanation:
            errors.append({"field": f"{line.code}.explanation",
                           "message": _("%(name)s: explain the difference.") % {"name": line.asset.name}})
    return errors


@transaction.atomic
def handover_record(*, actor, handover: Handover, counts: list[dict]) -> Handover:
    """Record what was found: per line counted and damaged quantities and an explanation (the class
    teacher or the logistics office, while open); charges (negligence, person, amount) only by the
    logistics office, while open or signed."""
    handover = Handover.objects.select_for_update().get(pk=handover.pk)
    may_close = policy.can(actor, "assets.handover.close", handover)
    if not _can_count(actor, handover):
        raise Forbidden()
    if handover.is_voided:
        raise DomainError(_("This record has been voided and cannot be changed."))
    if handover.status == HandoverStatus.SIGNED:
        if not may_close or any(k in e for e in counts for k in ("counted_quantity", "damaged_quantity", "explanation")):
            raise Conflict(_("The handover has been signed and can no longer be changed."))
    elif handover.status != HandoverStatus.OPEN:
        raise Conflict(_("The handover has been closed and can no longer be changed."))
    _record_lines(actor, handover, counts, may_assess=may_close)
    handover.save(update_fields=["updated_at"])
    return handover


def handover_set_status(*, actor, handover: Handover, status: str, reason: str = "") -> Handover:
    """The handover's state machine: open → signed (the class teacher), signed → open (returned for
    correction, with a reason) or closed (the logistics office; applies the differences)."""
    with transaction.atomic():
        handover = Handover.objects.select_for_update().get(pk=handover.pk)
        if status not in HandoverStatus.values:
            raise_for([{"field": "status", "message": _("Choose a status.")}])
        capability = "assets.handover.sign" if status == HandoverStatus.SIGNED else "assets.handover.close"
        _need(actor, capability, handover)
        if handover.is_voided:
            raise DomainError(_("This record has been voided and cannot be changed."))
        move(handover, status, HANDOVER_TRANSITIONS,
             message=_("A handover that is %(from)s cannot become %(to)s.")
             % {"from": handover.get_status_display(), "to": HandoverStatus(status).label})
        now = timezone.now()
        reason = (reason or "").strip()
        fields = ["status", "updated_at"]
        if status == HandoverStatus.SIGNED:
            errors = _missing_explanations(handover)
            if errors:
                raise_for(errors)
            handover.signed_by, handover.signed_at = actor.user, now
            fields += ["signed_by", "signed_at"]
        elif status == HandoverStatus.OPEN:
            if not reason:
                raise_for([{"field": "reason", "message": _("Say what has to be corrected.")}])
            handover.signed_by = handover.signed_at = None
            handover.returned_reason = reason[:200]
            fields += ["signed_by", "signed_at", "returned_reason"]
        else:
            errors = _missing_explanations(handover)
            for line in handover.lines.active().select_related("asset"):
                if line.negligence and (line.responsible_id is None or not line.amount_charged):
                    errors.append({"field": f"{line.code}.responsible",
                                   "message": _("%(name)s: name the person responsible and the amount.")
                                   % {"name": line.asset.name}})
            if errors:
                raise_for(errors)
            _apply_handover(actor, handover)
            handover.closed_by, handover.closed_at = actor.user, now
            fields += ["closed_by", "closed_at"]
        handover.status = status
        handover._change_reason = reason[:100]
        handover.save(update_fields=fields)
        return handover


def _apply_handover(actor, handover: Handover) -> None:
    lines = list(handover.lines.active().select_related("asset").order_by("asset_id"))
    assets = {a.pk: a for a in Asset.objects.select_for_update().filter(pk__in=[l.asset_id for l in lines])
              .order_by("pk")}
    reason = (_("Handover %(what)s") % {"what": handover})[:100]
    conflicts = []
    for line in lines:
        asset = assets[line.asset_id]
        if asset.is_voided or asset.state == AssetState.SCRAPPED:
            continue
        quantity = asset.quantity + (line.counted_quantity - line.expected_quantity)
        if quantity < 0:
            conflicts.append(asset.name)
            continue
        damaged = min(line.damaged_quantity, quantity)
        if quantity != asset.quantity:
            asset.quantity = quantity
            asset._change_reason = reason
            asset.save(update_fields=["quantity", "updated_at"])
        if damaged > 0 and asset.state == AssetState.IN_USE:
            if damaged >= asset.quantity:
                _set_state(actor=actor, asset=asset, state=AssetState.UNDER_REPAIR, reason=reason, system=True)
            else:
                asset.quantity -= damaged
                asset._change_reason = reason
                asset.save(update_fields=["quantity", "updated_at"])
                _split_damaged(asset, damaged, actor=actor, reason=reason)
    if conflicts:
        raise Conflict(_("The register changed meanwhile and would go below zero: %(names)s.")
                       % {"names": "、".join(conflicts)})


def handover_sign(*, actor, handover: Handover) -> Handover:
    return handover_set_status(actor=actor, handover=handover, status=HandoverStatus.SIGNED)


@transaction.atomic
def handover_close(*, actor, handover: Handover, assessments: list[dict] = ()) -> Handover:
    """Close a signed handover, recording first the charges of its lines (negligence, person
    responsible, amount) when given — all or nothing."""
    _need(actor, "assets.handover.close", handover)
    if assessments:
        handover = handover_record(actor=actor, handover=handover, counts=list(assessments))
    return handover_set_status(actor=actor, handover=handover, status=HandoverStatus.CLOSED)


def handover_return(*, actor, handover: Handover, reason: str) -> Handover:
    return handover_set_status(actor=actor, handover=handover, status=HandoverStatus.OPEN, reason=reason)


@transaction.atomic
def handover_confirm(*, actor, handover: Handover, counts: list[dict], sign: bool = False) -> Handover:
    """The class teacher's phone form: record the counts and, when asked, sign — all or nothing."""
    handover = handover_record(actor=actor, handover=handover, counts=counts)
    if sign:
        handover = handover_sign(actor=actor, handover=handover)
    return handover


@transaction.atomic
def handover_void(*, actor, handover: Handover, reason: str) -> Handover:
    _need(actor, "assets.handover.close", handover)
    handover = Handover.objects.select_for_update().get(pk=handover.pk)
    if handover.status == HandoverStatus.CLOSED:
        raise Conflict(_("A closed handover cannot be voided."))
    _void(handover, actor=actor, reason=reason)
    return handover


# --- asset stocktakes ------------------------------------------------------------------------


@transaction.atomic
def stocktake_open(*, actor, counted_on: dt.date, room: Room | None = None, campus=None,
                   notes: str = "") -> AssetStocktake:
    """Open a count of a room (or of a whole campus): one line per asset there, expecting the
    register's quantity. One open count per room at a time."""
    _need(actor, "assets.stocktake")
    policy.same_kindergarten(actor, room, campus)
    if room is not None:
        campus = room.campus
    errors = []
    if campus is None:
        errors.append({"field": "room", "message": _("Choose a room or a campus.")})
    if counted_on is None:
        errors.append({"field": "counted_on", "message": _("This value is required.")})
    elif counted_on > timezone.localdate() + dt.timedelta(days=31):
        errors.append({"field": "counted_on", "message": _("The date is more than a month ahead.")})
    if errors:
        raise_for(errors)
    if not in_scope_place(actor, "assets.stocktake", campus.pk):
        raise Http404
    open_counts = AssetStocktake.objects.active().filter(kindergarten=actor.kindergarten,
                                                         status=StocktakeStatus.OPEN, campus=campus)
    if room is not None:  # the room itself, or the whole campus, being counted
        open_counts = open_counts.filter(Q(room=room) | Q(room__isnull=True))
    if open_counts.exists():
        raise Conflict(_("A count of this place is already open: finish it first."))
    assets = Asset.objects.active().filter(kindergarten=actor.kindergarten, campus=campus).exclude(
        state=AssetState.SCRAPPED)
    if room is not None:
        assets = assets.filter(room=room)
    assets = list(assets.order_by("label_code"))
    if not assets:
        raise DomainError(_("There are no assets registered there."))
    stocktake = AssetStocktake.objects.create(kindergarten=actor.kindergarten, campus=campus, room=room,
                                              counted_on=counted_on, notes=(notes or "").strip()[:200],
                                              created_by=actor.user)
    AssetStocktakeLine.objects.bulk_create([
        AssetStocktakeLine(kindergarten=actor.kindergarten, stocktake=stocktake, asset=a, expected_quantity=a.quantity,
                           created_by=actor.user)
        for a in assets
    ])
    return stocktake


@transaction.atomic
def stocktake_record(*, actor, stocktake: AssetStocktake, counts: list[dict]) -> AssetStocktake:
    """Counted quantities and explanations of lines (each dict: line or line_code, counted_quantity,
    explanation). All entries are checked before any is written."""
    _need(actor, "assets.stocktake", stocktake)
    stocktake = AssetStocktake.objects.select_for_update().get(pk=stocktake.pk)
    if stocktake.is_voided:
        raise DomainError(_("This record has been voided and cannot be changed."))
    if stocktake.status != StocktakeStatus.OPEN:
        raise Conflict(_("The stocktake has been posted and can no longer be changed."))
    lines = {str(line.code): line for line in stocktake.lines.active().select_related("asset")}
    errors: list = []
    changed = []
    now = timezone.now()
    for entry in counts:
        line = entry.get("line")
        key = str(line.code) if isinstance(line, AssetStocktakeLine) else str(entry.get("line_code", line))
        if key not in lines:
            raise Http404
        line = lines[key]
        prefix = f"{line.code}."
        if "counted_quantity" in entry:
            counted = decimal_or_error(entry["counted_quantity"], prefix + "counted_quantity", errors, required=False)
            if counted != line.counted_quantity:
                line.counted_quantity = counted
                line.counted_by, line.counted_at = actor.user, now
        if "explanation" in entry:
            line.explanation = (entry["explanation"] or "").strip()
            if len(line.explanation) > 200:
                errors.append({"field": prefix + "explanation",
                               "message": _("At most %(max)s characters.") % {"max": 200}})
        changed.append(line)
    if errors:
        raise_for(errors)
    for line in changed:
        line.save()
    stocktake.save(update_fields=["updated_at"])
    return stocktake


def stocktake_set_status(*, actor, stocktake: AssetStocktake, status: str) -> AssetStocktake:
    """open → posted: every line counted, every difference explained; the register's quantities
    become the counted ones."""
    with transaction.atomic():
        _need(actor, "assets.stocktake", stocktake)
        stocktake = AssetStocktake.objects.select_for_update().get(pk=stocktake.pk)
        if stocktake.is_voided:
            raise DomainError(_("This record has been voided and cannot be changed."))
        move(stocktake, status, STOCKTAKE_TRANSITIONS, message=_("This stocktake cannot be posted now."))
        lines = list(stocktake.lines.active().select_related("asset").order_by("asset_id"))
        errors = []
        for line in lines:
            if line.counted_quantity is None:
                errors.append({"field": f"{line.code}.counted_quantity",
                               "message": _("%(name)s: not counted yet.") % {"name": line.asset.name}})
            elif line.counted_quantity != line.expected_quantity and not line.explanation:
                errors.append({"field": f"{line.code}.explanation",
                               "message": _("%(name)s: explain the difference.") % {"name": line.asset.name}})
        if errors:
            raise_for(errors)
        assets = {a.pk: a for a in Asset.objects.select_for_update().filter(pk__in=[l.asset_id for l in lines])
                  .order_by("pk")}
        changed_meanwhile = [
            assets[l.asset_id].label_code for l in lines
            if assets[l.asset_id].quantity != l.expected_quantity or assets[l.asset_id].is_voided
            or assets[l.asset_id].state == AssetState.SCRAPPED
        ]
        if changed_meanwhile:
            raise Conflict(_("These assets changed after the count began: %(codes)s. Void this stocktake and "
                             "count again.") % {"codes": "、".join(changed_meanwhile)})
        reason = (_("Stocktake of %(date)s") % {"date": stocktake.counted_on.isoformat()})[:100]
        for line in lines:
            asset = assets[line.asset_id]
            if line.counted_quantity != asset.quantity:
                asset.quantity = line.counted_quantity
                asset._change_reason = reason
                asset.save(update_fields=["quantity", "updated_at"])
        stocktake.status = status
        stocktake.posted_by, stocktake.posted_at = actor.user, timezone.now()
        stocktake.save(update_fields=["status", "posted_by", "posted_at", "updated_at"])
        return stocktake


def stocktake_post(*, actor, stocktake: AssetStocktake) -> AssetStocktake:
    return stocktake_set_status(actor=actor, stocktake=stocktake, status=StocktakeStatus.POSTED)


@transaction.atomic
def stocktake_count_and_post(*, actor, stocktake: AssetStocktake, counts: list[dict], post: bool = False):
    """The phone form: record the counts and, when asked, post — all or nothing."""
    stocktake = stocktake_record(actor=actor, stocktake=stocktake, counts=counts)
    if post:
        stocktake = stocktake_post(actor=actor, stocktake=stocktake)
    return stocktake


@transaction.atomic
def stocktake_void(*, actor, stocktake: AssetStocktake, reason: str) -> AssetStocktake:
    _need(actor, "assets.stocktake", stocktake)
    stocktake = AssetStocktake.objects.select_for_update().get(pk=stocktake.pk)
    if stocktake.status == StocktakeStatus.POSTED:
        raise Conflict(_("A posted stocktake cannot be voided."))
    _void(stocktake, actor=actor, reason=reason)
    return stocktake

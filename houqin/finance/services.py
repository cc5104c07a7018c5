"""Use cases of purchasing, repairs and money.

Every function takes the acting `actor` (houqin.policy.Actor), checks its capability on the object,
validates, writes in one transaction and raises houqin.core.errors.DomainError (Forbidden for the
wrong person, Conflict when someone else got there first) with a message for the user. Nothing is
written when a rule refuses.

The workflows are state machines (see houqin.finance.models): `purchase_request_set_status`,
`repair_request_set_status` and `expense_set_status` are the only places a status changes; they lock
the row (SELECT … FOR UPDATE), refuse a move the transitions map does not allow or that the actor may
not make, and record who and when.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import policy
from houqin.core import files
from houqin.core.audit import audit_event
from houqin.core.errors import Conflict, DomainError, Forbidden, field_error, raise_for
from houqin.core.numbers import NumberProblem, read_decimal
from houqin.finance.models import (
    AWAITING_APPROVAL,
    COMMITTING,
    DEFAULT_APPROVAL_THRESHOLD,
    STEP_ORDER,
    STEP_TO,
    Budget,
    BudgetCategory,
    Expense,
    ExpenseStatus,
    FeeStandard,
    FeeUnit,
    FinanceSettings,
    FixedBy,
    PaymentMethod,
    PurchaseRequest,
    PurchaseRequestLine,
    Receipt,
    RepairRequest,
    RequestStatus,
    Signature,
    SignatureStep,
    Term,
    money,
)
from houqin.org.models import Membership, Role

S = RequestStatus
E = ExpenseStatus
MAX_AMOUNT = Decimal("99999999.99")  # ¥99,999,999.99: anything above is a typing mistake
MAX_QUANTITY = Decimal("999999999.999")
MAX_RECEIPTS = 10
MAX_LINES = 50
ACCEPTOR_ROLES = (Role.DIRECTOR, Role.STOREKEEPER)

DEFAULT_CATEGORIES = [
    # name, sort order, food
    ("办公用品", 10, False),
    ("教玩具", 20, False),
    ("保教材料", 30, False),
    ("维修", 40, False),
    ("水电", 50, False),
    ("设备购置", 60, False),
    ("卫生保健", 70, False),
    ("其他", 90, False),
]
FOOD_CATEGORY = ("食品", 80, True)


# --------------------------------------------------------------------------------------------
# Small helpers


def parse_money(value, *, allow_zero: bool = True) -> Decimal:
    """An amount in yuan to the fen (¥ and thousands separators allowed; core.numbers reads it).
    Raises ValueError with the user's message."""
    if isinstance(value, str):
        value = value.replace("，", "").strip().lstrip("¥￥")
    try:
        amount = read_decimal(value, places=2, minimum=Decimal(0), maximum=MAX_AMOUNT, positive=not allow_zero,
                              exact_only=True, positive_message=_("The amount must be more than zero."))
    except NumberProblem as problem:
        raise ValueError(problem.message) from None
    if amount is None:
        raise ValueError(_("Enter an amount in yuan, e.g. 1280.50."))
    return money(amount)


def parse_quantity(value) -> Decimal:
    try:
        quantity = read_decimal(value, places=3, positive=True, maximum=MAX_QUANTITY, exact_only=True,
                                positive_message=_("The quantity must be more than zero."))
    except NumberProblem as problem:
        raise ValueError(problem.message) from None
    if quantity is None:
        raise ValueError(_("Enter a quantity, e.g. 12 or 2.5."))
    return quantity


def _money_field(errors: dict, field: str, value, *, allow_zero: bool = True) -> Decimal | None:
    if value is None or value == "":
        errors[field] = _("Enter an amount.")
        return None
    try:
        return parse_money(value, allow_zero=allow_zero)
    except ValueError as exc:
        errors[field] = str(exc)
        return None


def _text(value, limit: int) -> str:
    return (value or "").strip()[:limit]


def _save(instance, actor, reason: str = "", **kwargs):
    """Save, recording the acting user and the reason in the record's history."""
    instance._history_user = actor.user
    if reason:
        instance._change_reason = reason[:100]
    instance.save(**kwargs)
    return instance


def _check_can(actor, capability: str, obj, *, view_capability: str | None = None) -> None:
    """404 when the actor may not even see the object, 403 when they see it but may not do this."""
    if view_capability and not policy.allowed(actor, capability, obj):
        policy.require(actor, view_capability, obj)
    policy.require(actor, capability, obj)


def _next_number(model, kindergarten, prefix: str, year: int) -> str:
    stem = f"{prefix}-{year}-"
    last = model.objects.filter(kindergarten=kindergarten, number__startswith=stem).aggregate(m=Max("number"))["m"]
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{stem}{n:04d}"


def _create_numbered(instance, actor, prefix: str, year: int, reason: str = ""):
    """Save a new record with the next number of its kind and year (retrying if another got it first)."""
    for _attempt in range(5):
        instance.number = _next_number(type(instance), instance.kindergarten, prefix, year)
        try:
            with transaction.atomic():
                return _save(instance, actor, reason)
        except IntegrityError:
            instance.pk = None
            continue
    raise Conflict(_("Could not number the record: please try again."))


# --------------------------------------------------------------------------------------------
# Settings, categories and budgets


def finance_settings(kindergarten) -> FinanceSettings:
    """The kindergarten's money rules; the shipped defaults (unsaved) when it has set none."""
    found = FinanceSettings.objects.filter(kindergarten=kindergarten).first()
    return found or FinanceSettings(kindergarten=kindergarten, approval_threshold=DEFAULT_APPROVAL_THRESHOLD)


@transaction.atomic
def settings_update(*, actor, approval_threshold, food_in_budget: bool) -> FinanceSettings:
    if not actor.has("finance.settings.change"):
        raise Forbidden()
    errors: dict[str, str] = {}
    threshold = _money_field(errors, "approval_threshold", approval_threshold)
    raise_for(errors)
    row = FinanceSettings.objects.select_for_update().filter(kindergarten=actor.kindergarten).first()
    if row is None:
        row = FinanceSettings(kindergarten=actor.kindergarten, created_by=actor.user)
    row.approval_threshold = threshold
    row.food_in_budget = bool(food_in_budget)
    _save(row, actor, "settings")
    return row


@transaction.atomic
def categories_create_defaults(*, actor) -> list[BudgetCategory]:
    """Create the usual budget categories the kindergarten does not have yet."""
    if not actor.has("finance.budget.change"):
        raise Forbidden()
    existing = set(BudgetCategory.objects.filter(kindergarten=actor.kindergarten).values_list("name", flat=True))
    wanted = list(DEFAULT_CATEGORIES)
    if finance_settings(actor.kindergarten).food_in_budget:
        wanted.append(FOOD_CATEGORY)
    made = []
    for name, order, is_food in wanted:
        if name not in existing:
            made.append(_save(BudgetCategory(kindergarten=actor.kindergarten, name=name, sort_order=order,
                                             is_food=is_food, created_by=actor.user), actor))
    return made


@transaction.atomic
def category_create(*, actor, name: str, is_food: bool = False, sort_order: int | None = None) -> BudgetCategory:
    if not actor.has("finance.budget.change"):
        raise Forbidden()
    name = _text(name, 30)
    if not name:
        raise field_error("name", _("Enter the name of the category."))
    if BudgetCategory.objects.filter(kindergarten=actor.kindergarten, name=name).exists():
        raise field_error("name", _("There is already a category called %(name)s.") % {"name": name})
    if sort_order is None:
        sort_order = (BudgetCategory.objects.filter(kindergarten=actor.kindergarten)
                      .aggregate(m=Max("sort_order"))["m"] or 0) + 10
    return _save(BudgetCategory(kindergarten=actor.kindergarten, name=name, is_food=bool(is_food),
                                sort_order=sort_order, created_by=actor.user), actor)


@transaction.atomic
def budget_set(*, actor, category: BudgetCategory, year: int, amount, notes: str = "") -> Budget:
    """Set the budget of a category for a year (creating the line or changing its amount)."""
    if not actor.has("finance.budget.change"):
        raise Forbidden()
    policy.same_kindergarten(actor, category)
    errors: dict[str, str] = {}
    value = _money_field(errors, "amount", amount)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = _("Enter a year between 2000 and 2100.")
    raise_for(errors)
    budget = (Budget.objects.active().select_for_update()
              .filter(kindergarten=actor.kindergarten, category=category, year=year).first())
    if budget is None:
        budget = Budget(kindergarten=actor.kindergarten, category=category, year=year, created_by=actor.user)
    elif budget.amount == value and budget.notes == _text(notes, 200):
        return budget
    budget.amount = value
    budget.notes = _text(notes, 200)
    return _save(budget, actor, "budget")


def _check_category(actor, category, errors: dict, field: str = "category") -> None:
    if category is None:
        errors[field] = _("Choose a budget category.")
        return
    policy.same_kindergarten(actor, category)
    if not category.is_active:
        errors[field] = _("This budget category is no longer in use.")
    elif category.is_food and not finance_settings(actor.kindergarten).food_in_budget:
        errors[field] = _("Children's food is paid from the meal account, not from the kindergarten budget.")


def _check_year(errors: dict, year) -> int | None:
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["budget_year"] = _("Enter a year between 2000 and 2100.")
        return None
    return year


# --------------------------------------------------------------------------------------------
# Purchase and repair requests


@dataclass(frozen=True)
class _Kind:
    model: type
    prefix: str
    view: str
    create: str
    approve: str
    process: str


PURCHASE = _Kind(PurchaseRequest, "SG", "finance.purchase.view", "finance.purchase.create",
                 "finance.purchase.approve", "finance.purchase.process")
REPAIR = _Kind(RepairRequest, "WX", "finance.repair.view", "finance.repair.create",
               "finance.repair.approve", "finance.repair.record")


def _kind_of(request) -> _Kind:
    return PURCHASE if isinstance(request, PurchaseRequest) else REPAIR


def _clean_lines(lines) -> tuple[list[dict], dict[str, str]]:
    """Purchase lines as dicts (description, quantity, unit, unit_price); blank lines are dropped."""
    cleaned, errors = [], {}
    for index, line in enumerate(lines or []):
        description = _text(line.get("description"), 100)
        raw_quantity, raw_price, unit = line.get("quantity"), line.get("unit_price"), _text(line.get("unit"), 10)
        if not description and raw_quantity in (None, "") and raw_price in (None, ""):
            continue
        prefix = f"lines.{index}."
        if not description:
            errors[prefix + "description"] = _("Line %(n)d: say what to buy.") % {"n": index + 1}
        try:
            quantity = parse_quantity(raw_quantity)
        except ValueError as exc:
            errors[prefix + "quantity"] = _("Line %(n)d: %(error)s") % {"n": index + 1, "error": exc}
            quantity = None
        try:
            if raw_price in (None, ""):
                raise ValueError(_("Enter an amount."))
            price = parse_money(raw_price)
        except ValueError as exc:
            errors[prefix + "unit_price"] = _("Line %(n)d: %(error)s") % {"n": index + 1, "error": exc}
            price = None
        if not unit:
            errors[prefix + "unit"] = _("Line %(n)d: enter the unit (个, 箱, 套 …).") % {"n": index + 1}
        cleaned.append({"description": description, "quantity": quantity, "unit": unit, "unit_price": price,
                        "stock_item": line.get("stock_item")})
    if not cleaned and not errors:
        errors["lines"] = _("Add at least one line: what to buy, how many, and the estimated price.")
    if len(cleaned) > MAX_LINES:
        errors["lines"] = _("A purchase request has at most %(n)d lines.") % {"n": MAX_LINES}
    if not errors:
        total = sum((money(line["quantity"] * line["unit_price"]) for line in cleaned), Decimal("0.00"))
        if total > MAX_AMOUNT:
            errors["lines"] = _("The amount is too large: check it.")
    return cleaned, errors


def _write_lines(actor, request: PurchaseRequest, lines: list[dict]) -> None:
    request.lines.all().delete()  # only ever a draft's lines
    for position, line in enumerate(lines):
        row = PurchaseRequestLine(
            kindergarten=request.kindergarten, request=request, position=position, description=line["description"],
            quantity=line["quantity"], unit=line["unit"], unit_price=line["unit_price"], created_by=actor.user,
        )
        if line.get("stock_item") is not None:
            policy.same_kindergarten(actor, line["stock_item"])
            row.stock_item = line["stock_item"]
        _save(row, actor)
    request.total = sum((line.amount for line in request.lines.all()), Decimal("0.00"))


@transaction.atomic
def purchase_request_create(*, actor, title: str, reason: str, category, lines, budget_year: int | None = None,
                            needed_by: dt.date | None = None, supplier_name: str = "", supplier=None,
                            submit: bool = False) -> PurchaseRequest:
    if not actor.has(PURCHASE.create):
        raise Forbidden()
    errors: dict[str, str] = {}
    title, reason = _text(title, 100), _text(reason, 1000)
    if not title:
        errors["title"] = _("Say what is to be bought.")
    if not reason:
        errors["reason"] = _("Say why it is needed.")
    _check_category(actor, category, errors)
    year = _check_year(errors, budget_year or timezone.localdate().year)
    if needed_by and needed_by < timezone.localdate():
        errors["needed_by"] = _("The date it is needed by has passed.")
    cleaned, line_errors = _clean_lines(lines)
    errors.update(line_errors)
    raise_for(errors)
    request = PurchaseRequest(
        kindergarten=actor.kindergarten, title=title, reason=reason, category=category, budget_year=year,
        needed_by=needed_by, supplier_name=_text(supplier_name, 100), created_by=actor.user,
    )
    if supplier is not None:
        policy.same_kindergarten(actor, supplier)
        request.supplier = supplier
        request.supplier_name = request.supplier_name or supplier.name
    _create_numbered(request, actor, PURCHASE.prefix, year, "created")
    _write_lines(actor, request, cleaned)
    _save(request, actor, "lines", update_fields=["total", "updated_at"])
    if submit:
        request = purchase_request_set_status(actor=actor, request=request, status=S.SUBMITTED)
    return request


PURCHASE_EDITABLE = ("title", "reason", "category", "budget_year", "needed_by", "supplier_name", "supplier", "lines")


@transaction.atomic
def purchase_request_update(*, actor, request: PurchaseRequest, **changes) -> PurchaseRequest:
    """Change a draft (only its requester). Once submitted, a request is decided, not edited."""
    _check_can(actor, PURCHASE.create, request, view_capability=PURCHASE.view)
    unknown = set(changes) - set(PURCHASE_EDITABLE)
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %s") % ", ".join(sorted(unknown)))
    request = PurchaseRequest.objects.select_for_update().get(pk=request.pk)
    if request.created_by_id != actor.user.pk:
        raise Forbidden(_("Only the person who asked can change a draft request."))
    if request.status != S.DRAFT:
        raise DomainError(_("Only a draft can be changed; this request has been submitted."))
    errors: dict[str, str] = {}
    for field in ("title", "reason", "supplier_name"):
        if field in changes:
            setattr(request, field, _text(changes[field], 1000 if field == "reason" else 100))
    if "title" in changes and not request.title:
        errors["title"] = _("Say what is to be bought.")
    if "reason" in changes and not request.reason:
        errors["reason"] = _("Say why it is needed.")
    if "category" in changes:
        _check_category(actor, changes["category"], errors)
        request.category = changes["category"]
    if "budget_year" in changes:
        request.budget_year = _check_year(errors, changes["budget_year"])
    if "needed_by" in changes:
        if changes["needed_by"] and changes["needed_by"] < timezone.localdate():
            errors["needed_by"] = _("The date it is needed by has passed.")
        request.needed_by = changes["needed_by"]
    if "supplier" in changes:
        policy.same_kindergarten(actor, changes["supplier"])
        request.supplier = changes["supplier"]
        if request.supplier is not None and not request.supplier_name:
            request.supplier_name = request.supplier.name
    cleaned = None
    if "lines" in changes:
        cleaned, line_errors = _clean_lines(changes["lines"])
        errors.update(line_errors)
    raise_for(errors)
    if cleaned is not None:
        _write_lines(actor, request, cleaned)
    return _save(request, actor, "edited")


def _threshold(kindergarten) -> Decimal:
    return finance_settings(kindergarten).approval_threshold


def _move_rules(actor, locked, status: str, kind: _Kind, note: str) -> dict:
    """Who may make this move, and what it records. Raises when the actor may not."""
    user, roles, now = actor.user, actor.roles, timezone.now()
    requester = locked.created_by_id
    own = requester == user.pk
    current = locked.status
    if status == S.SUBMITTED:
        if not actor.has(kind.create) or not own:
            raise Forbidden(_("Only the person who asked can submit the request."))
        total = locked.estimated_total
        is_director = Role.DIRECTOR in roles
        threshold = _threshold(actor.kindergarten)
        return {"submitted_at": now, "submitted_by": user, "requester_is_director": is_director,
                "threshold_at_submission": threshold, "needs_principal": is_director or total >= threshold}
    if status in (S.DIRECTOR_APPROVED, S.APPROVED) and current in AWAITING_APPROVAL:
        if not actor.has(kind.approve):
            raise Forbidden()
        policy.forbid_self_approval(actor, locked)
        step = locked.approver_step
        if step == "director":
            if Role.DIRECTOR not in roles:
                raise DomainError(_("The logistics director approves first; the principal approves after."),
                                  code="out_of_order")
            if status == S.APPROVED and locked.needs_principal:
                raise DomainError(_("This request reaches the principal's threshold: it needs the principal's "
                                    "approval after yours."), code="needs_principal")
            if status == S.DIRECTOR_APPROVED and not locked.needs_principal:
                raise DomainError(_("This request does not need the principal's approval."))
            return {"director_approved_at": now, "director_approved_by": user}
        # the principal's step
        if status != S.APPROVED or Role.PRINCIPAL not in roles:
            raise DomainError(_("This request is waiting for the principal's approval."), code="principal_step")
        if locked.director_approved_by_id == user.pk:
            raise Forbidden(_("The same person cannot give both approvals."))
        return {"principal_approved_at": now, "principal_approved_by": user}
    if status == S.REJECTED:
        if not actor.has(kind.approve):
            raise Forbidden()
        policy.forbid_self_approval(actor, locked, message=_("You cannot decide on your own request."))
        step = locked.approver_step
        allowed = Role.PRINCIPAL in roles or (step == "director" and Role.DIRECTOR in roles)
        if not allowed:
            raise DomainError(_("This request is waiting for the principal's decision."))
        if not note:
            raise field_error("reason", _("Say why the request is rejected."))
        return {"closed_at": now, "closed_by": user, "decision_note": note}
    if status == S.CANCELLED:
        if current in (S.DRAFT, *AWAITING_APPROVAL) and own and actor.has(kind.create):
            pass
        elif actor.has(kind.approve) and current not in (S.DRAFT,):
            pass
        else:
            raise Forbidden(_("Only the person who asked, the director or the principal can cancel a request."))
        if current != S.DRAFT and not note:
            raise field_error("reason", _("Say why the request is cancelled."))
        return {"closed_at": now, "closed_by": user, "decision_note": note}
    if status in (S.ORDERED, S.IN_REPAIR):
        if not actor.has(kind.process):
            raise Forbidden()
        return {"ordered_at": now, "ordered_by": user} if status == S.ORDERED else {"started_at": now}
    if status == S.DONE:
        if not actor.has(kind.process):
            raise Forbidden()
        return {"done_at": now, "done_by": user}
    raise DomainError(_("This change of status is not possible."))


def _request_set_status(*, actor, request, status: str, note: str = "", fields: dict | None = None):
    kind = _kind_of(request)
    model = kind.model
    if not policy.can(actor, kind.view, request):
        raise Http404
    status = S(status)
    note = _text(note, 200)
    locked = model.objects.select_for_update().get(pk=request.pk)
    current = locked.status
    if locked.is_voided:
        raise DomainError(_("This request has been voided."))
    if status == current:
        raise Conflict(_("Someone has already done this: the request is now “%(status)s”.")
                       % {"status": S(current).label}, code="conflict")
    if status not in model.TRANSITIONS[current]:
        if current in (S.DONE, S.REJECTED, S.CANCELLED) or (
            status in (S.DIRECTOR_APPROVED, S.APPROVED) and current not in AWAITING_APPROVAL
        ):
            raise Conflict(_("The request is “%(current)s”: it cannot become “%(new)s”.")
                           % {"current": S(current).label, "new": status.label}, code="conflict")
        raise DomainError(_("The request is “%(current)s”: it cannot become “%(new)s”.")
                          % {"current": S(current).label, "new": status.label}, code="illegal_transition")
    recorded = _move_rules(actor, locked, status, kind, note)
    if status == S.SUBMITTED:
        if kind is PURCHASE and not locked.lines.exists():
            raise field_error("lines", _("Add at least one line: what to buy, how many, and the estimated price."))
    if status == S.DIRECTOR_APPROVED and not recorded.get("director_approved_by"):
        raise DomainError(_("This change of status is not possible."))
    for field, value in {**recorded, **(fields or {})}.items():
        setattr(locked, field, value)
    if kind is REPAIR and status in (S.IN_REPAIR, S.DONE):
        errors: dict[str, str] = {}
        _repair_fields(fixed_by=locked.fixed_by, fixer_name=locked.fixer_name, errors=errors)
        if status == S.DONE and (locked.actual_cost is None or locked.repaired_on is None):
            errors["actual_cost"] = _("Record the cost and the date of the repair.")
        raise_for(errors)
    locked.status = status
    _save(locked, actor, f"{current} → {status}")
    if status in (S.DIRECTOR_APPROVED, S.APPROVED, S.REJECTED) and current in AWAITING_APPROVAL:
        action = "approve" if status != S.REJECTED else "reject"
        audit_event(action=f"{kind.approve.rsplit('.', 1)[0]}.{action}", actor=actor.user,
                    kindergarten=actor.kindergarten, obj=locked, detail={"from": current, "to": status})
    return locked


@transaction.atomic
def purchase_request_set_status(*, actor, request: PurchaseRequest, status: str, note: str = "") -> PurchaseRequest:
    """The one gate of the purchase request's state machine (see PURCHASE_TRANSITIONS)."""
    return _request_set_status(actor=actor, request=request, status=status, note=note)


@transaction.atomic
def repair_request_set_status(*, actor, request: RepairRequest, status: str, note: str = "",
                              fields: dict | None = None) -> RepairRequest:
    """The one gate of the repair request's state machine (see REPAIR_TRANSITIONS)."""
    return _request_set_status(actor=actor, request=request, status=status, note=note, fields=fields)


def _set_status(request, **kwargs):
    if isinstance(request, PurchaseRequest):
        return purchase_request_set_status(request=request, **kwargs)
    return repair_request_set_status(request=request, **kwargs)


def request_submit(*, actor, request):
    return _set_status(request, actor=actor, status=S.SUBMITTED)


@transaction.atomic
def request_approve(*, actor, request):
    """Approve at the step the request is waiting for: the director's, then (at or above the
    threshold) the principal's. A director's own request is approved by the principal alone."""
    if not policy.can(actor, _kind_of(request).view, request):
        raise Http404
    locked = type(request).objects.select_for_update().get(pk=request.pk)
    if locked.status == S.SUBMITTED and locked.approver_step == "director" and locked.needs_principal:
        target = S.DIRECTOR_APPROVED
    else:
        target = S.APPROVED
    return _set_status(locked, actor=actor, status=target)


def request_reject(*, actor, request, reason: str):
    return _set_status(request, actor=actor, status=S.REJECTED, note=reason)


def request_cancel(*, actor, request, reason: str = ""):
    return _set_status(request, actor=actor, status=S.CANCELLED, note=reason)


def purchase_request_mark_ordered(*, actor, request: PurchaseRequest) -> PurchaseRequest:
    return purchase_request_set_status(actor=actor, request=request, status=S.ORDERED)


def purchase_request_mark_received(*, actor, request: PurchaseRequest) -> PurchaseRequest:
    return purchase_request_set_status(actor=actor, request=request, status=S.DONE)


def _campus_for(actor, campus):
    """A repair request belongs to a campus when the reporter works on one campus only."""
    narrowed = {m.campus_id for m in actor.memberships if Role(m.role) in policy.CAPABILITIES[REPAIR.create].grants}
    if campus is not None:
        policy.same_kindergarten(actor, campus)
        if None not in narrowed and campus.pk not in narrowed:
            raise Http404
        return campus
    if None not in narrowed and len(narrowed) == 1:
        from houqin.org.models import Campus

        return Campus.objects.get(pk=next(iter(narrowed)))
    return None


@transaction.atomic
def repair_request_create(*, actor, title: str, location: str, reason: str, category, estimated_cost,
                          budget_year: int | None = None, campus=None, asset=None,
                          submit: bool = False) -> RepairRequest:
    if not actor.has(REPAIR.create):
        raise Forbidden()
    errors: dict[str, str] = {}
    title, location, reason = _text(title, 100), _text(location, 100), _text(reason, 1000)
    if not title:
        errors["title"] = _("Say what is broken.")
    if not location:
        errors["location"] = _("Say where it is.")
    if not reason:
        errors["reason"] = _("Describe the fault.")
    _check_category(actor, category, errors)
    cost = _money_field(errors, "estimated_cost", estimated_cost if estimated_cost not in (None, "") else "0")
    year = _check_year(errors, budget_year or timezone.localdate().year)
    raise_for(errors)
    if asset is not None:
        policy.same_kindergarten(actor, asset)
        campus = campus or asset.campus
    request = RepairRequest(
        kindergarten=actor.kindergarten, title=title, location=location, reason=reason, category=category,
        estimated_cost=cost, budget_year=year, campus=_campus_for(actor, campus), asset=asset, created_by=actor.user,
    )
    _create_numbered(request, actor, REPAIR.prefix, year, "created")
    if submit:
        request = repair_request_set_status(actor=actor, request=request, status=S.SUBMITTED)
    return request


def _repair_fields(*, fixed_by, fixer_name, errors: dict) -> dict:
    fixer_name = _text(fixer_name, 100)
    if fixed_by not in FixedBy.values:
        errors["fixed_by"] = _("Say whether it was repaired in house or by a contractor.")
    elif not fixer_name:
        errors["fixer_name"] = (_("Enter the contractor's name.") if fixed_by == FixedBy.CONTRACTOR
                                else _("Enter who repaired it."))
    return {"fixed_by": fixed_by, "fixer_name": fixer_name}


@transaction.atomic
def repair_request_start(*, actor, request: RepairRequest, fixed_by: str, fixer_name: str) -> RepairRequest:
    """The repair starts: who repairs it (in house or a contractor); the asset goes under repair."""
    errors: dict[str, str] = {}
    fields = _repair_fields(fixed_by=fixed_by, fixer_name=fixer_name, errors=errors)
    raise_for(errors)
    request = repair_request_set_status(actor=actor, request=request, status=S.IN_REPAIR, fields=fields)
    _asset_state(actor, request, "under_repair")
    return request


@transaction.atomic
def repair_request_complete(*, actor, request: RepairRequest, fixed_by: str, fixer_name: str, actual_cost,
                            repaired_on: dt.date, asset_returned_on: dt.date | None = None,
                            notes: str = "") -> RepairRequest:
    """Record the repair done: who fixed it (in house or a contractor), the cost, the date, and the
    date the asset came back into use."""
    errors: dict[str, str] = {}
    fields = _repair_fields(fixed_by=fixed_by, fixer_name=fixer_name, errors=errors)
    fields["actual_cost"] = _money_field(errors, "actual_cost", actual_cost)
    today = timezone.localdate()
    submitted = timezone.localtime(request.submitted_at).date() if request.submitted_at else None
    if not repaired_on:
        errors["repaired_on"] = _("Enter the date of the repair.")
    elif repaired_on > today:
        errors["repaired_on"] = _("The date of the repair is in the future.")
    elif submitted and repaired_on < submitted:
        errors["repaired_on"] = _("The date of the repair is before the request was made.")
    if asset_returned_on:
        if asset_returned_on > today:
            errors["asset_returned_on"] = _("The date the asset came back is in the future.")
        elif repaired_on and asset_returned_on < repaired_on:
            errors["asset_returned_on"] = _("The asset cannot come back before it was repaired.")
    raise_for(errors)
    fields.update(repaired_on=repaired_on, asset_returned_on=asset_returned_on, repair_notes=_text(notes, 200))
    request = repair_request_set_status(actor=actor, request=request, status=S.DONE, fields=fields)
    if asset_returned_on:
        _asset_state(actor, request, "in_use")
    return request


def _asset_state(actor, request: RepairRequest, state: str) -> None:
    """Keep the asset register in step with the repair: under repair while it is being repaired, in
    use again when it comes back (through the assets area's own state machine and policy)."""
    if request.asset_id is None:
        return
    from houqin.assets import services as asset_services

    asset = request.asset
    if asset.is_voided or asset.state == state:
        return
    asset_services.asset_set_state(actor=actor, asset=asset, state=state, reason=request.number)


# --------------------------------------------------------------------------------------------
# Receipts


def _store_receipts(actor, expense: Expense, checked: list[files.SafeFile]) -> list[Receipt]:
    """Write the files and their rows; if anything fails, the files written so far are removed again."""
    made, written = [], []
    try:
        for item in checked:
            receipt = Receipt(kindergarten=expense.kindergarten, expense=expense, content_type=item.content_type,
                              size=item.size, original_name=item.original_name,
                              sha256=item.sha256, created_by=actor.user)
            receipt.file.save(item.name, item.as_content_file(), save=False)
            written.append(receipt.file)
            made.append(_save(receipt, actor, "receipt"))
    except Exception:
        for stored in written:
            stored.delete(save=False)
        raise
    return made


def check_receipt(upload) -> files.SafeFile:
    """A receipt is a photo or a PDF scan, read by the one file reader (houqin.core.files)."""
    return files.read_upload(upload, field="receipts", accept=files.DOCUMENTS)


def _checked_all(uploads) -> list[files.SafeFile]:
    """Check every file before anything is written: one bad file refuses them all."""
    return [check_receipt(upload) for upload in uploads]


# --------------------------------------------------------------------------------------------
# Expenses


def _check_handler(actor, handler) -> None:
    """The handler (经手人) is a staff member of the kindergarten who may sign expenses."""
    signers = policy.CAPABILITIES["finance.expense.sign"].grants
    ok = Membership.objects.filter(user=handler, kindergarten=actor.kindergarten, is_active=True,
                                   role__in=[r.value for r in signers]).exists()
    if not ok:
        raise field_error("handler", _("The handler must be a member of staff who can sign expenses."))


def _check_linked_request(actor, request, errors: dict, field: str) -> None:
    if request is None:
        return
    policy.same_kindergarten(actor, request)
    if request.status not in COMMITTING:
        errors[field] = _("Link only an approved request.")


def _expense_fields(actor, *, title, amount, category, spent_on, payee, description, errors: dict) -> dict:
    title, payee = _text(title, 100), _text(payee, 100)
    if not title:
        errors["title"] = _("Say what was bought or paid for.")
    value = _money_field(errors, "amount", amount, allow_zero=False)
    _check_category(actor, category, errors)
    today = timezone.localdate()
    if not spent_on:
        errors["spent_on"] = _("Enter the date on the receipt.")
    elif spent_on > today:
        errors["spent_on"] = _("The date on the receipt is in the future.")
    elif spent_on < today - dt.timedelta(days=366):
        errors["spent_on"] = _("The receipt is more than a year old: ask the accountant.")
    if not payee:
        errors["payee"] = _("Say who was paid (shop, supplier or person).")
    return {"title": title, "amount": value, "category": category, "spent_on": spent_on, "payee": payee,
            "description": _text(description, 500)}


@transaction.atomic
def expense_create(*, actor, title: str, amount, category, spent_on: dt.date, payee: str, description: str = "",
                   handler=None, purchase_request=None, repair_request=None, receipts=()) -> Expense:
    """Record an expense with its receipts. The handler (经手人) is the person who spent the money:
    the recorder unless another member of staff is named; they sign first."""
    if not actor.has("finance.expense.create"):
        raise Forbidden()
    errors: dict[str, str] = {}
    fields = _expense_fields(actor, title=title, amount=amount, category=category, spent_on=spent_on,
                             payee=payee, description=description, errors=errors)
    _check_linked_request(actor, purchase_request, errors, "purchase_request")
    _check_linked_request(actor, repair_request, errors, "repair_request")
    if purchase_request is not None and repair_request is not None:
        errors["repair_request"] = _("Link a purchase request or a repair request, not both.")
    receipts = list(receipts or [])
    if len(receipts) > MAX_RECEIPTS:
        errors["receipts"] = _("At most %(n)d receipts per expense.") % {"n": MAX_RECEIPTS}
    raise_for(errors)
    handler = handler or actor.user
    if handler != actor.user:
        _check_handler(actor, handler)
    checked = _checked_all(receipts)
    expense = Expense(kindergarten=actor.kindergarten, handler=handler, purchase_request=purchase_request,
                      repair_request=repair_request, created_by=actor.user, **fields)
    _create_numbered(expense, actor, "BX", spent_on.year, "created")
    _store_receipts(actor, expense, checked)
    return expense


EXPENSE_EDITABLE = ("title", "amount", "category", "spent_on", "payee", "description", "handler")


def _may_edit_draft(actor, expense: Expense) -> None:
    _check_can(actor, "finance.expense.create", expense, view_capability="finance.expense.view")
    if actor.user.pk not in (expense.created_by_id, expense.handler_id):
        raise Forbidden(_("Only the person who recorded the expense or its handler can change it."))
    if expense.is_voided or expense.status == E.VOIDED:
        raise DomainError(_("This expense has been voided."))
    if expense.status != E.DRAFT:
        raise DomainError(_("A signed expense cannot be changed; the principal can void it with a reason."),
                          code="signed")


@transaction.atomic
def expense_update(*, actor, expense: Expense, **changes) -> Expense:
    unknown = set(changes) - set(EXPENSE_EDITABLE)
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %s") % ", ".join(sorted(unknown)))
    expense = Expense.objects.select_for_update().get(pk=expense.pk)
    _may_edit_draft(actor, expense)
    values = {f: getattr(expense, f) for f in ("title", "amount", "category", "spent_on", "payee", "description")}
    values.update({k: v for k, v in changes.items() if k != "handler"})
    errors: dict[str, str] = {}
    fields = _expense_fields(actor, errors=errors, **values)
    raise_for(errors)
    if "handler" in changes and changes["handler"] is not None and changes["handler"] != expense.handler:
        _check_handler(actor, changes["handler"])
        expense.handler = changes["handler"]
    for field, value in fields.items():
        setattr(expense, field, value)
    return _save(expense, actor, "edited")


@transaction.atomic
def receipt_add(*, actor, expense: Expense, upload) -> Receipt:
    expense = Expense.objects.select_for_update().get(pk=expense.pk)
    _may_edit_draft(actor, expense)
    if expense.receipts.active().count() >= MAX_RECEIPTS:
        raise field_error("receipts", _("At most %(n)d receipts per expense.") % {"n": MAX_RECEIPTS})
    checked = check_receipt(upload)
    return _store_receipts(actor, expense, [checked])[0]


@transaction.atomic
def receipt_void(*, actor, receipt: Receipt, reason: str) -> Receipt:
    expense = Expense.objects.select_for_update().get(pk=receipt.expense_id)
    _may_edit_draft(actor, expense)
    return receipt.locked().void(actor=actor, reason=reason)


def _expense_move_rules(actor, locked: Expense, status: str) -> dict:
    now = timezone.now()
    if status in STEP_TO.values():
        return {}  # signing: checked by expense_sign, which writes the signature row
    if status == E.PAID:
        return {"paid_by": actor.user}
    if status == E.VOIDED:
        return {"voided_at": now, "voided_by": actor.user}
    raise DomainError(_("This change of status is not possible."))


def expense_set_status(*, actor, expense: Expense, status: str, fields: dict | None = None,
                       reason: str = "") -> Expense:
    """The one gate of the expense's state machine (see EXPENSE_TRANSITIONS). Call it inside the
    transaction of the use case, on the row that use case has locked."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("expense_set_status runs inside the transaction of a use case")
    status = E(status)
    current = expense.status
    if status == current:
        raise Conflict(_("Someone has already done this: the expense is now “%(status)s”.")
                       % {"status": E(current).label})
    if status not in Expense.TRANSITIONS[current]:
        raise DomainError(_("The expense is “%(current)s”: it cannot become “%(new)s”.")
                          % {"current": E(current).label, "new": status.label}, code="illegal_transition")
    for field, value in {**_expense_move_rules(actor, expense, status), **(fields or {})}.items():
        setattr(expense, field, value)
    expense.status = status
    return _save(expense, actor, reason or f"{current} → {status}")


def _step_label(step) -> str:
    return str(SignatureStep(step).label)


@transaction.atomic
def expense_sign(*, actor, expense: Expense, step: str | None = None) -> Signature:
    """Sign the expense at its next step: handler (经手人: the person named) → acceptor (验收人: the
    logistics director or the storekeeper) → principal (园长). In order, one step per person, never
    a step of an expense one recorded oneself (except as its handler)."""
    _check_can(actor, "finance.expense.sign", expense, view_capability="finance.expense.view")
    locked = Expense.objects.select_for_update().get(pk=expense.pk)
    if locked.is_voided or locked.status == E.VOIDED:
        raise DomainError(_("This expense has been voided."))
    signatures = {s.step: s for s in locked.signatures.select_related("user")}
    expected = locked.next_step
    step = SignatureStep(step) if step else expected
    if step is None:
        raise Conflict(_("Every signature is already on this expense."))
    if step in signatures:
        done = signatures[step]
        raise Conflict(_("The %(step)s has already signed (%(name)s)."
                         ) % {"step": _step_label(step), "name": done.user.display_name})
    if step != expected:
        missing = [s for s in STEP_ORDER[: STEP_ORDER.index(step)] if s not in signatures]
        raise DomainError(
            _("Signatures go in order: handler, acceptor, principal. The %(missing)s has not signed yet.")
            % {"missing": "、".join(_step_label(s) for s in missing)},
            code="out_of_order",
        )
    user, roles = actor.user, actor.roles
    already = next((s for s in signatures.values() if s.user_id == user.pk), None)
    if already is not None:
        raise Forbidden(_("You have already signed this expense as %(step)s: one person cannot sign two steps.")
                        % {"step": _step_label(already.step)})
    if step == SignatureStep.HANDLER:
        if user.pk != locked.handler_id:
            raise Forbidden(_("Only the handler named on the expense, %(name)s, can sign as handler.")
                            % {"name": locked.handler.display_name})
        if not locked.receipts.active().exists():
            raise field_error("receipts", _("Add a photo or scan of the receipt before signing: nothing is paid "
                                         "without a receipt."))
        signers = policy.CAPABILITIES["finance.expense.sign"].grants
        role = next((m.role for m in actor.memberships if Role(m.role) in signers), "")
    else:
        policy.forbid_self_approval(actor, locked, message=_("You recorded this expense, so you cannot approve it."))
        if user.pk == locked.handler_id:
            raise Forbidden(_("The handler cannot also sign as %(step)s.") % {"step": _step_label(step)})
        if step == SignatureStep.ACCEPTOR:
            role = next((r for r in ACCEPTOR_ROLES if r in roles), None)
            if role is None:
                raise Forbidden(_("The acceptor is the logistics director or the storekeeper."))
        else:
            if Role.PRINCIPAL not in roles:
                raise Forbidden(_("Only the principal signs last."))
            role = Role.PRINCIPAL
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                kindergarten=locked.kindergarten, expense=locked, step=step, user=user, role=str(role),
                signed_at=timezone.now(), created_by=user,
            )
    except IntegrityError:
        raise Conflict(_("Someone has signed this step at the same moment; reload the page.")) from None
    expense_set_status(actor=actor, expense=locked, status=STEP_TO[step], reason=f"signed: {step}")
    audit_event(action="finance.expense.sign", actor=user, kindergarten=actor.kindergarten, obj=locked,
                detail={"step": str(step), "number": locked.number})
    return signature


@transaction.atomic
def expense_pay(*, actor, expense: Expense, paid_on: dt.date, method: str, reference: str = "") -> Expense:
    """The accountant pays an expense that carries a receipt and all three signatures."""
    _check_can(actor, "finance.expense.pay", expense, view_capability="finance.expense.view")
    locked = Expense.objects.select_for_update().get(pk=expense.pk)
    if locked.is_voided or locked.status == E.VOIDED:
        raise DomainError(_("This expense has been voided."))
    if locked.status == E.PAID:
        raise Conflict(_("This expense was already paid on %(date)s.") % {"date": locked.paid_on})
    steps = set(locked.signatures.values_list("step", flat=True))
    if locked.status != E.PRINCIPAL_SIGNED or steps != set(STEP_ORDER):
        raise DomainError(_("An expense is paid only after the handler, the acceptor and the principal have "
                            "signed."), code="not_signed")
    if not locked.receipts.active().exists():
        raise DomainError(_("Nothing is paid without a receipt."), code="no_receipt")
    errors: dict[str, str] = {}
    if not paid_on:
        errors["paid_on"] = _("Enter the date of payment.")
    elif paid_on > timezone.localdate():
        errors["paid_on"] = _("The date of payment is in the future.")
    elif paid_on < locked.spent_on:
        errors["paid_on"] = _("The date of payment is before the date on the receipt.")
    if method not in PaymentMethod.values:
        errors["method"] = _("Choose how it was paid.")
    raise_for(errors)
    expense_set_status(actor=actor, expense=locked, status=E.PAID,
                       fields={"paid_on": paid_on, "payment_method": method,
                               "payment_reference": _text(reference, 60)})
    audit_event(action="finance.expense.pay", actor=actor.user, kindergarten=actor.kindergarten, obj=locked,
                detail={"number": locked.number, "amount": str(locked.amount)})
    return locked


@transaction.atomic
def expense_void(*, actor, expense: Expense, reason: str) -> Expense:
    """The principal voids an expense with a reason (a signed one can never be edited). Whoever
    recorded a draft may also void it before anyone has signed."""
    locked = Expense.objects.select_for_update().get(pk=expense.pk)
    if not policy.can(actor, "finance.expense.void", locked):
        own_draft = (locked.status == E.DRAFT and actor.user.pk in (locked.created_by_id, locked.handler_id)
                     and policy.can(actor, "finance.expense.create", locked))
        if not own_draft:
            _check_can(actor, "finance.expense.void", locked, view_capability="finance.expense.view")
    if locked.is_voided or locked.status == E.VOIDED:
        raise Conflict(_("This expense has already been voided."))
    reason = _text(reason, 200)
    if not reason:
        raise field_error("reason", _("Give a reason for voiding."))
    expense_set_status(actor=actor, expense=locked, status=E.VOIDED, fields={"void_reason": reason}, reason=reason)
    audit_event(action="finance.expense.void", actor=actor.user, kindergarten=actor.kindergarten, obj=locked,
                detail={"number": locked.number, "reason": reason})
    return locked


# --------------------------------------------------------------------------------------------
# Fee standards


def _fee_fields(*, school_year, term, item, amount, unit, errors: dict) -> dict:
    item = _text(item, 40)
    if not item:
        errors["item"] = _("Enter the fee item, e.g. 保育费.")
    if not isinstance(school_year, int) or not 2000 <= school_year <= 2100:
        errors["school_year"] = _("Enter a year between 2000 and 2100.")
    if term not in Term.values:
        errors["term"] = _("Choose the term.")
    if unit not in FeeUnit.values:
        errors["unit"] = _("Choose the unit.")
    value = _money_field(errors, "amount", amount)
    return {"school_year": school_year, "term": term, "item": item, "amount": value, "unit": unit}


@transaction.atomic
def fee_standard_create(*, actor, school_year: int, term: str, item: str, amount, unit: str, basis: str = "",
                        notes: str = "", sort_order: int = 0) -> FeeStandard:
    if not actor.has("finance.fees.change"):
        raise Forbidden()
    errors: dict[str, str] = {}
    fields = _fee_fields(school_year=school_year, term=term, item=item, amount=amount, unit=unit, errors=errors)
    raise_for(errors)
    if FeeStandard.objects.active().filter(kindergarten=actor.kindergarten, school_year=school_year, term=term,
                                           item=fields["item"]).exists():
        raise field_error("item", _("This term already has a fee standard for %(item)s.") % {"item": fields["item"]})
    fee = FeeStandard(kindergarten=actor.kindergarten, basis=_text(basis, 200), notes=_text(notes, 200),
                      sort_order=sort_order or 0, created_by=actor.user, **fields)
    return _save(fee, actor, "created")


@transaction.atomic
def fee_standard_update(*, actor, fee: FeeStandard, **changes) -> FeeStandard:
    _check_can(actor, "finance.fees.change", fee, view_capability="finance.fees.view")
    fee = FeeStandard.objects.select_for_update().get(pk=fee.pk)
    if fee.is_voided:
        raise DomainError(_("This record has been voided and cannot be changed."))
    if fee.is_published:
        raise DomainError(_("A published fee standard cannot be changed: void it with a reason and publish a new one."))
    allowed = {"school_year", "term", "item", "amount", "unit", "basis", "notes", "sort_order"}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %s") % ", ".join(sorted(unknown)))
    values = {f: getattr(fee, f) for f in ("school_year", "term", "item", "amount", "unit")}
    values.update({k: v for k, v in changes.items() if k in values})
    errors: dict[str, str] = {}
    fields = _fee_fields(errors=errors, **values)
    raise_for(errors)
    clash = FeeStandard.objects.active().filter(kindergarten=fee.kindergarten, school_year=fields["school_year"],
                                                term=fields["term"], item=fields["item"]).exclude(pk=fee.pk)
    if clash.exists():
        raise field_error("item", _("This term already has a fee standard for %(item)s.") % {"item": fields["item"]})
    for field, value in fields.items():
        setattr(fee, field, value)
    for field in ("basis", "notes"):
        if field in changes:
            setattr(fee, field, _text(changes[field], 200))
    if "sort_order" in changes:
        fee.sort_order = changes["sort_order"] or 0
    return _save(fee, actor, "edited")


@transaction.atomic
def fee_standard_publish(*, actor, fee: FeeStandard) -> FeeStandard:
    """Publish a fee standard to parents. Once published it is not changed, only voided and replaced."""
    _check_can(actor, "finance.fees.change", fee, view_capability="finance.fees.view")
    fee = FeeStandard.objects.select_for_update().get(pk=fee.pk)
    if fee.is_voided:
        raise DomainError(_("This record has been voided."))
    if fee.is_published:
        raise Conflict(_("This fee standard is already published."))
    fee.published_at, fee.published_by = timezone.now(), actor.user
    return _save(fee, actor, "published")


@transaction.atomic
def fee_standards_publish_term(*, actor, school_year: int, term: str) -> int:
    if not actor.has("finance.fees.change"):
        raise Forbidden()
    drafts = list(FeeStandard.objects.active().select_for_update().filter(
        kindergarten=actor.kindergarten, school_year=school_year, term=term, published_at__isnull=True))
    if not drafts:
        raise DomainError(_("There is nothing to publish for this term."))
    for fee in drafts:
        fee_standard_publish(actor=actor, fee=fee)
    return len(drafts)


@transaction.atomic
def fee_standard_void(*, actor, fee: FeeStandard, reason: str) -> FeeStandard:
    _check_can(actor, "finance.fees.change", fee, view_capability="finance.fees.view")
    return fee.locked().void(actor=actor, reason=reason)


# --------------------------------------------------------------------------------------------
# What the pages offer (display only: the use cases above decide)


def request_actions(actor, request) -> set[str]:
    """The buttons a request's page shows the actor. Showing is not allowing: the services decide."""
    kind = _kind_of(request)
    actions: set[str] = set()
    if request.is_voided:
        return actions
    own = request.created_by_id == actor.user.pk
    status, roles = request.status, actor.roles
    if status == S.DRAFT and own and actor.has(kind.create):
        actions |= {"edit", "submit", "cancel"}
    if status in AWAITING_APPROVAL:
        if own and actor.has(kind.create):
            actions.add("cancel")
        if actor.has(kind.approve) and not own:
            step = request.approver_step
            if step == "director" and Role.DIRECTOR in roles:
                actions |= {"approve", "reject"}
            if step == "principal" and Role.PRINCIPAL in roles and request.director_approved_by_id != actor.user.pk:
                actions |= {"approve", "reject"}
            if Role.PRINCIPAL in roles:
                actions.add("reject")
    if status in (S.APPROVED, S.ORDERED) and actor.has(kind.approve):
        actions.add("cancel")
    if kind is PURCHASE and actor.has(kind.process):
        if status == S.APPROVED:
            actions |= {"order", "receive"}
        elif status == S.ORDERED:
            actions.add("receive")
    if kind is REPAIR and actor.has(kind.process):
        if status == S.APPROVED:
            actions |= {"start", "done"}
        elif status == S.IN_REPAIR:
            actions.add("done")
    return actions


def sign_eligibility(actor, expense: Expense) -> dict:
    """For each step of the chain, whether the actor is the kind of person who signs it (ignoring
    the order, which expense_sign enforces with its own message)."""
    user, roles = actor.user, actor.roles
    may_sign = policy.can(actor, "finance.expense.sign", expense) if actor.has("finance.expense.sign") else False
    signed_other = {s.step for s in expense.signatures.all() if s.user_id == user.pk}
    not_recorder = user.pk not in (expense.created_by_id, expense.handler_id)
    out = {
        SignatureStep.HANDLER: user.pk == expense.handler_id,
        SignatureStep.ACCEPTOR: bool(roles & set(ACCEPTOR_ROLES)) and not_recorder,
        SignatureStep.PRINCIPAL: Role.PRINCIPAL in roles and not_recorder,
    }
    return {step: may_sign and ok and not (signed_other - {step}) for step, ok in out.items()}

"""Use cases of the organisation: enrol, edit, leave and void children; guardians; staff.

Every function takes the acting `actor` (houqin.policy.Actor), checks its capability on the object,
validates, writes in one transaction and raises houqin.core.errors.DomainError on bad input.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from houqin import policy
from houqin.core.audit import audit_event
from houqin.core.errors import DomainError, Forbidden, raise_for
from houqin.org.models import Child, Guardian, Membership, PickupPerson, Role, SchoolClass
from houqin.org.validators import normalize_phone, validate_id_number, validate_phone

MAX_AGE_YEARS = 7  # a kindergarten child is under seven at enrolment


def _raise_invalid(exc: ValidationError):
    errors = []
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            errors.extend({"field": field, "message": m} for m in messages)
    else:
        errors = [{"field": "", "message": m} for m in exc.messages]
    raise_for(errors)


def _full_clean(instance, exclude=None):
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        _raise_invalid(exc)


def _class_in_scope(actor, school_class: SchoolClass, capability: str) -> SchoolClass:
    """The class must belong to the actor's kindergarten and scope (a class teacher: their classes)."""
    if school_class is None:
        raise DomainError(_("Choose a class."), errors=[{"field": "school_class", "message": _("Choose a class.")}])
    if not policy.can(actor, capability, school_class):
        raise Http404
    return school_class


def validate_child_dates(*, birth_date: dt.date, enrolled_on: dt.date | None, left_on: dt.date | None = None,
                         today: dt.date | None = None) -> dict[str, str]:
    """The date rules of a child record, as field → message (empty when all is well)."""
    today = today or timezone.localdate()
    errors = {}
    if birth_date > today:
        errors["birth_date"] = _("The date of birth is in the future.")
    elif enrolled_on and (enrolled_on - birth_date).days > MAX_AGE_YEARS * 366:
        errors["birth_date"] = _("The child would be over seven at enrolment: check the date of birth.")
    if enrolled_on:
        if enrolled_on < birth_date:
            errors["enrolled_on"] = _("The enrolment date is before the date of birth.")
        elif enrolled_on > today + dt.timedelta(days=366):
            errors["enrolled_on"] = _("The enrolment date is more than a year ahead.")
    if left_on and enrolled_on and left_on < enrolled_on:
        errors["left_on"] = _("The leaving date is before the enrolment date.")
    return errors


def _check_child(child: Child):
    errors = validate_child_dates(birth_date=child.birth_date, enrolled_on=child.enrolled_on, left_on=child.left_on)
    if child.id_number:
        child.id_number = child.id_number.strip().upper()
        try:
            validate_id_number(child.id_number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages[0]
    if child.school_class.kindergarten_id != child.kindergarten_id:
        raise Http404
    raise_for(errors)
    _full_clean(child, exclude=["kindergarten", "created_by"])


@transaction.atomic
def child_create(*, actor, name: str, sex: str, birth_date: dt.date, school_class: SchoolClass,
                 enrolled_on: dt.date | None = None, id_number: str = "", notes: str = "") -> Child:
    if not actor.has("org.child.create"):
        raise Forbidden()
    _class_in_scope(actor, school_class, "org.child.create")
    child = Child(
        kindergarten=actor.kindergarten,
        name=(name or "").strip(),
        sex=sex,
        birth_date=birth_date,
        school_class=school_class,
        enrolled_on=enrolled_on or timezone.localdate(),
        id_number=(id_number or "").strip(),
        notes=notes,
        created_by=actor.user,
    )
    _check_child(child)
    child.save()
    return child


CHILD_EDITABLE = ("name", "sex", "birth_date", "school_class", "enrolled_on", "id_number", "notes")


@transaction.atomic
def child_update(*, actor, child: Child, **changes) -> Child:
    if not policy.can(actor, "org.child.change", child):
        raise Forbidden()
    unknown = set(changes) - set(CHILD_EDITABLE)
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %s") % ", ".join(sorted(unknown)))
    if child.is_voided:
        raise DomainError(_("This record has been voided and cannot be changed."))
    child = Child.objects.select_for_update().get(pk=child.pk)
    for field, value in changes.items():
        setattr(child, field, value.strip() if isinstance(value, str) else value)
    if "school_class" in changes:
        _class_in_scope(actor, child.school_class, "org.child.change")
    _check_child(child)
    child.save()
    return child


@transaction.atomic
def child_leave(*, actor, child: Child, left_on: dt.date, reason: str = "") -> Child:
    if not policy.can(actor, "org.child.change", child):
        raise Forbidden()
    if child.left_on is not None:
        raise DomainError(_("This child has already left."))
    errors = validate_child_dates(birth_date=child.birth_date, enrolled_on=child.enrolled_on, left_on=left_on)
    if left_on > timezone.localdate() + dt.timedelta(days=31):
        errors["left_on"] = _("The leaving date is more than a month ahead.")
    if errors:
        raise DomainError(next(iter(errors.values())), errors=[{"field": f, "message": m} for f, m in errors.items()])
    child.left_on = left_on
    if reason:
        child.notes = (child.notes + " " + reason).strip()[:200]
    child._change_reason = reason or "left"
    child.save(update_fields=["left_on", "notes", "updated_at"])
    return child


def _void(instance, *, actor, reason: str):
    type(instance).objects.select_for_update().get(pk=instance.pk)  # two people voiding at once: one wins
    instance.refresh_from_db(fields=["voided_at", "voided_by", "void_reason"])
    instance.void(actor=actor, reason=reason)


@transaction.atomic
def child_void(*, actor, child: Child, reason: str) -> Child:
    """A child entered by mistake is voided with a reason, never deleted."""
    if not policy.can(actor, "org.child.void", child):
        raise Forbidden()
    _void(child, actor=actor, reason=reason)
    return child


def _clean_contact(name: str, phone: str) -> tuple[str, str]:
    name, phone = (name or "").strip(), normalize_phone(phone)
    errors = []
    if not name:
        errors.append({"field": "name", "message": _("Enter a name.")})
    try:
        validate_phone(phone)
    except ValidationError as exc:
        errors.append({"field": "phone", "message": exc.messages[0]})
    raise_for(errors)
    return name, phone


@transaction.atomic
def guardian_add(*, actor, child: Child, name: str, relation: str, phone: str, is_primary: bool = False,
                 can_pick_up: bool = True) -> Guardian:
    if not policy.can(actor, "org.child.change", child):
        raise Forbidden()
    name, phone = _clean_contact(name, phone)
    if child.guardians.active().filter(name=name, phone=phone).exists():
        raise DomainError(_("This guardian is already recorded for the child."))
    guardian = Guardian(kindergarten=child.kindergarten, child=child, name=name, relation=relation, phone=phone,
                        is_primary=is_primary, can_pick_up=can_pick_up, created_by=actor.user)
    _full_clean(guardian, exclude=["kindergarten", "created_by", "user"])
    guardian.save()
    return guardian


@transaction.atomic
def guardian_void(*, actor, guardian: Guardian, reason: str) -> Guardian:
    if not policy.can(actor, "org.child.change", guardian):
        raise Forbidden()
    _void(guardian, actor=actor, reason=reason)
    return guardian


@transaction.atomic
def pickup_person_add(*, actor, child: Child, name: str, relation: str, phone: str,
                      valid_from: dt.date | None = None, valid_until: dt.date | None = None) -> PickupPerson:
    if not policy.can(actor, "org.child.change", child):
        raise Forbidden()
    name, phone = _clean_contact(name, phone)
    valid_from = valid_from or timezone.localdate()
    if valid_until and valid_until < valid_from:
        raise DomainError(_("The end of validity is before its start."),
                          errors=[{"field": "valid_until", "message": _("The end of validity is before its start.")}])
    person = PickupPerson(kindergarten=child.kindergarten, child=child, name=name, relation=(relation or "").strip(),
                          phone=phone, valid_from=valid_from, valid_until=valid_until, created_by=actor.user)
    _full_clean(person, exclude=["kindergarten", "created_by"])
    person.save()
    return person


@transaction.atomic
def pickup_person_void(*, actor, person: PickupPerson, reason: str) -> PickupPerson:
    if not policy.can(actor, "org.child.change", person):
        raise Forbidden()
    _void(person, actor=actor, reason=reason)
    return person


@transaction.atomic
def staff_add(*, actor, username: str, full_name: str, phone: str, role: str, password: str,
              campus=None, classes=(), post: str = "") -> Membership:
    """Give a person a staff role in the actor's kindergarten (creating their login if new)."""
    if not actor.has("org.staff.change"):
        raise Forbidden()
    if role in (Role.PARENT, Role.SUPERVISOR) or role not in Role.values:
        raise DomainError(_("Choose a staff role."), errors=[{"field": "role", "message": _("Choose a staff role.")}])
    User = get_user_model()
    username = (username or "").strip()
    user = User.objects.filter(username=username).first()
    if user is not None and not belongs_to(user, actor.kindergarten):
        # A login of another kindergarten (or of nobody's) is never attached by its name: that would
        # hand a stranger a role here and show their name in the staff list. Say only that it is taken.
        raise DomainError(_("This login name is already taken: choose another one."),
                          errors=[{"field": "username", "message": _("This login name is already taken: choose another one.")}])
    if user is None:
        try:
            validate_password(password)
        except ValidationError as exc:
            raise DomainError(exc.messages[0], errors=[{"field": "password", "message": m} for m in exc.messages]) from exc
        full_name, phone = _clean_contact(full_name, phone)
        user = User(username=username, full_name=full_name, phone=phone)
        user.set_password(password)
        _full_clean(user, exclude=["password", "last_login", "date_joined"])
        user.save()
    if Membership.objects.filter(user=user, kindergarten=actor.kindergarten, role=role).exists():
        raise DomainError(_("This person already has this role here."))
    if campus is not None and campus.kindergarten_id != actor.kindergarten.pk:
        raise Http404
    membership = Membership.objects.create(user=user, kindergarten=actor.kindergarten, role=role, campus=campus, post=post)
    classes = list(classes)
    if any(c.kindergarten_id != actor.kindergarten.pk for c in classes):
        raise Http404
    membership.classes.set(classes)
    audit_event(action="org.staff.add", actor=actor.user, kindergarten=actor.kindergarten, obj=membership,
                detail={"role": role, "username": username})
    return membership


def belongs_to(user, kindergarten) -> bool:
    """Whether `user` already belongs to `kindergarten` (any membership there, active or not: a
    parent who joins the staff, a member who comes back). Only such a login may be given a staff
    role by its name; anyone else gets a new login."""
    return Membership.objects.filter(user=user, kindergarten=kindergarten).exists()


@transaction.atomic
def membership_deactivate(*, actor, membership: Membership) -> Membership:
    if not actor.has("org.staff.change") or membership.kindergarten_id != actor.kindergarten.pk:
        raise Http404
    if membership.user_id == actor.user.pk:
        raise DomainError(_("You cannot remove your own role."))
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit_event(action="org.staff.deactivate", actor=actor.user, kindergarten=actor.kindergarten, obj=membership)
    return membership

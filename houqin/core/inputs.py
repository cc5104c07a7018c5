"""What Houqin accepts as input: the one set of rules for text, names, dates, times and numbers.

Every way in uses these rules, so that no input can reach a 500 or store what a page cannot show:
- the API's parser (`InputParser`) refuses a NUL byte, a lone surrogate or a control character in
  any string of any body, form or query, and any string longer than MAX_STRING;
- API input schemas derive from `Input`, whose validator applies the rules by type to every field
  (dates and times within EARLIEST…LATEST and with a time zone, finite numbers, names without
  invisible or direction-changing characters), and query parameters use the types below (`Limit`,
  `Offset`, `Page`, `Year`, `Month`);
- every form derives from `core.forms.StyledForm`, which adds the same rules to its fields;
- every save of a Houqin model runs the model fields' own validators (lengths, ranges, digits) and
  the text and date rules (`check_instance`, connected to pre_save), the last line for code paths
  that build records themselves;
- what still slips through (a database error on a value) is answered 422 / 400 by the handlers in
  `core.api` and `core.middleware`, never 500.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.parser import Parser
from pydantic import AfterValidator, Field, field_validator, model_validator

# Dates a kindergarten's records can carry: children born, certificates issued, plans made.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)
MAX_STRING = 100_000  # any one string of a request (the models' own limits are smaller)
NAME_MAX = 100
INT_LIMIT = 2_000_000_000  # within a 32-bit integer column

SURROGATE = re.compile("[\ud800-\udfff]")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, newline and carriage return are text
# Zero-width and direction-changing characters: invisible, they make two names look alike or a name
# read backwards (U+202E), and nothing Chinese or English needs them in a name.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad\u180e]")
NAME_FIELDS = re.compile(r"(^|_)(name|title|username)$")


def is_name_field(field_name: str) -> bool:
    """Names of people and things (and titles): `name`, `full_name`, `title`, `dish_name`…"""
    return bool(NAME_FIELDS.search(field_name or ""))


def text_problem(value: str, *, name: bool = False) -> str | None:
    """Why `value` cannot be accepted as text (a name when `name`), in the user's language; None
    when it can."""
    if SURROGATE.search(value):
        return _("The text contains a character that is not valid Unicode.")
    if CONTROL.search(value):
        return _("The text contains a control character (such as a NUL byte).")
    if name and INVISIBLE.search(value):
        return _("A name cannot contain invisible or direction-changing characters.")
    if len(value) > MAX_STRING:
        return _("The text is too long.")
    return None


def date_problem(value) -> str | None:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return _("Give the time with its time zone, e.g. 2026-11-25T09:30:00+08:00.")
        day = value.date()
    else:
        day = value
    if not EARLIEST <= day <= LATEST:
        return _("Give a date between %(start)s and %(end)s.") % {"start": EARLIEST.isoformat(),
                                                                  "end": LATEST.isoformat()}
    return None


def number_problem(value) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return _("Enter a number.")
    if isinstance(value, Decimal) and not value.is_finite():
        return _("Enter a number.")
    if isinstance(value, (int, float, Decimal)) and abs(value) > INT_LIMIT:
        return _("The number is too large.")
    return None


def value_problem(value: Any, *, name: bool = False) -> str | None:
    """The rule for one value of any type (lists and dicts are walked)."""
    if isinstance(value, str):
        return text_problem(value, name=name)
    if isinstance(value, (dt.date, dt.datetime)):
        return date_problem(value)
    if isinstance(value, (int, float, Decimal)):
        return number_problem(value)
    if isinstance(value, (list, tuple, set)):
        return next((p for p in (value_problem(v, name=name) for v in value) if p), None)
    if isinstance(value, dict):
        return next((p for p in (value_problem(v) for v in value.values()) if p), None)
    return None


# --- the API --------------------------------------------------------------------------------------


def _raw_problem(value: Any) -> str | None:
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, list):
        return next((p for p in map(_raw_problem, value) if p), None)
    if isinstance(value, dict):
        return next((p for p in map(_raw_problem, [*value.keys(), *value.values()]) if p), None)
    return None


class InputRejected(Exception):
    """A request's input breaks a rule of this module (answered 422 with `message`)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InputParser(Parser):
    """ninja's parser with the text rules applied to every string of every request."""

    def parse_body(self, request):
        data = super().parse_body(request)
        problem = _raw_problem(data)
        if problem:
            raise InputRejected(problem)
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        problem = _raw_problem({k: v for k, v in result.items() if isinstance(v, (str, list))})
        if problem:
            raise InputRejected(problem)
        return result


class Input(Schema):
    """The base of every API input schema: each field's value must pass `value_problem` (names
    by the field's name), and a field declared as text may not be sent as null."""

    @field_validator("*", mode="after")
    @classmethod
    def _houqin_rules(cls, value, info):
        problem = value_problem(value, name=is_name_field(info.field_name or ""))
        if problem:
            raise ValueError(problem)
        return value


class Patch(Input):
    """The base of a partial update: a field left out keeps its value; null is not a value (it was a
    500 on `notes` and `birth_date`): send "" to clear a text."""

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data):
        data = getattr(data, "_obj", data)  # ninja hands the raw dict wrapped in a DjangoGetter
        if isinstance(data, dict):
            nulls = sorted(k for k, v in data.items() if v is None)
            if nulls:
                raise ValueError(_("Leave a field out to keep its value; null is not a value here (%(fields)s).")
                                 % {"fields": ", ".join(nulls)})
        return data


# Query parameters: paging and periods within range (a negative offset or a 10^26 one was a 500).
Limit = Annotated[int, Field(ge=1, le=2000)]
Offset = Annotated[int, Field(ge=0, le=INT_LIMIT)]
Page = Annotated[int, Field(ge=1, le=INT_LIMIT)]
Year = Annotated[int, Field(ge=EARLIEST.year, le=LATEST.year)]
Month = Annotated[int, Field(ge=1, le=12)]


def _day(value: dt.date) -> dt.date:
    problem = date_problem(value)
    if problem:
        raise ValueError(problem)
    return value


Day = Annotated[dt.date, AfterValidator(_day)]


# --- models: the last line, on every save ---------------------------------------------------------


def check_instance(instance) -> None:
    """Run the model fields' own validators (lengths, ranges, digits) and the text and date rules
    on `instance` before it is saved; raise ValidationError naming the fields."""
    from django.db import models

    errors: dict[str, list[str]] = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or isinstance(field, (models.ForeignKey, models.FileField)):
            continue
        value = getattr(instance, field.attname, None)
        if value is None or value == "":
            continue
        problem = None
        if isinstance(value, str) and isinstance(field, (models.CharField, models.TextField)):
            problem = text_problem(value, name=is_name_field(field.name) and isinstance(field, models.CharField))
        elif isinstance(value, (dt.date, dt.datetime)) and not getattr(field, "auto_now", False) \
                and not getattr(field, "auto_now_add", False):
            problem = date_problem(value) if not (isinstance(value, dt.datetime) and value.tzinfo is None) else None
        elif isinstance(value, (float, Decimal)):
            problem = number_problem(value) if not (isinstance(value, Decimal) and value.is_finite()) else None
        if problem:
            errors.setdefault(field.name, []).append(problem)
            continue
        if isinstance(field, models.DecimalField):
            # The database rounds to the field's places; only the whole digits must fit.
            whole = field.max_digits - field.decimal_places
            if isinstance(value, Decimal) and value.is_finite() and abs(value) >= Decimal(10) ** whole:
                errors.setdefault(field.name, []).append(_("The number is too large."))
            continue
        try:
            field.run_validators(value)
        except ValidationError as exc:
            errors.setdefault(field.name, []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)


def check_before_save(sender, instance, raw=False, **kwargs):
    """pre_save receiver for Houqin's own models (fixtures loaded raw are not checked)."""
    if raw or not sender.__module__.startswith("houqin."):
        return
    check_instance(instance)


# --- paging of list endpoints -------------------------------------------------------------------


def _paging():
    from ninja.pagination import PageNumberPagination

    class Paging(PageNumberPagination):
        """ninja's page numbers, bounded (a page of 10^20 reached the database as an overflow)."""

        class Input(Input):
            page: Page = 1
            page_size: Annotated[int, Field(ge=1, le=INT_LIMIT)] | None = None

    return Paging


Paging = _paging()

"""Rule figures: one mechanism for every area.

An area ships its rule figures as package data (its data/*.json: value, unit, source, status) and
names, in its AppConfig, the function that reads them (`rule_figures`: a dotted path to a function
returning `Figure`s in page order) and the capability that may change them (`rules_capability`).
A kindergarten may put its own value in place of a shipped one, with where that value comes from
(the district's notice, 本园规定); the own values of every area live in one table,
`core.RuleOverride`, keyed by area and figure. This module reads them (`figures`, `figures_many`)
and writes them (`override_set`, `override_clear`), the same way for every area. Nothing in the
code names a regulatory number.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.apps import apps
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from houqin import policy
from houqin.core import per_request
from houqin.core.errors import NotFound, raise_for
from houqin.core.numbers import NumberProblem, read_decimal

OWN = "kindergarten"  # the status of a figure the kindergarten set itself
MAXIMUM = Decimal("99999999")


@dataclass(frozen=True)
class Figure:
    """A rule figure in force: the kindergarten's own value where it set one, else the shipped one
    (which stays visible beside it: shipped_value, shipped_source)."""

    key: str
    label: str  # in the words pages show (Chinese)
    value: Decimal | int | None  # int for a whole figure (places 0)
    unit: str
    source: str
    status: str
    shipped_value: Decimal | int | None = None
    shipped_source: str = ""
    overridden: bool = False
    note: str = ""
    places: int = 2
    minimum: Decimal | None = Decimal(0)  # None: any sign
    maximum: Decimal = MAXIMUM

    @property
    def unconfirmed(self) -> bool:
        """Shipped from a text that could not be checked (and not replaced by the kindergarten's own)."""
        return not self.overridden and self.status.upper().startswith("UNCONFIRMED")

    def as_dict(self) -> dict:
        def plain(number):
            return None if number is None else float(number)

        return {"key": self.key, "label": self.label, "value": plain(self.value), "unit": self.unit,
                "source": self.source, "status": self.status, "note": self.note, "overridden": self.overridden,
                "shipped_value": plain(self.shipped_value), "shipped_source": self.shipped_source}


def shipped_figure(*, key: str, label: str, value, unit: str = "", source: str = "", status: str = "", note: str = "",
                   places: int = 2, minimum=Decimal(0), maximum=MAXIMUM) -> Figure:
    """A figure as an area ships it (its value read exactly, as int when whole)."""
    number = _number(value, places)
    return Figure(key=key, label=label, value=number, unit=unit, source=source, status=status, shipped_value=number,
                  shipped_source=source, note=note, places=places, minimum=minimum, maximum=maximum)


def _number(value, places: int):
    if value is None:
        return None
    number = Decimal(str(value))
    return int(number) if places == 0 else number


@cache
def areas() -> dict[str, tuple[str, str]]:
    """{area: (dotted path of its shipped figures, capability that changes them)}, from the apps."""
    found = {}
    for config in apps.get_app_configs():
        path = getattr(config, "rule_figures", None)
        if path:
            found[config.label] = (path, config.rules_capability)
    return found


def shipped(area: str) -> dict[str, Figure]:
    """The figures an area ships, by key, in page order."""
    if area not in areas():
        raise NotFound(_("Unknown rule figure."))
    return dict(_shipped(area, get_language()))


@cache
def _shipped(area: str, language) -> tuple[tuple[str, Figure], ...]:
    """Built once per process and language: what an area ships is its code and package data, and
    the labels are translated in the active language. Figures are frozen, handed out in a new dict."""
    return tuple((f.key, f) for f in import_string(areas()[area][0])())


def apply(base: dict[str, Figure], own: dict[str, tuple]) -> dict[str, Figure]:
    """The figures with own values in place: own is {key: (value, source[, note])}."""
    out = {}
    for key, figure in base.items():
        if key not in own:
            out[key] = figure
            continue
        value, source, *rest = own[key]
        out[key] = dataclasses.replace(figure, value=_number(value, figure.places), source=source, status=OWN,
                                       overridden=True, note=rest[0] if rest else "")
    return out


# Within a request (core.per_request, opened by core.middleware.PerRequestMiddleware) each
# kindergarten's overrides of every area are read once, however many to-do providers and selectors
# ask for figures of however many areas; a write in the request (a change of an override among them)
# drops them, and so does _forget.
read_once = per_request.scope


def _key(kindergarten) -> tuple:
    return ("core.rules.overrides", getattr(kindergarten, "pk", kindergarten))


def _forget(kindergarten, area: str) -> None:
    per_request.forget(_key(kindergarten))


def _overrides_of(pks: list) -> dict[int, dict[str, dict[str, tuple]]]:
    """{kindergarten pk: {area: {key: (value, source, note)}}}: every area's overrides, one query."""
    from houqin.core.models import RuleOverride

    own: dict[int, dict] = {pk: {} for pk in pks}
    for row in RuleOverride.objects.filter(kindergarten_id__in=pks):
        own[row.kindergarten_id].setdefault(row.area, {})[row.key] = (row.value, row.source, row.note)
    return own


def figures(kindergarten, area: str) -> dict[str, Figure]:
    """The area's figures in force in the kindergarten (one query; within a request, one per request
    for every area)."""
    if kindergarten is None:
        return shipped(area)
    own = per_request.shared(_key(kindergarten), lambda: _overrides_of([kindergarten.pk])[kindergarten.pk])
    return apply(shipped(area), own.get(area, {}))


def figures_many(kindergartens: Iterable, area: str) -> dict[int, dict[str, Figure]]:
    """{kindergarten pk: the area's figures in force} for several kindergartens (one query; within a
    request, none for the kindergartens whose overrides it has read)."""
    pks = [getattr(k, "pk", k) for k in kindergartens]
    base = shipped(area)
    own = per_request.shared_many([_key(pk) for pk in pks],
                                  lambda keys: {_key(pk): rows for pk, rows in
                                                _overrides_of([k[1] for k in keys]).items()})
    return {pk: apply(base, own[_key(pk)].get(area, {})) for pk in pks}


def _figure_for(actor, area: str, key: str) -> Figure:
    if area not in areas():
        raise NotFound(_("Unknown rule figure."))
    policy.require(actor, areas()[area][1])
    figure = shipped(area).get(key)
    if figure is None:
        raise NotFound(_("Unknown rule figure."))
    return figure


def _parse(figure: Figure, value) -> Decimal:
    try:
        number = read_decimal(value, places=figure.places, whole=figure.places == 0, minimum=figure.minimum,
                              maximum=figure.maximum)
    except NumberProblem as problem:
        raise_for([{"field": "value", "message": problem.message}])
    if number is None:
        raise_for([{"field": "value", "message": _("Enter a number.")}])
    return number


@transaction.atomic
def override_set(*, actor, area: str, key: str, value, source: str, note: str = ""):
    """Put the kindergarten's own value in place of a shipped figure, with its source. The shipped
    value with no other source (or the shipped source) goes back to the shipped figure. Returns the
    override row, or None when the shipped figure is in force again."""
    from houqin.core.models import RuleOverride

    figure = _figure_for(actor, area, key)
    number = _parse(figure, value)
    _forget(actor.kindergarten, area)
    source = " ".join(str(source or "").split())[:300]
    note = " ".join(str(note or "").split())[:300]
    if number == figure.shipped_value and source in ("", figure.shipped_source):
        RuleOverride.objects.filter(kindergarten=actor.kindergarten, area=area, key=key).delete()
        return None
    if not source:
        raise_for([{"field": "source",
                    "message": _("Say where your value comes from (a rule, the district's notice, 本园规定).")}])
    row, _created = RuleOverride.objects.update_or_create(
        kindergarten=actor.kindergarten, area=area, key=key,
        defaults={"value": number, "source": source, "note": note, "created_by": actor.user})
    return row


@transaction.atomic
def override_clear(*, actor, area: str, key: str) -> None:
    """The shipped figure is in force again (the history table keeps the own value it had)."""
    from houqin.core.models import RuleOverride

    _figure_for(actor, area, key)
    _forget(actor.kindergarten, area)
    for row in RuleOverride.objects.filter(kindergarten=actor.kindergarten, area=area, key=key):
        row.delete()


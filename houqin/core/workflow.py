"""The one gate of every declared state machine.

A workflow's states are a TextChoices and its moves a map declared next to the model
(`TRANSITIONS = {state: {states it may become}}`: stock's requisitions and stocktakes, finance's
requests and expenses, safety's hazards, staff's assessments…). A service moves a record only
through `move`, on the row it has locked, so that a move the map does not declare is refused the
same way everywhere: a Conflict (409) naming where the record is — usually someone else acted first.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from houqin.core.errors import Conflict


def allowed_moves(transitions: Mapping, current) -> frozenset:
    return frozenset(transitions.get(current, ()))


def move(record, target, transitions: Mapping, *, field: str = "status", message=None):
    """Set `record.<field>` to `target` if the map allows it from where the record is; else
    Conflict with `message` (default: "This record is “X”: it cannot become “Y”."). Not saved."""
    current = getattr(record, field)
    if target not in allowed_moves(transitions, current):
        if message is None:
            labels = dict(type(record)._meta.get_field(field).choices or ())
            message = _("This record is “%(current)s”: it cannot become “%(new)s”.") % {
                "current": labels.get(current, current), "new": labels.get(target, target)}
        raise Conflict(message, code="illegal_transition")
    setattr(record, field, target)
    return record

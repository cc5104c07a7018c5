"""The rules of safety and security: the shipped defaults with their sources (data/rules.json),
the kindergarten's own values (SafetySettings), and what they make due on fire equipment.

Below both the services and the term figures, which read them (neither imports the other)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.safety.models import FireEquipment, SafetySettings

RULES_FILE = Path(__file__).parent / "data" / "rules.json"
RULE_LABELS = {
    "drills_per_term": gettext_lazy("Drills a term (at least)"),
    "hazard_days": gettext_lazy("Default days to rectify a hazard"),
    "fire_check_days": gettext_lazy("Days between fire equipment self-checks"),
    "fire_inspection_months": gettext_lazy("Months between annual fire equipment inspections"),
    "peak_posts": gettext_lazy("People on duty at the gate at peak times"),
}
RULE_LIMITS = {"drills_per_term": (1, 20), "hazard_days": (1, 90), "fire_check_days": (1, 92),
               "fire_inspection_months": (1, 60), "peak_posts": (1, 6)}


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    value: int
    default: int
    unit: str
    source: str
    status: str
    overridden: bool

    @property
    def unconfirmed(self) -> bool:
        return self.status == "UNCONFIRMED" and not self.overridden


def _defaults() -> dict:
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


DEFAULTS = _defaults()


def rules(kindergarten, settings_row: SafetySettings | None = None) -> dict[str, Rule]:
    """The rules in force in the kindergarten: its own value where it set one, else the default."""
    row = settings_row if settings_row is not None else SafetySettings.objects.filter(kindergarten=kindergarten).first()
    result = {}
    for key, spec in DEFAULTS.items():
        own = getattr(row, key, None) if row is not None else None
        result[key] = Rule(key=key, label=str(RULE_LABELS.get(key, key)), value=own if own is not None else spec["value"],
                           default=spec["value"], unit=spec.get("unit", ""), source=spec["source"],
                           status=spec["status"], overridden=own is not None)
    return result


def equipment_due(equipment: FireEquipment, today: dt.date, rule_values: dict) -> list[tuple[str, dt.date, bool]]:
    """What is due on a piece of equipment: (what, when, overdue) for the annual inspection, the
    refill, the expiry and the monthly self-check, within 30 days."""
    months = rule_values["fire_inspection_months"]
    check_days = rule_values["fire_check_days"]
    due = []
    if equipment.last_inspected_on:
        y, m = divmod(equipment.last_inspected_on.month - 1 + months, 12)
        day = min(equipment.last_inspected_on.day, 28)
        due.append((str(_("annual inspection")), dt.date(equipment.last_inspected_on.year + y, m + 1, day)))
    else:
        due.append((str(_("annual inspection")), today))
    if equipment.refill_due_on:
        due.append((str(_("refill")), equipment.refill_due_on))
    if equipment.expires_on:
        due.append((str(_("replacement (expiry)")), equipment.expires_on))
    last = equipment.last_checked_on
    due.append((str(_("monthly self-check")), (last + dt.timedelta(days=check_days)) if last else today))
    horizon = today + dt.timedelta(days=30)
    return [(what, when, when < today) for what, when in due if when <= horizon]

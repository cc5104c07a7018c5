"""The rules of safety and security: the shipped defaults with their sources (data/rules.json),
the kindergarten's own values in their place (core.rules, one mechanism for every area), and what
they make due on fire equipment.

Below both the services and the term figures, which read them (neither imports the other)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.core import rules as core_rules
from houqin.core.rules import Figure, shipped_figure
from houqin.safety.models import FireEquipment

AREA = "safety"
RULES_FILE = Path(__file__).parent / "data" / "rules.json"
RULE_LABELS = {
    "drills_per_term": gettext_lazy("Drills a term (at least)"),
    "hazard_days": gettext_lazy("Default days to rectify a hazard"),
    "fire_check_days": gettext_lazy("Days between fire equipment self-checks"),
    "fire_inspection_months": gettext_lazy("Months between annual fire equipment inspections"),
    "peak_posts": gettext_lazy("People on duty at the gate at peak times"),
    "serious_injury_to_district": gettext_lazy("Serious injuries reported to the district (1 yes, 0 no)"),
}
RULE_LIMITS = {"drills_per_term": (1, 20), "hazard_days": (1, 90), "fire_check_days": (1, 92),
               "fire_inspection_months": (1, 60), "peak_posts": (1, 6),
               "serious_injury_to_district": (0, 1)}


def _defaults() -> dict:
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


DEFAULTS = _defaults()


def shipped_figures() -> list[Figure]:
    """The figures as shipped, for core.rules: whole numbers within the limits a kindergarten may set."""
    return [shipped_figure(key=key, label=str(RULE_LABELS.get(key, key)), value=spec["value"], unit=spec.get("unit", ""),
                           source=spec["source"], status=spec["status"], places=0,
                           minimum=Decimal(RULE_LIMITS[key][0]), maximum=Decimal(RULE_LIMITS[key][1]))
            for key, spec in DEFAULTS.items()]


def rules(kindergarten) -> dict[str, Figure]:
    """The rules in force in the kindergarten: its own value where it set one, else the default."""
    return core_rules.figures(kindergarten, AREA)


def rule_values(kindergarten_ids: list[int]) -> dict[int, dict]:
    """{kindergarten pk: {rule: value in force}} (1 query)."""
    return {pk: {key: f.value for key, f in figs.items()}
            for pk, figs in core_rules.figures_many(kindergarten_ids, AREA).items()}


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

"""The rule figures of the canteen (DRIs, kindergarten targets, the food pagoda, the meal-account
limit): shipped in data/nutrition_rules.json with their sources, overridable per kindergarten.

`rules_for(kindergarten)` → a Rules object: `rules.value(key)` and `rules.figure(key)` (value, unit,
label, source, status, overridden). No regulatory number lives in code."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from decimal import Decimal

from houqin.canteen.foods import DATA_DIR

RULES_FILE = DATA_DIR / "nutrition_rules.json"
UNCONFIRMED = "UNCONFIRMED"
HOUQIN_DEFAULT = "houqin_default"
OWN_RULE = "kindergarten"


@functools.cache
def shipped() -> dict:
    with RULES_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


@dataclass(frozen=True)
class Figure:
    key: str
    value: float | None
    unit: str
    label: str
    source: str
    status: str
    note: str = ""
    overridden: bool = False
    shipped_value: float | None = None

    @property
    def unconfirmed(self) -> bool:
        return self.status == UNCONFIRMED

    @property
    def is_default(self) -> bool:
        return self.status == HOUQIN_DEFAULT

    def as_dict(self) -> dict:
        return {"key": self.key, "value": self.value, "unit": self.unit, "label": self.label, "source": self.source,
                "status": self.status, "note": self.note, "overridden": self.overridden,
                "shipped_value": self.shipped_value}


@dataclass
class Rules:
    figures: dict[str, Figure] = field(default_factory=dict)

    def figure(self, key: str) -> Figure:
        return self.figures[key]

    def value(self, key: str) -> float | None:
        return self.figures[key].value

    def cite(self, key: str) -> dict:
        """A figure's value, source and status in a plain dict (for a result kept as JSON)."""
        f = self.figures[key]
        return {"key": key, "value": f.value, "source": f.source, "status": f.status}


def build_rules(overrides: dict[str, tuple[Decimal, str]] | None = None) -> Rules:
    figures = {}
    for key, data in shipped()["figures"].items():
        value = data["value"]
        # pages show the Chinese name, unit and note ("name", "unit_name", "note_name"); the English
        # label stays in the data file for the people who keep it
        shown = {"unit": data.get("unit_name") or data["unit"], "label": data.get("name") or data["label"],
                 "note": data.get("note_name") or data.get("note", "")}
        figure = Figure(key=key, value=value, source=data["source"], status=data["status"], shipped_value=value, **shown)
        if overrides and key in overrides:
            own, source = overrides[key]
            figure = Figure(key=key, value=float(own), source=source, status=OWN_RULE, overridden=True,
                            shipped_value=value, **shown)
        figures[key] = figure
    return Rules(figures)


def rules_for(kindergarten) -> Rules:
    """The shipped figures with the kindergarten's own values in their place (one query)."""
    from houqin.canteen.models import RuleOverride

    overrides = {o.key: (o.value, o.source) for o in RuleOverride.objects.filter(kindergarten=kindergarten)}
    return build_rules(overrides)


def rules_for_many(kindergartens) -> dict[int, Rules]:
    from houqin.canteen.models import RuleOverride

    by_kg: dict[int, dict] = {k.pk: {} for k in kindergartens}
    for o in RuleOverride.objects.filter(kindergarten__in=list(by_kg)):
        by_kg[o.kindergarten_id][o.key] = (o.value, o.source)
    return {pk: build_rules(ov) for pk, ov in by_kg.items()}

"""The rule figures of the canteen (DRIs, kindergarten targets, the food pagoda, the meal-account
limit): shipped in data/nutrition_rules.json with their sources, overridable per kindergarten
through core.rules (one mechanism for every area).

`rules_for(kindergarten)` → a Rules object: `rules.value(key)` and `rules.figure(key)` (a core.rules.Figure). No regulatory number lives in code."""

from __future__ import annotations

import dataclasses
import functools
import json
from dataclasses import dataclass, field

from houqin.canteen.foods import DATA_DIR
from houqin.core import rules as core_rules
from houqin.core.rules import Figure, shipped_figure

RULES_FILE = DATA_DIR / "nutrition_rules.json"
AREA = "canteen"
UNCONFIRMED = "UNCONFIRMED"
HOUQIN_DEFAULT = "houqin_default"
OWN_RULE = core_rules.OWN


@functools.cache
def shipped() -> dict:
    with RULES_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


def shipped_figures() -> list[Figure]:
    """The figures as shipped, for core.rules (pages show the Chinese name, unit and note — "name",
    "unit_name", "note_name"; the English label stays in the data file for the people who keep it)."""
    return [shipped_figure(key=key, label=data.get("name") or data["label"], value=data["value"],
                           unit=data.get("unit_name") or data["unit"], source=data["source"], status=data["status"],
                           note=data.get("note_name") or data.get("note", ""))
            for key, data in shipped()["figures"].items()]


def _as_float(figure: Figure) -> Figure:
    def plain(number):
        return None if number is None else float(number)

    return dataclasses.replace(figure, value=plain(figure.value), shipped_value=plain(figure.shipped_value))


@dataclass
class Rules:
    """The canteen's figures in force, their values as floats (the nutrition arithmetic is in floats)."""

    figures: dict[str, Figure] = field(default_factory=dict)

    def __post_init__(self):
        self.figures = {key: _as_float(f) for key, f in self.figures.items()}

    def figure(self, key: str) -> Figure:
        return self.figures[key]

    def value(self, key: str) -> float | None:
        return self.figures[key].value

    def cite(self, key: str) -> dict:
        """A figure's value, source and status in a plain dict (for a result kept as JSON)."""
        f = self.figures[key]
        return {"key": key, "value": f.value, "source": f.source, "status": f.status}


def build_rules(own: dict[str, tuple] | None = None) -> Rules:
    """The shipped figures, with own values {key: (value, source)} in their place if given."""
    return Rules(core_rules.apply(core_rules.shipped(AREA), own or {}))


def rules_for(kindergarten) -> Rules:
    """The shipped figures with the kindergarten's own values in their place (one query)."""
    return Rules(core_rules.figures(kindergarten, AREA))


def rules_for_many(kindergartens) -> dict[int, Rules]:
    return {pk: Rules(figs) for pk, figs in core_rules.figures_many(kindergartens, AREA).items()}

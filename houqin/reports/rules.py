"""The reports area's rule data (data/summary_rules.json): measure words of the figures, the limits
the problem finder and the district comparison apply, and the limits the other areas ship for each
kindergarten (meal account ±%, drills per term), gathered in one place."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

DATA = Path(__file__).parent / "data" / "summary_rules.json"


@cache
def shipped() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def limit(key: str) -> Decimal:
    return Decimal(str(shipped()["limits"][key]["value"]))


def limit_spec(key: str) -> dict:
    return shipped()["limits"][key]


def is_zh() -> bool:
    return (get_language() or "zh-hans").lower().startswith("zh")


def measure(key: str, fallback: str = "") -> str:
    """The measure word a figure is counted in (次, 处, 份, 名 …), in the active language."""
    pair = shipped()["measures"].get(key)
    if pair is None:
        return fallback
    return pair[0] if is_zh() else pair[1]


def limits_for(kindergartens) -> dict[int, dict[str, Decimal]]:
    """The limits in force for each kindergarten: the shipped ones of this area, the meal account
    limit of the canteen's rules and the drills per term of the safety rules (overrides included).
    Two queries."""
    from houqin.canteen.rules import rules_for_many
    from houqin.safety.figures import rule_values

    base = {key: limit(key) for key in shipped()["limits"]}
    canteen = rules_for_many(kindergartens)
    safety = rule_values([k.pk for k in kindergartens])
    out = {}
    for k in kindergartens:
        values = dict(base)
        values["account_balance"] = Decimal(str(canteen[k.pk].value("account.balance_limit_pct")))
        values["drills_per_term"] = Decimal(str(safety[k.pk]["drills_per_term"]))
        out[k.pk] = values
    return out

"""Disinfection checked against the rule figures (core.rules, shipped in data/rules.json with their
sources, marked to be confirmed): steam or boiling at least 100 °C for 10 minutes, an infrared
cabinet at least 120 °C for 10 minutes, a chlorine solution between 100 and 250 mg/L by its
test-strip reading. Pure: the figures in force come from the kindergarten, the rest is arithmetic."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from houqin.foodsafety.models import DisinfectionMethod, FigureKey

HEAT = {DisinfectionMethod.STEAM: (FigureKey.HEAT_MIN_C, FigureKey.HEAT_MIN_MINUTES),
        DisinfectionMethod.BOILING: (FigureKey.HEAT_MIN_C, FigureKey.HEAT_MIN_MINUTES),
        DisinfectionMethod.CABINET: (FigureKey.CABINET_MIN_C, FigureKey.CABINET_MIN_MINUTES)}


def _plain(number: Decimal) -> str:
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def check_disinfection(kindergarten, *, method: str, minutes: int, temperature: Decimal | None,
                       chlorine: Decimal | None, figures: dict | None = None) -> list[dict]:
    """The problems of a disinfection record against the rule (empty when it keeps the rule)."""
    from houqin.foodsafety import services

    figures = figures if figures is not None else services.rule_figures(kindergarten)
    errors: list[dict] = []
    if method in HEAT:
        low_key, time_key = HEAT[method]
        low, least = figures[low_key].value, figures[time_key].value
        if temperature is None:
            errors.append({"field": "temperature", "message": _(
                "Enter the temperature read on the thermometer or the cabinet.")})
        elif temperature < low:
            errors.append({"field": "temperature", "message": _(
                "%(t)s °C is below the rule: at least %(low)s °C. Disinfect again.")
                % {"t": _plain(temperature), "low": _plain(low)}})
        if minutes < least:
            errors.append({"field": "minutes", "message": _(
                "%(m)s minutes is shorter than the rule: at least %(least)s minutes. Disinfect again.")
                % {"m": minutes, "least": _plain(least)}})
    elif method == DisinfectionMethod.CHEMICAL:
        low, high = figures[FigureKey.CHLORINE_MIN_MG_L].value, figures[FigureKey.CHLORINE_MAX_MG_L].value
        if chlorine is None:
            errors.append({"field": "chlorine_mg_l", "message": _(
                "Enter the test-strip reading of the chlorine solution (mg/L).")})
        elif not (low <= chlorine <= high):
            errors.append({"field": "chlorine_mg_l", "message": _(
                "The solution reads %(r)s mg/L: the rule is %(low)s–%(high)s mg/L. Make it up again and test it.")
                % {"r": _plain(chlorine), "low": _plain(low), "high": _plain(high)}})
    return errors


def rule_text(kindergarten) -> dict:
    """The figures in force, for the form's hint."""
    from houqin.foodsafety import services

    f = services.rule_figures(kindergarten)
    return {"heat_c": f[FigureKey.HEAT_MIN_C], "heat_min": f[FigureKey.HEAT_MIN_MINUTES],
            "cabinet_c": f[FigureKey.CABINET_MIN_C], "cabinet_min": f[FigureKey.CABINET_MIN_MINUTES],
            "chlorine_low": f[FigureKey.CHLORINE_MIN_MG_L], "chlorine_high": f[FigureKey.CHLORINE_MAX_MG_L]}

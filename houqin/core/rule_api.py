"""The JSON API of rule figures, the same for every area (core.rules): an area's router gets its
three routes from `add_rule_routes` — the figures in force, set the kindergarten's own value (with
its source), go back to the shipped figure — under the capabilities the area declares, through the
same functions as the pages."""

import dataclasses
from decimal import Decimal

from ninja import Router, Schema

from houqin import policy
from houqin.core import rules
from houqin.core.inputs import Input


class RuleFigureOut(Schema):
    key: str
    label: str
    value: Decimal | None
    unit: str
    status: str
    unconfirmed: bool
    source: str
    note: str
    overridden: bool
    shipped_value: Decimal | None
    shipped_source: str


class RuleFigureIn(Input):
    value: Decimal
    source: str = ""
    note: str = ""


def figure_out(figure: rules.Figure) -> dict:
    return {**dataclasses.asdict(figure), "unconfirmed": figure.unconfirmed}


def add_rule_routes(router: Router, *, area: str, path: str, view_capability: str, change_capability: str) -> None:
    """GET {path}, POST {path}/{key} and POST {path}/{key}/clear on the area's router. The change
    capability is the one core.rules checks again (the area's AppConfig.rules_capability)."""

    def _figure(request, key):
        return figure_out(rules.figures(request.actor.kindergarten, area)[key])

    @router.get(path, response=list[RuleFigureOut], operation_id=f"{area}_rule_figures",
                summary="The rule figures in force")
    @policy.requires(view_capability)
    def rule_figures(request, kg: str):
        return [figure_out(f) for f in rules.figures(request.actor.kindergarten, area).values()]

    @router.post(path + "/{key}", response=RuleFigureOut, operation_id=f"{area}_rule_figure_set",
                 summary="Set the kindergarten's own value of a figure, with its source")
    @policy.requires(change_capability)
    def rule_figure_set(request, kg: str, key: str, payload: RuleFigureIn):
        rules.override_set(actor=request.actor, area=area, key=key, value=payload.value, source=payload.source,
                           note=payload.note)
        return _figure(request, key)

    @router.post(path + "/{key}/clear", response=RuleFigureOut, operation_id=f"{area}_rule_figure_clear",
                 summary="Go back to the shipped figure")
    @policy.requires(change_capability)
    def rule_figure_clear(request, kg: str, key: str):
        rules.override_clear(actor=request.actor, area=area, key=key)
        return _figure(request, key)

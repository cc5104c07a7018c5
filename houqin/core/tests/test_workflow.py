"""The one gate of the declared state machines (core.workflow) and the maps it reads."""

import importlib

import pytest
from django.apps import apps

from houqin.core.errors import Conflict
from houqin.core.workflow import move
from houqin.safety.models import HAZARD_TRANSITIONS, Hazard, HazardState
from houqin.staff.models import ASSESSMENT_TRANSITIONS, Assessment, AssessmentStatus


def _declared_maps():
    """Every `*_TRANSITIONS` map declared in a models module of ours."""
    for config in apps.get_app_configs():
        if not config.name.startswith("houqin."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.models")
        except ModuleNotFoundError:
            continue
        for name in dir(module):
            if name.endswith("_TRANSITIONS") and isinstance(getattr(module, name), dict):
                yield f"{config.label}.{name}", getattr(module, name)


# Maps whose records end by being voided (VoidableModel), not in a final state, with the reason.
NO_FINAL_STATE = {
    "finance.BILL_TRANSITIONS": "a voided payment sends a paid bill back to unpaid; a wrong bill is voided and reissued",
}


def test_every_declared_map_names_every_state_and_only_states():
    maps = dict(_declared_maps())
    # stock (2), finance (3), safety's hazards, staff's assessments at least
    assert {"safety.HAZARD_TRANSITIONS", "staff.ASSESSMENT_TRANSITIONS", "stock.REQUISITION_TRANSITIONS",
            "finance.EXPENSE_TRANSITIONS"} <= set(maps)
    for name, transitions in maps.items():
        states = {type(k) for k in transitions}
        assert len(states) == 1, name
        enum = states.pop()
        # (purchases and repairs share one enum: each map names the states its workflow uses)
        assert set(transitions) <= set(enum)
        for targets in transitions.values():
            assert set(targets) <= set(transitions), f"{name}: a move to a state without its own moves"
        finals = [state for state, targets in transitions.items() if not targets]
        assert bool(finals) != (name in NO_FINAL_STATE), f"{name}: no final state (or listed without a reason)"


def test_a_declared_move_is_made_and_an_undeclared_one_refused_in_words():
    hazard = Hazard(state=HazardState.RECTIFIED)
    move(hazard, HazardState.CLOSED, HAZARD_TRANSITIONS, field="state")
    assert hazard.state == HazardState.CLOSED
    with pytest.raises(Conflict) as refused:
        move(hazard, HazardState.ASSIGNED, HAZARD_TRANSITIONS, field="state")
    assert refused.value.code == "illegal_transition"
    assert str(HazardState.CLOSED.label) in str(refused.value.message)
    assert hazard.state == HazardState.CLOSED  # unchanged


def test_a_confirmed_assessment_never_moves_again():
    sheet = Assessment(status=AssessmentStatus.DRAFT)
    move(sheet, AssessmentStatus.CONFIRMED, ASSESSMENT_TRANSITIONS)
    with pytest.raises(Conflict):
        move(sheet, AssessmentStatus.DRAFT, ASSESSMENT_TRANSITIONS)
    with pytest.raises(Conflict):
        move(sheet, AssessmentStatus.CONFIRMED, ASSESSMENT_TRANSITIONS, message="已确认")

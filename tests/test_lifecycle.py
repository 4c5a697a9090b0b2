"""The transition table, on plain values: no database."""

import pytest

from complaints.lifecycle import (
    LABELS,
    OPEN_STATES,
    TRANSITIONS,
    IllegalTransition,
    State,
    Step,
    allowed_steps,
    next_state,
)


@pytest.mark.parametrize(
    ("state", "step", "target"),
    [
        (State.RECEIVED, Step.ACKNOWLEDGE, State.ACKNOWLEDGED),
        (State.ACKNOWLEDGED, Step.START_ANALYSIS, State.IN_ANALYSIS),
        (State.IN_ANALYSIS, Step.RECORD_ANALYSIS, State.ANALYSED),
        (State.ANALYSED, Step.RESPOND, State.ANSWERED),
        (State.ACTIONS_PLANNED, Step.RESPOND, State.ANSWERED),
        (State.ANSWERED, Step.SEND_SURVEY, State.AWAITING_FEEDBACK),
        (State.AWAITING_FEEDBACK, Step.RECORD_SATISFACTION, State.CLOSED),
        (State.AWAITING_FEEDBACK, Step.REOPEN_FOR_REVIEW, State.IN_ANALYSIS),
        (State.IN_ANALYSIS, Step.REFER_TO_MEDIATOR, State.WITH_MEDIATOR),
        (State.WITH_MEDIATOR, Step.CLOSE, State.CLOSED),
        (State.AWAITING_FEEDBACK, Step.CLOSE_WITHOUT_FEEDBACK, State.CLOSED),
    ],
)
def test_legal_moves(state: State, step: Step, target: State) -> None:
    assert next_state(state, step) == target


@pytest.mark.parametrize(
    ("state", "step"),
    [
        (State.CLOSED, Step.RESPOND),
        (State.IN_ANALYSIS, Step.RECORD_SATISFACTION),
        (State.RECEIVED, Step.RESPOND),
        (State.WITH_MEDIATOR, Step.REFER_TO_MEDIATOR),
        (State.ANSWERED, Step.CLOSE_WITHOUT_FEEDBACK),
    ],
)
def test_illegal_moves_say_why(state: State, step: Step) -> None:
    with pytest.raises(IllegalTransition, match=f"it is {state.value}"):
        next_state(state, step, reference="REC-2026-000001")


def test_closed_is_final() -> None:
    assert allowed_steps(State.CLOSED) == []


def test_every_open_state_can_reach_closed() -> None:
    reachable = {State.CLOSED}
    changed = True
    while changed:
        changed = False
        for sources, target in TRANSITIONS.values():
            for source in sources:
                if target in reachable and source not in reachable:
                    reachable.add(source)
                    changed = True
    assert reachable >= OPEN_STATES


def test_every_state_has_a_label_in_both_languages() -> None:
    assert set(LABELS["fr"]) == set(LABELS["en"]) == set(State)

"""The lifecycle table, on plain values: no database. The table is pinned whole: every state
against every step, who may take each, and what each does to the deadlines."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from complaints.lifecycle import (
    LABELS,
    OPEN_STATES,
    PHASES,
    TRANSITIONS,
    IllegalTransition,
    Level,
    Party,
    Role,
    State,
    Step,
    allowed_steps,
    next_state,
    next_wake,
    overdue,
    refusal,
    waiting_on,
)

# From each state: each step it allows and where it leads ("=": it stays; "<back>": to the
# state it left when paused or merged). A step added or moved changes this on purpose.
GRID = {
    "received": [
        "acknowledge>acknowledged",
        "refer_to_mediator>with_mediator",
        "withdraw>closed",
        "assign>=",
        "link>=",
        "customer_message>=",
        "merge>closed",
    ],
    "acknowledged": [
        "start_analysis>in_analysis",
        "refer_to_mediator>with_mediator",
        "withdraw>closed",
        "assign>=",
        "link>=",
        "customer_message>=",
        "merge>closed",
    ],
    "in_analysis": [
        "record_analysis>analysed",
        "request_information>awaiting_information",
        "refer_to_mediator>with_mediator",
        "withdraw>closed",
        "assign>=",
        "remind_assignee>=",
        "link>=",
        "customer_message>=",
        "merge>closed",
    ],
    "analysed": [
        "record_analysis>analysed",
        "plan_actions>actions_planned",
        "request_information>awaiting_information",
        "respond>answered",
        "refer_to_mediator>with_mediator",
        "withdraw>closed",
        "assign>=",
        "remind_assignee>=",
        "link>=",
        "customer_message>=",
        "merge>closed",
    ],
    "actions_planned": [
        "plan_actions>actions_planned",
        "request_information>awaiting_information",
        "respond>answered",
        "refer_to_mediator>with_mediator",
        "withdraw>closed",
        "assign>=",
        "remind_assignee>=",
        "link>=",
        "customer_message>=",
        "merge>closed",
    ],
    "awaiting_information": [
        "receive_information><back>",
        "remind_information>=",
        "close_without_information>closed",
        "withdraw>closed",
        "assign>=",
        "link>=",
    ],
    "answered": [
        "send_survey>awaiting_feedback",
        "record_satisfaction>closed",
        "reopen_for_review>in_analysis",
        "refer_to_mediator>with_mediator",
        "close>closed",
        "withdraw>closed",
        "assign>=",
        "link>=",
        "customer_message>=",
        "merge>closed",
    ],
    "awaiting_feedback": [
        "record_satisfaction>closed",
        "reopen_for_review>in_analysis",
        "refer_to_mediator>with_mediator",
        "close>closed",
        "close_without_feedback>closed",
        "withdraw>closed",
        "assign>=",
        "link>=",
        "customer_message>=",
        "merge>closed",
    ],
    "with_mediator": [
        "record_mediation_outcome>=",
        "close>closed",
        "withdraw>closed",
        "assign>=",
        "link>=",
        "customer_message>=",
        "merge>closed",
    ],
    "closed": ["reopen>in_analysis", "link>=", "unmerge><back>"],
}

ROLES = {
    "system": "acknowledge start_analysis remind_information close_without_information"
    " send_survey refer_to_mediator close_without_feedback remind_assignee",
    "customer": "receive_information record_satisfaction reopen_for_review refer_to_mediator"
    " reopen withdraw customer_message",
    "agent": "record_analysis plan_actions request_information receive_information respond"
    " reopen withdraw link merge",
    "manager": "record_analysis plan_actions request_information receive_information respond"
    " refer_to_mediator record_mediation_outcome close reopen withdraw assign link merge unmerge",
}


def _cell(step: str) -> str:
    move = TRANSITIONS[step]
    target = "<back>" if move.returns else (move.target.value if move.target else "=")
    return f"{step}>{target}"


def test_the_whole_table_every_state_against_every_step() -> None:
    found = {state.value: [_cell(step) for step in allowed_steps(state)] for state in State}
    assert found == GRID


@pytest.mark.parametrize("role", list(Role))
def test_who_may_take_each_step(role: Role) -> None:
    mine = [step for step, move in TRANSITIONS.items() if move.permits(role)]
    assert " ".join(mine) == ROLES[role.value]


def test_each_step_is_declared_with_its_words_in_both_languages() -> None:
    assert set(TRANSITIONS) == set(Step)
    for move in TRANSITIONS.values():
        assert move.label.fr and move.label.en and move.label.fr != move.label.en
        if move.customer:
            assert move.customer.fr and move.customer.en


@pytest.mark.parametrize(
    ("state", "step", "target"),
    [
        (State.RECEIVED, Step.ACKNOWLEDGE, State.ACKNOWLEDGED),
        (State.ANALYSED, Step.RESPOND, State.ANSWERED),
        (State.AWAITING_FEEDBACK, Step.REOPEN_FOR_REVIEW, State.IN_ANALYSIS),
        (State.ACTIONS_PLANNED, Step.REQUEST_INFORMATION, State.AWAITING_INFORMATION),
        (State.CLOSED, Step.REOPEN, State.IN_ANALYSIS),
        (State.WITH_MEDIATOR, Step.RECORD_MEDIATION_OUTCOME, State.WITH_MEDIATOR),
    ],
)
def test_legal_moves(state: State, step: Step, target: State) -> None:
    assert next_state(state, step) == target


def test_a_returning_step_goes_back_where_the_complaint_was() -> None:
    back = State.ACTIONS_PLANNED
    assert next_state(State.AWAITING_INFORMATION, Step.RECEIVE_INFORMATION, back=back) == back
    with pytest.raises(IllegalTransition, match="nothing to go back to"):
        next_state(State.AWAITING_INFORMATION, Step.RECEIVE_INFORMATION)


@pytest.mark.parametrize(
    ("state", "step"),
    [
        (State.CLOSED, Step.RESPOND),
        (State.IN_ANALYSIS, Step.RECORD_SATISFACTION),
        (State.WITH_MEDIATOR, Step.REFER_TO_MEDIATOR),
        (State.AWAITING_INFORMATION, Step.RESPOND),
        (State.CLOSED, Step.WITHDRAW),
    ],
)
def test_illegal_moves_say_why(state: State, step: Step) -> None:
    with pytest.raises(IllegalTransition, match=f"it is {state.value}"):
        next_state(state, step, reference="REC-2026-000001")


def _complaint(**facts: object) -> SimpleNamespace:
    base = datetime(2026, 3, 2, 9, tzinfo=UTC)
    values: dict[str, object] = {
        "state": State.IN_ANALYSIS,
        "received_at": base,
        "answer_by": base + timedelta(days=15),
        "refer_by": base + timedelta(days=20),
        "answered_at": None,
        "escalation_level": Level.NONE,
        "survey_at": None,
        "feedback_by": None,
        "info_remind_at": None,
        "info_due_by": None,
        "mediation_outcome_at": None,
        "merged_into_id": None,
        "assignee": None,
        "assignee_reminded_at": None,
    }
    return SimpleNamespace(**(values | facts))


def test_the_guards_say_why_and_the_role_comes_before_them() -> None:
    with_mediator = _complaint(state=State.WITH_MEDIATOR)
    assert refusal(with_mediator, Step.CLOSE, Role.MANAGER) == (
        "it is with the mediator: record the mediator's outcome first"
    )
    assert refusal(with_mediator, Step.CLOSE, Role.AGENT) == "it is not a step for the agent"
    decided = _complaint(state=State.WITH_MEDIATOR, mediation_outcome_at=datetime.now(UTC))
    assert refusal(decided, Step.CLOSE, Role.MANAGER) is None
    merged = _complaint(state=State.CLOSED, merged_into_id=7)
    assert "undo the merge" in str(refusal(merged, Step.REOPEN, Role.CUSTOMER))
    assert refusal(merged, Step.UNMERGE, Role.MANAGER) is None
    assert refusal(_complaint(state=State.CLOSED), Step.UNMERGE, Role.MANAGER) == (
        "it was not merged"
    )


def test_overdue_counts_only_where_the_answer_clock_runs() -> None:
    late = _complaint()
    after = late.answer_by + timedelta(seconds=1)
    assert overdue(late, after) and not overdue(late, late.answer_by)  # after it, not at it
    assert not overdue(_complaint(state=State.AWAITING_INFORMATION), after)  # paused
    assert not overdue(_complaint(answered_at=after), after)
    assert not overdue(_complaint(state=State.CLOSED), after)


def test_the_next_wake_follows_the_state() -> None:
    c = _complaint()
    assert next_wake(c) == c.answer_by
    assert next_wake(_complaint(escalation_level=Level.MANAGER)) == c.refer_by
    assert next_wake(_complaint(escalation_level=Level.MEDIATOR)) is None
    assert next_wake(_complaint(state=State.RECEIVED)) == c.received_at
    remind, due = c.received_at + timedelta(days=7), c.received_at + timedelta(days=15)
    paused = _complaint(state=State.AWAITING_INFORMATION, info_remind_at=remind, info_due_by=due)
    assert next_wake(paused) == remind
    reminded = _complaint(state=State.AWAITING_INFORMATION, info_due_by=due)
    assert next_wake(reminded) == due
    assert next_wake(_complaint(state=State.WITH_MEDIATOR)) is None
    assert next_wake(_complaint(state=State.CLOSED)) is None


def test_whom_each_state_waits_on() -> None:
    assert waiting_on(State.IN_ANALYSIS) == Party.STAFF
    assert waiting_on(State.AWAITING_INFORMATION) == Party.CUSTOMER
    assert waiting_on(State.WITH_MEDIATOR) == Party.MEDIATOR
    assert waiting_on(State.CLOSED) == Party.NOBODY


def test_every_open_state_can_reach_closed() -> None:
    reachable = {State.CLOSED}
    changed = True
    while changed:
        changed = False
        for move in TRANSITIONS.values():
            if move.target is None:
                continue
            for source in move.sources:
                if move.target in reachable and source not in reachable:
                    reachable.add(source)
                    changed = True
    assert reachable >= OPEN_STATES


def test_every_state_has_its_words_in_both_languages() -> None:
    assert set(LABELS["fr"]) == set(LABELS["en"]) == set(State) == set(PHASES)


def test_the_readme_shows_the_table_as_declared() -> None:
    from pathlib import Path

    from complaints.lifecycle_doc import markdown

    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    section = readme.split("<!-- lifecycle:start -->\n")[1].split("<!-- lifecycle:end -->")[0]
    assert section == markdown()

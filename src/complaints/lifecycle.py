"""The states of a complaint and the one table of moves between them. Pure: no I/O."""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    IN_ANALYSIS = "in_analysis"
    ANALYSED = "analysed"
    ACTIONS_PLANNED = "actions_planned"
    ANSWERED = "answered"
    AWAITING_FEEDBACK = "awaiting_feedback"
    WITH_MEDIATOR = "with_mediator"
    CLOSED = "closed"


class Step(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    START_ANALYSIS = "start_analysis"
    RECORD_ANALYSIS = "record_analysis"
    PLAN_ACTIONS = "plan_actions"
    RESPOND = "respond"
    SEND_SURVEY = "send_survey"
    RECORD_SATISFACTION = "record_satisfaction"
    REOPEN_FOR_REVIEW = "reopen_for_review"
    REFER_TO_MEDIATOR = "refer_to_mediator"
    RECORD_MEDIATION_OUTCOME = "record_mediation_outcome"
    CLOSE = "close"
    CLOSE_WITHOUT_FEEDBACK = "close_without_feedback"


S = State
_HANDLING = frozenset({S.IN_ANALYSIS, S.ANALYSED, S.ACTIONS_PLANNED})
_ANSWERED = frozenset({S.ANSWERED, S.AWAITING_FEEDBACK})
OPEN_STATES = frozenset(State) - {S.CLOSED}

# step: (states it may start from, state it leads to)
TRANSITIONS: dict[Step, tuple[frozenset[State], State]] = {
    Step.ACKNOWLEDGE: (frozenset({S.RECEIVED}), S.ACKNOWLEDGED),
    Step.START_ANALYSIS: (frozenset({S.ACKNOWLEDGED}), S.IN_ANALYSIS),
    Step.RECORD_ANALYSIS: (frozenset({S.IN_ANALYSIS, S.ANALYSED}), S.ANALYSED),
    Step.PLAN_ACTIONS: (frozenset({S.ANALYSED, S.ACTIONS_PLANNED}), S.ACTIONS_PLANNED),
    Step.RESPOND: (frozenset({S.ANALYSED, S.ACTIONS_PLANNED}), S.ANSWERED),
    Step.SEND_SURVEY: (frozenset({S.ANSWERED}), S.AWAITING_FEEDBACK),
    Step.RECORD_SATISFACTION: (_ANSWERED, S.CLOSED),
    Step.REOPEN_FOR_REVIEW: (_ANSWERED, S.IN_ANALYSIS),
    Step.REFER_TO_MEDIATOR: (OPEN_STATES - {S.WITH_MEDIATOR}, S.WITH_MEDIATOR),
    Step.RECORD_MEDIATION_OUTCOME: (frozenset({S.WITH_MEDIATOR}), S.WITH_MEDIATOR),
    Step.CLOSE: (_ANSWERED | {S.WITH_MEDIATOR}, S.CLOSED),
    Step.CLOSE_WITHOUT_FEEDBACK: (frozenset({S.AWAITING_FEEDBACK}), S.CLOSED),
}

HANDLING_STATES = _HANDLING
ANSWERED_STATES = _ANSWERED

LABELS: dict[str, dict[State, str]] = {
    "fr": {
        S.RECEIVED: "reçue",
        S.ACKNOWLEDGED: "accusé de réception envoyé",
        S.IN_ANALYSIS: "en cours d'analyse",
        S.ANALYSED: "analysée",
        S.ACTIONS_PLANNED: "actions planifiées",
        S.ANSWERED: "réponse envoyée",
        S.AWAITING_FEEDBACK: "en attente de votre avis",
        S.WITH_MEDIATOR: "transmise au médiateur",
        S.CLOSED: "clôturée",
    },
    "en": {
        S.RECEIVED: "received",
        S.ACKNOWLEDGED: "acknowledged",
        S.IN_ANALYSIS: "being analysed",
        S.ANALYSED: "analysed",
        S.ACTIONS_PLANNED: "actions planned",
        S.ANSWERED: "answered",
        S.AWAITING_FEEDBACK: "awaiting your feedback",
        S.WITH_MEDIATOR: "referred to the mediator",
        S.CLOSED: "closed",
    },
}


class IllegalTransition(ValueError):
    """A step that the complaint's state does not allow."""


def next_state(state: State, step: Step, *, reference: str = "the complaint") -> State:
    """The state `step` leads to from `state`, or IllegalTransition."""
    sources, target = TRANSITIONS[step]
    if state not in sources:
        allowed = ", ".join(sorted(sources))
        raise IllegalTransition(
            f"cannot {step.value.replace('_', ' ')} {reference}: it is {state.value}"
            f" (allowed from: {allowed})"
        )
    return target


def allowed_steps(state: State) -> list[Step]:
    """The steps that may be taken from `state`."""
    return [step for step, (sources, _) in TRANSITIONS.items() if state in sources]

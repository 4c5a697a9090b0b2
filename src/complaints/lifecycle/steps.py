"""The steps, declared once: each says where it may start, where it leads, who may take it,
its guard, whether the customer sees it, its words, and what it does to the deadlines. Pure:
no I/O; a guard reads only the complaint it is given. The services' `move` is the only gate
(services/history.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from complaints.errors import IllegalTransition
from complaints.lifecycle.states import ANSWERED_STATES, HANDLING_STATES, OPEN_STATES
from complaints.lifecycle.terms import Clock, Role, State, Step, Transition, Words

S = State
W = Words
SYSTEM, CUSTOMER, AGENT, MANAGER = Role.SYSTEM, Role.CUSTOMER, Role.AGENT, Role.MANAGER


def _outcome_missing(complaint: Any) -> str | None:
    """from with_mediator, once the mediator's outcome is recorded"""
    if complaint.state == S.WITH_MEDIATOR and complaint.mediation_outcome_at is None:
        return "it is with the mediator: record the mediator's outcome first"
    return None


def _merged(complaint: Any) -> str | None:
    """unless merged into another complaint"""
    if complaint.merged_into_id is not None:
        return "it was merged into another complaint: undo the merge instead"
    return None


def _not_merged(complaint: Any) -> str | None:
    """if merged into another complaint"""
    return None if complaint.merged_into_id is not None else "it was not merged"


def _reminded(complaint: Any) -> str | None:
    """once"""
    return None if complaint.info_remind_at is not None else "the reminder was already sent"


def _assignee_reminder(complaint: Any) -> str | None:
    """if assigned; once"""
    if complaint.assignee is None:
        return "it is assigned to nobody"
    return "the assignee was already reminded" if complaint.assignee_reminded_at else None


# step: the one declaration of what it may do
TRANSITIONS: dict[str, Transition] = {
    Step.ACKNOWLEDGE: Transition(
        frozenset({S.RECEIVED}),
        S.ACKNOWLEDGED,
        frozenset({SYSTEM}),
        W("accusé de réception rédigé", "acknowledgement written"),
    ),
    Step.START_ANALYSIS: Transition(
        frozenset({S.ACKNOWLEDGED}),
        S.IN_ANALYSIS,
        frozenset({SYSTEM}),
        W("premier tri", "first pass"),
        customer=W("Analyse commencée", "Analysis started"),
    ),
    Step.RECORD_ANALYSIS: Transition(
        frozenset({S.IN_ANALYSIS, S.ANALYSED}),
        S.ANALYSED,
        frozenset({AGENT}),
        W("analyse enregistrée", "analysis recorded"),
    ),
    Step.PLAN_ACTIONS: Transition(
        frozenset({S.ANALYSED, S.ACTIONS_PLANNED}),
        S.ACTIONS_PLANNED,
        frozenset({AGENT}),
        W("action planifiée", "action planned"),
    ),
    Step.REQUEST_INFORMATION: Transition(
        HANDLING_STATES,
        S.AWAITING_INFORMATION,
        frozenset({AGENT}),
        W("informations demandées au client", "information requested from the customer"),
        customer=W("Informations demandées", "Information requested"),
        clock=Clock.PAUSE,
        remembers=True,
    ),
    Step.RECEIVE_INFORMATION: Transition(
        frozenset({S.AWAITING_INFORMATION}),
        None,
        frozenset({CUSTOMER, AGENT}),
        W("informations reçues du client", "information received from the customer"),
        customer=W("Vos informations sont reçues", "Your information was received"),
        clock=Clock.RESUME,
        returns=True,
    ),
    Step.REMIND_INFORMATION: Transition(
        frozenset({S.AWAITING_INFORMATION}),
        None,
        frozenset({SYSTEM}),
        W("rappel envoyé au client", "reminder sent to the customer"),
        guard=_reminded,
    ),
    Step.CLOSE_WITHOUT_INFORMATION: Transition(
        frozenset({S.AWAITING_INFORMATION}),
        S.CLOSED,
        frozenset({SYSTEM}),
        W("clôturée faute d'informations", "closed for want of information"),
        customer=W("Clôturée faute d'informations", "Closed for want of information"),
        clock=Clock.STOP,
    ),
    Step.RESPOND: Transition(
        frozenset({S.ANALYSED, S.ACTIONS_PLANNED}),
        S.ANSWERED,
        frozenset({AGENT}),
        W("réponse rédigée", "answer written"),
    ),
    Step.SEND_SURVEY: Transition(
        frozenset({S.ANSWERED}),
        S.AWAITING_FEEDBACK,
        frozenset({SYSTEM}),
        W("enquête de satisfaction", "satisfaction survey"),
    ),
    Step.RECORD_SATISFACTION: Transition(
        ANSWERED_STATES,
        S.CLOSED,
        frozenset({CUSTOMER}),
        W("client satisfait", "customer satisfied"),
        customer=W("Vous êtes satisfait(e)", "You are satisfied"),
        clock=Clock.STOP,
    ),
    Step.REOPEN_FOR_REVIEW: Transition(
        ANSWERED_STATES,
        S.IN_ANALYSIS,
        frozenset({CUSTOMER}),
        W("réexamen : client insatisfait", "review: customer dissatisfied"),
        customer=W("Réexamen à votre demande", "Reviewed at your request"),
        clock=Clock.PROMISE,
    ),
    Step.REFER_TO_MEDIATOR: Transition(
        # Not while the customer owes information: the answer's clock is stopped.
        OPEN_STATES - {S.WITH_MEDIATOR, S.AWAITING_INFORMATION},
        S.WITH_MEDIATOR,
        frozenset({SYSTEM, CUSTOMER, MANAGER}),
        W("transmise au médiateur", "referred to the mediator"),
        customer=W("Transmise au médiateur", "Referred to the mediator"),
    ),
    Step.RECORD_MEDIATION_OUTCOME: Transition(
        frozenset({S.WITH_MEDIATOR}),
        None,
        frozenset({MANAGER}),
        W("avis du médiateur enregistré", "mediator's outcome recorded"),
        customer=W("Avis du médiateur reçu", "Mediator's opinion received"),
    ),
    Step.CLOSE: Transition(
        ANSWERED_STATES | {S.WITH_MEDIATOR},
        S.CLOSED,
        frozenset({MANAGER}),
        W("clôturée", "closed"),
        customer=W("Clôturée", "Closed"),
        clock=Clock.STOP,
        guard=_outcome_missing,
    ),
    Step.CLOSE_WITHOUT_FEEDBACK: Transition(
        frozenset({S.AWAITING_FEEDBACK}),
        S.CLOSED,
        frozenset({SYSTEM}),
        W("clôturée sans avis du client", "closed without the customer's opinion"),
        customer=W("Clôturée sans réponse à l'enquête", "Closed without an answer to the survey"),
        clock=Clock.STOP,
    ),
    Step.REOPEN: Transition(
        frozenset({S.CLOSED}),
        S.IN_ANALYSIS,
        frozenset({CUSTOMER, AGENT}),
        W("rouverte", "reopened"),
        customer=W("Rouverte", "Reopened"),
        clock=Clock.PROMISE,
        guard=_merged,
    ),
    Step.WITHDRAW: Transition(
        OPEN_STATES,
        S.CLOSED,
        frozenset({CUSTOMER, AGENT}),
        W("retirée par le client", "withdrawn by the customer"),
        customer=W("Retirée à votre demande", "Withdrawn at your request"),
        clock=Clock.STOP,
    ),
    Step.ASSIGN: Transition(OPEN_STATES, None, frozenset({MANAGER}), W("attribuée", "assigned")),
    Step.REMIND_ASSIGNEE: Transition(
        HANDLING_STATES,
        None,
        frozenset({SYSTEM}),
        W("rappel envoyé à la personne chargée", "assignee reminded"),
        guard=_assignee_reminder,
    ),
    Step.LINK: Transition(
        frozenset(State), None, frozenset({AGENT}), W("liée à une autre réclamation", "linked")
    ),
    # A message that changes nothing: on a closed complaint it reopens (REOPEN), and it brings
    # the information asked for (RECEIVE_INFORMATION); the services choose.
    Step.CUSTOMER_MESSAGE: Transition(
        OPEN_STATES - {S.AWAITING_INFORMATION},
        None,
        frozenset({CUSTOMER}),
        W("message du client", "message from the customer"),
        customer=W("Votre message", "Your message"),
    ),
    Step.MERGE: Transition(
        OPEN_STATES - {S.AWAITING_INFORMATION},  # it would forget where the information leads
        S.CLOSED,
        frozenset({AGENT}),
        W("fusionnée dans une autre réclamation", "merged into another complaint"),
        customer=W(
            "Réunie à une autre de vos réclamations", "Joined to another of your complaints"
        ),
        clock=Clock.STOP,
        remembers=True,
    ),
    Step.UNMERGE: Transition(
        frozenset({S.CLOSED}),
        None,
        frozenset({MANAGER}),
        W("fusion annulée", "merge undone"),
        customer=W("De nouveau traitée à part", "Handled separately again"),
        clock=Clock.RUN,
        guard=_not_merged,
        returns=True,
    ),
}


def transition(step: str) -> Transition:
    return TRANSITIONS[step]


def _verb(step: str) -> str:
    return str(step).replace("_", " ")


def next_state(
    state: State, step: str, *, reference: str = "the complaint", back: State | None = None
) -> State:
    """The state `step` leads to from `state` (`back`: the state a returning step goes back
    to), or IllegalTransition."""
    move = TRANSITIONS[step]
    if state not in move.sources:
        allowed = ", ".join(sorted(move.sources))
        raise IllegalTransition(
            f"cannot {_verb(step)} {reference}: it is {state.value} (allowed from: {allowed})"
        )
    if move.returns:
        if back is None:
            raise IllegalTransition(f"cannot {_verb(step)} {reference}: nothing to go back to")
        return back
    return move.target or state


def refusal(complaint: Any, step: str, role: Role) -> str | None:
    """Why `role` may not take `step` on `complaint` now, or None: the state, the role, the
    guard, in that order."""
    move = TRANSITIONS[step]
    if complaint.state not in move.sources:
        return f"it is {complaint.state.value}"
    if not move.permits(role):
        return f"it is not a step for the {role.value}"
    return move.guard(complaint) if move.guard else None


def allowed_steps(state: State, role: Role | None = None) -> list[str]:
    """The steps that may be taken from `state` (by `role`, when given)."""
    return [
        step
        for step, move in TRANSITIONS.items()
        if state in move.sources and (role is None or move.permits(role))
    ]


def customer_steps(lang: str) -> dict[str, str]:
    """What each step the customer sees is called on the tracking page."""
    return {step: move.customer(lang) for step, move in TRANSITIONS.items() if move.customer}


def sources_of(steps: Iterable[str]) -> frozenset[State]:
    return frozenset().union(*(TRANSITIONS[s].sources for s in steps))

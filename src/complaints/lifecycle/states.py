"""The states, declared once: each says whom it waits on, whether the answer's clock runs in
it, which of the complaint's dates wake the system, and its words for the customer and for
the staff. Pure: no I/O."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from complaints.lifecycle.terms import Level, Party, Phase, State, Wake, Words

S = State
W = Words

PHASES: dict[State, Phase] = {
    S.RECEIVED: Phase(
        W("reçue", "received"), W("reçue", "received"), Party.SYSTEM, True, Wake.AT_ONCE
    ),
    S.ACKNOWLEDGED: Phase(
        W("accusé de réception envoyé", "acknowledged"),
        W("accusé de réception envoyé", "acknowledged"),
        Party.SYSTEM,
        True,
        Wake.AT_ONCE,
    ),
    S.IN_ANALYSIS: Phase(
        W("en cours d'analyse", "being analysed"),
        W("en cours d'analyse", "being analysed"),
        Party.STAFF,
        True,
        Wake.ANSWER,
    ),
    S.ANALYSED: Phase(
        W("analysée", "analysed"), W("analysée", "analysed"), Party.STAFF, True, Wake.ANSWER
    ),
    S.ACTIONS_PLANNED: Phase(
        W("actions planifiées", "actions planned"),
        W("actions planifiées", "actions planned"),
        Party.STAFF,
        True,
        Wake.ANSWER,
    ),
    S.AWAITING_INFORMATION: Phase(
        W("en attente de vos informations", "awaiting information from you"),
        W("en attente d'informations du client", "awaiting information from the customer"),
        Party.CUSTOMER,
        False,
        Wake.INFORMATION,
    ),
    S.ANSWERED: Phase(
        W("réponse envoyée", "answered"),
        W("réponse envoyée", "answered"),
        Party.SYSTEM,
        False,
        Wake.SURVEY,
    ),
    S.AWAITING_FEEDBACK: Phase(
        W("en attente de votre avis", "awaiting your feedback"),
        W("en attente de l'avis du client", "awaiting the customer's opinion"),
        Party.CUSTOMER,
        False,
        Wake.FEEDBACK,
    ),
    S.WITH_MEDIATOR: Phase(
        W("transmise au médiateur", "referred to the mediator"),
        W("transmise au médiateur", "referred to the mediator"),
        Party.MEDIATOR,
        True,
        Wake.NEVER,
    ),
    S.CLOSED: Phase(
        W("clôturée", "closed"), W("clôturée", "closed"), Party.NOBODY, False, Wake.NEVER
    ),
}

OPEN_STATES = frozenset(State) - {S.CLOSED}
HANDLING_STATES = frozenset({S.IN_ANALYSIS, S.ANALYSED, S.ACTIONS_PLANNED})
ANSWERED_STATES = frozenset({S.ANSWERED, S.AWAITING_FEEDBACK})
ANSWER_CLOCK_STATES = frozenset(s for s, phase in PHASES.items() if phase.answer_clock)
ANSWER_WAKE_STATES = frozenset(s for s, phase in PHASES.items() if phase.wake == Wake.ANSWER)


def waiting_on(state: State) -> Party:
    return PHASES[state].waits_on


def states_waiting_on(party: Party) -> frozenset[State]:
    return frozenset(s for s, phase in PHASES.items() if phase.waits_on == party)


def overdue(complaint: Any, at: datetime) -> bool:
    """The answer owed is late: its clock runs, no answer yet, and its date is past (after it,
    not at it). The SQL twin is repository.overdue_clause."""
    return (
        complaint.state in ANSWER_CLOCK_STATES
        and complaint.answered_at is None
        and at > complaint.answer_by
    )


def next_wake(complaint: Any) -> datetime | None:
    """When the system must next look at the complaint, or None if it waits on people."""
    wake = PHASES[complaint.state].wake
    if wake == Wake.AT_ONCE:
        return complaint.received_at  # type: ignore[no-any-return]
    if wake == Wake.ANSWER:
        level = complaint.escalation_level
        return {Level.NONE: complaint.answer_by, Level.MANAGER: complaint.refer_by}.get(level)
    if wake == Wake.SURVEY:
        return complaint.survey_at  # type: ignore[no-any-return]
    if wake == Wake.FEEDBACK:
        return complaint.feedback_by  # type: ignore[no-any-return]
    if wake == Wake.INFORMATION:
        return complaint.info_remind_at or complaint.info_due_by  # type: ignore[no-any-return]
    return None


def labels(lang: str, *, customer: bool = True) -> dict[State, str]:
    return {s: (p.customer if customer else p.staff)(lang) for s, p in PHASES.items()}


LABELS = {lang: labels(lang) for lang in ("fr", "en")}

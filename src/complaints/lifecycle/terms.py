"""The lifecycle's words: states, steps, roles, whom a state waits on, what wakes the system,
what a step does to the deadlines, and the two records the tables are made of."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any


class State(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    IN_ANALYSIS = "in_analysis"
    ANALYSED = "analysed"
    ACTIONS_PLANNED = "actions_planned"
    AWAITING_INFORMATION = "awaiting_information"
    ANSWERED = "answered"
    AWAITING_FEEDBACK = "awaiting_feedback"
    WITH_MEDIATOR = "with_mediator"
    CLOSED = "closed"


class Step(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    START_ANALYSIS = "start_analysis"
    RECORD_ANALYSIS = "record_analysis"
    PLAN_ACTIONS = "plan_actions"
    REQUEST_INFORMATION = "request_information"
    RECEIVE_INFORMATION = "receive_information"
    REMIND_INFORMATION = "remind_information"
    CLOSE_WITHOUT_INFORMATION = "close_without_information"
    RESPOND = "respond"
    SEND_SURVEY = "send_survey"
    RECORD_SATISFACTION = "record_satisfaction"
    REOPEN_FOR_REVIEW = "reopen_for_review"
    REFER_TO_MEDIATOR = "refer_to_mediator"
    RECORD_MEDIATION_OUTCOME = "record_mediation_outcome"
    CLOSE = "close"
    CLOSE_WITHOUT_FEEDBACK = "close_without_feedback"
    REOPEN = "reopen"
    WITHDRAW = "withdraw"
    ASSIGN = "assign"
    REMIND_ASSIGNEE = "remind_assignee"
    LINK = "link"
    MERGE = "merge"
    UNMERGE = "unmerge"
    CUSTOMER_MESSAGE = "customer_message"


class Role(StrEnum):
    """Who takes a step. A manager may take every agent's step."""

    SYSTEM = "system"
    CUSTOMER = "customer"
    AGENT = "agent"
    MANAGER = "manager"


class Party(StrEnum):
    """Whom a complaint in a state waits on."""

    SYSTEM = "system"
    STAFF = "staff"
    CUSTOMER = "customer"
    MEDIATOR = "mediator"
    NOBODY = "nobody"


class Wake(StrEnum):
    """Which of the complaint's dates wake the system in a state."""

    AT_ONCE = "at_once"  # received_at: the acknowledgement and the first pass are due now
    ANSWER = "answer"  # answer_by, then refer_by once the manager was alerted
    SURVEY = "survey"  # survey_at
    FEEDBACK = "feedback"  # feedback_by
    INFORMATION = "information"  # info_remind_at, then info_due_by
    NEVER = "never"


class Clock(StrEnum):
    """What a step does to the deadlines."""

    KEEP = "keep"
    PAUSE = "pause"  # the answer's clock stops; the customer owes information by a date
    RESUME = "resume"  # every deadline moves by the paused span, in the promise's counting
    PROMISE = "promise"  # a new answer is promised (a review, a reopening)
    STOP = "stop"  # no deadline runs any more
    RUN = "run"  # the deadlines it had run again


class Level(IntEnum):
    """How far the answer promise in force has escalated."""

    NONE = 0
    MANAGER = 1
    MEDIATOR = 2


@dataclass(frozen=True)
class Words:
    fr: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en


@dataclass(frozen=True)
class Phase:
    """A state: its words for the customer ("your") and for the staff, whom it waits on,
    whether the answer's promise runs in it, and which dates wake the system."""

    customer: Words
    staff: Words
    waits_on: Party
    answer_clock: bool
    wake: Wake


Guard = Callable[[Any], str | None]  # the complaint → why the step is refused, or None


@dataclass(frozen=True)
class Transition:
    """A step: from which states, to which (None: it stays; `returns`: back to the state it
    left when paused or merged), who may take it, its guard, its words, and its deadlines."""

    sources: frozenset[State]
    target: State | None
    by: frozenset[Role]
    label: Words  # the history's words, for the staff
    customer: Words | None = None  # the tracking page's words; None: the customer does not see it
    clock: Clock = Clock.KEEP
    guard: Guard | None = None
    returns: bool = False
    remembers: bool = False  # keeps the state it leaves, for a returning step to go back to

    def permits(self, role: Role) -> bool:
        return role in self.by or (role == Role.MANAGER and Role.AGENT in self.by)

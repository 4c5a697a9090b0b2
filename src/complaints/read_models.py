"""What `show` and `list` return, typed: the staff API's response models, the CLI's JSON, the
staff page's data. A moment is written one way everywhere (ISO 8601 with its offset)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from complaints.lifecycle import Party, State
from complaints.models import Channel


def iso(moment: datetime | None) -> str | None:
    """A moment as the read models write it: 2026-03-02T09:00:00+00:00."""
    return moment.isoformat() if moment else None


Moment = Annotated[datetime, PlainSerializer(iso, return_type=str)]


class _Read(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, from_attributes=True)

    def plain(self) -> dict[str, Any]:
        """JSON-ready data (the CLI's --json, the pages)."""
        return self.model_dump(mode="json", by_alias=True)


class Summary(_Read):
    """One line of the list: the facts and dates a handler sorts and filters by."""

    reference: str
    state: State
    channel: Channel
    product: str
    region: str
    customer_type: str
    category: str | None
    severity: str
    priority: int
    received_at: Moment
    acknowledge_by: Moment
    acknowledged_at: Moment | None
    acknowledgement_sent_at: Moment | None
    answer_by: Moment
    promised_answer_by: Moment | None
    refer_by: Moment | None
    answered_at: Moment | None
    first_answer_sent_at: Moment | None
    survey_at: Moment | None
    feedback_by: Moment | None
    closed_at: Moment | None
    closure_reason: str | None
    escalation_level: int
    reviews_done: int
    mediator: str | None
    overdue: bool
    needs_attention: bool
    assignee: str | None
    waiting_on: Party
    paused_days: int
    info_due_by: Moment | None
    reopened: int


class Person(_Read):
    name: str
    email: str  # "" for a customer without e-mail: the letters go to postal_address
    phone: str | None
    postal_address: str | None = None
    language: str


class Consent(_Read):
    contact: bool
    share: bool


class Deadline(_Read):
    promise: str
    due: str
    explained: str


class Opinion(_Read):
    round: int
    sent_at: Moment | None
    answered_at: Moment | None
    satisfied: bool | None
    comment: str


class PlannedAction(_Read):
    id: int = 0
    kind: str
    description: str
    owner: str
    due_on: date
    done_at: Moment | None


class Finding(_Read):
    """An analysis: the first, automatic one at intake, or a member's."""

    at: Moment
    analyst: str
    automatic: bool
    category: str
    severity: str
    root_cause: str
    founded: bool | None


class Answer(_Read):
    """An answer written to the customer."""

    at: Moment
    responder: str
    decision: str
    message: str


class Email(_Read):
    kind: str
    to: str
    medium: str = "email"
    status: str
    attempts: int
    sent_at: Moment | None
    message_id: str


class Attached(_Read):
    """A file the customer sent: its name, its type (read from its content), its size."""

    id: int
    filename: str
    content_type: str
    size: int
    source: str
    added_at: Moment
    erased_at: Moment | None


class Entry(_Read):
    """One event of the history."""

    at: Moment
    recorded_at: Moment | None
    actor: str
    action: str
    from_: str | None = Field(alias="from", serialization_alias="from")
    to: str | None
    reason: str
    data: dict[str, Any]


class ComplaintView(Summary):
    """One complaint, whole: what `show` prints and GET /api/staff/complaints/{ref} answers."""

    subject: str
    description: str
    desired_outcome: str
    complainant: Person
    consent: Consent
    anonymised_at: Moment | None
    simulated_clock: bool
    deadlines: list[Deadline]
    feedback: list[Opinion]
    related: list[str]
    actions: list[PlannedAction]
    analyses: list[Finding] = []
    answers: list[Answer] = []
    emails: list[Email]
    attachments: list[Attached] = []
    history: list[Entry]
    merged_into: str | None = None
    merged: list[dict[str, Any]] = []
    duplicates: list[str] = []

"""The tables: complaints, the people behind them, and the append-only history."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import JSON, Date, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from complaints.db import UTCDateTime
from complaints.lifecycle import State


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


def _enum(kind: type[StrEnum]) -> Enum:
    return Enum(kind, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e])


class Channel(StrEnum):
    WEB = "web"
    EMAIL = "email"
    PHONE = "phone"
    LETTER = "letter"
    IN_PERSON = "in_person"


class ActionKind(StrEnum):
    CURATIVE = "curative"
    CORRECTIVE = "corrective"
    PREVENTIVE = "preventive"


class Decision(StrEnum):
    ACCEPTED = "accepted"
    PARTIALLY_ACCEPTED = "partially_accepted"
    REJECTED = "rejected"


class Complainant(Base):
    """The person: kept apart from the complaint's facts."""

    __tablename__ = "complainants"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    # For a customer without e-mail (email ""): where the letters go.
    postal_address: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2))
    anonymised_at: Mapped[datetime | None]


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_wake_at", "wake_at"),
        # Acknowledgements not yet accepted by the mail server, by promised time (the alert).
        Index(
            "ix_complaints_ack_pending",
            "acknowledgement_sent_at",
            "ack_alerted_at",
            "acknowledge_by",
        ),
        # The retention sweep: closed long ago and not yet anonymised.
        Index("ix_complaints_retention", "anonymised_at", "closed_at"),
        # Every dashboard filter with the period, and the recurrence of a product's cause.
        *(
            Index(f"ix_complaints_{name}_received", name, "received_at")
            for name in ("product", "region", "customer_type", "channel", "category")
        ),
        Index("ix_complaints_product_category_received", "product", "category", "received_at"),
        # The report reads a period's complaints many times: from this index alone, in order.
        Index(
            "ix_complaints_report",
            "received_at",
            "product",
            "region",
            "customer_type",
            "channel",
            "category",
            "severity",
            "state",
            "reviews_done",
            "escalation_level",
            "acknowledged_at",
            "acknowledge_by",
            "first_answered_at",
            "promised_answer_by",
            "answered_at",
            "answer_by",
            "survey_at",
            "consent_contact",
            "acknowledgement_sent_at",
            "first_answer_sent_at",
            "paused_at",
            "paused_days",
            "closure_reason",
            "closed_at",
            "reopened",
        ),
        # Open and overdue now, counted from the index alone.
        Index("ix_complaints_open", "state", "answered_at", "answer_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    tracking_token: Mapped[str] = mapped_column(String(64), unique=True)
    complainant_id: Mapped[int] = mapped_column(ForeignKey("complainants.id"))
    state: Mapped[State] = mapped_column(_enum(State), index=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    language: Mapped[str] = mapped_column(String(2))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    desired_outcome: Mapped[str] = mapped_column(Text, default="")
    product: Mapped[str] = mapped_column(String(80))
    region: Mapped[str] = mapped_column(String(80))
    customer_type: Mapped[str] = mapped_column(String(40))
    category: Mapped[str | None] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(16), default="normal")
    priority: Mapped[int] = mapped_column(default=3)
    founded: Mapped[bool | None]
    received_at: Mapped[datetime] = mapped_column(index=True)
    acknowledged_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    first_answered_at: Mapped[datetime | None]  # the promise is judged on the first answer
    closed_at: Mapped[datetime | None]
    acknowledge_by: Mapped[datetime]
    answer_by: Mapped[datetime]  # the answer owed now (a review sets a new one)
    promised_answer_by: Mapped[datetime | None]  # the first promise, by which the register judges
    refer_by: Mapped[datetime | None]  # past it, an answer still missing goes to the mediator
    # The promises this complaint was made, frozen when it was received.
    terms_id: Mapped[int | None] = mapped_column(ForeignKey("promise_terms.id"))
    # Kept means done: when the mail server accepted the acknowledgement and the first answer.
    acknowledgement_sent_at: Mapped[datetime | None]
    first_answer_sent_at: Mapped[datetime | None]
    ack_alerted_at: Mapped[datetime | None]  # the manager told the acknowledgement is late
    survey_at: Mapped[datetime | None]
    feedback_by: Mapped[datetime | None]
    wake_at: Mapped[datetime | None]
    escalation_level: Mapped[int] = mapped_column(default=0)
    reviews_done: Mapped[int] = mapped_column(default=0)
    mediator_key: Mapped[str | None] = mapped_column(String(40))
    closure_reason: Mapped[str | None] = mapped_column(String(40))
    needs_attention: Mapped[bool] = mapped_column(default=False)
    assignee: Mapped[str | None] = mapped_column(String(120), index=True)
    assignee_reminded_at: Mapped[datetime | None]  # reminded that the answer falls due soon
    mediation_outcome_at: Mapped[datetime | None]  # the mediator's outcome recorded
    # Information asked of the customer: the answer's clock stops from paused_at until it
    # comes; by info_due_by without it, the complaint closes. A reminder at info_remind_at.
    paused_at: Mapped[datetime | None]
    resume_state: Mapped[State | None] = mapped_column(_enum(State))  # where a pause goes back
    info_due_by: Mapped[datetime | None]
    info_remind_at: Mapped[datetime | None]
    paused_days: Mapped[int] = mapped_column(default=0)  # days excluded from the answer promise
    reopened: Mapped[int] = mapped_column(default=0)  # times reopened after closure
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    # Consent given at intake (GDPR art. 7): to be contacted for the satisfaction follow-up,
    # and to have one's identity and account shared with the mediator.
    consent_contact: Mapped[bool] = mapped_column(default=False)
    consent_share: Mapped[bool] = mapped_column(default=False)
    anonymised_at: Mapped[datetime | None]
    # The history's head, where a removed last event shows: how many events, the last one's
    # hash and time, and a keyed seal over them (chain.head_seal).
    chain_length: Mapped[int] = mapped_column(default=0)
    chain_last_hash: Mapped[str | None] = mapped_column(String(64))
    chain_last_at: Mapped[datetime | None]
    chain_head: Mapped[str | None] = mapped_column(String(64))

    complainant: Mapped[Complainant] = relationship(lazy="joined")
    events: Mapped[list[Event]] = relationship(order_by="Event.id", back_populates="complaint")


class Event(Base):
    """One intervention: who, when, what, why. Never updated, never deleted."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    at: Mapped[datetime]  # the time the event is about
    recorded_at: Mapped[datetime | None]  # when the system recorded it (before schema 0007: None)
    actor_kind: Mapped[str] = mapped_column(String(16))  # system, staff, customer, mediator
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str | None] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    customer_visible: Mapped[bool] = mapped_column(default=False)
    # Tamper evidence: an HMAC, under a key kept outside the database, of the previous event's
    # hash and this event's content. The seal covers the reason's digest, so an anonymisation
    # can erase the text (and mark the event redacted) without breaking the chain.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    reason_digest: Mapped[str | None] = mapped_column(String(64))
    redacted_at: Mapped[datetime | None]

    complaint: Mapped[Complaint] = relationship(back_populates="events")


class Analysis(Base):
    __tablename__ = "analyses"
    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    at: Mapped[datetime]
    analyst: Mapped[str] = mapped_column(String(120))
    automatic: Mapped[bool] = mapped_column(default=False)
    category: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(16))
    root_cause: Mapped[str] = mapped_column(Text, default="")
    founded: Mapped[bool | None]


class Action(Base):
    """A curative, corrective or preventive action, with an owner and a due date."""

    __tablename__ = "actions"
    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    kind: Mapped[ActionKind] = mapped_column(_enum(ActionKind))
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(120))
    due_on: Mapped[date] = mapped_column(Date)
    planned_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    # Corrective and preventive actions: did complaints of the same cause stop?
    checked_at: Mapped[datetime | None]
    effective: Mapped[bool | None]


class Response(Base):
    __tablename__ = "responses"
    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    at: Mapped[datetime]
    responder: Mapped[str] = mapped_column(String(120))
    decision: Mapped[Decision] = mapped_column(_enum(Decision))
    message: Mapped[str] = mapped_column(Text)


class Survey(Base):
    """One satisfaction survey per answer; its token makes the one-click links."""

    __tablename__ = "surveys"
    __table_args__ = (UniqueConstraint("complaint_id", "round"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    round: Mapped[int]
    token: Mapped[str] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    satisfied: Mapped[bool | None]
    comment: Mapped[str] = mapped_column(Text, default="")


class Escalation(Base):
    __tablename__ = "escalations"
    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    at: Mapped[datetime]
    level: Mapped[str] = mapped_column(String(16))  # manager, mediator
    reason: Mapped[str] = mapped_column(Text)
    mediator_key: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(Text)
    outcome_at: Mapped[datetime | None]


class RelatedComplaint(Base):
    """A link found by triage: same product and category within the window."""

    __tablename__ = "related_complaints"
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), primary_key=True)
    related_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(40))


# The tables apart, re-exported here where every table is found: the outbox, the staff, their
# sessions and the counters; those that prove what the others claim.
from complaints.models_mail import Attachment, InboundMessage, InboundOutcome  # noqa: E402
from complaints.models_ops import (  # noqa: E402
    IdempotencyKey,
    Medium,
    OutboxMessage,
    OutboxStatus,
    ReferenceCounter,
    StaffMember,
    StaffSession,
)
from complaints.models_proof import Checkpoint, Installation, PromiseTerms  # noqa: E402

__all__ = [
    "Attachment",
    "Checkpoint",
    "IdempotencyKey",
    "InboundMessage",
    "InboundOutcome",
    "Installation",
    "Medium",
    "OutboxMessage",
    "OutboxStatus",
    "PromiseTerms",
    "ReferenceCounter",
    "StaffMember",
    "StaffSession",
]

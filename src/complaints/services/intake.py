"""Receive a complaint: store it, its first Event and its deadlines, in one transaction."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from complaints import policy, repository
from complaints.app import App
from complaints.clock import at_or_now
from complaints.intake import Intake
from complaints.lifecycle import State
from complaints.models import Complainant, Complaint, IdempotencyKey
from complaints.services.errors import RuleViolation
from complaints.services.history import Actor, record, refresh_wake


@dataclass(frozen=True)
class Receipt:
    reference: str
    state: str
    acknowledge_by: datetime
    answer_by: datetime
    tracking_token: str


class IdempotencyConflict(RuleViolation):
    """The key was used before for a different complaint."""


def _request_hash(intake: Intake) -> str:
    return hashlib.sha256(intake.model_dump_json().encode()).hexdigest()


def receive(
    *, app: App, intake: Intake, at: datetime | None = None, idempotency_key: str | None = None
) -> Receipt:
    """Record a new complaint (once per idempotency key); the lifecycle flow acknowledges it."""
    at = at_or_now(at)
    if idempotency_key is not None:
        try:
            return _receive(app=app, intake=intake, at=at, idempotency_key=idempotency_key)
        except IntegrityError:  # the same key arrived twice at once: the other one won
            pass
        return _receive(app=app, intake=intake, at=at, idempotency_key=idempotency_key)
    return _receive(app=app, intake=intake, at=at, idempotency_key=None)


def _receipt(complaint: Complaint) -> Receipt:
    return Receipt(
        reference=complaint.reference,
        state=complaint.state.value,
        acknowledge_by=complaint.acknowledge_by,
        answer_by=complaint.answer_by,
        tracking_token=complaint.tracking_token,
    )


def _receive(*, app: App, intake: Intake, at: datetime, idempotency_key: str | None) -> Receipt:
    deadlines = policy.intake_deadlines(
        app.conduct, channel=intake.channel.value, severity="normal", received_at=at
    )
    with app.db.transaction() as session:
        if idempotency_key is not None:
            seen = session.get(IdempotencyKey, idempotency_key)
            if seen is not None:
                if seen.request_hash != _request_hash(intake):
                    raise IdempotencyConflict(
                        "this Idempotency-Key was used for a different complaint"
                    )
                return _receipt(repository.get(session=session, reference=seen.reference))
        person = Complainant(
            name=intake.name, email=str(intake.email), phone=intake.phone, language=intake.language
        )
        complaint = Complaint(
            reference=repository.allocate_reference(session=session, year=at.year),
            tracking_token=secrets.token_urlsafe(24),
            complainant=person,
            state=State.RECEIVED,
            channel=intake.channel,
            language=intake.language,
            subject=intake.subject,
            description=intake.description,
            desired_outcome=intake.desired_outcome,
            product=intake.product,
            region=intake.region,
            customer_type=intake.customer_type,
            consent_contact=intake.consent_contact,
            consent_share=intake.consent_share,
            received_at=at,
            acknowledge_by=deadlines.acknowledge_by,
            answer_by=deadlines.answer_by,
            promised_answer_by=deadlines.answer_by,
            escalation_level=0,
            reviews_done=0,
            severity="normal",
            priority=3,
            needs_attention=False,
        )
        refresh_wake(app.conduct, complaint)
        session.add(complaint)
        session.flush()
        record(
            session,
            complaint,
            at=at,
            actor=Actor("customer", "complainant"),
            action="received",
            reason=f"complaint received by {intake.channel.value}",
            data={
                "channel": intake.channel.value,
                "answer_by": deadlines.answer_by.isoformat(),
                "consent": {"contact": intake.consent_contact, "share": intake.consent_share},
            },
            visible=True,
            to_state=State.RECEIVED,
        )
        if idempotency_key is not None:
            session.add(
                IdempotencyKey(
                    key=idempotency_key,
                    request_hash=_request_hash(intake),
                    reference=complaint.reference,
                    created_at=at,
                )
            )
        return _receipt(complaint)

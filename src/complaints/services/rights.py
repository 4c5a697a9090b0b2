"""The data subject's rights (GDPR art. 15-17): access (export), rectification, erasure.
A person is found by e-mail address; every exercise of a right is an Event on each complaint."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from complaints.app import App
from complaints.clock import at_or_now
from complaints.errors import NotFound, RuleViolation
from complaints.intake import Rectification
from complaints.lifecycle import State
from complaints.models import (
    Action,
    Analysis,
    Attachment,
    Complainant,
    Complaint,
    Escalation,
    Event,
    OutboxMessage,
    OutboxStatus,
    Response,
    Survey,
)
from complaints.services.history import record
from complaints.services.privacy import anonymise
from complaints.services.staff import staff_actor


def _complaints(session: Session, email: str, *, lock: bool = False) -> list[Complaint]:
    query = (
        select(Complaint)
        .join(Complainant, Complainant.id == Complaint.complainant_id)
        .where(func.lower(Complainant.email) == email.strip().lower(), Complainant.email != "")
        .order_by(Complaint.id)
    )
    if lock:
        query = query.with_for_update(of=Complaint)
    found = list(session.scalars(query))
    if not found:
        raise NotFound("no personal data is held for this e-mail address")
    return found


def _plain(value: Any) -> Any:
    """A column's value as JSON: dates in ISO 8601, enums by value."""
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    return value.value if isinstance(value, Enum) else value


def _rows(session: Session, model: Any, complaint_id: int, *fields: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(model).where(model.complaint_id == complaint_id).order_by(model.id)
    )
    return [{f: _plain(getattr(row, f)) for f in fields} for row in rows]


def _complaint(session: Session, c: Complaint) -> dict[str, Any]:
    facts = [
        "reference",
        "channel",
        "language",
        "subject",
        "description",
        "desired_outcome",
        "product",
        "region",
        "customer_type",
        "category",
        "severity",
        "state",
        "received_at",
        "acknowledged_at",
        "answered_at",
        "closed_at",
        "answer_by",
        "consent_contact",
        "consent_share",
        "anonymised_at",
    ]
    return {
        **{f: _plain(getattr(c, f)) for f in facts},
        "answers": _rows(session, Response, c.id, "at", "decision", "message"),
        "analyses": _rows(session, Analysis, c.id, "at", "category", "root_cause", "founded"),
        "actions": _rows(session, Action, c.id, "kind", "description", "due_on", "done_at"),
        "surveys": _rows(session, Survey, c.id, "sent_at", "answered_at", "satisfied", "comment"),
        "escalations": _rows(session, Escalation, c.id, "at", "level", "reason", "outcome"),
        "emails": _rows(
            session, OutboxMessage, c.id, "kind", "recipient", "subject", "text_body", "sent_at"
        ),
        "attachments": _rows(
            session, Attachment, c.id, "filename", "content_type", "size", "source", "added_at"
        ),
        "history": _rows(session, Event, c.id, "at", "actor_kind", "actor", "action", "reason"),
    }


def export(*, app: App, email: str, actor: str, at: datetime | None = None) -> dict[str, Any]:
    """Everything held about the person with this e-mail address, as plain JSON-ready data."""
    at = at_or_now(at)
    with app.db.transaction() as session:
        staff = staff_actor(session, actor, at=at)
        complaints = _complaints(session, email)
        people = {c.complainant.id: c.complainant for c in complaints}
        data = {
            "exported_at": at.isoformat(),
            "controller": app.conduct.organisation.name,
            "people": [
                {"name": p.name, "email": p.email, "phone": p.phone, "language": p.language}
                for p in people.values()
            ],
            "complaints": [_complaint(session, c) for c in complaints],
        }
        for c in complaints:
            record(
                session,
                c,
                at=at,
                actor=staff,
                action="personal_data_exported",
                reason="access request of the data subject (GDPR art. 15)",
            )
        return data


def rectify(
    *, app: App, email: str, actor: str, correction: Rectification, at: datetime | None = None
) -> list[str]:
    """Correct the person's name, e-mail or phone on every complaint; the references touched.
    Pending e-mails follow the new address, and those the old one made the server refuse are
    sent again to the new one."""
    at = at_or_now(at)
    clean = correction.changes()
    if not clean:
        raise RuleViolation("nothing to rectify: give a name, an e-mail address or a phone number")
    with app.db.transaction() as session:
        staff = staff_actor(session, actor, at=at)
        complaints = _complaints(session, email, lock=True)
        for c in complaints:
            for field, value in clean.items():
                setattr(c.complainant, field, value)
            if "email" in clean or "name" in clean:
                for message in session.scalars(
                    select(OutboxMessage).where(
                        OutboxMessage.complaint_id == c.id,
                        OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.REJECTED)),
                        func.lower(OutboxMessage.recipient) == email.strip().lower(),
                    )
                ):
                    if message.status == OutboxStatus.REJECTED and "email" in clean:
                        # A new address: a new delivery, with its own attempts and give-up time.
                        message.status, message.next_attempt_at = OutboxStatus.PENDING, at
                        message.attempts, message.created_at = 0, at
                    message.recipient = clean.get("email", message.recipient)
                    message.recipient_name = clean.get("name", message.recipient_name)
            record(
                session,
                c,
                at=at,
                actor=staff,
                action="personal_data_rectified",
                reason="rectification requested by the data subject (GDPR art. 16)",
                data={"fields": sorted(clean)},
            )
        return [c.reference for c in complaints]


def erase(
    *, app: App, email: str, actor: str, reason: str = "", at: datetime | None = None
) -> list[str]:
    """Anonymise every complaint of this person (GDPR art. 17); refused, changing nothing,
    while one is still being handled. The references anonymised."""
    at = at_or_now(at)
    with app.db.transaction() as session:
        staff = staff_actor(session, actor, at=at)
        complaints = _complaints(session, email, lock=True)
        open_ = [c.reference for c in complaints if c.state != State.CLOSED]
        if open_:
            raise RuleViolation(
                f"{', '.join(open_)} still being handled: close it first "
                "(the answer and any mediation need the person's details)"
            )
        why = "erasure requested by the data subject (GDPR art. 17)"
        for c in complaints:
            anonymise(
                session,
                c,
                at=at,
                actor=staff,
                reason=f"{why}: {reason.strip()}" if reason.strip() else why,
            )
        return [c.reference for c in complaints]

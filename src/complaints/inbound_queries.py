"""What reached the complaints mailbox, for staff: the quarantine first (read models only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from complaints.models import Complaint, InboundMessage, InboundOutcome

# What a person should look at: kept, but neither taken as a complaint nor as a message.
FOR_STAFF = (InboundOutcome.QUARANTINED, InboundOutcome.CAPPED)


@dataclass(frozen=True)
class Arrived:
    id: int
    received_at: datetime
    source: str
    outcome: str
    reason: str
    sender: str
    reference: str | None
    size: int
    raw_sha256: str | None


def arrived(
    session: Session, *, outcomes: Sequence[str] = FOR_STAFF, limit: int = 100
) -> list[Arrived]:
    """The latest messages with these outcomes, newest first."""
    query = (
        select(InboundMessage, Complaint.reference)
        .outerjoin(Complaint, Complaint.id == InboundMessage.complaint_id)
        .where(InboundMessage.outcome.in_(list(outcomes)))
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
        .limit(limit)
    )
    return [
        Arrived(
            row.id,
            row.received_at,
            row.source,
            row.outcome,
            row.reason,
            row.sender,
            reference,
            row.size,
            row.raw_sha256,
        )
        for row, reference in session.execute(query)
    ]


def one(session: Session, inbound_id: int) -> InboundMessage | None:
    return session.get(InboundMessage, inbound_id)


def forget(*, session: Session, complaint_id: int) -> set[str]:
    """The complaint's received e-mails lose their sender and their original (with the
    person's data); the originals' digests, for the store to remove."""
    rows = list(
        session.scalars(select(InboundMessage).where(InboundMessage.complaint_id == complaint_id))
    )
    digests = {row.raw_sha256 for row in rows if row.raw_sha256}
    for row in rows:
        row.sender, row.raw_sha256 = "", None
    return digests

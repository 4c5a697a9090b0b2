"""What reached the complaints mailbox, for staff: the quarantine first (read models only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
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


def forget(*, session: Session, complaint_id: int, sender: str = "") -> set[str]:
    """The received e-mails of a complaint, and those its customer (`sender`) sent that no
    complaint took (an out-of-office, the quarantine), lose their sender and their original
    (with the person's data); the originals' digests, for the store to remove."""
    who = InboundMessage.complaint_id == complaint_id
    if sender:
        unclaimed = InboundMessage.complaint_id.is_(None)
        who = or_(who, and_(InboundMessage.sender == sender.lower(), unclaimed))
    rows = list(session.scalars(select(InboundMessage).where(who)))
    digests = {row.raw_sha256 for row in rows if row.raw_sha256}
    for row in rows:
        row.sender, row.raw_sha256 = "", None
    return digests


def by_message_ids(
    *, session: Session, message_ids: Sequence[str]
) -> dict[str, tuple[str, int | None]]:
    """Which of `message_ids` are e-mails we received: Message-ID -> (sender, complaint id)."""
    if not message_ids:
        return {}
    query = select(
        InboundMessage.message_id, InboundMessage.sender, InboundMessage.complaint_id
    ).where(InboundMessage.message_id.in_(list(message_ids)))
    return {str(row[0]): (str(row[1]), row[2]) for row in session.execute(query)}


def taken_lately(*, session: Session, sender: str, since: datetime) -> int:
    """How many of `sender`'s messages were taken (complaints, messages) since `since`."""
    query = (
        select(func.count())
        .select_from(InboundMessage)
        .where(
            InboundMessage.sender == sender,
            InboundMessage.received_at > since,
            InboundMessage.outcome.in_((InboundOutcome.NEW, InboundOutcome.MESSAGE)),
        )
    )
    return int(session.scalar(query) or 0)


def by_message_id(*, session: Session, message_id: str) -> InboundMessage | None:
    query = select(InboundMessage).where(InboundMessage.message_id == message_id[:300])
    return session.scalars(query).first()

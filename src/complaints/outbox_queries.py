"""The outbox's queries: which e-mails wait, and taking them for one sender (references and
rows only; the services own the transactions). Letters (medium post) are never an e-mail
sender's: they wait in the print tray (services/post.py) until a person posts them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, literal, select, union_all, update
from sqlalchemy.orm import Session, aliased

from complaints.models import Complaint, InboundMessage, Medium, OutboxMessage, OutboxStatus

EMAIL = OutboxMessage.medium == Medium.EMAIL


def with_pending_mail(*, session: Session, as_of: datetime, limit: int = 10_000) -> list[str]:
    """References with an e-mail waiting to be (re)sent (uses the outbox index)."""
    # Two indexed reads, not a DISTINCT over the join: SQLite plans that one as a scan of
    # every complaint or every e-mail (1.1 s a poll with 1M stored, bench/load.py).
    pending = session.scalars(
        select(OutboxMessage.complaint_id)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.next_attempt_at <= as_of,
            EMAIL,
        )
        .order_by(OutboxMessage.next_attempt_at)
        .limit(limit * 4)  # a complaint rarely has more than a few e-mails waiting
    )
    ids = [i for i in dict.fromkeys(pending) if i is not None][:limit]
    if not ids:
        return []
    return list(session.scalars(select(Complaint.reference).where(Complaint.id.in_(ids))))


def with_mail_due(*, session: Session, complaint_ids: Sequence[int], as_of: datetime) -> set[int]:
    """Which of these complaints have an e-mail waiting whose time has come."""
    found = set(
        session.scalars(
            select(OutboxMessage.complaint_id).where(
                OutboxMessage.complaint_id.in_(complaint_ids),
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= as_of,
                EMAIL,
            )
        )
    )
    return {i for i in found if i is not None}


def pending_messages(
    *, session: Session, complaint_ids: Sequence[int], due_at: datetime | None = None
) -> list[OutboxMessage]:
    """The e-mails of these complaints not yet sent; only those due by `due_at` if given."""
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.complaint_id.in_(complaint_ids),
            OutboxMessage.status == OutboxStatus.PENDING,
            EMAIL,
        )
        .order_by(OutboxMessage.id)
    )
    if due_at is not None:
        query = query.where(OutboxMessage.next_attempt_at <= due_at)
    return list(session.scalars(query))


def not_delivered(*, session: Session, complaint_id: int) -> list[OutboxMessage]:
    """The complaint's e-mails still pending, refused for good or bounced, oldest first."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.complaint_id == complaint_id,
                OutboxMessage.status.in_(
                    (OutboxStatus.PENDING, OutboxStatus.REJECTED, OutboxStatus.BOUNCED)
                ),
                EMAIL,
            )
            .order_by(OutboxMessage.id)
        )
    )


def undelivered(*, session: Session, complaint_id: int) -> bool:
    """Whether an e-mail of this complaint is still pending, was refused for good, or came
    back undelivered with no later e-mail of its kind delivered."""
    failed = select(OutboxMessage.id).where(
        OutboxMessage.complaint_id == complaint_id,
        OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.REJECTED)),
        EMAIL,
    )
    if session.execute(failed.limit(1)).first() is not None:
        return True
    later = aliased(OutboxMessage)
    delivered_since = (
        select(later.id)
        .where(
            later.complaint_id == complaint_id,
            later.kind == OutboxMessage.kind,
            later.id > OutboxMessage.id,
            later.status == OutboxStatus.SENT,
        )
        .exists()
    )
    bounced = select(OutboxMessage.id).where(
        OutboxMessage.complaint_id == complaint_id,
        OutboxMessage.status == OutboxStatus.BOUNCED,
        ~delivered_since,
    )
    return session.execute(bounced.limit(1)).first() is not None


def claim_messages(
    *, session: Session, message_ids: Sequence[int], until: datetime, as_of: datetime
) -> list[int]:
    """Take the pending messages no other sender holds; the ids taken."""
    if not message_ids:
        return []
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(message_ids),
            OutboxMessage.status == OutboxStatus.PENDING,
            EMAIL,
            (OutboxMessage.claimed_until.is_(None)) | (OutboxMessage.claimed_until < as_of),
        )
        .values(claimed_until=until)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(result.scalars())


def thread_of(*, session: Session, complaint_id: int, recipient: str) -> list[str]:
    """The Message-IDs of the conversation about a complaint with one address, oldest first:
    our e-mails sent, or to be sent before the next (never those cancelled, refused or
    returned), and the messages that address sent us about it (its complaint, its replies)."""
    ours = select(
        OutboxMessage.message_id,
        OutboxMessage.created_at.label("at"),
        literal(1).label("side"),
        OutboxMessage.id.label("n"),
    ).where(
        OutboxMessage.complaint_id == complaint_id,
        OutboxMessage.recipient == recipient,
        OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.SENT)),
    )
    theirs = select(
        InboundMessage.message_id,
        InboundMessage.received_at.label("at"),
        literal(0).label("side"),
        InboundMessage.id.label("n"),
    ).where(
        InboundMessage.complaint_id == complaint_id,
        InboundMessage.sender == recipient.lower(),
        InboundMessage.message_id.like("<%"),  # a digest stands for a message without one
    )
    rows = session.execute(union_all(ours, theirs).order_by("at", "side", "n"))
    return [str(row[0]) for row in rows]


def cancel_pending(*, session: Session, complaint_id: int) -> int:
    """Cancel the complaint's e-mails not yet sent (anonymised, withdrawn, merged); how many."""
    done = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.complaint_id == complaint_id,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .values(status=OutboxStatus.CANCELLED, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(done, "rowcount", 0) or 0)


def letters_waiting(
    *, session: Session, limit: int = 500
) -> list[tuple[int, str, str, datetime, str]]:
    """The letters not yet posted, oldest first: (id, reference, kind, created_at, name)."""
    query = (
        select(
            OutboxMessage.id,
            Complaint.reference,
            OutboxMessage.kind,
            OutboxMessage.created_at,
            OutboxMessage.recipient_name,
        )
        .join(Complaint, Complaint.id == OutboxMessage.complaint_id)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.medium == Medium.POST)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .limit(limit)
    )
    rows = session.execute(query)
    return [(r.id, r.reference, r.kind, r.created_at, r.recipient_name) for r in rows]


def letter(*, session: Session, letter_id: int, lock: bool = False) -> OutboxMessage | None:
    """The letter with this id (a message by post), locked for an update if asked; else None."""
    found = session.get(OutboxMessage, letter_id, with_for_update=lock)
    return found if found is not None and found.medium == Medium.POST else None


def latest(*, session: Session, complaint_id: int, kind: str) -> OutboxMessage | None:
    """The complaint's latest e-mail of `kind`."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.complaint_id == complaint_id, OutboxMessage.kind == kind)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def by_message_ids(
    *, session: Session, message_ids: Sequence[str]
) -> dict[str, tuple[str, int | None]]:
    """Which of `message_ids` are e-mails we wrote: Message-ID -> (kind, complaint id)."""
    if not message_ids:
        return {}
    query = select(OutboxMessage.message_id, OutboxMessage.kind, OutboxMessage.complaint_id).where(
        OutboxMessage.message_id.in_(list(message_ids))
    )
    return {str(row[0]): (str(row[1]), row[2]) for row in session.execute(query)}


def message_by_id(*, session: Session, message_id: str) -> OutboxMessage | None:
    """Our e-mail of this Message-ID, locked."""
    query = select(OutboxMessage).where(OutboxMessage.message_id == message_id)
    return session.scalars(query.with_for_update()).first()


def bounced_already(*, session: Session, message_id: int) -> bool:
    """Whether our e-mail `message_id` (the row's id) came back undelivered; the row locked."""
    query = select(OutboxMessage.status).where(OutboxMessage.id == message_id)
    return session.scalar(query.with_for_update()) == OutboxStatus.BOUNCED


def failing_since(*, session: Session, since: datetime) -> datetime | None:
    """When the oldest e-mail still waiting after a failed attempt was written, if that was
    before `since` and the mail server has accepted no e-mail after it. One address that
    refuses, while the others' mail goes, is not it."""
    oldest = session.scalar(
        select(func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.attempts > 0, EMAIL
        )
    )
    if oldest is None or oldest > since:
        return None
    accepted = session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.sent_at > since, EMAIL).limit(1)
    )
    return None if accepted is not None else oldest

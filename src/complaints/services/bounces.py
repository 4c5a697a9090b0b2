"""An e-mail of ours returned undelivered (a delivery status notification, RFC 3464): marked
bounced, its complaint flagged for a person, and the promise it carried no longer counted as
kept (an acknowledgement nobody received acknowledged nothing)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from complaints import repository
from complaints.mail.inbound import Bounce
from complaints.models import Complaint, OutboxMessage, OutboxStatus
from complaints.services.delivery import KEEPS
from complaints.services.history import SYSTEM, record


def returned(session: Session, bounce: Bounce, at: datetime) -> tuple[str, int | None]:
    """Apply `bounce` to the e-mail it names; what was done, in words, and its complaint."""
    if not bounce.permanent:
        return f"delivery delayed ({bounce.status or 'no status'}): nothing to do yet", None
    message = (
        session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.message_id == bounce.original)
            .with_for_update()
        )
        if bounce.original
        else None
    )
    if message is None:
        return "a delivery failure about no e-mail of ours", None
    if message.status == OutboxStatus.BOUNCED:
        return f"{message.kind} e-mail already marked bounced", message.complaint_id
    message.status = OutboxStatus.BOUNCED
    message.last_error = f"returned undelivered: {bounce.status or 'no status'}"[:1000]
    if message.complaint_id is None:
        return f"{message.kind} e-mail returned undelivered", None
    repository.lock(session=session, complaint_id=message.complaint_id)
    complaint = session.get_one(Complaint, message.complaint_id)
    complaint.needs_attention = True
    kept = KEEPS.get(message.kind)
    # Only the e-mail that kept the promise unkeeps it (one not yet marked sent kept nothing).
    sent_at = message.sent_at
    unkept = kept is not None and sent_at is not None and getattr(complaint, kept.key) == sent_at
    if kept is not None and unkept:
        session.execute(
            update(Complaint)
            .where(Complaint.id == complaint.id)
            .values({kept: None})
            .execution_options(synchronize_session="fetch")
        )
    record(
        session,
        complaint,
        at=at,
        actor=SYSTEM,
        action="email_bounced",
        reason=f"{message.kind} e-mail returned undelivered ({bounce.status or 'no status'})",
        # The status code only: a server's diagnostic may quote the address.
        data={
            "kind": message.kind,
            "message_id": message.message_id,
            "status": bounce.status[:20],
            "unkept": unkept,
        },
    )
    return f"{message.kind} e-mail returned undelivered ({bounce.status})", complaint.id

"""The print tray: the letters to customers without e-mail, printed and posted by a person.
A letter is "sent" when it is marked posted: its promise (acknowledgement, answer) is kept
that day, as an e-mail's is when the mail server accepts it."""

from __future__ import annotations

from datetime import datetime

from complaints import outbox_queries
from complaints.app import App
from complaints.clock import at_or_now
from complaints.dates import local_day
from complaints.errors import Conflict, NotFound
from complaints.mail.compose import tracking_url
from complaints.mail.letters import Letter, letter_pdf
from complaints.models import Complaint, OutboxMessage, OutboxStatus
from complaints.read_models import Moment, _Read
from complaints.services.delivery import CUSTOMER_KINDS, keep_promise
from complaints.services.history import record
from complaints.services.staff import staff_actor


class WaitingLetter(_Read):
    """A letter in the tray: what to print, never what it says."""

    id: int
    reference: str
    kind: str
    created_at: Moment
    name: str


class PostedLetter(_Read):
    id: int
    reference: str
    kind: str
    posted_at: Moment


def tray(*, app: App, limit: int = 500) -> list[WaitingLetter]:
    """The letters waiting to be printed and posted, oldest first."""
    with app.db.reader() as session:
        return [
            WaitingLetter(id=i, reference=reference, kind=kind, created_at=created, name=name)
            for i, reference, kind, created, name in outbox_queries.letters_waiting(
                session=session, limit=limit
            )
        ]


def _unknown(letter_id: int) -> NotFound:
    return NotFound(f"no letter {letter_id} (see `complaints post list`)")


def pdf(*, app: App, letter_id: int) -> bytes:
    """The letter as an A4 PDF, addressed to where the customer lives now; dated the day it
    was written, in the complaint's language."""
    with app.db.reader() as session:
        message = outbox_queries.letter(session=session, letter_id=letter_id)
        if message is None or message.complaint_id is None:
            raise _unknown(letter_id)
        complaint = session.get_one(Complaint, message.complaint_id)
        org = app.conduct.organisation
        letter = Letter(
            lang=complaint.language,
            organisation=org.name,
            organisation_address=org.postal_address,
            name=message.recipient_name or complaint.complainant.name,
            postal_address=complaint.complainant.postal_address or "",
            dated=local_day(message.created_at, org.timezone),
            subject=message.subject,
            reference=complaint.reference,
            tracking_url=tracking_url(app, complaint),
            html_body=message.html_body,
        )
    return letter_pdf(app.settings.home / "templates", letter)


def mark_posted(*, app: App, letter_id: int, by: str, at: datetime | None = None) -> PostedLetter:
    """Record that member `by` posted the letter at `at` (now by default): the letter sent,
    an event in the complaint's history (the customer sees it for their letters), and the
    promise it carries kept, in one transaction. A letter posted or cancelled is refused."""
    at = at_or_now(at)
    with app.db.transaction() as session:
        actor = staff_actor(session, by, at=at)
        message = outbox_queries.letter(session=session, letter_id=letter_id, lock=True)
        if message is None or message.complaint_id is None:
            raise _unknown(letter_id)
        _require_waiting(message)
        complaint = session.get_one(Complaint, message.complaint_id)
        posted = record(
            session,
            complaint,
            at=at,
            actor=actor,
            action="letter_posted",
            reason=f"{message.kind} letter posted",
            visible=message.kind in CUSTOMER_KINDS,
            data={"kind": message.kind, "letter": message.id},
        )
        message.status, message.sent_at, message.claimed_until = OutboxStatus.SENT, posted, None
        keep_promise(session, complaint.id, message.kind, at=posted)
        return PostedLetter(
            id=message.id, reference=complaint.reference, kind=message.kind, posted_at=posted
        )


def _require_waiting(message: OutboxMessage) -> None:
    if message.status == OutboxStatus.SENT:
        assert message.sent_at is not None
        raise Conflict(f"letter {message.id} was already posted ({message.sent_at:%Y-%m-%d})")
    if message.status != OutboxStatus.PENDING:
        raise Conflict(f"letter {message.id} is {message.status}: it is not to be posted")

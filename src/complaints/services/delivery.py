"""Send what the outbox holds: claim, send, mark; a failure stays pending, never lost."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update

from complaints import repository
from complaints.app import App
from complaints.clock import at_or_now
from complaints.mail.sender import HeaderInjection, build_message
from complaints.models import Complaint, OutboxMessage
from complaints.services.history import SYSTEM, record, recorded_time

# Attempts after which the complaint is flagged for a person (the task's own retries first).
FLAG_AFTER = 3
CUSTOMER_KINDS = {"acknowledgement", "answer", "survey", "review", "mediator_referral", "closure"}
# Kept means done: a promise to write is kept when the mail server accepts the e-mail.
KEEPS = {
    "acknowledgement": Complaint.acknowledgement_sent_at,
    "answer": Complaint.first_answer_sent_at,
}


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.failed


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 360))


def _mark_sent(app: App, message: OutboxMessage, at: datetime, *, flagged: bool) -> None:
    """One transaction per message, so that a crash resends at most the one in flight: the
    mark, the event (the chain's head read and moved on), the promise kept for an
    acknowledgement or an answer, and two more when the complaint was flagged for its e-mails
    (only a failed e-mail flags it). It is dated when the server accepted it."""
    with app.db.transaction() as session:
        attempts = message.attempts + 1
        accepted = recorded_time(session, at)
        if message.complaint_id is not None:
            accepted = record(
                session,
                message.complaint_id,
                at=accepted,
                actor=SYSTEM,
                action="email_sent",
                reason=f"{message.kind} e-mail accepted by the mail server",
                visible=message.kind in CUSTOMER_KINDS,
                data={"kind": message.kind, "message_id": message.message_id, "attempts": attempts},
            )
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id)
            .values(status="sent", sent_at=accepted, claimed_until=None, attempts=attempts)
            .execution_options(synchronize_session=False)
        )
        if message.complaint_id is None:  # organisation mail (the monthly review): no history
            return
        kept = KEEPS.get(message.kind)
        if kept is not None:
            session.execute(
                update(Complaint)
                .where(Complaint.id == message.complaint_id, kept.is_(None))
                .values({kept: accepted})
                .execution_options(synchronize_session=False)
            )
        if flagged:
            session.flush()
            if not repository.pending_messages(
                session=session, complaint_ids=[message.complaint_id]
            ):
                session.get_one(Complaint, message.complaint_id).needs_attention = False


def _mark_failed(app: App, message_id: int, at: datetime, error: str, *, permanent: bool) -> None:
    with app.db.transaction() as session:
        message = session.get_one(OutboxMessage, message_id)
        message.attempts += 1
        message.claimed_until = None
        message.last_error = error[:1000]
        message.next_attempt_at = at + _backoff(message.attempts)
        if permanent:
            message.status = "rejected"
        if message.complaint_id is None:
            return
        complaint = session.get_one(Complaint, message.complaint_id)
        if (permanent or message.attempts >= FLAG_AFTER) and not complaint.needs_attention:
            complaint.needs_attention = True
            record(
                session,
                complaint,
                at=at,
                actor=SYSTEM,
                action="email_delayed",
                reason=f"{message.kind} e-mail not accepted after {message.attempts} attempts",
                # The kind of error only: an SMTP reply may quote the address.
                data={"kind": message.kind, "error": error.split(":", 1)[0][:80]},
            )


@dataclass(frozen=True)
class _Claimed:
    message: OutboxMessage
    reference: str
    flagged: bool  # its complaint waits on a person because of its e-mails


def _claim(app: App, references: list[str], *, organisation: bool) -> list[_Claimed]:
    """The pending messages of these complaints (or the organisation's own), claimed for the
    lease in one transaction."""
    with app.db.transaction() as session:
        if organisation:
            complaints: dict[int | None, tuple[str, bool]] = {None: ("organisation", False)}
            pending = list(
                session.scalars(
                    select(OutboxMessage).where(
                        OutboxMessage.complaint_id.is_(None), OutboxMessage.status == "pending"
                    )
                )
            )
        else:
            rows = session.execute(
                select(Complaint.id, Complaint.reference, Complaint.needs_attention).where(
                    Complaint.reference.in_(references)
                )
            )
            complaints = {row.id: (row.reference, row.needs_attention) for row in rows}
            repository.require(references, found={ref for ref, _ in complaints.values()})
            pending = repository.pending_messages(
                session=session, complaint_ids=[i for i in complaints if i]
            )
        clock = at_or_now(None)  # leases are real time, whatever `at` a replay uses
        taken = set(
            repository.claim_messages(
                session=session,
                message_ids=[m.id for m in pending],
                until=clock + timedelta(seconds=app.settings.delivery_lease_seconds),
                as_of=clock,
            )
        )
        return [_Claimed(m, *complaints[m.complaint_id]) for m in pending if m.id in taken]


async def deliver(
    *, app: App, references: list[str], at: datetime | None = None, organisation: bool = False
) -> DeliveryReport:
    """Send the pending e-mails of these complaints (or the organisation's own, such as the
    monthly review), each marked sent as soon as it is accepted."""
    at = at_or_now(at)
    report = DeliveryReport()
    claimed_messages = _claim(app, references, organisation=organisation)
    if not claimed_messages:
        return report
    async with app.sender.connect() as connection:
        for claimed in claimed_messages:
            message, reference = claimed.message, claimed.reference
            try:
                await connection.send(build_message(message, mail_from=app.settings.mail_from))
            except HeaderInjection as exc:
                _mark_failed(app, message.id, at, str(exc), permanent=True)
                report.failed.append(reference)
            except Exception as exc:  # any refusal or fault of the mail system: retried later
                _mark_failed(app, message.id, at, f"{type(exc).__name__}: {exc}", permanent=False)
                report.failed.append(reference)
            else:
                _mark_sent(app, message, at, flagged=claimed.flagged)
                report.sent += 1
    return report

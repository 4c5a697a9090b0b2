"""Send what the outbox holds: claim, send, mark; a failure stays pending, never lost."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from time import monotonic

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from complaints import outbox_queries, repository
from complaints.app import App
from complaints.clock import at_or_now
from complaints.mail.faults import Fault, classify, summary
from complaints.mail.sender import build_message
from complaints.models import Complaint, OutboxMessage, OutboxStatus
from complaints.services.history import SYSTEM, record, recorded_time
from complaints.settings import Settings

# Attempts after which the complaint is flagged for a person (the task's own retries first).
FLAG_AFTER = 3
CUSTOMER_KINDS = {
    "acknowledgement",
    "answer",
    "survey",
    "review",
    "mediator_referral",
    "closure",
    "information_request",
    "information_reminder",
    "reopened",
    "unmerged",
}
# Kept means done: a promise to write is kept when the mail server accepts the e-mail, or
# when the letter is marked posted (services/post.py).
KEEPS = {
    "acknowledgement": Complaint.acknowledgement_sent_at,
    "answer": Complaint.first_answer_sent_at,
}


@dataclass
class DeliveryReport:
    sent: int = 0
    # reference -> the kinds of its e-mails accepted (what Prefect's event feed says of them)
    kinds: dict[str, list[str]] = field(default_factory=dict)
    # reference -> what went wrong, in words that carry no personal data (kind, error, code)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.failed


def backoff(settings: Settings, attempts: int) -> timedelta:
    """How long a message waits after its `attempts`-th failure (the last delay repeats)."""
    delays = settings.delivery_backoff_seconds
    return timedelta(seconds=delays[min(attempts, len(delays)) - 1])


def _mark_sent(app: App, message: OutboxMessage, at: datetime, *, flagged: bool) -> None:
    """One transaction per message, so that a crash resends at most the one in flight: the
    mark, the event (the chain's head read and moved on), the promise kept for an
    acknowledgement or an answer, and two more when the complaint was flagged for its e-mails
    (only a failed e-mail flags it). It is dated when the server accepted it."""
    with app.db.transaction() as session:
        if outbox_queries.bounced_already(session=session, message_id=message.id):
            return  # its bounce came back before this mark: it kept no promise
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
            .values(
                status=OutboxStatus.SENT, sent_at=accepted, claimed_until=None, attempts=attempts
            )
            .execution_options(synchronize_session=False)
        )
        if message.complaint_id is None:  # organisation mail (the monthly review): no history
            return
        keep_promise(session, message.complaint_id, message.kind, at=accepted)
        if flagged and not outbox_queries.undelivered(
            session=session, complaint_id=message.complaint_id
        ):
            session.get_one(Complaint, message.complaint_id).needs_attention = False


def keep_promise(session: Session, complaint_id: int, kind: str, *, at: datetime) -> None:
    """The promise an acknowledgement or an answer carries, kept at `at` (its first only)."""
    kept = KEEPS.get(kind)
    if kept is not None:
        session.execute(
            update(Complaint)
            .where(Complaint.id == complaint_id, kept.is_(None))
            .values({kept: at})
            .execution_options(synchronize_session=False)
        )


def _give_up(app: App) -> timedelta:
    return timedelta(hours=app.settings.delivery_give_up_hours)


def _mark_failed(app: App, message_id: int, at: datetime, error: str, *, fault: Fault) -> str:
    """Take the message out of this round: refused for good, or pending until its backoff has
    passed; its complaint flagged for a person when refused or failing again and again. What
    went wrong, in words without personal data."""
    with app.db.transaction() as session:
        message = session.get_one(OutboxMessage, message_id)
        # As relays do: what is still not accepted after the give-up time is given up.
        given_up = fault is not Fault.REFUSED and at - message.created_at >= _give_up(app)
        refused = fault is Fault.REFUSED or given_up
        message.attempts += 1
        message.claimed_until = None
        message.last_error = error[:1000]
        message.next_attempt_at = at + backoff(app.settings, message.attempts)
        if refused:
            message.status = OutboxStatus.REJECTED
        kind, attempts, retry = message.kind, message.attempts, message.next_attempt_at
        if message.complaint_id is not None:
            complaint = session.get_one(Complaint, message.complaint_id)
            if refused or (attempts >= FLAG_AFTER and not complaint.needs_attention):
                complaint.needs_attention = True
                record(
                    session,
                    complaint,
                    at=at,
                    actor=SYSTEM,
                    action="email_rejected" if refused else "email_delayed",
                    reason=f"{kind} e-mail {_outcome(refused, given_up, attempts)}",
                    # The kind of error only: an SMTP reply may quote the address.
                    data={"kind": kind, "error": error.split(":", 1)[0][:80]},
                )
    cause = error.split(":", 1)[0]
    if refused:
        return f"{kind} e-mail {_outcome(refused, given_up, attempts)} ({cause})"
    return (
        f"{kind} e-mail not accepted ({cause}), attempt {attempts}, next after {retry:%H:%M:%S} UTC"
    )


def _outcome(refused: bool, given_up: bool, attempts: int) -> str:
    if given_up:
        return f"given up after {attempts} attempts over the time a relay keeps trying"
    if refused:
        return "refused by the mail server for good"
    return f"not accepted after {attempts} attempts"


def _not_tried(app: App, rest: list[_Claimed], at: datetime, cause: str) -> dict[str, str]:
    """Messages a server failure kept from being tried: no attempt counted, no flag; tried
    again after the first backoff, when the server may be back."""
    if not rest:
        return {}
    retry = at + backoff(app.settings, 1)
    with app.db.transaction() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([claimed.message.id for claimed in rest]))
            .values(claimed_until=None, next_attempt_at=retry)
            .execution_options(synchronize_session=False)
        )
    why = f"{{}} e-mail not tried ({cause}); next after {retry:%H:%M:%S} UTC"
    return {claimed.reference: why.format(claimed.message.kind) for claimed in rest}


@dataclass(frozen=True)
class _Claimed:
    message: OutboxMessage
    reference: str
    flagged: bool  # its complaint waits on a person because of its e-mails


def _claim(app: App, references: list[str], *, organisation: bool, at: datetime) -> list[_Claimed]:
    """The pending messages of these complaints (or the organisation's own) whose backoff has
    passed at `at`, claimed for the lease in one transaction."""
    with app.db.transaction() as session:
        if organisation:
            complaints: dict[int | None, tuple[str, bool]] = {None: ("organisation", False)}
            pending = list(
                session.scalars(
                    select(OutboxMessage).where(
                        OutboxMessage.complaint_id.is_(None),
                        OutboxMessage.status == OutboxStatus.PENDING,
                        OutboxMessage.next_attempt_at <= at,
                        outbox_queries.EMAIL,
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
            pending = outbox_queries.pending_messages(
                session=session, complaint_ids=[i for i in complaints if i], due_at=at
            )
        clock = at_or_now(None)  # leases are real time, whatever `at` a replay uses
        taken = set(
            outbox_queries.claim_messages(
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
    monthly review) whose time has come, each marked sent as soon as it is accepted.

    One message's failure costs only that message: it is taken out with its own backoff and
    the others go on, nobody waits in line behind a retry. When the server itself fails (down,
    timing out, refusing our sender), the rest are not tried: each waits for its backoff."""
    at = at_or_now(at)
    report = DeliveryReport()
    # The database work and the MIME building run in a worker thread: the event loop that
    # awaits the SMTP server may also be serving the web (`complaints serve`).
    off_loop = asyncio.to_thread
    claimed_messages = await off_loop(_claim, app, references, organisation=organisation, at=at)
    if not claimed_messages:
        return report
    limit = app.settings.smtp_timeout_seconds * 3  # a whole send; each command has its own
    # Never start a send under a lease about to run out: another sender could take the message.
    lease = app.settings.delivery_lease_seconds
    lease_left = monotonic() + lease - min(limit, lease / 2)
    async with app.sender.connect() as connection:
        for index, claimed in enumerate(claimed_messages):
            message, reference = claimed.message, claimed.reference
            if monotonic() > lease_left:
                rest = claimed_messages[index:]
                report.failed.update(await off_loop(_not_tried, app, rest, at, "the lease ran out"))
                break
            try:
                email = await off_loop(
                    build_message,
                    message,
                    mail_from=app.settings.mail_from,
                    reply_to=app.settings.reply_to,
                )
                async with asyncio.timeout(limit):
                    await connection.send(email)
            except Exception as error:  # any refusal or fault of the mail system
                fault, what = classify(error), f"{summary(error)}: {error}"
                report.failed[reference] = await off_loop(
                    _mark_failed, app, message.id, at, what, fault=fault
                )
                if fault is Fault.SERVER:  # the others are not tried, and not charged for it
                    rest = claimed_messages[index + 1 :]
                    cause = f"the mail server failed: {summary(error)}"
                    report.failed.update(await off_loop(_not_tried, app, rest, at, cause))
                    break
            else:
                await off_loop(_mark_sent, app, message, at, flagged=claimed.flagged)
                report.sent += 1
                report.kinds.setdefault(reference, []).append(message.kind)
    return report

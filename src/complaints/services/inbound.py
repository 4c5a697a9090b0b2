"""Take one e-mail that reached the complaints mailbox, exactly once: its Message-ID (or a
digest of its bytes) is unique in `inbound_messages`, written in the transaction that does what
the message asks. A reply lands on its complaint as a customer message; a new complaint is
received like any other (channel e-mail, the sender as contact); a bounce marks the e-mail it
returns; automatic mail is kept and never answered. Whatever cannot be read or taken is kept
in the quarantine with the reason, and nothing else is written (bad mail changes nothing)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from complaints import files, inbound_queries, repository
from complaints.app import App
from complaints.clock import at_or_now
from complaints.conduct import Terms
from complaints.errors import NotFound, Refusal
from complaints.mail import inbound
from complaints.mail.addresses import address_of, message_domain
from complaints.mail.reading import Unreadable, read_content
from complaints.models import Complaint, InboundMessage, InboundOutcome
from complaints.services import bounces, inbound_complaint, messages, threads
from complaints.services import terms as promises

# Why a message was kept and not taken: a key, the words in both languages on the staff page
# (templates/web/strings.toml [*.inbox.why]), and a detail that is no one's personal data.
WHY = (
    "too_large",
    "too_large_to_download",
    "unreadable",
    "automatic",
    "capped",
    "empty_reply",
    "erased",
    "stranger",
    "staff_reply",
    "merged_other",
    "only_files",
    "empty",
    "invalid",
    "unexpected",
)


@dataclass(frozen=True)
class Taken:
    outcome: InboundOutcome
    inbound_id: int
    reference: str | None  # the complaint it landed on, if any
    reason: str = ""
    again: bool = False  # taken before: nothing done this time


class _Quarantine(Exception):
    def __init__(self, code: str, detail: str = "", complaint_id: int | None = None) -> None:
        super().__init__(because(code, detail))
        self.complaint_id = complaint_id


def because(code: str, detail: str = "") -> str:
    """The reason as kept: `code: detail`."""
    assert code in WHY, code
    return f"{code}: {detail}" if detail else code


def take(app: App, raw: bytes, *, source: str, at: datetime | None = None) -> Taken:
    """Do what the message `raw` asks, once; `source`: imap, lmtp, smtp, file."""
    at = at_or_now(at)
    key = f"sha256:{hashlib.sha256(raw).hexdigest()}"
    if len(raw) > app.settings.inbound_max_bytes:
        limit = f"{app.settings.inbound_max_bytes / 1_000_000:.0f} MB"
        return _keep(app, key, "", at, source, raw, because("too_large", limit))
    settings = app.settings
    own = frozenset({address_of(settings.mail_from), address_of(settings.reply_to)}) - {""}
    try:
        domains = frozenset({message_domain(settings.mail_from)})
        found = inbound.read(raw, domains=domains, own_addresses=own)
    except Exception as error:  # headers no parser could read
        return _keep(app, key, "", at, source, raw, because("unreadable", type(error).__name__))
    before = _taken_before(app, found.message_id)
    if before is not None:
        return before
    stored = files.put(raw, under=files.store(settings))  # the record, before anything names it
    current = promises.current(app)  # read first: a new complaint needs them
    complaint_id = None
    try:
        with app.db.transaction() as session:
            row = _row(found.message_id, found.sender, at, source, stored, len(raw), found.why)
            session.add(row)
            session.flush()  # a second taker of the same message stops here
            _do(session, app, found, raw, row, at, current)
            return Taken(InboundOutcome(row.outcome), row.id, _reference(session, row), row.reason)
    except IntegrityError:
        again = _taken_before(app, found.message_id)
        if again is None:
            raise
        return again
    except _Quarantine as error:
        why, complaint_id = str(error), error.complaint_id
    except Unreadable as error:
        why = because("unreadable", str(error))
    except Refusal as error:
        why = because("invalid", str(error))
    except ValidationError as error:
        why = because("invalid", ".".join(str(p) for p in error.errors()[0]["loc"]))
    except (SQLAlchemyError, OSError):
        raise  # the database or the disk, not the message: taken again on the next try
    except Exception as error:  # a message no rule foresaw: kept for a person, never a crash
        why = because("unexpected", type(error).__name__)
    return _keep(app, found.message_id, found.sender, at, source, raw, why, complaint_id)


def _do(
    session: Session,
    app: App,
    found: inbound.Inbound,
    raw: bytes,
    row: InboundMessage,
    at: datetime,
    current: tuple[int, Terms],
) -> None:
    """What the message asks, in the caller's transaction; the row says what was done."""
    if found.kind is inbound.Kind.AUTOMATIC:
        row.outcome, row.reason = InboundOutcome.IGNORED, because("automatic", found.why)
        row.complaint_id = threads.complaint_of(session, found)
        return
    if found.kind is inbound.Kind.BOUNCE:
        assert found.bounce is not None
        row.outcome = InboundOutcome.BOUNCE
        row.reason, row.complaint_id = bounces.returned(session, found.bounce, at)
        return
    since = at - timedelta(hours=24)
    if inbound_queries.taken_lately(session=session, sender=found.sender, since=since) >= (
        app.settings.inbound_daily_cap
    ):
        row.outcome = InboundOutcome.CAPPED
        row.reason = because("capped", str(app.settings.inbound_daily_cap))
        row.complaint_id = threads.complaint_of(session, found)
        return
    content = read_content(raw)
    try:
        complaint = threads.about(session, found)
    except threads.NotTheCustomers as refused:
        found_id = repository.find(session=session, reference=refused.reference)
        complaint_id = found_id.id if found_id else None
        raise _Quarantine(refused.code, refused.reference, complaint_id) from None
    if complaint is None:
        try:
            new = inbound_complaint.receive(session, app, found, content, at, current)
        except inbound_complaint.Empty as empty:
            raise _Quarantine(str(empty)) from None
        messages.store_files(
            session, app, new, content.files, at=at, source="email", inbound_id=row.id
        )
        row.outcome, row.complaint_id = InboundOutcome.NEW, new.id
        return
    text = content.new_text()
    if not text and not content.files:
        raise _Quarantine("empty_reply", complaint.reference, complaint.id)
    received = messages.receive(
        session,
        app,
        complaint,
        text=text or "(pièces jointes)",
        at=at,
        source="email",
        current=current,
        files=content.files,
        inbound_id=row.id,
    )
    row.outcome, row.reason = InboundOutcome.MESSAGE, f"{found.why}: {received.did}"
    row.complaint_id = repository.get(session=session, reference=received.reference).id


def _row(
    message_id: str, sender: str, at: datetime, source: str, raw: str | None, size: int, why: str
) -> InboundMessage:
    return InboundMessage(
        message_id=message_id[:300],
        received_at=at,
        source=source,
        outcome=InboundOutcome.QUARANTINED,
        reason=why[:2000],
        sender=sender[:254],
        raw_sha256=raw,
        size=size,
    )


def _reference(session: Session, row: InboundMessage) -> str | None:
    if row.complaint_id is None:
        return None
    return session.get_one(Complaint, row.complaint_id).reference


def _taken_before(app: App, message_id: str) -> Taken | None:
    with app.db.reader() as session:
        row = inbound_queries.by_message_id(session=session, message_id=message_id)
        if row is None:
            return None
        outcome = InboundOutcome(row.outcome)
        return Taken(outcome, row.id, _reference(session, row), row.reason, again=True)


def too_large(app: App, key: str, size: int, at: datetime | None = None) -> Taken:
    """A message too large to download, quarantined by `key` (where it is in the mailbox) and
    its size; the original stays in the mailbox's processed folder."""
    why = because("too_large_to_download", f"{size / 1_000_000:.0f} MB")
    return _keep(app, key, "", at_or_now(at), "imap", None, why, size=size)


def _keep(
    app: App,
    message_id: str,
    sender: str,
    at: datetime,
    source: str,
    raw: bytes | None,
    why: str,
    complaint_id: int | None = None,
    *,
    size: int = 0,
) -> Taken:
    """Keep the message in the quarantine with the reason (and the complaint it names, so
    that it goes with that complaint's personal data), and nothing else."""
    before = _taken_before(app, message_id)
    if before is not None:
        return before
    stored = files.put(raw, under=files.store(app.settings)) if raw is not None else None
    with app.db.transaction() as session:
        row = _row(message_id, sender, at, source, stored, len(raw) if raw else size, why)
        row.complaint_id = complaint_id
        session.add(row)
        session.flush()
        return Taken(InboundOutcome.QUARANTINED, row.id, _reference(session, row), row.reason)


def retake(app: App, inbound_id: int, at: datetime | None = None) -> Taken:
    """Take a message of the quarantine again, from its original (after the cause was fixed:
    the limits, the code of conduct's lists, a fault); what it does now."""
    with app.db.transaction() as session:
        row = session.get(InboundMessage, inbound_id)
        if row is None or row.outcome != InboundOutcome.QUARANTINED or row.raw_sha256 is None:
            raise NotFound(f"no message {inbound_id} with its original in the quarantine")
        raw, source = files.read(row.raw_sha256, under=files.store(app.settings)), row.source
        session.delete(row)
    return take(app, raw, source=source, at=at)

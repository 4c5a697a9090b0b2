"""Take one e-mail that reached the complaints mailbox, exactly once: its Message-ID (or a
digest of its bytes) is unique in `inbound_messages`, written in the transaction that does what
the message asks. A reply lands on its complaint as a customer message; a new complaint is
received like any other (channel e-mail, the sender as contact); a bounce marks the e-mail it
returns; automatic mail is kept and never answered. Whatever cannot be read or taken is kept
in the quarantine with the reason, and nothing else is written (bad mail changes nothing)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from complaints import files, repository
from complaints.app import App
from complaints.clock import at_or_now
from complaints.conduct import Terms
from complaints.errors import FileRefused, Refusal
from complaints.intake import Intake
from complaints.mail import inbound
from complaints.mail.reading import Content, Unreadable, read_content
from complaints.models import Channel, Complaint, InboundMessage, InboundOutcome
from complaints.services import bounces, messages
from complaints.services import intake as receiving
from complaints.services import terms as promises

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NO_SUBJECT = {"fr": "(sans objet)", "en": "(no subject)"}
COUNTED = (InboundOutcome.NEW, InboundOutcome.MESSAGE)  # what the per-sender cap counts


@dataclass(frozen=True)
class Taken:
    outcome: InboundOutcome
    inbound_id: int
    reference: str | None  # the complaint it landed on, if any
    reason: str = ""
    again: bool = False  # taken before: nothing done this time


class _Quarantine(Exception):
    """The message cannot be taken: why (a key of `WHY`), and a detail."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(because(code, detail))


# Why a message was kept and not taken: a key, the words in both languages on the staff page
# (templates/web/strings.toml [*.inbox.why]), and a detail that is no one's personal data.
WHY = (
    "too_large",
    "unreadable",
    "automatic",
    "capped",
    "empty_reply",
    "erased",
    "stranger",
    "only_files",
    "empty",
    "file",
    "invalid",
    "unexpected",
    "too_large_to_download",
)


def because(code: str, detail: str = "") -> str:
    """The reason as kept: `code: detail`."""
    assert code in WHY, code
    return f"{code}: {detail}" if detail else code


def own_domains(app: App) -> frozenset[str]:
    """The domains of our Message-IDs (compose makes them from mail_from)."""
    return frozenset({_address(app.settings.mail_from).rpartition("@")[2] or "complaints.local"})


def own_addresses(app: App) -> frozenset[str]:
    return frozenset({_address(app.settings.mail_from), _address(app.settings.reply_to)}) - {""}


def _address(value: str) -> str:
    return parseaddr(value)[1].lower()


def take(app: App, raw: bytes, *, source: str, at: datetime | None = None) -> Taken:
    """Do what the message `raw` asks, once; `source`: imap or lmtp."""
    at = at_or_now(at)
    digest = hashlib.sha256(raw).hexdigest()
    if len(raw) > app.settings.inbound_max_bytes:
        limit = f"{app.settings.inbound_max_bytes / 1_000_000:.0f} MB"
        why = because("too_large", limit)
        return _quarantine(app, f"sha256:{digest}", "", at, source, raw, why)
    try:
        found = inbound.read(raw, domains=own_domains(app), own_addresses=own_addresses(app))
    except Exception as error:  # headers no parser could read
        why = because("unreadable", type(error).__name__)
        return _quarantine(app, f"sha256:{digest}", "", at, source, raw, why)
    before = _taken_before(app, found.message_id)
    if before is not None:
        return before
    stored = files.put(
        raw, under=files.store(app.settings)
    )  # the record, before anything points to it
    current = promises.current(app)  # read first: a new complaint needs them
    try:
        with app.db.transaction() as session:
            row = InboundMessage(
                message_id=found.message_id[:300],
                received_at=at,
                source=source,
                outcome=InboundOutcome.QUARANTINED,
                reason=found.why,
                sender=found.sender[:254],
                raw_sha256=stored,
                size=len(raw),
            )
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
        why = str(error)
    except Unreadable as error:
        why = because("unreadable", str(error))
    except FileRefused as error:
        why = because("file", error.filename)
    except Refusal as error:
        why = because("invalid", str(error))
    except ValidationError as error:
        why = because("invalid", ".".join(str(p) for p in error.errors()[0]["loc"]))
    except SQLAlchemyError:
        raise  # the database, not the message: taken again on the next try
    except Exception as error:  # a message no rule foresaw: kept for a person, never a crash
        why = because("unexpected", type(error).__name__)
    return _quarantine(app, found.message_id, found.sender, at, source, raw, why)


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
        return
    if found.kind is inbound.Kind.BOUNCE:
        assert found.bounce is not None
        row.outcome = InboundOutcome.BOUNCE
        row.reason, row.complaint_id = bounces.returned(session, found.bounce, at)
        return
    if _capped(session, app, found.sender, at):
        cap = app.settings.inbound_daily_cap
        row.outcome = InboundOutcome.CAPPED
        row.reason = because("capped", str(cap))
        return
    content = read_content(raw)
    complaint = _replied(session, found)
    if complaint is not None:
        text = content.new_text()
        if not text and not content.files:
            raise _Quarantine("empty_reply")
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
        return
    new = _new_complaint(session, app, found, content, at, current)
    messages.store_files(session, app, new, content.files, at=at, source="email", inbound_id=row.id)
    row.outcome, row.complaint_id = InboundOutcome.NEW, new.id


def _replied(session: Session, found: inbound.Inbound) -> Complaint | None:
    """The complaint a reply is about, locked; None when it is new after all (a reference
    that names no complaint). A reference read only in the subject must come from the
    customer's own address: anyone can type one."""
    if found.kind is not inbound.Kind.REPLY or found.reference is None:
        return None
    complaint = repository.find(session=session, reference=found.reference, lock=True)
    if complaint is None:
        return None
    if complaint.anonymised_at is not None:
        raise _Quarantine("erased", complaint.reference)
    by_subject = not found.why.startswith("answers ")
    if by_subject and complaint.complainant.email.lower() != found.sender:
        raise _Quarantine("stranger", complaint.reference)
    return complaint


def _new_complaint(
    session: Session,
    app: App,
    found: inbound.Inbound,
    content: Content,
    at: datetime,
    current: tuple[int, Terms],
) -> Complaint:
    """A new complaint from the message: what the message does not say (product, region,
    customer type) from the code of conduct's `[intake.email]`."""
    text = CONTROL.sub("", content.text).strip()
    if not text:
        raise _Quarantine("only_files" if content.files else "empty")
    rules, org = app.conduct.intake, app.conduct.organisation
    lang = content.language or org.language
    name = _name(found)
    subject = CONTROL.sub("", found.subject).strip() or NO_SUBJECT.get(lang, NO_SUBJECT["en"])
    intake = Intake.model_validate(
        {
            "name": name,
            "email": found.sender,
            "subject": subject[:200],
            "description": text[:10_000],
            "channel": Channel.EMAIL,
            "product": rules.email.product,
            "region": rules.email.region,
            "customer_type": rules.email.customer_type,
            "language": lang,
        }
    )
    intake = receiving.listed(app, intake)
    return receiving.add(session, app, intake, at=at, received_at=at, terms=current)


def _name(found: inbound.Inbound) -> str:
    """The sender's name as their mail program gives it, else the address's local part."""
    return found.sender_name.strip()[:120] or found.sender.partition("@")[0][:120]


def _capped(session: Session, app: App, sender: str, at: datetime) -> bool:
    taken = session.scalar(
        select(func.count())
        .select_from(InboundMessage)
        .where(
            InboundMessage.sender == sender,
            InboundMessage.received_at > at - timedelta(hours=24),
            InboundMessage.outcome.in_(COUNTED),
        )
    )
    return (taken or 0) >= app.settings.inbound_daily_cap


def _reference(session: Session, row: InboundMessage) -> str | None:
    if row.complaint_id is None:
        return None
    return session.get_one(Complaint, row.complaint_id).reference


def _taken_before(app: App, message_id: str) -> Taken | None:
    with app.db.transaction() as session:
        row = session.scalar(
            select(InboundMessage).where(InboundMessage.message_id == message_id[:300])
        )
        if row is None:
            return None
        outcome = InboundOutcome(row.outcome)
        return Taken(outcome, row.id, _reference(session, row), row.reason, again=True)


def too_large(app: App, key: str, size: int, at: datetime | None = None) -> Taken:
    """A message too large to download, quarantined by `key` (where it is in the mailbox) and
    its size; the original stays in the mailbox's processed folder."""
    mb = f"{size / 1_000_000:.0f} MB"
    why = because("too_large_to_download", mb)
    return _quarantine(app, key, "", at_or_now(at), "imap", None, why, size=size)


def _quarantine(
    app: App,
    message_id: str,
    sender: str,
    at: datetime,
    source: str,
    raw: bytes | None,
    why: str,
    *,
    size: int = 0,
) -> Taken:
    """Keep the message with the reason, and nothing else."""
    before = _taken_before(app, message_id)
    if before is not None:
        return before
    stored = files.put(raw, under=files.store(app.settings)) if raw is not None else None
    with app.db.transaction() as session:
        row = InboundMessage(
            message_id=message_id[:300],
            received_at=at,
            source=source,
            outcome=InboundOutcome.QUARANTINED,
            reason=why[:2000],
            sender=sender[:254],
            raw_sha256=stored,
            size=len(raw) if raw is not None else size,
        )
        session.add(row)
        session.flush()
        return Taken(InboundOutcome.QUARANTINED, row.id, None, row.reason)

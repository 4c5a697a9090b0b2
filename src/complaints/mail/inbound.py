"""What an e-mail that reaches the complaints mailbox is, before anything is written: an
automatic message (never answered), a delivery status notification about one of ours (RFC
3464), a reply to a complaint, or a new complaint. Pure: it reads bytes and returns facts.

A reply is matched by In-Reply-To and References against our Message-IDs (each names its
complaint: `<…REC-2026-000042.kind@our-domain>`), then by the reference in the subject; only
then is it new. Loops are cut where every help desk cuts them: Auto-Submitted (RFC 3834),
Precedence bulk/junk/list, List-Id, X-Autoreply and its kin, mailer-daemon, postmaster and
no-reply senders, our own addresses, and a message whose own Message-ID is one of ours."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import parseaddr
from enum import StrEnum

REFERENCE = re.compile(r"\bREC-\d{4}-\d{6}\b")
MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
NO_REPLY = re.compile(
    r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)([+.-]|@)", re.I
)
AUTOMATIC_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress")


class Kind(StrEnum):
    AUTOMATIC = "automatic"  # kept, never answered
    BOUNCE = "bounce"  # about one of our e-mails
    REPLY = "reply"  # about a complaint we know
    NEW = "new"  # a new complaint


@dataclass(frozen=True)
class Bounce:
    """What a delivery status notification says of one of our e-mails."""

    original: str | None  # the Message-ID of ours it is about
    recipient: str  # the address that failed
    status: str  # e.g. 5.1.1
    permanent: bool


@dataclass(frozen=True)
class Inbound:
    kind: Kind
    message_id: str  # its own, or a digest of its bytes when it has none
    sender: str  # the address it came from
    sender_name: str  # as their mail program gives it, or ""
    subject: str
    reference: str | None = None  # the complaint a reply is about
    why: str = ""  # how it was told apart
    bounce: Bounce | None = None
    parents: list[str] = field(default_factory=list)  # the Message-IDs it names


def _ids(value: object) -> list[str]:
    """The Message-IDs a header names, each in its angle brackets (as the outbox keeps ours)."""
    return [f"<{found}>" for found in MESSAGE_ID.findall(str(value or ""))]


def _ours(message_id: str, domains: frozenset[str]) -> str | None:
    """The complaint one of our Message-IDs names, or None if it is not ours."""
    local, _, domain = message_id.strip("<>").rpartition("@")
    if domain.lower() not in domains:
        return None
    found = REFERENCE.search(local)
    return found.group(0) if found else None


def _automatic(message: EmailMessage, sender: str, own: frozenset[str]) -> str:
    """Why the message was written by a machine or for many, or ""."""
    submitted = str(message.get("Auto-Submitted", "no")).strip().lower()
    if submitted and submitted != "no":
        return f"Auto-Submitted: {submitted}"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in ("bulk", "junk", "list"):
        return f"Precedence: {precedence}"
    if message.get("List-Id") or message.get("List-Unsubscribe"):
        return "a mailing list"
    for name in AUTOMATIC_HEADERS:
        if message.get(name):
            return name
    if NO_REPLY.match(sender):
        return f"sent by {sender}"
    if sender.lower() in own:
        return "sent by our own address"
    return ""


def _bounce(message: EmailMessage) -> Bounce | None:
    """The delivery status notification's facts (RFC 3464), if it is one."""
    if message.get_content_type() != "multipart/report":
        return None
    if str(message.get_param("report-type", "")).lower() != "delivery-status":
        return None
    recipient, status, action, original = "", "", "", None
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            payload = part.get_payload()  # the per-message, then per-recipient fields
            blocks = (
                [b for b in payload if isinstance(b, Message)] if isinstance(payload, list) else []
            )
            for block in blocks:
                recipient = recipient or str(block.get("Final-Recipient", "")).rpartition(";")[2]
                status = status or str(block.get("Status", "")).strip()
                action = action or str(block.get("Action", "")).strip().lower()
        elif kind in ("message/rfc822", "text/rfc822-headers"):
            inner = part.get_payload()
            # message/rfc822: the original, parsed; text/rfc822-headers: its headers as text
            first = inner[0] if isinstance(inner, list) and inner else None
            headers = (
                first
                if isinstance(first, Message)
                else message_from_bytes(str(inner).encode(), policy=policy.default)
            )
            ids = _ids(headers.get("Message-ID"))
            original = original or (ids[0] if ids else None)
    permanent = action == "failed" or status.startswith("5")
    return Bounce(original, recipient.strip(), status, permanent)


def read(
    raw: bytes, *, domains: frozenset[str], own_addresses: frozenset[str] = frozenset()
) -> Inbound:
    """What `raw` is. `domains`: those of our Message-IDs; `own_addresses`: ours, lower case."""
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    own_id = _ids(message.get("Message-ID"))
    message_id = own_id[0] if own_id else "sha256:" + hashlib.sha256(raw).hexdigest()
    sender_name, sender = parseaddr(str(message.get("From", "")))
    sender = sender.lower()
    subject = " ".join(str(message.get("Subject", "")).split())
    parents = _ids(message.get("In-Reply-To")) + _ids(message.get("References"))

    def made(kind: Kind, why: str, reference: str | None = None, **more: Bounce) -> Inbound:
        return Inbound(
            kind, message_id, sender, sender_name, subject, reference, why, parents=parents, **more
        )

    bounce = _bounce(message)
    if bounce is not None:
        reference = _ours(bounce.original, domains) if bounce.original else None
        return made(Kind.BOUNCE, "delivery status", reference, bounce=bounce)
    if _ours(message_id, domains):
        return made(Kind.AUTOMATIC, "one of our own e-mails")
    why = _automatic(message, sender, own_addresses)
    if why:
        return made(Kind.AUTOMATIC, why)
    for parent in reversed(parents):  # the latest it answers first
        reference = _ours(parent, domains)
        if reference:
            return made(Kind.REPLY, f"answers {parent}", reference)
    found = REFERENCE.search(subject)
    if found:
        return made(Kind.REPLY, "reference in the subject", found.group(0))
    return made(Kind.NEW, "no thread of ours, no reference")

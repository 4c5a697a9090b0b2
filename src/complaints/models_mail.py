"""The tables of what arrives: every inbound e-mail once, and the files customers send."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from complaints.models import Base


class InboundOutcome(StrEnum):
    NEW = "new"  # a new complaint, acknowledged like any other
    MESSAGE = "message"  # a customer message on its complaint
    BOUNCE = "bounce"  # a delivery failure of one of our e-mails
    IGNORED = "ignored"  # automatic mail (out of office, list, our own): kept, never answered
    CAPPED = "capped"  # past the sender's daily cap: kept, not answered
    QUARANTINED = "quarantined"  # could not be read or taken: kept with the reason for staff


class InboundMessage(Base):
    """One e-mail that reached the complaints mailbox, taken exactly once: its Message-ID (or
    a digest of its bytes) is unique here, and the mailbox moves it only after our commit. The
    raw message is kept in the content store (raw_sha256) for the record."""

    __tablename__ = "inbound_messages"
    __table_args__ = (Index("ix_inbound_sender_received", "sender", "received_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    received_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(12))  # imap, lmtp
    outcome: Mapped[str] = mapped_column(String(12), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")  # how it was told apart, in words
    sender: Mapped[str] = mapped_column(String(254), default="")
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    raw_sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(default=0)


class Attachment(Base):
    """A file a customer sent, stored outside the database under its SHA-256 (var/files)."""

    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))  # read from the content, not the name
    size: Mapped[int]
    source: Mapped[str] = mapped_column(String(12))  # web, email, tracking, staff
    added_at: Mapped[datetime]
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    erased_at: Mapped[datetime | None]  # with the person's data: the name and the file gone

"""The tables of the work around the complaints: the outbox, the staff, the counters."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from complaints.models import Base


class OutboxStatus(StrEnum):
    PENDING = "pending"  # to be sent, at next_attempt_at
    SENT = "sent"  # accepted by the mail server
    REJECTED = "rejected"  # refused for good, or given up: the complaint needs attention
    CANCELLED = "cancelled"  # no longer owed (anonymised, withdrawn, merged)
    BOUNCED = "bounced"  # accepted, then returned undelivered: the promise it carried not kept


class Medium(StrEnum):
    EMAIL = "email"  # sent by the outbox's sender
    POST = "post"  # a letter: rendered to PDF in the print tray, "sent" when marked posted


class ReferenceCounter(Base):
    __tablename__ = "reference_counters"
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class OutboxMessage(Base):
    """An e-mail written with the change that causes it; sent after the commit."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(254))
    recipient_name: Mapped[str] = mapped_column(String(120), default="")
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    # The conversation it belongs to (RFC 5322): the Message-ID it answers, and the thread's
    # first and latest ones; every e-mail of a complaint to one person is one thread.
    in_reply_to: Mapped[str | None] = mapped_column(String(200))
    thread_refs: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=OutboxStatus.PENDING)
    medium: Mapped[str] = mapped_column(String(8), default=Medium.EMAIL)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None]


class StaffMember(Base):
    """A person who handles complaints; the API token is stored only as its SHA-256."""

    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # agent, manager, admin
    email: Mapped[str | None] = mapped_column(String(254))  # where reminders go
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class StaffSession(Base):
    """A member signed in on the staff pages; the cookie's random id is stored only as its
    SHA-256. It ends at logout, after an idle spell, or when the member is revoked."""

    __tablename__ = "staff_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class IdempotencyKey(Base):
    """The same intake request sent twice makes one complaint."""

    __tablename__ = "idempotency_keys"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]

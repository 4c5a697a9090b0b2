"""The tables that make the record provable: facts about the installation (its clock, its seal
key), the promises as they were made (terms of the code of conduct), and checkpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from complaints.models import Base


class Installation(Base):
    """Facts about this database: its clock (real or simulated), its seal key's fingerprint."""

    __tablename__ = "installation"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class PromiseTerms(Base):
    """The promises of one version of the code of conduct, as complaints were made them."""

    __tablename__ = "promise_terms"
    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class Checkpoint(Base):
    """A sealed digest of every event up to one: kept here and exported, so that a history
    rewritten after it shows, even by someone holding the key."""

    __tablename__ = "checkpoints"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    last_event_id: Mapped[int]
    events: Mapped[int]  # events covered, all checkpoints together
    digest: Mapped[str] = mapped_column(String(64))  # over the previous digest and the new hashes
    seal: Mapped[str] = mapped_column(String(64))

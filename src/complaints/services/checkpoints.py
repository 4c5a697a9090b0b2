"""Checkpoints: a sealed digest of every event's seal up to one event, each over the one
before it. Kept in the database and exported to an auditor, who keeps them elsewhere: a
history rewritten after a checkpoint shows against it, even when sealed again with the key."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from complaints.app import App
from complaints.chain import checkpoint_seal, fingerprint
from complaints.clock import at_or_now
from complaints.models import Checkpoint, Event
from complaints.services.integrity import Break

START = hashlib.sha256(b"complaints checkpoints").hexdigest()


@dataclass(frozen=True)
class Mark:
    id: int
    at: str
    last_event_id: int
    events: int
    digest: str
    seal: str

    @classmethod
    def of(cls, row: Checkpoint) -> Mark:
        return cls(row.id, row.at.isoformat(), row.last_event_id, row.events, row.digest, row.seal)


def _fold(previous: str, hashes: Iterable[str | None]) -> tuple[str, int]:
    """The digest over `previous` and these events' seals, and how many there were."""
    running, count = hashlib.sha256(previous.encode()), 0
    for value in hashes:
        running.update((value or "").encode())
        count += 1
    return running.hexdigest(), count


def _hashes(session: Session, after: int, upto: int | None = None) -> Iterable[str | None]:
    query = select(Event.hash).where(Event.id > after).order_by(Event.id)
    if upto is not None:
        query = query.where(Event.id <= upto)
    return session.scalars(query.execution_options(yield_per=10_000))


def seal_checkpoint(*, app: App, at: datetime | None = None) -> Mark | None:
    """A checkpoint of every event recorded since the last one (None: nothing new)."""
    key = app.db.key()
    with app.db.transaction() as session:
        if not app.db.is_sqlite:  # writers finish, and none starts, until this commits
            session.execute(text("LOCK TABLE events IN SHARE MODE"))
        last = session.scalars(select(Checkpoint).order_by(Checkpoint.id.desc()).limit(1)).first()
        after, previous, total = (
            (last.last_event_id, last.digest, last.events) if last else (0, START, 0)
        )
        upto = session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1))
        if upto is None or upto <= after:
            return None
        digest, count = _fold(previous, _hashes(session, after, upto))
        row = Checkpoint(
            at=at_or_now(at),
            last_event_id=upto,
            events=total + count,
            digest=digest,
            seal=checkpoint_seal(key, upto, total + count, digest),
        )
        session.add(row)
        session.flush()
        return Mark.of(row)


def export(*, app: App) -> dict[str, Any]:
    """Every checkpoint, for an auditor to keep outside this installation."""
    with app.db.reader() as session:
        marks = [Mark.of(c) for c in session.scalars(select(Checkpoint).order_by(Checkpoint.id))]
    return {
        "organisation": app.conduct.organisation.name,
        "key_fingerprint": fingerprint(app.db.key()),
        "checkpoints": [m.__dict__ for m in marks],
    }


def verify_checkpoints(*, app: App, kept: list[dict[str, Any]] | None = None) -> list[Break]:
    """Each checkpoint recomputed from the events, its seal checked; and each one `kept`
    elsewhere (an export) found here unchanged."""
    key = app.db.key()
    breaks: list[Break] = []
    with app.db.reader() as session:
        marks = {
            c.id: Mark.of(c) for c in session.scalars(select(Checkpoint).order_by(Checkpoint.id))
        }
        previous, after, total = START, 0, 0
        for mark in marks.values():
            digest, count = _fold(previous, _hashes(session, after, mark.last_event_id))
            total += count
            if (digest, total) != (mark.digest, mark.events):
                breaks.append(
                    Break(f"checkpoint {mark.id}", mark.last_event_id, "events changed since it")
                )
            elif checkpoint_seal(key, mark.last_event_id, mark.events, mark.digest) != mark.seal:
                breaks.append(Break(f"checkpoint {mark.id}", None, "checkpoint's seal broken"))
            previous, after = mark.digest, mark.last_event_id
    for outside in kept or []:
        here = marks.get(int(outside["id"]))
        if here is None or here.__dict__ != {k: outside.get(k) for k in here.__dict__}:
            breaks.append(
                Break(f"checkpoint {outside['id']}", None, "differs from the copy kept elsewhere")
            )
    return breaks

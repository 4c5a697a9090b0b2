"""The history is tamper-evident: each Event's hash covers its content and the hash of the
complaint's previous Event, so changing, removing or reordering one breaks every hash after it.

The seal covers the SHA-256 of the reason rather than the reason itself: an anonymisation can
erase a reason's text (marking the event redacted) and the chain still verifies, while the
anonymisation event that did it is sealed with the list of events it redacted."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from complaints.app import App
from complaints.models import Complaint, Event

GENESIS = "0" * 64


def seal(
    prev_hash: str,
    *,
    complaint_id: int,
    at: str,
    actor_kind: str,
    actor: str,
    action: str,
    from_state: str | None,
    to_state: str | None,
    reason_digest: str,
    data: dict[str, Any],
) -> str:
    """The hash of one event after `prev_hash` (canonical JSON, so it is the same on every database)."""
    content = json.dumps(
        [complaint_id, at, actor_kind, actor, action, from_state, to_state, reason_digest, data],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def seal_v2(prev_hash: str, row: Any, reason_digest: str) -> str:
    """`seal` of a row with these attributes (migrations, which must not use the models)."""
    return seal(
        prev_hash,
        complaint_id=row.complaint_id,
        at=row.at.isoformat(),
        actor_kind=row.actor_kind,
        actor=row.actor,
        action=row.action,
        from_state=row.from_state,
        to_state=row.to_state,
        reason_digest=reason_digest,
        data=row.data or {},
    )


def seal_v1(prev_hash: str, row: Any, reason: str) -> str:
    """The former seal, over the reason itself (revisions 0004 to 0005); kept for migrations."""
    content = json.dumps(
        [
            row.complaint_id,
            row.at.isoformat(),
            row.actor_kind,
            row.actor,
            row.action,
            row.from_state,
            row.to_state,
            reason,
            row.data or {},
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def seal_event(event: Event) -> str:
    return seal_v2(event.prev_hash or GENESIS, event, event.reason_digest or digest(event.reason))


@dataclass(frozen=True)
class Break:
    reference: str
    event_id: int
    problem: str


def _problem(event: Event, previous: str, redacted: set[int]) -> str | None:
    if event.hash is None:
        return "event without a seal"
    if (event.prev_hash or GENESIS) != previous:
        return "chain broken: an earlier event was removed or changed"
    if event.redacted_at is None and event.reason_digest != digest(event.reason):
        return "reason changed after it was recorded"
    if seal_event(event) != event.hash:
        return "content changed after it was recorded"
    if event.redacted_at is not None and event.id not in redacted:
        return "reason erased without a recorded anonymisation"
    return None


def verify(*, app: App, reference: str | None = None) -> tuple[int, list[Break]]:
    """(events checked, breaks found) for one complaint or all."""
    checked, breaks = 0, []
    with app.db.reader() as session:
        query = select(Complaint.id, Complaint.reference).order_by(Complaint.id)
        if reference is not None:
            query = query.where(Complaint.reference == reference)
        for complaint_id, ref in session.execute(query).all():
            events = list(
                session.scalars(
                    select(Event).where(Event.complaint_id == complaint_id).order_by(Event.id)
                )
            )
            redacted = {
                int(i)
                for e in events
                if e.action == "anonymised"
                for i in (e.data or {}).get("redacted_events", [])
            }
            previous = GENESIS
            for event in events:
                checked += 1
                problem = _problem(event, previous, redacted)
                if problem is not None:
                    breaks.append(Break(ref, event.id, problem))
                previous = event.hash or previous
    return checked, breaks

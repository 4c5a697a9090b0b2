"""The history is tamper-evident: each Event's hash covers its content and the hash of the
complaint's previous Event, so changing, removing or reordering one breaks every hash after it."""

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
    reason: str,
    data: dict[str, Any],
) -> str:
    """The hash of one event after `prev_hash` (canonical JSON, so it is the same on every database)."""
    content = json.dumps(
        [complaint_id, at, actor_kind, actor, action, from_state, to_state, reason, data],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def seal_event(event: Event) -> str:
    return seal(
        event.prev_hash or GENESIS,
        complaint_id=event.complaint_id,
        at=event.at.isoformat(),
        actor_kind=event.actor_kind,
        actor=event.actor,
        action=event.action,
        from_state=event.from_state,
        to_state=event.to_state,
        reason=event.reason,
        data=event.data or {},
    )


@dataclass(frozen=True)
class Break:
    reference: str
    event_id: int
    problem: str


def verify(*, app: App, reference: str | None = None) -> tuple[int, list[Break]]:
    """(events checked, breaks found) for one complaint or all."""
    checked, breaks = 0, []
    with app.db.reader() as session:
        query = select(Complaint.id, Complaint.reference).order_by(Complaint.id)
        if reference is not None:
            query = query.where(Complaint.reference == reference)
        for complaint_id, ref in session.execute(query).all():
            previous = GENESIS
            for event in session.scalars(
                select(Event).where(Event.complaint_id == complaint_id).order_by(Event.id)
            ):
                checked += 1
                if event.hash is None:
                    breaks.append(Break(ref, event.id, "event without a seal"))
                elif (event.prev_hash or GENESIS) != previous:
                    breaks.append(
                        Break(
                            ref, event.id, "chain broken: an earlier event was removed or changed"
                        )
                    )
                elif seal_event(event) != event.hash:
                    breaks.append(Break(ref, event.id, "content changed after it was recorded"))
                previous = event.hash or previous
    return checked, breaks

"""Every intervention is an Event; every state change goes through `move`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from complaints import policy, repository
from complaints.chain import GENESIS, digest, seal
from complaints.conduct import Conduct
from complaints.lifecycle import State, Step, next_state
from complaints.models import Complaint, Event


@dataclass(frozen=True)
class Actor:
    kind: str  # system, staff, customer, mediator
    name: str


SYSTEM = Actor("system", "complaints")
EVENTS = cast(Table, Event.__table__)


def record(
    session: Session,
    complaint: Complaint | int,
    *,
    at: datetime,
    actor: Actor,
    action: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
    visible: bool = False,
    from_state: State | None = None,
    to_state: State | None = None,
) -> None:
    """Append one Event to the complaint's history, sealed to the previous one. A complaint
    not loaded may be given by its id (the session's pending changes must then be flushed)."""
    if isinstance(complaint, Complaint):
        session.flush()  # the complaint has its id, and its changes precede its event
        complaint_id = complaint.id
    else:
        complaint_id = complaint
    # One writer per chain: two appends reading the same last hash would fork it.
    repository.lock(session=session, complaint_id=complaint_id)
    last = session.scalars(
        select(Event.hash)
        .where(Event.complaint_id == complaint_id)
        .order_by(Event.id.desc())
        .limit(1)
    ).first()
    row: dict[str, Any] = {
        "complaint_id": complaint_id,
        "at": at,
        "actor_kind": actor.kind,
        "actor": actor.name,
        "action": action,
        "from_state": from_state.value if from_state else None,
        "to_state": to_state.value if to_state else None,
        "reason_digest": digest(reason),
        "data": data or {},
    }
    prev_hash = last or GENESIS
    sealed = seal(prev_hash, **{**row, "at": at.isoformat()})
    # A Core insert: events are never updated by the session that adds them, and the ORM's
    # unit of work costs three times as much per event.
    session.execute(
        insert(EVENTS).values(
            **row, reason=reason, customer_visible=visible, prev_hash=prev_hash, hash=sealed
        )
    )


def refresh_wake(conduct: Conduct, complaint: Complaint) -> None:
    """Recompute when the system must next look at the complaint."""
    complaint.wake_at = policy.next_wake(
        conduct,
        state=complaint.state,
        received_at=complaint.received_at,
        answer_by=complaint.answer_by,
        escalation_level=complaint.escalation_level,
        survey_at=complaint.survey_at,
        feedback_by=complaint.feedback_by,
    )


def move(
    session: Session,
    conduct: Conduct,
    complaint: Complaint,
    step: Step,
    *,
    at: datetime,
    actor: Actor,
    reason: str = "",
    data: dict[str, Any] | None = None,
    visible: bool = True,
) -> None:
    """Take `step` (or raise IllegalTransition, changing nothing) and record it."""
    before = complaint.state
    complaint.state = next_state(before, step, reference=complaint.reference)
    if complaint.state == State.CLOSED:
        complaint.closed_at = at
    refresh_wake(conduct, complaint)
    record(
        session,
        complaint,
        at=at,
        actor=actor,
        action=step.value,
        reason=reason,
        data=data,
        visible=visible,
        from_state=before,
        to_state=complaint.state,
    )

"""Every intervention is an Event; every state change goes through `move`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from complaints import db, policy, repository
from complaints.chain import GENESIS, digest, head_seal, seal
from complaints.clock import now
from complaints.lifecycle import State, Step, next_state
from complaints.models import Complaint, Event
from complaints.services.errors import RuleViolation

# How far ahead of this server's clock a time may be (another server's clock, a slow request).
SKEW = timedelta(minutes=1)


@dataclass(frozen=True)
class Actor:
    kind: str  # system, staff, customer, mediator
    name: str


SYSTEM = Actor("system", "complaints")
EVENTS = cast(Table, Event.__table__)


class BadTime(RuleViolation):
    """A step dated in the future, or before the complaint's last event."""


def ahead_of_clock(database: db.Database, at: datetime) -> bool:
    """Whether `at` is in the future of this database's clock (a simulated one has none)."""
    return not database.is_simulated() and at > now() + SKEW


def check_time(session: Session, at: datetime) -> None:
    """Refuse a time in the future; on a simulated clock (the demo's) any time goes."""
    if ahead_of_clock(db.of(session), at):
        raise BadTime(f"cannot date a step in the future ({at:%Y-%m-%d %H:%M} UTC)")


def recorded_time(session: Session, at: datetime) -> datetime:
    """When a step dated `at` is recorded: the server's clock, or `at` on a simulated one."""
    return at if db.of(session).is_simulated() else now()


def _bounded(session: Session, at: datetime, last_at: datetime | None, actor: Actor) -> datetime:
    at = at.astimezone(UTC)
    check_time(session, at)
    if last_at is None or at >= last_at:
        return at
    if actor.kind == "staff":
        raise BadTime(
            f"cannot date this step {at:%Y-%m-%d %H:%M} UTC: the complaint's last event is"
            f" of {last_at:%Y-%m-%d %H:%M} UTC"
        )
    return last_at  # a system step that started before a person's is dated with it


def settle(session: Session, complaint: Complaint, at: datetime, actor: Actor) -> datetime:
    """The time a step by `actor` on `complaint` will bear: `at`, never in the future; a
    person's never before the complaint's last event, a system step's moved up to it."""
    return _bounded(session, at, complaint.chain_last_at, actor)


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
) -> datetime:
    """Append one Event to the complaint's history, sealed to the previous one, beside the time
    it was recorded. A person's step may not be dated before the last event; a system step that
    started before it is dated with it. The event's time is returned. A complaint not loaded may
    be given by its id (the session's pending changes must then be flushed)."""
    if isinstance(complaint, Complaint):
        session.flush()  # the complaint has its id, and its changes precede its event
        complaint_id = complaint.id
    else:
        complaint_id = complaint
    # One writer per chain: two appends reading the same head would fork it.
    repository.lock(session=session, complaint_id=complaint_id)
    length, last_hash, last_at = repository.chain_head(session=session, complaint_id=complaint_id)
    at = _bounded(session, at, last_at, actor)
    database = db.of(session)
    row: dict[str, Any] = {
        "complaint_id": complaint_id,
        "at": at,
        "recorded_at": recorded_time(session, at),
        "actor_kind": actor.kind,
        "actor": actor.name,
        "action": action,
        "from_state": from_state.value if from_state else None,
        "to_state": to_state.value if to_state else None,
        "reason_digest": digest(reason),
        "data": data or {},
    }
    key = database.key()
    prev_hash = last_hash or GENESIS
    sealed = seal(key, prev_hash, SimpleNamespace(**row), row["reason_digest"])
    # A Core insert: events are never updated by the session that adds them, and the ORM's
    # unit of work costs three times as much per event.
    session.execute(
        insert(EVENTS).values(
            **row, reason=reason, customer_visible=visible, prev_hash=prev_hash, hash=sealed
        )
    )
    repository.advance_chain(
        session=session,
        complaint_id=complaint_id,
        length=length + 1,
        last_hash=sealed,
        last_at=at,
        head=head_seal(key, complaint_id, length + 1, sealed),
    )
    return at


def refresh_wake(complaint: Complaint) -> None:
    """Recompute when the system must next look at the complaint."""
    complaint.wake_at = policy.next_wake(
        state=complaint.state,
        received_at=complaint.received_at,
        answer_by=complaint.answer_by,
        refer_by=complaint.refer_by,
        escalation_level=complaint.escalation_level,
        survey_at=complaint.survey_at,
        feedback_by=complaint.feedback_by,
    )


def move(
    session: Session,
    complaint: Complaint,
    step: Step,
    *,
    at: datetime,
    actor: Actor,
    reason: str = "",
    data: dict[str, Any] | None = None,
    visible: bool = True,
) -> datetime:
    """Take `step` (or raise IllegalTransition, changing nothing) and record it; its time."""
    before = complaint.state
    complaint.state = next_state(before, step, reference=complaint.reference)
    refresh_wake(complaint)
    at = record(
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
    if complaint.state == State.CLOSED:
        complaint.closed_at = at
    return at

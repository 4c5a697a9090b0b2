"""Every intervention is an Event; every state change goes through `move`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from complaints import db, lifecycle, repository
from complaints.chain import GENESIS, digest, head_seal, seal
from complaints.clock import now
from complaints.errors import Forbidden, Invalid, RuleViolation
from complaints.lifecycle import Role, State, next_state
from complaints.models import Complaint, Event

# How far ahead of this server's clock a time may be (another server's clock, a slow request).
SKEW = timedelta(minutes=1)


@dataclass(frozen=True)
class Actor:
    kind: str  # system, staff, customer, mediator
    name: str
    role: Role = Role.SYSTEM  # what the lifecycle lets this actor do


SYSTEM = Actor("system", "complaints")
CUSTOMER = Actor("customer", "complainant", Role.CUSTOMER)
EVENTS = cast(Table, Event.__table__)


class BadTime(Invalid):
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
    complaint.wake_at = lifecycle.next_wake(complaint)


def check(complaint: Complaint, step: str, actor: Actor) -> lifecycle.Transition:
    """The step's declaration, if `actor` may take it on `complaint` now; otherwise the
    refusal: IllegalTransition (its state), Forbidden (their role) or RuleViolation (a guard)."""
    declared = lifecycle.transition(step)
    next_state(complaint.state, step, reference=complaint.reference, back=State.CLOSED)
    verb = str(step).replace("_", " ")
    if not declared.permits(actor.role):
        who = ", ".join(sorted(role.value for role in declared.by))
        raise Forbidden(
            f"{actor.name} ({actor.role.value}) may not {verb} {complaint.reference}:"
            f" a step for: {who}"
        )
    why = declared.guard(complaint) if declared.guard else None
    if why:
        raise RuleViolation(f"cannot {verb} {complaint.reference}: {why}")
    return declared


def move(
    session: Session,
    complaint: Complaint,
    step: str,
    *,
    at: datetime,
    actor: Actor,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> datetime:
    """Take `step` if the lifecycle lets `actor` take it now (or raise, changing nothing) and
    record it, seen by the customer when the lifecycle says so; the event's time."""
    declared = check(complaint, step, actor)
    before = complaint.state
    complaint.state = next_state(
        before, step, reference=complaint.reference, back=complaint.resume_state
    )
    if declared.returns:
        complaint.resume_state = None
    elif declared.remembers:
        complaint.resume_state = before
    refresh_wake(complaint)
    at = record(
        session,
        complaint,
        at=at,
        actor=actor,
        action=str(step),
        reason=reason,
        data=data,
        visible=declared.customer is not None,
        from_state=before,
        to_state=complaint.state,
    )
    if complaint.state != before:
        complaint.closed_at = at if complaint.state == State.CLOSED else None
    return at

"""Keyword-only queries. Never commits: the service that calls owns the transaction."""

from __future__ import annotations

from collections.abc import Collection, Container, Iterable, Sequence
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import ColumnElement, Table, and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from complaints.errors import NotFound
from complaints.lifecycle import ANSWER_CLOCK_STATES, ANSWER_WAKE_STATES, State
from complaints.models import (
    Complaint,
    Escalation,
    Event,
    ReferenceCounter,
    RelatedComplaint,
    Response,
    Survey,
)

COMPLAINTS = cast(Table, Complaint.__table__)


def _locked(session: Session) -> set[int]:
    """Ids of the complaints this transaction holds locked (cleared with the transaction)."""
    held: set[int] = session.info.setdefault("locked", set())
    return held


def get(*, session: Session, reference: str, lock: bool = False) -> Complaint:
    """The complaint `reference`, locked for update when asked."""
    return get_many(session=session, references=[reference], lock=lock)[reference]


def get_many(
    *, session: Session, references: Sequence[str], lock: bool = False
) -> dict[str, Complaint]:
    """The complaints `references` by reference, locked for update when asked (in id order,
    so that two writers locking overlapping sets never wait on each other in a cycle)."""
    query = select(Complaint).where(Complaint.reference.in_(references)).order_by(Complaint.id)
    if lock:
        query = query.with_for_update(of=Complaint)
    found = {complaint.reference: complaint for complaint in session.scalars(query)}
    require(references, found=found)
    if lock:
        _locked(session).update(complaint.id for complaint in found.values())
    return found


def require(references: Iterable[str], *, found: Container[str]) -> None:
    """Raise NotFound for the first of `references` not `found`."""
    for reference in references:
        if reference not in found:
            raise NotFound(f"no complaint {reference}")


def lock(*, session: Session, complaint_id: int) -> None:
    """Hold the complaint's row until the transaction ends. SQLite needs no row lock: every
    write transaction there begins IMMEDIATE, holding the database's one write lock."""
    if complaint_id in _locked(session) or session.get_bind().dialect.name == "sqlite":
        return
    session.execute(select(Complaint.id).where(Complaint.id == complaint_id).with_for_update())
    _locked(session).add(complaint_id)


def _held(session: Session, complaint_id: int) -> Complaint | None:
    """The complaint as this transaction loaded it, if it did."""
    held = session.identity_map.get(identity_key(Complaint, complaint_id))
    return held if isinstance(held, Complaint) else None


def chain_head(*, session: Session, complaint_id: int) -> tuple[int, str | None, datetime | None]:
    """(length, last hash, last event's time) of the complaint's history: from the complaint
    this transaction loaded when it is sure to be current (on SQLite a writer holds the whole
    database from its first statement; elsewhere, a row this transaction locked), else read."""
    held = _held(session, complaint_id)
    current = session.get_bind().dialect.name == "sqlite" or complaint_id in _locked(session)
    if held is not None and current:
        return held.chain_length, held.chain_last_hash, held.chain_last_at
    row = session.execute(
        select(Complaint.chain_length, Complaint.chain_last_hash, Complaint.chain_last_at).where(
            Complaint.id == complaint_id
        )
    ).one()
    return row[0], row[1], row[2]


def advance_chain(
    *,
    session: Session,
    complaint_id: int,
    length: int,
    last_hash: str,
    last_at: datetime,
    head: str,
) -> None:
    """The complaint's history has a new last event: one Core statement (the ORM's would cost
    three times as much), and the complaint this transaction holds told so."""
    values = {
        "chain_length": length,
        "chain_last_hash": last_hash,
        "chain_last_at": last_at,
        "chain_head": head,
    }
    session.execute(update(COMPLAINTS).where(COMPLAINTS.c.id == complaint_id).values(**values))
    held = _held(session, complaint_id)
    if held is not None:
        for name, value in values.items():
            set_committed_value(held, name, value)


def tracking_tokens(*, session: Session, references: Collection[str]) -> dict[str, str]:
    """The tracking token of each of `references` found."""
    query = select(Complaint.reference, Complaint.tracking_token).where(
        Complaint.reference.in_(list(references))
    )
    return {str(row[0]): str(row[1]) for row in session.execute(query)}


def find(*, session: Session, reference: str, lock: bool = False) -> Complaint | None:
    """The complaint `reference`, or None; locked for update when asked."""
    query = select(Complaint).where(Complaint.reference == reference)
    if lock:
        query = query.with_for_update(of=Complaint)
    return session.scalars(query).one_or_none()


def find_by_tracking_token(*, session: Session, token: str) -> Complaint | None:
    return session.scalars(select(Complaint).where(Complaint.tracking_token == token)).one_or_none()


def allocate_reference(*, session: Session, year: int) -> str:
    """The next reference of `year`, e.g. REC-2026-000042, unique even with many writers."""
    bump = (
        update(ReferenceCounter)
        .where(ReferenceCounter.year == year)
        .values(last=ReferenceCounter.last + 1)
        .returning(ReferenceCounter.last)
    )
    number = session.execute(bump).scalar_one_or_none()
    if number is None:
        try:
            with session.begin_nested():
                session.add(ReferenceCounter(year=year, last=0))
        except IntegrityError:
            pass  # another writer created the year's counter first
        number = session.execute(bump).scalar_one()
    return f"REC-{year}-{number:06d}"


def due(
    *, session: Session, states: Collection[State], as_of: datetime, limit: int = 10_000
) -> list[str]:
    """References in `states` whose wake-up time has come, oldest first (uses the wake_at index)."""
    query = (
        select(Complaint.reference)
        .where(Complaint.wake_at <= as_of, Complaint.state.in_(list(states)))
        .order_by(Complaint.wake_at)
        .limit(limit)
    )
    return list(session.scalars(query))


def assignees_to_remind(
    *, session: Session, due_before: datetime, limit: int = 10_000
) -> list[str]:
    """Assigned complaints still owing an answer due by `due_before` whose assignee was not
    reminded yet (through the open index: state, answered_at, answer_by)."""
    query = (
        select(Complaint.reference)
        .where(
            Complaint.state.in_(list(ANSWER_WAKE_STATES)),
            Complaint.answered_at.is_(None),
            Complaint.answer_by <= due_before,
            Complaint.assignee.is_not(None),
            Complaint.assignee_reminded_at.is_(None),
        )
        .order_by(Complaint.answer_by)
        .limit(limit)
    )
    return list(session.scalars(query))


def late_acknowledgements(*, session: Session, as_of: datetime) -> list[str]:
    """Complaints whose acknowledgement the mail server has not accepted by the promised time,
    and whose manager was not yet told (from the ack-pending index: few rows wait there)."""
    query = select(Complaint.reference).where(
        Complaint.acknowledgement_sent_at.is_(None),
        Complaint.ack_alerted_at.is_(None),
        Complaint.acknowledge_by < as_of,
        Complaint.state != State.CLOSED,
    )
    return list(session.scalars(query))


def recent_similar(
    *, session: Session, complaint: Complaint, window: timedelta, limit: int = 20
) -> list[tuple[int, str]]:
    """(id, reference) of complaints of the same product and category received within `window`."""
    query = (
        select(Complaint.id, Complaint.reference)
        .where(
            Complaint.product == complaint.product,
            Complaint.category == complaint.category,
            Complaint.id != complaint.id,
            Complaint.received_at >= complaint.received_at - window,
            Complaint.received_at <= complaint.received_at,
        )
        .order_by(Complaint.received_at.desc())
        .limit(limit)
    )
    return [(row.id, row.reference) for row in session.execute(query)]


def related(*, session: Session, complaint_id: int) -> list[str]:
    query = (
        select(Complaint.reference)
        .join(RelatedComplaint, RelatedComplaint.related_id == Complaint.id)
        .where(RelatedComplaint.complaint_id == complaint_id)
        .order_by(Complaint.reference)
    )
    return list(session.scalars(query))


def last_answer_at(*, session: Session, complaint_id: int) -> datetime | None:
    """When the complaint's latest answer was given, if any."""
    query = select(func.max(Response.at)).where(Response.complaint_id == complaint_id)
    return session.scalar(query)


def latest_referral(*, session: Session, complaint_id: int) -> Escalation | None:
    """The complaint's latest referral to the mediator."""
    query = (
        select(Escalation)
        .where(Escalation.complaint_id == complaint_id, Escalation.level == "mediator")
        .order_by(Escalation.at.desc(), Escalation.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def last_event(*, session: Session, complaint_id: int, action: str) -> Event | None:
    """The complaint's latest event of `action`."""
    query = (
        select(Event)
        .where(Event.complaint_id == complaint_id, Event.action == action)
        .order_by(Event.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def current_survey(*, session: Session, complaint: Complaint) -> Survey | None:
    query = select(Survey).where(
        Survey.complaint_id == complaint.id, Survey.round == complaint.reviews_done
    )
    return session.scalars(query).one_or_none()


def overdue_clause(as_of: datetime) -> ColumnElement[bool]:
    """lifecycle.overdue in SQL: the answer's clock runs, no answer yet, its date past."""
    return and_(
        Complaint.state.in_(sorted(ANSWER_CLOCK_STATES)),
        Complaint.answered_at.is_(None),
        Complaint.answer_by < as_of,
    )


def search(
    *,
    session: Session,
    states: Collection[State] = (),
    overdue_at: datetime | None = None,
    filters: dict[str, str | None] | None = None,
    limit: int = 200,
) -> list[Complaint]:
    """Complaints by state and exact field values, optionally only the overdue, most urgent first."""
    query = select(Complaint).order_by(Complaint.answer_by).limit(limit)
    for column in ("product", "region", "customer_type", "assignee"):
        value = (filters or {}).get(column)
        if value:
            query = query.where(getattr(Complaint, column) == value)
    if states:
        query = query.where(Complaint.state.in_(list(states)))
    if overdue_at is not None:
        query = query.where(overdue_clause(overdue_at))
    return list(session.scalars(query))

"""The dashboard's figures for a scope: counts, trends, times, promises kept, satisfaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from complaints import repository
from complaints.app import App
from complaints.lifecycle import OPEN_STATES
from complaints.models import Complaint, Escalation, Survey
from complaints.reporting.promises import counts
from complaints.reporting.sql import DIMENSIONS, Scope, count, month, percentiles, seconds, share


def _by(session: Session, scope: Scope, column: Any) -> list[tuple[str, int]]:
    rows = session.execute(
        select(column, func.count())
        .where(*scope.where())
        .group_by(column)
        .order_by(func.count().desc(), column)
    )
    return [(str(value) if value is not None else "—", n) for value, n in rows]


def _times(
    session: Session, scope: Scope, end: Any, unit: float, done: int, due: int, kept: int
) -> dict[str, Any]:
    """How long customers waited, from receipt to the e-mail accepted by the mail server, and
    the share of the promise kept (the register's own definition: due, and kept)."""
    start = Complaint.received_at
    median, p90 = percentiles(
        session, seconds(session, start, end), [*scope.where(), end.is_not(None)], [0.5, 0.9], done
    )
    return {
        "count": done,
        "median": None if median is None else round(median / unit, 2),
        "p90": None if p90 is None else round(p90 / unit, 2),
        "due": due,
        "kept": kept,
        "on_time_share": share(kept, due),
    }


def _period(session: Session, scope: Scope, now: datetime) -> dict[str, int]:
    """Every count over the period in one pass, the promises' among them."""
    c = Complaint

    def n(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = session.execute(
        select(
            func.count(),
            n(c.first_answer_sent_at.is_not(None)),
            n(c.reviews_done > 0),
            n(c.acknowledgement_sent_at.is_not(None)),
            n(c.reopened > 0),
            n(or_(c.closed_at.is_not(None), c.reopened > 0)),  # closed, even if reopened since
            *counts(now)[:4],  # acknowledge (due, kept), answer (due, kept)
        ).where(*scope.where())
    ).one()
    keys = ["total", "answered", "reopened", "acknowledged", "reopened_after_closure", "closed"]
    keys += ["ack_due", "ack_kept", "answer_due", "answer_kept"]
    return {key: int(value) for key, value in zip(keys, row, strict=True)}


def _open(session: Session, scope: Scope, now: datetime) -> tuple[int, int]:
    """(open, overdue) now, whatever the period: few complaints are open, so seek them by state.
    `column || ''` keeps the filters off their indexes, which the planner would otherwise prefer."""
    c = Complaint
    filters = [getattr(c, name).concat("") == value for name, value in scope.filters.items()]
    late = case((repository.overdue_clause(now), 1), else_=0)
    row = session.execute(
        select(func.count(), func.coalesce(func.sum(late), 0)).where(
            c.state.in_(sorted(OPEN_STATES)), *filters
        )
    ).one()
    return int(row[0]), int(row[1])


def overview(*, app: App, scope: Scope, now: datetime) -> dict[str, Any]:
    """Everything the quality manager reads first, for complaints received in the scope."""
    with app.db.reader() as session:
        where = scope.where()
        period = _period(session, scope, now)
        total, answered = period["total"], period["answered"]
        open_now, overdue_now = _open(session, scope, now)
        rows = session.execute(
            select(Escalation.level, func.count())
            .join(Complaint, Complaint.id == Escalation.complaint_id)
            .where(*where)
            .group_by(Escalation.level)
        )
        escalations: dict[str, int] = {str(level): int(n) for level, n in rows}
        outcomes = count(
            session,
            *where,
            Complaint.id.in_(
                select(Escalation.complaint_id).where(
                    Escalation.level == "mediator", Escalation.outcome.is_not(None)
                )
            ),
        )
        surveys = session.execute(
            select(
                func.count(Survey.answered_at),
                func.count(Survey.sent_at),
                func.count().filter(Survey.satisfied.is_(True)),
            )
            .join(Complaint, Complaint.id == Survey.complaint_id)
            .where(*where)
        ).one()
        return {
            "scope": {
                "since": scope.since.isoformat(),
                "until": scope.until.isoformat(),
                **scope.filters,
            },
            "total": total,
            "by": {name: _by(session, scope, getattr(Complaint, name)) for name in DIMENSIONS},
            "trend": _by_month(session, scope),
            "acknowledgement_hours": _times(
                session,
                scope,
                Complaint.acknowledgement_sent_at,
                3600.0,
                period["acknowledged"],
                period["ack_due"],
                period["ack_kept"],
            ),
            "answer_days": _times(
                session,
                scope,
                Complaint.first_answer_sent_at,
                86400.0,
                answered,
                period["answer_due"],
                period["answer_kept"],
            ),
            "open_now": open_now,
            "overdue_now": overdue_now,
            "escalations": {
                "manager": escalations.get("manager", 0),
                "mediator": escalations.get("mediator", 0),
                "mediator_outcomes": outcomes,
            },
            "satisfaction": {
                "answered_surveys": surveys[0],
                "satisfied": surveys[2],
                "rate": share(surveys[2], surveys[0]),
            },
            "reopen_rate": share(period["reopened"], answered),  # answers reviewed
            # Closed complaints reopened since (within the window: a later request is new).
            "reopened_rate": share(period["reopened_after_closure"], period["closed"]),
            "answered": answered,
        }


def _by_month(session: Session, scope: Scope) -> list[tuple[str, int]]:
    key = month(session, Complaint.received_at)
    rows = session.execute(
        select(key, func.count()).where(*scope.where()).group_by(key).order_by(key)
    )
    return [(str(m), n) for m, n in rows]

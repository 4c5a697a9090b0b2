"""The dashboard's figures for a scope: counts, trends, times, promises kept, satisfaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from complaints.app import App
from complaints.lifecycle import OPEN_STATES
from complaints.models import Complaint, Escalation, Survey
from complaints.reporting.sql import DIMENSIONS, Scope, count, month, percentile, seconds, share


def _by(session: Session, scope: Scope, column: Any) -> list[tuple[str, int]]:
    rows = session.execute(
        select(column, func.count())
        .where(*scope.where())
        .group_by(column)
        .order_by(func.count().desc(), column)
    )
    return [(str(value) if value is not None else "—", n) for value, n in rows]


def _times(
    session: Session, scope: Scope, start: Any, end: Any, due: Any, unit: float
) -> dict[str, Any]:
    where = [*scope.where(), end.is_not(None)]
    done = count(session, *where)
    on_time = count(session, *where, end <= due)
    duration = seconds(session, start, end)
    median, p90 = (percentile(session, duration, where, q, done) for q in (0.5, 0.9))
    return {
        "count": done,
        "median": None if median is None else round(median / unit, 2),
        "p90": None if p90 is None else round(p90 / unit, 2),
        "on_time_share": share(on_time, done),
    }


def overview(*, app: App, scope: Scope, now: datetime) -> dict[str, Any]:
    """Everything the quality manager reads first, for complaints received in the scope."""
    with app.db.reader() as session:
        where = scope.where()
        total = count(session, *where)
        answered = count(session, *where, Complaint.first_answered_at.is_not(None))
        open_where = [
            Complaint.state.in_(sorted(OPEN_STATES)),
            *(getattr(Complaint, k) == v for k, v in scope.filters.items()),
        ]
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
                Complaint.received_at,
                Complaint.acknowledged_at,
                Complaint.acknowledge_by,
                3600.0,
            ),
            "answer_days": _times(
                session,
                scope,
                Complaint.received_at,
                Complaint.first_answered_at,
                Complaint.promised_answer_by,
                86400.0,
            ),
            "open_now": count(session, *open_where),
            "overdue_now": count(
                session, *open_where, Complaint.answered_at.is_(None), Complaint.answer_by < now
            ),
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
            "reopen_rate": share(count(session, *where, Complaint.reviews_done > 0), answered),
            "answered": answered,
        }


def _by_month(session: Session, scope: Scope) -> list[tuple[str, int]]:
    key = month(session, Complaint.received_at)
    rows = session.execute(
        select(key, func.count()).where(*scope.where()).group_by(key).order_by(key)
    )
    return [(str(m), n) for m, n in rows]

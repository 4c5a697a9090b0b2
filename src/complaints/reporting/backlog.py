"""The backlog as operations see it: open complaints by state, with whom each state waits on,
how many are overdue and how many need a person's attention. Counts only: no names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from complaints import repository
from complaints.app import App
from complaints.lifecycle import OPEN_STATES, PHASES, Party, State
from complaints.models import Complaint


@dataclass(frozen=True)
class Line:
    state: State
    waits_on: Party
    complaints: int
    overdue: int
    needs_attention: int


def backlog(*, app: App, as_of: datetime) -> list[Line]:
    """One line per open state that holds complaints, in the lifecycle's order (the state
    index: closed complaints are never read)."""
    query = (
        select(
            Complaint.state,
            func.count(),
            func.sum(case((repository.overdue_clause(as_of), 1), else_=0)),
            func.sum(case((Complaint.needs_attention, 1), else_=0)),
        )
        .where(Complaint.state.in_(sorted(OPEN_STATES)))
        .group_by(Complaint.state)
    )
    with app.db.reader() as session:
        rows = {row[0]: row[1:] for row in session.execute(query)}
    return [
        Line(state, PHASES[state].waits_on, int(n), int(late or 0), int(flagged or 0))
        for state in State
        if state in rows
        for n, late, flagged in [rows[state]]
    ]

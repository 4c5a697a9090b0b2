"""The few expressions that differ between SQLite and PostgreSQL, and the report's scope."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from complaints.models import Complaint

DIMENSIONS = ("product", "region", "customer_type", "channel", "category", "severity")


@dataclass(frozen=True)
class Scope:
    """Complaints received in [since, until), with exact-match filters."""

    since: datetime
    until: datetime
    filters: dict[str, str] = field(default_factory=dict)

    def where(self) -> list[ColumnElement[bool]]:
        conditions = [Complaint.received_at >= self.since, Complaint.received_at < self.until]
        for name, value in self.filters.items():
            if name not in DIMENSIONS:
                raise ValueError(f"unknown filter {name!r}; one of {', '.join(DIMENSIONS)}")
            conditions.append(getattr(Complaint, name) == value)
        return conditions


def seconds(
    session: Session, start: InstrumentedAttribute[Any], end: InstrumentedAttribute[Any]
) -> Any:
    """end − start in seconds, as SQL."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86400.0
    return func.extract("epoch", end - start)


def month(session: Session, column: InstrumentedAttribute[Any]) -> Any:
    """YYYY-MM of a timestamp, as SQL."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(column, "YYYY-MM")


def percentiles(
    session: Session, expression: Any, where: list[Any], shares: list[float], count: int
) -> list[float | None]:
    """Several nearest-rank percentiles in one pass: the database numbers the sorted rows."""
    if count == 0:
        return [None] * len(shares)
    ranks = [max(1, math.ceil(q * count)) for q in shares]
    numbered = (
        select(expression.label("d"), func.row_number().over(order_by=expression).label("rn"))
        .where(*where)
        .subquery()
    )
    rows = session.execute(select(numbered.c.rn, numbered.c.d).where(numbered.c.rn.in_(ranks)))
    found: dict[int, Any] = {int(rank): value for rank, value in rows}
    return [None if found.get(rank) is None else float(found[rank]) for rank in ranks]


def count(session: Session, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(Complaint).where(*where)) or 0


def share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)

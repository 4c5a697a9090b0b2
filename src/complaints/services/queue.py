"""The handler's queue: open complaints, most urgent first (overdue, needing attention, due
soonest), filtered and searched, one page at a time, with how many each quick filter holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.sql import Select

from complaints.app import App
from complaints.clock import at_or_now
from complaints.lifecycle import ANSWER_CLOCK_STATES, OPEN_STATES, State
from complaints.models import Complainant, Complaint
from complaints.repository import overdue_clause

PAGE = 25
VIEWS = ("all", "mine", "unassigned", "overdue", "attention")  # the quick filters, counted


@dataclass(frozen=True)
class Filters:
    """What the handler asked for: a quick filter (`view`), dimensions, a search, a page."""

    view: str = "all"
    state: str = ""
    product: str = ""
    region: str = ""
    channel: str = ""
    q: str = ""
    page: int = 1

    def dimensions(self) -> dict[str, str]:
        """The filters besides the quick one and the page (to keep them in links)."""
        kept = {"state": self.state, "product": self.product, "region": self.region}
        kept |= {"channel": self.channel, "q": self.q}
        return {k: v for k, v in kept.items() if v}


@dataclass(frozen=True)
class Row:
    reference: str
    subject: str
    customer: str
    product: str
    channel: str
    state: str
    assignee: str | None
    due: datetime | None  # the next promise's date: acknowledgement, answer or information
    due_kind: str  # acknowledge, answer, information or "" (no promise runs)
    overdue: bool
    needs_attention: bool


@dataclass(frozen=True)
class Queue:
    rows: list[Row]
    total: int  # matching the filters, over every page
    page: int
    pages: int
    as_of: datetime
    counts: dict[str, int] = field(default_factory=dict)  # per quick filter, same search


def _quick(view: str, member: str, as_of: datetime) -> ColumnElement[bool]:
    return {
        "mine": Complaint.assignee == member,
        "unassigned": Complaint.assignee.is_(None),
        "overdue": overdue_clause(as_of),
        "attention": Complaint.needs_attention.is_(True),
    }.get(view, literal(True))


def _searched(query: Select[Any], filters: Filters) -> Select[Any]:
    """The dimensions and the search: a reference, or part of a name or an e-mail address."""
    query = query.join(Complainant, Complaint.complainant_id == Complainant.id).where(
        Complaint.state.in_(sorted(OPEN_STATES)), Complaint.merged_into_id.is_(None)
    )
    if filters.state:
        query = query.where(Complaint.state == filters.state)
    for column in ("product", "region", "channel"):
        value = getattr(filters, column)
        if value:
            query = query.where(getattr(Complaint, column) == value)
    words = filters.q.strip().lower()
    if words:  # % and _ are searched as themselves, not as LIKE's wildcards
        like = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                func.lower(Complaint.reference).like(like, escape="\\"),
                func.lower(Complainant.name).like(like, escape="\\"),
                func.lower(Complainant.email).like(like, escape="\\"),
            )
        )
    return query


def _promises() -> list[tuple[ColumnElement[bool], Any, str]]:
    """The promise that runs now, first that applies: (when, its date, its kind). None runs
    once the answer is given and the acknowledgement made."""
    waits = and_(Complaint.state.in_(sorted(ANSWER_CLOCK_STATES)), Complaint.answered_at.is_(None))
    return [
        (Complaint.acknowledged_at.is_(None), Complaint.acknowledge_by, "acknowledge"),
        (Complaint.state == State.AWAITING_INFORMATION, Complaint.info_due_by, "information"),
        (waits, Complaint.answer_by, "answer"),
    ]


def _row(complaint: Complaint, name: str, late: bool, due: datetime | None, kind: str) -> Row:
    return Row(
        reference=complaint.reference,
        subject=complaint.subject,
        customer=name,
        product=complaint.product,
        channel=complaint.channel.value,
        state=complaint.state.value,
        assignee=complaint.assignee,
        due=due,
        due_kind=kind or "",
        overdue=late,
        needs_attention=complaint.needs_attention,
    )


def queue(*, app: App, member: str, filters: Filters, as_of: datetime | None = None) -> Queue:
    """One page of the queue as `member` sees it, and the count of each quick filter."""
    as_of = at_or_now(as_of)
    late = overdue_clause(as_of)  # one definition: `list --overdue`, the report
    with app.db.reader() as session:
        counted = _searched(
            select(*(func.count().filter(_quick(v, member, as_of)) for v in VIEWS)).select_from(
                Complaint
            ),
            filters,
        )
        counts = dict(zip(VIEWS, session.execute(counted).one(), strict=True))
        total = counts.get(filters.view, counts["all"])
        pages = max(1, -(-total // PAGE))
        page = min(max(1, filters.page), pages)
        promises = _promises()
        due = case(*((when, date) for when, date, _ in promises), else_=None)
        kind = case(*((when, literal(name)) for when, _, name in promises), else_=None)
        found = _searched(
            select(Complaint, Complainant.name, late.label("late"), due.label("due"), kind),
            filters,
        ).where(_quick(filters.view, member, as_of))
        urgent = (
            case((late, 0), (Complaint.needs_attention.is_(True), 1), else_=2),
            due.is_(None),  # no promise running: last, the same on SQLite and PostgreSQL
            due,
            Complaint.id,
        )
        rows = session.execute(found.order_by(*urgent).limit(PAGE).offset((page - 1) * PAGE))
        listed = [_row(c, name, bool(is_late), at, what) for c, name, is_late, at, what in rows]
    return Queue(rows=listed, total=total, page=page, pages=pages, as_of=as_of, counts=counts)


def choices(*, app: App) -> dict[str, list[str]]:
    """The products and regions the open complaints name: the filter form's lists."""
    found: dict[str, list[str]] = {}
    with app.db.reader() as session:
        for column in ("product", "region"):
            field = getattr(Complaint, column)
            query = select(field).where(Complaint.state.in_(sorted(OPEN_STATES))).distinct()
            found[column] = sorted(session.scalars(query.order_by(field).limit(200)))
    return found

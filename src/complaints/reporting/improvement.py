"""Continual improvement: recurring causes, actions tracked to completion, their effect checked."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from complaints.app import App
from complaints.clock import at_or_now
from complaints.errors import NotFound, RuleViolation
from complaints.models import Action, ActionKind, Complaint
from complaints.services.history import Actor, record, settle
from complaints.services.staff import staff_actor


def recurring(*, app: App, until: datetime) -> list[dict[str, Any]]:
    """Product and category pairs over the threshold within the window ending at `until`."""
    rule = app.conduct.improvement
    since = until - timedelta(days=rule.recurring_window_days)
    window = [
        Complaint.received_at >= since,
        Complaint.received_at < until,
        Complaint.category.is_not(None),
    ]
    with app.db.reader() as session:
        groups = session.execute(
            select(Complaint.product, Complaint.category, func.count())
            .where(*window)
            .group_by(Complaint.product, Complaint.category)
            .having(func.count() >= rule.recurring_threshold)
            .order_by(func.count().desc())
        ).all()
        return [
            {
                "product": product,
                "category": category,
                "count": n,
                "references": list(
                    session.scalars(
                        select(Complaint.reference)
                        .where(
                            *window, Complaint.product == product, Complaint.category == category
                        )
                        .order_by(Complaint.received_at.desc())
                        .limit(20)
                    )
                ),
            }
            for product, category, n in groups
        ]


def actions(*, app: App, today: date, open_only: bool = False) -> list[dict[str, Any]]:
    """Every action with its owner, due date, completion and checked effect."""
    with app.db.reader() as session:
        query = select(Action, Complaint.reference).join(
            Complaint, Complaint.id == Action.complaint_id
        )
        if open_only:
            query = query.where(Action.done_at.is_(None))
        rows = session.execute(query.order_by(Action.due_on))
        return [
            {
                "id": a.id,
                "reference": ref,
                "kind": a.kind.value,
                "description": a.description,
                "owner": a.owner,
                "due_on": a.due_on.isoformat(),
                "done_at": a.done_at.isoformat() if a.done_at else None,
                "overdue": a.done_at is None and a.due_on < today,
                "effective": a.effective,
                "checked_at": a.checked_at.isoformat() if a.checked_at else None,
            }
            for a, ref in rows
        ]


def complete(
    *, app: App, action_id: int, by: str, at: datetime | None = None, reference: str | None = None
) -> str:
    """Mark an action done; its complaint's history says who and when. With `reference`, the
    action must be that complaint's (a page's form names both)."""
    at = at_or_now(at)
    with app.db.transaction() as session:
        actor = staff_actor(session, by, at=at)
        action = session.get(Action, action_id)
        if action is None:
            raise RuleViolation(f"no action {action_id}")
        if action.done_at is not None:
            raise RuleViolation(
                f"action {action_id} was already completed on {action.done_at:%Y-%m-%d}"
            )
        complaint = session.get_one(Complaint, action.complaint_id)
        if reference is not None and complaint.reference != reference:
            raise NotFound(f"no action {action_id} on {reference}")
        action.done_at = at = settle(session, complaint, at, actor)
        record(
            session,
            complaint,
            at=at,
            actor=actor,
            action="action_completed",
            reason=f"{action.kind.value} action completed: {action.description}",
            data={"action": action.id},
        )
        return complaint.reference


def check_effectiveness(*, app: App, at: datetime | None = None) -> list[dict[str, Any]]:
    """For corrective and preventive actions done long enough ago: did complaints of the same
    product and category stop after them? Each check is an Event."""
    at = at_or_now(at)
    after = timedelta(days=app.conduct.improvement.effectiveness_after_days)
    checked = []
    with app.db.transaction() as session:
        due = session.execute(
            select(Action, Complaint)
            .join(Complaint, Complaint.id == Action.complaint_id)
            .where(
                Action.kind.in_([ActionKind.CORRECTIVE, ActionKind.PREVENTIVE]),
                Action.done_at.is_not(None),
                Action.done_at <= at - after,
                Action.checked_at.is_(None),
            )
        ).all()
        for action, complaint in due:
            assert action.done_at is not None
            since = (
                session.scalar(
                    select(func.count())
                    .select_from(Complaint)
                    .where(
                        Complaint.product == complaint.product,
                        Complaint.category == complaint.category,
                        Complaint.received_at > action.done_at,
                        Complaint.received_at <= at,
                    )
                )
                or 0
            )
            action.checked_at, action.effective = at, since == 0
            record(
                session,
                complaint,
                at=at,
                actor=Actor("system", "effectiveness check"),
                action="action_effectiveness_checked",
                reason=f"{since} new complaint(s) of {complaint.product} / {complaint.category} since the action",
                data={"action": action.id, "effective": since == 0, "new_complaints": since},
            )
            checked.append(
                {
                    "id": action.id,
                    "reference": complaint.reference,
                    "effective": since == 0,
                    "new_complaints": since,
                }
            )
    return checked

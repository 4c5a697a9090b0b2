"""Read models: what `show` and `list` print, as plain data (JSON-ready)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from complaints import repository
from complaints.app import App
from complaints.clock import at_or_now
from complaints.lifecycle import State
from complaints.models import Action, Complaint, Event, OutboxMessage
from complaints.services.history import Actor, record


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def summary(complaint: Complaint, as_of: datetime) -> dict[str, Any]:
    overdue = (
        complaint.answered_at is None
        and complaint.state != State.CLOSED
        and complaint.answer_by < as_of
    )
    return {
        "reference": complaint.reference,
        "state": complaint.state.value,
        "channel": complaint.channel.value,
        "product": complaint.product,
        "region": complaint.region,
        "customer_type": complaint.customer_type,
        "category": complaint.category,
        "severity": complaint.severity,
        "priority": complaint.priority,
        "received_at": _iso(complaint.received_at),
        "acknowledge_by": _iso(complaint.acknowledge_by),
        "acknowledged_at": _iso(complaint.acknowledged_at),
        "answer_by": _iso(complaint.answer_by),
        "answered_at": _iso(complaint.answered_at),
        "survey_at": _iso(complaint.survey_at),
        "feedback_by": _iso(complaint.feedback_by),
        "closed_at": _iso(complaint.closed_at),
        "closure_reason": complaint.closure_reason,
        "escalation_level": complaint.escalation_level,
        "reviews_done": complaint.reviews_done,
        "mediator": complaint.mediator_key,
        "overdue": overdue,
        "needs_attention": complaint.needs_attention,
        "assignee": complaint.assignee,
    }


def show(
    *, app: App, reference: str, as_of: datetime | None = None, viewer: str | None = None
) -> dict[str, Any]:
    """One complaint: its facts, deadlines, actions, e-mails and whole history.

    A `viewer` (a staff member through the API) leaves an Event: access to personal data is logged."""
    if viewer is not None:
        with app.db.transaction() as session:
            complaint = repository.get(session=session, reference=reference)
            record(
                session,
                complaint,
                at=at_or_now(None),
                actor=Actor("staff", viewer),
                action="personal_data_viewed",
                reason="complaint read through the staff API",
            )
    with app.db.reader() as session:
        complaint = repository.get(session=session, reference=reference)
        events = session.scalars(
            select(Event).where(Event.complaint_id == complaint.id).order_by(Event.id)
        )
        actions = session.scalars(
            select(Action).where(Action.complaint_id == complaint.id).order_by(Action.id)
        )
        mails = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.complaint_id == complaint.id)
            .order_by(OutboxMessage.id)
        )
        return {
            **summary(complaint, at_or_now(as_of)),
            "subject": complaint.subject,
            "description": complaint.description,
            "desired_outcome": complaint.desired_outcome,
            "complainant": {
                "name": complaint.complainant.name,
                "email": complaint.complainant.email,
                "phone": complaint.complainant.phone,
                "language": complaint.language,
            },
            "consent": {"contact": complaint.consent_contact, "share": complaint.consent_share},
            "anonymised_at": _iso(complaint.anonymised_at),
            "related": repository.related(session=session, complaint_id=complaint.id),
            "actions": [
                {
                    "kind": a.kind.value,
                    "description": a.description,
                    "owner": a.owner,
                    "due_on": a.due_on.isoformat(),
                    "done_at": _iso(a.done_at),
                }
                for a in actions
            ],
            "emails": [
                {
                    "kind": m.kind,
                    "to": m.recipient,
                    "status": m.status,
                    "attempts": m.attempts,
                    "sent_at": _iso(m.sent_at),
                    "message_id": m.message_id,
                }
                for m in mails
            ],
            "history": [
                {
                    "at": e.at.isoformat(),
                    "actor": f"{e.actor_kind}:{e.actor}",
                    "action": e.action,
                    "from": e.from_state,
                    "to": e.to_state,
                    "reason": e.reason,
                    "data": e.data,
                }
                for e in events
            ],
        }


def list_complaints(
    *,
    app: App,
    states: list[State],
    overdue: bool,
    as_of: datetime | None = None,
    limit: int = 200,
    filters: dict[str, str | None] | None = None,
) -> list[dict[str, Any]]:
    """Complaints by state, or those overdue, by answer date."""
    as_of = at_or_now(as_of)
    with app.db.reader() as session:
        found = repository.search(
            session=session,
            states=states,
            overdue_at=as_of if overdue else None,
            filters=filters,
            limit=limit,
        )
        return [summary(c, as_of) for c in found]

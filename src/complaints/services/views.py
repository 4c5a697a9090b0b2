"""Read models: what `show` and `list` print, as plain data (JSON-ready)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from complaints import lifecycle, repository
from complaints.app import App
from complaints.clock import at_or_now
from complaints.lifecycle import State
from complaints.models import Action, Complaint, Event, OutboxMessage, Survey
from complaints.services import merging
from complaints.services.history import record
from complaints.services.staff import staff_actor
from complaints.words import explain


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def summary(complaint: Complaint, as_of: datetime) -> dict[str, Any]:
    overdue = lifecycle.overdue(complaint, as_of)
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
        "acknowledgement_sent_at": _iso(complaint.acknowledgement_sent_at),
        "answer_by": _iso(complaint.answer_by),
        "promised_answer_by": _iso(complaint.promised_answer_by),
        "refer_by": _iso(complaint.refer_by),
        "answered_at": _iso(complaint.answered_at),
        "first_answer_sent_at": _iso(complaint.first_answer_sent_at),
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
        "waiting_on": lifecycle.waiting_on(complaint.state).value,
        "paused_days": complaint.paused_days,
        "info_due_by": _iso(complaint.info_due_by),
        "reopened": complaint.reopened,
    }


def _deadlines(app: App, events: list[Event], lang: str) -> list[dict[str, Any]]:
    """Each promise made to the complaint, with how its date was computed (from the rule
    sealed in the event that made it)."""
    templates = app.settings.home / "templates"
    rules: list[dict[str, Any]] = []
    for event in events:
        data = event.data or {}
        rules += list((data.get("promises") or {}).values())
        if isinstance(data.get("promise"), dict):
            rules.append(data["promise"])
    return [
        {
            "promise": rule["promise"],
            "due": rule["due"],
            "explained": explain(templates, lang, rule),
        }
        for rule in rules
    ]


def show(
    *,
    app: App,
    reference: str,
    as_of: datetime | None = None,
    viewer: str | None = None,
    lang: str | None = None,
    channel: str = "the staff API",
) -> dict[str, Any]:
    """One complaint: its facts, promises (explained), actions, e-mails, the customer's
    opinions and whole history, in `lang` (by default the organisation's).

    A `viewer` (a known staff member) leaves an Event: access to personal data is logged."""
    lang = lang or app.conduct.organisation.language
    if viewer is not None:
        with app.db.transaction() as session:
            now = at_or_now(None)
            reader = staff_actor(session, viewer, at=now)
            complaint = repository.get(session=session, reference=reference)
            record(
                session,
                complaint,
                at=now,
                actor=reader,
                action="personal_data_viewed",
                reason=f"complaint read through {channel}",
            )
    with app.db.reader() as session:
        complaint = repository.get(session=session, reference=reference)
        events = list(
            session.scalars(
                select(Event).where(Event.complaint_id == complaint.id).order_by(Event.id)
            )
        )
        surveys = session.scalars(
            select(Survey).where(Survey.complaint_id == complaint.id).order_by(Survey.round)
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
            "simulated_clock": app.db.is_simulated(),
            "deadlines": _deadlines(app, events, lang),
            "feedback": [
                {
                    "round": s.round,
                    "sent_at": _iso(s.sent_at),
                    "answered_at": _iso(s.answered_at),
                    "satisfied": s.satisfied,
                    "comment": s.comment,
                }
                for s in surveys
            ],
            "related": repository.related(session=session, complaint_id=complaint.id),
            **merging.merges(session, complaint, days=app.conduct.triage.duplicate_window_days),
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
                    "recorded_at": _iso(e.recorded_at),
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

"""What `show` and `list` return: the read models of read_models.py, filled."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from complaints import lifecycle, record_queries, repository
from complaints.app import App
from complaints.clock import at_or_now
from complaints.lifecycle import State
from complaints.models import Complaint, Event
from complaints.read_models import (
    Answer,
    ComplaintView,
    Consent,
    Deadline,
    Email,
    Entry,
    Finding,
    Opinion,
    Person,
    PlannedAction,
    Summary,
)
from complaints.services import attachments, merging
from complaints.services.history import record
from complaints.services.staff import staff_actor
from complaints.words import explain


def summary(complaint: Complaint, as_of: datetime) -> Summary:
    c = complaint
    return Summary(
        reference=c.reference,
        state=c.state,
        channel=c.channel,
        product=c.product,
        region=c.region,
        customer_type=c.customer_type,
        category=c.category,
        severity=c.severity,
        priority=c.priority,
        received_at=c.received_at,
        acknowledge_by=c.acknowledge_by,
        acknowledged_at=c.acknowledged_at,
        acknowledgement_sent_at=c.acknowledgement_sent_at,
        answer_by=c.answer_by,
        promised_answer_by=c.promised_answer_by,
        refer_by=c.refer_by,
        answered_at=c.answered_at,
        first_answer_sent_at=c.first_answer_sent_at,
        survey_at=c.survey_at,
        feedback_by=c.feedback_by,
        closed_at=c.closed_at,
        closure_reason=c.closure_reason,
        escalation_level=c.escalation_level,
        reviews_done=c.reviews_done,
        mediator=c.mediator_key,
        overdue=lifecycle.overdue(c, as_of),
        needs_attention=c.needs_attention,
        assignee=c.assignee,
        waiting_on=lifecycle.waiting_on(c.state),
        paused_days=c.paused_days,
        info_due_by=c.info_due_by,
        reopened=c.reopened,
    )


def _deadlines(app: App, events: list[Event], lang: str) -> list[Deadline]:
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
        Deadline(promise=rule["promise"], due=rule["due"], explained=explain(templates, lang, rule))
        for rule in rules
    ]


def view(
    *,
    app: App,
    reference: str,
    as_of: datetime | None = None,
    viewer: str | None = None,
    lang: str | None = None,
    channel: str = "the staff API",
) -> ComplaintView:
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
        cid = complaint.id
        events = record_queries.events_of(session=session, complaint_id=cid)
        person = complaint.complainant
        return ComplaintView(
            **dict(summary(complaint, at_or_now(as_of))),
            subject=complaint.subject,
            description=complaint.description,
            desired_outcome=complaint.desired_outcome,
            complainant=Person(
                name=person.name,
                email=person.email,
                phone=person.phone,
                postal_address=person.postal_address,
                language=complaint.language,
            ),
            consent=Consent(contact=complaint.consent_contact, share=complaint.consent_share),
            anonymised_at=complaint.anonymised_at,
            simulated_clock=app.db.is_simulated(),
            deadlines=_deadlines(app, events, lang),
            feedback=[
                Opinion(
                    round=s.round,
                    sent_at=s.sent_at,
                    answered_at=s.answered_at,
                    satisfied=s.satisfied,
                    comment=s.comment,
                )
                for s in record_queries.surveys_of(session=session, complaint_id=cid)
            ],
            related=repository.related(session=session, complaint_id=cid),
            **merging.merges(session, complaint, days=app.conduct.triage.duplicate_window_days),
            actions=[
                PlannedAction.model_validate(a)
                for a in record_queries.actions_of(session=session, complaint_id=cid)
            ],
            # Rows read by the models' own field names (from_attributes).
            analyses=[
                Finding.model_validate(a)
                for a in record_queries.analyses_of(session=session, complaint_id=cid)
            ],
            answers=[
                Answer.model_validate(r)
                for r in record_queries.answers_of(session=session, complaint_id=cid)
            ],
            emails=[
                Email(
                    kind=m.kind,
                    to=m.recipient,
                    medium=str(m.medium),
                    status=m.status,
                    attempts=m.attempts,
                    sent_at=m.sent_at,
                    message_id=m.message_id,
                )
                for m in record_queries.mails_of(session=session, complaint_id=cid)
            ],
            attachments=attachments.listed(session, cid),
            history=[
                Entry(
                    at=e.at,
                    recorded_at=e.recorded_at,
                    actor=f"{e.actor_kind}:{e.actor}",
                    action=e.action,
                    from_=e.from_state,
                    to=e.to_state,
                    reason=e.reason,
                    data=e.data,
                )
                for e in events
            ],
        )


def exists(*, app: App, reference: str) -> bool:
    with app.db.reader() as session:
        return repository.find(session=session, reference=reference) is not None


def show(**arguments: Any) -> dict[str, Any]:
    """`view` as plain data (JSON-ready): what the CLI prints and the pages read."""
    return view(**arguments).plain()


def list_complaints(
    *,
    app: App,
    states: list[State],
    overdue: bool,
    as_of: datetime | None = None,
    limit: int = 200,
    filters: dict[str, str | None] | None = None,
) -> list[Summary]:
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

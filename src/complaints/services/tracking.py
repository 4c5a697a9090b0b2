"""What the customer sees on the tracking page: plain words, dates, never staff notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from complaints import policy, repository
from complaints.app import App
from complaints.dates import long_date
from complaints.errors import NotFound
from complaints.lifecycle import LABELS, State
from complaints.models import Event, OutboxMessage, Response
from complaints.services import merging
from complaints.services import terms as promises

# What each customer-visible step means to the customer. What was sent is told once the mail
# server accepted it ("email_sent:<kind>"), never when it was only queued.
STEPS = {
    "fr": {
        "received": "Réclamation reçue",
        "email_sent:acknowledgement": "Accusé de réception envoyé",
        "start_analysis": "Analyse commencée",
        "email_sent:answer": "Réponse envoyée",
        "email_sent:survey": "Enquête de satisfaction envoyée",
        "email_sent:closure": "Avis de clôture envoyé",
        "record_satisfaction": "Vous êtes satisfait(e)",
        "reopen_for_review": "Réexamen à votre demande",
        "refer_to_mediator": "Transmise au médiateur",
        "record_mediation_outcome": "Avis du médiateur reçu",
        "close": "Clôturée",
        "close_without_feedback": "Clôturée sans réponse à l'enquête",
        "merge": "Réunie à une autre réclamation",
        "unmerge": "De nouveau traitée à part",
        "email_sent:unmerged": "Avis de traitement à part envoyé",
    },
    "en": {
        "received": "Complaint received",
        "email_sent:acknowledgement": "Acknowledgement sent",
        "start_analysis": "Analysis started",
        "email_sent:answer": "Answer sent",
        "email_sent:survey": "Satisfaction survey sent",
        "email_sent:closure": "Closure notice sent",
        "record_satisfaction": "You are satisfied",
        "reopen_for_review": "Reviewed at your request",
        "refer_to_mediator": "Referred to the mediator",
        "record_mediation_outcome": "Mediator's opinion received",
        "close": "Closed",
        "close_without_feedback": "Closed without an answer to the survey",
        "merge": "Joined to another complaint",
        "unmerge": "Handled separately again",
        "email_sent:unmerged": "Notice of separate handling sent",
    },
}


def tracking(*, app: App, token: str) -> dict[str, Any]:
    """The tracking page of the complaint whose token this is (NotFound otherwise)."""
    with app.db.reader() as session:
        complaint = repository.find_by_tracking_token(session=session, token=token)
        if complaint is None:
            raise NotFound("no such complaint")
        lang, zone = complaint.language, promises.of(session, complaint).timezone
        events = session.scalars(
            select(Event)
            .where(Event.complaint_id == complaint.id, Event.customer_visible.is_(True))
            .order_by(Event.id)
        )
        steps = [(e.at, _step(e)) for e in events]
        answer = session.scalars(
            select(Response)
            .where(Response.complaint_id == complaint.id)
            .order_by(Response.at.desc())
        ).first()
        survey = repository.current_survey(session=session, complaint=complaint)
        survey_path = (
            f"/avis/{survey.token}"
            if survey and survey.answered_at is None and complaint.state == State.AWAITING_FEEDBACK
            else None
        )
        mediator = (
            policy.mediator_for(app.conduct, complaint.product) if complaint.mediator_key else None
        )

        answer_sent = session.scalar(
            select(OutboxMessage.sent_at)
            .where(
                OutboxMessage.complaint_id == complaint.id,
                OutboxMessage.kind == "answer",
                OutboxMessage.sent_at.is_not(None),
            )
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        )
        answered = answer_sent if complaint.answered_at is not None else None

        def day(value: datetime | None) -> str | None:
            return long_date(value, lang, zone) if value else None

        return {
            "reference": complaint.reference,
            "lang": lang,
            "state": complaint.state.value,
            "state_label": LABELS[lang][complaint.state],
            "closed": complaint.state == State.CLOSED,
            "subject": complaint.subject,
            "received_on": day(complaint.received_at),
            "acknowledged_on": day(complaint.acknowledgement_sent_at),
            "answer_by": day(complaint.answer_by),
            "answered_on": day(answered),
            "answered_on_time": answered is not None
            and not policy.passed(complaint.answer_by, answered),
            "history": [
                {"on": day(at), "what": STEPS[lang][step]}
                for at, step in steps
                if step in STEPS[lang]
            ],
            "answer": {
                "on": day(answer.at),
                "decision": answer.decision.value,
                "message": answer.message,
            }
            if answer and answered
            else None,
            "mediator": mediator.model_dump(mode="json") if mediator else None,
            "survey_path": survey_path,
            "merged_into": merging.joined_to(session, complaint),
        }


def _step(event: Event) -> str:
    """The key of a customer-visible event in STEPS."""
    if event.action == "email_sent":
        return f"email_sent:{(event.data or {}).get('kind')}"
    return event.action

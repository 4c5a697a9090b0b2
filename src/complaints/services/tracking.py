"""What the customer sees on the tracking page: plain words, dates, never staff notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from complaints import policy, repository
from complaints.app import App
from complaints.lifecycle import LABELS, State
from complaints.mail.render import long_date
from complaints.models import Event, Response
from complaints.repository import NotFound

# What each customer-visible step means to the customer.
STEPS = {
    "fr": {
        "received": "Réclamation reçue",
        "acknowledge": "Accusé de réception envoyé",
        "start_analysis": "Analyse commencée",
        "respond": "Réponse envoyée",
        "send_survey": "Enquête de satisfaction envoyée",
        "record_satisfaction": "Vous êtes satisfait(e)",
        "reopen_for_review": "Réexamen à votre demande",
        "refer_to_mediator": "Transmise au médiateur",
        "record_mediation_outcome": "Avis du médiateur reçu",
        "close": "Clôturée",
        "close_without_feedback": "Clôturée sans réponse à l'enquête",
    },
    "en": {
        "received": "Complaint received",
        "acknowledge": "Acknowledgement sent",
        "start_analysis": "Analysis started",
        "respond": "Answer sent",
        "send_survey": "Satisfaction survey sent",
        "record_satisfaction": "You are satisfied",
        "reopen_for_review": "Reviewed at your request",
        "refer_to_mediator": "Referred to the mediator",
        "record_mediation_outcome": "Mediator's opinion received",
        "close": "Closed",
        "close_without_feedback": "Closed without an answer to the survey",
    },
}


def tracking(*, app: App, token: str) -> dict[str, Any]:
    """The tracking page of the complaint whose token this is (NotFound otherwise)."""
    with app.db.reader() as session:
        complaint = repository.find_by_tracking_token(session=session, token=token)
        if complaint is None:
            raise NotFound("no such complaint")
        lang = complaint.language
        events = session.scalars(
            select(Event)
            .where(
                Event.complaint_id == complaint.id,
                Event.customer_visible.is_(True),
                Event.action.in_(list(STEPS[lang])),
            )
            .order_by(Event.id)
        )
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

        def day(value: datetime | None) -> str | None:
            return long_date(value, lang) if value else None

        return {
            "reference": complaint.reference,
            "lang": lang,
            "state": complaint.state.value,
            "state_label": LABELS[lang][complaint.state],
            "closed": complaint.state == State.CLOSED,
            "subject": complaint.subject,
            "received_on": day(complaint.received_at),
            "acknowledged_on": day(complaint.acknowledged_at),
            "answer_by": day(complaint.answer_by),
            "answered_on": day(complaint.answered_at),
            "answered_on_time": complaint.answered_at is not None
            and complaint.answered_at <= complaint.answer_by,
            "history": [{"on": day(e.at), "what": STEPS[lang][e.action]} for e in events],
            "answer": {
                "on": day(answer.at),
                "decision": answer.decision.value,
                "message": answer.message,
            }
            if answer and complaint.answered_at
            else None,
            "mediator": mediator.model_dump(mode="json") if mediator else None,
            "survey_path": survey_path,
        }

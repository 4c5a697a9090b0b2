"""What the customer sees on the tracking page: plain words, dates, never staff notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from complaints import lifecycle, policy, record_queries, repository
from complaints.app import App
from complaints.clock import at_or_now
from complaints.dates import long_date
from complaints.errors import NotFound
from complaints.lifecycle import LABELS, State
from complaints.models import Event
from complaints.services import merging
from complaints.services import terms as promises
from complaints.services.tracking_forms import forms

# What the customer reads of what is not a step of the lifecycle (whose words are the
# lifecycle's): the complaint received, a complaint opened to follow it, and what was sent, once
# the mail server accepted it ("email_sent:<kind>"), never when it was only queued.
EVENTS = {
    "fr": {
        "received": "Réclamation reçue",
        "follow_up": "Nouvelle réclamation {created} ouverte à la suite de celle-ci",
        "email_sent:acknowledgement": "Accusé de réception envoyé",
        "email_sent:answer": "Réponse envoyée",
        "email_sent:survey": "Enquête de satisfaction envoyée",
        "email_sent:closure": "Avis de clôture envoyé",
        "email_sent:unmerged": "Avis de traitement à part envoyé",
        "email_sent:information_request": "Demande d'informations envoyée",
        "email_sent:information_reminder": "Rappel de la demande d'informations envoyé",
        "email_sent:reopened": "Avis de réouverture envoyé",
    },
    "en": {
        "received": "Complaint received",
        "follow_up": "New complaint {created} opened to follow this one",
        "email_sent:acknowledgement": "Acknowledgement sent",
        "email_sent:answer": "Answer sent",
        "email_sent:survey": "Satisfaction survey sent",
        "email_sent:closure": "Closure notice sent",
        "email_sent:unmerged": "Notice of separate handling sent",
        "email_sent:information_request": "Request for information sent",
        "email_sent:information_reminder": "Reminder of the request for information sent",
        "email_sent:reopened": "Notice of reopening sent",
    },
}


# A letter to a customer without e-mail is told when it was posted ("letter_posted:<kind>").
BY_POST = {"fr": " par courrier", "en": " by post"}


def steps(lang: str) -> dict[str, str]:
    """The words of every event the customer sees, by its key (see `_step`)."""
    sent = {key: text for key, text in EVENTS[lang].items() if key.startswith("email_sent:")}
    posted = {
        key.replace("email_sent:", "letter_posted:"): text + BY_POST[lang]
        for key, text in sent.items()
    }
    return {**lifecycle.customer_steps(lang), **EVENTS[lang], **posted}


def language(*, app: App, token: str) -> str:
    """The language of the complaint whose tracking token this is (NotFound otherwise)."""
    with app.db.reader() as session:
        complaint = repository.find_by_tracking_token(session=session, token=token)
        if complaint is None:
            raise NotFound("no such complaint")
        return complaint.language


def tracking(*, app: App, token: str, at: datetime | None = None) -> dict[str, Any]:
    """The tracking page of the complaint whose token this is (NotFound otherwise), as of `at`
    (now): with what the customer may do on it."""
    at = at_or_now(at)
    with app.db.reader() as session:
        complaint = repository.find_by_tracking_token(session=session, token=token)
        if complaint is None:
            raise NotFound("no such complaint")
        terms = promises.of(session, complaint)
        lang, zone = complaint.language, terms.timezone
        events = record_queries.events_of(session=session, complaint_id=complaint.id, visible=True)
        words = steps(lang)
        answer = record_queries.latest_answer(session=session, complaint_id=complaint.id)
        survey = repository.current_survey(session=session, complaint=complaint)
        survey_path = (
            f"/avis/{survey.token}"
            if survey and survey.answered_at is None and complaint.state == State.AWAITING_FEEDBACK
            else None
        )
        mediator = (
            policy.mediator_for(app.conduct, complaint.product) if complaint.mediator_key else None
        )

        answer_sent = record_queries.latest_sent(
            session=session, complaint_id=complaint.id, kind="answer"
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
                {"on": day(e.at), "what": words[_step(e)].format(**(e.data or {}))}
                for e in events
                if _step(e) in words
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
            **forms(session, terms, complaint, events, at),
        }


def _step(event: Event) -> str:
    """The key of a customer-visible event in `steps`."""
    if event.action in ("email_sent", "letter_posted"):
        return f"{event.action}:{(event.data or {}).get('kind')}"
    return event.action

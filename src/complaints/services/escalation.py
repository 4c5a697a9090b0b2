"""Internal escalation (the manager, once per promise) and referral to the mediator (ISO 10003)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from complaints import policy
from complaints.app import App
from complaints.dates import long_date, long_moment
from complaints.lifecycle import Level, Step
from complaints.mail.compose import customer_context, queue_email, to_customer
from complaints.models import Complaint, Escalation, Response, Survey
from complaints.services import attachments
from complaints.services import terms as promises
from complaints.services.history import Actor, move, record, refresh_wake
from complaints.words import label

# What the case file leaves out when the customer did not consent to sharing it.
WITHHELD = [
    "identity",
    "contact_details",
    "subject",
    "account",
    "desired_outcome",
    "answer_texts",
    "comments",
]
# The promises the manager is alerted about, each once; the answer's two escalate further.
ACK_LATE, ANSWER_OVERDUE, REVIEW_OVERDUE = (
    "acknowledgement_late",
    "answer_overdue",
    "review_overdue",
)
# Why a case goes to the mediator.
NO_ANSWER, DISSATISFIED, DECIDED = "no_answer", "dissatisfied", "decided"
SWEEP = Actor("system", "deadline sweep")


def alert_manager(
    session: Session, app: App, complaint: Complaint, *, at: datetime, kind: str
) -> bool:
    """Alert the quality manager about one promise missed, once per promise; whether it did."""
    if kind == ACK_LATE:
        if complaint.ack_alerted_at is not None:
            return False
        complaint.ack_alerted_at = at
    else:
        if complaint.escalation_level >= Level.MANAGER:
            return False
        complaint.escalation_level = Level.MANAGER
        refresh_wake(complaint)
    terms = promises.of(session, complaint)
    org = app.conduct.organisation
    lang, zone = org.language, terms.timezone
    session.add(Escalation(complaint_id=complaint.id, at=at, level="manager", reason=kind))
    at = record(
        session,
        complaint,
        at=at,
        actor=SWEEP,
        action="manager_alerted",
        reason=f"promise missed: {kind}",
        data={"level": "manager", "promise": kind},
    )
    queue_email(
        session,
        app,
        complaint=complaint,
        kind="manager_alert",
        recipient=(org.manager_name, str(org.manager_email)),
        lang=lang,
        context={
            **customer_context(session, app, complaint, lang=lang),
            "promise": kind,
            "acknowledge_by": long_moment(complaint.acknowledge_by, lang, zone),
            "answer_by": long_date(complaint.answer_by, lang, zone),
            "referral_on": long_date(policy.referral_day(terms, complaint.refer_by), lang, zone)
            if complaint.refer_by and kind != ACK_LATE
            else "",
            "product": complaint.product,
        },
        at=at,
    )
    return True


def _case(
    session: Session, complaint: Complaint, lang: str, zone: str, *, shared: bool
) -> dict[str, object]:
    """The answers and the customer's opinions, as the case file shows them: their texts only
    with the customer's consent to share."""
    answers = session.scalars(
        select(Response).where(Response.complaint_id == complaint.id).order_by(Response.id)
    )
    surveys = session.scalars(
        select(Survey)
        .where(Survey.complaint_id == complaint.id, Survey.answered_at.is_not(None))
        .order_by(Survey.round)
    )
    return {
        "answers": [
            {
                "on": long_date(r.at, lang, zone),
                "decision": r.decision.value,
                "message": r.message if shared else "",
            }
            for r in answers
        ],
        "feedback": [
            {
                "on": long_date(s.answered_at, lang, zone),
                "satisfied": s.satisfied,
                "comment": s.comment if shared else "",
            }
            for s in surveys
            if s.answered_at is not None
        ],
    }


def refer_to_mediator(
    session: Session,
    app: App,
    complaint: Complaint,
    *,
    at: datetime,
    actor: Actor,
    why: str,
    note: str = "",
) -> None:
    """Send the case to the competent mediator and tell the customer (one transaction).
    `why`: NO_ANSWER, DISSATISFIED or DECIDED (with the manager's `note`)."""
    mediator = policy.mediator_for(app.conduct, complaint.product)
    terms = promises.of(session, complaint)
    shared = complaint.consent_share
    complaint.escalation_level = Level.MEDIATOR
    complaint.mediator_key = mediator.key
    session.add(
        Escalation(
            complaint_id=complaint.id,
            at=at,
            level="mediator",
            reason=f"{why}: {note}" if note else why,
            mediator_key=mediator.key,
        )
    )
    at = move(
        session,
        complaint,
        Step.REFER_TO_MEDIATOR,
        at=at,
        actor=actor,
        reason=f"{why}: {note}" if note else why,
        data={"mediator": mediator.key, "why": why, "withheld": [] if shared else WITHHELD},
    )
    org = app.conduct.organisation
    lang, zone = org.language, terms.timezone
    case = _case(session, complaint, lang, zone, shared=shared)
    templates = app.settings.home / "templates"
    queue_email(
        session,
        app,
        complaint=complaint,
        kind="mediator_case",
        recipient=(mediator.name, str(mediator.email)),
        lang=lang,
        context={
            **customer_context(session, app, complaint, lang=lang),
            "received_on": long_date(complaint.received_at, lang, zone),
            "referred_on": long_date(at, lang, zone),
            "contact_name": org.manager_name,
            "contact_email": str(org.manager_email),
            "channel": label(templates, lang, "channel", complaint.channel.value),
            "promised_answer_by": long_date(
                complaint.promised_answer_by or complaint.answer_by, lang, zone
            ),
            "review_answer_by": long_date(complaint.answer_by, lang, zone)
            if complaint.reviews_done
            else "",
            "mediator": mediator.name,
            "product": complaint.product,
            "why": why,
            "note": note,
            "shared": shared,
            "answers": case["answers"],
            "feedback": case["feedback"],
            # Named, not sent: the outbox carries no attachments (sent on request).
            "attachments": attachments.for_mediator(
                session, complaint.id, lang=lang, shared=shared
            ),
            **(
                {
                    "description": complaint.description,
                    "desired_outcome": complaint.desired_outcome,
                    "email": complaint.complainant.email,
                }
                if shared
                else {"name": "", "subject": ""}  # withheld: the customer did not consent
            ),
        },
        at=at,
    )
    to_customer(
        session,
        app,
        complaint=complaint,
        kind="mediator_referral",
        at=at,
        why=why,
        shared=shared,
    )

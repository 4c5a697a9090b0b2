"""Internal escalation (the manager, once) and referral to the mediator (ISO 10003)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from complaints import policy
from complaints.app import App
from complaints.lifecycle import Step
from complaints.mail.compose import customer_context, queue_email, to_customer
from complaints.mail.render import long_date
from complaints.models import Complaint, Escalation, Response
from complaints.services.history import Actor, move, record, refresh_wake

# What the case file leaves out when the customer did not consent to sharing it.
WITHHELD = ["identity", "contact_details", "subject", "account", "desired_outcome", "answer_texts"]


def alert_manager(
    session: Session, app: App, complaint: Complaint, *, at: datetime, reason: str
) -> None:
    """Alert the quality manager once about this complaint (internal escalation)."""
    if complaint.escalation_level >= policy.Level.MANAGER:
        return
    complaint.escalation_level = policy.Level.MANAGER
    refresh_wake(app.conduct, complaint)
    session.add(Escalation(complaint_id=complaint.id, at=at, level="manager", reason=reason))
    org = app.conduct.organisation
    queue_email(
        session,
        app,
        complaint=complaint,
        kind="manager_alert",
        recipient=(org.manager_name, str(org.manager_email)),
        lang=org.language,
        context={
            **customer_context(app, complaint),
            "answer_by": long_date(complaint.answer_by, org.language),
            "reason": reason,
            "product": complaint.product,
            "referral_on": long_date(
                policy.mediator_referral_due(app.conduct, complaint.answer_by), org.language
            ),
        },
        at=at,
    )
    record(
        session,
        complaint,
        at=at,
        actor=Actor("system", "deadline sweep"),
        action="manager_alerted",
        reason=reason,
        data={"level": "manager"},
    )


def refer_to_mediator(
    session: Session, app: App, complaint: Complaint, *, at: datetime, actor: Actor, reason: str
) -> None:
    """Send the case to the competent mediator and tell the customer (one transaction)."""
    mediator = policy.mediator_for(app.conduct, complaint.product)
    shared = complaint.consent_share
    complaint.escalation_level = policy.Level.MEDIATOR
    complaint.mediator_key = mediator.key
    session.add(
        Escalation(
            complaint_id=complaint.id,
            at=at,
            level="mediator",
            reason=reason,
            mediator_key=mediator.key,
        )
    )
    move(
        session,
        app.conduct,
        complaint,
        Step.REFER_TO_MEDIATOR,
        at=at,
        actor=actor,
        reason=reason,
        data={"mediator": mediator.key, "withheld": [] if shared else WITHHELD},
    )
    org_lang = app.conduct.organisation.language
    answers = [
        {
            "on": long_date(r.at, org_lang),
            "decision": r.decision.value,
            "message": r.message if shared else "",
        }
        for r in session.scalars(
            select(Response).where(Response.complaint_id == complaint.id).order_by(Response.at)
        )
    ]
    queue_email(
        session,
        app,
        complaint=complaint,
        kind="mediator_case",
        recipient=(mediator.name, str(mediator.email)),
        lang=org_lang,
        context={
            **customer_context(app, complaint),
            "received_on": long_date(complaint.received_at, org_lang),
            "answer_by": long_date(complaint.answer_by, org_lang),
            "mediator": mediator.name,
            "product": complaint.product,
            "answers": answers,
            "reason": reason,
            "shared": shared,
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
        mediator=mediator.model_dump(mode="json"),
    )

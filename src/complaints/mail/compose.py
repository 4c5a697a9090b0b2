"""Write an e-mail into the outbox, in the transaction of the change that causes it; to a
customer without e-mail, the same message as a letter for the print tray."""

from __future__ import annotations

from datetime import datetime
from email.utils import make_msgid
from typing import Any

from sqlalchemy.orm import Session

from complaints import outbox_queries, policy
from complaints.app import App
from complaints.dates import long_date
from complaints.lifecycle import LABELS
from complaints.mail.addresses import message_domain
from complaints.models import Complaint, Medium, OutboxMessage
from complaints.services import terms as promises
from complaints.words import label

# The References header keeps the thread's first Message-ID and this many of the latest
# (RFC 5322 3.6.4 allows trimming; mail clients thread on the first and the last).
THREAD_KEPT = 9


def tracking_path(token: str) -> str:
    return f"/suivi/{token}"


def tracking_url(app: App, complaint: Complaint) -> str:
    return f"{app.settings.public_base_url}{tracking_path(complaint.tracking_token)}"


def customer_context(
    session: Session, app: App, complaint: Complaint, *, lang: str | None = None
) -> dict[str, Any]:
    """What every e-mail about a complaint may say (in `lang`, by default the customer's; in
    another, it is internal mail, which names the state in the third person): never more than
    the complaint needs. Dates are the promises' own, in their time zone."""
    internal = lang is not None
    lang = lang or complaint.language
    terms = promises.of(session, complaint)
    zone = terms.timezone
    category = (
        app.conduct.category(complaint.category)
        if complaint.category in app.conduct.category_keys()
        else None
    )
    mediator = policy.mediator_for(app.conduct, complaint.product)
    return {
        "organisation": app.conduct.organisation.name,
        "name": complaint.complainant.name,
        "reference": complaint.reference,
        "subject": complaint.subject,
        "received_on": long_date(complaint.received_at, lang, zone),
        "answer_by": long_date(complaint.answer_by, lang, zone),
        "state": label(app.settings.home / "templates", lang, "state", complaint.state.value)
        if internal
        else LABELS[lang][complaint.state],
        "category": getattr(category, lang) if category else "",
        "tracking_url": tracking_url(app, complaint),
        "consent_contact": complaint.consent_contact,
        "reviews_left": max(0, terms.escalation.internal_reviews - complaint.reviews_done),
        "mediator": mediator.model_dump(mode="json"),
        # The consumer mediator (French consumer code L. 612-1) is for consumers only.
        "consumer": app.conduct.intake.consumer(complaint.customer_type),
        "referral_on": long_date(policy.referral_day(terms, complaint.refer_by), lang, zone)
        if complaint.refer_by
        else "",
    }


def queue_email(
    session: Session,
    app: App,
    *,
    complaint: Complaint,
    kind: str,
    recipient: tuple[str, str],
    lang: str,
    context: dict[str, Any],
    at: datetime,
    medium: Medium = Medium.EMAIL,
) -> OutboxMessage:
    """Render `kind` and add it to the outbox with its Message-ID fixed now; a letter (`medium`
    post) waits in the print tray, outside any thread."""
    rendered = app.renderer.render(kind, lang, context)
    domain = message_domain(app.settings.mail_from)
    name, address = recipient
    earlier = (
        outbox_queries.thread_of(session=session, complaint_id=complaint.id, recipient=address)
        if medium is Medium.EMAIL
        else []
    )
    message = OutboxMessage(
        complaint_id=complaint.id,
        kind=kind,
        recipient=address,
        recipient_name=name,
        subject=rendered.subject,
        text_body=rendered.text,
        html_body=rendered.html,
        message_id=make_msgid(idstring=f"{complaint.reference}.{kind}", domain=domain),
        in_reply_to=earlier[-1] if earlier else None,
        thread_refs=" ".join(earlier[:1] + earlier[1:][-THREAD_KEPT:]),
        medium=medium,
        created_at=at,
        next_attempt_at=at,
    )
    session.add(message)
    return message


def to_customer(
    session: Session, app: App, *, complaint: Complaint, kind: str, at: datetime, **extra: Any
) -> OutboxMessage:
    """Queue `kind` to the complainant, in their language: by e-mail, or by post when they
    gave none (the letter is addressed when it is printed)."""
    person = complaint.complainant
    return queue_email(
        session,
        app,
        complaint=complaint,
        kind=kind,
        recipient=(person.name, person.email),
        lang=complaint.language,
        context={**customer_context(session, app, complaint), **extra},
        at=at,
        medium=Medium.EMAIL if person.email else Medium.POST,
    )

"""Write an e-mail into the outbox, in the transaction of the change that causes it."""

from __future__ import annotations

from datetime import datetime
from email.utils import make_msgid, parseaddr
from typing import Any

from sqlalchemy.orm import Session

from complaints.app import App
from complaints.lifecycle import LABELS
from complaints.mail.render import long_date
from complaints.models import Complaint, OutboxMessage


def tracking_path(token: str) -> str:
    return f"/suivi/{token}"


def tracking_url(app: App, complaint: Complaint) -> str:
    return f"{app.settings.public_base_url}{tracking_path(complaint.tracking_token)}"


def customer_context(app: App, complaint: Complaint) -> dict[str, Any]:
    """What every e-mail to the customer may say: never more than the complaint needs."""
    lang = complaint.language
    category = (
        app.conduct.category(complaint.category)
        if complaint.category in app.conduct.category_keys()
        else None
    )
    return {
        "organisation": app.conduct.organisation.name,
        "name": complaint.complainant.name,
        "reference": complaint.reference,
        "subject": complaint.subject,
        "received_on": long_date(complaint.received_at, lang),
        "answer_by": long_date(complaint.answer_by, lang),
        "state": LABELS[lang][complaint.state],
        "category": getattr(category, lang) if category else "",
        "tracking_url": tracking_url(app, complaint),
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
) -> OutboxMessage:
    """Render `kind` and add it to the outbox with its Message-ID fixed now."""
    rendered = app.renderer.render(kind, lang, context)
    domain = parseaddr(app.settings.mail_from)[1].rpartition("@")[2] or "complaints.local"
    name, address = recipient
    message = OutboxMessage(
        complaint_id=complaint.id,
        kind=kind,
        recipient=address,
        recipient_name=name,
        subject=rendered.subject,
        text_body=rendered.text,
        html_body=rendered.html,
        message_id=make_msgid(idstring=f"{complaint.reference}.{kind}", domain=domain),
        created_at=at,
        next_attempt_at=at,
    )
    session.add(message)
    return message


def to_customer(
    session: Session, app: App, *, complaint: Complaint, kind: str, at: datetime, **extra: Any
) -> OutboxMessage:
    """Queue `kind` to the complainant, in their language."""
    person = complaint.complainant
    return queue_email(
        session,
        app,
        complaint=complaint,
        kind=kind,
        recipient=(person.name, person.email),
        lang=complaint.language,
        context={**customer_context(app, complaint), **extra},
        at=at,
    )

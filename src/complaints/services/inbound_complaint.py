"""A new complaint made of an e-mail: the sender as contact (their name as their mail program
gives it), the subject, the whole text; what an e-mail does not say (product, region, customer
type) from the code of conduct's `[intake.email]`, until a person corrects it."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from complaints.app import App
from complaints.conduct import Terms
from complaints.intake import Intake
from complaints.mail import inbound
from complaints.mail.reading import Content
from complaints.models import Channel, Complaint
from complaints.services import intake as receiving

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NO_SUBJECT = {"fr": "(sans objet)", "en": "(no subject)"}


class Empty(Exception):
    """No text to make a complaint of: why (a key of services.inbound.WHY)."""


def receive(
    session: Session,
    app: App,
    found: inbound.Inbound,
    content: Content,
    at: datetime,
    current: tuple[int, Terms],
) -> Complaint:
    """The complaint, received in the caller's transaction (ValidationError, NotListed: the
    message does not carry what a complaint needs)."""
    text = CONTROL.sub("", content.text).strip()
    if not text:
        raise Empty("only_files" if content.files else "empty")
    rules, org = app.conduct.intake, app.conduct.organisation
    lang = content.language or org.language
    subject = CONTROL.sub("", found.subject).strip() or NO_SUBJECT.get(lang, NO_SUBJECT["en"])
    intake = Intake.model_validate(
        {
            "name": found.sender_name.strip()[:120] or found.sender.partition("@")[0][:120],
            "email": found.sender,
            "subject": subject[:200],
            "description": text[:10_000],
            "channel": Channel.EMAIL,
            "product": rules.email.product,
            "region": rules.email.region,
            "customer_type": rules.email.customer_type,
            "language": lang,
        }
    )
    intake = receiving.listed(app, intake)
    return receiving.add(session, app, intake, at=at, received_at=at, terms=current)

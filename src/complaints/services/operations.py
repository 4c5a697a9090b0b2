"""Notices to the operations address: a lifecycle run failed, a complaint went to the
mediator (an automation in Prefect asks for those), e-mails have failed for an hour (the
deadline sweep sees it in the outbox). Written into the outbox like every e-mail, once per
notice, French first and English second."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

from sqlalchemy import select

from complaints import outbox_queries
from complaints.app import App
from complaints.dates import long_moment
from complaints.errors import Refusal
from complaints.mail.addresses import message_domain
from complaints.models import OutboxMessage

NOTICES = ("flow_run_failed", "referred_to_mediator", "emails_failing")
KIND = "operations_notice"
# What an automation may name: a run's name or a reference, never free text (it goes into
# a subject line): letters, digits, spaces and . _ : - … ( ).
_ABOUT = re.compile(r"[\w .:…()/-]{0,200}")
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL)


class BadNotice(Refusal):
    """A notice this product does not write, or a name it will not put in a subject."""


def recipient(app: App) -> str:
    """COMPLAINTS_OPERATIONS_EMAIL, else the manager of the code of conduct."""
    return app.settings.operations_email or str(app.conduct.organisation.manager_email)


def notify(*, app: App, notice: str, about: str, link: str, key: str, at: datetime) -> bool:
    """Write the notice into the outbox, unless the one of `key` already was: True if written."""
    if notice not in NOTICES:
        raise BadNotice(f"unknown notice {notice!r} (one of {', '.join(NOTICES)})")
    if not _ABOUT.fullmatch(about) or not _ABOUT.fullmatch(link.replace("=", "")):
        raise BadNotice("a notice names a run or a reference, nothing else")
    digest = hashlib.sha256(f"{notice}:{key}".encode()).hexdigest()[:24]
    message_id = f"<ops-{digest}@{message_domain(app.settings.mail_from)}>"
    zone = app.conduct.organisation.timezone
    context = {"notice": notice, "about": about, "link": link, "reference": about}
    context["organisation"] = app.conduct.organisation.name
    en = app.renderer.render(KIND, "en", {**context, "when": long_moment(at, "en", zone)})
    fr = app.renderer.render(KIND, "fr", {**context, "when": long_moment(at, "fr", zone)})
    # One page: the French body, then the English one (both rendered, so both escaped).
    english = _BODY.search(en.html)
    html = fr.html.replace("</body>", f"<hr>{english[1] if english else ''}</body>", 1)
    with app.db.transaction() as session:
        if session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.message_id == message_id)
        ).first():
            return False
        session.add(
            OutboxMessage(
                complaint_id=None,
                kind=KIND,
                recipient=recipient(app),
                recipient_name="",
                subject=f"{fr.subject} / {en.subject}",
                text_body=f"{fr.text}\n— English —\n\n{en.text}",
                html_body=html,
                message_id=message_id,
                created_at=at,
                next_attempt_at=at,
            )
        )
    return True


# How long the mail server may refuse every e-mail before operations are told.
FAILING_FOR = timedelta(hours=1)


def failing_since(*, app: App, at: datetime) -> datetime | None:
    """When the oldest e-mail still waiting after a failed attempt was written, if e-mails
    have failed for an hour (FAILING_FOR)."""
    with app.db.reader() as session:
        return outbox_queries.failing_since(session=session, since=at - FAILING_FOR)


def tell_if_mail_failing(*, app: App, at: datetime) -> bool:
    """The `emails_failing` notice, once for each time the mail stops going (keyed by the
    oldest e-mail waiting); True if written now. Checked by the deadline sweep, from the
    outbox: a Prefect automation counting every e-mail sent cost Prefect's SQLite server a
    write per e-mail, and stalled it (bench/load.py)."""
    since = failing_since(app=app, at=at)
    if since is None:
        return False
    key = f"mail-failing:{since.isoformat()}"
    return notify(app=app, notice="emails_failing", about="", link="", key=key, at=at)

"""Anonymisation: the person leaves the file, the complaint's facts stay for the statistics.

Kept: reference, channel, language, product, region, customer type, category, severity, dates,
deadlines, state, decisions and outcome, the actions and the sealed history without its texts.
Erased: the complainant's name, e-mail and phone; the subject, account and outcome sought; the
texts of answers, analyses, comments, escalations and every event's reason; the e-mails' bodies
and addresses (pending ones are cancelled); the files sent (names and contents); the
tracking link."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from complaints import outbox_queries, policy
from complaints.app import App
from complaints.clock import at_or_now
from complaints.lifecycle import State
from complaints.models import (
    Analysis,
    Complaint,
    Escalation,
    Event,
    IdempotencyKey,
    OutboxMessage,
    Response,
    Survey,
)
from complaints.services import attachments
from complaints.services.history import Actor, record

ERASED = "[anonymisé]"
KEPT = [
    "reference",
    "channel",
    "product",
    "region",
    "customer_type",
    "category",
    "severity",
    "dates_and_deadlines",
    "decisions_and_outcome",
    "actions",
    "history_without_texts",
]
WHY_KEPT = (
    "complaint statistics and continual improvement (ISO 10002 §8.6-8.7, legitimate interest) "
    "and proof that the complaint was handled (accountability, GDPR art. 5(2)); "
    "none of it identifies the person"
)
RETENTION = Actor("system", "retention")


def anonymise(
    session: Session, complaint: Complaint, *, at: datetime, actor: Actor, reason: str
) -> None:
    """Erase the personal data of one complaint and record it (call inside a transaction)."""
    if complaint.anonymised_at is not None:
        return
    cid = complaint.id
    person = complaint.complainant
    address = person.email  # the e-mails they sent that no complaint took go with it
    person.name, person.email, person.phone, person.anonymised_at = "", "", None, at
    person.postal_address = None
    complaint.subject, complaint.description, complaint.desired_outcome = ERASED, "", ""
    complaint.tracking_token = f"anon-{secrets.token_urlsafe(24)}"  # the old link finds nothing
    complaint.anonymised_at = at
    session.execute(update(Response).where(Response.complaint_id == cid).values(message=ERASED))
    session.execute(update(Survey).where(Survey.complaint_id == cid).values(comment=""))
    session.execute(update(Analysis).where(Analysis.complaint_id == cid).values(root_cause=""))
    session.execute(update(Escalation).where(Escalation.complaint_id == cid).values(reason=ERASED))
    session.execute(
        update(Escalation)
        .where(Escalation.complaint_id == cid, Escalation.outcome.is_not(None))
        .values(outcome=ERASED)
    )
    outbox_queries.cancel_pending(session=session, complaint_id=cid)
    attachments.erase_for(session, cid, at, sender=address)  # the files leave at commit
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.complaint_id == cid)
        .values(
            recipient="",
            recipient_name="",
            subject=ERASED,
            text_body="",
            html_body="",
            last_error="",
        )
    )
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.reference == complaint.reference))
    redacted = list(
        session.scalars(
            select(Event.id).where(Event.complaint_id == cid, Event.redacted_at.is_(None))
        )
    )
    session.execute(update(Event).where(Event.id.in_(redacted)).values(reason="", redacted_at=at))
    record(
        session,
        complaint,
        at=at,
        actor=actor,
        action="anonymised",
        reason=reason,
        data={"kept": KEPT, "why_kept": WHY_KEPT, "redacted_events": redacted},
    )


def expired(*, app: App, as_of: datetime | None = None, limit: int = 10_000) -> list[str]:
    """Closed complaints past the retention period and not yet anonymised (retention index)."""
    cutoff = policy.retention_cutoff(app.conduct, at_or_now(as_of))
    with app.db.reader() as session:
        return list(
            session.scalars(
                select(Complaint.reference)
                .where(
                    Complaint.anonymised_at.is_(None),
                    Complaint.closed_at < cutoff,
                    Complaint.state == State.CLOSED,
                )
                .order_by(Complaint.closed_at)
                .limit(limit)
            )
        )


def anonymise_expired(
    *, app: App, references: list[str], as_of: datetime | None = None
) -> dict[str, str]:
    """Anonymise those of `references` still past retention, one transaction each: safe to
    repeat. Each reference's outcome: "anonymised" or "skipped"."""
    at = at_or_now(as_of)
    cutoff = policy.retention_cutoff(app.conduct, at)
    years = app.conduct.retention.years_after_closure
    outcomes = dict.fromkeys(references, "skipped")
    for reference in references:
        with app.db.transaction() as session:
            complaint = session.scalars(
                select(Complaint)
                .where(Complaint.reference == reference)
                .with_for_update(of=Complaint)  # not the joined complainant (PostgreSQL refuses)
            ).one_or_none()
            if (
                complaint is None
                or complaint.anonymised_at is not None
                or complaint.closed_at is None
                or complaint.closed_at >= cutoff
            ):
                continue
            anonymise(
                session,
                complaint,
                at=at,
                actor=RETENTION,
                reason=f"retention: closed more than {years} year(s) ago",
            )
            outcomes[reference] = "anonymised"
    return outcomes

"""Data builders shared by the tests."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from complaints.app import App
from complaints.mail.sink import MailSink
from complaints.models import ActionKind, Complaint, Decision, Event, OutboxMessage
from complaints.services import handling


def end_of(day: date) -> datetime:
    """The last moment of `day` in Paris, the organisation's time zone: a promise for a day is
    kept until then."""
    next_midnight = datetime.combine(day + timedelta(days=1), time(), ZoneInfo("Europe/Paris"))
    return next_midnight.astimezone(UTC) - timedelta(microseconds=1)


def answer(
    app: App, reference: str, at: datetime, *, founded: bool = True, by: str = "Camille"
) -> None:
    """Analyse, plan a curative action if founded, and answer: the staff's part, at `at`."""
    handling.record_analysis(
        app=app,
        reference=reference,
        by=by,
        root_cause="Erreur de tri",
        category="delivery",
        founded=founded,
        at=at,
    )
    if founded:
        handling.plan_action(
            app=app,
            reference=reference,
            by=by,
            kind=ActionKind.CURATIVE,
            description="Nouvel envoi en express",
            owner="Logistique",
            due_on=(at + timedelta(days=10)).date(),
            at=at,
        )
    handling.respond(
        app=app,
        reference=reference,
        by=by,
        decision=Decision.ACCEPTED if founded else Decision.REJECTED,
        message="Voici notre réponse.",
        at=at,
    )


def outbox(app: App, reference: str, kind: str) -> list[OutboxMessage]:
    """The e-mails of `kind` written for the complaint, in order."""
    with app.db.reader() as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .join(Complaint, Complaint.id == OutboxMessage.complaint_id)
                .where(Complaint.reference == reference, OutboxMessage.kind == kind)
                .order_by(OutboxMessage.id)
            )
        )


def exactly_once(app: App, smtp: MailSink, count: int) -> None:
    """`count` complaints, each acknowledged once: one event, one e-mail sent, one received."""
    with app.db.reader() as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == count
        acks = session.execute(
            select(Event.complaint_id, func.count())
            .where(Event.action == "acknowledge")
            .group_by(Event.complaint_id)
        ).all()
        assert len(acks) == count and {n for _, n in acks} == {1}
        mails = session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.kind == "acknowledgement")
            .group_by(OutboxMessage.status)
        ).all()
        assert dict(mails) == {"sent": count}
    received = Counter(str(m["Message-ID"]) for m in smtp.messages if is_ack(m))
    assert len(received) == count and set(received.values()) == {1}


def is_ack(message: EmailMessage) -> bool:
    return "Accusé de réception" in str(message["Subject"])

"""E-mails failing for an hour, read from the outbox by the deadline sweep (issue 16 moved it
out of a Prefect automation): operations told once per outage, and not when the mail goes."""

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from complaints.app import App
from complaints.mail.sink import MailSink
from complaints.models import OutboxMessage
from complaints.services import automation, delivery, operations, taking
from complaints.services import intake as intake_service
from tests.conftest import intake

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def acknowledged(app: App, email: str, at: datetime) -> str:
    reference = intake_service.receive(app=app, intake=intake(email=email), at=at).reference
    taking.run_step(app, automation.acknowledge, [reference], at)
    return reference


def deliver(app: App, references: list[str], at: datetime) -> delivery.DeliveryReport:
    return asyncio.run(delivery.deliver(app=app, references=references, at=at))


def notices(app: App) -> list[str]:
    with app.db.reader() as session:
        return list(
            session.scalars(
                select(OutboxMessage.subject).where(OutboxMessage.kind == operations.KIND)
            )
        )


def test_an_hour_of_refused_mail_tells_operations_once(app: App, smtp: MailSink) -> None:
    reference = acknowledged(app, "a@exemple.fr", T0)
    smtp.refuse_next(100)  # the mail server refuses everything for now
    assert list(deliver(app, [reference], T0).failed) == [reference]
    assert operations.tell_if_mail_failing(app=app, at=minutes(59)) is False  # not an hour yet
    assert operations.tell_if_mail_failing(app=app, at=minutes(61)) is True
    assert operations.tell_if_mail_failing(app=app, at=minutes(90)) is False  # the same outage
    [subject] = notices(app)
    assert subject.startswith("Exploitation") and "Operations" in subject


def test_mail_that_goes_for_others_is_no_outage(app: App, smtp: MailSink) -> None:
    refused = acknowledged(app, "refuse@exemple.fr", T0)
    smtp.refuse_next(1)
    assert list(deliver(app, [refused], T0).failed) == [refused]
    accepted = acknowledged(app, "b@exemple.fr", minutes(30))
    assert deliver(app, [accepted], minutes(30)).sent == 1  # the server takes the others' mail
    assert operations.failing_since(app=app, at=minutes(61)) is None
    assert operations.tell_if_mail_failing(app=app, at=minutes(61)) is False
    assert notices(app) == []
    # An hour and a half with nothing accepted, the first e-mail still waiting: it is one now.
    assert operations.failing_since(app=app, at=minutes(91)) == T0

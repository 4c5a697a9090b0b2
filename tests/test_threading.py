"""Every e-mail of a complaint to one person is one conversation in Outlook, Gmail and
Thunderbird: In-Reply-To and References name the earlier ones, Reply-To is the complaints
mailbox, and the subject carries the reference. The headers are read as a real SMTP server
received them, on both databases."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest

from complaints.app import App
from complaints.mail.sink import MailSink
from complaints.services import automation, delivery, escalation, information, intake, taking
from tests.conftest import BACKENDS
from tests.conftest import intake as sample
from tests.factories import answer

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def send(app: App, reference: str, n: float) -> None:
    asyncio.run(delivery.deliver(app=app, references=[reference], at=T0 + timedelta(days=n)))


def to(smtp: MailSink, address: str) -> list[EmailMessage]:
    return [m for m in smtp.messages if address in str(m["To"])]


def ids(header: object) -> list[str]:
    return str(header or "").split()


def test_a_complaints_e_mails_are_one_thread_with_replies_to_the_mailbox(
    app: App, smtp: MailSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app.settings, "mail_reply_to", "Réclamations <reclamations@exemple.fr>")
    reference = intake.receive(app=app, intake=sample(), at=T0).reference
    for step in (automation.acknowledge, automation.start_analysis):
        taking.run_step(app, step, [reference], T0)
    send(app, reference, 0)
    information.request_information(
        app=app, reference=reference, by="Camille", what="Une photo", at=T0 + timedelta(days=1)
    )
    send(app, reference, 1)
    information.receive_information(
        app=app, reference=reference, by="Camille", summary="Reçue", at=T0 + timedelta(days=2)
    )
    answer(app, reference, T0 + timedelta(days=3))
    send(app, reference, 3)
    ack, asked, reply = to(smtp, "marie.lefevre@exemple.fr")
    assert "In-Reply-To" not in ack and "References" not in ack  # the thread's first
    assert asked["In-Reply-To"] == ack["Message-ID"]
    assert ids(asked["References"]) == [ack["Message-ID"]]
    assert reply["In-Reply-To"] == asked["Message-ID"]
    assert ids(reply["References"]) == [ack["Message-ID"], asked["Message-ID"]]
    for message in (ack, asked, reply):
        assert message["Reply-To"] == "Réclamations <reclamations@exemple.fr>"
        assert reference in str(message["Subject"])
        assert f".{reference}." in message["Message-ID"]  # ours, and whose: seen in a reply


def test_the_managers_mail_is_its_own_thread_and_a_cancelled_one_is_no_parent(
    app: App, smtp: MailSink
) -> None:
    reference = intake.receive(app=app, intake=sample(), at=T0).reference
    for step in (automation.acknowledge, automation.start_analysis):
        taking.run_step(app, step, [reference], T0)
    send(app, reference, 0)
    late = T0 + timedelta(days=16)
    with app.db.transaction() as session:
        from complaints import repository

        complaint = repository.get(session=session, reference=reference, lock=True)
        escalation.alert_manager(session, app, complaint, at=late, kind=escalation.ANSWER_OVERDUE)
    send(app, reference, 16)
    [ack] = to(smtp, "marie.lefevre@exemple.fr")
    [alert] = to(smtp, str(app.conduct.organisation.manager_email))
    assert "In-Reply-To" not in alert  # the manager's thread starts here, not in the customer's
    assert alert["Reply-To"] == app.settings.mail_from  # no mailbox set: the sender's address
    assert ack["Reply-To"] == app.settings.mail_from

"""One customer's e-mail never holds up another's: each failure waits alone, or is refused."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from complaints import app as wiring
from complaints.app import App
from complaints.mail.sink import MailSink
from complaints.services import automation, delivery, taking
from complaints.services import intake as intake_service
from complaints.services.views import show
from tests.conftest import intake

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def acknowledged(app: App, *emails: str) -> list[str]:
    references = [
        intake_service.receive(app=app, intake=intake(email=email), at=T0).reference
        for email in emails
    ]
    taking.run_step(app, automation.acknowledge, references, T0)
    return references


def deliver(app: App, references: list[str], at: datetime = T0) -> delivery.DeliveryReport:
    return asyncio.run(delivery.deliver(app=app, references=references, at=at))


def test_an_address_the_relay_refuses_is_rejected_at_once_and_the_others_go(
    app: App, smtp: MailSink
) -> None:
    smtp.handler.unknown.add("nobody@exemple.fr")
    first, dead, last = acknowledged(app, "a@exemple.fr", "nobody@exemple.fr", "c@exemple.fr")
    report = deliver(app, [first, dead, last])
    assert report.sent == 2 and list(report.failed) == [dead]
    assert "refused by the mail server for good" in report.failed[dead]
    assert "@" not in report.failed[dead]  # nothing personal goes to Prefect
    data = show(app=app, reference=dead)
    assert data["emails"][0]["status"] == "rejected" and data["emails"][0]["attempts"] == 1
    assert data["needs_attention"] is True
    assert "email_rejected" in [e["action"] for e in data["history"]]
    assert data["acknowledgement_sent_at"] is None  # a promise is not kept by a refused e-mail
    assert deliver(app, [dead], T0 + timedelta(days=1)).failed == {}  # never tried again
    assert smtp.handler.recipients == ["a@exemple.fr", "c@exemple.fr"]


def test_a_message_not_accepted_for_now_waits_alone_for_its_backoff(
    app: App, smtp: MailSink
) -> None:
    references = acknowledged(app, "a@exemple.fr", "b@exemple.fr", "c@exemple.fr")
    smtp.refuse_next(1)  # 451 to the first, the others accepted in the same round
    report = deliver(app, references)
    assert report.sent == 2 and list(report.failed) == [references[0]]
    assert "attempt 1, next after 09:00:30 UTC" in report.failed[references[0]]
    assert deliver(app, references, T0 + timedelta(seconds=29)).sent == 0
    assert deliver(app, references, T0 + timedelta(seconds=30)).sent == 1


def test_a_message_refused_for_now_for_five_days_is_given_up(app: App, smtp: MailSink) -> None:
    first, other = acknowledged(app, "full@exemple.fr", "b@exemple.fr")
    smtp.handler.accept = lambda message: "full@" not in str(message["To"])  # 451, every time
    assert list(deliver(app, [first, other]).failed) == [first]
    almost = T0 + timedelta(hours=app.settings.delivery_give_up_hours - 1)
    assert "attempt 2" in deliver(app, [first], almost).failed[first]
    assert show(app=app, reference=first)["emails"][0]["status"] == "pending"
    after = T0 + timedelta(hours=app.settings.delivery_give_up_hours)
    assert "given up after 3 attempts" in deliver(app, [first], after).failed[first]
    data = show(app=app, reference=first)
    assert data["emails"][0]["status"] == "rejected" and data["needs_attention"] is True
    assert deliver(app, [first], after + timedelta(days=1)).failed == {}  # never tried again


def test_a_sender_whose_lease_runs_out_sends_no_more(
    app: App, smtp: MailSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past its lease another sender may take the messages: this one stops and lets go."""
    references = acknowledged(app, "a@exemple.fr", "b@exemple.fr")
    clock = iter(range(0, 10**6, 1000))  # each look at the clock, 1,000 s later than the last
    monkeypatch.setattr(delivery, "monotonic", lambda: next(clock))
    report = deliver(app, references)
    assert report.sent == 0 and all("the lease ran out" in why for why in report.failed.values())
    assert smtp.handler.recipients == []
    rows = [show(app=app, reference=r)["emails"][0] for r in references]
    assert [(row["status"], row["attempts"]) for row in rows] == [("pending", 0)] * 2


def test_a_relay_refusing_everything_by_policy_rejects_nobody_for_good(
    app: App, smtp: MailSink
) -> None:
    """ "550 5.7.1 relaying denied" is our setting's fault, not the customer's address."""
    references = acknowledged(app, "a@exemple.fr", "b@exemple.fr")
    smtp.handler.policy = "550 5.7.1 Relaying denied"
    report = deliver(app, references)
    assert report.sent == 0 and len(report.failed) == 2
    statuses = [show(app=app, reference=r)["emails"][0]["status"] for r in references]
    assert statuses == ["pending", "pending"]
    smtp.handler.policy = None  # the operator fixed the relay's setting
    assert deliver(app, references, T0 + timedelta(minutes=1)).sent == 2


def test_the_rectified_address_gets_the_refused_e_mail(app: App, smtp: MailSink) -> None:
    from complaints.intake import Rectification
    from complaints.services import rights
    from tests.conftest import simulated

    smtp.handler.unknown.add("old@exemple.fr")
    [reference] = acknowledged(simulated(app), "old@exemple.fr")
    deliver(app, [reference])
    rights.rectify(
        app=app,
        email="old@exemple.fr",
        actor="Luc",
        correction=Rectification(email="new@exemple.fr"),
        at=T0 + timedelta(hours=1),
    )
    assert deliver(app, [reference], T0 + timedelta(hours=1)).sent == 1
    assert smtp.handler.recipients == ["new@exemple.fr"]
    assert show(app=app, reference=reference)["needs_attention"] is False


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A server that takes the connection and never says a word (a hung relay)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_a_server_that_hangs_costs_one_timeout_not_one_per_message(
    app: App, silent_server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    references = acknowledged(app, "a@exemple.fr", "b@exemple.fr", "c@exemple.fr")
    monkeypatch.setenv("COMPLAINTS_SMTP_PORT", str(silent_server))
    monkeypatch.setenv("COMPLAINTS_SMTP_TIMEOUT_SECONDS", "0.2")
    wiring.reset()
    hung = wiring.get_app()
    report = deliver(hung, references)
    assert report.sent == 0 and sorted(report.failed) == sorted(references)
    rows = [show(app=hung, reference=r)["emails"][0] for r in references]
    # The first waited for the timeout; the others were not tried, nor charged an attempt.
    assert [(row["status"], row["attempts"]) for row in rows] == [
        ("pending", 1),
        ("pending", 0),
        ("pending", 0),
    ]
    assert "not accepted (SMTPConnectTimeoutError" in report.failed[references[0]]
    for other in references[1:]:
        assert "not tried (the mail server failed: SMTPConnectTimeoutError" in report.failed[other]
    assert show(app=hung, reference=references[1])["needs_attention"] is False


def test_an_address_with_accents_goes_out_with_smtputf8_when_the_relay_offers_it(
    app: App, smtp: MailSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMPLAINTS_SMTP_UTF8", "true")
    wiring.reset()
    accents = wiring.get_app()
    references = acknowledged(accents, "josé@exemple.fr", "user@exämple.fr")
    assert deliver(accents, references).sent == 2
    # Only the local part needs SMTPUTF8; a domain alone goes in IDNA, which any relay takes.
    assert smtp.handler.recipients == ["josé@exemple.fr", "user@xn--exmple-cua.fr"]
    assert "josé@exemple.fr" in str(smtp.messages[0]["To"])


def test_without_smtputf8_an_address_with_accents_is_refused_at_intake(app: App) -> None:
    with pytest.raises(ValidationError, match="SMTPUTF8"):
        intake(email="josé@exemple.fr")
    assert intake(email="user@exämple.fr").email == "user@exämple.fr"  # its domain goes in IDNA


def test_a_relay_without_smtputf8_rejects_only_that_message(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch, app: App
) -> None:
    monkeypatch.setenv("COMPLAINTS_SMTP_UTF8", "true")  # set, but the relay lacks it
    with MailSink(smtputf8=False) as plain:
        monkeypatch.setenv("COMPLAINTS_SMTP_PORT", str(plain.port))
        wiring.reset()
        mixed = wiring.get_app()
        accented, plain_ref = acknowledged(mixed, "josé@exemple.fr", "b@exemple.fr")
        report = deliver(mixed, [accented, plain_ref])
        assert report.sent == 1 and "SMTPNotSupported" in report.failed[accented]
        assert show(app=mixed, reference=accented)["emails"][0]["status"] == "rejected"
        assert plain.handler.recipients == ["b@exemple.fr"]

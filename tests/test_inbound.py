"""The complaints mailbox, end to end through the services: each real-world message does what
it should, on both databases. A complaint sent by e-mail is acknowledged in its own thread; a
reply lands on its complaint and nowhere else; an auto-reply or a bounce never makes us
write; bad mail is kept in the quarantine and changes nothing else."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from complaints import repository
from complaints.app import App
from complaints.lifecycle import State
from complaints.mail.sink import MailSink
from complaints.models import (
    Attachment,
    Complaint,
    Event,
    InboundMessage,
    InboundOutcome,
    OutboxMessage,
    OutboxStatus,
)
from complaints.services import (
    automation,
    delivery,
    inbound,
    information,
    intake,
    integrity,
    taking,
)
from tests.conftest import BACKENDS
from tests.conftest import intake as sample
from tests.factories import outbox

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MAIL = Path(__file__).parent / "mail"
THEIRS = "REC-2026-000042"  # what the .eml files name


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def eml(name: str, reference: str = THEIRS, **ids: str) -> bytes:
    """A real-world message, about our complaint `reference`: the Message-IDs of ours it names
    (by kind, e.g. acknowledgement="<…>") replaced by those we really sent."""
    raw = (MAIL / name).read_bytes()
    for kind, message_id in ids.items():
        for line in raw.split(b"\n"):
            if f".{THEIRS}.{kind}@".encode() in line:
                start = line.index(b"<")
                old = line[start : line.index(b">", start) + 1]
                raw = raw.replace(old, message_id.encode())
    return raw.replace(THEIRS.encode(), reference.encode())


def received(app: App, email: str, at: datetime = T0) -> str:
    """A web complaint of `email`, acknowledged, its e-mails sent."""
    reference = intake.receive(app=app, intake=sample(email=email), at=at).reference
    for step in (automation.acknowledge, automation.start_analysis):
        taking.run_step(app, step, [reference], at)
    send(app, reference, at)
    return reference


def send(app: App, reference: str, at: datetime) -> None:
    asyncio.run(delivery.deliver(app=app, references=[reference], at=at))


def count(app: App, table: type) -> int:
    with app.db.reader() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def complaint(app: App, reference: str) -> Complaint:
    with app.db.reader() as session:
        return repository.get(session=session, reference=reference)


def events(app: App, reference: str, action: str) -> list[Event]:
    with app.db.reader() as session:
        return list(
            session.scalars(
                select(Event)
                .join(Complaint)
                .where(Complaint.reference == reference, Event.action == action)
                .order_by(Event.id)
            )
        )


def test_a_complaint_sent_by_e_mail_is_acknowledged_in_its_own_thread(
    app: App, smtp: MailSink
) -> None:
    raw = eml("pdf_attachment.eml")
    taken = inbound.take(app, raw, source="imap", at=T0)
    assert taken.outcome == InboundOutcome.NEW and taken.reference
    new = complaint(app, taken.reference)
    assert (new.channel.value, new.subject, new.complainant.email) == (
        "email",
        "Facture contestée",
        "claire.dubois@exemple.fr",
    )
    assert new.complainant.name == "Claire Dubois"
    assert "compte deux fois l'abonnement" in new.description
    with app.db.reader() as session:
        [file] = session.scalars(select(Attachment).where(Attachment.complaint_id == new.id))
    assert (file.filename, file.content_type, file.source) == (
        "facture-mars.pdf",
        "application/pdf",
        "email",
    )
    taking.run_step(app, automation.acknowledge, [taken.reference], T0)
    send(app, taken.reference, T0)
    [ack] = [m for m in smtp.messages if "claire.dubois@exemple.fr" in str(m["To"])]
    assert ack["In-Reply-To"] == "<pdf-attachment-0001@exemple.fr>"
    assert str(ack["References"]).split() == ["<pdf-attachment-0001@exemple.fr>"]
    assert taken.reference in str(ack["Subject"])
    # The same message again (a crash before it was filed): taken once.
    again = inbound.take(app, raw, source="imap", at=T0 + timedelta(minutes=1))
    assert again.again and again.reference == taken.reference
    assert count(app, Complaint) == 1 and count(app, InboundMessage) == 1


def test_a_reply_lands_on_its_complaint_and_nowhere_else(app: App, smtp: MailSink) -> None:
    mine = received(app, "marie.lefevre@outlook.fr")
    other = received(app, "paul.durand@exemple.fr")
    [ack] = outbox(app, mine, "acknowledgement")
    information.request_information(
        app=app, reference=mine, by="Camille", what="Une photo", at=T0 + timedelta(days=1)
    )
    send(app, mine, T0 + timedelta(days=1))
    [asked] = outbox(app, mine, "information_request")
    raw = eml(
        "outlook_reply.eml",
        mine,
        acknowledgement=ack.message_id,
        information_request=asked.message_id,
    )
    taken = inbound.take(app, raw, source="imap", at=T0 + timedelta(days=2))
    assert (taken.outcome, taken.reference) == (InboundOutcome.MESSAGE, mine)
    assert "information" in taken.reason
    # The information asked came: the clock runs again, the words kept without the quote.
    assert complaint(app, mine).state == State.IN_ANALYSIS
    [said] = events(app, mine, "receive_information")
    assert said.reason.startswith("Bonjour,\n\nVoici la photo du colis abîmé")
    assert "Service réclamations" not in said.reason and said.data["source"] == "email"
    assert not events(app, other, "receive_information")
    assert not events(app, other, "customer_message")
    # Now a reply on a complaint in analysis: a message, the assignee told.
    gmail = eml("gmail_reply.eml", mine, acknowledgement=ack.message_id)
    gmail = gmail.replace(b"jean.martin@gmail.com", b"marie.lefevre@outlook.fr")
    assert inbound.take(app, gmail, source="imap", at=T0 + timedelta(days=3)).reference == mine
    [message] = events(app, mine, "customer_message")
    assert message.reason == "Merci, j'attends votre réponse." and message.customer_visible
    # Our next e-mail to her answers her latest message, in the same thread.
    send(app, mine, T0 + timedelta(days=3))
    assert integrity.verify(app=app, reference=mine).breaks == []


def test_the_reply_of_a_closed_complaint_follows_the_reopen_rule(app: App) -> None:
    reference = received(app, "sophie.bernard@icloud.com")
    from complaints.services import reopening

    reopening.withdraw(
        app=app, reference=reference, by="Camille", reason="au téléphone", at=T0 + timedelta(1)
    )
    raw = eml("apple_mail_subject_only.eml", reference)
    taken = inbound.take(app, raw, source="imap", at=T0 + timedelta(days=2))
    assert (taken.outcome, taken.reference) == (InboundOutcome.MESSAGE, reference)
    assert complaint(app, reference).state == State.IN_ANALYSIS
    [reopened] = events(app, reference, "reopen")
    assert reopened.reason.startswith("Je ne suis pas d'accord")


def test_a_reference_in_the_subject_from_a_stranger_waits_for_a_person(app: App) -> None:
    reference = received(app, "sophie.bernard@icloud.com")
    raw = eml("apple_mail_subject_only.eml", reference).replace(
        b"sophie.bernard@icloud.com", b"quelqu.un@exemple.fr"
    )
    before = len(events(app, reference, "customer_message"))
    taken = inbound.take(app, raw, source="imap", at=T0 + timedelta(days=1))
    assert taken.outcome == InboundOutcome.QUARANTINED
    assert taken.reason.startswith("stranger")
    assert len(events(app, reference, "customer_message")) == before


def test_automatic_mail_and_bounces_never_make_us_write(app: App, smtp: MailSink) -> None:
    reference = received(app, "marie.lefevre@outlook.fr")
    [ack] = outbox(app, reference, "acknowledgement")
    assert complaint(app, reference).acknowledgement_sent_at is not None  # kept, until…
    written = count(app, OutboxMessage)
    for name in ("out_of_office.eml", "mailing_list.eml", "our_own_message.eml"):
        raw = eml(name, reference, acknowledgement=ack.message_id)
        taken = inbound.take(app, raw, source="imap", at=T0 + timedelta(hours=1))
        assert taken.outcome == InboundOutcome.IGNORED, name
    bounce = eml("bounce.eml", reference, acknowledgement=ack.message_id)
    taken = inbound.take(app, bounce, source="imap", at=T0 + timedelta(hours=2))
    assert (taken.outcome, taken.reference) == (InboundOutcome.BOUNCE, reference)
    assert count(app, OutboxMessage) == written and count(app, Complaint) == 1
    [returned] = outbox(app, reference, "acknowledgement")
    assert returned.status == OutboxStatus.BOUNCED
    after = complaint(app, reference)
    # …the acknowledgement came back: nobody received it, the promise is not kept.
    assert after.needs_attention and after.acknowledgement_sent_at is None
    [event] = events(app, reference, "email_bounced")
    assert event.data["status"] == "5.1.1" and "inconnu" not in str(event.data)
    assert integrity.verify(app=app, reference=reference).breaks == []


def test_bad_mail_is_kept_in_the_quarantine_and_changes_nothing(app: App) -> None:
    only_files = eml("pdf_attachment.eml").replace(
        b"Ci-joint la facture qui compte deux fois l'abonnement.", b""
    )
    huge = eml("windows_1252.eml").replace(b"Message-ID: <", b"Message-ID: <huge-") + (
        b"x" * 30_000_000
    )
    cases = {
        "only_files": (only_files, "only_files"),
        "huge": (huge, "too_large"),
    }
    for name, (raw, why) in cases.items():
        taken = inbound.take(app, raw, source="imap", at=T0)
        assert taken.outcome == InboundOutcome.QUARANTINED, name
        assert why in taken.reason, name
    assert count(app, Complaint) == 0 and count(app, Attachment) == 0
    assert count(app, InboundMessage) == 2


def test_a_windows_1252_message_reads_as_written(app: App) -> None:
    taken = inbound.take(app, eml("windows_1252.eml"), source="imap", at=T0)
    assert taken.outcome == InboundOutcome.NEW and taken.reference
    new = complaint(app, taken.reference)
    assert new.complainant.name == "André Léger"
    assert new.subject == "Réclamation : colis abîmé" and "€" in new.description


def test_a_sender_past_the_daily_cap_is_kept_not_answered(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app.settings, "inbound_daily_cap", 2)
    base = eml("windows_1252.eml")
    outcomes = [
        inbound.take(
            app,
            base.replace(b"<0000A1B2C3D4@", f"<{n}-0000A1B2C3D4@".encode()),
            source="imap",
            at=T0 + timedelta(minutes=n),
        ).outcome
        for n in range(3)
    ]
    assert outcomes == [InboundOutcome.NEW, InboundOutcome.NEW, InboundOutcome.CAPPED]
    assert count(app, Complaint) == 2
    later = inbound.take(
        app,
        base.replace(b"<0000A1B2C3D4@", b"<next-day@"),
        source="imap",
        at=T0 + timedelta(days=1, minutes=1),
    )
    assert later.outcome == InboundOutcome.NEW  # a new day, a new allowance


def test_the_e_mails_a_person_sent_are_erased_with_their_data(app: App) -> None:
    from complaints import files
    from complaints.services import rights

    taken = inbound.take(app, eml("pdf_attachment.eml"), source="imap", at=T0)
    with app.db.reader() as session:
        row = session.get_one(InboundMessage, taken.inbound_id)
        raw = row.raw_sha256
    assert raw is not None and files.path_of(raw, under=files.store(app.settings)).is_file()
    from complaints.services import reopening

    assert taken.reference is not None
    reopening.withdraw(
        app=app, reference=taken.reference, by="Camille", reason="par téléphone", at=T0
    )
    rights.erase(app=app, email="claire.dubois@exemple.fr", actor="Luc", at=T0)
    with app.db.reader() as session:
        row = session.get_one(InboundMessage, taken.inbound_id)
        assert (row.sender, row.raw_sha256) == ("", None)
    assert not files.path_of(raw, under=files.store(app.settings)).exists()
    assert count(app, InboundMessage) == 1  # the fact that it arrived stays: taken once


def test_html_only_mail_and_a_lying_charset_read_as_text(app: App) -> None:
    html = (
        b"From: Paul Durand <paul.durand@exemple.fr>\r\nTo: reclamations@exemple-services.fr\r\n"
        b"Subject: Compteur\r\nMessage-ID: <html-only-1@exemple.fr>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b"<html><body><p>Mon <b>compteur</b> affiche 3 fois ma consommation.</p>"
        b"<script>alert(1)</script></body></html>\r\n"
    )
    lying = (
        b"From: Paul Durand <paul.durand@exemple.fr>\r\nTo: reclamations@exemple-services.fr\r\n"
        b"Subject: Facture\r\nMessage-ID: <lying-charset-1@exemple.fr>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=x-nowhere\r\n\r\nFacture d\xe9j\xe0 pay\xe9e.\r\n"
    )
    first = inbound.take(app, html, source="imap", at=T0)
    second = inbound.take(app, lying, source="imap", at=T0)
    assert first.reference and second.reference
    description = complaint(app, first.reference).description
    assert "Mon **compteur** affiche 3 fois ma consommation." in description
    assert "<b>" not in description
    assert complaint(app, second.reference).description.startswith("Facture d")


def test_the_assignee_is_told_a_customer_wrote_but_not_what(app: App, smtp: MailSink) -> None:
    from complaints.services import handling, staff

    staff.add(app=app, name="Nina", role="agent", days=36500, email="nina@exemple-services.fr")
    reference = received(app, "marie.lefevre@outlook.fr")
    handling.assign(app=app, reference=reference, by="Luc", assignee="Nina", at=T0)
    [ack] = outbox(app, reference, "acknowledgement")
    gmail = eml("gmail_reply.eml", reference, acknowledgement=ack.message_id)
    inbound.take(app, gmail, source="imap", at=T0 + timedelta(hours=1))
    send(app, reference, T0 + timedelta(hours=1))
    [told] = [m for m in smtp.messages if "nina@exemple-services.fr" in str(m["To"])]
    body = told.get_body(("plain",))
    assert body is not None and reference in str(told["Subject"])
    assert "j'attends votre réponse" not in str(body.get_content())
    assert f"/staff/c/{reference}" in str(body.get_content())

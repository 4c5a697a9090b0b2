"""Which complaint a message is about is proved, not guessed: a reply to our e-mail to staff is
not the customer's; a Message-ID anyone could forge counts only from the customer's address; a
complaint merged into another customer's never hands them its mail; a customer's second message
answering their first lands on the same complaint. And what mail programs attach that we do not
take is left out, never the customer's words."""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaints.app import App
from complaints.mail.sink import MailSink
from complaints.models import Attachment, InboundOutcome
from complaints.services import handling, inbound, merging, staff
from tests.conftest import BACKENDS
from tests.factories import outbox
from tests.test_inbound import T0, complaint, count, eml, events, received, send


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def reply(
    sender: str, parents: list[str], text: str, n: int, subject: str = "Re: votre e-mail"
) -> bytes:
    return (
        f"From: {sender}\r\nTo: reclamations@exemple-services.fr\r\nSubject: {subject}\r\n"
        f"Message-ID: <reply-{n}@exemple.fr>\r\nIn-Reply-To: {parents[-1]}\r\n"
        f"References: {' '.join(parents)}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{text}\r\n"
    ).encode()


def test_a_reply_to_our_e_mail_to_staff_is_not_the_customers(app: App, smtp: MailSink) -> None:
    staff.add(app=app, name="Nina", role="agent", days=36500, email="nina@exemple-services.fr")
    reference = received(app, "marie.lefevre@outlook.fr")
    handling.assign(app=app, reference=reference, by="Luc", assignee="Nina", at=T0)
    [ack] = outbox(app, reference, "acknowledgement")
    inbound.take(
        app, reply("marie.lefevre@outlook.fr", [ack.message_id], "Merci.", 1), source="imap", at=T0
    )
    [told] = outbox(app, reference, "customer_message")  # to Nina
    answer = reply("nina@exemple-services.fr", [told.message_id], "Je regarde.", 2)
    taken = inbound.take(app, answer, source="imap", at=T0 + timedelta(hours=1))
    assert taken.outcome == InboundOutcome.QUARANTINED
    assert taken.reason == f"staff_reply: {reference}" and taken.reference == reference
    assert len(events(app, reference, "customer_message")) == 1  # only the customer's


def test_a_forged_message_id_counts_only_from_the_customers_address(app: App) -> None:
    reference = received(app, "marie.lefevre@outlook.fr")
    forged = f"<123.{reference}.acknowledgement@exemple-services.fr>"
    stranger = inbound.take(
        app, reply("x@exemple.fr", [forged], "Fermez-la.", 1), source="imap", at=T0
    )
    assert stranger.reason == f"stranger: {reference}"
    customer = inbound.take(
        app, reply("marie.lefevre@outlook.fr", [forged], "Toujours rien.", 2), source="imap", at=T0
    )
    assert (customer.outcome, customer.reference) == (InboundOutcome.MESSAGE, reference)


def test_mail_of_a_complaint_merged_into_another_customers_stays_apart(app: App) -> None:
    mine = received(app, "marie.lefevre@outlook.fr")
    theirs = received(app, "paul.durand@exemple.fr")
    merging.merge(app=app, reference=mine, by="Camille", into=theirs, confirm=True, at=T0)
    [ack] = outbox(app, mine, "acknowledgement")
    taken = inbound.take(
        app, reply("marie.lefevre@outlook.fr", [ack.message_id], "Et alors ?", 1), source="imap"
    )
    assert taken.reason == f"merged_other: {mine}"
    assert not events(app, theirs, "customer_message")


def test_the_customers_second_message_answering_their_first_is_the_same_complaint(
    app: App,
) -> None:
    first = inbound.take(app, eml("pdf_attachment.eml"), source="imap", at=T0)
    again = reply(
        "claire.dubois@exemple.fr",
        ["<pdf-attachment-0001@exemple.fr>"],
        "J'oubliais : mon numéro client est 4421.",
        1,
    )
    second = inbound.take(app, again, source="imap", at=T0 + timedelta(minutes=5))
    assert (second.outcome, second.reference) == (InboundOutcome.MESSAGE, first.reference)
    assert count(app, type(complaint(app, str(first.reference)))) == 1


def test_a_reply_quoting_only_our_e_mail_is_no_message(app: App) -> None:
    reference = received(app, "marie.lefevre@outlook.fr")
    [ack] = outbox(app, reference, "acknowledgement")
    quoted = "\r\n".join(
        ["Le lun. 2 mars 2026 à 10:00, Service réclamations a écrit :", "> Bonjour,", "> Reçu."]
    )
    taken = inbound.take(
        app, reply("marie.lefevre@outlook.fr", [ack.message_id], quoted, 1), source="imap", at=T0
    )
    assert taken.reason == f"empty_reply: {reference}"
    assert not events(app, reference, "customer_message")


def test_what_the_limits_refuse_is_left_out_and_the_words_are_kept(app: App) -> None:
    reference = received(app, "marie.lefevre@outlook.fr")
    [ack] = outbox(app, reference, "acknowledgement")
    boundary = "b0undary"
    signed = (
        "From: marie.lefevre@outlook.fr\r\nTo: reclamations@exemple-services.fr\r\n"
        f"Subject: Re: signé\r\nMessage-ID: <signed-1@exemple.fr>\r\nIn-Reply-To: {ack.message_id}\r\n"
        f'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nVoici la facture.\r\n"
        f"--{boundary}\r\nContent-Type: application/pdf\r\n"
        'Content-Disposition: attachment; filename="facture.pdf"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        "JVBERi0xLjQKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK\r\n"
        f"--{boundary}\r\nContent-Type: application/octet-stream\r\n"
        'Content-Disposition: attachment; filename="smime.p7s"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAA\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    taken = inbound.take(app, signed, source="imap", at=T0)
    assert (taken.outcome, taken.reference) == (InboundOutcome.MESSAGE, reference)
    [files] = events(app, reference, "files_received")
    assert files.data["left_out"] == 1 and len(files.data["attachments"]) == 1
    assert count(app, Attachment) == 1


def test_a_bounce_keeps_the_complaint_flagged_past_later_mail(app: App, smtp: MailSink) -> None:
    reference = received(app, "marie.lefevre@outlook.fr")
    [ack] = outbox(app, reference, "acknowledgement")
    bounce = eml("bounce.eml", reference, acknowledgement=ack.message_id)
    inbound.take(app, bounce, source="imap", at=T0 + timedelta(minutes=30))
    from complaints.services import information

    information.request_information(
        app=app, reference=reference, by="Camille", what="Une photo", at=T0 + timedelta(hours=1)
    )
    send(app, reference, T0 + timedelta(hours=1))  # another e-mail leaves: the flag stays
    assert complaint(app, reference).needs_attention

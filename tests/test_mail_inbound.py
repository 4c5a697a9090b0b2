"""What a message from the real world is, read from .eml files written the way Outlook, Gmail,
Apple Mail, an out-of-office, a bounce and a mailing list write them (tests/mail/)."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from complaints.mail.inbound import Kind, read

MAIL = Path(__file__).parent / "mail"
DOMAINS = frozenset({"exemple-services.fr"})
OWN = frozenset({"reclamations@exemple-services.fr"})


def of(name: str) -> bytes:
    return (MAIL / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "kind", "reference", "why"),
    [
        ("outlook_reply.eml", Kind.REPLY, "REC-2026-000042", "answers <"),
        ("gmail_reply.eml", Kind.REPLY, "REC-2026-000042", "answers <"),
        ("apple_mail_subject_only.eml", Kind.REPLY, "REC-2026-000042", "reference in the subject"),
        ("out_of_office.eml", Kind.AUTOMATIC, None, "Auto-Submitted: auto-replied"),
        ("mailing_list.eml", Kind.AUTOMATIC, None, "Precedence: list"),
        ("our_own_message.eml", Kind.AUTOMATIC, None, "one of our own e-mails"),
        ("forwarded_complaint.eml", Kind.NEW, None, "no thread of ours"),
        ("windows_1252.eml", Kind.NEW, None, "no thread of ours"),
        ("pdf_attachment.eml", Kind.NEW, None, "no thread of ours"),
    ],
)
def test_each_real_world_message_is_told_apart(
    name: str, kind: Kind, reference: str | None, why: str
) -> None:
    found = read(of(name), domains=DOMAINS, own_addresses=OWN)
    assert (found.kind, found.reference) == (kind, reference)
    assert found.why.startswith(why)


def test_an_out_of_office_answering_our_e_mail_is_never_taken_for_a_reply() -> None:
    """It names our Message-ID like a reply does: the automatic headers win."""
    found = read(of("out_of_office.eml"), domains=DOMAINS, own_addresses=OWN)
    assert found.parents and found.kind == Kind.AUTOMATIC


def test_a_bounce_names_the_e_mail_of_ours_it_is_about() -> None:
    found = read(of("bounce.eml"), domains=DOMAINS, own_addresses=OWN)
    assert found.kind == Kind.BOUNCE and found.reference == "REC-2026-000042"
    assert found.bounce is not None
    assert found.bounce.original is not None and ".acknowledgement@" in found.bounce.original
    assert (found.bounce.recipient, found.bounce.status) == ("inconnu@exemple.fr", "5.1.1")
    assert found.bounce.permanent
    whole = of("bounce.eml").replace(b"text/rfc822-headers", b"message/rfc822")  # Exchange's way
    again = read(whole, domains=DOMAINS, own_addresses=OWN)
    assert again.bounce is not None and again.bounce.original == found.bounce.original
    delayed = of("bounce.eml").replace(b"Action: failed", b"Action: delayed")
    later = read(delayed.replace(b"Status: 5.1.1", b"Status: 4.4.1"), domains=DOMAINS)
    assert later.bounce is not None and not later.bounce.permanent  # "for now": not final


def test_another_domains_message_ids_are_not_ours() -> None:
    """A reply is ours only if it answers one of our Message-IDs: a reference-like string in
    someone else's Message-ID, on another domain, proves nothing."""
    found = read(of("gmail_reply.eml"), domains=frozenset({"ailleurs.example"}))
    assert found.kind == Kind.REPLY and found.why == "reference in the subject"
    plain = of("forwarded_complaint.eml").replace(b"TR: Facture", b"TR: REC-2026 Facture")
    assert read(plain, domains=DOMAINS).kind == Kind.NEW


def test_a_sender_that_never_reads_replies_is_automatic() -> None:
    noreply = of("forwarded_complaint.eml").replace(
        b"accueil.rennes@exemple-services.fr", b"no-reply@transporteur.example"
    )
    assert read(noreply, domains=DOMAINS).why == "sent by no-reply@transporteur.example"
    ours = read(
        of("forwarded_complaint.eml").replace(b"accueil.rennes", b"reclamations"),
        domains=DOMAINS,
        own_addresses=OWN,
    )
    assert ours.why == "sent by our own address"


def test_a_message_without_message_id_is_known_by_its_digest() -> None:
    raw = of("mailing_list.eml").replace(
        b"Message-ID: <20260302070000.12345@lists.fournisseur.example>\n", b""
    )
    first, again = read(raw, domains=DOMAINS), read(raw, domains=DOMAINS)
    assert first.message_id.startswith("sha256:") and first.message_id == again.message_id


def test_charsets_and_attachments_are_read_as_sent() -> None:
    """Windows-1252 (with its € at 0x80) and a PDF come out as the sender wrote them."""
    message = message_from_bytes(of("windows_1252.eml"), policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert "Réclamation" in str(message["Subject"]) and "André Léger" in str(message["From"])
    body = message.get_body(("plain",))
    assert body is not None and "arrivé abîmé" in body.get_content() and "€" in body.get_content()
    pdf = message_from_bytes(of("pdf_attachment.eml"), policy=policy.default)
    assert isinstance(pdf, EmailMessage)
    [attached] = list(pdf.iter_attachments())
    assert attached.get_filename() == "facture-mars.pdf"
    assert attached.get_content().startswith(b"%PDF-")

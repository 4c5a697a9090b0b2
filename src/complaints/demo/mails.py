"""The demo's customer who writes by e-mail: her complaint, her mail program's out-of-office
while she is away, and her reply to our request for information, quoting it as mail programs
do. Written as they arrive in the mailbox, and taken through the mailbox's own code."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

CUSTOMER = ("Nadia Haddad", "nadia.haddad@exemple.fr")
MAILBOX = "Service réclamations <reclamations@exemple-services.fr>"
COMPLAINT = (
    "Bonjour,\n\nLa machine à café livrée le 28 fuit dès la première utilisation : une flaque"
    " se forme sous le réservoir. Je souhaite un échange.\n\nNadia Haddad"
)
REPLY = "Bonjour,\n\nLe numéro de série est CF-2026-118734, il est sous l'appareil.\n\nNadia"


def _message(subject: str, text: str, at: datetime, domain: str = "exemple.fr") -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"{CUSTOMER[0]} <{CUSTOMER[1]}>"
    message["To"] = MAILBOX
    message["Subject"] = subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text)
    return message


def complaint(at: datetime) -> bytes:
    return _message("Machine à café qui fuit", COMPLAINT, at).as_bytes()


def out_of_office(at: datetime, answering: str) -> bytes:
    message = _message("Réponse automatique : absente jusqu'au 5", "Je suis absente.", at)
    message["Auto-Submitted"] = "auto-replied"
    message["In-Reply-To"] = answering
    return message.as_bytes()


def reply(at: datetime, subject: str, quoted: str, thread: list[str]) -> bytes:
    """Her answer above our message, quoted below as her mail program does."""
    quote = "\n".join(f"> {line}" for line in quoted.splitlines())
    said = f"{REPLY}\n\nLe {at:%d/%m/%Y} à 09:00, {MAILBOX} a écrit :\n{quote}\n"
    message = _message(f"RE: {subject}", said, at)
    message["In-Reply-To"] = thread[-1]
    message["References"] = " ".join(thread)
    return message.as_bytes()

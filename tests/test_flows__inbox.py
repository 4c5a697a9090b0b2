"""The read-mailbox flow against a real Dovecot, through the real flows (Prefect's test
harness): each real-world message does what it should, is filed only after it was taken, and a
crash between the two takes nothing twice. Prefect sees UIDs, outcomes and references only."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from complaints import orchestration
from complaints.app import App
from complaints.mail.sink import MailSink
from complaints.models import Complaint
from complaints.services import inbound
from tests.dovecot import Dovecot, dovecot

__all__ = ["dovecot"]  # the fixture, used by name
pytestmark = [pytest.mark.usefixtures("prefect_server"), pytest.mark.prefect]
MAIL = Path(__file__).parent / "mail"


def eml(name: str) -> bytes:
    return (MAIL / name).read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


@pytest.fixture
def mailbox(app: App, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch) -> Dovecot:
    """The product's settings pointed at the test's Dovecot."""
    for name, value in dovecot.settings().model_dump().items():
        if name.startswith("imap_"):
            monkeypatch.setattr(app.settings, name, value)
    monkeypatch.setattr(app.settings, "imap_password", SecretStr(dovecot.password))
    return dovecot


def complaints(app: App) -> int:
    with app.db.reader() as session:
        return int(session.scalar(select(func.count()).select_from(Complaint)) or 0)


def test_the_mailbox_is_read_each_message_once_then_filed(
    app: App, mailbox: Dovecot, smtp: MailSink
) -> None:
    names = ("pdf_attachment.eml", "out_of_office.eml", "bounce.eml", "mailing_list.eml")
    for name in names:
        mailbox.deliver(eml(name))
    # A message taken before a crash kept it from being filed: found taken, only filed.
    crashed = eml("windows_1252.eml")
    inbound.take(app, crashed, source="imap")
    mailbox.deliver(crashed)
    counts = asyncio.run(orchestration.read_mailbox())
    assert counts == {"waiting": 5, "new": 1, "again": 1, "ignored": 2, "bounce": 1}
    assert mailbox.messages("INBOX") == []
    assert len(mailbox.messages("Processed")) == 5
    assert complaints(app) == 2
    # Nothing waits: a second run takes nothing.
    assert asyncio.run(orchestration.read_mailbox()) == {"waiting": 0}
    # The complaint sent to the mailbox is acknowledged in its own thread; nobody else written.
    asyncio.run(orchestration.handle(None))
    written = [str(m["To"]) for m in smtp.messages]
    assert len(written) == 2 and not any("newsletter" in to or "daemon" in to for to in written)
    [ack] = [m for m in smtp.messages if "claire.dubois@exemple.fr" in str(m["To"])]
    assert ack["In-Reply-To"] == "<pdf-attachment-0001@exemple.fr>"

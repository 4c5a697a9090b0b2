"""Send an e-mail: a small protocol, an SMTP implementation (aiosmtplib) and a fake."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Protocol

import aiosmtplib

from complaints.clock import now
from complaints.models import OutboxMessage
from complaints.settings import Settings


class HeaderInjection(ValueError):
    """A header value with a line break: refused rather than sent."""


def _header(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise HeaderInjection("line break in an e-mail header")
    return value


def build_message(message: OutboxMessage, *, mail_from: str) -> EmailMessage:
    """The MIME message of an outbox row: text and HTML, its fixed Message-ID."""
    email = EmailMessage()
    email["From"] = _header(mail_from)
    email["To"] = formataddr((_header(message.recipient_name), _header(message.recipient)))
    email["Subject"] = _header(message.subject)
    email["Message-ID"] = _header(message.message_id)
    email["Date"] = format_datetime(now())
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.text_body)
    email.add_alternative(message.html_body, subtype="html")
    return email


class Connection(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand `message` to the mail system, or raise."""


class EmailSender(Protocol):
    def connect(self) -> AbstractAsyncContextManager[Connection]:
        """One connection for a batch of messages."""


class _SmtpConnection:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: aiosmtplib.SMTP | None = None

    async def send(self, message: EmailMessage) -> None:
        s = self._settings
        if self._client is None or not self._client.is_connected:
            self._client = aiosmtplib.SMTP(
                hostname=s.smtp_host,
                port=s.smtp_port,
                start_tls=s.smtp_starttls,
                timeout=s.smtp_timeout_seconds,
                username=s.smtp_username,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            )
            await self._client.connect()
        try:
            await self._client.send_message(message)
        except aiosmtplib.SMTPServerDisconnected:
            self._client = None
            raise

    async def close(self) -> None:
        if self._client is not None and self._client.is_connected:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await self._client.quit()


class SmtpSender:
    """Sends through the SMTP server of the settings, one connection per batch."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @contextlib.asynccontextmanager
    async def connect(self) -> AsyncIterator[Connection]:
        connection = _SmtpConnection(self._settings)
        try:
            yield connection
        finally:
            await connection.close()


class MemorySender:
    """A fake for unit tests of logic: keeps what it is given; fails the first `failures` sends."""

    def __init__(self, failures: int = 0) -> None:
        self.sent: list[EmailMessage] = []
        self.failures = failures

    @contextlib.asynccontextmanager
    async def connect(self) -> AsyncIterator[Connection]:
        yield self

    async def send(self, message: EmailMessage) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("fake SMTP failure")
        self.sent.append(message)

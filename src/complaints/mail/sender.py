"""Send an e-mail: a small protocol, an SMTP implementation (aiosmtplib) and a fake."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr, parseaddr, quote
from typing import Protocol

import aiosmtplib

from complaints.clock import now
from complaints.mail.addresses import on_the_wire
from complaints.mail.faults import Unsendable
from complaints.models import OutboxMessage
from complaints.settings import Settings


class HeaderInjection(Unsendable):
    """A header value with a line break: refused rather than sent."""


def _header(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise HeaderInjection("line break in an e-mail header")
    return value


# Headers are written as built, never refolded: compat32 would fold a long Message-ID onto a
# line of its own, which receivers then read with a leading space. The Subject is folded
# into encoded words when it is built.
WIRE = compat32.clone(linesep="\r\n", max_line_length=None)


def _is_ascii(*values: str) -> bool:
    return all(value.isascii() for value in values)


def _thread(email: Message, message: OutboxMessage, reply_to: str | None) -> None:
    """The headers that make the complaint's e-mails one conversation, and its replies come
    to the complaints mailbox."""
    if reply_to:  # an address header: its name encoded as From's is (RFC 2047)
        plain = not isinstance(email, EmailMessage)
        email["Reply-To"] = formataddr(parseaddr(reply_to), charset="utf-8") if plain else reply_to
    if message.in_reply_to:
        email["In-Reply-To"] = message.in_reply_to
        email["References"] = message.thread_refs or message.in_reply_to


def build_message(
    message: OutboxMessage, *, mail_from: str, reply_to: str | None = None
) -> Message:
    """The MIME message of an outbox row: text and HTML, its fixed Message-ID.

    Built with the compat32 classes, whose headers are plain strings: four times cheaper than
    EmailMessage's header objects, which parse every value they are given and fold it again
    when sent (3 ms a message, a quarter of a lifecycle's CPU). An address outside ASCII needs
    SMTPUTF8, which only EmailMessage's policy writes: those few take the slow path."""
    values = (mail_from, message.recipient_name, message.recipient, message.subject)
    threads = (message.message_id, message.in_reply_to or "", message.thread_refs, reply_to or "")
    for value in (*values, *threads):
        _header(value)
    sender, recipient = parseaddr(mail_from), on_the_wire(message.recipient)
    if not _is_ascii(sender[1], recipient):
        return _build_utf8(message, mail_from=mail_from, reply_to=reply_to)
    email = MIMEMultipart("alternative")
    email["From"] = formataddr(sender, charset="utf-8")
    email["To"] = formataddr((message.recipient_name, recipient), charset="utf-8")
    subject = message.subject
    email["Subject"] = subject if subject.isascii() else Header(subject, "utf-8").encode()
    email["Message-ID"] = message.message_id
    _thread(email, message, reply_to)
    email["Date"] = format_datetime(now())
    email["Auto-Submitted"] = "auto-generated"
    email.attach(MIMEText(message.text_body, "plain", "utf-8"))
    email.attach(MIMEText(message.html_body, "html", "utf-8"))
    return email


def _build_utf8(message: OutboxMessage, *, mail_from: str, reply_to: str | None) -> EmailMessage:
    email = EmailMessage()
    email["From"] = mail_from
    # Written out, not formataddr() nor Address(): both refuse a local part outside ASCII.
    email["To"] = f'"{quote(message.recipient_name)}" <{message.recipient}>'
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id
    _thread(email, message, reply_to)
    email["Date"] = format_datetime(now())
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.text_body)
    email.add_alternative(message.html_body, subtype="html")
    return email


class Connection(Protocol):
    async def send(self, message: Message) -> None:
        """Hand `message` to the mail system, or raise."""


class EmailSender(Protocol):
    def connect(self) -> AbstractAsyncContextManager[Connection]:
        """One connection for a batch of messages."""


class _SmtpConnection:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: aiosmtplib.SMTP | None = None

    async def send(self, message: Message) -> None:
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
            if isinstance(message, EmailMessage):
                await self._client.send_message(message)
            else:  # compat32: flattened here, headers as built (see WIRE)
                sender, recipient = parseaddr(message["From"])[1], parseaddr(message["To"])[1]
                await self._client.sendmail(sender, [recipient], message.as_bytes(policy=WIRE))
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
        self.sent: list[Message] = []
        self.failures = failures

    @contextlib.asynccontextmanager
    async def connect(self) -> AsyncIterator[Connection]:
        yield self

    async def send(self, message: Message) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("fake SMTP failure")
        self.sent.append(message)

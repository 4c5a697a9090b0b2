"""Whose fault a failed send is: this message's (for now or for good), or the mail server's.

A 5xx alone does not say: "550 5.1.1 no such user" is this recipient's, while "550 5.7.1
relaying denied" is our setting's and would refuse every message, so it never makes a message
final. The enhanced status code (RFC 3463) decides when a 5xx carries one: X.1 (address), X.2
(mailbox) and X.6 (content) are the message's; X.3 (system), X.4 (network), X.5 (protocol)
and X.7 (policy) the server's."""

from __future__ import annotations

import re
from email.errors import MessageDefect, MessageError
from enum import Enum

import aiosmtplib


class Fault(Enum):
    RETRY = "retry"  # this message, for now (4xx): tried again after its backoff
    REFUSED = "refused"  # this message, for good (5xx on its address, mailbox or content)
    SERVER = "server"  # the server, the connection or our setting: no other would get through


class Unsendable(ValueError):
    """A message that cannot be written for the wire (a line break in a header, an address
    that does not encode): refused for good, never retried."""


ENHANCED = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
MESSAGE_SUBJECTS = {"1", "2", "6"}  # addressing, mailbox, content (RFC 3463)


def _reply(code: int, text: str) -> Fault:
    """The fault of one SMTP reply to this message."""
    if code == 421:  # "service not available, closing channel"
        return Fault.SERVER
    if code < 500:
        return Fault.RETRY  # for now: it waits alone (a greylisted domain holds nobody up)
    enhanced = ENHANCED.search(text)
    if enhanced is not None and enhanced.group(2) not in MESSAGE_SUBJECTS:
        return Fault.SERVER  # policy, system, network, protocol: every message would fail
    return Fault.REFUSED


def classify(error: BaseException) -> Fault:
    """The fault behind `error`, raised by building or sending one message."""
    if isinstance(error, Unsendable | UnicodeError | aiosmtplib.SMTPNotSupported):
        return Fault.REFUSED  # SMTPNotSupported: an address needs SMTPUTF8, the relay lacks it
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        faults = {_reply(refused.code, refused.message) for refused in error.recipients}
        return max(faults, key=[Fault.REFUSED, Fault.RETRY, Fault.SERVER].index)
    if isinstance(
        error,
        aiosmtplib.SMTPSenderRefused
        | aiosmtplib.SMTPAuthenticationError
        | aiosmtplib.SMTPHeloError
        | aiosmtplib.SMTPConnectResponseError,
    ):
        return Fault.SERVER  # our own setting or the server's state: every message would fail
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return _reply(error.code, error.message)
    if isinstance(error, OSError | aiosmtplib.SMTPException):
        return Fault.SERVER  # refused connection, timeout, disconnection: the transport
    if isinstance(error, MessageError | MessageDefect):  # the e-mail package cannot write it
        return Fault.REFUSED
    return Fault.RETRY  # anything else: tried again after its backoff, flagged if it lasts


def summary(error: BaseException) -> str:
    """The kind of error and its SMTP code, never its text (a reply may quote the address)."""
    code = getattr(error, "code", None)
    return type(error).__name__ + (f" {code}" if isinstance(code, int) else "")

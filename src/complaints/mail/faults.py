"""Whose fault a failed send is: this message's (for now or for good), or the mail server's."""

from __future__ import annotations

from email.errors import MessageDefect, MessageError
from enum import Enum

import aiosmtplib


class Fault(Enum):
    RETRY = "retry"  # this message, for now (4xx): tried again after its backoff
    REFUSED = "refused"  # this message, for good (5xx, an address the relay cannot take)
    SERVER = "server"  # the server or the connection: no other message would get through


class Unsendable(ValueError):
    """A message that cannot be written for the wire (a line break in a header, an address
    that does not encode): refused for good, never retried."""


def classify(error: BaseException) -> Fault:
    """The fault behind `error`, raised by building or sending one message."""
    if isinstance(error, Unsendable | UnicodeError | aiosmtplib.SMTPNotSupported):
        return Fault.REFUSED  # SMTPNotSupported: an address needs SMTPUTF8, the relay lacks it
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        permanent = all(refused.code >= 500 for refused in error.recipients)
        return Fault.REFUSED if permanent else Fault.RETRY
    if isinstance(
        error,
        aiosmtplib.SMTPSenderRefused
        | aiosmtplib.SMTPAuthenticationError
        | aiosmtplib.SMTPHeloError
        | aiosmtplib.SMTPConnectResponseError,
    ):
        return Fault.SERVER  # our own setting or the server's state: every message would fail
    if isinstance(error, aiosmtplib.SMTPResponseException):
        if error.code == 421:  # "service not available, closing channel"
            return Fault.SERVER
        return Fault.REFUSED if error.code >= 500 else Fault.RETRY
    if isinstance(error, OSError | aiosmtplib.SMTPException):
        return Fault.SERVER  # refused connection, timeout, disconnection: the transport
    if isinstance(error, MessageError | MessageDefect):  # the e-mail package cannot write it
        return Fault.REFUSED
    return Fault.RETRY  # anything else: tried again after its backoff, flagged if it lasts


def summary(error: BaseException) -> str:
    """The kind of error and its SMTP code, never its text (a reply may quote the address)."""
    code = getattr(error, "code", None)
    return type(error).__name__ + (f" {code}" if isinstance(code, int) else "")

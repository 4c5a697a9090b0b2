"""A local SMTP server that stores what it receives as .eml files (demo and tests)."""

from __future__ import annotations

import itertools
import socket
import threading
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from complaints import private


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Handler:
    def __init__(self, folder: Path | None, refuse_first: int) -> None:
        self.folder = folder
        self.refuse_first = refuse_first
        # Asked before each message is kept; False refuses it (451): fault tests act here.
        self.accept: Callable[[EmailMessage], bool] | None = None
        self.received: list[bytes] = []
        self.recipients: list[str] = []  # as given in RCPT TO, in order
        # Addresses answered "550 no such user" at RCPT TO, as a relay does for a dead mailbox.
        self.unknown: set[str] = set()
        # A reply to every RCPT TO, as a relay refusing us by policy answers ("550 5.7.1 …").
        self.policy: str | None = None
        self._numbers = itertools.count(1)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.policy is not None:
            return self.policy
        if address in self.unknown:
            return "550 5.1.1 No such user here"
        self.recipients.append(address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_first > 0:
            self.refuse_first -= 1
            return "451 4.3.0 Temporary failure, try again later"
        if self.accept is not None and not self.accept(_parse(envelope.content)):
            return "451 4.3.0 Temporary failure, try again later"
        self.received.append(envelope.content)
        if self.folder is not None:
            path = self.folder / f"{next(self._numbers):04d}.eml"
            private.write_bytes(path, envelope.content)
        return "250 OK"


def _parse(content: bytes) -> EmailMessage:
    message = message_from_bytes(content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


class MailSink:
    """Receives on 127.0.0.1:`port`; keeps messages in memory and, if asked, in `folder`."""

    def __init__(
        self,
        folder: Path | None = None,
        port: int = 0,
        refuse_first: int = 0,
        *,
        smtputf8: bool = True,
    ) -> None:
        if folder is not None:
            private.folder(folder)
        self.port = port or free_port()
        self.handler = _Handler(folder, refuse_first)
        self._parsed: list[EmailMessage] = []
        self._parsing = threading.Lock()  # asked from the test's thread and the server's
        self._controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=smtputf8
        )

    @property
    def messages(self) -> list[EmailMessage]:
        """What was received, parsed when first asked for: parsing is most of a sink's CPU,
        which a benchmark would otherwise count as the sender's. (A property of the sink, not
        of its handler: aiosmtpd reads every attribute of the handler on each connection.)"""
        with self._parsing:
            for content in self.handler.received[len(self._parsed) :]:
                self._parsed.append(_parse(content))
            return self._parsed

    def refuse_next(self, count: int) -> None:
        self.handler.refuse_first = count

    def start(self) -> MailSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> MailSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

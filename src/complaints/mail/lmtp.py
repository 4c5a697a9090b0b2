"""Mail handed over by the organisation's own mail server, over LMTP (RFC 2033) or SMTP, taken
through the same code as the mailbox (services/inbound.py). A message is answered "taken" only
after our commit; when we cannot take it now, the server is told to try again (451), never
that it was delivered."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP

from complaints.app import App
from complaints.services import inbound


class Handler:
    def __init__(self, app: App, source: str) -> None:
        self.app = app
        self.source = source
        # The latest taken, in order (the tests read it): a long-running server keeps a few.
        self.taken: deque[inbound.Taken] = deque(maxlen=100)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw).encode()
        try:
            # The database is synchronous: off the loop that talks to the mail server.
            taken = await asyncio.to_thread(inbound.take, self.app, data, source=self.source)
        except Exception as error:  # the database down, the disk full: the server retries
            reply = f"451 4.3.0 cannot take the message now ({type(error).__name__})"
        else:
            self.taken.append(taken)
            reply = f"250 2.0.0 taken ({taken.outcome.value})"
        if self.source == "lmtp":  # one reply per recipient (RFC 2033, 4.2)
            return "\r\n".join([reply] * max(1, len(envelope.rcpt_tos)))
        return reply


class MailIn(Controller):
    """The listener on `host`:`port`; LMTP unless `smtp`."""

    def __init__(self, app: App, host: str, port: int, *, smtp: bool = False) -> None:
        self.lmtp = not smtp
        super().__init__(
            Handler(app, "lmtp" if self.lmtp else "smtp"),
            hostname=host,
            port=port,
            data_size_limit=app.settings.inbound_max_bytes * 2,
        )

    def factory(self) -> SMTP:
        kind = LMTP if self.lmtp else SMTP
        return kind(self.handler, **self.SMTP_kwargs)

"""Under `serve`, the complaints mailbox is read as soon as something arrives: IMAP IDLE wakes
the read-mailbox flow, and without news it runs anyway every `imap_idle_seconds`. A mailbox
that cannot be reached is said once per failure in one line, and tried again later."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from complaints import orchestration
from complaints.mail.imap import Mailbox, MailboxError
from complaints.settings import Settings

log = logging.getLogger("complaints.mailbox")
RETRY_SECONDS = 60.0  # after a failure, before the next try


def _wait(settings: Settings) -> bool:
    """Block until something arrives or the idle time passed (in a thread)."""
    with Mailbox(settings) as box:
        box.waiting()  # what is already there is not announced by IDLE: look first
        return box.wait(settings.imap_idle_seconds)


async def watch(settings: Settings, *, nudge: Callable[[], None] | None = None) -> None:
    """Run the read-mailbox flow, then wait for news, for ever; `nudge` the dispatcher after
    each run, so that a new complaint is acknowledged at once."""
    while True:
        try:
            outcome = await orchestration.read_mailbox()
            if nudge is not None and outcome.get("waiting"):
                nudge()
            await asyncio.to_thread(_wait, settings)
        except (MailboxError, orchestration.Unfinished) as error:
            log.warning("complaints mailbox: %s", error)
            await asyncio.sleep(RETRY_SECONDS)
        except Exception as error:  # the flow run shows what failed; the mail stays waiting
            log.warning("complaints mailbox: the read-mailbox flow failed: %s", error)
            await asyncio.sleep(RETRY_SECONDS)

"""Read the complaints mailbox once: every message waiting is taken (services/inbound.py) and,
only after that commit, moved to the processed folder, so that a crash midway takes no
message twice and loses none. What it did is said by UID, outcome and reference only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from complaints.app import App
from complaints.clock import at_or_now
from complaints.mail.imap import Gone, Mailbox, TooLarge
from complaints.services import inbound

# uid -> "new REC-2026-000042", "message REC-…", "ignored", "quarantined"…
Report = dict[str, str]


def waiting(app: App) -> list[int]:
    """The UIDs of the messages waiting, oldest first."""
    with Mailbox(app.settings) as box:
        return [message.uid for message in box.waiting()]


def take(
    app: App,
    uids: list[int],
    *,
    at: datetime | None = None,
    taken: Callable[[inbound.Taken], None] | None = None,
) -> Report:
    """Take the messages `uids` (those gone meanwhile are skipped); `taken` is told of each."""
    report: Report = {}
    with Mailbox(app.settings) as box:
        for uid in uids:
            try:
                raw = box.fetch(uid)
            except Gone:  # another reader took it since it was listed
                continue
            except TooLarge as error:
                result = inbound.too_large(
                    app, f"imap:{app.settings.imap_folder}:{uid}:{error.size}", error.size, at
                )
            else:
                result = inbound.take(app, raw, source="imap", at=at_or_now(at))
            box.done(uid)  # after the commit: taken again, it would be found taken
            report[str(uid)] = _said(result)
            if taken is not None:
                taken(result)
    return report


def _said(result: inbound.Taken) -> str:
    outcome = "again" if result.again else result.outcome.value  # taken before a crash
    return outcome + (f" {result.reference}" if result.reference else "")

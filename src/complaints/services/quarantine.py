"""The mailbox's quarantine for staff: what was kept and why, and the originals, each read of
one logged (it is a person's mail)."""

from __future__ import annotations

import logging

from complaints import files, inbound_queries
from complaints.app import App
from complaints.errors import NotFound
from complaints.templating import strings

log = logging.getLogger("complaints.quarantine")


def listed(*, app: App, limit: int = 200) -> list[inbound_queries.Arrived]:
    with app.db.reader() as session:
        return inbound_queries.arrived(session, limit=limit)


def words(app: App, lang: str) -> dict[str, str]:
    """The reasons' words in `lang` (templates/web/strings.toml)."""
    found: dict[str, str] = strings(app.settings.home / "templates")[lang]["inbox"]["why"]
    return found


def in_words(reason: str, words: dict[str, str]) -> str:
    """A kept reason (`code: detail`) in the page's language; an unknown one as it is."""
    code, _, detail = reason.partition(": ")
    template = words.get(code)
    return template.format(detail=detail) if template else reason


def original(*, app: App, inbound_id: int, by: str) -> bytes:
    """The message as it arrived (NotFound when unknown, not downloaded or erased)."""
    with app.db.reader() as session:
        row = inbound_queries.one(session, inbound_id)
        digest = row.raw_sha256 if row is not None else None
    if digest is None:
        raise NotFound(f"no original of received message {inbound_id}")
    log.info("received message %d downloaded by %s", inbound_id, by)
    return files.read(digest, under=files.store(app.settings))

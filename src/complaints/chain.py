"""The seals that make the history tamper-evident. Pure: no I/O.

Each Event's hash is an HMAC, under a key kept outside the database, of the previous event's
hash and this event's content (with the time it is about and the time it was recorded), so
that changing, removing or reordering one breaks every seal after it, and a chain recomputed
without the key does not verify. The complaint row keeps the chain's head (length, last hash)
under a keyed seal too, so that a removed last event shows. The seal covers the SHA-256 of the
reason rather than the reason itself: an anonymisation can erase the text (marking the event
redacted) while the anonymisation event that did it is sealed with the list it redacted."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

GENESIS = "0" * 64


def _canonical(values: list[Any]) -> str:
    return json.dumps(
        values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    )


def _mac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def fingerprint(key: bytes) -> str:
    """Names a key without revealing it: which key sealed a database."""
    return _mac(key, "complaints seal key")[:16]


def _content(row: Any, reason_digest: str, *, recorded: bool) -> str:
    """An event's sealed content as canonical JSON (the same on every database); the former
    seal had no recorded time."""
    values: list[Any] = [row.complaint_id, row.at.isoformat()]
    if recorded:
        values.append(row.recorded_at.isoformat() if row.recorded_at else None)
    values += [row.actor_kind, row.actor, row.action, row.from_state, row.to_state]
    return _canonical([*values, reason_digest, row.data or {}])


def seal(key: bytes, prev_hash: str, row: Any, reason_digest: str) -> str:
    """The hash of one event after `prev_hash`, under the key."""
    return _mac(key, f"event\n{prev_hash}\n{_content(row, reason_digest, recorded=True)}")


def head_seal(key: bytes, complaint_id: int, length: int, last_hash: str | None) -> str:
    """The seal of a chain's head: its length and last hash, bound to the complaint."""
    return _mac(key, f"head\n{complaint_id}\n{length}\n{last_hash or GENESIS}")


def checkpoint_seal(key: bytes, last_event_id: int, events: int, digest_: str) -> str:
    return _mac(key, f"checkpoint\n{last_event_id}\n{events}\n{digest_}")


def fact_seal(key: bytes, name: str, value: str) -> str:
    """A fact about the installation, sealed (its clock): written by hand, it does not count."""
    mark = _mac(key, f"fact\n{name}\n{value}")[:32]
    return f"{value}:{mark}"


def seal_v2(prev_hash: str, row: Any, reason_digest: str) -> str:
    """The former, unkeyed seal (revision 0006), over the reason's digest; for migrations, which
    also check the first seal (revisions 0004-0005) with it, given the reason itself."""
    content = _content(row, reason_digest, recorded=False)
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()

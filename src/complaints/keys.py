"""The seal key, kept outside the database: COMPLAINTS_SEAL_KEY, else var/seal_key (made on
first use, readable by its owner only)."""

from __future__ import annotations

import secrets
from pathlib import Path

from complaints import private
from complaints.settings import Settings


class BadKey(ValueError):
    """A seal key that is not hex of 32 bytes or more."""


def _parse(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise BadKey(f"{where} is not hexadecimal") from None
    if len(key) < 32:
        raise BadKey(f"{where} is shorter than 32 bytes (64 hex digits)")
    return key


def given(settings: Settings) -> str:
    """The key COMPLAINTS_SEAL_KEY gives, or "" (unset or empty: the file's is used)."""
    return settings.seal_key.get_secret_value().strip() if settings.seal_key else ""


def seal_key(settings: Settings) -> bytes:
    """The installation's seal key."""
    if given(settings):
        return _parse(given(settings), "COMPLAINTS_SEAL_KEY")
    path = key_file(settings)
    if not path.exists():
        private.write_once(path, secrets.token_hex(32) + "\n")
    return _parse(path.read_text(encoding="utf-8"), str(path))


def key_file(settings: Settings) -> Path:
    return settings.var / "seal_key"

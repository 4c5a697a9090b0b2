"""The seal key, kept outside the database: COMPLAINTS_SEAL_KEY, else var/seal_key (made on
first use, readable by its owner only)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

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


def _made_once(path: Path) -> None:
    """Write a new key unless another process just did: written whole under another name, then
    linked into place, which fails if the key exists (never two keys, never a half one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(secrets.token_hex(32) + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()


def given(settings: Settings) -> str:
    """The key COMPLAINTS_SEAL_KEY gives, or "" (unset or empty: the file's is used)."""
    return settings.seal_key.get_secret_value().strip() if settings.seal_key else ""


def seal_key(settings: Settings) -> bytes:
    """The installation's seal key."""
    if given(settings):
        return _parse(given(settings), "COMPLAINTS_SEAL_KEY")
    path = key_file(settings)
    if not path.exists():
        _made_once(path)
    return _parse(path.read_text(encoding="utf-8"), str(path))


def key_file(settings: Settings) -> Path:
    return settings.var / "seal_key"

"""The installation's files hold personal data and secrets: readable by their owner only."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def folder(path: Path) -> Path:
    """`path` and each parent it lacks, made 0700 (folders that exist are left as they are)."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for part in reversed(missing):
        try:
            part.mkdir(mode=FOLDER_MODE)
        except FileExistsError:  # made by another process meanwhile
            continue
        part.chmod(FOLDER_MODE)  # mkdir's mode passes through the umask
    return path


def touch(path: Path) -> Path:
    """An empty file made 0600 unless it exists: an SQLite database made this way keeps its
    journal and WAL files 0600 too (SQLite gives them the database's mode)."""
    folder(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    return path


def write_bytes(path: Path, content: bytes) -> None:
    """Write `path` whole, 0600 from its first byte (never readable by others meanwhile)."""
    folder(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)


def write_once(path: Path, content: str) -> None:
    """Write a new secret unless another process just did: written whole under another name,
    then linked into place, which fails if the file exists (never two, never half of one)."""
    folder(path.parent)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(content)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()

"""The content store: files kept outside the database under their SHA-256, in
var/files/ab/abcdef…, 0600 in 0700 folders; the same bytes are kept once. What a file is comes
from its content (libmagic), never from its name.

Which rows name a file, and so whether it may go, is the services' business: `erase` removes
what it is told to."""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import zipfile
from pathlib import Path

import magic

from complaints import private
from complaints.settings import Settings, get_settings

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Containers libmagic names by their format only: what they hold says what they are.
_OLE = ("application/x-ole-storage", "application/CDFV2", "application/vnd.ms-office")
_OUTLOOK_STREAM = "__substg1.0_".encode("utf-16-le")  # the property streams of an Outlook .msg
_OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def store(settings: Settings | None = None) -> Path:
    """The store's folder: var/files of `settings` (by default the process's)."""
    return (settings or get_settings()).var / "files"


def path_of(sha256: str, *, under: Path | None = None) -> Path:
    """Where the file of this digest lives (it may not exist); a digest that is not one is
    refused, so that no name reaches outside the store."""
    if not _SHA256.match(sha256):
        raise ValueError(f"not a SHA-256 digest: {sha256[:80]!r}")
    return (under or store()) / sha256[:2] / sha256


def put(data: bytes, *, under: Path | None = None) -> str:
    """Keep `data` and return its SHA-256 (hex). Written whole under another name and then
    renamed into place, so that a reader never sees half a file; kept once."""
    digest = hashlib.sha256(data).hexdigest()
    path = path_of(digest, under=under)
    if path.is_file() and path.stat().st_size == len(data):
        return digest
    private.folder(path.parent)
    draft = path.with_name(f".{digest}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, private.FILE_MODE)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        draft.replace(path)
    except BaseException:
        draft.unlink(missing_ok=True)
        raise
    return digest


def read(sha256: str, *, under: Path | None = None) -> bytes:
    """The bytes kept under this digest (FileNotFoundError if none)."""
    return path_of(sha256, under=under).read_bytes()


def erase(sha256: str, *, under: Path | None = None) -> None:
    """Remove the file of this digest, if it is there."""
    path_of(sha256, under=under).unlink(missing_ok=True)


def sniff(data: bytes, filename: str = "") -> str:
    """The MIME type of `data`, read from its content. The name is not believed: it only says
    what the customer called the file (an .exe renamed .pdf is still a program)."""
    found = str(magic.from_buffer(data, mime=True))
    if found in _OLE and _OUTLOOK_STREAM in data:
        return "application/vnd.ms-outlook"
    if found == "application/zip":
        return _office(data) or found
    return found


def _office(data: bytes) -> str | None:
    """An Office Open XML document that libmagic saw only as a ZIP (its parts in an order
    libmagic does not expect): the type its parts say."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, kind in _OOXML.items():
        if any(name.startswith(prefix) for name in names):
            return kind
    return None

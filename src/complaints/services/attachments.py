"""Customers' files: checked before anything is written (size, how many, type read from the
content), kept in the content store, listed, downloaded by the staff (each download an Event),
erased with the person's data.

Adding a file records no Event of its own: the step that brings it (the complaint received, a
message) names the files' ids in its Event."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from complaints import attachment_queries as queries
from complaints import files, inbound_queries, repository
from complaints.app import App
from complaints.clock import at_or_now
from complaints.errors import FileRefused, NotFound
from complaints.models import Attachment
from complaints.read_models import Attached
from complaints.services.history import record
from complaints.services.staff import staff_actor
from complaints.settings import Settings

SOURCES = ("web", "email", "tracking", "staff")
MAX_NAME = 200  # the column's length
ERASED_NAME = "[anonymisé]"  # the name an erased file keeps, as privacy.ERASED
# Characters a name loses: controls, format characters (a right-to-left override makes
# "facture<U+202E>fdp.exe" read "factureexe.pdf"), separators of lines, surrogates, private use.
_DROPPED = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co"}
log = logging.getLogger("complaints.attachments")
# The kinds of file as a person names them, in either language.
TYPE_NAMES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "image/heic": "HEIC",
    "image/heif": "HEIF",
    "text/plain": "TXT",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (DOCX)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (XLSX)",
    "application/vnd.oasis.opendocument.text": "OpenDocument (ODT)",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument (ODS)",
    "application/vnd.ms-outlook": "Outlook (MSG)",
    "message/rfc822": "EML",
}


@dataclass(frozen=True)
class Upload:
    """A file as it arrives: the name its sender gave it, its bytes, where it came from."""

    filename: str
    data: bytes
    source: str = "web"
    inbound_id: int | None = None


@dataclass(frozen=True)
class Checked:
    """An upload that passed the checks: its clean name and the type its content says."""

    upload: Upload
    filename: str
    content_type: str


@dataclass(frozen=True)
class Download:
    filename: str
    content_type: str
    data: bytes


def clean_name(filename: str) -> str:
    """The name to keep: its last path part, without invisible characters, 200 at most (the
    extension kept); "fichier" when nothing is left."""
    name = re.split(r"[/\\]", unicodedata.normalize("NFC", filename))[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in _DROPPED)
    name = name.strip().lstrip(".").strip() or "fichier"
    if len(name) <= MAX_NAME:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and len(extension) <= 10:
        return f"{stem[: MAX_NAME - len(extension) - 1].rstrip()}.{extension}"
    return name[:MAX_NAME].rstrip()


def size_words(size: int, lang: str) -> str:
    """A size as a person reads it: "1,5 Mo", "320 ko" (fr); "1.5 MB", "320 kB" (en)."""
    if size >= 1_000_000:
        number, unit = f"{size / 1_000_000:.1f}".removesuffix(".0"), "Mo" if lang == "fr" else "MB"
    else:
        number, unit = str(max(1, round(size / 1000))), "ko" if lang == "fr" else "kB"
    return f"{number.replace('.', ',') if lang == 'fr' else number} {unit}"


def check(
    settings: Settings, uploads: Sequence[Upload], *, count: int = 0, total: int = 0
) -> list[Checked]:
    """Each upload's clean name and type, or the first refusal (FileRefused) naming the file
    and the limit; `count` and `total`: the files and bytes the complaint already holds."""
    most = settings.attachments_max_per_complaint
    if uploads and count + len(uploads) > most:
        name = clean_name(uploads[max(0, most - count)].filename)
        raise FileRefused("too_many", name, most, f"{name}: a complaint holds {most} files at most")
    checked = []
    for upload in uploads:
        if upload.source not in SOURCES:
            raise ValueError(f"unknown source of a file: {upload.source!r}")
        name, size = clean_name(upload.filename), len(upload.data)
        if size == 0:
            raise FileRefused("empty", name, 0, f"{name}: the file is empty")
        if size > settings.attachment_max_bytes:
            limit = settings.attachment_max_bytes
            words = size_words(limit, "en")
            raise FileRefused("too_large", name, limit, f"{name}: a file is {words} at most")
        kind = files.sniff(upload.data, name)
        if kind not in settings.attachment_types:
            raise FileRefused("type", name, kind, f"{name}: files of type {kind} are not taken")
        total += size
        if total > settings.attachments_max_total_bytes:
            limit = settings.attachments_max_total_bytes
            words = size_words(limit, "en")
            raise FileRefused(
                "too_much", name, limit, f"{name}: a complaint's files are {words} at most together"
            )
        checked.append(Checked(upload, name, kind))
    return checked


def add_all(
    session: Session, app: App, complaint_id: int, uploads: Sequence[Upload], *, at: datetime
) -> list[Attachment]:
    """Check every upload against the limits (the complaint's files included), then keep them
    and write their rows in the caller's transaction; a refusal writes nothing."""
    if not uploads:
        return []
    repository.lock(session=session, complaint_id=complaint_id)  # two adds never pass one limit
    count, total = queries.usage(session=session, complaint_id=complaint_id)
    checked = check(app.settings, uploads, count=count, total=total)
    under = files.store(app.settings)
    rows = [
        Attachment(
            complaint_id=complaint_id,
            sha256=files.put(item.upload.data, under=under),
            filename=item.filename,
            content_type=item.content_type,
            size=len(item.upload.data),
            source=item.upload.source,
            added_at=at,
            inbound_id=item.upload.inbound_id,
        )
        for item in checked
    ]
    session.add_all(rows)
    session.flush()
    return rows


def what_fits(
    session: Session, app: App, complaint_id: int, uploads: Sequence[Upload]
) -> tuple[list[Upload], int]:
    """Those of `uploads` the limits take, in order, and how many they leave out."""
    count, total = queries.usage(session=session, complaint_id=complaint_id)
    kept: list[Upload] = []
    for upload in uploads:
        try:
            check(app.settings, [upload], count=count + len(kept), total=total)
        except FileRefused:
            continue
        kept.append(upload)
        total += len(upload.data)
    return kept, len(uploads) - len(kept)


def add(
    session: Session,
    app: App,
    complaint_id: int,
    *,
    filename: str,
    data: bytes,
    source: str,
    inbound_id: int | None = None,
    at: datetime,
) -> Attachment:
    """`add_all` for one file."""
    upload = Upload(filename, data, source, inbound_id)
    return add_all(session, app, complaint_id, [upload], at=at)[0]


def listed(session: Session, complaint_id: int) -> list[Attached]:
    """The complaint's files, oldest first, erased ones included (their names gone)."""
    return [
        Attached(
            id=a.id,
            filename=a.filename,
            content_type=a.content_type,
            size=a.size,
            source=a.source,
            added_at=a.added_at,
            erased_at=a.erased_at,
        )
        for a in queries.of(session=session, complaint_id=complaint_id)
    ]


def for_mediator(
    session: Session, complaint_id: int, *, lang: str, shared: bool
) -> list[dict[str, str]]:
    """The files as the mediator's case file names them: their names only when the customer
    agreed to share the file, their kinds and sizes always (erased ones left out)."""
    return [
        {
            "name": a.filename if shared else "",
            "type": TYPE_NAMES.get(a.content_type, a.content_type),
            "size": size_words(a.size, lang),
        }
        for a in queries.of(session=session, complaint_id=complaint_id)
        if a.erased_at is None
    ]


def erase_for(
    session: Session,
    complaint_id: int,
    at: datetime,
    *,
    under: Path | None = None,
    sender: str = "",
) -> int:
    """Erase the complaint's files and the originals of its e-mails (with the person's data):
    each row loses its name and its digest, and a content no other row names leaves the store (`under`, by default the
    process's) once the transaction commits. How many were erased."""
    rows = [a for a in queries.of(session=session, complaint_id=complaint_id) if not a.erased_at]
    digests = {a.sha256 for a in rows}
    for row in rows:
        row.filename, row.sha256, row.erased_at = ERASED_NAME, "", at
    # The e-mails the customer sent, as they arrived, go with them.
    digests |= inbound_queries.forget(session=session, complaint_id=complaint_id, sender=sender)
    session.flush()
    unused = digests - queries.in_use(session=session, digests=digests)
    if unused:
        _remove_after_commit(session, unused, under or files.store())
    return len(rows)


def _remove_after_commit(session: Session, digests: set[str], under: Path) -> None:
    """Remove the files once the erasure is committed: a rollback keeps them with their rows."""

    def remove(_session: Session) -> None:
        for digest in sorted(digests):
            try:
                files.erase(digest, under=under)
            except OSError as error:  # the rows say erased: the file is an orphan to remove
                log.warning("could not remove stored file %s: %s", digest, error)

    event.listen(session, "after_commit", remove, once=True)


def download(
    *,
    app: App,
    reference: str,
    attachment_id: int,
    viewer: str,
    at: datetime | None = None,
    channel: str = "the staff pages",
) -> Download:
    """One file of the complaint for a staff member; the download is an Event (access to
    personal data is logged). NotFound: no such file, erased, or missing from the store."""
    at = at_or_now(at)
    with app.db.transaction() as session:
        reader = staff_actor(session, viewer, at=at)
        complaint = repository.get(session=session, reference=reference)
        row = queries.get(session=session, complaint_id=complaint.id, attachment_id=attachment_id)
        if row is None or row.erased_at is not None:
            raise NotFound(f"{reference} has no file {attachment_id}")
        try:
            data = files.read(row.sha256, under=files.store(app.settings))
        except FileNotFoundError:
            raise NotFound(
                f"file {attachment_id} of {reference} is missing from the store"
            ) from None
        record(
            session,
            complaint,
            at=at,
            actor=reader,
            action="file_downloaded",
            reason=f"file {row.id} downloaded through {channel}",
            data={"attachment": row.id},
        )
        return Download(row.filename, row.content_type, data)

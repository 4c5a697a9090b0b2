"""Files sent with a customer's form (the complaint form, the tracking page's): read from the
multipart body, and a refusal said in the visitor's words."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData, UploadFile

from complaints.errors import FileRefused
from complaints.services.attachments import Upload, size_words
from complaints.settings import Settings


async def uploads(posted: FormData, field: str = "files", source: str = "web") -> list[Upload]:
    """The files sent with the form (a file input left empty sends a part with no name)."""
    sent = [f for f in posted.getlist(field) if isinstance(f, UploadFile)]
    return [Upload(f.filename or "", await f.read(), source) for f in sent if f.filename or f.size]


def refused_file(refused: FileRefused, texts: dict[str, Any], lang: str) -> str:
    """Why a file was refused, in the visitor's words, and that nothing was kept."""
    limit = refused.limit
    if refused.kind in ("too_large", "too_much") and isinstance(limit, int):
        limit = size_words(limit, lang)
    why = str(texts[f"err_file_{refused.kind}"]).format(name=refused.filename, limit=limit)
    return f"{why} {texts['err_file_again']}"


def limits(settings: Settings, lang: str) -> dict[str, Any]:
    """The limits the file input's help text says, in the visitor's words."""
    return {
        "count": settings.attachments_max_per_complaint,
        "size": size_words(settings.attachment_max_bytes, lang),
        "total": size_words(settings.attachments_max_total_bytes, lang),
    }

"""A customer's file, downloaded by a signed-in staff member: always saved, never shown in the
browser (a file is the customer's, not ours: it may hold anything a browser would run)."""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from complaints.api.deps import AppDep, Lang, PageStaff
from complaints.api.pages import message
from complaints.errors import NotFound
from complaints.services import attachments

router = APIRouter(prefix="/staff", include_in_schema=False)
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*$", re.IGNORECASE)
_UNSAFE = re.compile(r'[^\x20-\x7e]|["\\]')


def disposition(filename: str) -> str:
    """`attachment`, with the name in UTF-8 (RFC 6266) and an ASCII one for old clients."""
    fallback = _UNSAFE.sub("_", filename) or "fichier"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get("/complaints/{reference}/files/{attachment_id}")
def download(
    reference: str,
    attachment_id: int,
    app: AppDep,
    request: Request,
    lang: Lang,
    member: PageStaff,
) -> Response:
    """The file's bytes as a download; the download is recorded in the complaint's history."""
    if member is None:
        return RedirectResponse(f"/staff?lang={lang}", status_code=303)
    try:
        found = attachments.download(
            app=app, reference=reference, attachment_id=attachment_id, viewer=member.name
        )
    except NotFound:
        return message(app, request, lang, 404, "not_found")
    kind = found.content_type if _MEDIA_TYPE.match(found.content_type) else ""
    return Response(
        found.data,
        media_type=kind or "application/octet-stream",
        headers={
            "Content-Disposition": disposition(found.filename),
            "X-Content-Type-Options": "nosniff",
            # Opened by mistake in a tab, it may run nothing and reach nothing.
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )

"""The staff page of the complaints mailbox's quarantine: the messages kept but taken neither
as a complaint nor as a customer's message, each with its reason in words and its original to
download (signed-in staff, any role). Each download is logged, as every read of personal data."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from complaints.api.deps import AppDep, Lang, PageStaff
from complaints.api.pages import message, render_with_form, sign_in_first
from complaints.dates import long_moment
from complaints.errors import NotFound
from complaints.services import quarantine
from complaints.templating import strings

router = APIRouter(prefix="/staff/inbox", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def listed(app: AppDep, request: Request, lang: Lang, member: PageStaff) -> Response:
    """The quarantine, newest first."""
    if member is None:
        return sign_in_first(request, lang)
    words = strings(app.settings.home / "templates")[lang]["inbox"]
    zone = app.conduct.organisation.timezone
    rows = [
        {
            "id": row.id,
            "received": long_moment(row.received_at, lang, zone),
            "how": words["sources"].get(row.source, row.source),
            "sender": row.sender,
            "why": quarantine.in_words(row.reason, words["why"]),
            "reference": row.reference,
            "original": row.raw_sha256 is not None,
        }
        for row in quarantine.listed(app=app)
    ]
    return render_with_form(
        app,
        request,
        "staff_inbox",
        lang,
        rows=rows,
        member=member,
        switch_url=f"/staff/inbox?lang={'en' if lang == 'fr' else 'fr'}",
    )


@router.get("/{inbound_id}.eml")
def original(
    inbound_id: int, app: AppDep, request: Request, lang: Lang, member: PageStaff
) -> Response:
    """The message as it arrived, downloaded (never shown in the page)."""
    if member is None:
        return RedirectResponse(f"/staff?lang={lang}", status_code=303)
    try:
        raw = quarantine.original(app=app, inbound_id=inbound_id, by=member.name)
    except NotFound:
        return message(app, request, lang, 404, "not_found")
    return Response(
        raw,
        media_type="message/rfc822",
        headers={
            "Content-Disposition": f'attachment; filename="message-{inbound_id}.eml"',
            "X-Content-Type-Options": "nosniff",
        },
    )

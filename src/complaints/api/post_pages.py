"""The staff page of the print tray: the letters to customers without e-mail, each to
download as a PDF and to mark posted (signed-in staff, any role)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from complaints.api.deps import AppDep, Lang, PageStaff
from complaints.api.pages import message, render_with_form, sign_in_first
from complaints.app import App
from complaints.dates import long_moment
from complaints.errors import Conflict, NotFound, Refusal
from complaints.services import post
from complaints.services.staff import Staff
from complaints.templating import strings

router = APIRouter(prefix="/staff/post", include_in_schema=False)


def _tray(
    app: App,
    request: Request,
    lang: str,
    member: Staff,
    *,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    zone = app.conduct.organisation.timezone
    kinds = strings(app.settings.home / "templates")[lang]["post"]["kinds"]
    rows = [
        {
            "id": letter.id,
            "reference": letter.reference,
            "kind": kinds.get(letter.kind, letter.kind),
            "written": long_moment(letter.created_at, lang, zone),
            "name": letter.name,
        }
        for letter in post.tray(app=app)
    ]
    return render_with_form(
        app,
        request,
        "staff_post",
        lang,
        status,
        rows=rows,
        member=member,
        notice=notice,
        error=error,
        switch_url=f"/staff/post?lang={'en' if lang == 'fr' else 'fr'}",
    )


@router.get("", response_class=HTMLResponse)
def tray(app: AppDep, request: Request, lang: Lang, member: PageStaff) -> Response:
    """The letters waiting to be printed and posted, oldest first."""
    if member is None:
        return sign_in_first(request, lang)
    return _tray(app, request, lang, member)


@router.get("/{letter_id}.pdf")
def download(
    letter_id: int, app: AppDep, request: Request, lang: Lang, member: PageStaff
) -> Response:
    """One letter as an A4 PDF, downloaded (never shown inline in the page)."""
    if member is None:
        return RedirectResponse(f"/staff?lang={lang}", status_code=303)
    words = "courrier" if lang == "fr" else "letter"
    try:
        pdf = post.pdf(app=app, letter_id=letter_id)
    except NotFound:
        return message(app, request, lang, 404, "not_found")
    return Response(
        pdf,
        media_type="application/pdf",
        # Named in the member's language: courrier-12.pdf, letter-12.pdf.
        headers={"Content-Disposition": f'attachment; filename="{words}-{letter_id}.pdf"'},
    )


@router.post("/{letter_id}/posted", response_class=HTMLResponse)
def posted(
    letter_id: int,
    app: AppDep,
    request: Request,
    lang: Lang,
    member: PageStaff,
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Mark a letter posted by the signed-in member: its promise is kept today."""
    if member is None:
        return RedirectResponse(f"/staff?lang={lang}", status_code=303)
    if not request.app.state.csrf.valid(request, csrf):
        return message(app, request, lang, 403, "csrf")
    words = strings(app.settings.home / "templates")[lang]["post"]
    try:
        done = post.mark_posted(app=app, letter_id=letter_id, by=member.name)
    except NotFound:
        return message(app, request, lang, 404, "not_found")
    except Conflict:
        return _tray(app, request, lang, member, error=words["not_waiting"], status=409)
    except Refusal as refusal:
        return _tray(app, request, lang, member, error=str(refusal), status=refusal.status)
    text = words["done"].format(id=done.id, reference=done.reference)
    return _tray(app, request, lang, member, notice=text)

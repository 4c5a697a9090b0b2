"""A simple staff page: open complaints by due date, overdue first, and a page to act on one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from complaints.api.deps import STAFF_COOKIE, AppDep, Lang, current_staff
from complaints.api.pages import message, render_with_form, strings
from complaints.api.steps import STEPS, perform
from complaints.lifecycle import OPEN_STATES
from complaints.services import staff as staff_service
from complaints.services import views
from complaints.services.errors import REFUSALS
from complaints.services.staff import Staff

router = APIRouter(prefix="/staff", include_in_schema=False)


def _member(request: Request, app: AppDep) -> Staff | None:
    try:
        return current_staff(request, app)
    except HTTPException:
        return None


Member = Annotated[Staff | None, Depends(_member)]


@router.get("", response_class=HTMLResponse)
def board(app: AppDep, request: Request, lang: Lang, member: Member) -> HTMLResponse:
    """Open complaints, overdue first, then by answer date."""
    if member is None:
        return render_with_form(app, request, "staff_login", lang, error=False)
    rows = views.list_complaints(app=app, states=sorted(OPEN_STATES), overdue=False, limit=500)
    rows.sort(key=lambda row: (not row["overdue"], row["answer_by"]))
    return render_with_form(app, request, "staff_list", lang, rows=rows, member=member)


@router.post("/login", response_class=HTMLResponse)
def login(
    app: AppDep,
    request: Request,
    lang: Lang,
    token: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if not request.app.state.csrf.valid(request, csrf):
        return message(app, request, lang, 403, "csrf")
    if staff_service.authenticate(app=app, token=token) is None:
        return render_with_form(app, request, "staff_login", lang, 401, error=True)
    response = RedirectResponse(f"/staff?lang={lang}", status_code=303)
    response.set_cookie(
        STAFF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        max_age=12 * 3600,
        secure=app.settings.public_base_url.startswith("https"),
    )
    return response


def _page(
    app: AppDep,
    request: Request,
    lang: str,
    member: Staff,
    reference: str,
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    data = views.show(app=app, reference=reference, viewer=member.name)
    return render_with_form(
        app,
        request,
        "staff_complaint",
        lang,
        status,
        c=data,
        member=member,
        categories=app.conduct.category_keys(),
        notice=notice,
        error=error,
    )


@router.get("/c/{reference}", response_class=HTMLResponse)
def complaint(
    reference: str, app: AppDep, request: Request, lang: Lang, member: Member
) -> Response:
    if member is None:
        return RedirectResponse(f"/staff?lang={lang}", status_code=303)
    try:
        return _page(app, request, lang, member, reference)
    except REFUSALS:
        return message(app, request, lang, 404, "not_found")


@router.post("/c/{reference}/{step}", response_class=HTMLResponse)
async def act(
    reference: str, step: str, app: AppDep, request: Request, lang: Lang, member: Member
) -> Response:
    """One staff step from its form; a refusal is shown on the page and changes nothing."""
    if member is None:
        return RedirectResponse(f"/staff?lang={lang}", status_code=303)
    form = {k: str(v) for k, v in (await request.form()).items()}
    if not request.app.state.csrf.valid(request, form.get("csrf")):
        return message(app, request, lang, 403, "csrf")
    if step not in STEPS:
        return message(app, request, lang, 404, "not_found")
    fields = {k: v for k, v in form.items() if k != "csrf"}
    if "founded" in fields:
        fields["founded"] = str(fields["founded"] == "yes")
    try:
        perform(app, member, reference, step, STEPS[step].body.model_validate(fields))
    except HTTPException as refused:
        return _page(
            app,
            request,
            lang,
            member,
            reference,
            error=str(refused.detail),
            status=refused.status_code,
        )
    except (*REFUSALS, ValidationError) as refusal:
        return _page(app, request, lang, member, reference, error=str(refusal), status=409)
    request.app.state.on_intake()
    done = strings(app.settings.home / "templates")[lang]["staff"]["done"]
    return _page(app, request, lang, member, reference, notice=done)

"""A simple staff page: open complaints by due date, overdue first, and a page to act on one."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from complaints.api.deps import STAFF_COOKIE, AppDep, Lang, current_staff
from complaints.api.pages import message, render_with_form, strings
from complaints.lifecycle import OPEN_STATES
from complaints.models import ActionKind, Decision
from complaints.services import handling, views
from complaints.services import staff as staff_service
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
    needs = {"assign": "manager", "escalate": "manager", "mediation": "manager", "close": "manager"}
    if not member.may(needs.get(step, "agent")):
        return _page(
            app, request, lang, member, reference, error=f"{step}: {needs[step]} only", status=403
        )
    by = member.name
    try:
        if step == "analysis":
            handling.record_analysis(
                app=app,
                reference=reference,
                by=by,
                root_cause=form.get("root_cause", ""),
                category=form.get("category", ""),
                founded=form.get("founded") == "yes",
            )
        elif step == "action":
            handling.plan_action(
                app=app,
                reference=reference,
                by=by,
                kind=ActionKind(form.get("kind", "")),
                description=form.get("description", ""),
                owner=form.get("owner", ""),
                due_on=date.fromisoformat(form.get("due_on", "")),
            )
        elif step == "response":
            handling.respond(
                app=app,
                reference=reference,
                by=by,
                decision=Decision(form.get("decision", "")),
                message=form.get("message", ""),
            )
        elif step == "assign":
            handling.assign(app=app, reference=reference, by=by, assignee=form.get("assignee", ""))
        elif step == "escalate":
            handling.escalate(app=app, reference=reference, by=by, reason=form.get("reason", ""))
        elif step == "mediation":
            handling.record_mediation_outcome(
                app=app, reference=reference, by=by, outcome=form.get("outcome", "")
            )
        elif step == "close":
            handling.close(app=app, reference=reference, by=by, reason=form.get("reason", ""))
        else:
            return message(app, request, lang, 404, "not_found")
    except (*REFUSALS, ValueError) as refusal:
        return _page(app, request, lang, member, reference, error=str(refusal), status=409)
    request.app.state.on_intake()
    done = strings(app.settings.home / "templates")[lang]["staff"]["done"]
    return _page(app, request, lang, member, reference, notice=done)

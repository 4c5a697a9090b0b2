"""A simple staff page: open complaints by due date, overdue first, and a page to act on one;
signing in opens a server-side session, signing out ends it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from complaints.api import complaint_page, field_errors, queue_page, step_refusals
from complaints.api.deps import STAFF_COOKIE, AppDep, Lang, PageStaff
from complaints.api.pages import back_to, message, render_with_form, sign_in_first
from complaints.api.step_forms import form_of, parse_form, title
from complaints.app import App
from complaints.errors import Forbidden, IllegalTransition, NotFound, Refusal
from complaints.services import staff_sessions, views
from complaints.services.attachments import size_words
from complaints.services.queue import Filters
from complaints.services.staff import Staff
from complaints.staff_steps import STEPS, open_steps
from complaints.templating import strings
from complaints.words import label

router = APIRouter(prefix="/staff", include_in_schema=False)
# The step that usually comes next in each state: its form is unfolded when it is open.
NEXT = {
    "in_analysis": "analysis",
    "analysed": "actions",
    "actions_planned": "response",
    "awaiting_information": "information-received",
    "answered": "close",
    "awaiting_feedback": "close",
    "with_mediator": "mediation",
    "closed": "reopen",
}


@dataclass(frozen=True)
class Refused:
    """Why a step's form was refused: its fields' reasons and what was typed, or its state."""

    step: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    illegal: bool = False


def _cookie_options(app: App) -> dict[str, Any]:
    # No Max-Age: the browser forgets it when closed; the server ends it after an idle spell.
    secure = app.settings.public_base_url.startswith("https")
    return {"httponly": True, "samesite": "strict", "secure": secure, "path": "/"}


@router.get("", response_class=HTMLResponse)
def board(
    app: AppDep,
    request: Request,
    lang: Lang,
    member: PageStaff,
    chosen: Annotated[Filters, Depends(queue_page.filters)],
    next: Annotated[str, Query(max_length=500)] = "",
) -> HTMLResponse:
    """The queue: open complaints, most urgent first, filtered, searched, a page at a time."""
    if member is None:
        page = render_with_form(app, request, "staff_login", lang, error=False, next=next)
        if STAFF_COOKIE in request.cookies:  # ended, idle or never valid: forget it
            page.delete_cookie(STAFF_COOKIE, **_cookie_options(app))
        return page
    return queue_page.page(app, request, lang, member, chosen)


@router.post("/login", response_class=HTMLResponse)
def login(
    app: AppDep,
    request: Request,
    lang: Lang,
    token: Annotated[str, Form(max_length=200)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Open a new session for a valid token; the one the browser held before ends. The
    member goes on to the staff page they were asked to sign in for (`next`), if any."""
    if not request.app.state.csrf.valid(request, csrf):
        return message(app, request, lang, 403, "csrf")
    former = request.cookies.get(STAFF_COOKIE, "")[:100] or None
    session_id = staff_sessions.sign_in(app=app, token=token, replacing=former)
    if session_id is None:
        return render_with_form(app, request, "staff_login", lang, 401, error=True, next=next)
    target = back_to(next)
    if target is not None:
        target += ("&" if "?" in target else "?") + f"lang={lang}"
    response = RedirectResponse(target or f"/staff?lang={lang}", status_code=303)
    response.set_cookie(STAFF_COOKIE, session_id, **_cookie_options(app))
    return response


@router.post("/logout", response_class=HTMLResponse)
def logout(
    app: AppDep, request: Request, lang: Lang, csrf: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    """End this browser's session on the server and forget its cookie."""
    if not request.app.state.csrf.valid(request, csrf):
        return message(app, request, lang, 403, "csrf")
    session_id = request.cookies.get(STAFF_COOKIE, "")[:100]
    if session_id:
        staff_sessions.sign_out(app=app, session_id=session_id)
    response = RedirectResponse(f"/staff?lang={lang}", status_code=303)
    response.delete_cookie(STAFF_COOKIE, **_cookie_options(app))
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
    refused: Refused | None = None,
    answer: str | None = None,
) -> HTMLResponse:
    data = views.show(
        app=app, reference=reference, viewer=member.name, channel="the staff page", lang=lang
    )
    words = strings(app.settings.home / "templates")[lang]
    steps = open_steps(app=app, reference=reference, role=member.lifecycle_role)
    refused = refused or Refused()
    if refused.illegal:  # the step does not fit the state the complaint is in: say that state
        templates = app.settings.home / "templates"
        state = label(templates, lang, "state", data["state"])
        error = strings(templates)[lang]["errors"]["step_state"].format(state=state)
    return render_with_form(
        app,
        request,
        "staff_complaint",
        lang,
        status,
        c=data,
        **complaint_page.context(app, data, lang, member, answer),
        open_step=refused.step or ("response" if answer else ""),
        next_step=NEXT.get(data["state"], ""),
        member=member,
        steps=[form_of(spec, lang, words) for spec in steps],
        words=words["choices"],
        categories=app.conduct.category_keys(),
        notice=notice,
        error=error,
        failed=refused.step,
        errors=refused.fields,
        first_error=next(iter(refused.fields), None),
        values=refused.values,
        sizes={a["id"]: size_words(a["size"], lang) for a in data["attachments"]},
        # After a step's POST, the other language is the complaint's page (the step has no GET).
        switch_url=f"/staff/c/{quote(reference)}?lang={'en' if lang == 'fr' else 'fr'}",
    )


@router.get("/answers.js")
def answers_script(app: AppDep) -> Response:
    """The answer form's script (a file of the same origin: the pages allow no inline script)."""
    script = (app.settings.home / "templates" / "web" / "answers.js").read_text("utf-8")
    return Response(script, media_type="text/javascript")


@router.get("/c/{reference}", response_class=HTMLResponse)
def complaint(
    reference: str,
    app: AppDep,
    request: Request,
    lang: Lang,
    member: PageStaff,
    answer: Annotated[str | None, Query(max_length=40)] = None,
    done: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """The complaint whole, with the steps this member may take now (`answer`: the standard
    answer to start the answer form from; `done`: the step just taken, said)."""
    if member is None:
        return sign_in_first(request, lang)
    words = strings(app.settings.home / "templates")[lang]
    notice = words["staff"]["done"] if done in STEPS or done == "action-done" else None
    try:
        return _page(app, request, lang, member, reference, notice=notice, answer=answer)
    except NotFound:
        return message(app, request, lang, 404, "not_found")


@router.post("/c/{reference}/{step}", response_class=HTMLResponse)
async def act(
    reference: str, step: str, app: AppDep, request: Request, lang: Lang, member: PageStaff
) -> Response:
    """One staff step from its form; a refusal is shown on the page and changes nothing."""
    if member is None:
        return RedirectResponse(f"/staff?lang={lang}", status_code=303)
    form = {k: str(v) for k, v in (await request.form()).items()}
    if not request.app.state.csrf.valid(request, form.get("csrf")):
        return message(app, request, lang, 403, "csrf")
    if step not in STEPS:
        return message(app, request, lang, 404, "not_found")
    spec, fields = STEPS[step], {k: v for k, v in form.items() if k != "csrf"}
    words = strings(app.settings.home / "templates")[lang]

    def again(status: int, error: str | None, about: dict[str, str] | None = None) -> Response:
        """The page again, the refusal said, what was typed kept (the step's form open)."""
        refused = Refused(step, about or {}, fields)
        return _page(
            app, request, lang, member, reference, error=error, status=status, refused=refused
        )

    fields_refused = words["errors"]["step_fields"].format(form=title(spec, lang, words))
    left = step_refusals.unfinished(step, fields, words)
    if left:
        return again(422, fields_refused, left)
    try:
        body = spec.body.model_validate(parse_form(spec, fields))
        spec.take(app, reference, member.name, body, role=member.lifecycle_role)
    except ValidationError as invalid:  # each field's reason in words, never pydantic's
        return again(422, fields_refused, field_errors.by_field(invalid, words))
    except Forbidden:  # a role the member does not have
        return again(403, words["errors"]["step_role"])
    except IllegalTransition:
        return _page(
            app, request, lang, member, reference, status=409, refused=Refused(illegal=True)
        )
    except NotFound:
        if not views.exists(app=app, reference=reference):
            return message(app, request, lang, 404, "not_found")
        # Another complaint the form named (to link or merge) does not exist: said here.
        return again(404, words["errors"]["other_not_found"])
    except Refusal as refusal:  # in the member's words, with what was typed kept
        text, about = step_refusals.explained(refusal, words)
        return again(refusal.status, text, about)
    request.app.state.on_intake()
    # Post/Redirect/Get: reloading the page shows it again, never takes the step twice.
    done = f"/staff/c/{quote(reference)}?{urlencode({'lang': lang, 'done': step})}"
    return RedirectResponse(done, status_code=303)

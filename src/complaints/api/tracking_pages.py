"""The tracking page and what the customer may do on it, no login (the link is the key):
write to us (a message, and files), answer a request for information (with files), reopen a
closed complaint, withdraw an open one. Each form
is CSRF-checked and rate-limited; a refused one shows the page again, saying why in the
complaint's language, and changes nothing. Done, the page says so (post/redirect/get)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from complaints.api.deps import AppDep, client_address, language
from complaints.api.pages import message, render_with_form
from complaints.api.uploads import limits, refused_file, uploads
from complaints.app import App
from complaints.dates import in_a_while
from complaints.errors import Conflict, FileRefused, Forbidden, Invalid, NotFound
from complaints.mail.compose import tracking_path
from complaints.mail.reading import File
from complaints.services import information, messages, reopening, tracking
from complaints.templating import strings

router = APIRouter(include_in_schema=False)
DONE = ("information", "message", "reopened", "follow_up", "withdrawn")  # ?fait= when done
Text = Annotated[str, Form()]


def _page(
    app: App,
    request: Request,
    token: str,
    status: int = 200,
    *,
    new: bool = False,
    done: str = "",
    notice: str = "",
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    data = tracking.tracking(app=app, token=token)
    texts = strings(app.settings.home / "templates")[data["lang"]]
    said = ""
    if done in DONE:
        follow_ups = data["follow_ups"]
        said = texts[f"done_{done}"].format(
            date=data["answer_by"],
            reference=follow_ups[-1]["reference"] if follow_ups else "",
        )
    return render_with_form(
        app,
        request,
        "track",
        data["lang"],
        status,
        c=data,
        new=new,
        token=token,
        tracking_url=f"{app.settings.public_base_url}{tracking_path(token)}",
        switch_url=None,
        done=said,
        notice=notice,
        errors=errors or {},
        values=values or {},
        files=limits(app.settings, data["lang"]),
    )


@router.get("/suivi/{token}", response_class=HTMLResponse)
def track(
    app: AppDep, request: Request, token: str, nouveau: int = 0, fait: str = ""
) -> HTMLResponse:
    """The customer's view of the complaint: state, dates, steps, the answer once sent, and
    the forms open to them now."""
    try:
        return _page(app, request, token, new=bool(nouveau), done=fait)
    except NotFound:
        return message(app, request, language(request), 404, "not_found")


def _take(
    app: App,
    request: Request,
    token: str,
    csrf: str,
    field: str,
    text: str,
    longest: int,
    step: Callable[[], Any],
    done: Callable[[Any], str],
) -> Response:
    """Check the form, take the step, and show the page again: done, or why not."""
    try:
        lang = tracking.language(app=app, token=token)
    except NotFound:
        return message(app, request, language(request), 404, "not_found")
    texts = strings(app.settings.home / "templates")[lang]
    if not request.app.state.csrf.valid(request, csrf):
        return message(app, request, lang, 403, "csrf")
    limit, client = request.app.state.intake_limit, client_address(request)
    if not limit.allow(client):
        seconds = limit.retry_after(client)
        notice = texts["track_too_many"].format(when=in_a_while(seconds, lang))
        page = _page(app, request, token, 429, notice=notice, values={field: text})
        page.headers["Retry-After"] = str(seconds)
        return page
    try:
        result = step()
    except FileRefused as refused:
        errors = {"fichiers": refused_file(refused, texts, lang)}
        return _page(app, request, token, 422, errors=errors, values={field: text})
    except Invalid:
        most = f"{longest:,}".replace(",", "\u202f" if lang == "fr" else ",")
        error = texts["track_too_long"].format(max=most)
        return _page(app, request, token, 422, errors={field: error}, values={field: text})
    except (Conflict, Forbidden):
        return _page(app, request, token, 409, notice=texts["track_refused"])
    request.app.state.on_intake()  # its e-mails go out at once
    return RedirectResponse(f"{tracking_path(token)}?fait={done(result)}", status_code=303)


async def _write(app: App, request: Request, token: str, field: str) -> Response:
    """The customer's words (form field `field`) and files: a message, or the information
    asked, as the complaint's state says (services/messages.py)."""
    posted = await request.form()
    text, csrf = str(posted.get(field, "")), str(posted.get("csrf", ""))
    sent = [File(u.filename, u.data) for u in await uploads(posted, "fichiers", "tracking")]
    return await run_in_threadpool(
        _take,
        app,
        request,
        token,
        csrf,
        field,
        text,
        information.LONGEST,
        lambda: messages.receive_by_token(
            app=app, token=token, text=text, files=sent, answering=field == "informations"
        ),
        lambda received: received.did,
    )


@router.post("/suivi/{token}/informations", response_class=HTMLResponse)
async def send_information(app: AppDep, request: Request, token: str) -> Response:
    """The customer's answer to a request for information, with files: the clock runs again."""
    return await _write(app, request, token, "informations")


@router.post("/suivi/{token}/message", response_class=HTMLResponse)
async def send_message(app: AppDep, request: Request, token: str) -> Response:
    """A message to the team handling the complaint, with files."""
    return await _write(app, request, token, "message")


@router.post("/suivi/{token}/rouvrir", response_class=HTMLResponse)
def reopen(
    app: AppDep, request: Request, token: str, csrf: Text = "", motif: Text = ""
) -> Response:
    """Reopen a closed complaint; past the window, a new complaint follows it."""
    return _take(
        app,
        request,
        token,
        csrf,
        "motif",
        motif,
        2000,
        lambda: reopening.reopen_by_token(app=app, token=token, reason=motif),
        lambda taken: "follow_up" if taken.created else "reopened",
    )


@router.post("/suivi/{token}/retirer", response_class=HTMLResponse)
def withdraw(
    app: AppDep,
    request: Request,
    token: str,
    csrf: Text = "",
    motif: Text = "",
    confirmer: Text = "",
) -> Response:
    """Withdraw an open complaint, once the box says so."""
    if confirmer != "oui" and request.app.state.csrf.valid(request, csrf):
        try:
            lang = tracking.language(app=app, token=token)
        except NotFound:
            return message(app, request, language(request), 404, "not_found")
        texts = strings(app.settings.home / "templates")[lang]
        errors = {"confirmer": texts["withdraw_unconfirmed"]}
        return _page(app, request, token, 422, errors=errors, values={"retrait": motif})
    return _take(
        app,
        request,
        token,
        csrf,
        "retrait",
        motif,
        2000,
        lambda: reopening.withdraw_by_token(app=app, token=token, reason=motif),
        lambda _: "withdrawn",
    )

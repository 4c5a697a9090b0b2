"""The customer's pages, no login: the complaint form (the tracking page: tracking_pages; the
survey: survey_pages)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from complaints import policy
from complaints.api.deps import AppDep, Lang, client_address
from complaints.api.pages import message, render_with_form
from complaints.api.uploads import limits, refused_file
from complaints.api.uploads import uploads as read_uploads
from complaints.dates import in_a_while
from complaints.errors import FileRefused, NotListed
from complaints.intake import PublicIntake
from complaints.services import attachments, intake
from complaints.templating import strings

router = APIRouter(include_in_schema=False)
CONSENTS = ("consent_contact", "consent_share")  # checkboxes, never ticked in advance
FIELDS = (
    "name",
    "email",
    "phone",
    "subject",
    "description",
    "desired_outcome",
    "product",
    "region",
    "customer_type",
    "language",
    "channel",  # not shown: the form is the web channel; a posted e-mail channel is allowed
)


def _form_page(
    app: AppDep,
    request: Request,
    lang: str,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    notice: str = "",
) -> HTMLResponse:
    return render_with_form(
        app,
        request,
        "form",
        lang,
        status,
        values=values,
        errors=errors,
        notice=notice,
        first_error=next(iter(errors), None),
        # The lists of the code of conduct, as (key, words in the visitor's language).
        choices={
            field: [(c.key, str(getattr(c, lang))) for c in app.conduct.intake.choices(field)]
            for field in ("customer_type", "region")
        },
        retention_years=app.conduct.retention.years_after_closure,
        # The longest a web complaint waits under the code in force (a grave one waits less).
        answer_days=policy.answer_rule(app.conduct.terms(), channel="web", severity="normal")[0],
        counting=app.conduct.answer.counting,
        files=limits(app.settings, lang),
    )


def _explain(error: Any, texts: dict[str, Any]) -> str:
    """A pydantic error in the customer's words and language."""
    kind, text = error["type"], str(error.get("msg", ""))
    if kind in ("missing", "nothing_visible") or "must not be empty" in text:
        return str(texts["err_required"])
    if kind == "invisible_character":
        return str(texts["err_invisible"])
    if kind == "customer_channel":
        return str(texts["err_channel"])
    if kind == "email_utf8":
        return str(texts["err_email_utf8"])
    if kind == "string_too_long":
        return str(texts["err_too_long"]).format(max=error.get("ctx", {}).get("max_length", ""))
    if "email" in text:
        return str(texts["err_email"])
    if "one line" in text:
        return str(texts["err_line"])
    if "phone" in text:
        return str(texts["err_phone"])
    return str(texts["err_invalid"])


def _slow_down(
    app: AppDep, request: Request, lang: str, values: dict[str, str], seconds: int
) -> HTMLResponse:
    """429: the form again, filled as it was sent, saying in words when it may be sent."""
    when = in_a_while(seconds, lang)
    notice = strings(app.settings.home / "templates")[lang]["too_many"].format(when=when)
    page = _form_page(app, request, lang, values, {}, status=429, notice=notice)
    page.headers["Retry-After"] = str(seconds)
    return page


@router.get("/", response_class=HTMLResponse)
def form(app: AppDep, request: Request, lang: Lang) -> HTMLResponse:
    """The complaint form: works without JavaScript."""
    return _form_page(app, request, lang, {}, {})


@router.post("/", response_class=HTMLResponse)
async def submit(app: AppDep, request: Request, lang: Lang) -> Response:
    """Record the complaint, then show its reference and tracking link (post/redirect/get)."""
    posted = await request.form()
    values = {key: str(posted.get(key, "")) for key in (*FIELDS, *CONSENTS)}
    if not request.app.state.csrf.valid(request, str(posted.get("csrf", ""))):
        return message(app, request, lang, 403, "csrf")
    limit, client = request.app.state.intake_limit, client_address(request)
    if not limit.allow(client):
        return _slow_down(app, request, lang, values, limit.retry_after(client))
    data = {
        **values,
        "channel": values["channel"] or "web",
        "phone": values["phone"] or None,
        **{key: values[key] == "oui" for key in CONSENTS},  # an unticked box is not sent
    }
    texts = strings(app.settings.home / "templates")[lang]
    uploads, errors = await read_uploads(posted), {}
    try:  # the files first, so that a form with other errors says all of them at once
        attachments.check(app.settings, uploads)
    except FileRefused as refused:
        errors["files"] = refused_file(refused, texts, lang)
    try:
        complaint = PublicIntake.model_validate(data)
        if not errors:
            # In a thread: the files are read, typed and written to disk with the complaint.
            receipt = await run_in_threadpool(
                intake.receive, app=app, intake=complaint, files=uploads
            )
    except (ValidationError, NotListed) as error:
        if isinstance(error, NotListed):
            errors[error.field] = str(texts["err_choice"])
        else:
            errors |= {str(e["loc"][0]): _explain(e, texts) for e in error.errors() if e["loc"]}
    if errors:
        ordered = {key: errors[key] for key in (*FIELDS, "files") if key in errors}
        return _form_page(app, request, lang, values, ordered, status=422)
    request.app.state.on_intake()
    return RedirectResponse(
        f"/suivi/{receipt.tracking_token}?nouveau=1&lang={values['language']}", status_code=303
    )

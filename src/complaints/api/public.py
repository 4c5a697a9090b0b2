"""The customer's pages, no login: complaint form, tracking page, one-click survey."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from complaints import policy
from complaints.api.deps import AppDep, Lang, client_address
from complaints.api.pages import message, render, render_with_form, strings
from complaints.intake import Intake
from complaints.mail.compose import tracking_path
from complaints.repository import NotFound
from complaints.services import feedback, intake, tracking
from complaints.services.errors import AlreadyAnswered

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
)


def _form_page(
    app: AppDep,
    request: Request,
    lang: str,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    return render_with_form(
        app,
        request,
        "form",
        lang,
        status,
        values=values,
        errors=errors,
        first_error=next(iter(errors), None),
        retention_years=app.conduct.retention.years_after_closure,
        # The longest a web complaint waits under the code in force (a grave one waits less).
        answer_days=policy.answer_rule(app.conduct.terms(), channel="web", severity="normal")[0],
        counting=app.conduct.answer.counting,
    )


def _explain(error: Any, texts: dict[str, Any]) -> str:
    """A pydantic error in the customer's words and language."""
    kind, text = error["type"], str(error.get("msg", ""))
    if kind == "missing" or "must not be empty" in text:
        return str(texts["err_required"])
    if kind == "string_too_long":
        return str(texts["err_too_long"]).format(max=error.get("ctx", {}).get("max_length", ""))
    if "email" in text:
        return str(texts["err_email"])
    if "one line" in text:
        return str(texts["err_line"])
    if "phone" in text:
        return str(texts["err_phone"])
    return str(texts["err_invalid"])


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
    if not request.app.state.intake_limit.allow(client_address(request)):
        return message(app, request, lang, 429, "too_many")
    data = {
        **values,
        "channel": "web",
        "phone": values["phone"] or None,
        **{key: values[key] == "oui" for key in CONSENTS},  # an unticked box is not sent
    }
    try:
        receipt = intake.receive(app=app, intake=Intake.model_validate(data))
    except ValidationError as error:
        texts = strings(app.settings.home / "templates")[lang]
        errors = {str(e["loc"][0]): _explain(e, texts) for e in error.errors() if e["loc"]}
        ordered = {key: errors[key] for key in FIELDS if key in errors}
        return _form_page(app, request, lang, values, ordered, status=422)
    request.app.state.on_intake()
    return RedirectResponse(
        f"/suivi/{receipt.tracking_token}?nouveau=1&lang={values['language']}", status_code=303
    )


@router.get("/suivi/{token}", response_class=HTMLResponse)
def track(app: AppDep, request: Request, token: str, nouveau: int = 0) -> HTMLResponse:
    """The customer's view of the complaint: state, dates, steps, the answer once sent."""
    try:
        data = tracking.tracking(app=app, token=token)
    except NotFound:
        return message(app, request, "fr", 404, "not_found")
    url = f"{app.settings.public_base_url}{tracking_path(token)}"
    return render(
        app,
        request,
        "track",
        data["lang"],
        c=data,
        new=bool(nouveau),
        tracking_url=url,
        switch_url=None,
    )


@router.get("/avis/{token}", response_class=HTMLResponse)
def survey(app: AppDep, request: Request, token: str, satisfait: str, lang: Lang) -> Response:
    """One click from the e-mail records the answer; a second click changes nothing."""
    if satisfait not in ("oui", "non"):
        return message(app, request, lang, 400, "not_found")
    texts = strings(app.settings.home / "templates")[lang]
    try:
        reference, state = feedback.record_by_token(
            app=app, token=token, satisfied=satisfait == "oui"
        )
    except NotFound:
        return message(app, request, lang, 404, "not_found")
    except AlreadyAnswered:
        return render(
            app,
            request,
            "survey",
            lang,
            message=texts["already"],
            comment_form=False,
            token=token,
            csrf="",
            tracking_url=None,
        )
    request.app.state.on_intake()  # the review or referral e-mails go out at once
    if state == "closed":
        text = texts["thanks_satisfied"]
    elif state == "with_mediator":
        text = texts["thanks_mediator"]
    else:
        text = texts["thanks_review"].format(
            date=feedback.promised_answer(app=app, reference=reference, lang=lang)
        )
    return render_with_form(
        app,
        request,
        "survey",
        lang,
        message=text,
        comment_form=True,
        token=token,
        tracking_url=None,
    )


@router.post("/avis/{token}/commentaire", response_class=HTMLResponse)
def comment(
    app: AppDep,
    request: Request,
    token: str,
    lang: Lang,
    csrf: Annotated[str, Form()] = "",
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if not request.app.state.csrf.valid(request, csrf):
        return message(app, request, lang, 403, "csrf")
    try:
        feedback.add_comment(app=app, token=token, comment=comment)
    except NotFound:
        return message(app, request, lang, 404, "not_found")
    except AlreadyAnswered:
        return message(app, request, lang, 409, "already")
    texts = strings(app.settings.home / "templates")[lang]
    return render(
        app,
        request,
        "survey",
        lang,
        message=texts["comment_thanks"],
        comment_form=False,
        token=token,
        csrf="",
        tracking_url=None,
    )

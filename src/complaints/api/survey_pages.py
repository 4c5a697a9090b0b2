"""The satisfaction survey: the e-mailed link opens the question with the answer already ticked
and one button; only that form's POST records it. Mail scanners that open links change nothing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from complaints.api.deps import AppDep, Lang, language
from complaints.api.pages import message, render, render_with_form
from complaints.app import App
from complaints.errors import AlreadyAnswered, NotFound
from complaints.services import feedback
from complaints.services.feedback import SurveyLink
from complaints.templating import strings

router = APIRouter(include_in_schema=False)
CHOICES = {"oui": True, "non": False}


def _language(request: Request, link: SurveyLink) -> str:
    """The switch link's ?lang=, else the complaint's language (not the browser's)."""
    asked = request.query_params.get("lang")
    return asked if asked in ("fr", "en") else link.language


def _said(
    app: App, request: Request, lang: str, text: str, status: int = 200, comment: bool = False
) -> HTMLResponse:
    """The survey page saying `text`, with the comment form after a recorded answer."""
    token = request.path_params["token"]
    context = {"ask": False, "message": text, "comment_form": comment, "token": token}
    context |= {"choice": "", "error": ""}
    if request.method != "GET":  # this answer's page has no address: the link now says "already"
        context["switch_url"] = None
    if comment:
        return render_with_form(app, request, "survey", lang, status, **context)
    return render(app, request, "survey", lang, status, csrf="", **context)


def _closed(app: App, request: Request, lang: str, link: SurveyLink, status: int) -> HTMLResponse:
    texts = strings(app.settings.home / "templates")[lang]
    text = texts["already"] if link.status == "answered" else texts["survey_closed"]
    return _said(app, request, lang, text, status)


def _question(
    app: App, request: Request, lang: str, choice: str, status: int = 200, error: str = ""
) -> HTMLResponse:
    return render_with_form(
        app,
        request,
        "survey",
        lang,
        status,
        ask=True,
        token=request.path_params["token"],
        choice=choice,
        error=error,
        message="",
        comment_form=False,
    )


@router.get("/avis/{token}", response_class=HTMLResponse)
def ask(app: AppDep, request: Request, token: str, satisfait: str = "") -> Response:
    """The question with the link's answer ticked; reading it, however often, changes nothing."""
    try:
        link = feedback.find_survey(app=app, token=token)
    except NotFound:
        return message(app, request, language(request), 404, "not_found")
    lang = _language(request, link)
    if link.status != "open":
        return _closed(app, request, lang, link, 200)
    return _question(app, request, lang, satisfait if satisfait in CHOICES else "")


@router.post("/avis/{token}", response_class=HTMLResponse)
def answer(
    app: AppDep,
    request: Request,
    token: str,
    csrf: Annotated[str, Form(max_length=200)] = "",
    satisfait: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Record the answer once and take the step it leads to; a second one changes nothing."""
    try:
        link = feedback.find_survey(app=app, token=token)
    except NotFound:
        return message(app, request, language(request), 404, "not_found")
    lang = _language(request, link)
    texts = strings(app.settings.home / "templates")[lang]
    if not request.app.state.csrf.valid(request, csrf):
        return message(app, request, lang, 403, "csrf")
    if link.status != "open":
        return _closed(app, request, lang, link, 409)
    if satisfait not in CHOICES:
        return _question(app, request, lang, "", 422, error=texts["survey_pick"])
    try:
        reference, state = feedback.record_by_token(
            app=app, token=token, satisfied=CHOICES[satisfait]
        )
    except AlreadyAnswered:  # answered in another tab since the check above
        return _said(app, request, lang, texts["already"], 409)
    request.app.state.on_intake()  # the review or referral e-mails go out at once
    if state == "closed":
        text = texts["thanks_satisfied"]
    elif state == "with_mediator":
        text = texts["thanks_mediator"]
    else:
        date = feedback.promised_answer(app=app, reference=reference, lang=lang)
        text = texts["thanks_review"].format(date=date)
    return _said(app, request, lang, text, comment=True)


@router.post("/avis/{token}/commentaire", response_class=HTMLResponse)
def comment(
    app: AppDep,
    request: Request,
    token: str,
    lang: Lang,
    csrf: Annotated[str, Form(max_length=200)] = "",
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The optional comment after an answer; recorded once."""
    if not request.app.state.csrf.valid(request, csrf):
        return message(app, request, lang, 403, "csrf")
    texts = strings(app.settings.home / "templates")[lang]
    if not comment.strip():
        return _said(app, request, lang, texts["err_required"], 422, comment=True)
    try:
        feedback.add_comment(app=app, token=token, comment=comment)
    except NotFound:
        return message(app, request, lang, 404, "not_found")
    except AlreadyAnswered:
        return message(app, request, lang, 409, "already")
    return _said(app, request, lang, texts["comment_thanks"])

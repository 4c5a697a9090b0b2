"""Errors as the caller can read them: JSON under /api/, a page in the visitor's language elsewhere."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException

from complaints.api.deps import language
from complaints.api.pages import render
from complaints.api.security import HEADERS, body_cap
from complaints.errors import Refusal
from complaints.templating import strings

log = logging.getLogger("complaints.web")

# The words of each status in templates/web/strings.toml's [*.errors]: "<key>" and "<key>_title".
KEYS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method",
    409: "conflict",
    413: "too_large",
    422: "invalid_query",
    429: "too_many",
    503: "unavailable",
}


def wants_json(request: Request) -> bool:
    """The APIs answer JSON; every other address is a page."""
    path = request.url.path
    return path.startswith("/api/") or path == "/openapi.json"


def error_page(
    request: Request,
    status: int,
    key: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A page in the visitor's language that says what went wrong and what to do."""
    app = request.app.state.complaints
    lang = language(request)
    words = strings(app.settings.home / "templates")[lang]["errors"]
    key = key or KEYS.get(status, "server" if status >= 500 else "bad_request")
    page = render(
        app,
        request,
        "message",
        lang,
        status,
        heading=words[f"{key}_title"],
        message=words[key].format(size=body_cap(request) // 1024),
        # A member who mistyped a staff address goes back to the queue, not to the public form.
        home="staff" if request.url.path.startswith("/staff") else True,
    )
    page.headers.update(headers or {})
    return page


def install(web: FastAPI) -> None:
    """Answer every error in the caller's terms: JSON for /api/*, a page for the rest."""

    @web.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> Response:
        if wants_json(request):
            return await http_exception_handler(request, error)
        return error_page(request, error.status_code, headers=error.headers)

    @web.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        if wants_json(request):
            return await request_validation_exception_handler(request, error)
        in_form = any(e.get("loc", ("",))[0] == "body" for e in error.errors())
        return error_page(request, 422, "invalid_form" if in_form else "invalid_query")

    @web.exception_handler(OperationalError)
    @web.exception_handler(InterfaceError)
    async def _database_away(request: Request, error: Exception) -> Response:
        # A restart or a lock held too long: nothing was written (the transaction rolled back);
        # the client retries, with its Idempotency-Key, and gets one complaint.
        log.warning("database unavailable (%s): answered 503", type(error).__name__)
        if wants_json(request):
            return JSONResponse(
                {"detail": "the database is unavailable for a moment; retry"},
                status_code=503,
                headers={"Retry-After": "1"},
            )
        return error_page(request, 503, headers={"Retry-After": "1"})

    @web.exception_handler(Refusal)
    async def _refused(request: Request, error: Refusal) -> Response:
        # Each refusal carries its status: 422 invalid, 404 not found, 409 conflict, 403.
        if wants_json(request):
            return JSONResponse({"detail": str(error)}, status_code=error.status)
        return error_page(request, error.status)

    @web.exception_handler(500)
    async def _failed(request: Request, error: Exception) -> Response:
        # Starlette answers this outside the middleware: the safe headers are added here.
        headers = {**HEADERS, "Cache-Control": "no-store"}
        if wants_json(request):
            return JSONResponse({"detail": "internal error"}, status_code=500, headers=headers)
        return error_page(request, 500, headers=headers)

"""The web application: customer pages, intake API, staff API and page."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError

from complaints import __version__
from complaints.api import dashboard, intake_api, persons_api, public, staff_api, staff_pages
from complaints.api.security import Csrf, RateLimit, guard, secret_key
from complaints.app import App
from complaints.lifecycle import IllegalTransition
from complaints.repository import NotFound
from complaints.services.errors import RuleViolation
from complaints.services.intake import IdempotencyConflict

log = logging.getLogger("complaints.web")


def create_web_app(app: App, on_intake: Callable[[], None] | None = None) -> FastAPI:
    """The FastAPI app over `app`; `on_intake` is told when a complaint or a step arrives."""
    web = FastAPI(
        title="complaints",
        version=__version__,
        description="Customer complaints after ISO 10002: intake, tracking, survey, staff steps.",
    )
    web.state.complaints = app
    web.state.csrf = Csrf(secret_key(app.settings.var))
    web.state.intake_limit = RateLimit(app.settings.intake_per_minute, app.settings.intake_burst)
    web.state.on_intake = on_intake or (lambda: None)
    web.middleware("http")(guard)
    for router in (
        intake_api.router,
        staff_api.router,
        persons_api.router,
        dashboard.router,
        staff_pages.router,
        public.router,
    ):
        web.include_router(router)

    @web.exception_handler(OperationalError)
    @web.exception_handler(InterfaceError)
    async def _database_away(_: Request, error: Exception) -> JSONResponse:
        # A restart or a lock held too long: nothing was written (the transaction rolled back);
        # the client retries, with its Idempotency-Key, and gets one complaint.
        log.warning("database unavailable (%s): answered 503", type(error).__name__)
        return JSONResponse(
            {"detail": "the database is unavailable for a moment; retry"},
            status_code=503,
            headers={"Retry-After": "1"},
        )

    @web.exception_handler(NotFound)
    async def _not_found(_: Request, error: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=404)

    @web.exception_handler(IdempotencyConflict)
    async def _conflict(_: Request, error: IdempotencyConflict) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=409)

    @web.exception_handler(IllegalTransition)
    @web.exception_handler(RuleViolation)
    async def _refused(_: Request, error: ValueError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=409)

    return web

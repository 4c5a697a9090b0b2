"""The web application: customer pages, intake API, staff API and page."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from complaints import __version__
from complaints.api import (
    action_pages,
    dashboard,
    docs,
    errors,
    inbox_pages,
    intake_api,
    persons_api,
    post_pages,
    public,
    staff_api,
    staff_files,
    staff_pages,
    survey_pages,
    tracking_pages,
)
from complaints.api.security import Csrf, RateLimit, guard, secret_key
from complaints.app import App


def create_web_app(app: App, on_intake: Callable[[], None] | None = None) -> FastAPI:
    """The FastAPI app over `app`; `on_intake` is told when a complaint or a step arrives."""
    web = FastAPI(
        title="complaints",
        version=__version__,
        description="Customer complaints after ISO 10002: intake, tracking, survey, staff steps.",
        docs_url=None,  # served by docs.mount, without a CDN
        redoc_url=None,
    )
    web.state.complaints = app
    web.state.csrf = Csrf(secret_key(app.settings.var))
    web.state.intake_limit = RateLimit(app.settings.intake_per_minute, app.settings.intake_burst)
    web.state.on_intake = on_intake or (lambda: None)
    web.middleware("http")(guard)
    docs.mount(web)
    for router in (
        intake_api.router,
        staff_api.router,
        persons_api.router,
        dashboard.router,
        staff_pages.router,
        action_pages.router,
        staff_files.router,
        post_pages.router,
        inbox_pages.router,
        public.router,
        survey_pages.router,
        tracking_pages.router,
    ):
        web.include_router(router)
    errors.install(web)
    return web

"""The quality manager's dashboard (staff), its JSON, and the public promise register."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from complaints.api.deps import AppDep, Lang, StaffDep, page_staff
from complaints.api.pages import render, sign_in_first
from complaints.app import App
from complaints.models import Channel
from complaints.reporting.report import build, to_html
from complaints.reporting.sql import Scope
from complaints.words import label

router = APIRouter()


Days = Annotated[int, Query(ge=1, le=3660)]
Dim = Annotated[str | None, Query(max_length=80)]


def report_scope(
    days: Days = 30,
    product: Dim = None,
    region: Dim = None,
    customer_type: Dim = None,
    channel: Dim = None,
    category: Dim = None,
) -> Scope:
    """The last `days`, filtered by the query's dimensions."""
    now = datetime.now(UTC)
    filters = {
        "product": product,
        "region": region,
        "customer_type": customer_type,
        "channel": channel,
        "category": category,
    }
    return Scope(
        since=now - timedelta(days=days), until=now, filters={k: v for k, v in filters.items() if v}
    )


ScopeDep = Annotated[Scope, Depends(report_scope)]


@router.get("/api/staff/report", tags=["staff"])
def report_json(app: AppDep, member: StaffDep, scope: ScopeDep) -> dict[str, Any]:
    """The review report as JSON: figures, promise register, recurring causes, actions, audit."""
    return build(app=app, scope=scope, now=scope.until)


@router.get("/staff/tableau", response_class=HTMLResponse, include_in_schema=False)
def dashboard(
    app: AppDep, request: Request, scope: ScopeDep, lang: Lang, days: Days = 30
) -> Response:
    """The dashboard page: the staff's navigation and filters, then the review report over the
    last `days` (the same figures as `complaints report`), filtered by the query."""
    member = page_staff(request, app)
    if member is None:
        return sign_in_first(request, lang)
    token, nonce = request.app.state.csrf.issue(request)  # for the sign-out form
    head = render(
        app,
        request,
        "dashboard_head",
        lang,
        csrf=token,
        member=member,
        scope_days=days,
        chosen=scope.filters,
        lists=_lists(app, lang),
    )
    report = build(app=app, scope=scope, now=scope.until)
    page = HTMLResponse(to_html(app, report, lang=lang, head=bytes(head.body).decode(), links=True))
    request.app.state.csrf.set_cookie(page, nonce)
    return page


def _lists(app: App, lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The filters offered as lists, each value with its words."""
    templates = app.settings.home / "templates"
    intake = app.conduct.intake
    return [
        ("region", [(c.key, getattr(c, lang)) for c in intake.choices("region")]),
        ("customer_type", [(c.key, getattr(c, lang)) for c in intake.choices("customer_type")]),
        ("channel", [(c.value, label(templates, lang, "channel", c.value)) for c in Channel]),
        ("category", [(c.key, getattr(c, lang)) for c in app.conduct.categories]),
    ]


@router.get("/engagements", response_class=HTMLResponse, include_in_schema=False)
def promises(app: AppDep, lang: Lang) -> HTMLResponse:
    """Our promises and how often we kept them over the last 12 months: aggregates only."""
    scope = report_scope(days=365)
    report = build(app=app, scope=scope, now=scope.until)
    return HTMLResponse(to_html(app, report, public=True, lang=lang))

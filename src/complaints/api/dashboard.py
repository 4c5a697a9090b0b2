"""The quality manager's dashboard (staff), its JSON, and the public promise register."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from complaints.api.deps import AppDep, Lang, StaffDep, page_staff
from complaints.reporting.report import build, to_html
from complaints.reporting.sql import Scope

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
def dashboard(app: AppDep, request: Request, scope: ScopeDep, lang: Lang) -> Response:
    """The dashboard page: the HTML report over the last `days`, with filters in the query."""
    if page_staff(request, app) is None:
        return RedirectResponse("/staff", status_code=303)
    return HTMLResponse(to_html(app, build(app=app, scope=scope, now=scope.until), lang=lang))


@router.get("/engagements", response_class=HTMLResponse, include_in_schema=False)
def promises(app: AppDep, lang: Lang) -> HTMLResponse:
    """Our promises and how often we kept them over the last 12 months: aggregates only."""
    scope = report_scope(days=365)
    report = build(app=app, scope=scope, now=scope.until)
    return HTMLResponse(to_html(app, report, public=True, lang=lang))

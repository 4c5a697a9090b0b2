"""An action marked done from the complaint's page (its owner did it): one button per action."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from complaints.api.deps import AppDep, Lang, PageStaff
from complaints.api.pages import message
from complaints.errors import NotFound, RuleViolation
from complaints.reporting import improvement

router = APIRouter(prefix="/staff", include_in_schema=False)


@router.post("/c/{reference}/actions/{action_id}/done", response_class=HTMLResponse)
def done(
    reference: str,
    action_id: int,
    app: AppDep,
    request: Request,
    lang: Lang,
    member: PageStaff,
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Mark the action done, as `complaints action-done` does; the page says it."""
    if member is None:
        return RedirectResponse(f"/staff?lang={lang}", status_code=303)
    if not request.app.state.csrf.valid(request, csrf):
        return message(app, request, lang, 403, "csrf")
    try:
        improvement.complete(app=app, action_id=action_id, by=member.name, reference=reference)
    except NotFound:
        return message(app, request, lang, 404, "not_found")
    except RuleViolation:  # done already (another tab, a colleague): the page shows it done
        pass
    query = urlencode({"lang": lang, "done": "action-done"})
    return RedirectResponse(f"/staff/c/{quote(reference)}?{query}#actions", status_code=303)

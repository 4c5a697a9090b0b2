"""FastAPI dependencies as Annotated aliases: the App, the staff member, the language; the
client's address."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from complaints.api.proxies import forwarded_client
from complaints.app import App
from complaints.services import staff as staff_service
from complaints.services import staff_sessions
from complaints.services.staff import Staff

# The staff pages' cookie: a session's random id, never a token.
STAFF_COOKIE = "complaints_staff"


def get_app(request: Request) -> App:
    app: App = request.app.state.complaints
    return app


AppDep = Annotated[App, Depends(get_app)]
# The same key twice makes one complaint (printable ASCII, as HTTP headers are).
IdempotencyKey = Annotated[str | None, Header(max_length=200, pattern=r"^[\x21-\x7e]+$")]


def client_address(request: Request) -> str:
    """The client's address: the direct peer, or, when the peer is one of the trusted proxies
    (COMPLAINTS_TRUSTED_PROXIES), the address the proxies forwarded. uvicorn runs with
    proxy_headers=False: this function alone reads X-Forwarded-For."""
    peer = request.client.host if request.client else "unknown"
    proxies = get_app(request).settings.trusted_proxies
    return forwarded_client(peer, request.headers.getlist("x-forwarded-for"), proxies)


def language(request: Request) -> str:
    """?lang=, else the browser's Accept-Language, else French."""
    asked = request.query_params.get("lang")
    if asked in ("fr", "en"):
        return asked
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in ("fr", "en"):
            return code
    return "fr"


Lang = Annotated[str, Depends(language)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return None


def current_staff(request: Request, app: AppDep) -> Staff:
    """The API's member: by bearer token only (a cookie is for the pages)."""
    token = _bearer(request)
    member = staff_service.authenticate(app=app, token=token) if token else None
    if member is None:
        raise HTTPException(
            401,
            "a valid staff token is required (Authorization: Bearer …)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return member


StaffDep = Annotated[Staff, Depends(current_staff)]


def page_staff(request: Request, app: AppDep) -> Staff | None:
    """The pages' member: a live session's cookie, or a bearer token (scripts); else None."""
    token = _bearer(request)
    if token:
        return staff_service.authenticate(app=app, token=token)
    session_id = request.cookies.get(STAFF_COOKIE, "")
    if not session_id or len(session_id) > 100:
        return None
    return staff_sessions.member(app=app, session_id=session_id)


PageStaff = Annotated[Staff | None, Depends(page_staff)]

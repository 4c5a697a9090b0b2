"""FastAPI dependencies as Annotated aliases: the App, the staff member, the language."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from complaints.app import App
from complaints.services import staff as staff_service
from complaints.services.staff import Staff

STAFF_COOKIE = "complaints_staff"


def get_app(request: Request) -> App:
    app: App = request.app.state.complaints
    return app


AppDep = Annotated[App, Depends(get_app)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


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


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(STAFF_COOKIE)


def current_staff(request: Request, app: AppDep) -> Staff:
    token = _token(request)
    member = staff_service.authenticate(app=app, token=token) if token else None
    if member is None:
        raise HTTPException(
            401,
            "a valid staff token is required (Authorization: Bearer …)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return member


StaffDep = Annotated[Staff, Depends(current_staff)]

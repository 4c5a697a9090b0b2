"""The data subject's rights through the staff API (manager role). The e-mail address goes in
the body, never in the URL, so that it stays out of access logs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from complaints.api.deps import AppDep, StaffDep
from complaints.intake import Rectification
from complaints.services import rights

router = APIRouter(prefix="/api/staff/persons", tags=["personal data"])


class PersonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: EmailStr


class RectifyIn(PersonIn):
    correction: Rectification


class EraseIn(PersonIn):
    reason: str = Field("", max_length=200)


class Done(BaseModel):
    references: list[str]


@router.post("/export")
def export(body: PersonIn, app: AppDep, member: StaffDep) -> dict[str, Any]:
    """Everything held about this person (GDPR art. 15), machine-readable."""
    member.require("manager")
    return rights.export(app=app, email=str(body.email), actor=member.name)


@router.post("/rectify")
def rectify(body: RectifyIn, app: AppDep, member: StaffDep) -> Done:
    """Correct the person's name, e-mail address or phone (art. 16)."""
    member.require("manager")
    references = rights.rectify(
        app=app, email=str(body.email), actor=member.name, correction=body.correction
    )
    return Done(references=references)


@router.post("/erase")
def erase(body: EraseIn, app: AppDep, member: StaffDep) -> Done:
    """Anonymise every complaint of this person (art. 17); 409 while one is being handled."""
    member.require("manager")
    references = rights.erase(app=app, email=str(body.email), actor=member.name, reason=body.reason)
    return Done(references=references)

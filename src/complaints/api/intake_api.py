"""POST /api/complaints: the same intake as the form, as JSON, idempotent by key."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request
from pydantic import BaseModel

from complaints.api.deps import AppDep, client_address
from complaints.intake import Intake
from complaints.mail.compose import tracking_path
from complaints.services import intake

router = APIRouter(prefix="/api", tags=["intake"])


class Created(BaseModel):
    reference: str
    state: str
    acknowledge_by: datetime
    answer_by: datetime
    tracking_url: str


@router.post(
    "/complaints",
    status_code=201,
    response_model=Created,
    responses={
        409: {"description": "Idempotency-Key reused for another complaint"},
        413: {"description": "Body too large"},
        429: {"description": "Too many requests"},
    },
)
def create(
    body: Intake,
    app: AppDep,
    request: Request,
    idempotency_key: Annotated[
        str | None, Header(max_length=200, pattern=r"^[\x21-\x7e]+$")
    ] = None,
) -> Created:
    """Record a complaint. The same `Idempotency-Key` twice makes one complaint."""
    if not request.app.state.intake_limit.allow(client_address(request)):
        raise HTTPException(
            429,
            "too many complaints from this address; try again in a minute",
            headers={"Retry-After": "60"},
        )
    receipt = intake.receive(app=app, intake=body, idempotency_key=idempotency_key)
    request.app.state.on_intake()
    return Created(
        reference=receipt.reference,
        state=receipt.state,
        acknowledge_by=receipt.acknowledge_by,
        answer_by=receipt.answer_by,
        tracking_url=f"{app.settings.public_base_url}{tracking_path(receipt.tracking_token)}",
    )

"""POST /api/complaints: the same intake as the form, as JSON, idempotent by key; a customer's
channels only (web, email)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel

from complaints.api.deps import AppDep, IdempotencyKey, client_address
from complaints.app import App
from complaints.intake import PublicIntake
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
    body: PublicIntake,
    app: AppDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Created:
    """Record a complaint sent by web or email. The same `Idempotency-Key` twice makes one
    complaint. Customer type and region are keys of the code of conduct's lists (422 otherwise)."""
    limit, client = request.app.state.intake_limit, client_address(request)
    if not limit.allow(client):
        wait = max(1, limit.retry_after(client))
        raise HTTPException(
            429,
            f"too many complaints from this address; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    receipt = intake.receive(app=app, intake=body, idempotency_key=idempotency_key)
    request.app.state.on_intake()
    return created(app, receipt)


def created(app: App, receipt: intake.Receipt) -> Created:
    """What the caller keeps: the reference, the dates promised and the tracking link."""
    return Created(
        reference=receipt.reference,
        state=receipt.state,
        acknowledge_by=receipt.acknowledge_by,
        answer_by=receipt.answer_by,
        tracking_url=f"{app.settings.public_base_url}{tracking_path(receipt.tracking_token)}",
    )

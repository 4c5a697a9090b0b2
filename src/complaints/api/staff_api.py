"""The staff API: list, read and act on complaints; every step is an Event with the name."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from complaints.api.deps import AppDep, IdempotencyKey, StaffDep
from complaints.api.intake_api import Created, created
from complaints.api.steps import (
    ActionIn,
    AnalysisIn,
    AssignIn,
    OutcomeIn,
    ReasonIn,
    ResponseIn,
    perform,
)
from complaints.app import App
from complaints.intake import Intake
from complaints.lifecycle import State
from complaints.services import intake, views
from complaints.services.staff import Staff

router = APIRouter(prefix="/api/staff", tags=["staff"])


class Moved(BaseModel):
    reference: str
    state: str


@router.get("/complaints")
def list_complaints(
    app: AppDep,
    member: StaffDep,
    state: Annotated[list[State] | None, Query()] = None,
    overdue: bool = False,
    product: Annotated[str | None, Query(max_length=80)] = None,
    region: Annotated[str | None, Query(max_length=80)] = None,
    customer_type: Annotated[str | None, Query(max_length=40)] = None,
    assignee: Annotated[str | None, Query(max_length=120)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """Complaints by answer date, filtered by state, overdue, product, region, customer type, assignee."""
    return views.list_complaints(
        app=app,
        states=state or [],
        overdue=overdue,
        limit=limit,
        filters={
            "product": product,
            "region": region,
            "customer_type": customer_type,
            "assignee": assignee,
        },
    )


class RecordIn(Intake):
    """A complaint a member records for the customer: any channel, and a letter's or an
    e-mail's date of receipt if it was received before today."""

    received_on: date | None = None


@router.post("/complaints", status_code=201, response_model=Created)
def record(
    body: RecordIn,
    app: AppDep,
    member: StaffDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Created:
    """Record a complaint received by phone, letter, in person (or any channel)."""
    receipt = intake.receive(
        app=app, intake=body, received_on=body.received_on, idempotency_key=idempotency_key
    )
    request.app.state.on_intake()
    return created(app, receipt)


@router.get("/complaints/{reference}")
def read(reference: str, app: AppDep, member: StaffDep) -> dict[str, Any]:
    """One complaint with its whole history (this access is logged)."""
    return views.show(app=app, reference=reference, viewer=member.name)


def _take(
    step: str, reference: str, body: BaseModel, app: App, member: Staff, request: Request
) -> Moved:
    state = perform(app, member, reference, step, body)
    request.app.state.on_intake()  # any e-mail the step wrote goes out at once
    return Moved(reference=reference, state=state)


@router.post("/complaints/{reference}/analysis")
def analyse(
    reference: str, body: AnalysisIn, app: AppDep, member: StaffDep, request: Request
) -> Moved:
    """Record the analysis (agent)."""
    return _take("analysis", reference, body, app, member, request)


@router.post("/complaints/{reference}/actions")
def plan(reference: str, body: ActionIn, app: AppDep, member: StaffDep, request: Request) -> Moved:
    """Add a curative, corrective or preventive action (agent)."""
    return _take("actions", reference, body, app, member, request)


@router.post("/complaints/{reference}/response")
def respond(
    reference: str, body: ResponseIn, app: AppDep, member: StaffDep, request: Request
) -> Moved:
    """Answer the customer (agent)."""
    return _take("response", reference, body, app, member, request)


@router.post("/complaints/{reference}/assign")
def assign(
    reference: str, body: AssignIn, app: AppDep, member: StaffDep, request: Request
) -> Moved:
    """Give the complaint to a person (manager)."""
    return _take("assign", reference, body, app, member, request)


@router.post("/complaints/{reference}/escalate")
def escalate(
    reference: str, body: ReasonIn, app: AppDep, member: StaffDep, request: Request
) -> Moved:
    """Refer to the mediator now (manager)."""
    return _take("escalate", reference, body, app, member, request)


@router.post("/complaints/{reference}/mediation")
def mediation(
    reference: str, body: OutcomeIn, app: AppDep, member: StaffDep, request: Request
) -> Moved:
    """Record the mediator's outcome (manager)."""
    return _take("mediation", reference, body, app, member, request)


@router.post("/complaints/{reference}/close")
def close(reference: str, body: ReasonIn, app: AppDep, member: StaffDep, request: Request) -> Moved:
    """Close the complaint (manager)."""
    return _take("close", reference, body, app, member, request)

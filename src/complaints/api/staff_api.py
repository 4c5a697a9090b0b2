"""The staff API: list, read and act on complaints; every step is an Event with the name."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from complaints.api.deps import AppDep, IdempotencyKey, StaffDep
from complaints.api.intake_api import Created, created
from complaints.intake import Intake
from complaints.lifecycle import Party, State, states_waiting_on
from complaints.read_models import ComplaintView, Summary
from complaints.services import intake, views
from complaints.staff_steps import STEPS, StaffStep

router = APIRouter(prefix="/api/staff", tags=["staff"])


class Moved(BaseModel):
    reference: str
    state: str
    created: str | None = None  # a complaint the step created (a late reopening)


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
    waiting_on: Party | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[Summary]:
    """Complaints by answer date, filtered by state, whom they wait on (staff, customer,
    mediator…), overdue, product, region, customer type, assignee."""
    states = set(state or State)
    if waiting_on is not None:
        states &= states_waiting_on(waiting_on)
    if not states:
        return []
    return views.list_complaints(
        app=app,
        states=sorted(states) if state or waiting_on else [],
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


@router.get("/complaints/{reference}", response_model=ComplaintView, response_model_by_alias=True)
def read(reference: str, app: AppDep, member: StaffDep) -> ComplaintView:
    """One complaint with its whole history (this access is logged)."""
    return views.view(app=app, reference=reference, viewer=member.name)


def _route(spec: StaffStep) -> Callable[..., Moved]:
    """The endpoint taking `spec`, whose body is the step's own model."""

    def take(
        reference: str, body: BaseModel, app: AppDep, member: StaffDep, request: Request
    ) -> Moved:
        done = spec.take(app, reference, member.name, body, role=member.lifecycle_role)
        request.app.state.on_intake()  # any e-mail the step wrote goes out at once
        return Moved(reference=reference, state=done.state, created=done.created)

    signature = inspect.signature(take)
    take.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[
            p.replace(annotation=spec.body) if p.name == "body" else p
            for p in signature.parameters.values()
        ]
    )
    return take


def add_step_routes(api: APIRouter, steps: dict[str, StaffStep]) -> None:
    """One POST per staff step: /api/staff/complaints/{reference}/{key}."""
    for spec in steps.values():
        who = "manager" if spec.role == "manager" else "agent"
        api.add_api_route(
            f"/complaints/{{reference}}/{spec.key}",
            _route(spec),
            methods=["POST"],
            response_model=Moved,
            summary=f"{spec.help} ({who})",
            name=spec.key,
        )


add_step_routes(router, STEPS)

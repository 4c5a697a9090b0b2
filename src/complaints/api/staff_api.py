"""The staff API: list, read and act on complaints; every step is an Event with the name."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from complaints.api.deps import AppDep, StaffDep, require
from complaints.lifecycle import State
from complaints.models import ActionKind, Decision
from complaints.services import handling, views

router = APIRouter(prefix="/api/staff", tags=["staff"])


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AnalysisIn(_Body):
    root_cause: str = Field(min_length=1, max_length=5000)
    category: str = Field(max_length=40)
    founded: bool
    severity: str | None = Field(None, pattern="^(critical|high|normal)$")


class ActionIn(_Body):
    kind: ActionKind
    description: str = Field(min_length=1, max_length=2000)
    owner: str = Field(min_length=1, max_length=120)
    due_on: date


class ResponseIn(_Body):
    decision: Decision
    message: str = Field(min_length=1, max_length=10_000)


class ReasonIn(_Body):
    reason: str = Field(min_length=1, max_length=2000)


class OutcomeIn(_Body):
    outcome: str = Field(min_length=1, max_length=5000)


class AssignIn(_Body):
    assignee: str = Field(min_length=1, max_length=120)


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


@router.get("/complaints/{reference}")
def read(reference: str, app: AppDep, member: StaffDep) -> dict[str, Any]:
    """One complaint with its whole history (this access is logged)."""
    return views.show(app=app, reference=reference, viewer=member.name)


def _moved(request: Request, reference: str, state: str) -> Moved:
    request.app.state.on_intake()  # any e-mail the step wrote goes out at once
    return Moved(reference=reference, state=state)


@router.post("/complaints/{reference}/analysis")
def analyse(
    reference: str, body: AnalysisIn, app: AppDep, member: StaffDep, request: Request
) -> Moved:
    require(member, "agent")
    return _moved(
        request,
        reference,
        handling.record_analysis(
            app=app,
            reference=reference,
            by=member.name,
            root_cause=body.root_cause,
            category=body.category,
            founded=body.founded,
            severity=body.severity,
        ),
    )


@router.post("/complaints/{reference}/actions")
def plan(reference: str, body: ActionIn, app: AppDep, member: StaffDep, request: Request) -> Moved:
    require(member, "agent")
    return _moved(
        request,
        reference,
        handling.plan_action(
            app=app,
            reference=reference,
            by=member.name,
            kind=body.kind,
            description=body.description,
            owner=body.owner,
            due_on=body.due_on,
        ),
    )


@router.post("/complaints/{reference}/response")
def respond(
    reference: str, body: ResponseIn, app: AppDep, member: StaffDep, request: Request
) -> Moved:
    require(member, "agent")
    return _moved(
        request,
        reference,
        handling.respond(
            app=app,
            reference=reference,
            by=member.name,
            decision=body.decision,
            message=body.message,
        ),
    )


@router.post("/complaints/{reference}/assign")
def assign(
    reference: str, body: AssignIn, app: AppDep, member: StaffDep, request: Request
) -> Moved:
    require(member, "manager")
    return _moved(
        request,
        reference,
        handling.assign(app=app, reference=reference, by=member.name, assignee=body.assignee),
    )


@router.post("/complaints/{reference}/escalate")
def escalate(
    reference: str, body: ReasonIn, app: AppDep, member: StaffDep, request: Request
) -> Moved:
    require(member, "manager")
    return _moved(
        request,
        reference,
        handling.escalate(app=app, reference=reference, by=member.name, reason=body.reason),
    )


@router.post("/complaints/{reference}/mediation")
def mediation(
    reference: str, body: OutcomeIn, app: AppDep, member: StaffDep, request: Request
) -> Moved:
    require(member, "manager")
    return _moved(
        request,
        reference,
        handling.record_mediation_outcome(
            app=app, reference=reference, by=member.name, outcome=body.outcome
        ),
    )


@router.post("/complaints/{reference}/close")
def close(reference: str, body: ReasonIn, app: AppDep, member: StaffDep, request: Request) -> Moved:
    require(member, "manager")
    return _moved(
        request,
        reference,
        handling.close(app=app, reference=reference, by=member.name, reason=body.reason),
    )

"""The staff steps, once: who may take each, what it needs, which service it calls.
The staff API and the staff page both go through `perform`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import HTTPException
from pydantic import BaseModel, ConfigDict, Field

from complaints.app import App
from complaints.models import ActionKind, Decision
from complaints.services import handling
from complaints.services.staff import Staff


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


@dataclass(frozen=True)
class StaffStep:
    role: str
    body: type[_Body]
    run: Callable[[App, str, str, Any], str]


STEPS: dict[str, StaffStep] = {
    "analysis": StaffStep(
        "agent",
        AnalysisIn,
        lambda app, ref, by, b: handling.record_analysis(
            app=app,
            reference=ref,
            by=by,
            root_cause=b.root_cause,
            category=b.category,
            founded=b.founded,
            severity=b.severity,
        ),
    ),
    "actions": StaffStep(
        "agent",
        ActionIn,
        lambda app, ref, by, b: handling.plan_action(
            app=app,
            reference=ref,
            by=by,
            kind=b.kind,
            description=b.description,
            owner=b.owner,
            due_on=b.due_on,
        ),
    ),
    "response": StaffStep(
        "agent",
        ResponseIn,
        lambda app, ref, by, b: handling.respond(
            app=app, reference=ref, by=by, decision=b.decision, message=b.message
        ),
    ),
    "assign": StaffStep(
        "manager",
        AssignIn,
        lambda app, ref, by, b: handling.assign(app=app, reference=ref, by=by, assignee=b.assignee),
    ),
    "escalate": StaffStep(
        "manager",
        ReasonIn,
        lambda app, ref, by, b: handling.escalate(app=app, reference=ref, by=by, reason=b.reason),
    ),
    "mediation": StaffStep(
        "manager",
        OutcomeIn,
        lambda app, ref, by, b: handling.record_mediation_outcome(
            app=app, reference=ref, by=by, outcome=b.outcome
        ),
    ),
    "close": StaffStep(
        "manager",
        ReasonIn,
        lambda app, ref, by, b: handling.close(app=app, reference=ref, by=by, reason=b.reason),
    ),
}


def require(member: Staff, role: str) -> None:
    if not member.may(role):
        raise HTTPException(403, f"this needs the {role} role; {member.name} is {member.role}")


def perform(app: App, member: Staff, reference: str, step: str, body: BaseModel) -> str:
    """Take `step` as `member` (403 without the role); the complaint's state after it."""
    spec = STEPS[step]
    require(member, spec.role)
    return spec.run(app, reference, member.name, body)

"""The staff steps, declared once: the lifecycle step each takes, what it needs (a pydantic
body, whose fields are the service's arguments), and the service that takes it. The CLI's
commands (cli/staff.py), the staff API's routes (api/staff_api.py) and the staff page's forms
(api/staff_pages.py) are all made from STEPS; who may take a step, and from which states,
is the lifecycle's (lifecycle.TRANSITIONS)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from complaints import lifecycle
from complaints.errors import Forbidden
from complaints.lifecycle import Role, Step
from complaints.models import ActionKind, Decision

if TYPE_CHECKING:
    from complaints.app import App


class Body(BaseModel):
    # Spaces alone are no text: a blank field is refused as missing, in the page's words.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Text = Field(min_length=1, max_length=2000)


class AnalysisIn(Body):
    root_cause: str = Field(min_length=1, max_length=5000, description="Why it happened.")
    category: str = Field(max_length=40, description="A category of the code of conduct.")
    founded: bool = Field(
        description="Is the complaint justified?",
        json_schema_extra={"cli": "--founded/--unfounded"},
    )
    severity: Literal["critical", "high", "normal"] | None = Field(
        None, description="critical, high or normal."
    )


class ActionIn(Body):
    kind: ActionKind = Field(description="curative (for this customer), corrective or preventive.")
    description: str = Field(min_length=1, max_length=2000, description="What will be done.")
    owner: str = Field(min_length=1, max_length=120, description="Who is responsible.")
    due_on: date = Field(description="Due date, YYYY-MM-DD.", json_schema_extra={"cli": "--due"})


class ResponseIn(Body):
    decision: Decision = Field(description="accepted, partially_accepted or rejected.")
    message: str = Field(min_length=1, max_length=10_000, description="The answer to the customer.")


class ReasonIn(Body):
    reason: str = Field(min_length=1, max_length=2000, description="Why.")


class OutcomeIn(Body):
    outcome: str = Field(min_length=1, max_length=5000, description="What the mediator concluded.")


class AssignIn(Body):
    assignee: str = Field(
        min_length=1,
        max_length=120,
        description="An active member of the staff.",
        json_schema_extra={"cli": "--to"},
    )


class InformationIn(Body):
    what: str = Field(
        min_length=1,
        max_length=2000,
        description="What the customer is asked for (told them as written).",
    )


class InformationReceivedIn(Body):
    summary: str = Field(
        min_length=1, max_length=5000, description="What the customer sent or said."
    )


class LinkIn(Body):
    other: str = Field(
        min_length=1, max_length=20, description="The related complaint's reference."
    )


class MergeIn(Body):
    into: str = Field(min_length=1, max_length=20, description="The primary complaint's reference.")
    confirm: bool = Field(
        False,
        description="Merge even though the two complaints are not the same customer's.",
        json_schema_extra={"cli": "--confirm"},
    )


@dataclass(frozen=True)
class Taken:
    """What a step did: the complaint's state after it, and a complaint it created if any."""

    state: str
    created: str | None = None


@dataclass(frozen=True)
class StaffStep:
    key: str  # in the staff API's and the page's addresses
    command: str  # the CLI's command
    step: str  # the lifecycle's step
    body: type[Body]
    service: Callable[..., str | Taken]
    help: str  # one line, for the CLI's help and the API's summary

    @property
    def transition(self) -> lifecycle.Transition:
        return lifecycle.transition(self.step)

    @property
    def role(self) -> Role:
        """The least role that may take it."""
        return Role.AGENT if self.transition.permits(Role.AGENT) else Role.MANAGER

    def take(
        self,
        app: App,
        reference: str,
        by: str,
        body: BaseModel,
        *,
        at: datetime | None = None,
        role: Role | None = None,
    ) -> Taken:
        """Take the step as `by` (whose `role`, when known, is checked first)."""
        if role is not None and not self.transition.permits(role):
            raise Forbidden(
                f"this step ({self.key}) needs the {self.role.value} role; {by} is {role.value}"
            )
        done = self.service(app=app, reference=reference, by=by, at=at, **dict(body))
        return done if isinstance(done, Taken) else Taken(done)


def _steps() -> list[StaffStep]:
    from complaints.services import handling, information, merging, reopening

    return [
        StaffStep(
            "analysis",
            "analyse",
            Step.RECORD_ANALYSIS,
            AnalysisIn,
            handling.record_analysis,
            "Record the analysis: root cause, category, founded or not.",
        ),
        StaffStep(
            "actions",
            "plan",
            Step.PLAN_ACTIONS,
            ActionIn,
            handling.plan_action,
            "Add an action to the plan (repeat for several actions).",
        ),
        StaffStep(
            "information",
            "request-information",
            Step.REQUEST_INFORMATION,
            InformationIn,
            information.request_information,
            "Ask the customer for information: the answer's clock pauses until it comes.",
        ),
        StaffStep(
            "information-received",
            "information-received",
            Step.RECEIVE_INFORMATION,
            InformationReceivedIn,
            information.receive_information,
            "Record the information the customer gave (by phone, post…): the clock resumes.",
        ),
        StaffStep(
            "response",
            "respond",
            Step.RESPOND,
            ResponseIn,
            handling.respond,
            "Answer the customer: the decision, the actions and the mediator's contact.",
        ),
        StaffStep(
            "assign",
            "assign",
            Step.ASSIGN,
            AssignIn,
            handling.assign,
            "Give the complaint to a member of the staff.",
        ),
        StaffStep("link", "link", Step.LINK, LinkIn, merging.link, "Link two related complaints."),
        StaffStep(
            "merge",
            "merge",
            Step.MERGE,
            MergeIn,
            merging.merge,
            "Merge this duplicate into a primary complaint.",
        ),
        StaffStep(
            "unmerge",
            "unmerge",
            Step.UNMERGE,
            ReasonIn,
            merging.unmerge,
            "Undo a merge: the complaint is handled on its own again.",
        ),
        StaffStep(
            "escalate",
            "escalate",
            Step.REFER_TO_MEDIATOR,
            ReasonIn,
            handling.escalate,
            "Refer the complaint to the mediator now.",
        ),
        StaffStep(
            "mediation",
            "mediation",
            Step.RECORD_MEDIATION_OUTCOME,
            OutcomeIn,
            handling.record_mediation_outcome,
            "Record the mediator's outcome.",
        ),
        StaffStep(
            "close",
            "close",
            Step.CLOSE,
            ReasonIn,
            handling.close,
            "Close an answered complaint, or one whose mediation has an outcome.",
        ),
        StaffStep(
            "withdraw",
            "withdraw",
            Step.WITHDRAW,
            ReasonIn,
            reopening.withdraw,
            "Record that the customer withdraws the complaint.",
        ),
        StaffStep(
            "reopen",
            "reopen",
            Step.REOPEN,
            ReasonIn,
            reopening.reopen,
            "Reopen a closed complaint (later than allowed: a new complaint linked to it).",
        ),
    ]


STEPS: dict[str, StaffStep] = {spec.key: spec for spec in _steps()}


def open_to(
    complaint: object, role: Role, steps: dict[str, StaffStep] | None = None
) -> list[StaffStep]:
    """The staff steps `role` may take on `complaint` now (its state, the role, the guards)."""
    return [
        spec
        for spec in (STEPS if steps is None else steps).values()
        if lifecycle.refusal(complaint, spec.step, role) is None
    ]


def open_steps(*, app: App, reference: str, role: Role) -> list[StaffStep]:
    """The staff steps `role` may take on the complaint `reference` now."""
    from complaints import repository

    with app.db.reader() as session:
        return open_to(repository.get(session=session, reference=reference), role)

"""The staff steps of the lifecycle; each is an Event with the staff member's name."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from complaints.cli.base import CliError, app, console, parse_time, refusing, staff_name, the_app
from complaints.models import ActionKind, Decision

By = Annotated[
    str | None, typer.Option("--by", help="Who acts (default: $COMPLAINTS_STAFF_NAME, login).")
]
AsOf = Annotated[str | None, typer.Option("--as-of", help="Pretend it is this ISO date-time.")]


def _done(reference: str, state: str) -> None:
    console.print(f"{reference}: {state}")


@app.command()
@refusing
def analyse(
    reference: str,
    root_cause: Annotated[str, typer.Option(help="Why it happened.")],
    category: Annotated[str, typer.Option(help="A category of the code of conduct.")],
    founded: Annotated[
        bool, typer.Option("--founded/--unfounded", help="Is the complaint justified?")
    ],
    severity: Annotated[str | None, typer.Option(help="critical, high or normal.")] = None,
    by: By = None,
    as_of: AsOf = None,
) -> None:
    """Record the analysis: root cause, category, founded or not."""
    from complaints.services.handling import record_analysis

    if severity not in (None, "critical", "high", "normal"):
        raise CliError(f"severity must be critical, high or normal, not {severity!r}")
    _done(
        reference,
        record_analysis(
            app=the_app(),
            reference=reference,
            by=staff_name(by),
            root_cause=root_cause,
            category=category,
            founded=founded,
            severity=severity,
            at=parse_time(as_of),
        ),
    )


@app.command()
@refusing
def plan(
    reference: str,
    kind: Annotated[
        ActionKind, typer.Option(help="curative (for this customer), corrective or preventive.")
    ],
    description: Annotated[str, typer.Option(help="What will be done.")],
    owner: Annotated[str, typer.Option(help="Who is responsible.")],
    due: Annotated[str, typer.Option(help="Due date, YYYY-MM-DD.")],
    by: By = None,
    as_of: AsOf = None,
) -> None:
    """Add an action to the plan (repeat for several actions)."""
    from complaints.services.handling import plan_action

    try:
        due_on = date.fromisoformat(due)
    except ValueError:
        raise CliError(f"not a date: {due!r} (YYYY-MM-DD)") from None
    _done(
        reference,
        plan_action(
            app=the_app(),
            reference=reference,
            by=staff_name(by),
            kind=kind,
            description=description,
            owner=owner,
            due_on=due_on,
            at=parse_time(as_of),
        ),
    )


@app.command()
@refusing
def respond(
    reference: str,
    decision: Annotated[Decision, typer.Option(help="accepted, partially_accepted or rejected.")],
    message: Annotated[str, typer.Option(help="The answer to the customer.")],
    by: By = None,
    as_of: AsOf = None,
) -> None:
    """Answer the customer: the e-mail gives the decision, the actions and the mediator's contact."""
    from complaints.services.handling import respond as give_answer

    _done(
        reference,
        give_answer(
            app=the_app(),
            reference=reference,
            by=staff_name(by),
            decision=decision,
            message=message,
            at=parse_time(as_of),
        ),
    )


@app.command()
@refusing
def feedback(
    reference: str,
    satisfied: Annotated[
        bool, typer.Option("--satisfied/--dissatisfied", help="The customer's answer.")
    ],
    comment: Annotated[str, typer.Option(help="What the customer said.")] = "",
    as_of: AsOf = None,
) -> None:
    """Record the customer's satisfaction: satisfied closes; dissatisfied reviews, then the mediator."""
    from complaints.services.feedback import record_feedback

    _done(
        reference,
        record_feedback(
            app=the_app(),
            reference=reference,
            satisfied=satisfied,
            comment=comment,
            at=parse_time(as_of),
        ),
    )


@app.command()
@refusing
def escalate(
    reference: str,
    reason: Annotated[str, typer.Option(help="Why the mediator should take the case.")],
    by: By = None,
    as_of: AsOf = None,
) -> None:
    """Refer the complaint to the mediator now (a manager's decision)."""
    from complaints.services.handling import escalate as refer

    _done(
        reference,
        refer(
            app=the_app(),
            reference=reference,
            by=staff_name(by),
            reason=reason,
            at=parse_time(as_of),
        ),
    )


@app.command()
@refusing
def mediation(
    reference: str,
    outcome: Annotated[str, typer.Option(help="What the mediator concluded.")],
    by: By = None,
    as_of: AsOf = None,
) -> None:
    """Record the mediator's outcome."""
    from complaints.services.handling import record_mediation_outcome

    _done(
        reference,
        record_mediation_outcome(
            app=the_app(),
            reference=reference,
            by=staff_name(by),
            outcome=outcome,
            at=parse_time(as_of),
        ),
    )


@app.command()
@refusing
def close(
    reference: str,
    reason: Annotated[str, typer.Option(help="Why it is closed.")],
    by: By = None,
    as_of: AsOf = None,
) -> None:
    """Close an answered complaint, or one whose mediation has an outcome."""
    from complaints.services.handling import close as close_complaint

    _done(
        reference,
        close_complaint(
            app=the_app(),
            reference=reference,
            by=staff_name(by),
            reason=reason,
            at=parse_time(as_of),
        ),
    )

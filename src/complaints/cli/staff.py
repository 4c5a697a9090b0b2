"""The staff steps as commands, one per entry of staff_steps.STEPS: each body field an option,
the reference an argument, --by and --as-of for all; and the customer's feedback."""

from __future__ import annotations

import inspect
import types
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

import typer
from pydantic.fields import FieldInfo

from complaints.cli.base import app, console, parse_time, refusing, staff_name, the_app
from complaints.staff_steps import STEPS, StaffStep

By = Annotated[
    str | None, typer.Option("--by", help="Who acts (default: $COMPLAINTS_STAFF_NAME, login).")
]
AsOf = Annotated[str | None, typer.Option("--as-of", help="Pretend it is this ISO date-time.")]
P = inspect.Parameter


def _cli_type(annotation: Any) -> Any:
    """What the command line takes for a field: a flag, a choice, a number, or text that the
    body's model then checks (a date, a bounded string)."""
    optional = get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(
        annotation
    )
    inner = next((a for a in get_args(annotation) if a is not type(None)), annotation)
    if not optional:
        inner = annotation
    if isinstance(inner, type) and issubclass(inner, bool | int | Enum):
        kind: Any = inner
    else:
        kind = str
    return kind | None if optional else kind


def _option(name: str, field: FieldInfo) -> P:
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    flag = str(extra.get("cli") or f"--{name.replace('_', '-')}")
    kind = _cli_type(field.annotation)
    if kind is bool and "/" not in flag:
        flag = f"{flag}/--no-{flag.removeprefix('--')}"
    option = typer.Option(flag, help=field.description or "")
    default = P.empty if field.is_required() else field.default
    return P(name, P.KEYWORD_ONLY, annotation=Annotated[kind, option], default=default)


def command_for(spec: StaffStep) -> Any:
    """The CLI command taking `spec`: `complaints <command> REFERENCE --field … [--by] [--as-of]`."""

    def take(
        reference: str, by: str | None = None, as_of: str | None = None, **fields: Any
    ) -> None:
        body = spec.body.model_validate({k: v for k, v in fields.items() if v is not None})
        done = spec.take(the_app(), reference, staff_name(by), body, at=parse_time(as_of))
        console.print(f"{reference}: {done.state}")
        if done.created:
            console.print(f"{done.created}: created, linked to {reference}")

    parameters = [
        P("reference", P.POSITIONAL_OR_KEYWORD, annotation=Annotated[str, typer.Argument()]),
        *(_option(name, field) for name, field in spec.body.model_fields.items()),
        P("by", P.KEYWORD_ONLY, annotation=By, default=None),
        P("as_of", P.KEYWORD_ONLY, annotation=AsOf, default=None),
    ]
    take.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    take.__annotations__ = {p.name: p.annotation for p in parameters}
    take.__name__ = spec.command.replace("-", "_")
    role = "a manager's step" if spec.role == "manager" else "an agent's step"
    take.__doc__ = f"{spec.help} ({role})"
    return refusing(take)


def add_commands(cli: typer.Typer, steps: dict[str, StaffStep]) -> None:
    for spec in steps.values():
        cli.command(spec.command)(command_for(spec))


add_commands(app, STEPS)


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

    state = record_feedback(
        app=the_app(),
        reference=reference,
        satisfied=satisfied,
        comment=comment,
        at=parse_time(as_of),
    )
    console.print(f"{reference}: {state}")

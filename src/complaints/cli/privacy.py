"""`complaints person …` (the data subject's rights) and `complaints retention`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from complaints.cli.base import (
    app,
    console,
    flow_outcome,
    refusing,
    staff_name,
    sweep_time,
    the_app,
)

person_app = typer.Typer(
    help="A person's rights (GDPR): export, rectify, erase; found by e-mail address.",
    no_args_is_help=True,
)
app.add_typer(person_app, name="person")
By = Annotated[str | None, typer.Option("--by", help="Who acts (default: your login name).")]


@person_app.command("export")
@refusing
def export(
    email: str,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the JSON here.")
    ] = None,
    by: By = None,
) -> None:
    """Everything held about this person, as JSON (access request, art. 15)."""
    from complaints.services import rights

    data = rights.export(app=the_app(), email=email, actor=staff_name(by))
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"{len(data['complaints'])} complaint(s) exported to {output}")


@person_app.command("rectify")
@refusing
def rectify(
    email: str,
    name: Annotated[str | None, typer.Option(help="The corrected name.")] = None,
    new_email: Annotated[str | None, typer.Option("--new-email", help="The new address.")] = None,
    phone: Annotated[str | None, typer.Option(help="The corrected phone number.")] = None,
    by: By = None,
) -> None:
    """Correct the person's name, e-mail address or phone (art. 16)."""
    from complaints.intake import Rectification
    from complaints.services import rights

    correction = Rectification(name=name, email=new_email, phone=phone)
    references = rights.rectify(
        app=the_app(), email=email, actor=staff_name(by), correction=correction
    )
    console.print(f"rectified on {', '.join(references)}")


@person_app.command("erase")
@refusing
def erase(
    email: str,
    reason: Annotated[str, typer.Option(help="The request's reference, if any.")] = "",
    by: By = None,
) -> None:
    """Anonymise every closed complaint of this person (art. 17); refused while one is open."""
    from complaints.services import rights

    references = rights.erase(app=the_app(), email=email, actor=staff_name(by), reason=reason)
    console.print(
        f"anonymised {', '.join(references)}: kept the facts for statistics, not the person"
    )


@app.command()
@refusing
def retention(
    as_of: Annotated[str | None, typer.Option("--as-of", help="As of this ISO date-time.")] = None,
) -> None:
    """Run the retention flow now: anonymise complaints closed longer than the period."""
    from complaints import orchestration, prefect_env, prefect_server

    prefect_env.configure(the_app().settings.var)
    prefect_server.use_local_server_if_running(the_app().settings.prefect_port)
    flow_outcome(orchestration.anonymise_expired(sweep_time(as_of)))

"""`complaints verify` (the history's seals) and `complaints doctor` (the configuration)."""

from __future__ import annotations

from typing import Annotated

import typer

from complaints.cli.base import app, console, emit_json, refusing, the_app


@app.command()
@refusing
def verify(
    reference: Annotated[str | None, typer.Argument(help="One complaint (default: all).")] = None,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Check that no event of the history was changed, removed or reordered; exit 1 on any break."""
    from complaints.chain import verify as check

    checked, breaks = check(app=the_app(), reference=reference)
    if json:
        emit_json({"events": checked, "breaks": [b.__dict__ for b in breaks]})
    else:
        for item in breaks:
            console.print(f"[red]BREAK[/] {item.reference} event {item.event_id}: {item.problem}")
        console.print(f"{checked} events checked, {len(breaks)} break(s)")
    if breaks:
        raise typer.Exit(1)


@app.command()
@refusing
def doctor() -> None:
    """Check the configuration and say what to fix: database, SMTP, public URL, mediators, secrets."""
    from complaints.doctor import diagnose

    problems = 0
    for ok, line in diagnose(the_app()):
        console.print(("[green]ok[/]   " if ok else "[red]FIX[/]  ") + line)
        problems += not ok
    if problems:
        raise typer.Exit(1)

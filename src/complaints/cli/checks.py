"""`complaints verify` (the history's seals), `checkpoint` and `doctor` (the configuration)."""

from __future__ import annotations

import json as json_
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress

from complaints.cli.base import CliError, app, console, emit_json, refusing, the_app

SIMULATED = (
    "[yellow]this database runs on a simulated clock (the demo's): its times are the"
    " simulation's, and prove nothing about when anything really happened[/]"
)


def _kept(path: Path | None) -> list[dict[str, Any]] | None:
    if path is None:
        return None
    try:
        data = json_.loads(path.read_text(encoding="utf-8"))
        return list(data["checkpoints"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CliError(f"cannot read the checkpoints in {path}: {error}") from None


@app.command()
@refusing
def verify(
    reference: Annotated[str | None, typer.Argument(help="One complaint (default: all).")] = None,
    checkpoints: Annotated[
        Path | None,
        typer.Option(help="A checkpoint export kept elsewhere, to compare with this database."),
    ] = None,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Check that no event was changed, removed, reordered or sealed without the key, and that
    the checkpoints still hold; exit 1 on any break."""
    from complaints.services.checkpoints import verify_checkpoints
    from complaints.services.integrity import verify as check

    kept, application = _kept(checkpoints), the_app()
    with Progress(console=console, transient=True, disable=json) as bar:
        task = bar.add_task("verifying histories", total=None)
        verdict = check(
            app=application, reference=reference, progress=lambda n: bar.advance(task, n)
        )
    if reference is None or kept is not None:
        verdict.breaks += verify_checkpoints(app=application, kept=kept)
    if json:
        emit_json(
            {
                "complaints": verdict.complaints,
                "events": verdict.events,
                "simulated_clock": verdict.simulated,
                "breaks": [b.__dict__ for b in verdict.breaks],
            }
        )
    else:
        if verdict.simulated:
            console.print(SIMULATED)
        for item in verdict.breaks:
            where = f" event {item.event_id}" if item.event_id is not None else ""
            console.print(f"[red]BREAK[/] {item.reference}{where}: {item.problem}")
        console.print(
            f"{verdict.events} events of {verdict.complaints} complaint(s) checked,"
            f" {len(verdict.breaks)} break(s)"
        )
    if verdict.breaks:
        raise typer.Exit(1)


@app.command()
@refusing
def checkpoint(
    export: Annotated[
        Path | None,
        typer.Option(help="Also write every checkpoint here (JSON), for an auditor to keep."),
    ] = None,
) -> None:
    """Seal a checkpoint of the history now (the nightly flow does it too)."""
    from complaints.services.checkpoints import export as export_all
    from complaints.services.checkpoints import seal_checkpoint

    application = the_app()
    mark = seal_checkpoint(app=application)
    if mark is None:
        console.print("no event since the last checkpoint")
    else:
        console.print(f"checkpoint {mark.id}: {mark.events} events, digest {mark.digest[:16]}…")
    if export is not None:
        data = export_all(app=application)
        export.write_text(json_.dumps(data, indent=2) + "\n", encoding="utf-8")
        console.print(f"{len(data['checkpoints'])} checkpoint(s) written to {export}")


@app.command()
@refusing
def doctor() -> None:
    """Check the configuration and say what to fix: database, SMTP, public URL, mediators, secrets."""
    from complaints.doctor import diagnose
    from complaints.settings import get_settings

    problems = 0
    for ok, line in diagnose(get_settings()):
        console.print(("[green]ok[/]   " if ok else "[red]FIX[/]  ") + line, soft_wrap=True)
        problems += not ok
    if problems:
        raise typer.Exit(1)

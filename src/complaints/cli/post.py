"""`complaints post …`: the print tray of letters to customers without e-mail."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from complaints.cli.base import app, console, emit_json, parse_time, refusing, staff_name, the_app

post_app = typer.Typer(
    help="Letters to customers without e-mail: list the tray, print a PDF, mark posted.",
    invoke_without_command=True,
)
app.add_typer(post_app, name="post")


@post_app.callback()
def tray_by_default(context: typer.Context) -> None:
    """With no command, the tray (as `complaints post list`)."""
    if context.invoked_subcommand is None:
        list_letters(json=False)


@post_app.command("list")
@refusing
def list_letters(json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The letters waiting to be printed and posted, oldest first."""
    from complaints.services.post import tray

    letters = tray(app=the_app())
    if json:
        emit_json([letter.plain() for letter in letters])
        return
    if not letters:
        console.print("No letter to post.")
        return
    table = Table(title="Letters to post")
    for column in ("id", "reference", "kind", "written (UTC)", "to"):
        table.add_column(column)
    for letter in letters:
        table.add_row(
            str(letter.id),
            letter.reference,
            letter.kind,
            f"{letter.created_at:%Y-%m-%d %H:%M}",
            Text(letter.name),  # the customer's words, never markup
        )
    console.print(table)


@post_app.command("pdf")
@refusing
def pdf(
    letter_id: Annotated[int, typer.Argument(metavar="ID")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write it (default: letter-ID.pdf).")
    ] = None,
) -> None:
    """Write a letter as an A4 PDF, to print and put in a window envelope."""
    from complaints.services.post import pdf as letter_pdf

    target = out or Path(f"letter-{letter_id}.pdf")
    target.write_bytes(letter_pdf(app=the_app(), letter_id=letter_id))
    console.print(f"letter {letter_id}: {target}")


@post_app.command("posted")
@refusing
def posted(
    letter_id: Annotated[int, typer.Argument(metavar="ID")],
    by: Annotated[
        str | None,
        typer.Option("--by", help="Who posted it (default: $COMPLAINTS_STAFF_NAME, login)."),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="When it was posted (ISO date-time; now).")
    ] = None,
) -> None:
    """Mark a letter posted: sent, in the complaint's history, its promise kept today."""
    from complaints.services.post import mark_posted

    done = mark_posted(app=the_app(), letter_id=letter_id, by=staff_name(by), at=parse_time(as_of))
    console.print(
        f"letter {done.id} ({done.reference}, {done.kind}): posted {done.posted_at.isoformat()}"
    )

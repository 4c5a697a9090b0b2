"""`complaints lifecycle`: the table every step obeys, as the lifecycle package declares it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from complaints.cli.base import app, console


@app.command("lifecycle")
def show_lifecycle(
    markdown: Annotated[bool, typer.Option(help="Print Markdown (the README's section).")] = False,
) -> None:
    """The states and the steps: from where, to where, who may take each, what it does to the
    deadlines (a manager may take every agent's step)."""
    from complaints.lifecycle_doc import STATE_HEADER, STEP_HEADER, rows
    from complaints.lifecycle_doc import markdown as render

    if markdown:
        typer.echo(render(), nl=False)
        return
    for title, header, body in zip(
        ("States", "Steps"), (STATE_HEADER, STEP_HEADER), rows(), strict=True
    ):
        table = Table(title=title)
        for column in header:
            table.add_column(column)
        for row in body:
            table.add_row(*row)
        console.print(table)

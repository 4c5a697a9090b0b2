"""`complaints staff …`: manage the people who handle complaints and their API tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from complaints.cli.base import app, console, emit_json, refusing, the_app

staff_app = typer.Typer(
    help="Staff members and their API tokens (stored hashed).", no_args_is_help=True
)
app.add_typer(staff_app, name="staff")


@staff_app.command("add")
@refusing
def add(
    name: str,
    role: Annotated[
        str,
        typer.Option(
            help="agent (analyse, plan, answer), manager (+ assign, close, "
            "escalate), admin (+ manage staff)."
        ),
    ] = "agent",
    days: Annotated[int, typer.Option(help="Days before the token expires.")] = 365,
    email: Annotated[
        str | None,
        typer.Option(help="Where the member's reminders go (default: the manager's address)."),
    ] = None,
) -> None:
    """Add a member, or give one a new token (ending the sessions of the former); prints the
    token once (it is stored hashed)."""
    from complaints.services.staff import add as add_member

    token = add_member(app=the_app(), name=name, role=role, days=days, email=email)
    console.print(f"{name} ({role}); token, shown only now:")
    typer.echo(token)


@staff_app.command("revoke")
@refusing
def revoke(name: str) -> None:
    """Revoke a member's token and end their staff page sessions, at once."""
    from complaints.services.staff import revoke as revoke_member

    revoke_member(app=the_app(), name=name)
    console.print(f"{name}: token revoked, page sessions ended")


@staff_app.command("list")
@refusing
def list_members(json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List members, roles and token expiry."""
    from complaints.services.staff import members

    rows = members(app=the_app())
    if json:
        emit_json(rows)
        return
    for row in rows:
        console.print(
            f"{row['name']}  {row['role']}  expires {str(row['expires_at'])[:10]}"
            f"{'  REVOKED' if row['revoked_at'] else ''}"
        )

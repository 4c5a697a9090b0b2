"""The Typer app, its error handling (one clear line, non-zero exit) and output helpers."""

from __future__ import annotations

import functools
import getpass
import json
import os
import sys
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console

from complaints.app import App, get_app
from complaints.clock import aware

app = typer.Typer(
    name="complaints",
    help="Handle customer complaints the way ISO 10002 describes, and prove it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console()
P = ParamSpec("P")
R = TypeVar("R")


class CliError(Exception):
    """Shown as one line; the command exits with status 1."""


def _validation_line(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "input"
        parts.append(f"{where}: {item['msg']}")
    return "invalid input: " + "; ".join(parts)


def refusing(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a refusal (bad input, illegal step, unknown reference) into one line and exit 1."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError

        from complaints.db import RealClock, WrongKey
        from complaints.errors import Refusal
        from complaints.keys import BadKey

        try:
            return command(*args, **kwargs)
        except ValidationError as error:
            message = _validation_line(error)
        except (Refusal, CliError, WrongKey, RealClock, BadKey) as error:
            message = str(error)
        except (ArgumentError, OperationalError, InterfaceError) as error:
            first = (str(error).strip().splitlines() or [""])[0][:200]
            message = f"database unavailable ({type(error).__name__}: {first}):"
            message += " check COMPLAINTS_DATABASE_URL"
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(1)

    return wrapper


def the_app() -> App:
    return get_app()


def staff_name(given: str | None) -> str:
    """Who acts: --by, else COMPLAINTS_STAFF_NAME, else the login name (the services refuse
    a name that is not an active staff member's)."""
    return given or os.environ.get("COMPLAINTS_STAFF_NAME") or getpass.getuser()


def parse_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return aware(datetime.fromisoformat(value))
    except ValueError:
        raise CliError(f"not an ISO date-time: {value!r} (e.g. 2026-12-01T09:00)") from None


def sweep_time(value: str | None) -> datetime | None:
    """A flow's --as-of: any time on a simulated clock (the demo's); on a real one, never in
    the future (a sweep run ahead of time would alert, refer and anonymise before it is due)."""
    from complaints.services.history import ahead_of_clock

    moment = parse_time(value)
    if moment is not None and ahead_of_clock(the_app().db, moment):
        raise CliError(
            f"--as-of {value} is in the future: only a simulated clock (the demo's) runs ahead"
        )
    return moment


def flow_outcome(run: Coroutine[Any, Any, dict[str, Any]], *, json: bool = False) -> None:
    """Run a flow and print its figures; when it failed for some complaints, one line for each
    (what stays due is retried by the next run) and exit 1, without a traceback."""
    import asyncio

    from complaints.orchestration import Unfinished

    try:
        result, failed = asyncio.run(run), {}
    except Unfinished as unfinished:
        result, failed = unfinished.result, unfinished.failed
    if json:
        emit_json({**result, "failed": failed} if failed else result)
    else:
        console.print(", ".join(f"{key}: {value}" for key, value in result.items()))
        for reference, why in sorted(failed.items()):
            typer.echo(f"error: {reference}: {why.removeprefix('failed: ')}", err=True)
    if failed:
        raise typer.Exit(1)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def main() -> None:
    # What this process and its children (Prefect's server) write holds personal data or
    # secrets: readable by the owner only (var/ files 0600, folders 0700).
    os.umask(0o077)
    app()

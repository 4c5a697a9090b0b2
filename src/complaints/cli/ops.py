"""Commands that run the flows: run-due, serve, demo; and the database and mail sink."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from complaints.cli.base import app, console, db_app, emit_json, parse_time, refusing, the_app


@app.command("run-due")
@refusing
def run_due(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Run as of this ISO date-time (default now).")
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Run every sweep once: acknowledge new complaints, enforce deadlines, send surveys, close."""
    import asyncio

    from complaints import orchestration, prefect_env, prefect_server

    moment = parse_time(as_of)
    prefect_env.configure(the_app().settings.var)
    prefect_server.use_local_server_if_running()
    result = asyncio.run(orchestration.run_due(moment))
    if json:
        emit_json(result)
    else:
        console.print(", ".join(f"{key}: {value}" for key, value in result.items()))


@app.command()
@refusing
def serve(
    sweep_seconds: Annotated[
        float | None, typer.Option(help="Seconds between deadline sweeps.")
    ] = None,
    poll_seconds: Annotated[
        float | None, typer.Option(help="Seconds between looks for new complaints.")
    ] = None,
) -> None:
    """Run until stopped: new complaints acknowledged at once, deadlines and follow-ups on schedule."""
    import asyncio

    from complaints import dispatcher, prefect_env
    from complaints.prefect_server import PrefectServer

    settings = the_app().settings
    prefect_env.configure(settings.var)
    server = PrefectServer(settings.var, port=settings.prefect_port).start()
    console.print(
        f"Complaint form and tracking: http://{settings.web_host}:{settings.web_port}/"
        f"   staff: /staff   API docs: /docs"
    )
    console.print(f"Prefect UI: {server.ui_url}   (Ctrl-C to stop)")
    try:
        asyncio.run(
            dispatcher.serve(
                sweep_seconds or settings.sweep_seconds, poll_seconds or settings.poll_seconds
            )
        )
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@app.command()
@refusing
def demo() -> None:
    """Take six sample complaints through every path of the lifecycle, with real flows and e-mails."""
    from complaints.demo.run import run_demo

    run_demo()


@app.command("mail-sink")
@refusing
def mail_sink(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8025,
    folder: Annotated[
        Path | None, typer.Option(help="Where to store .eml files (default var/mail).")
    ] = None,
) -> None:
    """Run a local SMTP server that stores every e-mail it receives (for trying things out)."""
    import time

    from complaints.mail.sink import MailSink

    target = folder or the_app().settings.var / "mail"
    with MailSink(target, port=port):
        console.print(f"SMTP on 127.0.0.1:{port}, storing in {target} (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


@db_app.command("upgrade")
@refusing
def db_upgrade() -> None:
    """Bring the database schema up to date (Alembic)."""
    from complaints.db import Database
    from complaints.migrate import upgrade
    from complaints.settings import get_settings

    database = Database(get_settings().database)
    upgrade(database)
    console.print(f"schema up to date: {database.schema_revision()}")

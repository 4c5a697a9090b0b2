"""Commands that run the flows: run-due, serve, demo; and the database and mail sink."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from complaints.cli.base import (
    CliError,
    app,
    console,
    db_app,
    flow_outcome,
    refusing,
    sweep_time,
    the_app,
)


@app.command("run-due")
@refusing
def run_due(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Run as of this ISO date-time (default now).")
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Run every sweep once: acknowledge new complaints, enforce deadlines, send surveys, close."""
    from complaints import orchestration, prefect_env, prefect_server

    moment = sweep_time(as_of)
    prefect_env.configure(the_app().settings.var)
    prefect_server.use_local_server_if_running(the_app().settings.prefect_port)
    flow_outcome(orchestration.run_due(moment), json=json)


@app.command()
@refusing
def serve(
    sweep_seconds: Annotated[
        float | None, typer.Option(help="Seconds between deadline sweeps.")
    ] = None,
    poll_seconds: Annotated[
        float | None, typer.Option(help="Seconds between looks for new complaints.")
    ] = None,
    sweeps: Annotated[
        bool,
        typer.Option(help="Serve the sweeps here; --no-sweeps where workers run them (at scale)."),
    ] = True,
) -> None:
    """Run until stopped: new complaints acknowledged at once, deadlines and follow-ups on schedule.

    With PREFECT_API_URL set, it uses that Prefect server; otherwise it starts its own."""
    import asyncio
    import os

    from complaints import dispatcher, prefect_env
    from complaints.prefect_server import PrefectServer

    settings = the_app().settings
    prefect_env.configure(settings.var)
    shared = os.environ.get("PREFECT_API_URL")
    server = None if shared else PrefectServer(settings.var, port=settings.prefect_port).start()
    console.print(
        f"Complaint form and tracking: http://{settings.web_host}:{settings.web_port}/"
        f"   staff: /staff   API docs: /docs"
    )
    console.print(f"Prefect: {server.ui_url if server else shared}   (Ctrl-C to stop)")
    try:
        asyncio.run(
            dispatcher.serve(
                sweep_seconds or settings.sweep_seconds,
                poll_seconds or settings.poll_seconds,
                sweeps=sweeps,
            )
        )
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.stop()


@app.command()
@refusing
def deploy() -> None:
    """Create the work pool and the deployments of prefect.yaml on the Prefect server of
    PREFECT_API_URL; then start workers with `prefect worker start --pool complaints`."""
    from complaints import deployment, prefect_env

    settings = the_app().settings
    prefect_env.configure(settings.var)
    try:
        for line in deployment.deploy(settings.home):
            console.print(line)
    except deployment.DeployError as error:
        raise CliError(str(error)) from None


@app.command()
@refusing
def demo() -> None:
    """Take nine sample complaints through every path of the lifecycle, with real flows and e-mails."""
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
    """Bring the database schema up to date (Alembic); histories are sealed with the seal key."""
    from complaints.db import Database
    from complaints.keys import seal_key
    from complaints.migrate import upgrade
    from complaints.settings import get_settings

    settings = get_settings()
    database = Database(settings.database, seal_key(settings))
    upgrade(database)
    database.claim_key()
    console.print(f"schema up to date: {database.schema_revision()}")

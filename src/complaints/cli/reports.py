"""`complaints report` and `complaints actions`: the steering figures and the action plan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from complaints.cli.base import (
    CliError,
    app,
    console,
    emit_json,
    flow_outcome,
    parse_time,
    refusing,
    staff_name,
    sweep_time,
    the_app,
)

Format = Annotated[str, typer.Option("--format", help="html, csv or json.")]


@app.command()
@refusing
def report(
    format: Format = "html",
    since: Annotated[
        str | None, typer.Option(help="Start, ISO date (default: 30 days ago).")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="End, ISO date, excluded (default: now).")
    ] = None,
    product: Annotated[str | None, typer.Option()] = None,
    region: Annotated[str | None, typer.Option()] = None,
    customer_type: Annotated[str | None, typer.Option()] = None,
    channel: Annotated[str | None, typer.Option()] = None,
    category: Annotated[str | None, typer.Option()] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
    lang: Annotated[
        str | None, typer.Option(help="fr or en, for the HTML (default: the organisation's).")
    ] = None,
) -> None:
    """The review report: figures and trends, promise register, recurring causes, actions, ISO 10002 audit."""
    from complaints.reporting.report import build, to_csv, to_html, to_json
    from complaints.reporting.sql import Scope

    if format not in ("html", "csv", "json"):
        raise CliError(f"--format must be html, csv or json, not {format!r}")
    if lang not in (None, "fr", "en"):
        raise CliError(f"--lang must be fr or en, not {lang!r}")
    now = datetime.now(UTC)
    end = parse_time(until) or now
    start = parse_time(since) or end - timedelta(days=30)
    if start >= end:
        raise CliError("--since must be before --until")
    filters = {
        k: v
        for k, v in {
            "product": product,
            "region": region,
            "customer_type": customer_type,
            "channel": channel,
            "category": category,
        }.items()
        if v
    }
    data = build(app=the_app(), scope=Scope(since=start, until=end, filters=filters), now=now)
    text = {
        "html": lambda: to_html(the_app(), data, lang=lang),
        "csv": lambda: to_csv(data),
        "json": lambda: to_json(data),
    }[format]()
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"{format} report written to {output}")


@app.command()
@refusing
def actions(
    open_only: Annotated[bool, typer.Option("--open", help="Only actions not yet done.")] = False,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The curative, corrective and preventive actions: owner, due date, done, effective."""
    from complaints.reporting.improvement import actions as list_actions

    rows = list_actions(app=the_app(), today=datetime.now(UTC).date(), open_only=open_only)
    if json:
        emit_json(rows)
        return
    for a in rows:
        state = "done" if a["done_at"] else ("OVERDUE" if a["overdue"] else "open")
        console.print(
            f"{a['id']:>5}  {a['reference']}  {a['kind']:<10} {state:<8} due {a['due_on']}  "
            f"{a['owner']}: {a['description']}"
        )


@app.command("action-done")
@refusing
def action_done(
    action_id: int,
    by: Annotated[str | None, typer.Option("--by", help="Who completed it.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of")] = None,
) -> None:
    """Mark an action completed (its effect is checked later, automatically)."""
    from complaints.reporting.improvement import complete

    reference = complete(
        app=the_app(), action_id=action_id, by=staff_name(by), at=parse_time(as_of)
    )
    console.print(f"action {action_id} of {reference}: done")


@app.command()
@refusing
def review(
    as_of: Annotated[str | None, typer.Option("--as-of", help="As of this ISO date-time.")] = None,
) -> None:
    """Run the monthly review now: check actions' effect, e-mail last month's report (a Prefect flow)."""
    from complaints import orchestration, prefect_env, prefect_server

    prefect_env.configure(the_app().settings.var)
    prefect_server.use_local_server_if_running(the_app().settings.prefect_port)
    flow_outcome(orchestration.monthly_review(sweep_time(as_of)))

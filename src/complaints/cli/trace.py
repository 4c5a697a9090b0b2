"""`complaints trace REF`: where a complaint stands (from the database) and what Prefect did
with it (runs and events, with links to the UI). Nothing personal: no name, address or text."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from complaints import lifecycle, outbox_queries, repository
from complaints.cli.base import CliError, app, console, refusing, the_app
from complaints.clock import aware, now
from complaints.dates import long_moment
from complaints.lifecycle import PHASES
from complaints.words import catalog


@app.command()
@refusing
def trace(
    reference: str,
    lang: Annotated[
        str | None, typer.Option(help="fr or en (default: the organisation's).")
    ] = None,
) -> None:
    """Trace one complaint for operations: its state, whom it waits on, its next wake-up, its
    e-mails not delivered, and its Prefect flow runs, task runs and events, with links."""
    from complaints import prefect_env, prefect_trace

    application = the_app()
    lang = lang or application.conduct.organisation.language
    if lang not in ("fr", "en"):
        raise CliError(f"--lang must be fr or en, not {lang!r}")
    words = catalog(application.settings.home / "templates")[lang]["trace"]
    zone = application.conduct.organisation.timezone

    def moment(value: datetime | None) -> str:
        return long_moment(aware(value), lang, zone) if value else words["nothing"]

    with application.db.reader() as session:
        complaint = repository.find(session=session, reference=reference)
        if complaint is None:
            raise CliError(words["unknown"].format(reference=reference))
        facts = Table(show_header=False, box=None)
        late = lifecycle.overdue(complaint, now())
        for key, value in (
            ("reference", complaint.reference),
            ("state", PHASES[complaint.state].staff(lang)),
            ("waits_on", words[f"party_{lifecycle.waiting_on(complaint.state)}"]),
            ("answer_by", moment(complaint.answer_by)),
            ("overdue", words["overdue_yes" if late else "overdue_no"]),
            ("next_wake", moment(lifecycle.next_wake(complaint))),
            (
                "needs_attention",
                words["overdue_yes" if complaint.needs_attention else "overdue_no"],
            ),
        ):
            facts.add_row(f"[bold]{words[key]}[/]", value)
        mails = outbox_queries.not_delivered(session=session, complaint_id=complaint.id)
        emails = Table(words["kind"], words["status"], words["attempts"], words["error"], "→")
        for mail in mails:
            emails.add_row(
                mail.kind,
                str(mail.status),
                str(mail.attempts),
                (mail.last_error or "").split(":", 1)[0][:60],  # the kind of error, not the reply
                moment(mail.next_attempt_at) if mail.status == "pending" else "",
            )
    console.print(facts)
    console.print(f"\n[bold]{words['emails']}[/]: {len(mails) or words['none']}")
    if mails:
        console.print(emails)
    prefect_env.configure(application.settings.var)
    api = prefect_trace.api_url(application.settings.prefect_port)
    if api is None or not prefect_trace.reachable(api):
        where = api or f"http://127.0.0.1:{application.settings.prefect_port}/api"
        console.print(words["unreachable"].format(url=where))
        return
    ui = prefect_trace.ui_url(api)
    found = asyncio.run(prefect_trace.read(complaint.reference, ui))
    for title, rows, second in (
        ("flow_runs", found.flow_runs, "state"),
        ("task_runs", found.task_runs, "state"),
        ("events", found.events, "event"),
    ):
        console.print(f"\n[bold]{words[title]}[/]: {len(rows) or words['none']}")
        if not rows:
            continue
        table = Table(words["name"], words[second], words["when"])
        table.add_column(words["link"], overflow="fold")
        for row in rows:
            table.add_row(row.name, row.state, moment(row.when), row.link)
        console.print(table)

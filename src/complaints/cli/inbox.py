"""`complaints inbox …` and `complaints mail-in`: what reached the complaints mailbox, the
quarantine, and the ways mail comes in (IMAP, LMTP/SMTP from our own server, .eml files)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from complaints.cli.base import CliError, app, console, emit_json, flow_outcome, refusing, the_app

inbox_app = typer.Typer(
    help="The complaints mailbox: read it, take .eml files, see the quarantine.",
    no_args_is_help=True,
)
app.add_typer(inbox_app, name="inbox")


@inbox_app.command("read")
@refusing
def read() -> None:
    """Read the IMAP mailbox once (the read-mailbox flow): each message taken once, then filed."""
    from complaints import orchestration, prefect_env, prefect_server

    settings = the_app().settings
    if not settings.imap_host:
        raise CliError("no mailbox configured: set COMPLAINTS_IMAP_HOST (see the README)")
    prefect_env.configure(settings.var)
    prefect_server.use_local_server_if_running(settings.prefect_port)
    flow_outcome(orchestration.read_mailbox())


@inbox_app.command("take")
@refusing
def take(files: Annotated[list[Path], typer.Argument(help=".eml files, as received.")]) -> None:
    """Take e-mails saved as .eml files, as if they had reached the mailbox."""
    from complaints.services import inbound

    for path in files:
        if not path.is_file():
            raise CliError(f"{path}: no such file")
    for path in files:
        taken = inbound.take(the_app(), path.read_bytes(), source="file")
        said = f"{taken.outcome.value} {taken.reference or ''}".strip()
        console.print(f"{path.name}: {said}" + (" (taken before)" if taken.again else ""))


@inbox_app.command("retake")
@refusing
def retake(inbound_id: int) -> None:
    """Take a message of the quarantine again, from its original, once its cause is fixed."""
    from complaints.services import inbound

    taken = inbound.retake(the_app(), inbound_id)
    console.print(f"message {inbound_id}: {taken.outcome.value} {taken.reference or ''}".strip())


@inbox_app.command("list")
@refusing
def list_arrived(
    every: Annotated[
        bool, typer.Option("--all", help="Every outcome, not only the quarantine.")
    ] = False,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The quarantine (messages kept but not taken, with the reason), newest first."""
    from complaints.inbound_queries import FOR_STAFF, arrived
    from complaints.models import InboundOutcome
    from complaints.services.quarantine import in_words, words

    outcomes = [o.value for o in InboundOutcome] if every else [o.value for o in FOR_STAFF]
    with the_app().db.transaction() as session:
        rows = arrived(session, outcomes=outcomes, limit=limit)
    if json:
        emit_json([row.__dict__ for row in rows])
        return
    table = Table("id", "received", "how", "outcome", "complaint", "from", "why")
    said = words(the_app(), "en")
    for row in rows:
        table.add_row(
            str(row.id),
            f"{row.received_at:%Y-%m-%d %H:%M}",
            row.source,
            row.outcome,
            row.reference or "—",
            row.sender or "—",
            in_words(row.reason, said),
        )
    console.print(table if rows else "nothing in the quarantine")


@inbox_app.command("raw")
@refusing
def raw(
    inbound_id: int,
    out: Annotated[Path, typer.Option(help="Where to write the message (.eml).")],
) -> None:
    """Write a received message as it arrived, to read it in a mail program."""
    from complaints import files
    from complaints.inbound_queries import one

    app_ = the_app()
    with app_.db.transaction() as session:
        row = one(session, inbound_id)
        digest = row.raw_sha256 if row is not None else None
    if row is None:
        raise CliError(f"no received message {inbound_id}")
    if digest is None:
        raise CliError(f"message {inbound_id} was not downloaded (too large) or was erased")
    out.write_bytes(files.read(digest, under=files.store(app_.settings)))
    console.print(f"message {inbound_id} written to {out}")


@app.command("mail-in")
@refusing
def mail_in(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 2424,
    smtp: Annotated[bool, typer.Option("--smtp", help="Speak SMTP instead of LMTP.")] = False,
) -> None:
    """Take mail handed over by our own mail server (LMTP, or SMTP), until stopped."""
    import time

    from complaints.mail.lmtp import MailIn

    server = MailIn(the_app(), host, port, smtp=smtp)
    server.start()
    console.print(f"{'SMTP' if smtp else 'LMTP'} on {host}:{port} (Ctrl-C to stop)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()

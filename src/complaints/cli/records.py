"""Commands that record a complaint or read them: fast, no Prefect on their path."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from complaints.cli.base import (
    CliError,
    app,
    console,
    emit_json,
    parse_time,
    refusing,
    staff_name,
    the_app,
)
from complaints.lifecycle import State
from complaints.models import Channel

AsOf = Annotated[str | None, typer.Option("--as-of", help="Pretend it is this ISO date-time.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
By = Annotated[
    str | None,
    typer.Option("--by", help="Who reads (a staff member; default $COMPLAINTS_STAFF_NAME, login)."),
]


@app.command()
@refusing
def submit(
    name: Annotated[str, typer.Option(help="The complainant's full name.")],
    subject: Annotated[str, typer.Option(help="One line: what the complaint is about.")],
    description: Annotated[str, typer.Option(help="What happened, in the customer's words.")],
    product: Annotated[str, typer.Option(help="The product or service concerned.")],
    region: Annotated[
        str, typer.Option(help="Where the customer is: one of [intake] regions (e.g. Bretagne).")
    ],
    email: Annotated[
        str,
        typer.Option(help="Where the e-mails go; none: give --postal-address (staff channels)."),
    ] = "",
    postal_address: Annotated[
        str | None,
        typer.Option(help="Where the letters go without e-mail (lines apart, or split by \\n)."),
    ] = None,
    phone: Annotated[str | None, typer.Option(help="Optional phone number.")] = None,
    desired_outcome: Annotated[str, typer.Option(help="What the customer wants.")] = "",
    channel: Annotated[
        Channel, typer.Option(help="How the complaint came in (staff: phone, letter, in_person).")
    ] = Channel.WEB,
    customer_type: Annotated[
        str, typer.Option(help="One of [intake] customer_types (individual, professional).")
    ] = "individual",
    language: Annotated[str, typer.Option(help="fr or en: the language of every e-mail.")] = "fr",
    consent_contact: Annotated[
        bool, typer.Option(help="The customer agreed to the satisfaction follow-up by e-mail.")
    ] = False,
    consent_share: Annotated[
        bool, typer.Option(help="The customer agreed to share their file with the mediator.")
    ] = False,
    received_on: Annotated[
        str | None,
        typer.Option(help="A letter's or e-mail's date of receipt, YYYY-MM-DD, if not today."),
    ] = None,
    as_of: AsOf = None,
    json: Json = False,
) -> None:
    """Record a new complaint and print its reference; it is acknowledged at once by `serve`."""
    from datetime import date

    from complaints.intake import Intake
    from complaints.services.intake import receive

    try:
        received = date.fromisoformat(received_on) if received_on else None
    except ValueError:
        raise CliError(f"not a date: {received_on!r} (YYYY-MM-DD)") from None

    intake = Intake.model_validate(
        {
            "name": name,
            "email": email,
            "phone": phone,
            "postal_address": postal_address.replace("\\n", "\n") if postal_address else None,
            "subject": subject,
            "description": description,
            "desired_outcome": desired_outcome,
            "channel": channel,
            "product": product,
            "region": region,
            "customer_type": customer_type,
            "language": language,
            "consent_contact": consent_contact,
            "consent_share": consent_share,
        }
    )
    receipt = receive(app=the_app(), intake=intake, at=parse_time(as_of), received_on=received)
    if json:
        emit_json(
            {
                "reference": receipt.reference,
                "state": receipt.state,
                "acknowledge_by": receipt.acknowledge_by.isoformat(),
                "answer_by": receipt.answer_by.isoformat(),
            }
        )
    else:
        from complaints.dates import long_date

        application = the_app()
        promised = long_date(
            receipt.answer_by,
            application.conduct.organisation.language,
            application.conduct.organisation.timezone,
        )
        console.print(f"[bold]{receipt.reference}[/] received; answer promised by {promised}")


@app.command()
@refusing
def show(
    reference: str,
    by: By = None,
    lang: Annotated[
        str | None, typer.Option(help="fr or en (default: the organisation's).")
    ] = None,
    as_of: AsOf = None,
    json: Json = False,
) -> None:
    """Show one complaint: state, promises and how each was computed, the customer's opinions,
    actions, e-mails and the whole history of events. The read is logged with who read it."""
    from complaints.services.views import show as view

    if lang not in (None, "fr", "en"):
        raise CliError(f"--lang must be fr or en, not {lang!r}")
    data = view(
        app=the_app(),
        reference=reference,
        as_of=parse_time(as_of),
        viewer=staff_name(by),
        lang=lang,
        channel="the command line",
    )
    if json:
        emit_json(data)
        return
    print_complaint(data)


def print_complaint(data: dict[str, Any]) -> None:
    if data["simulated_clock"]:
        console.print("[yellow]simulated clock (demo): these times are the simulation's[/]")
    console.print(
        f"[bold]{data['reference']}[/] — {data['state']}"
        f"{' [red](overdue)[/]' if data['overdue'] else ''} — {data['subject']}"
    )
    for key in (
        "product",
        "region",
        "customer_type",
        "channel",
        "category",
        "severity",
        "priority",
        "received_at",
        "acknowledgement_sent_at",
        "answer_by",
        "answered_at",
        "first_answer_sent_at",
        "closed_at",
        "closure_reason",
        "mediator",
        "related",
    ):
        if data.get(key) not in (None, [], ""):
            console.print(f"  {key.replace('_', ' ')}: {data[key]}")
    promises = Table("promise", "due (UTC)", "how it was computed", title="Promises")
    for item in data["deadlines"]:
        promises.add_row(item["promise"], item["due"][:16], item["explained"])
    console.print(promises)
    if data["feedback"]:
        opinions = Table(
            "round", "answered (UTC)", "satisfied", "comment", title="Customer's opinions"
        )
        for item in data["feedback"]:
            satisfied = {True: "yes", False: "no", None: "—"}[item["satisfied"]]
            opinions.add_row(
                str(item["round"]), (item["answered_at"] or "")[:16], satisfied, item["comment"]
            )
        console.print(opinions)
    if data.get("attachments"):
        files = Table("id", "file", "type", "bytes", "came by", "added (UTC)", title="Attachments")
        for item in data["attachments"]:
            erased = item["erased_at"]
            # A Text, not markup: the name is the customer's, "[/]" and all.
            name = Text(f"(erased {erased[:10]})" if erased else item["filename"])
            kind, size, added = item["content_type"], str(item["size"]), item["added_at"][:16]
            files.add_row(str(item["id"]), name, kind, size, item["source"], added)
        console.print(files)
    history = Table("when (UTC)", "recorded", "who", "what", "why", title="History")
    for event in data["history"]:
        recorded = event["recorded_at"] or ""
        history.add_row(
            event["at"][:19],
            recorded[:19] if recorded[:19] != event["at"][:19] else "",
            event["actor"],
            event["action"],
            event["reason"],
        )
    console.print(history)


@app.command("list")
@refusing
def list_(
    state: Annotated[
        list[State] | None, typer.Option(help="Only these states (repeatable).")
    ] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only complaints past their answer date.")
    ] = False,
    limit: int = 200,
    as_of: AsOf = None,
    json: Json = False,
) -> None:
    """List complaints, most urgent answer date first."""
    from complaints.services.views import list_complaints

    found = list_complaints(
        app=the_app(), states=state or [], overdue=overdue, as_of=parse_time(as_of), limit=limit
    )
    rows = [row.plain() for row in found]
    if json:
        emit_json(rows)
        return
    table = Table("reference", "state", "product", "category", "answer by", "overdue")
    for row in rows:
        table.add_row(
            row["reference"],
            row["state"],
            row["product"],
            row["category"] or "",
            row["answer_by"][:16],
            "yes" if row["overdue"] else "",
        )
    console.print(table)

"""Commands that record a complaint or read them: fast, no Prefect on their path."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from complaints.cli.base import app, console, emit_json, parse_time, refusing, the_app
from complaints.lifecycle import State
from complaints.models import Channel

AsOf = Annotated[str | None, typer.Option("--as-of", help="Pretend it is this ISO date-time.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@app.command()
@refusing
def submit(
    name: Annotated[str, typer.Option(help="The complainant's full name.")],
    email: Annotated[str, typer.Option(help="Where the acknowledgement and answer go.")],
    subject: Annotated[str, typer.Option(help="One line: what the complaint is about.")],
    description: Annotated[str, typer.Option(help="What happened, in the customer's words.")],
    product: Annotated[str, typer.Option(help="The product or service concerned.")],
    region: Annotated[str, typer.Option(help="Where the customer is (region, department…).")],
    phone: Annotated[str | None, typer.Option(help="Optional phone number.")] = None,
    desired_outcome: Annotated[str, typer.Option(help="What the customer wants.")] = "",
    channel: Annotated[Channel, typer.Option(help="How the complaint came in.")] = Channel.WEB,
    customer_type: Annotated[str, typer.Option(help="individual, professional…")] = "individual",
    language: Annotated[str, typer.Option(help="fr or en: the language of every e-mail.")] = "fr",
    consent_contact: Annotated[
        bool, typer.Option(help="The customer agreed to the satisfaction follow-up by e-mail.")
    ] = False,
    consent_share: Annotated[
        bool, typer.Option(help="The customer agreed to share their file with the mediator.")
    ] = False,
    as_of: AsOf = None,
    json: Json = False,
) -> None:
    """Record a new complaint and print its reference; it is acknowledged at once by `serve`."""
    from complaints.intake import Intake
    from complaints.services.intake import receive

    intake = Intake.model_validate(
        {
            "name": name,
            "email": email,
            "phone": phone,
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
    receipt = receive(app=the_app(), intake=intake, at=parse_time(as_of))
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
        console.print(
            f"[bold]{receipt.reference}[/] received; answer promised by "
            f"{receipt.answer_by:%Y-%m-%d %H:%M} UTC"
        )


@app.command()
@refusing
def show(reference: str, as_of: AsOf = None, json: Json = False) -> None:
    """Show one complaint: state, deadlines, actions, e-mails and the whole history of events."""
    from complaints.services.views import show as view

    data = view(app=the_app(), reference=reference, as_of=parse_time(as_of))
    if json:
        emit_json(data)
        return
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
        "acknowledged_at",
        "answer_by",
        "answered_at",
        "survey_at",
        "feedback_by",
        "closed_at",
        "closure_reason",
        "mediator",
        "related",
    ):
        if data.get(key) not in (None, [], ""):
            console.print(f"  {key.replace('_', ' ')}: {data[key]}")
    history = Table("when (UTC)", "who", "what", "why", title="History")
    for event in data["history"]:
        history.add_row(event["at"][:19], event["actor"], event["action"], event["reason"])
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

    rows = list_complaints(
        app=the_app(), states=state or [], overdue=overdue, as_of=parse_time(as_of), limit=limit
    )
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

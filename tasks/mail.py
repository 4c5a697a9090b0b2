"""Send the outbox's pending e-mails of a group of complaints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import task
from prefect.client.schemas.objects import State
from prefect.states import Failed

from complaints.app import get_app
from complaints.services import delivery
from tasks.naming import by_reference


# No retries here: a message that was not accepted waits for its own backoff in the outbox
# (the dispatcher and the sweeps pick it up then), so that nobody else's mail waits behind it.
@task(name="send e-mails", task_run_name=by_reference)
async def send_emails(references: list[str], as_of: datetime) -> dict[str, str] | State[Any]:
    """Send what is due; Failed, with one line per complaint whose e-mail was not accepted."""
    report = await delivery.deliver(app=get_app(), references=references, at=as_of)
    outcomes = dict.fromkeys(references, "sent")
    outcomes.update({ref: f"failed: {why}" for ref, why in report.failed.items()})
    if report.complete:
        return outcomes
    # A state, not an exception: the failure is said in words, with no traceback to read.
    return Failed(
        message=f"{len(report.failed)} complaint(s) with e-mail not accepted, kept pending",
        data=outcomes,
    )

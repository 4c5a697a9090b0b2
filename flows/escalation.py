"""Escalation to the mediator (ISO 10003) when internal handling has failed."""

# No `from __future__ import annotations`: Prefect builds each flow's parameter model from
# these annotations in the run's own process, and a string annotation left unresolved there
# fails the run ("`Follow_UpModel` is not fully defined").
from datetime import datetime

from prefect import flow
from prefect.runtime import flow_run

from complaints.batching import label
from complaints.clock import at_or_now
from tasks.groups import finish, for_each
from tasks.mail import send_emails
from tasks.steps import refer_to_mediator


def _name() -> str:
    return f"escalate {label(flow_run.parameters.get('references') or [])}"


@flow(name="escalate-to-mediator", flow_run_name=_name)
async def escalate_to_mediator(
    references: list[str], as_of: datetime | None = None
) -> dict[str, str]:
    """Send each case to its mediator, tell the customer, and deliver both e-mails."""
    as_of = at_or_now(as_of)
    referred = await for_each(refer_to_mediator, references, as_of)
    sent = await for_each(send_emails, references, as_of)
    return finish(referred, referred, sent)

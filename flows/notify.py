"""Tell the operations address what an automation saw: a lifecycle run failed, a complaint
went to the mediator (complaints/automations.py), or any notice a trigger of prefect.yaml
names. E-mails failing for an hour are told by the deadline sweep (services/operations.py)."""

# No `from __future__ import annotations`: Prefect builds each flow's parameter model from
# these annotations in the run's own process.
from prefect import flow
from prefect.settings import PREFECT_UI_URL

from complaints.clock import now
from tasks.groups import finish, said
from tasks.mail import send_organisation_emails
from tasks.operations import write_notice


def _name() -> str:
    from prefect.runtime import flow_run

    parameters = flow_run.parameters
    return f"notify {parameters.get('notice', '')} {parameters.get('about', '')}".strip()


def _link(resource: str) -> str:
    """The Prefect UI's page of a failed run; nothing for a complaint (trace tells)."""
    if not resource.startswith("prefect.flow-run."):
        return ""
    ui = (PREFECT_UI_URL.value() or "").rstrip("/")
    return f"{ui}/runs/flow-run/{resource.rsplit('.', 1)[1]}" if ui else ""


@flow(name="notify-operations", flow_run_name=_name)
async def notify_operations(
    notice: str, about: str = "", resource: str = "", event_id: str = ""
) -> dict[str, int]:
    """Write the notice (once per event: a repeated trigger writes nothing) and send it."""
    at = now()
    key = event_id or f"{about}:{at:%Y-%m-%dT%H}"  # a proactive trigger, made by hand
    written = await write_notice(notice, about, _link(resource), key, at)
    sent, unsent = await said(send_organisation_emails, at)
    return finish({"written": int(written), "sent": sent or 0}, failed=unsent)

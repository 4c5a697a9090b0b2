"""Send the outbox's pending e-mails of a group of complaints, with retries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import task
from prefect.tasks import Task

from complaints.app import get_app
from complaints.services import delivery
from complaints.settings import get_settings
from tasks.naming import by_reference


class DeliveryIncomplete(RuntimeError):
    """Some e-mails were not accepted; they stay pending and are retried."""


@task(name="send e-mails", task_run_name=by_reference, retries=3, retry_delay_seconds=[2, 10, 60])
async def _send_emails(references: list[str], as_of: datetime) -> int:
    """Send what is pending; only what the SMTP server did not accept is sent again on retry."""
    report = await delivery.deliver(app=get_app(), references=references, at=as_of)
    if not report.complete:
        raise DeliveryIncomplete(
            f"{len(set(report.failed))} complaint(s) with e-mail not accepted; kept pending"
        )
    return report.sent


def send_emails() -> Task[..., Any]:
    """The send task with the retry delays of the settings."""
    delays = get_settings().delivery_retry_delays
    return _send_emails.with_options(retries=len(delays), retry_delay_seconds=delays)

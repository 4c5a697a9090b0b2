"""Send the outbox's pending e-mails of a group of complaints."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from prefect import task
from prefect.client.schemas.objects import State
from prefect.states import Failed

from complaints import feed
from complaints.app import get_app
from complaints.services import delivery
from tasks.feed import emit
from tasks.naming import by_reference


def _no_empty_traceback(record: logging.LogRecord) -> bool:
    """Prefect logs a task that returned a Failed state with exc_info=True and no exception:
    the console then shows "NoneType: None" under the line. Drop the empty exception."""
    if record.exc_info and record.exc_info[0] is None:
        record.exc_info = None
    return True


logging.getLogger("prefect.task_runs").addFilter(_no_empty_traceback)


def _raised(task: Any, run: Any, state: State[Any]) -> bool:
    """Retry when the task raised (the database away for a moment), never when it said which
    e-mails were not accepted: those wait for their own backoff in the outbox (the dispatcher
    and the sweeps pick them up then), so that nobody else's mail waits behind them."""
    return isinstance(state.data, BaseException)


@task(
    name="send e-mails",
    task_run_name=by_reference,
    retries=2,
    retry_delay_seconds=[1.0, 5.0],
    retry_condition_fn=_raised,
)
async def send_emails(references: list[str], as_of: datetime) -> dict[str, str] | State[Any]:
    """Send what is due; Failed, with one line per complaint whose e-mail was not accepted."""
    report = await delivery.deliver(app=get_app(), references=references, at=as_of)
    emit(feed.of_mail(report.kinds, report.failed))
    outcomes = dict.fromkeys(references, "sent")
    outcomes.update({ref: f"failed: {why}" for ref, why in report.failed.items()})
    if report.complete:
        return outcomes
    # A state, not an exception: the failure is said in words, with no traceback to read.
    return Failed(
        message=f"{len(report.failed)} complaint(s) with e-mail not accepted, kept pending",
        data=outcomes,
    )


@task(
    name="send the organisation's e-mails",
    retries=2,
    retry_delay_seconds=[1.0, 5.0],
    retry_condition_fn=_raised,
)
async def send_organisation_emails(as_of: datetime) -> int | State[Any]:
    """The organisation's own e-mails that are due (the monthly review): how many went; Failed,
    saying why, when one was not accepted (it waits for its backoff, and every deadline sweep
    tries again when that has passed)."""
    report = await delivery.deliver(app=get_app(), references=[], at=as_of, organisation=True)
    if report.complete:
        return report.sent
    return Failed(message="the organisation's e-mail not accepted", data=report.failed)

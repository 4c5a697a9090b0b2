"""One task per automatic step of the lifecycle; each takes a group of references."""

from __future__ import annotations

import asyncio
from datetime import datetime

from prefect import task

from complaints.app import get_app
from complaints.lifecycle import Step
from complaints.services import automation, information, taking
from tasks.feed import stepped
from tasks.naming import by_reference

RETRIES = 2
DELAYS = [1.0, 5.0]  # a database hiccup; the step itself is safe to repeat
ALERT = "alert_manager"  # not a move of the lifecycle: the manager is told of a missed promise


async def _run(
    action: automation.Step_, references: list[str], as_of: datetime, step: str | None = None
) -> dict[str, str]:
    """Take `action` on each complaint (committed) in a worker thread: the event loop serves
    the web and the dispatcher meanwhile (`serve` runs them all in one loop). With `step`, say
    in the event feed what it did, before raising a complaint's failure: the retry skips the
    complaints done, and would never tell of them."""
    take = taking.take_each
    outcomes, failures = await asyncio.to_thread(take, get_app(), action, references, as_of)
    if step is not None:
        stepped(step, outcomes)
    if failures:
        raise failures[0]
    return outcomes


async def _take(
    step: str, action: automation.Step_, references: list[str], as_of: datetime
) -> dict[str, str]:
    """Take `action` on each complaint, and say what it did in the event feed."""
    return await _run(action, references, as_of, step)


@task(name="acknowledge", task_run_name=by_reference, retries=RETRIES, retry_delay_seconds=DELAYS)
async def acknowledge(references: list[str], as_of: datetime) -> dict[str, str]:
    """Acknowledge receipt (the e-mail goes out by `send e-mails`)."""
    return await _take(Step.ACKNOWLEDGE, automation.acknowledge, references, as_of)


@task(
    name="first analysis", task_run_name=by_reference, retries=RETRIES, retry_delay_seconds=DELAYS
)
async def start_analysis(references: list[str], as_of: datetime) -> dict[str, str]:
    """Category, severity and priority by rule; similar recent complaints linked."""
    return await _take(Step.START_ANALYSIS, automation.start_analysis, references, as_of)


@task(name="alert manager", task_run_name=by_reference, retries=RETRIES, retry_delay_seconds=DELAYS)
async def alert_manager(references: list[str], as_of: datetime) -> dict[str, str]:
    """A promise missed: the manager is alerted once."""
    return await _take(ALERT, automation.alert_overdue, references, as_of)


@task(
    name="refer to mediator",
    task_run_name=by_reference,
    retries=RETRIES,
    retry_delay_seconds=DELAYS,
)
async def refer_to_mediator(references: list[str], as_of: datetime) -> dict[str, str]:
    """Still overdue past the grace: the mediator gets the case, the customer is told."""
    return await _take(Step.REFER_TO_MEDIATOR, automation.refer_overdue, references, as_of)


@task(name="send survey", task_run_name=by_reference, retries=RETRIES, retry_delay_seconds=DELAYS)
async def send_survey(references: list[str], as_of: datetime) -> dict[str, str]:
    """The satisfaction survey, N days after the answer."""
    return await _take(Step.SEND_SURVEY, automation.send_survey, references, as_of)


@task(
    name="close without feedback",
    task_run_name=by_reference,
    retries=RETRIES,
    retry_delay_seconds=DELAYS,
)
async def close_without_feedback(references: list[str], as_of: datetime) -> dict[str, str]:
    """No answer to the survey in time."""
    return await _take(
        Step.CLOSE_WITHOUT_FEEDBACK, automation.close_without_feedback, references, as_of
    )


@task(
    name="remind assignee", task_run_name=by_reference, retries=RETRIES, retry_delay_seconds=DELAYS
)
async def remind_assignee(references: list[str], as_of: datetime) -> dict[str, str]:
    """The answer falls due soon: the member it is assigned to is reminded, once."""
    return await _take(Step.REMIND_ASSIGNEE, automation.remind_assignee, references, as_of)


@task(
    name="information overdue",
    task_run_name=by_reference,
    retries=RETRIES,
    retry_delay_seconds=DELAYS,
)
async def follow_information(references: list[str], as_of: datetime) -> dict[str, str]:
    """Information asked of the customer: closed when its date passed, else reminded once."""
    closed = await _run(information.close_without_information, references, as_of)
    waiting = [
        reference for reference, done in closed.items() if done == automation.Outcome.SKIPPED
    ]
    return closed | await _run(information.remind, waiting, as_of, Step.REMIND_INFORMATION)

"""Run a step over references: a task run per complaint when few, per batch when many."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Any, TypeVar, cast

from prefect import get_run_logger
from prefect.client.schemas.objects import State
from prefect.exceptions import FailedRun
from prefect.states import Failed
from prefect.tasks import Task

from complaints import orchestration
from complaints.batching import groups
from complaints.orchestration import Unfinished, recovered
from complaints.services.automation import Outcome
from complaints.settings import get_settings

R = TypeVar("R")


async def _run(step: Task[..., Any], group: list[str], as_of: datetime) -> State[Any]:
    # The references go in the run's name, not in tags: each new tag costs a task run ~2 s
    # here (Prefect looks up a tag concurrency limit for it; measured in bench/).
    state: State[Any] = await step(group, as_of, return_state=True)
    return state


async def for_each(step: Task[..., Any], references: list[str], as_of: datetime) -> dict[str, Any]:
    """Apply `step` to every reference; failed groups are reported, never hidden."""
    settings = get_settings()
    batches = groups(references, threshold=settings.batch_threshold, size=settings.batch_size)
    # One after another: task runs started together make Prefect's SQLite server answer
    # "503 database is locked" and its client back off for seconds (measured in bench/).
    states = [await _run(step, group, as_of) for group in batches]
    outcomes: dict[str, Any] = {}
    failed: list[str] = []
    for group, state in zip(batches, states, strict=True):
        result = await state.aresult(raise_on_failure=False)
        if isinstance(result, dict):  # completed, or failed for some and said which
            outcomes.update(result)
        elif state.is_completed():
            outcomes.update(dict.fromkeys(group, result))
        else:
            outcomes.update(dict.fromkeys(group, "failed"))
        failed.extend(ref for ref in group if _failed(outcomes.get(ref)))
    if failed:
        get_run_logger().warning(
            "%s failed for %d complaint(s): %s", step.name, len(failed), ", ".join(failed)
        )
    return outcomes


async def said(step: Task[..., Any], *args: Any) -> tuple[Any, dict[str, str]]:
    """Run a task whose failure says what failed ({what: why}): (its result, that)."""
    state: State[Any] = await step(*args, return_state=True)
    outcome = await state.aresult(raise_on_failure=False)
    if state.is_completed():
        return outcome, {}
    return None, outcome if isinstance(outcome, dict) else {step.name: str(state.message)}


def _failed(outcome: Any) -> bool:
    return isinstance(outcome, str) and outcome.startswith("failed")


def acted(*outcomes: dict[str, Any]) -> list[str]:
    """The complaints a step did something to (an e-mail to send, perhaps), in order: a step
    that skipped one leaves nothing to send, and so no task run for it."""
    skipped = Outcome.SKIPPED
    return list(dict.fromkeys(r for o in outcomes for r, done in o.items() if done != skipped))


def failures(*outcomes: dict[str, Any]) -> dict[str, str]:
    """What failed, by reference, in one line each."""
    return {ref: str(o) for outcome in outcomes for ref, o in outcome.items() if _failed(o)}


def finish(result: R, *outcomes: dict[str, Any], failed: dict[str, str] | None = None) -> R:
    """The flow's result; or, once every group has been tried, a Failed state that says what
    failed, one line a complaint (left due, retried by the next run), without a traceback.
    Whoever runs the flow gets Unfinished, which carries both."""
    failed = {**(failed or {}), **failures(*outcomes)}
    if not failed:
        return result
    message = f"{len(failed)} complaint(s) not fully handled: {', '.join(sorted(failed))}"
    # Prefect makes a returned state the run's own: whoever calls the flow gets R or this.
    return cast(
        R, Failed(message=message, data=orchestration.said(Unfinished(message, result, failed)))
    )


async def settled(run: Awaitable[R]) -> tuple[R, dict[str, str]]:
    """A sub-flow's result and what it failed to do. Called, not asked for its state: a state
    read back from the API has lost its result when results are not persisted."""
    try:
        return await run, {}
    except Unfinished as unfinished:
        return unfinished.result, unfinished.failed
    except FailedRun as error:  # its state came back from the API without its data
        kept = recovered(error)
        return kept.result, kept.failed

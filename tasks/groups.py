"""Run a step over references: a task run per complaint when few, per batch when many."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import get_run_logger
from prefect.client.schemas.objects import State
from prefect.tasks import Task

from complaints.batching import groups
from complaints.settings import get_settings


class StepFailed(RuntimeError):
    """A step failed for some complaints after its retries; they stay due and are retried."""


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
        if state.is_completed():
            result = await state.aresult()
            outcomes.update(result if isinstance(result, dict) else dict.fromkeys(group, result))
        else:
            failed.extend(group)
            outcomes.update(dict.fromkeys(group, "failed"))
    if failed:
        get_run_logger().warning(
            "%s failed for %d complaint(s): %s", step.name, len(failed), ", ".join(failed)
        )
    return outcomes


def failures(outcomes: dict[str, Any]) -> list[str]:
    return [reference for reference, outcome in outcomes.items() if outcome == "failed"]


def raise_if_failed(*outcomes: dict[str, Any]) -> None:
    """Fail the flow run (so operations see it) once every group has been tried."""
    failed = sorted({ref for outcome in outcomes for ref in failures(outcome)})
    if failed:
        raise StepFailed(f"{len(failed)} complaint(s) not fully handled: {', '.join(failed)}")

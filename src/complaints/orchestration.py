"""Load the flows the way Prefect does, by entrypoint from the project folder, and run them."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from complaints import prefect_env
from complaints.settings import get_settings

ENTRYPOINTS = {
    "handle": "flows/lifecycle.py:handle_complaints",
    "deadlines": "flows/deadlines.py:enforce_deadlines",
    "follow_up": "flows/follow_up.py:follow_up",
    "escalate": "flows/escalation.py:escalate_to_mediator",
    "run_due": "flows/sweep.py:run_due",
    "review": "flows/review.py:monthly_review",
    "retention": "flows/retention.py:anonymise_expired",
    "checkpoint": "flows/checkpoint.py:checkpoint_history",
    "inbox": "flows/inbox.py:read_mailbox",
    "notify": "flows/notify.py:notify_operations",
}


_loaded: dict[tuple[str, str], Any] = {}


def load(name: str) -> Any:
    """The flow `name` (a key of ENTRYPOINTS), loaded from the project folder once: loading
    executes the flow's file again, which `serve` would otherwise do for every run."""
    home = get_settings().home
    prefect_env.configure(get_settings().var)
    key = (str(home), name)
    if key not in _loaded:
        _loaded[key] = _load(home, name)
    return _loaded[key]


def _load(home: Path, name: str) -> Any:
    if str(home) not in sys.path:
        sys.path.insert(0, str(home))
    from prefect.flows import load_flow_from_entrypoint

    return load_flow_from_entrypoint(str(home / ENTRYPOINTS[name]))


class Unfinished(RuntimeError):
    """A flow run ended Failed: what it could not do stays due and is retried by the next run.
    `failed` says what, one line a complaint (references and kinds of error, nothing personal)."""

    def __init__(self, message: str, result: Any, failed: dict[str, str]) -> None:
        super().__init__(message)
        self.result, self.failed = result, failed

    def __reduce__(self) -> tuple[type[Unfinished], tuple[str, Any, dict[str, str]]]:
        # Pickled whole, so that a persisted result (PREFECT_RESULTS_PERSIST_BY_DEFAULT) reads back.
        return Unfinished, (str(self), self.result, self.failed)


# A Failed state read back from Prefect's API has lost its data (results are not persisted):
# its caller then gets FailedRun with the state's message. What the flow said is kept here, by
# that message, for the caller in this process to take back.
_said: dict[str, Unfinished] = {}


def said(unfinished: Unfinished) -> Unfinished:
    """Keep what a flow run failed to do until its caller asks (see `recovered`)."""
    if len(_said) > 1000:  # callers take theirs back at once; never grow without end
        _said.clear()
    _said[str(unfinished)] = unfinished
    return unfinished


def recovered(error: BaseException) -> Unfinished:
    """The Unfinished behind a FailedRun of our flows; its message alone if it was not kept."""
    kept = _said.pop(str(error), None)
    if kept is not None:
        return kept
    return Unfinished(str(error), {}, {str(error): "failed"})


async def _run(name: str, *args: Any) -> Any:
    """Run the flow `name`; its result, or Unfinished when it failed for some complaints."""
    from prefect.exceptions import FailedRun

    try:
        return await load(name)(*args)
    except FailedRun as error:
        raise recovered(error) from None


async def run_due(as_of: datetime | None = None) -> dict[str, Any]:
    """Run every sweep once, as of `as_of`."""
    result: dict[str, Any] = await _run("run_due", as_of)
    return result


async def handle(
    references: list[str] | None = None, as_of: datetime | None = None
) -> dict[str, str]:
    """Run the lifecycle flow on these complaints (or on every one waiting)."""
    result: dict[str, str] = await _run("handle", references, as_of)
    return result


async def monthly_review(as_of: datetime | None = None) -> dict[str, int]:
    """Run the monthly review flow once."""
    result: dict[str, int] = await _run("review", as_of)
    return result


async def anonymise_expired(as_of: datetime | None = None) -> dict[str, int]:
    """Run the retention flow once."""
    result: dict[str, int] = await _run("retention", as_of)
    return result


async def read_mailbox() -> dict[str, int]:
    """Run the mailbox flow once: take every message waiting."""
    result: dict[str, int] = await _run("inbox")
    return result

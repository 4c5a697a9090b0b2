"""Run names that carry the complaint references or the sweep's moment (never personal data)."""

from collections.abc import Callable
from datetime import datetime

from prefect.runtime import flow_run, task_run

from complaints.batching import label
from complaints.clock import now
from complaints.dates import zone
from complaints.settings import get_settings


def by_reference() -> str:
    """`acknowledge REC-2026-000042`, or `acknowledge REC-…001…REC-…050 (50)` for a batch."""
    references = task_run.parameters.get("references") or []
    return f"{task_run.task_name} {label(references)}"


def local_minute(moment: datetime) -> str:
    """A moment as run names and artifacts write it: 2026-11-23 09:00, the organisation's time."""
    local = moment.astimezone(zone(get_settings().conduct.organisation.timezone))
    return f"{local:%Y-%m-%d %H:%M}"


def sweep(what: str) -> Callable[[], str]:
    """A sweep run's name: what it does, and the moment it runs as of in the organisation's
    time zone (`deadlines 2026-11-23 09:00`), so that the runs list reads as a log."""

    def name() -> str:
        as_of = flow_run.parameters.get("as_of")
        if isinstance(as_of, str):  # a deployment's run: parameters arrive as JSON
            as_of = datetime.fromisoformat(as_of)
        return f"{what} {local_minute(as_of if isinstance(as_of, datetime) else now())}"

    return name

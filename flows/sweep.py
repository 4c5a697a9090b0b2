"""Everything that is due, once: what `complaints run-due` and the schedules run."""

# No `from __future__ import annotations`: Prefect builds each flow's parameter model from
# these annotations in the run's own process, and a string annotation left unresolved there
# fails the run ("`Follow_UpModel` is not fully defined").
from datetime import datetime
from typing import Any

from prefect import flow
from prefect.client.schemas.objects import State

from complaints.clock import at_or_now
from flows.deadlines import enforce_deadlines
from flows.follow_up import follow_up
from flows.lifecycle import handle_complaints
from tasks.groups import finish, settled


@flow(name="run-due")
async def run_due(as_of: datetime | None = None) -> dict[str, object] | State[Any]:
    """New complaints first, then the deadlines, then the follow-ups, as of one moment."""
    as_of = at_or_now(as_of)
    # Each sweep runs whatever the one before could not do: that stays due for the next run.
    handled, unhandled = await settled(await handle_complaints(None, as_of, return_state=True))
    deadlines, late = await settled(await enforce_deadlines(as_of, return_state=True))
    follow_ups, unfollowed = await settled(await follow_up(as_of, return_state=True))
    counts = {"handled": len(handled), **deadlines, **follow_ups}
    return finish(counts, failed={**unhandled, **late, **unfollowed})

"""Everything that is due, once: what `complaints run-due` and the schedules run."""

# No `from __future__ import annotations`: Prefect builds each flow's parameter model from
# these annotations in the run's own process, and a string annotation left unresolved there
# fails the run ("`Follow_UpModel` is not fully defined").
from datetime import datetime

from prefect import flow

from complaints.clock import at_or_now
from flows.deadlines import enforce_deadlines
from flows.follow_up import follow_up
from flows.lifecycle import handle_complaints
from tasks.groups import finish, settled
from tasks.naming import sweep


@flow(name="run-due", flow_run_name=sweep("run-due"))
async def run_due(as_of: datetime | None = None) -> dict[str, object]:
    """New complaints first, then the deadlines, then the follow-ups, as of one moment."""
    as_of = at_or_now(as_of)
    # Each sweep runs whatever the one before could not do: that stays due for the next run.
    handled, unhandled = await settled(handle_complaints(None, as_of))
    deadlines, late = await settled(enforce_deadlines(as_of))
    follow_ups, unfollowed = await settled(follow_up(as_of))
    counts: dict[str, object] = {"handled": len(handled), **deadlines, **follow_ups}
    return finish(counts, failed={**unhandled, **late, **unfollowed})

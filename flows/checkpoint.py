"""The nightly checkpoint of the history (tamper evidence an auditor can keep elsewhere)."""

# No `from __future__ import annotations`: Prefect builds each flow's parameter model from
# these annotations in the run's own process, and a string annotation left unresolved there
# fails the run ("`Follow_UpModel` is not fully defined").
from datetime import datetime

from prefect import flow

from complaints.clock import at_or_now
from tasks.integrity import seal_checkpoint
from tasks.naming import sweep


@flow(name="checkpoint-history", flow_run_name=sweep("checkpoint"))
async def checkpoint_history(as_of: datetime | None = None) -> dict[str, int]:
    """Seal a checkpoint of every event recorded since the last one; `complaints checkpoint
    --export` hands them to the auditor."""
    events = await seal_checkpoint(at_or_now(as_of))
    return {"events": events}

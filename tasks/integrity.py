"""The history's nightly checkpoint: a sealed digest of every event recorded since the last."""

from __future__ import annotations

import asyncio
from datetime import datetime

from prefect import task

from complaints.app import get_app
from complaints.services import checkpoints


@task(name="seal a checkpoint", retries=2, retry_delay_seconds=[1.0, 5.0])
async def seal_checkpoint(as_of: datetime) -> int:
    """The events the history counts at this checkpoint (0 if nothing was recorded since)."""
    mark = await asyncio.to_thread(checkpoints.seal_checkpoint, app=get_app(), at=as_of)
    return mark.events if mark else 0

"""Tasks of the retention flow: find what outlived its retention period, anonymise it."""

from __future__ import annotations

import asyncio
from datetime import datetime

from prefect import task

from complaints.app import get_app
from complaints.services import privacy
from tasks.naming import by_reference


@task(name="find expired", retries=2, retry_delay_seconds=[1.0, 5.0])
async def find_expired(as_of: datetime) -> list[str]:
    """Closed complaints past the retention period, not yet anonymised (references only)."""
    return await asyncio.to_thread(privacy.expired, app=get_app(), as_of=as_of)


@task(name="anonymise", task_run_name=by_reference, retries=2, retry_delay_seconds=[1.0, 5.0])
async def anonymise(references: list[str], as_of: datetime) -> dict[str, str]:
    """Erase the personal data, keep the facts for statistics; an Event for each."""
    return await asyncio.to_thread(
        privacy.anonymise_expired, app=get_app(), references=references, as_of=as_of
    )

"""What is due: indexed queries that return references only."""

from __future__ import annotations

import asyncio
from datetime import datetime

from prefect import task

from complaints.app import get_app
from complaints.services import selection


@task(name="find new complaints", retries=2, retry_delay_seconds=[1.0, 5.0])
async def find_new(as_of: datetime) -> list[str]:
    """Complaints waiting for acknowledgement or first analysis, and those with e-mail pending."""
    return await asyncio.to_thread(selection.new_or_pending_mail, app=get_app(), as_of=as_of)


@task(name="find overdue", retries=2, retry_delay_seconds=[1.0, 5.0])
async def find_overdue(as_of: datetime) -> dict[str, list[str]]:
    """Promises missed: `alert` (manager not yet told) and `refer` (past the grace)."""
    return await asyncio.to_thread(selection.overdue, app=get_app(), as_of=as_of)


@task(name="find follow-ups", retries=2, retry_delay_seconds=[1.0, 5.0])
async def find_follow_ups(as_of: datetime) -> dict[str, list[str]]:
    """`survey` (answered long enough ago) and `close` (survey unanswered too long)."""
    return await asyncio.to_thread(selection.follow_ups, app=get_app(), as_of=as_of)


async def sort_new(references: list[str], as_of: datetime) -> dict[str, list[str]]:
    """Which of these complaints each step of the lifecycle flow has work for. Not a task: a
    read of a few indexed rows, so that no task run starts for a step with nothing to do."""
    return await asyncio.to_thread(
        selection.new_steps, app=get_app(), references=references, as_of=as_of
    )

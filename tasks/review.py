"""Tasks of the monthly review: effectiveness checks, the report, its e-mails."""

from __future__ import annotations

import asyncio
from datetime import datetime

from prefect import task

from complaints.app import get_app
from complaints.reporting.improvement import check_effectiveness
from complaints.services import review


@task(name="refresh database statistics", retries=1, retry_delay_seconds=[5.0])
async def refresh_statistics() -> None:
    """Keep the report's queries on their indexes (SQLite computes statistics only when asked)."""
    await asyncio.to_thread(get_app().db.analyze)


@task(name="check action effectiveness", retries=2, retry_delay_seconds=[1.0, 5.0])
async def check_actions(as_of: datetime) -> int:
    """Corrective and preventive actions done long enough ago: did their cause stop?"""
    return len(await asyncio.to_thread(check_effectiveness, app=get_app(), at=as_of))


@task(name="prepare monthly review", retries=2, retry_delay_seconds=[1.0, 5.0])
async def prepare_review(as_of: datetime) -> int:
    """Last month's report, queued for the quality managers."""
    return await asyncio.to_thread(review.queue_monthly_review, app=get_app(), at=as_of)

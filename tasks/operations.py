"""The notice to operations, written into the outbox (the e-mail goes by the organisation's
e-mails task, as the monthly review does)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from prefect import task

from complaints.app import get_app
from complaints.services import operations


@task(name="write operations notice", retries=2, retry_delay_seconds=[1.0, 5.0])
async def write_notice(notice: str, about: str, link: str, key: str, as_of: datetime) -> bool:
    """True if written now; False if this notice was written before (a repeated trigger)."""
    return await asyncio.to_thread(
        operations.notify, app=get_app(), notice=notice, about=about, link=link, key=key, at=as_of
    )


@task(name="check the mail is going", retries=2, retry_delay_seconds=[1.0, 5.0])
async def check_mail(as_of: datetime) -> bool:
    """E-mails failing for an hour: the notice to operations written (True), once."""
    return await asyncio.to_thread(operations.tell_if_mail_failing, app=get_app(), at=as_of)

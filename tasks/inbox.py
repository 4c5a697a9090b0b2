"""Tasks of the mailbox flow: list what waits, take it. UIDs, outcomes and references only:
nothing of a message (sender, subject, text) reaches Prefect."""

from __future__ import annotations

import asyncio

from prefect import task
from prefect.runtime import task_run

from complaints.app import get_app
from complaints.services import mailbox


def _by_uids() -> str:
    uids = task_run.parameters.get("uids") or []
    span = f"{uids[0]}" if len(uids) == 1 else f"{uids[0]}…{uids[-1]} ({len(uids)})"
    return f"{task_run.task_name} {span}" if uids else str(task_run.task_name)


@task(name="list mailbox", retries=2, retry_delay_seconds=[5.0, 30.0])
async def list_waiting() -> list[int]:
    """The UIDs waiting in the complaints folder (IMAP blocks: in a thread, off the loop that
    serves the web under `serve`)."""
    return await asyncio.to_thread(mailbox.waiting, get_app())


# Retried: a message taken before a crash is found taken and only filed (exactly once).
@task(name="take messages", task_run_name=_by_uids, retries=2, retry_delay_seconds=[5.0, 30.0])
async def take_messages(uids: list[int]) -> dict[str, str]:
    """Take these messages, each committed before it is filed as processed."""
    return await asyncio.to_thread(mailbox.take, get_app(), uids)

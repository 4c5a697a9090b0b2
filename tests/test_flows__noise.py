"""No task run for a step that has nothing to do: the task runs Prefect keeps for each run
of the lifecycle flow, counted on the real flows."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from complaints import orchestration
from complaints.app import App
from complaints.mail.sink import MailSink
from complaints.services import intake as intake_service
from tests.conftest import intake
from tests.factories import answer

pytestmark = [pytest.mark.usefixtures("prefect_server"), pytest.mark.prefect]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


async def _task_names(flow_run_name: str) -> list[str]:
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterName,
        TaskRunFilter,
        TaskRunFilterFlowRunId,
    )
    from prefect.client.schemas.sorting import FlowRunSort

    async with get_client() as client:
        [latest] = await client.read_flow_runs(
            flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[flow_run_name])),
            sort=FlowRunSort.START_TIME_DESC,
            limit=1,
        )
        tasks = await client.read_task_runs(
            task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=[latest.id]))
        )
    return sorted(task.name for task in tasks)


def task_runs(flow_run_name: str, expected: int) -> list[str]:
    """The task runs of the latest run of that name, once Prefect has recorded `expected` of
    them (it records them from events, a moment later) or two seconds have passed."""
    from prefect.events.worker import EventsWorker

    EventsWorker.drain_all(timeout=10)
    deadline = time.monotonic() + 2
    while True:
        names = asyncio.run(_task_names(flow_run_name))
        if len(names) >= expected and (expected or time.monotonic() > deadline):
            return names
        if time.monotonic() > deadline + 8:
            return names
        time.sleep(0.2)


def test_mail_alone_is_one_task_run_and_nothing_to_do_is_none(app: App, smtp: MailSink) -> None:
    reference = intake_service.receive(app=app, intake=intake(), at=T0).reference
    run = f"handle {reference}"
    asyncio.run(orchestration.handle([reference], day(0)))
    # A new complaint: each step has work, each has its task run (the count can say more).
    assert task_runs(run, 3) == [
        f"acknowledge {reference}",
        f"first analysis {reference}",
        f"send e-mails {reference}",
    ]
    answer(app, reference, day(2))  # staff answer: an e-mail to send, nothing to acknowledge
    asyncio.run(orchestration.handle([reference], day(2)))
    assert task_runs(run, 1) == [f"send e-mails {reference}"]  # was 3 before issue 15
    assert any("Réponse à votre réclamation" in str(m["Subject"]) for m in smtp.messages)
    asyncio.run(orchestration.handle([reference], day(2.1)))  # nothing at all to do
    assert task_runs(run, 0) == []

"""What Prefect kept of one complaint: its events (the resource is the reference), the flow
and task runs named after it or related to those events, each with its link in Prefect's
UI. Read only; None when Prefect cannot be reached, so that the database part still shows."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from complaints import feed
from complaints.prefect_server import healthy, use_local_server_if_running

LIMIT = 200
BATCHES = 2000  # the latest batch events read for a complaint's timeline


@dataclass(frozen=True)
class Row:
    """A run or an event: its name, its state (or payload), when, and its link."""

    name: str
    state: str
    when: datetime | None
    link: str


@dataclass(frozen=True)
class Trace:
    flow_runs: list[Row]
    task_runs: list[Row]
    events: list[Row]


def api_url(port: int) -> str | None:
    """The Prefect API this process uses: PREFECT_API_URL, else the project's server if it
    runs; None when there is neither (Prefect's client would start a temporary server)."""
    use_local_server_if_running(port)  # before Prefect reads its settings
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None


def ui_url(api: str) -> str:
    """PREFECT_UI_URL, else the API's address without its /api."""
    from prefect.settings import PREFECT_UI_URL

    ui = os.environ.get("PREFECT_UI_URL") or PREFECT_UI_URL.value() or api.removesuffix("/api")
    return str(ui).rstrip("/")


def reachable(api: str | None) -> bool:
    return api is not None and healthy(api, timeout=2.0)


def _related(events: list[Any], role: str) -> set[UUID]:
    found: set[UUID] = set()
    for event in events:
        for resource in event.related:
            if resource.role == role:
                found.add(UUID(resource.id.rsplit(".", 1)[1]))
    return found


async def _pages(client: Any, where: Any, limit: int) -> list[Any]:
    page = await client.read_events(where, limit=50)  # the API's most a page
    events = list(page.events)
    while page.next_page and len(events) < limit:
        page = await client.read_events_page(page.next_page)
        events += page.events
    return events


async def events_of(client: Any, reference: str, limit: int = LIMIT) -> list[Any]:
    """The complaint's events, oldest first: its own, and those of the batches that list it
    among the latest BATCHES batch events (Prefect's text search fails on SQLite before
    3.44: the payloads are read here)."""
    from prefect.events.filters import (
        EventFilter,
        EventNameFilter,
        EventOrder,
        EventResourceFilter,
    )

    own = EventFilter(
        resource=EventResourceFilter(id=[feed.resource_id(reference)]), order=EventOrder.ASC
    )
    batches = EventFilter(
        event=EventNameFilter(prefix=[feed.PREFIX]),
        resource=EventResourceFilter(id_prefix=[feed.BATCH]),
        order=EventOrder.DESC,
    )
    found = await _pages(client, own, limit)
    found += [
        event
        for event in await _pages(client, batches, BATCHES)
        if reference in (event.payload.get("references") or [])
    ]
    return sorted(found, key=lambda event: event.occurred)[:limit]


async def read(reference: str, ui: str) -> Trace:
    """The complaint's events (oldest first) and the runs that carry it."""
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        FlowRunFilterName,
        TaskRunFilter,
        TaskRunFilterId,
        TaskRunFilterName,
    )
    from prefect.client.schemas.sorting import FlowRunSort, TaskRunSort

    async with get_client() as client:
        events = await events_of(client, reference)
        flows = await client.read_flow_runs(
            flow_run_filter=FlowRunFilter(name=FlowRunFilterName(like_=reference)),
            sort=FlowRunSort.START_TIME_DESC,
            limit=LIMIT,
        )
        tasks = await client.read_task_runs(
            task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_=reference)),
            sort=TaskRunSort.EXPECTED_START_TIME_DESC,
            limit=LIMIT,
        )
        # Batches are named by their first and last reference: the events tell which of
        # them (and which sweeps) took this complaint.
        more_flows = _related(events, "flow-run") - {run.id for run in flows}
        if more_flows:
            flows += await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=sorted(more_flows)))
            )
        more_tasks = _related(events, "task-run") - {run.id for run in tasks}
        if more_tasks:
            tasks += await client.read_task_runs(
                task_run_filter=TaskRunFilter(id=TaskRunFilterId(any_=sorted(more_tasks)))
            )
    return Trace(
        flow_runs=sorted((_run(run, f"{ui}/runs/flow-run/{run.id}") for run in flows), key=_when),
        task_runs=sorted((_run(run, f"{ui}/runs/task-run/{run.id}") for run in tasks), key=_when),
        events=[
            Row(
                _event_name(event),
                ", ".join(f"{k}: {v}" for k, v in event.payload.items() if k != "references"),
                event.occurred,
                f"{ui}/events/event/{event.occurred:%Y-%m-%d}/{event.id}",
            )
            for event in events
        ],
    )


def _event_name(event: Any) -> str:
    """The event's name; a batch's says which batch (`… REC-…0001…REC-…0050 (50)`)."""
    if event.resource.id.startswith(feed.BATCH):
        return f"{event.event} {event.resource.name}"
    return str(event.event)


def _run(run: Any, link: str) -> Row:
    state = run.state.name if run.state else ""
    return Row(run.name, state, run.start_time or run.expected_start_time, link)


def _when(row: Row) -> datetime:
    return row.when or datetime.min.replace(tzinfo=UTC)

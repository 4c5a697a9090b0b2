"""Emit the complaints' events (complaints.feed) to Prefect's event feed, after the database
commit, from what a task already holds. Buffered by Prefect's EventsWorker: no round trip;
the worker adds the flow run and task run as related resources."""

from __future__ import annotations

from collections.abc import Iterable

from prefect.events import emit_event

from complaints import feed
from complaints.settings import get_settings


def emit(happened: Iterable[feed.Happened]) -> None:
    """Send the events; a failure to send is logged by Prefect, never raised into a step."""
    settings = get_settings()
    if not settings.prefect_events:
        return
    for one in feed.told(list(happened), threshold=settings.batch_threshold):
        emit_event(one.event, resource=one.resource, payload=one.payload)


def stepped(step: str, outcomes: dict[str, str]) -> dict[str, str]:
    """Emit what an automatic step did; its outcomes, unchanged."""
    emit(feed.of_step(step, outcomes))
    return outcomes

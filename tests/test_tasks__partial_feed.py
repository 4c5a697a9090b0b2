"""A group whose one complaint fails still tells the event feed of the others: the task's
retry skips the complaints done, so their events are sent before the failure is raised."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

import tasks.feed
from complaints.app import App
from complaints.errors import NotFound
from complaints.services import intake
from tasks.steps import acknowledge
from tests.conftest import intake as sample

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_the_complaints_taken_are_told_when_another_fails(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[tuple[str, str]] = []

    def emit_event(event: str, resource: dict[str, Any], payload: Any) -> None:
        sent.append((event, resource["prefect.resource.id"]))

    monkeypatch.setattr(tasks.feed, "emit_event", emit_event)
    first, second = (intake.receive(app=app, intake=sample(), at=T0).reference for _ in "ab")
    with pytest.raises(NotFound):  # one reference of the group is unknown: the task fails
        asyncio.run(acknowledge.fn([first, "REC-2026-999999", second], T0))
    told = {(event, resource.rsplit(".", 1)[1]) for event, resource in sent}
    assert told == {
        (event, reference)
        for event in ("complaint.received", "complaint.acknowledged")
        for reference in (first, second)
    }
    sent.clear()
    assert asyncio.run(acknowledge.fn([first, second], T0)) == {first: "skipped", second: "skipped"}
    assert sent == []  # the retry finds them done, and tells nothing twice

"""Information asked of the customer: the answer's clock pauses until it comes."""

from __future__ import annotations

from datetime import datetime

from complaints.app import App


def request_information(
    *, app: App, reference: str, by: str, what: str, at: datetime | None = None
) -> str:
    raise NotImplementedError


def receive_information(
    *, app: App, reference: str, by: str, summary: str, at: datetime | None = None
) -> str:
    raise NotImplementedError

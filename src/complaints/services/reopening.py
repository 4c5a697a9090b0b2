"""A closed complaint reopened, an open one withdrawn."""

from __future__ import annotations

from datetime import datetime

from complaints.app import App
from complaints.staff_steps import Taken


def reopen(*, app: App, reference: str, by: str, reason: str, at: datetime | None = None) -> Taken:
    raise NotImplementedError


def withdraw(*, app: App, reference: str, by: str, reason: str, at: datetime | None = None) -> str:
    raise NotImplementedError

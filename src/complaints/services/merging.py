"""Related complaints: linked, and a duplicate merged into its primary (and back)."""

from __future__ import annotations

from datetime import datetime

from complaints.app import App


def link(*, app: App, reference: str, by: str, other: str, at: datetime | None = None) -> str:
    raise NotImplementedError


def merge(
    *,
    app: App,
    reference: str,
    by: str,
    into: str,
    confirm: bool = False,
    at: datetime | None = None,
) -> str:
    raise NotImplementedError


def unmerge(*, app: App, reference: str, by: str, reason: str, at: datetime | None = None) -> str:
    raise NotImplementedError

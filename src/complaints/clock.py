"""The one source of "now", so deadlines can be tested and replayed."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def aware(value: datetime) -> datetime:
    """`value` in UTC; a naive value is taken as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def at_or_now(value: datetime | None) -> datetime:
    """`value` in UTC, or now when it is None."""
    return now() if value is None else aware(value)

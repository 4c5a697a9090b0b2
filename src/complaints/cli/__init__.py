"""The `complaints` command line (Typer)."""

from __future__ import annotations

from complaints.cli import (  # noqa: F401  (registers the commands)
    checks,
    inbox,
    lifecycle,
    ops,
    post,
    privacy,
    records,
    reports,
    staff,
    staff_admin,
    trace,
)
from complaints.cli.base import app, main

__all__ = ["app", "main"]

"""The `complaints` command line (Typer)."""

from __future__ import annotations

from complaints.cli import checks, ops, records, reports, staff, staff_admin  # noqa: F401  (registers the commands)
from complaints.cli.base import app, main

__all__ = ["app", "main"]

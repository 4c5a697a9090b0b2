"""The `complaints` command line (Typer).

A command's module is imported only when it is the one asked for: `complaints list` loads the
records' commands, not the reports, the letters or Prefect's trace. `--help`, a staff step
(their commands are built from the steps' registry) or a word not listed here load them all,
as does `from complaints.cli import app`."""

from __future__ import annotations

import importlib
import sys
from typing import Any

# The first word of a command line -> the module that registers that command or group.
MODULES = {
    "verify": "checks",
    "checkpoint": "checks",
    "doctor": "checks",
    "inbox": "inbox",
    "mail-in": "inbox",
    "lifecycle": "lifecycle",
    "run-due": "ops",
    "serve": "ops",
    "deploy": "ops",
    "demo": "ops",
    "mail-sink": "ops",
    "db": "ops",
    "post": "post",
    "person": "privacy",
    "retention": "privacy",
    "submit": "records",
    "show": "records",
    "list": "records",
    "report": "reports",
    "actions": "reports",
    "action-done": "reports",
    "review": "reports",
    "feedback": "staff",
    "staff": "staff_admin",
    "trace": "trace",
}
# Every module, in the order `--help` has always listed their commands.
ALL = tuple(dict.fromkeys(MODULES.values()))


def register(modules: tuple[str, ...] = ALL) -> Any:
    """Import these command modules (each registers its commands); the Typer app."""
    for module in modules:
        importlib.import_module(f"complaints.cli.{module}")
    from complaints.cli.base import app

    return app


def __getattr__(name: str) -> Any:
    if name == "app":  # every command, for whoever drives the app itself (the tests)
        return register()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    word = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), None)
    register((MODULES[word],) if word in MODULES else ALL)
    from complaints.cli.base import main as run

    run()


__all__ = ["app", "main"]

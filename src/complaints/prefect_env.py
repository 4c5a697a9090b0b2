"""Prefect's settings for this project: offline, quiet, inside var/. Set before importing prefect."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "100",
    "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    "PREFECT_UI_SHOW_PROMOTIONAL_CONTENT": "false",
    "PREFECT_CLI_PROMPT": "false",
}


def configure(var: Path) -> None:
    """Fill in what the environment does not say already."""
    os.environ.setdefault("PREFECT_HOME", str(var / "prefect"))
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)

"""The scale-out topology's one-time setup: the work pool, then prefect.yaml's deployments."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

POOL = "complaints"


class DeployError(RuntimeError):
    """What stopped the deployment, in one line."""


async def _ensure_pool() -> str:
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists

    async with get_client() as client:
        try:
            await client.create_work_pool(WorkPoolCreate(name=POOL, type="process"))
        except ObjectAlreadyExists:
            return f"work pool {POOL!r} (process) already there"
    return f"work pool {POOL!r} (process) created"


def deploy(home: Path) -> Iterator[str]:
    """Create the pool, then every deployment of `home`/prefect.yaml (`prefect deploy --all`).
    Workers pull the flows from COMPLAINTS_HOME, this folder on their machine."""
    if not os.environ.get("PREFECT_API_URL"):
        raise DeployError("set PREFECT_API_URL to the shared Prefect server first")
    yield asyncio.run(_ensure_pool())
    done = subprocess.run(
        [sys.executable, "-m", "prefect", "--no-prompt", "deploy", "--all"],
        cwd=home,
        env={**os.environ, "COMPLAINTS_HOME": str(home)},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise DeployError(f"prefect deploy failed: {(done.stderr or done.stdout).strip()[-500:]}")
    yield from (line for line in done.stdout.splitlines() if "Deployment '" in line)
    from complaints import automations

    yield from asyncio.run(automations.ensure_for_deployment())

"""The scale-out topology on this machine: Prefect's server on PostgreSQL, our data on
PostgreSQL, `complaints deploy`, and two process workers. Lifecycle runs are created from the
deployment, some over the same complaints; every complaint is acknowledged exactly once, and
both workers ran some of them."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from complaints import app as wiring
from complaints.mail.sink import MailSink, free_port
from complaints.prefect_server import PrefectServer
from complaints.services import intake as intake_service
from tests.conftest import POSTGRES_URL, intake
from tests.factories import exactly_once

pytestmark = [
    pytest.mark.prefect,
    pytest.mark.skipif(not POSTGRES_URL, reason="COMPLAINTS_TEST_POSTGRES_URL not set"),
]
HOME = Path(__file__).resolve().parents[1]
PREFECT_DB = "prefect_scale_test"


def start_worker(env: dict[str, str], name: str, log: Path | None) -> subprocess.Popen[bytes]:
    """`prefect worker start --pool complaints`, two flow runs at a time, output to `log`."""
    command = ["prefect", "worker", "start", "--pool", "complaints", "--name", name, "--limit", "2"]
    return subprocess.Popen(
        [sys.executable, "-m", *command],
        env=env,
        stdout=log.open("w") if log else subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Ask, then insist: a worker finishing a scheduled run must not outlive the test."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def deploy(environment: dict[str, str]) -> str:
    """`complaints deploy`, as an operator runs it: the work pool, the deployments of
    prefect.yaml and the automations; what it said."""
    deployed = subprocess.run(
        [sys.executable, "-m", "complaints", "deploy"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert deployed.returncode == 0, deployed.stderr + deployed.stdout
    return deployed.stdout


def admin_url() -> str:
    assert POSTGRES_URL is not None
    return POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0]


def prefect_on_postgres(folder: Path, database: str) -> tuple[PrefectServer, dict[str, str]]:
    """A Prefect server whose database is `database`, made anew on this PostgreSQL; the
    environment that reaches it (for workers and `complaints deploy`)."""
    import psycopg

    with psycopg.connect(f"{admin_url()}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {database}")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {
        "PREFECT_HOME": str(folder / "prefect"),
        "PREFECT_API_DATABASE_CONNECTION_URL": admin_url().replace(
            "postgresql://", "postgresql+asyncpg://"
        )
        + f"/{database}",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "COMPLAINTS_HOME": str(HOME),
    }
    return PrefectServer(folder, port=port, env=env).start(), env


@pytest.fixture
def prefect_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    server, env = prefect_on_postgres(tmp_path, PREFECT_DB)
    try:
        yield env
    finally:
        server.stop()


@pytest.mark.parametrize("backend", ["postgres"])
def test_two_workers_on_a_postgres_backed_server_acknowledge_each_complaint_once(
    prefect_env: dict[str, str], env: object, smtp: MailSink, tmp_path: Path
) -> None:
    app = wiring.get_app()
    references = [
        intake_service.receive(app=app, intake=intake(email=f"c{n}@exemple.fr")).reference
        for n in range(24)
    ]
    environment = {
        **prefect_env,
        **{k: v for k, v in os.environ.items() if "COMPLAINTS_" in k},
    }
    assert "handle-complaints" in deploy(environment)
    logs = [tmp_path / f"worker-{name}.log" for name in ("a", "b")]
    workers = [start_worker(environment, log.stem, log) for log in logs]
    try:
        batches = [references[i : i + 4] for i in range(0, len(references), 4)]
        parameters = [{"references": batch} for batch in [*batches, None, None]]
        runs = asyncio.run(start_runs(environment["PREFECT_API_URL"], parameters))
        states = asyncio.run(wait_for_runs(environment["PREFECT_API_URL"], runs, timeout=300))
        assert set(states) == {"COMPLETED"}, states
    finally:
        stop(workers)
    exactly_once(app, smtp, len(references))
    for log in logs:
        assert "submitting flow run" in log.read_text(), f"{log.stem} ran no flow run"


async def start_runs(
    api_url: str,
    parameter_sets: list[dict[str, Any]],
    deployment: str = "handle-complaints/handle-complaints",
) -> list[str]:
    """A flow run of `deployment` for each set of parameters, left to the workers."""
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api_url}):
        runs = [
            await run_deployment(deployment, parameters=parameters, timeout=0)
            for parameters in parameter_sets
        ]
    return [str(run.id) for run in runs]


async def wait_for_runs(api_url: str, ids: list[str], timeout: float) -> list[str]:
    from uuid import UUID

    from prefect import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    deadline = time.monotonic() + timeout
    with temporary_settings({PREFECT_API_URL: api_url}):
        async with get_client() as client:
            while True:
                runs = [await client.read_flow_run(UUID(i)) for i in ids]
                states = [r.state.type.value if r.state else "NONE" for r in runs]
                if all(r.state and r.state.is_final() for r in runs):
                    return states
                if time.monotonic() > deadline:
                    return states
                await asyncio.sleep(1)

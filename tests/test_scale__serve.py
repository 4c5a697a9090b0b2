"""The whole scale-out topology under a sustained load: two `complaints serve --no-sweeps`
processes take the intake (the API, alternately) and acknowledge at once; two process workers
run the backlog deployment over the same complaints at the same time; Prefect's server and
our data are on PostgreSQL. At 20 complaints a second, each is stored once and acknowledged
once: one event, one e-mail sent, one received."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from complaints import app as wiring
from complaints.mail.sink import MailSink, free_port
from tests.conftest import POSTGRES_URL
from tests.factories import exactly_once, is_ack
from tests.processes import answers, wait_for
from tests.test_scale import (  # noqa: F401 (prefect_env: the fixture)
    deploy,
    prefect_env,
    start_runs,
    start_worker,
    stop,
    wait_for_runs,
)

pytestmark = [
    pytest.mark.prefect,
    pytest.mark.skipif(not POSTGRES_URL, reason="COMPLAINTS_TEST_POSTGRES_URL not set"),
]
RATE, COUNT = 20, 200  # ten seconds of load
BODY = {
    "name": "Client Charge",
    "email": "charge@exemple.fr",
    "subject": "Colis jamais livré",
    "description": "Le colis annoncé livré n'est jamais arrivé.",
    "product": "Box Fibre",
    "region": "Bretagne",
}


def start_serve(environment: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """`complaints serve --no-sweeps` on `port`, its intake unthrottled (one address sends all)."""
    return subprocess.Popen(
        [sys.executable, "-m", "complaints", "serve", "--no-sweeps"],
        env=environment
        | {
            "COMPLAINTS_WEB_PORT": str(port),
            "COMPLAINTS_INTAKE_PER_MINUTE": "1000000",
            "COMPLAINTS_INTAKE_BURST": "1000000",
        },
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )


async def submit(bases: list[str]) -> list[str]:
    """COUNT complaints, the n-th at n/RATE seconds, to each web process in turn."""
    start = time.monotonic()

    async def one(http: httpx.AsyncClient, n: int) -> str:
        await asyncio.sleep(max(0.0, start + n / RATE - time.monotonic()))
        answer = await http.post(
            f"{bases[n % len(bases)]}/api/complaints",
            json=BODY,
            headers={"Idempotency-Key": f"scale-{n}"},
        )
        assert answer.status_code in (200, 201), answer.text
        return str(answer.json()["reference"])

    async with httpx.AsyncClient(timeout=120) as http:
        return list(await asyncio.gather(*(one(http, n) for n in range(COUNT))))


@pytest.mark.parametrize("backend", ["postgres"])
def test_two_web_processes_and_two_workers_under_load_acknowledge_each_complaint_once(
    prefect_env: dict[str, str],  # noqa: F811
    env: object,
    smtp: MailSink,
    tmp_path: Path,
) -> None:
    app = wiring.get_app()  # our schema, made once before the processes start
    environment = {**prefect_env, **{k: v for k, v in os.environ.items() if "COMPLAINTS_" in k}}
    deploy(environment)
    ports = [free_port(), free_port()]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    web = [start_serve(environment, p, tmp_path / f"serve-{p}.log") for p in ports]
    workers = [start_worker(environment, name, None) for name in ("a", "b")]
    try:
        assert wait_for(lambda: all(answers(f"{b}/") for b in bases), 120), "serve did not start"
        api = environment["PREFECT_API_URL"]
        backlog = asyncio.run(start_runs(api, [{"references": None}] * 4))  # the workers' share
        references = asyncio.run(submit(bases))
        assert len(set(references)) == COUNT
        more = asyncio.run(start_runs(api, [{"references": None}] * 2))
        acknowledged = wait_for(lambda: sum(map(is_ack, smtp.messages)) >= COUNT, 300)
        states = asyncio.run(wait_for_runs(api, backlog + more, timeout=300))
        time.sleep(2)  # a duplicate would arrive now
    finally:
        stop([*web, *workers])
    logs = "".join(log.read_text() for log in tmp_path.glob("serve-*.log"))
    assert acknowledged, logs[-3000:]
    assert set(states) == {"COMPLETED"}, states
    exactly_once(app, smtp, COUNT)

"""Benchmarks that print figures (never pass/fail): `make bench`.

1. Prefect's floor against our orchestration: N complaints through the lifecycle flow
   (acknowledge, first analysis, send e-mails, batched) beside the same number of task runs
   with empty bodies, in the same run, on a temporary Prefect server; both warmed up first,
   then three runs of each, alternately (the median, and the spread).
2. The record/read commands of the CLI, as a user runs them.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.update(
    PREFECT_HOME=tempfile.mkdtemp(prefix="bench-prefect-"),
    PREFECT_SERVER_ANALYTICS_ENABLED="false",
    DO_NOT_TRACK="1",
    PREFECT_LOGGING_LEVEL="WARNING",
)
WORK = Path(tempfile.mkdtemp(prefix="bench-"))
os.environ["COMPLAINTS_DATABASE_URL"] = f"sqlite:///{WORK / 'bench.db'}"

import figures  # noqa: E402  (bench/, beside this file)

from complaints import orchestration  # noqa: E402
from complaints.app import get_app  # noqa: E402
from complaints.batching import groups  # noqa: E402
from complaints.intake import Intake  # noqa: E402
from complaints.mail.sink import MailSink  # noqa: E402
from complaints.services.intake import receive  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "10,200,1000").split(",")]
REPEATS = 3  # the floor of a few task runs moves 4× between runs on a 2-core machine


def spread(runs: list[float]) -> str:
    return f"{statistics.median(runs):.2f} ({min(runs):.2f}–{max(runs):.2f})"


def sample(i: int) -> Intake:
    return Intake.model_validate(
        {
            "name": f"Client {i}",
            "email": f"client{i}@exemple.fr",
            "subject": "Colis jamais livré",
            "description": "Le transporteur dit que le colis est livré.",
            "product": "Box Fibre",
            "region": "Bretagne",
        }
    )


async def floor(count: int) -> float:
    """The same task runs as our lifecycle makes, with empty bodies, run the flow's way: the
    same groups (tasks.groups.for_each: one task run a complaint when few, a batch when many),
    one after another, for each of the three steps."""
    from prefect import flow, task

    settings = get_app().settings

    @task
    async def empty(group: list[str]) -> int:
        return len(group)

    @flow
    async def floor_flow(n: int) -> None:
        references = [f"REC-{i:06d}" for i in range(n)]
        batches = groups(references, threshold=settings.batch_threshold, size=settings.batch_size)
        for _ in range(3):  # acknowledge, first analysis, send e-mails
            for group in batches:
                await empty(group)

    started = time.perf_counter()
    await floor_flow(count)
    return time.perf_counter() - started


async def lifecycle(count: int) -> float:
    app = get_app()
    refs = [receive(app=app, intake=sample(i)).reference for i in range(count)]
    started = time.perf_counter()
    await orchestration.handle(refs)
    return time.perf_counter() - started


def cli_timing() -> dict[str, float]:
    env = {**os.environ, "COMPLAINTS_STAFF_NAME": "Bench"}  # a read is a known member's
    subprocess.run(
        [sys.executable, "-m", "complaints", "staff", "add", "Bench", "--role", "agent"],
        env=env,
        capture_output=True,
        check=True,
    )
    args = [
        "submit",
        "--name",
        "A",
        "--email",
        "a@exemple.fr",
        "--subject",
        "S",
        "--description",
        "D",
        "--product",
        "P",
        "--region",
        "Bretagne",
        "--json",
    ]
    figures: dict[str, float] = {}
    for name, command in (
        ("submit", args),
        ("show", ["show", "REC-2026-000001", "--json"]),
        ("list", ["list", "--json"]),
    ):
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "complaints", *command],
                env=env,
                capture_output=True,
                check=True,
            )
            runs.append(time.perf_counter() - started)
        figures[name] = statistics.median(runs)
    return figures


def import_floor() -> float:
    """What every command that reads the database pays before any of our code: Python
    starting and importing SQLAlchemy's ORM (median of 5)."""
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import sqlalchemy.orm"], check=True)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


async def orchestration_figures() -> None:
    from prefect.testing.utilities import prefect_test_harness

    with MailSink() as sink:
        os.environ["COMPLAINTS_SMTP_PORT"] = str(sink.port)
        with prefect_test_harness(server_startup_timeout=120):
            await lifecycle(3)  # warm-up: templates, connections
            await floor(3)  # and the floor's flow and task, registered once with the server
            print(f"{REPEATS} runs each, alternately; the median (min–max)")
            print(f"{'complaints':>10} {'ours s':>18} {'floor s':>18} {'ratio':>6} {'ms each':>8}")
            for count in SIZES:
                ours_runs, floor_runs = [], []
                for _ in range(REPEATS):
                    ours_runs.append(await lifecycle(count))
                    floor_runs.append(await floor(count))
                ours, base = statistics.median(ours_runs), statistics.median(floor_runs)
                figures.keep(f"flow_vs_floor_{count}", ours / base)
                print(
                    f"{count:>10} {spread(ours_runs):>18} {spread(floor_runs):>18}"
                    f" {ours / base:>6.2f} {1000 * ours / count:>8.1f}"
                )
            print(f"e-mails received: {len(sink.messages)}")


def main() -> None:
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(
        "\n1. Lifecycle flow (acknowledge + first analysis + send e-mails) against Prefect's floor"
    )
    asyncio.run(orchestration_figures())
    print("\n2. CLI commands that record or read (median of 5, whole process)")
    for name, seconds in cli_timing().items():
        figures.keep(f"cli_{name}_s", seconds)
        print(f"   complaints {name:<7} {seconds:.2f} s")
    print(f"   the floor: Python importing SQLAlchemy's ORM, {import_floor():.2f} s")


if __name__ == "__main__":
    main()

"""Complete lifecycles a second, intake to close: received, acknowledged, analysed, answered by
staff (services, as the API calls them), surveyed, satisfied, closed; every e-mail received
by a real SMTP server. Run twice on the embedded default: once through the Prefect flows
(against a real Prefect server, whose CPU is read from /proc) and once calling the same
services directly, so that the CPU-seconds per lifecycle split into ours and Prefect's.

    python bench/throughput.py [--count 1000] [--stored 0,100000,1000000] [--runs 3]

Each store size is run --runs times, the sizes in a random order each time, each run against
a fresh Prefect server with a database of its own: one server reused warms up, and made the
1M row look 50 % faster than the empty store.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

os.environ.update(
    PREFECT_HOME=tempfile.mkdtemp(prefix="bench-prefect-"),
    PREFECT_SERVER_ANALYTICS_ENABLED="false",
    PREFECT_LOGGING_LEVEL="WARNING",
    COMPLAINTS_DATABASE_URL="sqlite://",
)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import figures
from proc import cpu_seconds
from stored import copy_to, prepared, remove

from complaints import app as wiring
from complaints import orchestration
from complaints.clock import now
from complaints.mail.sink import free_port
from complaints.prefect_server import PrefectServer
from complaints.services import automation, delivery, feedback, taking
from complaints.services.intake import receive
from tests.conftest import intake, simulated
from tests.factories import answer


@contextlib.contextmanager
def external_sink(folder: Path) -> Iterator[int]:
    """A real SMTP server in its own process, as a relay would be: in this one, its thread
    would take the interpreter's lock from the sender and its CPU would count as ours."""
    port = free_port()
    sink = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "complaints",
            "mail-sink",
            "--port",
            str(port),
            "--folder",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                break
            if time.monotonic() > deadline or sink.poll() is not None:
                raise RuntimeError("the SMTP sink did not start")
            time.sleep(0.1)
        yield port
    finally:
        sink.terminate()
        sink.wait(timeout=30)


def staff_and_customer(references: list[str], start: object) -> None:
    app = wiring.get_app()
    for ref in references:
        answer(app, ref, start + timedelta(hours=1))  # type: ignore[operator]


def satisfied(references: list[str], at: object) -> None:
    app = wiring.get_app()
    for ref in references:
        feedback.record_feedback(app=app, reference=ref, satisfied=True, at=at)  # type: ignore[arg-type]


async def direct(count: int) -> list[str]:
    """The services alone, in the order the flows call them."""
    app, start = wiring.get_app(), now()
    refs = [
        receive(app=app, intake=intake(email=f"d{i}@exemple.fr"), at=start).reference
        for i in range(count)
    ]
    for step in (automation.acknowledge, automation.start_analysis):
        taking.run_step(app, step, refs, start)
    await delivery.deliver(app=app, references=refs, at=start)
    staff_and_customer(refs, start)
    await delivery.deliver(app=app, references=refs, at=start + timedelta(hours=1))
    later = start + timedelta(days=8)
    taking.run_step(app, automation.send_survey, refs, later)
    await delivery.deliver(app=app, references=refs, at=later)
    satisfied(refs, later + timedelta(hours=1))
    await delivery.deliver(app=app, references=refs, at=later + timedelta(hours=1))  # closure
    return refs


async def flows(count: int) -> list[str]:
    """The same through the flows: the lifecycle flow, then the sweep (surveys, mail)."""
    app, start = wiring.get_app(), now()
    refs = [
        receive(app=app, intake=intake(email=f"f{i}@exemple.fr"), at=start).reference
        for i in range(count)
    ]
    await orchestration.handle(refs, start)
    staff_and_customer(refs, start)
    await orchestration.handle(None, start + timedelta(hours=1))  # the answers' e-mails
    later = start + timedelta(days=8)
    await orchestration.run_due(later)  # surveys
    satisfied(refs, later + timedelta(hours=1))
    await orchestration.handle(None, later + timedelta(hours=1))  # the closure e-mails
    return refs


def run(kind: str, count: int, database: Path, server_pid: int | None) -> dict[str, float]:
    os.environ["COMPLAINTS_DATABASE_URL"] = f"sqlite:///{database}"
    wiring.reset()
    simulated(wiring.get_app())  # the staff answer an hour later, the customers a week after
    cpu, server_cpu, started = (
        time.process_time(),
        cpu_seconds(server_pid) if server_pid else 0.0,
        time.perf_counter(),
    )
    asyncio.run(direct(count) if kind == "direct" else flows(count))
    wall = time.perf_counter() - started
    ours = time.process_time() - cpu
    prefect_server = (cpu_seconds(server_pid) - server_cpu) if server_pid else 0.0
    return {"wall": wall, "cpu": ours, "server_cpu": prefect_server}


def measure(count: int, stored: int, folder: Path, server_pid: int, number: int) -> None:
    """Both runs, each on its own copy of a store already holding `stored` complaints."""
    template = prepared(stored)
    runs = {}
    for kind in ("flows", "direct"):
        database = folder / f"{kind}-{stored}.db"
        copy_to(template, database)
        if kind == "flows":
            run(kind, 20, database, server_pid)  # warm-up: imports, templates, connections
        runs[kind] = run(kind, count, database, server_pid if kind == "flows" else None)
        remove(database)
    flows_, alone = runs["flows"], runs["direct"]
    prefect_cpu = flows_["cpu"] + flows_["server_cpu"] - alone["cpu"]
    if stored == 0:
        figures.keep("lifecycles_per_s", count / flows_["wall"])
        figures.keep("cpu_ours_ms", 1000 * alone["cpu"] / count)
        figures.keep("embedded_cpu_ms", 1000 * (flows_["cpu"] + flows_["server_cpu"]) / count)
    print(
        f"  {number:>3}  {stored:>9,}  {count / flows_['wall']:6.1f}/s  {count / alone['wall']:6.1f}/s"
        f"  {1000 * alone['cpu'] / count:6.1f} ms  {1000 * prefect_cpu / count:6.1f} ms"
        f"  {1000 * flows_['server_cpu'] / count:6.1f} ms",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument(
        "--stored", default="0", help="complaints already stored, e.g. 0,100000,1000000"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of every size")
    arguments = parser.parse_args()
    count, sizes = arguments.count, [int(size) for size in arguments.stored.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    print(
        f"Complete lifecycles (intake to close), {count:,} a run, SQLite, {os.cpu_count()} cores;"
        f" {arguments.runs} runs, the sizes in random order, a fresh Prefect server each"
    )
    print("  run     stored   flows  services  CPU ours  Prefect's  (its server)")
    number, prefect_port = 0, free_port()  # one address: Prefect's client reads it once
    with external_sink(folder / "mail") as port:
        os.environ.update(COMPLAINTS_SMTP_PORT=str(port))
        for number in range(1, arguments.runs + 1):
            for stored in random.sample(sizes, len(sizes)):
                # A new server and a new Prefect database: no run warms the next one up.
                home = folder / f"prefect-{number}-{stored}"
                env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
                server = PrefectServer(home, prefect_port, env | {"PREFECT_HOME": str(home)})
                server.start()
                os.environ["PREFECT_API_URL"] = server.api_url
                try:
                    assert server.pid is not None
                    measure(count, stored, folder, server.pid, number)
                finally:
                    server.stop()
    mails = len(list((folder / "mail").glob("*.eml")))
    expected = number * len(sizes) * (2 * count + 20) * 4
    print(
        f"  e-mails received: {mails:,} of {expected:,} (4 a lifecycle: acknowledgement, answer, survey, closure)"
    )
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

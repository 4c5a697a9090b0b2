"""Complete lifecycles a second, intake to close: received, acknowledged, analysed, answered by
staff (services, as the API calls them), surveyed, satisfied, closed; every e-mail received
by a real SMTP server. Run twice on the embedded default: once through the Prefect flows
(against a real Prefect server, whose CPU is read from /proc) and once calling the same
services directly, so that the CPU-seconds per lifecycle split into ours and Prefect's.

    python bench/throughput.py [--count 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
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

from complaints import app as wiring
from complaints import orchestration
from complaints.clock import now
from complaints.mail.sink import free_port
from complaints.prefect_server import PrefectServer
from complaints.services import automation, delivery, feedback
from complaints.services.intake import receive
from tests.conftest import intake
from tests.factories import answer

TICKS = 100  # the clock: Linux reports CPU time in 1/100 s


def cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


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
        automation.run_step(app, step, refs, start)
    await delivery.deliver(app=app, references=refs, at=start)
    staff_and_customer(refs, start)
    await delivery.deliver(app=app, references=refs, at=start + timedelta(hours=1))
    later = start + timedelta(days=8)
    automation.run_step(app, automation.send_survey, refs, later)
    await delivery.deliver(app=app, references=refs, at=later)
    satisfied(refs, later + timedelta(hours=1))
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
    return refs


def run(kind: str, count: int, folder: Path, server_pid: int | None) -> dict[str, float]:
    os.environ["COMPLAINTS_DATABASE_URL"] = f"sqlite:///{folder / f'{kind}.db'}"
    wiring.reset()
    cpu, server_cpu, started = (
        time.process_time(),
        cpu_of(server_pid) if server_pid else 0.0,
        time.perf_counter(),
    )
    asyncio.run(direct(count) if kind == "direct" else flows(count))
    wall = time.perf_counter() - started
    ours = time.process_time() - cpu
    prefect_server = (cpu_of(server_pid) - server_cpu) if server_pid else 0.0
    return {"wall": wall, "cpu": ours, "server_cpu": prefect_server}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    count = parser.parse_args().count
    folder = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    with external_sink(folder / "mail") as port:
        os.environ.update(COMPLAINTS_SMTP_PORT=str(port))
        server = PrefectServer(folder, port=free_port()).start()
        try:
            pid = server.pid
            assert pid is not None
            run("flows", 20, folder, pid)  # warm-up: imports, templates, connections
            with_prefect = run("flows", count, folder, pid)
            alone = run("direct", count, folder, None)
        finally:
            server.stop()
    mails = len(list((folder / "mail").glob("*.eml")))
    prefect_cpu = with_prefect["cpu"] + with_prefect["server_cpu"] - alone["cpu"]
    print(f"Complete lifecycles (intake to close), {count:,}, SQLite, {os.cpu_count()} cores")
    print(f"  through Prefect's flows  {count / with_prefect['wall']:7.1f} lifecycles/s")
    print(f"  services alone           {count / alone['wall']:7.1f} lifecycles/s")
    print(
        f"  CPU per lifecycle: ours {1000 * alone['cpu'] / count:.1f} ms, "
        f"Prefect's {1000 * prefect_cpu / count:.1f} ms "
        f"(its server {1000 * with_prefect['server_cpu'] / count:.1f} ms)"
    )
    print(
        f"  e-mails received: {mails:,} (acknowledgement, answer, survey: 3 a lifecycle, both runs)"
    )


if __name__ == "__main__":
    main()

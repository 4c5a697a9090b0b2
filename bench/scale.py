"""Complete lifecycles on the scale-out topology: Prefect's server and our data on PostgreSQL,
`complaints deploy`, two process workers. N complaints received; the lifecycle runs created
from the deployment, one per batch, acknowledge and analyse them; staff answer (services);
lifecycle runs again send the answers; the follow-up deployment sends the surveys; customers
answer them, which closes the complaints. Prints the first stage alone and the whole.

    python bench/scale.py [--count 2000] [--runs 8]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

HOME = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HOME))
# The tests' PostgreSQL (tests/conftest.py reads it on import), which this benchmark resets.
POSTGRES = os.environ.setdefault(
    "COMPLAINTS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
os.environ["COMPLAINTS_DATABASE_URL"] = POSTGRES

import figures  # noqa: E402  (bench/, beside this file)
from proc import cpu_seconds  # noqa: E402

from complaints import app as wiring  # noqa: E402
from complaints.clock import now  # noqa: E402
from complaints.mail.sink import MailSink  # noqa: E402
from complaints.services import feedback  # noqa: E402
from complaints.services.intake import receive  # noqa: E402
from complaints.services.views import show  # noqa: E402
from tests.conftest import _reset_postgres, intake, simulated  # noqa: E402
from tests.factories import answer  # noqa: E402
from tests.test_scale import (  # noqa: E402
    prefect_on_postgres,
    start_runs,
    start_worker,
    stop,
    wait_for_runs,
)

HANDLE = "handle-complaints/handle-complaints"


def stage(env: dict[str, str], parameter_sets: list[dict[str, Any]], deployment: str) -> list[str]:
    """Flow runs of `deployment` left to the workers, awaited; their final states."""
    api = env["PREFECT_API_URL"]
    ids = asyncio.run(start_runs(api, parameter_sets, deployment))
    return asyncio.run(wait_for_runs(api, ids, timeout=1800))


def _postgres() -> list[int]:
    """Every PostgreSQL process of this machine (the postmaster and its backends)."""
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "postgres":
                found.append(int(entry.name))
    return found


def cpu_by_part(workers: list[subprocess.Popen[bytes]], server: int | None) -> dict[str, float]:
    """CPU-seconds so far of every process the topology runs on."""
    mine = os.times()
    parts = {
        "intake and staff (this process)": mine.user + mine.system,
        "workers and their flow runs": sum(
            cpu_seconds(worker.pid, children=True) for worker in workers
        ),
        "Prefect server": cpu_seconds(server, children=True) if server else 0.0,
        "PostgreSQL": 0.0,
    }
    for pid in _postgres():
        with contextlib.suppress(OSError):  # a backend that ended between the two reads
            parts["PostgreSQL"] += cpu_seconds(pid, children=True)
    return parts


def measure(count: int, runs: int, folder: Path, workers_count: int = 2) -> dict[str, Any]:
    _reset_postgres(POSTGRES)
    with MailSink() as sink:
        os.environ["COMPLAINTS_SMTP_PORT"] = str(sink.port)
        wiring.reset()
        app = simulated(wiring.get_app())  # the staff answer an hour later, customers a week after
        server, env = prefect_on_postgres(folder, "prefect_bench")
        env |= {k: v for k, v in os.environ.items() if k.startswith("COMPLAINTS_")}
        env["PREFECT_LOGGING_LEVEL"] = "WARNING"
        workers: list[subprocess.Popen[bytes]] = []
        try:
            subprocess.run(
                [sys.executable, "-m", "complaints", "deploy"],
                env=env,
                check=True,
                capture_output=True,
            )
            workers = [start_worker(env, f"bench-{n}", None) for n in range(workers_count)]
            time.sleep(5)  # the workers register
            cpu_before = cpu_by_part(workers, server.pid)
            started, start = time.perf_counter(), now()
            refs = [
                receive(app=app, intake=intake(email=f"s{i}@exemple.fr"), at=start).reference
                for i in range(count)
            ]
            size = -(-count // runs)
            batches = [{"references": refs[i : i + size]} for i in range(0, count, size)]
            received = time.perf_counter()
            states = stage(env, batches, HANDLE)  # acknowledge, first analysis, e-mails
            first = time.perf_counter() - received
            for ref in refs:
                answer(app, ref, start + timedelta(hours=1))
            states += stage(env, batches, HANDLE)  # the answers' e-mails
            later = start + timedelta(days=8)
            states += stage(env, [{"as_of": later.isoformat()}], "follow-up/follow-up")
            for ref in refs:
                feedback.record_feedback(app=app, reference=ref, satisfied=True, at=later)
            seconds = time.perf_counter() - started
            time.sleep(2)  # the last flow runs' processes are waited for
            cpu = {
                part: used - cpu_before[part]
                for part, used in cpu_by_part(workers, server.pid).items()
            }
            closed = sum(show(app=app, reference=ref)["state"] == "closed" for ref in refs)
        finally:
            stop(workers)
            server.stop()
        return {
            "complaints": count,
            "flow_runs": len(states),
            "states": sorted(set(states)),
            "first_stage_per_second": round(count / first, 1),
            "closed": closed,
            "lifecycles_seconds": round(seconds, 1),
            "lifecycles_per_second": round(count / seconds, 1),
            "emails_received": len(sink.messages),
            "workers": workers_count,
            "cpu_ms_per_lifecycle": round(1000 * sum(cpu.values()) / count, 1),
            **{f"  {part}": round(1000 * used / count, 1) for part, used in cpu.items()},
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--workers", default="2", help="process workers, e.g. 1,2,4: one run each")
    args = parser.parse_args()
    for workers in [int(n) for n in args.workers.split(",")]:
        folder = Path(tempfile.mkdtemp(prefix="bench-scale-"))
        measured = measure(args.count, args.runs, folder, workers)
        figures.keep("distributed_cpu_ms", measured["cpu_ms_per_lifecycle"])
        print(
            f"Scale-out (PostgreSQL for both databases, {workers} process worker(s)):"
            " complete lifecycles; CPU per lifecycle summed over every process"
        )
        for key, value in measured.items():
            print(f"  {key:<34} {value}")


if __name__ == "__main__":
    main()

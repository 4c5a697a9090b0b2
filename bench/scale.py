"""The lifecycle's first stage (acknowledge, first analysis, e-mails) on the scale-out topology:
Prefect's server and our data on PostgreSQL, `complaints deploy`, two process workers; N
complaints waiting, handled by lifecycle runs created from the deployment, one per batch.

    python bench/scale.py [--count 2000] [--runs 8]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HOME = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HOME))
# The tests' PostgreSQL (tests/conftest.py reads it on import), which this benchmark resets.
POSTGRES = os.environ.setdefault(
    "COMPLAINTS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
os.environ["COMPLAINTS_DATABASE_URL"] = POSTGRES

from complaints import app as wiring  # noqa: E402
from complaints.mail.sink import MailSink  # noqa: E402
from complaints.services.intake import receive  # noqa: E402
from tests.conftest import _reset_postgres, intake  # noqa: E402
from tests.test_scale import (  # noqa: E402
    prefect_on_postgres,
    start_runs,
    start_worker,
    stop,
    wait_for_runs,
)


def measure(count: int, runs: int, folder: Path) -> dict[str, Any]:
    _reset_postgres(POSTGRES)
    with MailSink() as sink:
        os.environ["COMPLAINTS_SMTP_PORT"] = str(sink.port)
        wiring.reset()
        app = wiring.get_app()
        refs = [
            receive(app=app, intake=intake(email=f"s{i}@exemple.fr")).reference
            for i in range(count)
        ]
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
            workers = [start_worker(env, f"bench-{n}", None) for n in range(2)]
            time.sleep(5)  # the workers register
            size = -(-count // runs)
            batches = [refs[i : i + size] for i in range(0, count, size)]
            started = time.perf_counter()
            ids = asyncio.run(start_runs(env["PREFECT_API_URL"], list(batches)))
            states = asyncio.run(wait_for_runs(env["PREFECT_API_URL"], ids, timeout=1800))
            seconds = time.perf_counter() - started
        finally:
            stop(workers)
            server.stop()
        return {
            "complaints": count,
            "flow_runs": len(ids),
            "states": sorted(set(states)),
            "seconds": round(seconds, 1),
            "per_second": round(count / seconds, 1),
            "emails_received": len(sink.messages),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=8)
    args = parser.parse_args()
    figures = measure(args.count, args.runs, Path(tempfile.mkdtemp(prefix="bench-scale-")))
    print("Scale-out (PostgreSQL, two process workers): lifecycle first stage")
    for key, value in figures.items():
        print(f"  {key:<16} {value}")


if __name__ == "__main__":
    main()

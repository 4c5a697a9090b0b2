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
POSTGRES = os.environ.get(
    "COMPLAINTS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
os.environ["COMPLAINTS_DATABASE_URL"] = POSTGRES

from complaints import app as wiring  # noqa: E402
from complaints.mail.sink import MailSink, free_port  # noqa: E402
from complaints.prefect_server import healthy  # noqa: E402
from complaints.services.intake import receive  # noqa: E402
from tests.conftest import _reset_postgres, intake  # noqa: E402
from tests.test_scale import start_runs, stop, wait_for_runs  # noqa: E402

ADMIN = POSTGRES.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0]


def prefect_server(folder: Path) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    import psycopg

    with psycopg.connect(f"{ADMIN}/postgres", autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS prefect_bench WITH (FORCE)")
        admin.execute("CREATE DATABASE prefect_bench")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {
        "PREFECT_HOME": str(folder / "prefect"),
        "PREFECT_API_DATABASE_CONNECTION_URL": ADMIN.replace(
            "postgresql://", "postgresql+asyncpg://"
        )
        + "/prefect_bench",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "COMPLAINTS_HOME": str(HOME),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not healthy(env["PREFECT_API_URL"]):
        if time.monotonic() > deadline:
            raise RuntimeError("Prefect server did not start")
        time.sleep(0.5)
    return server, env


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
        server, env = prefect_server(folder)
        env |= {k: v for k, v in os.environ.items() if k.startswith("COMPLAINTS_")}
        workers: list[subprocess.Popen[bytes]] = []
        try:
            subprocess.run(
                [sys.executable, "-m", "complaints", "deploy"],
                env=env,
                check=True,
                capture_output=True,
            )
            workers = [
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "prefect",
                        "worker",
                        "start",
                        "--pool",
                        "complaints",
                        "--name",
                        f"bench-{n}",
                        "--limit",
                        "2",
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for n in range(2)
            ]
            time.sleep(5)  # the workers register
            size = -(-count // runs)
            batches = [refs[i : i + size] for i in range(0, count, size)]
            started = time.perf_counter()
            ids = asyncio.run(start_runs(env["PREFECT_API_URL"], list(batches)))
            states = asyncio.run(wait_for_runs(env["PREFECT_API_URL"], ids, timeout=1800))
            seconds = time.perf_counter() - started
        finally:
            stop([*workers, server])
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

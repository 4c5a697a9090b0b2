"""Submissions as fast as the intake allows, under `complaints serve` on the embedded default:
N complaints POSTed to the API by concurrent clients, then every acknowledgement awaited at a
real SMTP server. Prints the intake rate, the acknowledgement latencies (slowest included),
and what was stored and received: each complaint must be stored once and acknowledged once.

    python bench/load.py [--count 10000] [--clients 8] [--rate 20] [--stored 100000] [--json]
                         [--poison]

--poison makes the first two complaints poisoned: one address the relay never accepts for now
(451 every time), one it refuses for good (550 at RCPT); the latencies are the others'.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
from figures import keep  # bench/, beside this file

from complaints.mail.sink import MailSink, free_port
from complaints.prefect_server import healthy

REFERENCE = re.compile(r"REC-\d{4}-\d{6}")
BODY = {
    "name": "Client Charge",
    "email": "charge@exemple.fr",
    "subject": "Colis jamais livré",
    "description": "Le colis annoncé livré n'est jamais arrivé.",
    "product": "Box Fibre",
    "region": "Bretagne",
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


POISONED = ("poison@exemple.fr", "nobody@exemple.fr")  # 451 every time; 550 no such user


async def submit(
    base: str, count: int, clients: int, rate: float | None, poison: bool = False
) -> tuple[dict[str, float], int, list[float]]:
    """POST `count` complaints, as fast as possible or at `rate` a second (the n-th at n/rate s);
    (reference -> wall time the answer came back, 503s retried, each answer's latency in s)."""
    returned: dict[str, float] = {}
    answered: list[float] = []
    retries = 0
    numbers = iter(range(count))
    start = time.monotonic()

    async def client() -> None:
        nonlocal retries
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            for n in numbers:
                if rate:
                    await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
                body = BODY | {"email": POISONED[n]} if poison and n < len(POISONED) else BODY
                while True:
                    asked = time.monotonic()
                    answer = await http.post(
                        "/api/complaints", json=body, headers={"Idempotency-Key": f"load-{n}"}
                    )
                    if answer.status_code in (200, 201):
                        returned[answer.json()["reference"]] = time.time()
                        answered.append(time.monotonic() - asked)
                        break
                    if answer.status_code != 503:
                        raise RuntimeError(f"{answer.status_code}: {answer.text}")
                    retries += 1
                    await asyncio.sleep(0.2)

    await asyncio.gather(*(client() for _ in range(clients)))
    return returned, retries, answered


def wait(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def rss_mb(pid: int) -> float:
    """Resident memory of one process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(
    count: int,
    clients: int,
    folder: Path,
    rate: float | None = None,
    settle: float = 3.0,
    stored: int = 0,
    poison: bool = False,
) -> dict[str, Any]:
    received: dict[str, list[float]] = {}
    expected = count - (len(POISONED) if poison else 0)

    def accept(message: EmailMessage) -> bool:
        if POISONED[0] in str(message["To"]):
            return False  # "451 try again later", every time
        match = REFERENCE.search(str(message["Subject"]))
        if match and "réception" in str(message["Subject"]):
            received.setdefault(match.group(), []).append(time.time())
        return True

    port, web_port = free_port(), free_port()
    database = folder / "load.db"
    if stored:
        from stored import copy_to, prepared  # bench/, beside this file

        copy_to(prepared(stored), database)
    with MailSink() as sink:
        sink.handler.accept = accept
        sink.handler.unknown.add(POISONED[1])
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPLAINTS_", "PREFECT_"))}
        env |= {
            "COMPLAINTS_DATABASE_URL": f"sqlite:///{database}",
            "COMPLAINTS_SMTP_PORT": str(sink.port),
            "COMPLAINTS_PREFECT_PORT": str(port),
            "COMPLAINTS_WEB_PORT": str(web_port),
            "COMPLAINTS_INTAKE_PER_MINUTE": "10000000",  # one address sends everything here
            "COMPLAINTS_INTAKE_BURST": "10000000",
            "PREFECT_HOME": str(folder / "prefect"),
        }
        serve = subprocess.Popen(
            [sys.executable, "-m", "complaints", "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(folder / "serve.log").open("w"),
        )
        try:
            base = f"http://127.0.0.1:{web_port}"
            ready = wait(lambda: healthy(f"http://127.0.0.1:{port}/api"), 180) and wait(
                lambda: _answers(base), 60
            )
            if not ready:
                raise RuntimeError(f"serve did not start; see {folder / 'serve.log'}")
            time.sleep(settle)  # the dispatcher's first flow run imports Prefect
            memory: list[tuple[int, float]] = []  # (acknowledged so far, serve's RSS in MB)
            sampling = True

            def sample() -> None:
                while sampling:
                    memory.append((len(received), rss_mb(serve.pid)))
                    time.sleep(1)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            started = time.time()
            returned, retries, answered = asyncio.run(submit(base, count, clients, rate, poison))
            submitted = time.time() - started
            wait(lambda: len(received) >= expected, 60 + count * 0.1)
            sampling = False
            done = time.time() - started
            time.sleep(2)  # any duplicate would arrive now
        finally:
            serve.send_signal(signal.SIGINT)  # serve stops its Prefect server on the way out
            try:
                serve.wait(timeout=60)
            except subprocess.TimeoutExpired:
                serve.kill()
    shutil.copy(folder / "serve.log", Path(tempfile.gettempdir()) / "bench-load-serve.log")
    latencies = [received[ref][0] - at for ref, at in returned.items() if ref in received]
    windows: dict[int, list[float]] = {}  # by 10 s of intake: where in the run the tail is
    for ref, at in returned.items():
        if ref in received:
            windows.setdefault(int((at - started) // 10), []).append(received[ref][0] - at)
    with sqlite3.connect(database) as db:
        stored, distinct = db.execute(
            "SELECT count(*), count(DISTINCT reference) FROM complaints"
        ).fetchone()
        keys = db.execute("SELECT count(*) FROM idempotency_keys").fetchone()[0]
    return {
        "submitted": count,
        "clients": clients,
        "stored": stored,
        "distinct_references": distinct,
        "idempotency_keys": keys,
        "acknowledged": len(received),
        "duplicates": sum(len(times) - 1 for times in received.values()),
        "not_acknowledged": count - len(set(returned) & set(received)),
        "poisoned": len(POISONED) if poison else 0,
        "retried_503": retries,
        "intake_rate_per_s": round(count / submitted, 1),
        "intake_p50_ms": round(1000 * percentile(answered, 0.5)),
        "intake_p99_ms": round(1000 * percentile(answered, 0.99)),
        "all_acknowledged_after_s": round(done, 1),
        "ack_p50_s": round(percentile(latencies, 0.5), 2) if latencies else None,
        "ack_p95_s": round(percentile(latencies, 0.95), 2) if latencies else None,
        "ack_p99_s": round(percentile(latencies, 0.99), 2) if latencies else None,
        "ack_slowest_s": round(max(latencies), 2) if latencies else None,
        "ack_p95_by_10s": [round(percentile(windows[w], 0.95), 1) for w in sorted(windows)],
        "serve_rss_mb": [  # at 10 %, 50 % of the acknowledgements, and at the end
            *(
                next((round(mb) for n, mb in memory if n >= count * share), None)
                for share in (0.1, 0.5)
            ),
            round(memory[-1][1]) if memory else None,
        ],
    }


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/docs", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--rate", type=float, help="complaints a second (default: as fast as possible)"
    )
    parser.add_argument("--settle", type=float, default=3.0, help="seconds after start-up")
    parser.add_argument("--stored", type=int, default=0, help="complaints already stored")
    parser.add_argument("--poison", action="store_true", help="two poisoned addresses first")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        figures = measure(
            args.count,
            args.clients,
            Path(folder),
            args.rate,
            args.settle,
            args.stored,
            args.poison,
        )
    if args.rate and figures["ack_p99_s"] is not None:
        kept = f"{args.rate:g}_{args.stored}"
        keep(f"ack_p99_{kept}", figures["ack_p99_s"])
        keep(f"ack_p95_{kept}", figures["ack_p95_s"])
    keep(f"intake_p99_ms_{args.clients}", figures["intake_p99_ms"])
    if args.json:
        print(json.dumps(figures))
        return
    pace = f"at {args.rate:g}/s" if args.rate else "as fast as the intake allows"
    print(
        f"Intake under `serve` (SQLite, {args.stored:,} already stored): {args.count:,} "
        f"complaints, {pace}, {args.clients} clients"
    )
    for key, value in figures.items():
        print(f"  {key:<26} {value}")


if __name__ == "__main__":
    main()

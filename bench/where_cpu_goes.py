"""Where our CPU per lifecycle goes (issue 16: profile before changing anything). The services
of bench/throughput.py's `direct` run (intake to close, every e-mail to a real SMTP server in
its own process) are timed without a profiler, then run again under cProfile: each function's
own time is put in one area (SQLAlchemy, the SQLite driver, Jinja2, e-mail building, SMTP and
asyncio, our modules…) and each service's total is shown, as shares of the unprofiled CPU.

    python bench/where_cpu_goes.py [--count 500]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import throughput
from stored import copy_to, prepared

from complaints import app as wiring
from tests.conftest import simulated

AREAS = [  # the first that names a function's file wins
    ("SQLite driver (C)", ("sqlite3",)),
    ("SQLAlchemy: statements, cache keys, compiling", ("sqlalchemy/sql",)),
    ("SQLAlchemy: ORM, unit of work, sessions", ("sqlalchemy/orm",)),
    ("SQLAlchemy: engine, pool, results", ("sqlalchemy",)),
    ("Jinja2 rendering", ("jinja2", "markupsafe", ".j2", "<template>")),
    ("e-mail building (stdlib email)", ("/email/",)),
    (
        "SMTP client and asyncio",
        ("aiosmtplib", "asyncio", "selectors", "ssl", "socket", "select.epoll"),
    ),
    ("hashing and seals", ("hashlib", "hmac", "_hashlib")),
    ("pydantic", ("pydantic",)),
    ("ours: history and seals", ("complaints/services/history", "complaints/chain")),
    ("ours: e-mail (compose, sender, render)", ("complaints/mail/",)),
    ("ours: other modules", ("complaints/", "/tasks/", "/flows/")),
]
SERVICES = {  # a service: its file's end and its function's name
    "intake (receive)": ("services/intake.py", "receive"),
    "acknowledge + first analysis": ("services/automation.py", "run_step"),
    "deliver (claim, send, mark sent)": ("services/delivery.py", "deliver"),
    "staff: analysis, action, answer": ("tests/factories.py", "answer"),
    "customer: satisfied": ("services/feedback.py", "record_feedback"),
    "  of which history.record (events, seals)": ("services/history.py", "record"),
    "  of which queue_email (render, thread)": ("mail/compose.py", "queue_email"),
    "  of which thread_of (one query)": ("complaints/outbox_queries.py", "thread_of"),
}


def area(filename: str, name: str) -> str:
    where = f"{filename} {name}"
    for label, marks in AREAS:
        if any(mark in where for mark in marks):
            return label
    return "other (stdlib, builtins)"


def fresh_app(folder: Path, name: str) -> None:
    database = folder / f"{name}.db"
    copy_to(prepared(0), database)
    os.environ["COMPLAINTS_DATABASE_URL"] = f"sqlite:///{database}"
    wiring.reset()
    simulated(wiring.get_app())
    asyncio.run(throughput.direct(20))  # warm-up: imports, templates, connections


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    count = parser.parse_args().count
    folder = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    with throughput.external_sink(folder / "mail") as port:
        os.environ.update(COMPLAINTS_SMTP_PORT=str(port))
        fresh_app(folder, "plain")
        started = time.process_time()
        asyncio.run(throughput.direct(count))
        plain = (time.process_time() - started) / count
        fresh_app(folder, "profiled")
        profile = cProfile.Profile(time.process_time)  # CPU, not the wait for the SMTP server
        profile.enable()
        asyncio.run(throughput.direct(count))
        profile.disable()
    stats = pstats.Stats(profile)
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, object]] = stats.stats  # type: ignore[attr-defined]
    total = sum(own for (_, _, own, _, _) in raw.values())
    by_area: dict[str, float] = {}
    for (filename, _, name), (_, _, own, _, _) in raw.items():
        by_area[area(filename, name)] = by_area.get(area(filename, name), 0.0) + own
    print(f"Our CPU per lifecycle, services alone, SQLite, {count:,} lifecycles")
    print(f"  without a profiler: {plain * 1000:.1f} ms (the figure the shares below divide)")
    print("  area (own time)                                   share    ms")
    for label, own in sorted(by_area.items(), key=lambda item: -item[1]):
        print(f"  {label:<48} {100 * own / total:5.1f} %  {plain * 1000 * own / total:5.1f}")
    other = sorted(
        (
            (own, name)
            for (f, _, name), (_, _, own, _, _) in raw.items()
            if area(f, name).startswith("other")
        ),
        reverse=True,
    )
    print(
        "  the most of 'other': " + ", ".join(f"{n} {100 * o / total:.1f} %" for o, n in other[:6])
    )
    print("  service (total time, callees included)            share    ms")
    for label, (path, function) in SERVICES.items():
        cumulative = sum(
            c for (f, _, n), (_, _, _, c, _) in raw.items() if f.endswith(path) and n == function
        )
        print(
            f"  {label:<48} {100 * cumulative / total:5.1f} %  {plain * 1000 * cumulative / total:5.1f}"
        )


if __name__ == "__main__":
    main()

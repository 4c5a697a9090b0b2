"""The sweeps' selections with 0, 100k and 1M complaints stored (with their history and sent
e-mails) and 1k due: the time must grow with what is due, not with what is stored (indexed
`wake_at` and pending e-mails). SQLite, the embedded default.

    python bench/sweep.py [--sizes 0,100000,1000000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("COMPLAINTS_DATABASE_URL", "sqlite://")
sys.path.insert(0, str(Path(__file__).parent))

from report import NOW, store
from stored import with_history

from complaints.app import App
from complaints.db import Database
from complaints.services import selection
from complaints.settings import Settings

DUE = 1000


def waiting(n: int, row: dict[str, object]) -> None:
    """Open, as the application keeps them: due later."""
    if row["state"] != "closed":
        row["received_at"] = NOW - timedelta(days=n % 10)
        row["answer_by"] = row["wake_at"] = NOW + timedelta(days=5 + n % 10)


def overdue(n: int, row: dict[str, object]) -> None:
    """Open, unanswered, the answer date passed: the sweep's work."""
    late = NOW - timedelta(hours=1 + n % 48)
    row |= {"state": "in_analysis", "answer_by": late, "wake_at": late}
    row |= dict.fromkeys(("answered_at", "first_answered_at", "closed_at"))


def fill(database: Database, stored: int) -> None:
    store(database, stored, "REC-S", waiting)
    with_history(database)  # their e-mails too, which the "mail pending" selection reads
    store(database, DUE, "REC-D", overdue)
    database.analyze()


def best(select: Callable[..., object], app: App, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        select(app=app, as_of=NOW)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0,100000,1000000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    print(f"Sweep selections (SQLite), {DUE:,} due, best of 5")
    for stored in sizes:
        folder = tempfile.mkdtemp(prefix="bench-sweep-")
        url = f"sqlite:///{folder}/sweep.db"
        database = Database(url)
        fill(database, stored)
        app = App(settings=Settings(database_url=url), db=database)
        overdue = selection.overdue(app=app, as_of=NOW)
        assert len(overdue["alert"]) == DUE, len(overdue["alert"])
        deadlines = best(selection.overdue, app)
        follow = best(selection.follow_ups, app)
        new = best(selection.new_or_pending_mail, app)
        print(
            f"  {stored:>9,} stored: overdue {deadlines * 1000:6.1f} ms, follow-ups "
            f"{follow * 1000:6.1f} ms, new or mail pending {new * 1000:6.1f} ms"
        )
        database.dispose()


if __name__ == "__main__":
    main()

"""The handler's queue over a large store (BENCH_QUEUE_ROWS complaints, one in ten still open,
as bench/report.py fills it): how long one page takes for each quick filter and a search, on
SQLite. Prints figures; never fails."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("COMPLAINTS_DATABASE_URL", "sqlite://")  # each run sets its own

from report import store

from complaints.app import App
from complaints.db import Database
from complaints.services.queue import Filters, choices, queue
from complaints.settings import Settings

ROWS = int(os.environ.get("BENCH_QUEUE_ROWS", "200000"))
CASES = {
    "all, page 1": Filters(),
    "all, page 40": Filters(page=40),
    "overdue": Filters(view="overdue"),
    "mine": Filters(view="mine"),
    "product + region": Filters(product="Gaz", region="Bretagne"),
    "search a name": Filters(q="bench"),
    "search a reference": Filters(q="REC-B-0001234"),
}


def timed(app: App, chosen: Filters, runs: int = 7) -> tuple[float, int]:
    took, total = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        total = queue(app=app, member="Camille", filters=chosen).total
        took.append(time.perf_counter() - started)
    return statistics.median(took), total


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'queue.db'}"
        database = Database(url)
        store(database, ROWS, "REC-B")
        database.analyze()
        app = App(settings=Settings(database_url=url), db=database)
        print(f"## The handler's queue ({ROWS:,} complaints stored, SQLite)\n")
        print("| view | matching | median per page |\n| --- | --- | --- |")
        for name, chosen in CASES.items():
            seconds, total = timed(app, chosen)
            print(f"| {name} | {total:,} | {seconds * 1000:.0f} ms |")
        started = time.perf_counter()
        choices(app=app)
        print(
            f"| the filter form's lists | — | {(time.perf_counter() - started) * 1000:.0f} ms |\n"
        )


if __name__ == "__main__":
    main()

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
from sqlalchemy import insert, select
from stored import with_history

from complaints.app import App
from complaints.db import Database
from complaints.models import Complaint, OutboxMessage
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
    with_history(database)  # their e-mails too, sent: the "mail pending" selection skips them
    store(database, DUE, "REC-D", overdue)
    pending(database)
    database.analyze()


def pending(database: Database) -> None:
    """An answer waiting to be sent, its time come, for each of the DUE: the mail sweep's work
    (without them the "mail pending" case would time an empty result)."""
    with database.transaction() as session:
        due = session.scalars(select(Complaint.id).where(Complaint.reference.like("REC-D-%"))).all()
        rows = [
            {
                "complaint_id": complaint_id,
                "kind": "answer",
                "recipient": "bench@exemple.fr",
                "subject": "s",
                "text_body": "t",
                "html_body": "h",
                "message_id": f"<{complaint_id}.answer.pending@bench>",
                "status": "pending",
                "created_at": NOW - timedelta(minutes=5),
                "next_attempt_at": NOW - timedelta(minutes=5),
                "attempts": 0,
            }
            for complaint_id in due
        ]
        session.execute(insert(OutboxMessage), rows)


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
        waiting_mail = selection.new_or_pending_mail(app=app, as_of=NOW)
        assert len(waiting_mail) == DUE, len(waiting_mail)  # the e-mails waiting are found
        deadlines = best(selection.overdue, app)
        follow = best(selection.follow_ups, app)
        new = best(selection.new_or_pending_mail, app)
        print(
            f"  {stored:>9,} stored: overdue {deadlines * 1000:6.1f} ms, follow-ups "
            f"{follow * 1000:6.1f} ms, new or mail pending ({DUE:,} e-mails waiting) "
            f"{new * 1000:6.1f} ms"
        )
        database.dispose()


if __name__ == "__main__":
    main()

"""A store that has been in use: `count` closed complaints, each with its history (received,
acknowledged, answered, closed) and its three e-mails sent, for the growth benchmarks."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from report import store
from sqlalchemy import insert, select

from complaints.db import Database
from complaints.keys import seal_key
from complaints.models import Complaint, Event, OutboxMessage
from complaints.settings import get_settings

STEPS = [(None, "received"), ("received", "acknowledged"), ("in_analysis", "answered")]
STEPS += [("awaiting_feedback", "closed")]
MAILS = ["acknowledgement", "answer", "survey"]
CHUNK = 20_000


def _history(row: tuple[int, object]) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    complaint_id, received = row
    events, previous = [], "0" * 64
    for hours, (before, after) in enumerate(STEPS):
        sealed = hashlib.sha256(f"{previous}{complaint_id}{hours}".encode()).hexdigest()
        events.append(
            {
                "complaint_id": complaint_id,
                "at": received + timedelta(hours=hours),  # type: ignore[operator]
                "actor_kind": "system",
                "actor": "complaints",
                "action": after,
                "from_state": before,
                "to_state": after,
                "reason": "",
                "reason_digest": "",
                "data": {},
                "prev_hash": previous,
                "hash": sealed,
            }
        )
        previous = sealed
    mails = [
        {
            "complaint_id": complaint_id,
            "kind": kind,
            "recipient": "bench@exemple.fr",
            "subject": "s",
            "text_body": "t",
            "html_body": "h",
            "message_id": f"<{complaint_id}.{kind}@bench>",
            "status": "sent",
            "created_at": received,
            "next_attempt_at": received,
            "sent_at": received,
            "attempts": 1,
        }
        for kind in MAILS
    ]
    return events, mails


def fill(database: Database, count: int) -> None:
    """`count` complaints with four events and three sent e-mails each, then the statistics."""
    if count == 0:
        database.ensure_schema()
        return
    store(database, count, "REC-G")
    with_history(database)
    database.analyze()


def with_history(database: Database) -> None:
    """Four events and three sent e-mails for every complaint stored so far."""
    last = 0
    while True:
        with database.transaction() as session:
            rows = session.execute(
                select(Complaint.id, Complaint.received_at)
                .where(Complaint.id > last)
                .order_by(Complaint.id)
                .limit(CHUNK)
            ).all()
            if not rows:
                break
            histories = [_history((row.id, row.received_at)) for row in rows]
            session.execute(insert(Event), [e for events, _ in histories for e in events])
            session.execute(insert(OutboxMessage), [m for _, mails in histories for m in mails])
            last = rows[-1].id


# Filled once and kept for the next benchmark (1M took 12 minutes and 3.0 GB here).
STORES = Path(
    os.environ.get("BENCH_STORES", Path(tempfile.gettempdir()) / "complaints-bench-stores")
)


def prepared(count: int) -> Path:
    """A SQLite file holding `count` stored complaints, filled once for every benchmark."""
    path = STORES / f"stored-v7-{count}.db"  # schema 0007: keyed seals, a simulated clock
    if not path.exists():
        STORES.mkdir(parents=True, exist_ok=True)
        filling = path.with_suffix(".filling")
        remove(filling)  # half filled by an interrupted run
        database = Database(f"sqlite:///{filling}", seal_key(get_settings()))
        database.ensure_schema()
        database.simulate_clock()  # its histories are dated years back, as the runs' steps are
        fill(database, count)
        database.dispose()
        filling.rename(path)
    return path


def remove(database: Path) -> None:
    """A SQLite file and its WAL, if there."""
    for suffix in ("-wal", "-shm", ""):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


def copy_to(source: Path, target: Path) -> None:
    remove(target)
    shutil.copyfile(source, target)

"""The review report over a large store: 1M complaints over three years (BENCH_REPORT_ROWS),
on SQLite and on PostgreSQL (COMPLAINTS_TEST_POSTGRES_URL). Prints figures; never fails."""

from __future__ import annotations

import os
import random
import secrets
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

os.environ.setdefault(
    "COMPLAINTS_DATABASE_URL", "sqlite://"
)  # settings need a value; each run sets its own

from figures import keep  # bench/, beside this file
from sqlalchemy import create_engine, insert, text

from complaints.app import App
from complaints.db import Database
from complaints.models import Complainant, Complaint
from complaints.reporting.report import build
from complaints.reporting.sql import Scope
from complaints.settings import Settings

ROWS = int(os.environ.get("BENCH_REPORT_ROWS", "1000000"))
NOW = datetime(2026, 11, 1, tzinfo=UTC)
PRODUCTS = ["Box Fibre", "Mobile", "Électricité", "Gaz", "Assurance habitation", "Électroménager"]
REGIONS = ["Bretagne", "Occitanie", "Île-de-France", "Hauts-de-France", "Grand Est", "Normandie"]
CHANNELS = ["web", "email", "phone", "letter", "in_person"]
CATEGORIES = ["delivery", "billing", "product_quality", "service", "safety", "other"]


def rows(count: int, person: int) -> list[dict[str, object]]:
    rng = random.Random(count)
    out = []
    for i in range(count):
        received = NOW - timedelta(seconds=rng.randrange(3 * 365 * 86400))
        answered = (
            received + timedelta(hours=rng.randrange(24, 30 * 24)) if rng.random() < 0.9 else None
        )
        acknowledged = received + timedelta(minutes=rng.randrange(90))
        out.append(
            {
                "reference": f"REC-B-{i:07d}",
                "tracking_token": secrets.token_hex(12),
                "complainant_id": person,
                "state": "closed" if answered else "in_analysis",
                "channel": rng.choice(CHANNELS),
                "language": "fr",
                "subject": "s",
                "description": "d",
                "desired_outcome": "",
                "product": rng.choice(PRODUCTS),
                "region": rng.choice(REGIONS),
                "customer_type": rng.choice(["individual", "professional"]),
                "category": rng.choice(CATEGORIES),
                "severity": rng.choice(["normal", "normal", "high", "critical"]),
                "priority": 3,
                "received_at": received,
                "acknowledged_at": acknowledged,
                "acknowledgement_sent_at": acknowledged,  # kept means accepted by the server
                "answered_at": answered,
                "first_answered_at": answered,
                "first_answer_sent_at": answered,
                "closed_at": answered,
                "acknowledge_by": received + timedelta(minutes=60),
                "answer_by": received + timedelta(days=15),
                "promised_answer_by": received + timedelta(days=15),
                "escalation_level": 0,
                "reviews_done": 0,
                "needs_attention": False,
            }
        )
    return out


def store(
    database: Database,
    count: int,
    prefix: str,
    adjust: Callable[[int, dict[str, object]], None] | None = None,
) -> None:
    """`count` complaints of one person, referenced `{prefix}-0000000` on, inserted in batches;
    `adjust(n, row)` may change each before it is written."""
    database.ensure_schema()
    with database.transaction() as session:
        person = Complainant(name="Bench", email="bench@exemple.fr", language="fr")
        session.add(person)
        session.flush()
        person_id = person.id
    batch = 50_000
    for start in range(0, count, batch):
        chunk = rows(min(batch, count - start), person_id)
        for i, row in enumerate(chunk):
            row["reference"] = f"{prefix}-{start + i:07d}"
            if adjust is not None:
                adjust(start + i, row)
        with database.transaction() as session:
            session.execute(insert(Complaint), chunk)


def load(database: Database) -> float:
    started = time.perf_counter()
    store(database, ROWS, "REC-B")
    database.analyze()  # as the monthly review flow does
    return time.perf_counter() - started


def timed(app: App, scope: Scope, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        build(app=app, scope=scope, now=NOW)
        best = min(best, time.perf_counter() - started)
    return best


def measure(name: str, url: str) -> None:
    database = Database(url)
    seconds = load(database)
    app = App(settings=Settings(database_url=url), db=database)
    month = Scope(since=NOW - timedelta(days=30), until=NOW)
    year = Scope(since=NOW - timedelta(days=365), until=NOW)
    filtered = Scope(
        since=NOW - timedelta(days=30), until=NOW, filters={"product": "Gaz", "region": "Bretagne"}
    )
    last_year = timed(app, year)
    if name == "SQLite" and ROWS >= 1_000_000:
        keep("year_report_1m_s", last_year)
    print(
        f"{name:<11} {ROWS:>9,} stored (loaded in {seconds:5.1f} s): report for the last month "
        f"{timed(app, month):.3f} s, filtered {timed(app, filtered):.3f} s, last year {last_year:.3f} s"
    )
    database.dispose()


def main() -> None:
    print("Review report (figures, promise register, recurring causes, actions, audit), best of 3")
    measure("SQLite", f"sqlite:///{tempfile.mkdtemp(prefix='bench-report-')}/report.db")
    url = os.environ.get(
        "COMPLAINTS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    try:
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    except Exception as error:  # no PostgreSQL here: say so and stop
        print(f"PostgreSQL  skipped: {type(error).__name__}")
        return
    measure("PostgreSQL", url)


if __name__ == "__main__":
    main()

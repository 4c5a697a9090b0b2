"""Faults on real parts, on 127.0.0.1: the database going away under load, a worker killed in
the middle of a lifecycle flow. Nothing lost, nothing twice."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from complaints import app as wiring
from complaints import orchestration
from complaints.app import App
from complaints.mail.sink import MailSink
from complaints.models import Complaint, OutboxMessage
from complaints.services import intake as intake_service
from tests.conftest import POSTGRES_URL, intake, simulated
from tests.factories import exactly_once

pytestmark = [pytest.mark.usefixtures("prefect_server"), pytest.mark.prefect]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.skipif(not POSTGRES_URL, reason="COMPLAINTS_TEST_POSTGRES_URL not set")
@pytest.mark.parametrize("backend", ["postgres"])
def test_database_restart_under_load_loses_nothing_and_doubles_nothing(
    app: App, smtp: MailSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL refuses connections and drops every session for 1.5 s, twice: during the
    intake (clients retry on 503 with their Idempotency-Key) and during the lifecycle flow
    (its tasks retry)."""
    from fastapi.testclient import TestClient

    from complaints.api.web import create_web_app

    monkeypatch.setenv("COMPLAINTS_INTAKE_PER_MINUTE", "1000000")
    monkeypatch.setenv("COMPLAINTS_INTAKE_BURST", "1000000")
    wiring.reset()
    app = wiring.get_app()
    count, unavailable, statuses = 150, Counter[int](), Counter[int]()
    body = intake().model_dump(mode="json")
    # The outage is started by the test when submissions are known to be in flight, never by
    # a timer: the submitter stops after the 50th and goes on only once PostgreSQL is down.
    halfway, down = threading.Event(), threading.Event()

    def submit_all() -> None:
        with TestClient(create_web_app(app)) as client:
            for n in range(count):
                if n == 50:
                    halfway.set()
                    down.wait(timeout=60)
                while True:
                    answer = client.post(
                        "/api/complaints", json=body, headers={"Idempotency-Key": f"load-{n}"}
                    )
                    if answer.status_code != 503:
                        statuses[answer.status_code] += 1
                        break
                    unavailable[n] += 1
                    time.sleep(0.2)

    submitter = threading.Thread(target=submit_all)
    submitter.start()
    assert halfway.wait(timeout=120)
    outage(1.5, started=down)
    submitter.join(timeout=300)
    print(f"\nrestart: {unavailable.total()} answers were 503 and retried")
    assert unavailable.total() > 0, "the outage did not hit the intake"
    assert set(statuses) <= {200, 201} and statuses.total() == count, statuses
    outcome: list[object] = []
    # The second outage starts while the flow acknowledges: it is held in the transaction of
    # its 60th acknowledgement until PostgreSQL is down, so that this transaction fails.
    acknowledging, resumed = threading.Event(), threading.Event()
    events = itertools.count(1)

    def hold_the_60th(_: Any, __: Any, statement: str, *args: Any) -> None:
        if statement.startswith("INSERT INTO events") and next(events) == 60:
            acknowledging.set()
            resumed.wait(timeout=60)

    event.listen(app.db.engine, "before_cursor_execute", hold_the_60th)

    def lifecycle() -> None:
        try:
            outcome.append(asyncio.run(orchestration.handle(None, None)))
        except Exception as error:  # the flow run failed for good: its retries were not enough
            outcome.append(error)

    flow = threading.Thread(target=lifecycle)
    flow.start()
    assert acknowledging.wait(timeout=120)
    outage(1.5, started=resumed)
    flow.join(timeout=300)
    event.remove(app.db.engine, "before_cursor_execute", hold_the_60th)
    assert isinstance(outcome[0], dict), outcome  # the tasks' retries rode out the restart
    exactly_once(app, smtp, count)
    exactly_once(app, smtp, count)


def outage(seconds: float, *, started: threading.Event) -> None:
    """What a restart looks like to clients: sessions dropped, connections refused, then back.
    `started` is set once the database is down."""
    import psycopg

    assert POSTGRES_URL is not None
    url = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0]
    with psycopg.connect(f"{url}/postgres", autocommit=True) as admin:
        admin.execute("ALTER DATABASE test ALLOW_CONNECTIONS false")
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = 'test' AND pid <> pg_backend_pid()"
        )
        started.set()
        time.sleep(seconds)
        admin.execute("ALTER DATABASE test ALLOW_CONNECTIONS true")


def test_sqlite_locked_by_another_writer_makes_writers_wait(app: App, tmp_path: Path) -> None:
    """Another process's write lock on the file: intake waits (busy timeout) and succeeds."""
    import sqlite3

    locker = sqlite3.connect(
        app.settings.database_url.split("///", 1)[1], isolation_level=None, check_same_thread=False
    )
    intake_service.receive(app=app, intake=intake(), at=T0)  # the schema exists
    locker.execute("BEGIN EXCLUSIVE")
    threading.Timer(1.5, lambda: locker.execute("COMMIT")).start()
    started = time.monotonic()
    intake_service.receive(app=app, intake=intake(), at=T0)
    waited = time.monotonic() - started
    locker.close()
    assert waited >= 1.4  # it really waited for the lock, then wrote
    with app.db.reader() as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == 2


def test_worker_killed_mid_flow_the_next_run_finishes_exactly_once(
    env: object, smtp: MailSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker process runs the lifecycle flow and is killed (SIGKILL) while it sends the
    acknowledgements: the 8th of 20 is refused as the worker dies. The next run, once the dead
    worker's lease on its e-mails has expired, sends the rest; nobody gets one twice."""
    from prefect.settings import PREFECT_API_URL

    monkeypatch.setenv("COMPLAINTS_DELIVERY_LEASE_SECONDS", "4")
    wiring.reset()
    app = simulated(wiring.get_app())  # dated T0, as the worker's run-due --as-of is
    count = 20
    for n in range(count):
        intake_service.receive(app=app, intake=intake(email=f"client{n}@exemple.fr"), at=T0)
    environment = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    worker = subprocess.Popen(
        [sys.executable, "-m", "complaints", "run-due", "--as-of", T0.isoformat()],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def accept(message: EmailMessage) -> bool:
        if len(smtp.messages) < 7:
            return True
        os.kill(worker.pid, signal.SIGKILL)
        return False

    smtp.handler.accept = accept
    assert worker.wait(timeout=180) == -signal.SIGKILL
    assert len(smtp.messages) == 7
    smtp.handler.accept = lambda message: True
    with app.db.reader() as session:
        claimed = session.scalar(
            select(func.count()).where(
                OutboxMessage.status == "pending", OutboxMessage.claimed_until.is_not(None)
            )
        )
    assert claimed == count - 7  # the dead worker's lease holds them...
    asyncio.run(orchestration.handle(None, T0))
    assert len(smtp.messages) == 7  # ... so a run within the lease sends nothing twice
    time.sleep(4)
    asyncio.run(orchestration.handle(None, T0))
    exactly_once(app, smtp, count)
    with app.db.reader() as session:
        assert set(session.scalars(select(Complaint.state))) == {"in_analysis"}


def test_submissions_as_fast_as_the_intake_allows_are_each_stored_and_acknowledged_once() -> None:
    """bench/load.py at a size CI can afford (`make bench` runs 10,000): every complaint
    stored once and acknowledged once, none twice."""
    import json

    bench = Path(__file__).resolve().parents[1] / "bench" / "load.py"
    done = subprocess.run(
        [sys.executable, str(bench), "--count", "300", "--clients", "8", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\nload: {figures}")
    assert figures["stored"] == figures["distinct_references"] == 300
    assert figures["idempotency_keys"] == figures["acknowledged"] == 300
    assert figures["duplicates"] == 0 and figures["not_acknowledged"] == 0

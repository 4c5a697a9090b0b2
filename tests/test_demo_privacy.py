"""The whole demo, against a Prefect server this test starts (all its services on, events
kept), then: each complaint's timeline and the backlog are in Prefect's events and artifacts;
and a search of everything Prefect kept (its database: flow and task run parameters, states,
results, logs, events, artifacts; its server log) and of all the output, for every name,
e-mail address and phone number the demo used: none may be found."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from complaints import prefect_env
from complaints.demo.scenarios import SAMPLES
from complaints.mail.sink import free_port
from complaints.prefect_server import PrefectServer
from complaints.prefect_trace import events_of
from tests import prefect_ui

pytestmark = pytest.mark.prefect
BACKLOG = "complaints-waiting"
# The mediation path, as the feed tells it: answered, reviewed, answered again, still
# dissatisfied, the mediator, closed (complaints/feed.py).
MEDIATION = [
    "complaint.received",
    "complaint.acknowledged",
    "complaint.analysis-started",
    "complaint.answered",
    "complaint.survey-sent",
    "complaint.reopened-for-review",
    "complaint.answered",
    "complaint.survey-sent",
    "complaint.referred-to-mediator",
    "complaint.closed",
]


def personal_data() -> list[str]:
    found: list[str] = []
    for sample in SAMPLES.values():
        found += [sample.name, str(sample.email), sample.email.split("@")[0]]
        found += sample.name.split()  # a surname alone is personal data too
        if sample.phone:
            found += [sample.phone, sample.phone.replace(" ", "")]
    return sorted({item for item in found if len(item) > 3})


def leaks(text: str) -> list[str]:
    return [item for item in personal_data() if item in text]


def in_order(names: list[str], expected: list[str]) -> bool:
    """`expected` is a subsequence of `names` (other events may come between)."""
    remaining = iter(names)
    return all(any(name == wanted for name in remaining) for wanted in expected)


def everything_kept(home: Path) -> str:
    parts = []
    for path in sorted(home.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".db":
            with sqlite3.connect(path) as connection:
                parts.append("\n".join(connection.iterdump()))
        elif path.suffix not in (".db-wal", ".db-shm"):
            parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


@dataclass
class Demo:
    output: str
    references: dict[str, str]  # the demo's path → its complaint
    timelines: dict[str, list[str]]  # reference → its events' names, oldest first
    events: str  # every complaint event, as Prefect's API returns it
    backlog: list[Any]  # every version of the backlog artifact
    artifacts: str  # every artifact
    kept: str  # everything in PREFECT_HOME once the server stopped
    server_log: str
    trace: subprocess.CompletedProcess[str]  # `complaints trace` of the mediation path
    ui: str
    ui_pages: dict[str, str]  # Prefect's UI: each page's text ({} without Chromium)


async def read_prefect(references: list[str]) -> tuple[dict[str, list[str]], str, list[Any], str]:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    async with get_client() as client:
        timelines: dict[str, list[str]] = {}
        dumps: list[str] = []
        for reference in references:
            events = await events_of(client, reference)
            timelines[reference] = [event.event for event in events]
            dumps += [event.model_dump_json() for event in events]
        backlog = await client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[BACKLOG])), limit=200
        )
        every = await client.read_artifacts(limit=200)
    artifacts = "\n".join(artifact.model_dump_json() for artifact in every)
    return timelines, "\n".join(dumps), backlog, artifacts


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    tmp = tmp_path_factory.mktemp("demo")
    prefect_home = tmp / "prefect"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPLAINTS_", "PREFECT_"))}
    env |= {**prefect_env.DEFAULTS, "PREFECT_HOME": str(prefect_home)}
    env |= {
        "PREFECT_LOGGING_LEVEL": "DEBUG",  # the most a misconfigured site could log
        "COMPLAINTS_DATABASE_URL": f"sqlite:///{tmp / 'demo.db'}",
        "COMPLAINTS_PREFECT_PORT": str(free_port()),
        # The first sweep's nine complaints in one batch: a timeline then holds the events
        # of the batches that list the complaint (complaints/feed.py) and its own.
        "COMPLAINTS_BATCH_THRESHOLD": "3",
    }
    # The demo uses the server running on its port, and leaves it running: it is read after.
    server = PrefectServer(tmp, port=int(env["COMPLAINTS_PREFECT_PORT"]), env=env).start()
    try:
        run = subprocess.run(
            [sys.executable, "-m", "complaints", "demo"],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        references = dict(re.findall(r"(\w+)\s+│\s+(REC-\d{4}-\d{6})", run.stdout))
        assert set(SAMPLES) <= set(references), run.stdout[-3000:]
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            deadline = time.monotonic() + 60  # the server writes its events in batches
            while True:
                read = asyncio.run(read_prefect(list(references.values())))
                mediation = read[0][references["mediation"]]
                if in_order(mediation, MEDIATION) or time.monotonic() > deadline:
                    break
                time.sleep(1)
        trace = subprocess.run(
            [sys.executable, "-m", "complaints", "trace", references["mediation"]],
            capture_output=True,
            text=True,
            env={**env, "PREFECT_API_URL": server.api_url, "COLUMNS": "250"},
            timeout=120,
        )
        shown = prefect_ui.pages(server.ui_url, trace.stdout)
    finally:
        server.stop()
    yield Demo(
        output=run.stdout + run.stderr,
        references=references,
        timelines=read[0],
        events=read[1],
        backlog=read[2],
        artifacts=read[3],
        kept=everything_kept(prefect_home),
        server_log=(tmp / "prefect-server.log").read_text("utf-8", "replace"),
        trace=trace,
        ui=server.ui_url,
        ui_pages=shown,
    )


def test_the_checks_below_can_fail() -> None:
    assert SAMPLES["mediation"].name in leaks(f"name: {SAMPLES['mediation'].name}")
    assert leaks("complaint.closed REC-2026-000001") == []
    assert in_order(MEDIATION, MEDIATION) and not in_order(MEDIATION[::-1], MEDIATION)
    assert not in_order(MEDIATION[:-1], MEDIATION)


def test_prefect_shows_each_complaint_timeline_and_the_backlog(demo: Demo) -> None:
    mediation = demo.timelines[demo.references["mediation"]]
    assert in_order(mediation, MEDIATION), mediation
    overdue = demo.timelines[demo.references["overdue"]]
    assert in_order(
        overdue, ["complaint.answer-overdue", "complaint.referred-to-mediator", "complaint.closed"]
    ), overdue
    assert "complaint.closed" in demo.timelines[demo.references["no_feedback"]]
    assert '"kind":"acknowledgement"' in demo.events.replace(": ", ":")  # e-mails, by kind
    assert "complaints.batch.REC-" in demo.events  # the first sweep took them in one batch
    # The backlog, a version a sweep: one said the overdue complaint; the last, all closed.
    versions = [json.loads(a.data) for a in sorted(demo.backlog, key=lambda a: a.created)]
    assert len(versions) >= 5
    rows = [row for table in versions for row in table]
    assert any(row["état"] == "transmise au médiateur" for row in rows), rows
    assert any(row["en retard"] >= 1 for row in rows), rows
    assert versions[-1] == []  # every complaint is closed
    assert "sweep-follow-up" in demo.artifacts and "survey_sent" in demo.artifacts
    assert leaks(demo.events + demo.artifacts) == []


def test_trace_tells_where_a_complaint_stands_and_what_prefect_did(demo: Demo) -> None:
    said = demo.trace.stdout
    assert demo.trace.returncode == 0, demo.trace.stderr
    assert "clôturée" in said and "personne" in said  # closed, waiting on nobody
    assert re.search(r"exécutions de flux Prefect\S*: [1-9]", said), said
    assert re.search(r"exécutions de tâches Prefect\S*: [1-9]", said), said
    assert f"{demo.ui}/runs/flow-run/" in said and f"{demo.ui}/runs/task-run/" in said
    assert "complaint.referred-to-mediator" in said and f"{demo.ui}/events/event/" in said
    assert f"send e-mails {demo.references['mediation']}" in said
    assert "injoignable" not in said and leaks(said) == []


def test_the_demo_leaves_no_personal_data_in_prefect(demo: Demo) -> None:
    assert "flow_run" in demo.kept and "REC-" in demo.kept  # Prefect did keep the runs
    assert "complaint.acknowledged" in demo.kept  # and the events
    for item in personal_data():
        assert item not in demo.kept, f"{item!r} found in Prefect's storage"
        assert item not in demo.output + demo.server_log, f"{item!r} found in the log output"


@pytest.mark.skipif(prefect_ui.CHROMIUM is None, reason="Debian's chromium is not installed")
def test_prefects_ui_shows_the_operators_day_and_no_person(demo: Demo) -> None:
    shown = demo.ui_pages
    assert set(shown) == {"runs", "events", "backlog", "flow-run"}
    assert re.search(r"(deadlines|run-due|follow-up) 20\d\d-\d\d-\d\d \d\d:\d\d", shown["runs"])
    assert "complaint." in shown["events"]
    assert demo.references["mediation"] in shown["flow-run"] or "REC-" in shown["flow-run"]
    for name, text in shown.items():
        assert leaks(text) == [], name

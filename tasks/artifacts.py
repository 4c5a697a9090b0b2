"""What a sweep publishes in Prefect's UI: a table of what it did (references and outcomes)
and the backlog (`complaints-waiting`, counts by state). Not tasks: an artifact is one API
call, and a task run each would be noise in the runs list."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from prefect.artifacts import acreate_table_artifact

from complaints.app import get_app
from complaints.batching import label
from complaints.lifecycle import PHASES
from complaints.reporting.backlog import backlog
from complaints.services.automation import Outcome
from complaints.words import catalog, counted
from tasks.naming import local_minute

BACKLOG = "complaints-waiting"
ROWS = 50  # a larger table is summed up by step and outcome
log = logging.getLogger("complaints.artifacts")


def _words() -> tuple[str, dict[str, str]]:
    app = get_app()
    lang = app.conduct.organisation.language
    return lang, catalog(app.settings.home / "templates")[lang]["trace"]


async def _publish(table: list[dict[str, Any]], key: str, description: str) -> None:
    """An artifact lost costs only the artifact: the sweep has done its work."""
    try:
        await acreate_table_artifact(table, key=key, description=description)
    except Exception as error:  # Prefect's API away for a moment
        log.warning("artifact %s not published: %s", key, error)


async def publish_sweep(what: str, as_of: datetime, **steps: dict[str, Any]) -> None:
    """A table of what the sweep `what` did: a row per complaint and step that did something
    (skipped ones are left out); beyond ROWS rows, a row per step and outcome naming its
    complaints as a batch is (`REC-…0001…REC-…0500 (500)`), failures still one by one.
    Nothing when it did nothing."""
    rows = [
        {"reference": reference, "step": step.replace("_", " "), "outcome": str(outcome)}
        for step, outcomes in steps.items()
        for reference, outcome in outcomes.items()
        if outcome != Outcome.SKIPPED
    ]
    if not rows:
        return
    lang, words = _words()
    handled = len({row["reference"] for row in rows})
    said = counted(words["swept"], lang, handled, what=what, moment=local_minute(as_of))
    await _publish(rows if len(rows) <= ROWS else _summary(rows), f"sweep-{what}", said)


def _summary(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    # Large tables are also what made Prefect's server slow to take the feed's events in
    # (bench figures in the README): a few dozen rows say it as well.
    failed = [row for row in rows if row["outcome"].startswith("failed")][:ROWS]
    done: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        if not row["outcome"].startswith("failed"):
            done.setdefault((row["step"], row["outcome"]), []).append(row["reference"])
    return failed + [
        {"reference": label(references), "step": step, "outcome": outcome}
        for (step, outcome), references in done.items()
    ]


async def publish_backlog(as_of: datetime) -> None:
    """Update `complaints-waiting`: open complaints by state, in the organisation's words."""
    lines = await asyncio.to_thread(backlog, app=get_app(), as_of=as_of)
    lang, words = _words()
    table = [
        {
            words["state"]: PHASES[line.state].staff(lang),
            words["waits_on"]: words[f"party_{line.waits_on}"],
            words["complaints"]: line.complaints,
            words["overdue"]: line.overdue,
            words["needs_attention"]: line.needs_attention,
        }
        for line in lines
    ]
    opened = sum(line.complaints for line in lines)
    late = sum(line.overdue for line in lines)
    attention = sum(line.needs_attention for line in lines)
    said = words["backlog"].format(
        moment=local_minute(as_of), open=opened, overdue=late, attention=attention
    )
    await _publish(table, BACKLOG, said)

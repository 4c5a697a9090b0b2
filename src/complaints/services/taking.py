"""Taking one automatic step (services/automation.py, services/information.py) on many
complaints: up to TOGETHER in a transaction, each under its row lock, a bad one holding back
none of the others."""

from __future__ import annotations

from datetime import datetime

from complaints import repository
from complaints.app import App
from complaints.services.automation import Outcome, Step_
from complaints.services.history import SYSTEM, settle

# Complaints taken in one transaction by `run_step`: a transaction costs about as much as a step.
TOGETHER = 50


def run_step(app: App, step: Step_, references: list[str], at: datetime) -> dict[str, str]:
    """Apply `step` to each complaint and say what happened to each (take_each); the first
    failure is raised once every other complaint has been taken (a retry then skips those
    done)."""
    outcomes, failures = take_each(app, step, references, at)
    if failures:
        raise failures[0]
    return outcomes


def take_each(
    app: App, step: Step_, references: list[str], at: datetime
) -> tuple[dict[str, str], list[Exception]]:
    """Apply `step` to each complaint: what happened to each one taken, and the failures. Up
    to TOGETHER complaints share a transaction; if one of them fails, that group is taken again
    one complaint per transaction, so that a bad complaint holds back none of the others."""
    outcomes: dict[str, str] = {}
    failures: list[Exception] = []
    for start in range(0, len(references), TOGETHER):
        group = references[start : start + TOGETHER]
        try:
            outcomes |= _together(app, step, group, at)
        except Exception as exc:
            if len(group) == 1:
                failures.append(exc)
                continue
            for reference in group:
                try:
                    outcomes |= _together(app, step, [reference], at)
                except Exception as single:
                    failures.append(single)
    return outcomes, failures


def _together(app: App, step: Step_, references: list[str], at: datetime) -> dict[str, str]:
    outcomes: dict[str, str] = {}
    with app.db.transaction() as session:
        complaints = repository.get_many(session=session, references=references, lock=True)
        for reference in dict.fromkeys(references):
            complaint = complaints[reference]
            outcomes[reference] = step(
                session, app, complaint, settle(session, complaint, at, SYSTEM)
            )
            if outcomes[reference] != Outcome.SKIPPED:
                session.flush()
    return outcomes

"""`verify`: every history's seals, links and head, one streaming pass in complaint order.

What it proves: without the key, nobody can change, remove (first, middle or last), reorder
or add an event, nor recompute a chain, without `verify` saying where. What it does not:
someone holding both the key and the database can rewrite a history and seal it again; the
checkpoints exported and kept elsewhere (services/checkpoints.py) are what shows that."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy import select

from complaints.app import App
from complaints.chain import GENESIS, digest, head_seal, seal
from complaints.models import Complaint, Event
from complaints.services.delivery import KEEPS

Progress = Callable[[int], None]  # told how many complaints were just checked
# The complaint's columns that decide whether a promise was kept, checked against the events.
SEALED_COLUMNS = (
    "acknowledge_by",
    "promised_answer_by",
    "answer_by",
    "refer_by",
    "acknowledgement_sent_at",
    "first_answer_sent_at",
)


@dataclass(frozen=True)
class Break:
    reference: str
    event_id: int | None
    problem: str


@dataclass
class Verdict:
    complaints: int = 0
    events: int = 0
    breaks: list[Break] = field(default_factory=list)
    simulated: bool = False  # the demo's clock: times prove nothing about real time


def _event_problem(key: bytes, event: Event, previous: str, redacted: set[int]) -> str | None:
    if event.hash is None:
        return "event without a seal"
    if (event.prev_hash or GENESIS) != previous:
        return "chain broken: an event before it was removed, reordered or changed"
    if event.redacted_at is None and event.reason_digest != digest(event.reason):
        return "reason changed after it was recorded"
    if seal(key, previous, event, event.reason_digest or digest(event.reason)) != event.hash:
        return "seal does not match: changed after it was recorded, or sealed without this key"
    if event.redacted_at is not None and event.id not in redacted:
        return "reason erased without a recorded anonymisation"
    return None


def _head_problem(key: bytes, complaint: Any, events: list[Event]) -> str | None:
    found = len(events)
    last = events[-1].hash if events else None
    if found < complaint.chain_length:
        missing = complaint.chain_length - found
        return f"{missing} event(s) missing: {found} found of the {complaint.chain_length} recorded"
    if found > complaint.chain_length or last != complaint.chain_last_hash:
        return "the history's head does not match its last event"
    sealed = head_seal(key, complaint.id, complaint.chain_length, complaint.chain_last_hash)
    if complaint.chain_head != sealed:
        return "the history's head was rewritten (its seal does not match)"
    return None


def _sealed_facts(events: list[Event]) -> dict[str, str | None]:
    """What the sealed events say the complaint's promise and delivery columns hold."""
    facts: dict[str, str | None] = {}
    kept_by: dict[str, str] = {}  # the column kept -> the Message-ID of the e-mail that kept it
    for event in events:
        data = event.data or {}
        promises = data.get("promises") or {}
        if event.action == "received" and promises:
            facts["acknowledge_by"] = promises["acknowledge"]["due"]
            facts["promised_answer_by"] = facts["answer_by"] = promises["answer"]["due"]
            facts["refer_by"] = promises["referral"]["due"]
        elif event.action == "reopen_for_review" and "referral" in data:
            facts["answer_by"], facts["refer_by"] = data["promise"]["due"], data["referral"]["due"]
        elif isinstance(data.get("deadlines"), dict):  # a step that moved promised dates
            facts.update(data["deadlines"])
        elif event.action in ("email_sent", "letter_posted"):  # accepted, or posted
            kept = KEEPS.get(str(data.get("kind")))
            column = kept.key if kept is not None else None
            if column is not None and column not in facts:
                facts[column] = event.at.isoformat()
                kept_by[column] = str(data.get("message_id"))
        elif event.action == "email_bounced" and data.get("unkept"):
            kept = KEEPS.get(str(data.get("kind")))
            if kept is not None and kept_by.get(kept.key) == data.get("message_id"):
                facts.pop(kept.key, None)  # the promise it kept is kept no longer
                kept_by.pop(kept.key)
    return facts


def _facts_problem(complaint: Any, events: list[Event]) -> str | None:
    """The promise dates and delivery times the register reads must be the sealed ones: a
    column changed by hand would turn a breach into a promise kept."""
    if not any((e.data or {}).get("promises") for e in events[:1]):
        return None  # recorded before schema 0007: its promises were not sealed
    facts = _sealed_facts(events)
    changed = []
    for column in SEALED_COLUMNS:
        value, sealed = getattr(complaint, column), facts.get(column)
        if (value is None) != (sealed is None) or (
            sealed is not None and value != datetime.fromisoformat(sealed)
        ):
            changed.append(column)
    if changed:
        return f"changed outside the sealed history: {', '.join(changed)}"
    return None


def check_history(key: bytes, complaint: Any, events: list[Event]) -> list[Break]:
    """The breaks in one complaint's history (its events in id order)."""
    redacted = {
        int(i)
        for e in events
        if e.action == "anonymised"
        for i in (e.data or {}).get("redacted_events", [])
    }
    breaks, previous = [], GENESIS
    for event in events:
        problem = _event_problem(key, event, previous, redacted)
        if problem is not None:
            breaks.append(Break(complaint.reference, event.id, problem))
        previous = event.hash or previous
    for problem in (_head_problem(key, complaint, events), _facts_problem(complaint, events)):
        if problem is not None:
            breaks.append(Break(complaint.reference, None, problem))
    return breaks


def verify(*, app: App, reference: str | None = None, progress: Progress | None = None) -> Verdict:
    """Check every history (or one): two queries streamed side by side, whatever the size."""
    key = app.db.key()
    verdict = Verdict(simulated=app.db.is_simulated())
    heads = select(
        Complaint.id,
        Complaint.reference,
        Complaint.chain_length,
        Complaint.chain_last_hash,
        Complaint.chain_head,
        *(getattr(Complaint, column) for column in SEALED_COLUMNS),
    ).order_by(Complaint.id)
    events = select(Event).order_by(Event.complaint_id, Event.id)
    if reference is not None:
        heads = heads.where(Complaint.reference == reference)
        events = events.join(Complaint, Complaint.id == Event.complaint_id).where(
            Complaint.reference == reference
        )
    with app.db.reader() as session:
        groups: Iterator[tuple[int, Iterator[Event]]] = groupby(
            session.scalars(events.execution_options(yield_per=5000)), key=lambda e: e.complaint_id
        )
        pending = next(groups, None)

        def orphans_before(complaint_id: float) -> None:
            """Events whose complaint row is gone (only a hand on the database does that)."""
            nonlocal pending
            while pending is not None and pending[0] < complaint_id:
                lost = list(pending[1])
                verdict.events += len(lost)
                verdict.breaks.append(
                    Break(f"#{pending[0]}", lost[0].id, "history of a complaint that was removed")
                )
                pending = next(groups, None)

        for complaint in session.execute(heads.execution_options(yield_per=5000)):
            orphans_before(complaint.id)
            mine: list[Event] = []
            if pending is not None and pending[0] == complaint.id:
                mine = list(pending[1])
                pending = next(groups, None)
            verdict.complaints += 1
            verdict.events += len(mine)
            verdict.breaks += check_history(key, complaint, mine)
            if progress is not None:
                progress(1)
        orphans_before(float("inf"))
    return verdict

"""The history is tamper-evident: `verify` finds an edited, removed (first, middle, last) or
reordered event, a chain recomputed without the key, a head moved back; checkpoints kept
elsewhere find a history rewritten with the key. SQLite, and PostgreSQL when set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text, update

from complaints.app import App, build_app
from complaints.chain import GENESIS, head_seal, seal
from complaints.db import WrongKey
from complaints.models import Complaint, Event
from complaints.services import automation, intake, taking
from complaints.services.checkpoints import export, seal_checkpoint, verify_checkpoints
from complaints.services.integrity import verify
from complaints.settings import Settings
from tests.conftest import BACKENDS
from tests.conftest import intake as sample
from tests.factories import answer

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def history(app: App) -> str:
    reference = intake.receive(app=app, intake=sample(), at=T0).reference
    for step in (automation.acknowledge, automation.start_analysis):
        taking.run_step(app, step, [reference], T0)
    answer(app, reference, T0 + timedelta(days=2))
    return reference


def problems(app: App) -> list[str]:
    return [b.problem for b in verify(app=app).breaks]


def ids(app: App) -> list[int]:
    with app.db.reader() as session:
        return list(session.scalars(select(Event.id).order_by(Event.id)))


def tamper(app: App, statement: str, **values: object) -> None:
    with app.db.transaction() as session:
        session.execute(text(statement), values)


def reseal(app: App, key: bytes) -> None:
    """What a writer to the database would do to hide a change: recompute every seal and the
    head, with `key` (the installation's own, or a guess)."""
    with app.db.transaction() as session:
        previous, count, complaint_id = GENESIS, 0, 0
        for event in session.scalars(select(Event).order_by(Event.id)):
            complaint_id, count = event.complaint_id, count + 1
            event.prev_hash = previous
            event.hash = previous = seal(key, previous, event, event.reason_digest)
        session.execute(
            update(Complaint)
            .where(Complaint.id == complaint_id)
            .values(
                chain_length=count,
                chain_last_hash=previous,
                chain_head=head_seal(key, complaint_id, count, previous),
            )
        )


def test_an_untouched_history_verifies(app: App) -> None:
    history(app)
    verdict = verify(app=app)
    assert (verdict.complaints, verdict.events, verdict.breaks) == (1, 6, [])
    assert verdict.simulated  # the tests' clock, like the demo's


def test_an_edited_event_is_found(app: App) -> None:
    history(app)
    tamper(app, "UPDATE events SET actor = 'quelqu''un' WHERE action = 'record_analysis'")
    assert problems(app) == [
        "seal does not match: changed after it was recorded, or sealed without this key"
    ]


def test_a_changed_reason_is_found(app: App) -> None:
    history(app)
    tamper(app, "UPDATE events SET reason = 'rien' WHERE action = 'record_analysis'")
    assert problems(app) == ["reason changed after it was recorded"]


def test_an_erased_reason_needs_a_recorded_anonymisation(app: App) -> None:
    history(app)
    tamper(
        app,
        "UPDATE events SET reason = '', redacted_at = :at WHERE action = 'record_analysis'",
        at=T0,
    )
    assert problems(app) == ["reason erased without a recorded anonymisation"]


@pytest.mark.parametrize("position", ["first", "middle", "last"])
def test_a_removed_event_is_found_wherever_it_was(app: App, position: str) -> None:
    history(app)
    all_ids = ids(app)
    victim = {"first": all_ids[0], "middle": all_ids[3], "last": all_ids[-1]}[position]
    tamper(app, "DELETE FROM events WHERE id = :id", id=victim)
    found = problems(app)
    assert "1 event(s) missing: 5 found of the 6 recorded" in found
    if position != "last":  # the event after the gap no longer links to the one before it
        assert "chain broken: an event before it was removed, reordered or changed" in found


def test_a_reordered_pair_is_found(app: App) -> None:
    history(app)
    a, b = ids(app)[2:4]
    for old, new in ((a, -1), (b, a), (-1, b)):
        tamper(app, "UPDATE events SET id = :new WHERE id = :old", old=old, new=new)
    assert "chain broken: an event before it was removed, reordered or changed" in problems(app)


def test_a_chain_recomputed_without_the_key_is_found(app: App) -> None:
    history(app)
    tamper(app, "UPDATE events SET data = '{}' WHERE action = 'respond'")
    reseal(app, key=b"a guess, not the installation's key, 32 bytes+")
    found = problems(app)
    assert len(found) == 7  # every event, and the head
    assert "the history's head was rewritten (its seal does not match)" in found


def test_a_last_event_removed_with_its_head_moved_back_is_found(app: App) -> None:
    history(app)
    with app.db.transaction() as session:
        last, before = session.execute(
            select(Event.id, Event.hash).order_by(Event.id.desc()).limit(2)
        ).all()
        session.execute(text("DELETE FROM events WHERE id = :id"), {"id": last.id})
        session.execute(
            update(Complaint).values(
                chain_length=5, chain_last_hash=before.hash, chain_head="0" * 64
            )
        )
    assert problems(app) == ["the history's head was rewritten (its seal does not match)"]


def test_checkpoints_find_a_history_rewritten_with_the_key(app: App) -> None:
    history(app)
    mark = seal_checkpoint(app=app)
    assert mark is not None and mark.events == 6
    kept = export(app=app)["checkpoints"]
    assert verify_checkpoints(app=app, kept=kept) == []
    # Someone with the key and the database rewrites an answer and seals everything again.
    tamper(app, "UPDATE events SET data = '{}' WHERE action = 'respond'")
    reseal(app, key=app.db.seal_key or b"")
    assert problems(app) == []  # the seals alone cannot tell
    assert [b.problem for b in verify_checkpoints(app=app)] == ["events changed since it"]
    # ... and rewrites the checkpoint too: only the copy kept elsewhere still tells.
    from complaints.services import checkpoints

    tamper(app, "DELETE FROM checkpoints")
    checkpoints.seal_checkpoint(app=app)
    assert verify_checkpoints(app=app) == []
    assert [b.problem for b in verify_checkpoints(app=app, kept=kept)] == [
        "differs from the copy kept elsewhere"
    ]


def test_a_checkpoint_covers_only_what_is_new(app: App) -> None:
    history(app)
    assert seal_checkpoint(app=app) is not None
    assert seal_checkpoint(app=app) is None  # nothing new
    history(app)
    second = seal_checkpoint(app=app)
    assert second is not None and second.events == 12
    assert verify_checkpoints(app=app) == []


def test_another_key_is_refused(app: App) -> None:
    history(app)
    other = Settings(database_url=app.settings.database, seal_key="ab" * 32)  # type: ignore[arg-type]
    with pytest.raises(WrongKey, match="sealed with another key"):
        build_app(other)


def test_a_seal_covers_the_time_recorded(app: App) -> None:
    history(app)
    tamper(app, "UPDATE events SET recorded_at = :at WHERE action = 'respond'", at=T0)
    assert problems(app) == [
        "seal does not match: changed after it was recorded, or sealed without this key"
    ]


def test_chains_are_per_complaint(app: App) -> None:
    history(app)
    history(app)
    verdict = verify(app=app)
    assert (verdict.complaints, verdict.events, verdict.breaks) == (2, 12, [])


def test_the_columns_that_judge_a_promise_are_checked_against_the_sealed_history(app: App) -> None:
    """A breach cannot be turned into a promise kept by editing the complaint row."""
    history(app)
    assert problems(app) == []
    tamper(app, "UPDATE complaints SET promised_answer_by = :at", at=T0 + timedelta(days=40))
    assert problems(app) == ["changed outside the sealed history: promised_answer_by"]

"""The history is tamper-evident: `complaints verify` finds any change, removal or reordering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from complaints.app import App
from complaints.chain import verify
from complaints.services import automation, intake
from tests.conftest import intake as sample
from tests.factories import answer

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def history(app: App) -> str:
    reference = intake.receive(app=app, intake=sample(), at=T0).reference
    for step in (automation.acknowledge, automation.start_analysis):
        automation.run_step(app, step, [reference], T0)
    answer(app, reference, T0 + timedelta(days=2))
    return reference


def test_an_untouched_history_verifies(fake_app: App) -> None:
    reference = history(fake_app)
    checked, breaks = verify(app=fake_app, reference=reference)
    assert checked == 6 and breaks == []


def test_a_changed_reason_is_found(fake_app: App) -> None:
    history(fake_app)
    with fake_app.db.transaction() as session:
        session.execute(
            text("UPDATE events SET reason = 'rien à signaler' WHERE action = 'record_analysis'")
        )
    _, breaks = verify(app=fake_app)
    assert [b.problem for b in breaks] == ["reason changed after it was recorded"]


def test_a_changed_digest_breaks_the_seal(fake_app: App) -> None:
    history(fake_app)
    with fake_app.db.transaction() as session:
        session.execute(
            text(
                "UPDATE events SET reason = 'x', reason_digest = "
                "'2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881' "
                "WHERE action = 'record_analysis'"
            )
        )
    _, breaks = verify(app=fake_app)
    assert [b.problem for b in breaks] == ["content changed after it was recorded"]


def test_an_erased_reason_needs_a_recorded_anonymisation(fake_app: App) -> None:
    history(fake_app)
    with fake_app.db.transaction() as session:
        session.execute(
            text(
                "UPDATE events SET reason = '', redacted_at = '2026-11-22 10:00:00.000000' "
                "WHERE action = 'record_analysis'"
            )
        )
    _, breaks = verify(app=fake_app)
    assert [b.problem for b in breaks] == ["reason erased without a recorded anonymisation"]


def test_a_removed_event_breaks_the_chain(fake_app: App) -> None:
    history(fake_app)
    with fake_app.db.transaction() as session:
        session.execute(text("DELETE FROM events WHERE action = 'acknowledge'"))
    _, breaks = verify(app=fake_app)
    assert len(breaks) == 1 and breaks[0].problem.startswith("chain broken")


def test_chains_are_per_complaint(fake_app: App) -> None:
    history(fake_app)
    history(fake_app)
    checked, breaks = verify(app=fake_app)
    assert checked == 12 and breaks == []

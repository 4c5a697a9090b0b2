"""Promises kept and provable: the date told is the date enforced, it belongs to the complaint,
each promise has its own alert, the real clock cannot be moved back, and kept means delivered.
SQLite, and PostgreSQL when set, through the services the flows call."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from complaints import app as wiring
from complaints.app import App
from complaints.errors import Invalid, RuleViolation
from complaints.mail.sink import MailSink
from complaints.models import OutboxMessage
from complaints.reporting.promises import register
from complaints.reporting.sql import Scope
from complaints.services import automation, delivery, handling, intake, taking
from complaints.services.views import show
from tests.conftest import BACKENDS
from tests.conftest import intake as sample
from tests.factories import answer, end_of, outbox

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday 2 March 2026, 10:00 in Paris


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def step(app: App, reference: str, at: datetime, *steps: automation.Step_) -> list[str]:
    return [taking.run_step(app, s, [reference], at)[reference] for s in steps]


def text(message: OutboxMessage) -> str:
    return " ".join(message.text_body.split())


def test_the_date_told_is_the_date_enforced(app: App) -> None:
    """A letter about a fire: critical, so 5 days; the acknowledgement, the sweeps and the
    mediator's file all say 7 March, the date told."""
    letter = sample(channel="letter", description="Le radiateur a pris feu : incendie.")
    receipt = intake.receive(app=app, intake=letter, at=T0)
    reference = receipt.reference
    assert receipt.answer_by == end_of(date(2026, 3, 7))  # what the confirmation page shows
    step(app, reference, T0, automation.acknowledge, automation.start_analysis)
    asyncio.run(delivery.deliver(app=app, references=[reference], at=T0))
    [ack] = outbox(app, reference, "acknowledgement")
    assert "au plus tard le 7 mars 2026" in text(ack)
    assert show(app=app, reference=reference)["answer_by"] == end_of(date(2026, 3, 7)).isoformat()
    assert step(app, reference, end_of(date(2026, 3, 7)), automation.alert_overdue) == ["skipped"]
    assert step(app, reference, day(6), automation.alert_overdue) == ["manager_alerted"]
    [alert] = outbox(app, reference, "manager_alert")
    assert "au plus tard le 7 mars 2026" in text(alert)
    assert "transmise au médiateur le 13 mars 2026" in text(alert)
    assert step(app, reference, day(10.5), automation.refer_overdue) == ["skipped"]
    assert step(app, reference, day(11), automation.refer_overdue) == ["referred_to_mediator"]
    [case] = outbox(app, reference, "mediator_case")
    assert "réponse promise au plus tard le 7 mars 2026" in text(case)
    [told] = outbox(app, reference, "mediator_referral")
    assert "Nous n'avons pas pu vous répondre dans le délai que nous vous avions promis" in text(
        told
    )


def test_the_date_told_in_english_on_the_phone(app: App) -> None:
    call = sample(channel="phone", language="en", subject="Heater", description="It caught fire.")
    reference = intake.receive(app=app, intake=call, at=T0).reference
    step(app, reference, T0, automation.acknowledge, automation.start_analysis)
    [ack] = outbox(app, reference, "acknowledgement")
    assert "by 7 March 2026 at the latest" in text(ack)
    assert show(app=app, reference=reference)["answer_by"] == end_of(date(2026, 3, 7)).isoformat()


def test_a_promise_belongs_to_its_complaint_whatever_the_code_says_later(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = intake.receive(app=app, intake=sample(), at=T0).reference  # 15 calendar days
    changed = tmp_path / "conduct.toml"
    changed.write_text(
        '[answer]\ndays = 10\ncounting = "business"\n[escalation]\ngrace_days = 1\n', "utf-8"
    )
    monkeypatch.setenv("COMPLAINTS_CONFIG", str(changed))
    wiring.reset()
    later = wiring.get_app()
    step(later, before, T0, automation.acknowledge, automation.start_analysis)
    data = show(app=later, reference=before)
    assert data["answer_by"] == end_of(date(2026, 3, 17)).isoformat()  # as told, not 16 March
    assert data["refer_by"] == end_of(date(2026, 3, 22)).isoformat()  # its own 5 days of grace
    assert step(later, before, day(16), automation.alert_overdue) == ["manager_alerted"]
    assert step(later, before, day(17), automation.refer_overdue) == ["skipped"]
    after = intake.receive(app=later, intake=sample(), at=T0).reference
    assert show(app=later, reference=after)["answer_by"] == end_of(date(2026, 3, 16)).isoformat()


def test_each_promise_has_its_own_alert(app: App) -> None:
    reference = intake.receive(app=app, intake=sample(product="Électricité"), at=T0).reference
    late = T0 + timedelta(hours=2)  # acknowledged past its 60 minutes
    assert step(app, reference, late, automation.acknowledge) == ["acknowledged"]
    step(app, reference, late, automation.start_analysis)
    assert step(app, reference, day(16), automation.alert_overdue) == ["manager_alerted"]
    assert step(app, reference, day(17), automation.alert_overdue) == ["skipped"]  # once each
    alerts = [text(m) for m in outbox(app, reference, "manager_alert")]
    assert len(alerts) == 2
    assert "l'accusé de réception n'a pas été accepté" in alerts[0]
    assert "la réponse promise au client n'a pas été envoyée" in alerts[1]
    assert step(app, reference, day(21), automation.refer_overdue) == ["referred_to_mediator"]


def test_an_acknowledgement_stuck_in_the_outbox_is_alerted_once(app: App) -> None:
    reference = intake.receive(app=app, intake=sample(), at=T0).reference
    step(app, reference, T0, automation.acknowledge, automation.start_analysis)
    hour = T0 + timedelta(minutes=60)
    assert step(app, reference, hour, automation.alert_overdue) == ["skipped"]  # at, not after
    assert step(app, reference, hour + timedelta(minutes=1), automation.alert_overdue) == [
        "manager_alerted"
    ]
    assert step(app, reference, day(1), automation.alert_overdue) == ["skipped"]


def test_kept_means_accepted_by_the_mail_server(app: App, smtp: MailSink) -> None:
    reference = intake.receive(app=app, intake=sample(), at=T0).reference
    step(app, reference, T0, automation.acknowledge, automation.start_analysis)
    history = show(app=app, reference=reference)["history"]
    assert history[1]["reason"] == "acknowledgement written, its e-mail queued"

    def acknowledge_kept(now: datetime) -> tuple[int, int]:
        [ack] = [
            p
            for p in register(app=app, scope=Scope(T0, day(1)), now=now)
            if p["key"] == "acknowledge"
        ]
        return ack["due"], ack["kept"]

    assert acknowledge_kept(T0 + timedelta(minutes=30)) == (0, 0)  # not yet due
    assert acknowledge_kept(T0 + timedelta(hours=2)) == (1, 0)  # due, not delivered
    smtp.refuse_next(1)
    report = asyncio.run(delivery.deliver(app=app, references=[reference], at=T0))
    assert list(report.failed) == [reference] and acknowledge_kept(day(1)) == (1, 0)
    asyncio.run(delivery.deliver(app=app, references=[reference], at=T0 + timedelta(hours=3)))
    assert acknowledge_kept(day(1)) == (1, 0)  # delivered, but after the promised hour
    actions = [e["reason"] for e in show(app=app, reference=reference)["history"]]
    assert "acknowledgement e-mail accepted by the mail server" in actions
    in_time = intake.receive(app=app, intake=sample(), at=T0).reference
    step(app, in_time, T0, automation.acknowledge)
    asyncio.run(delivery.deliver(app=app, references=[in_time], at=T0 + timedelta(minutes=5)))
    assert acknowledge_kept(day(1)) == (2, 1)


def test_on_the_real_clock_a_step_is_never_dated_back_past_the_history_or_ahead(
    real_app: App,
) -> None:
    today = datetime.now(UTC)
    with pytest.raises(RuleViolation, match="recorded now"):
        intake.receive(app=real_app, intake=sample(), at=today - timedelta(days=3))
    letter = sample(channel="letter")
    received = (today - timedelta(days=20)).date()
    reference = intake.receive(app=real_app, intake=letter, received_on=received).reference
    # The flows may run as of a past moment (a backlog): the history says when they ran.
    step(real_app, reference, today - timedelta(days=19), automation.acknowledge)
    step(real_app, reference, today - timedelta(days=19), automation.start_analysis)
    with pytest.raises(Invalid, match="in the future"):
        answer(real_app, reference, today + timedelta(days=1))
    with pytest.raises(Invalid, match="last event"):
        answer(real_app, reference, today - timedelta(days=25))
    # Dated before the promised day (15 days after the letter), recorded today: late.
    answer(real_app, reference, today - timedelta(days=6))
    asyncio.run(delivery.deliver(app=real_app, references=[reference]))
    data = show(app=real_app, reference=reference)
    respond = next(e for e in data["history"] if e["action"] == "respond")
    assert respond["at"][:10] == (today - timedelta(days=6)).date().isoformat()
    assert respond["recorded_at"][:10] == today.date().isoformat()
    [promise] = [
        p
        for p in register(
            app=real_app, scope=Scope(today - timedelta(days=30), today + timedelta(1)), now=today
        )
        if p["key"] == "answer"
    ]
    assert (promise["due"], promise["kept"]) == (1, 0)
    cause = promise["breaches"][0]["cause"]
    assert cause["kind"] == "late" and cause["claimed"][:10] == respond["at"][:10]


def test_an_answer_cannot_be_dated_before_the_overdue_alert(app: App) -> None:
    reference = intake.receive(app=app, intake=sample(), at=T0).reference
    step(app, reference, T0, automation.acknowledge, automation.start_analysis)
    step(app, reference, day(16), automation.alert_overdue)
    with pytest.raises(Invalid, match="last event"):
        handling.record_analysis(
            app=app,
            reference=reference,
            by="Camille",
            root_cause="x",
            category="delivery",
            founded=False,
            at=day(14),
        )


def test_a_web_complaint_after_midnight_in_paris_counts_from_that_day(app: App) -> None:
    late = datetime(2026, 12, 24, 23, 30, tzinfo=UTC)  # 00:30 on 25 December in Paris
    receipt = intake.receive(app=app, intake=sample(), at=late)
    assert receipt.answer_by == end_of(date(2027, 1, 9))
    step(app, receipt.reference, late, automation.acknowledge)
    [ack] = outbox(app, receipt.reference, "acknowledgement")
    assert "réclamation du 25 décembre 2026" in text(ack) and "9 janvier 2027" in text(ack)


def test_every_step_names_a_known_active_member(app: App) -> None:
    from complaints.services import staff

    reference = intake.receive(app=app, intake=sample(), at=T0).reference
    step(app, reference, T0, automation.acknowledge, automation.start_analysis)
    for who in ("Mallory", " "):
        with pytest.raises(RuleViolation, match=r"staff member|who acts"):
            handling.escalate(app=app, reference=reference, by=who, reason="x", at=day(1))
    staff.revoke(app=app, name="Lea")
    with pytest.raises(RuleViolation, match="revoked or expired"):
        handling.escalate(app=app, reference=reference, by="Lea", reason="x", at=day(1))
    assert show(app=app, reference=reference)["state"] == "in_analysis"  # nothing written

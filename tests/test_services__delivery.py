"""The outbox against a real SMTP server: nothing lost, nothing sent twice."""

import asyncio
from datetime import UTC, datetime, timedelta

from complaints.app import App
from complaints.mail.sink import MailSink
from complaints.services import automation, delivery, taking
from complaints.services import intake as intake_service
from complaints.services.views import show
from tests.conftest import intake

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def acknowledged(app: App) -> str:
    reference = intake_service.receive(app=app, intake=intake(), at=T0).reference
    taking.run_step(app, automation.acknowledge, [reference], T0)
    return reference


def deliver(app: App, reference: str, at: datetime = T0) -> delivery.DeliveryReport:
    return asyncio.run(delivery.deliver(app=app, references=[reference], at=at))


def later(minutes: float) -> datetime:
    """Past every backoff of the first attempts."""
    return T0 + timedelta(minutes=minutes)


def test_crash_between_commit_and_send_sends_once_on_the_next_run(app: App, smtp: MailSink) -> None:
    reference = acknowledged(app)  # committed with its e-mail; the process "dies" here
    assert smtp.messages == []
    assert deliver(app, reference).sent == 1
    assert deliver(app, reference).sent == 0
    assert len(smtp.messages) == 1
    assert reference in smtp.messages[0]["Subject"]


def test_refused_twice_then_accepted_arrives_once_with_the_same_message_id(
    app: App, smtp: MailSink
) -> None:
    reference = acknowledged(app)
    smtp.refuse_next(2)
    assert list(deliver(app, reference).failed) == [reference]
    assert deliver(app, reference).sent == 0  # waits for its backoff, not tried again at once
    assert list(deliver(app, reference, later(1)).failed) == [reference]
    assert deliver(app, reference, later(4)).sent == 1
    assert len(smtp.messages) == 1
    data = show(app=app, reference=reference)
    assert data["emails"][0]["attempts"] == 3
    assert smtp.messages[0]["Message-ID"] == data["emails"][0]["message_id"]


def test_a_message_claimed_by_a_crashed_sender_is_sent_after_its_lease(
    app: App, smtp: MailSink
) -> None:
    from complaints import outbox_queries, repository

    reference = acknowledged(app)
    message_id = show(app=app, reference=reference)["emails"][0]
    with app.db.transaction() as session:
        pending = outbox_queries.pending_messages(
            session=session, complaint_ids=[repository.get(session=session, reference=reference).id]
        )
        now = datetime.now(UTC)
        claimed = outbox_queries.claim_messages(
            session=session,
            message_ids=[pending[0].id],
            until=now + timedelta(seconds=1),
            as_of=now,
        )
        assert claimed == [pending[0].id]
    assert deliver(app, reference).sent == 0  # another sender holds it
    with app.db.transaction() as session:  # the lease runs out
        pending[0].claimed_until = now - timedelta(seconds=1)
        session.merge(pending[0])
    assert deliver(app, reference).sent == 1
    assert smtp.messages[0]["Message-ID"] == message_id["message_id"]


def test_flagged_after_repeated_failures_and_unflagged_once_sent(app: App, smtp: MailSink) -> None:
    reference = acknowledged(app)
    smtp.refuse_next(delivery.FLAG_AFTER)
    for attempt in range(delivery.FLAG_AFTER):
        deliver(app, reference, later(60 * attempt))
    data = show(app=app, reference=reference)
    assert data["needs_attention"] is True
    assert "email_delayed" in [e["action"] for e in data["history"]]
    deliver(app, reference, later(60 * delivery.FLAG_AFTER))
    assert show(app=app, reference=reference)["needs_attention"] is False


def test_sweep_selects_pending_mail_only_after_its_backoff(app: App, smtp: MailSink) -> None:
    from complaints.services.selection import new_or_pending_mail

    reference = acknowledged(app)
    taking.run_step(app, automation.start_analysis, [reference], T0)
    smtp.refuse_next(1)
    deliver(app, reference)
    assert new_or_pending_mail(app=app, as_of=T0) == []
    assert new_or_pending_mail(app=app, as_of=T0 + timedelta(minutes=3)) == [reference]

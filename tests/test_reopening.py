"""A closed complaint reopened within the window (a new promise), later followed by a new
complaint linked to it; an open one withdrawn: its e-mails and its deadlines stop."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from complaints import repository
from complaints.app import App
from complaints.errors import IllegalTransition, Invalid, NotFound, RuleViolation
from complaints.lifecycle import State
from complaints.models import Complaint, OutboxMessage, RelatedComplaint
from complaints.reporting.figures import overview
from complaints.reporting.report import build, to_html
from complaints.reporting.sql import Scope
from complaints.services import (
    automation,
    delivery,
    feedback,
    information,
    integrity,
    reopening,
    taking,
)
from complaints.services import intake as intake_service
from complaints.services.views import show
from tests.conftest import BACKENDS, intake
from tests.factories import answer, end_of, outbox

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LAST_DAY = end_of(date(2026, 4, 11))  # closed on 12 March: 30 days to reopen it


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def in_analysis(app: App, **overrides: str) -> str:
    reference = intake_service.receive(app=app, intake=intake(**overrides), at=T0).reference
    taking.run_step(app, automation.acknowledge, [reference], T0)
    taking.run_step(app, automation.start_analysis, [reference], T0)
    return reference


def closed(app: App, **overrides: str) -> str:
    """Answered on 4 March, the customer satisfied on 12 March: closed."""
    reference = in_analysis(app, **overrides)
    answer(app, reference, day(2))
    feedback.record_feedback(app=app, reference=reference, satisfied=True, at=day(10))
    return reference


def loaded(app: App, reference: str) -> Complaint:
    with app.db.reader() as session:
        return repository.get(session=session, reference=reference)


def said(app: App, reference: str, kind: str) -> str:
    message = outbox(app, reference, kind)[-1]
    return f"{message.subject}\n{message.text_body}"


def test_reopened_within_the_window_with_a_new_promise(app: App) -> None:
    reference = closed(app)
    taken = reopening.reopen(
        app=app, reference=reference, by="Camille", reason="Toujours rien reçu", at=day(20)
    )
    assert (taken.state, taken.created) == ("in_analysis", None)
    data = show(app=app, reference=reference)
    assert data["answer_by"] == end_of(date(2026, 4, 6)).isoformat()  # 22 March + 15 days
    assert data["refer_by"] == end_of(date(2026, 4, 11)).isoformat()
    assert data["promised_answer_by"] == end_of(date(2026, 3, 17)).isoformat()  # judged as told
    assert (data["reopened"], data["escalation_level"], data["closure_reason"]) == (1, 0, None)
    assert data["answered_at"] is None and data["closed_at"] is None
    assert loaded(app, reference).wake_at == end_of(date(2026, 4, 6))
    assert "6 avril 2026" in said(app, reference, "reopened")
    assert "À votre demande" not in said(app, reference, "reopened")  # the staff reopened it
    assert "au médiateur" in said(app, reference, "reopened")
    first_survey = loaded_survey_tokens(app, reference)
    answer(app, reference, day(25))
    taking.run_step(app, automation.send_survey, [reference], day(32))
    assert loaded(app, reference).state == State.AWAITING_FEEDBACK  # a survey of its own
    assert len(loaded_survey_tokens(app, reference) - first_survey) == 1
    assert integrity.verify(app=app).breaks == []


def loaded_survey_tokens(app: App, reference: str) -> set[str]:
    from complaints.models import Survey

    with app.db.reader() as session:
        complaint = repository.get(session=session, reference=reference)
        return set(session.scalars(select(Survey.token).where(Survey.complaint_id == complaint.id)))


def test_the_window_ends_with_its_last_day(fake_app: App) -> None:
    inside, outside = closed(fake_app), closed(fake_app)
    token = loaded(fake_app, inside).tracking_token
    taken = reopening.reopen_by_token(app=fake_app, token=token, reason="Encore", at=LAST_DAY)
    assert taken.created is None and taken.state == "in_analysis"
    assert "À votre demande" in said(fake_app, inside, "reopened")
    late = LAST_DAY + timedelta(microseconds=1)
    token = loaded(fake_app, outside).tracking_token
    taken = reopening.reopen_by_token(app=fake_app, token=token, reason="Encore", at=late)
    assert taken.state == "closed" and taken.created is not None


def test_later_a_new_complaint_follows_it(app: App) -> None:
    old = closed(app, language="en", channel="letter", region="Occitanie")
    taken = reopening.reopen(
        app=app, reference=old, by="Camille", reason="The parcel is broken.", at=day(45)
    )
    assert taken.state == "closed" and taken.created
    new = show(app=app, reference=taken.created)
    assert new["state"] == "received" and new["subject"] == f"Follow-up of {old}"
    assert new["description"] == "The parcel is broken."
    before, after = loaded(app, old), loaded(app, taken.created)
    for field in ("product", "region", "customer_type", "language", "channel"):
        assert getattr(after, field) == getattr(before, field), field
    assert after.complainant.email == before.complainant.email
    with app.db.reader() as session:
        links = session.execute(
            select(RelatedComplaint.complaint_id, RelatedComplaint.related_id).where(
                RelatedComplaint.reason == "reopened"
            )
        ).all()
    assert sorted(links) == sorted([(before.id, after.id), (after.id, before.id)])
    [follow_up] = [e for e in show(app=app, reference=old)["history"] if e["action"] == "follow_up"]
    assert follow_up["data"] == {"created": taken.created}
    step = taking.run_step(app, automation.acknowledge, [taken.created], day(45))
    assert step == {taken.created: "acknowledged"}
    assert integrity.verify(app=app).breaks == []


def test_a_merged_complaint_is_not_reopened(fake_app: App) -> None:
    primary, duplicate = in_analysis(fake_app), closed(fake_app)
    with fake_app.db.transaction() as session:
        primary_id = repository.get(session=session, reference=primary).id
        session.execute(
            update(Complaint)
            .where(Complaint.reference == duplicate)
            .values(merged_into_id=primary_id)
        )
    with pytest.raises(RuleViolation) as refused:
        reopening.reopen(app=fake_app, reference=duplicate, by="Camille", reason="x", at=day(11))
    assert refused.value.status == 409 and "merged" in str(refused.value)
    assert loaded(fake_app, duplicate).state == State.CLOSED


def test_withdrawal_cancels_pending_emails_and_every_deadline(fake_app: App) -> None:
    reference = in_analysis(fake_app)  # its acknowledgement not yet accepted by the mail server
    token = loaded(fake_app, reference).tracking_token
    assert reopening.withdraw_by_token(app=fake_app, token=token, at=day(1)) == "closed"
    complaint = loaded(fake_app, reference)
    assert complaint.closure_reason == "withdrawn" and complaint.wake_at is None
    assert [m.status for m in outbox(fake_app, reference, "acknowledgement")] == ["cancelled"]
    assert [m.status for m in outbox(fake_app, reference, "closure")] == ["pending"]
    closure = said(fake_app, reference, "closure")
    assert "Vous avez retiré votre réclamation" in closure and "/suivi/" in closure
    assert "médiateur" not in closure and "2 avril 2026" in closure  # 30 days to change one's mind
    with pytest.raises(IllegalTransition) as refused:  # a second time: it is closed
        reopening.withdraw_by_token(app=fake_app, token=token, at=day(2))
    assert refused.value.status == 409
    asyncio.run(delivery.deliver(app=fake_app, references=[reference], at=day(2)))
    with fake_app.db.reader() as session:
        statuses = session.execute(
            select(OutboxMessage.kind, OutboxMessage.status).order_by(OutboxMessage.id)
        ).all()
    assert statuses == [("acknowledgement", "cancelled"), ("closure", "sent")]


def test_withdrawal_while_paused_moves_the_deadlines(fake_app: App) -> None:
    reference = in_analysis(fake_app)
    information.request_information(
        app=fake_app, reference=reference, by="Camille", what="Une photo", at=day(3)
    )
    reopening.withdraw(
        app=fake_app, reference=reference, by="Alice", reason="Au téléphone", at=day(8)
    )
    complaint = loaded(fake_app, reference)
    assert complaint.paused_days == 5 and complaint.paused_at is None
    assert complaint.answer_by == end_of(date(2026, 3, 22)) and complaint.resume_state is None
    assert complaint.info_due_by is None and complaint.info_remind_at is None
    assert integrity.verify(app=fake_app).breaks == []


def test_refusals_change_nothing(fake_app: App) -> None:
    reference = in_analysis(fake_app)
    with pytest.raises(IllegalTransition):  # open: nothing to reopen
        reopening.reopen(app=fake_app, reference=reference, by="Camille", reason="x", at=day(1))
    with pytest.raises(Invalid):
        reopening.withdraw(app=fake_app, reference=reference, by="Camille", reason=" ", at=day(1))
    with pytest.raises(NotFound):
        reopening.withdraw_by_token(app=fake_app, token="A" * 32, at=day(1))
    with pytest.raises(Invalid):
        reopening.reopen_by_token(app=fake_app, token="A" * 32, reason="", at=day(1))
    assert loaded(fake_app, reference).state == State.IN_ANALYSIS
    assert show(app=fake_app, reference=reference)["reopened"] == 0


def test_the_reopened_rate_has_one_definition(fake_app: App) -> None:
    first, second = closed(fake_app), closed(fake_app)
    scope, now = Scope(since=T0, until=day(1)), day(40)
    assert overview(app=fake_app, scope=scope, now=now)["reopened_rate"] == 0.0
    reopening.reopen(app=fake_app, reference=first, by="Camille", reason="Encore", at=day(20))
    figures = overview(app=fake_app, scope=scope, now=now)
    assert figures["reopened_rate"] == 0.5  # one of the two closed; not a review
    assert show(app=fake_app, reference=second)["reopened"] == 0
    report = build(app=fake_app, scope=scope, now=now)
    assert "Réclamations rouvertes après clôture" in to_html(fake_app, report, lang="fr")
    assert "part des réclamations clôturées puis rouvertes" in to_html(fake_app, report, lang="fr")
    assert "Complaints reopened after closure" in to_html(fake_app, report, lang="en")


def test_the_staff_api_takes_the_steps_and_refuses_with_their_status(fake_app: App) -> None:
    from fastapi.testclient import TestClient

    from complaints.api.web import create_web_app
    from complaints.services import staff

    agent = {"Authorization": f"Bearer {staff.add(app=fake_app, name='Zoé', role='agent')}"}
    now = datetime.now(UTC)
    reference = intake_service.receive(app=fake_app, intake=intake(), at=now).reference
    taking.run_step(fake_app, automation.acknowledge, [reference], now)
    taking.run_step(fake_app, automation.start_analysis, [reference], now)
    url = f"/api/staff/complaints/{reference}"
    with TestClient(create_web_app(fake_app)) as client:
        asked = client.post(f"{url}/information", headers=agent, json={"what": "Une photo"})
        assert asked.json()["state"] == "awaiting_information"
        got = client.post(f"{url}/information-received", headers=agent, json={"summary": "Reçue"})
        assert got.json()["state"] == "in_analysis"
        withdrawn = client.post(f"{url}/withdraw", headers=agent, json={"reason": "Au téléphone"})
        assert withdrawn.json()["state"] == "closed"
        again = client.post(f"{url}/withdraw", headers=agent, json={"reason": "Au téléphone"})
        assert again.status_code == 409
        reopened = client.post(f"{url}/reopen", headers=agent, json={"reason": "Rappel du client"})
        assert reopened.status_code == 200 and reopened.json()["state"] == "in_analysis"
        empty = client.post(f"{url}/reopen", headers=agent, json={"reason": ""})
        assert empty.status_code == 422

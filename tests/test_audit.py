"""The ISO 10002 audit can fail: each status comes from the data against the code of conduct's
thresholds, and a test shows each one both ways."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from complaints.app import App
from complaints.reporting.improvement import actions, complete
from complaints.reporting.report import build
from complaints.reporting.sql import Scope
from complaints.services import automation, delivery, intake, taking
from complaints.services.history import Actor, record
from tests.conftest import BACKENDS
from tests.conftest import intake as sample
from tests.factories import answer


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=40)


def handled(app: App, channel: str, *, ack_hours: float, answer_day: float | None) -> str:
    reference = intake.receive(app=app, intake=sample(channel=channel), at=T0).reference
    at = T0 + timedelta(hours=ack_hours)
    for step in (automation.acknowledge, automation.start_analysis):
        taking.run_step(app, step, [reference], at)
    asyncio.run(delivery.deliver(app=app, references=[reference], at=at))
    if answer_day is not None:
        answered = T0 + timedelta(days=answer_day)
        answer(app, reference, answered)
        asyncio.run(delivery.deliver(app=app, references=[reference], at=answered))
        for action in actions(app=app, today=answered.date()):
            if action["reference"] == reference:
                complete(app=app, action_id=action["id"], by="Camille", at=answered)
        taking.run_step(app, automation.send_survey, [reference], answered + timedelta(days=8))
        asyncio.run(
            delivery.deliver(app=app, references=[reference], at=answered + timedelta(days=8))
        )
    return reference


def statuses(app: App) -> dict[str, dict[str, Any]]:
    report = build(app=app, scope=Scope(since=T0, until=NOW), now=NOW)
    return {part: {i["key"]: i["status"] for i in items} for part, items in report["audit"].items()}


def test_a_year_of_promises_kept_is_evidenced(app: App) -> None:
    handled(app, "web", ack_hours=0.1, answer_day=5)
    handled(app, "letter", ack_hours=0.2, answer_day=6)
    found = statuses(app)
    assert found["principles"] == {
        "visibility": "evidenced",
        "accessibility": "evidenced",
        "responsiveness": "evidenced",
        "objectivity": "evidenced",
        "charges": "declared",
        "confidentiality": "no_data",  # no referral without consent to judge
        "customer_focus": "evidenced",
        "accountability": "evidenced",
        "improvement": "evidenced",
    }
    charter = found["charter"]
    assert charter["listen"] == charter["fair_fast"] == charter["law"] == "evidenced"
    assert charter["neutrality"] == "not_recorded" and charter["competence"] == "partial"


def test_promises_broken_are_not_met(app: App) -> None:
    late = _id(app, handled(app, "web", ack_hours=3, answer_day=None))  # 3 h late
    with app.db.transaction() as session:  # a step written by hand, by nobody known
        someone = Actor("staff", "quelqu'un")
        record(session, late, at=T0 + timedelta(days=1), actor=someone, action="assign")
    found = statuses(app)
    assert found["principles"]["responsiveness"] == "not_met"  # 0 % on time, both promises
    assert found["principles"]["accessibility"] == "not_met"  # one channel of the two asked
    assert found["principles"]["accountability"] == "not_met"
    assert found["principles"]["objectivity"] == "no_data"  # nothing answered yet
    assert found["charter"]["listen"] == "not_met"
    assert found["charter"]["law"] == "not_met"  # the written complaint went unanswered


def test_an_empty_period_proves_nothing(app: App) -> None:
    found = statuses(app)
    assert found["principles"]["visibility"] == "no_data"
    assert found["principles"]["responsiveness"] == "no_data"
    assert found["principles"]["charges"] == "declared"  # a statement, never "evidenced"


def test_a_referral_without_consent_must_withhold(app: App) -> None:
    from complaints.services import handling

    reference = handled(app, "web", ack_hours=0.1, answer_day=None)
    with app.db.transaction() as session:
        session.execute(_consent_off(reference))
    handling.escalate(app=app, reference=reference, by="Luc", reason="x", at=T0 + timedelta(days=2))
    assert statuses(app)["principles"]["confidentiality"] == "evidenced"
    with app.db.transaction() as session:  # as if the file had gone out whole
        session.execute(_withheld_nothing(reference))
    assert statuses(app)["principles"]["confidentiality"] == "not_met"


def _id(app: App, reference: str) -> int:
    from complaints import repository

    with app.db.reader() as session:
        return repository.get(session=session, reference=reference).id


def _consent_off(reference: str) -> Any:
    from sqlalchemy import update

    from complaints.models import Complaint

    return update(Complaint).where(Complaint.reference == reference).values(consent_share=False)


def _withheld_nothing(reference: str) -> Any:
    from sqlalchemy import select, update

    from complaints.models import Complaint, Event

    ids = select(Complaint.id).where(Complaint.reference == reference)
    return (
        update(Event)
        .where(Event.complaint_id.in_(ids), Event.action == "refer_to_mediator")
        .values(data={"withheld": []})
    )

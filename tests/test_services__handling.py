"""Staff steps and the customer's feedback, against SQLite; refusals change nothing."""

from datetime import UTC, date, datetime, timedelta

import pytest

from complaints.app import App
from complaints.errors import AlreadyAnswered, NotListed, RuleViolation
from complaints.lifecycle import IllegalTransition
from complaints.models import Decision
from complaints.services import automation, feedback, handling, taking
from complaints.services import intake as intake_service
from complaints.services.views import show
from tests.conftest import intake
from tests.factories import answer, end_of

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def in_analysis(app: App, **overrides: str) -> str:
    reference = intake_service.receive(app=app, intake=intake(**overrides), at=T0).reference
    taking.run_step(app, automation.acknowledge, [reference], T0)
    taking.run_step(app, automation.start_analysis, [reference], T0)
    return reference


def answered(app: App, founded: bool = True) -> str:
    reference = in_analysis(app)
    answer(app, reference, day(2), founded=founded)
    return reference


def history(app: App, reference: str) -> list[str]:
    return [event["action"] for event in show(app=app, reference=reference)["history"]]


def test_triage_links_recurring_complaints(fake_app: App) -> None:
    first = in_analysis(fake_app)
    second = in_analysis(fake_app)
    assert show(app=fake_app, reference=second)["related"] == [first]
    assert show(app=fake_app, reference=first)["category"] == "delivery"


def test_critical_complaint_gets_a_shorter_promise(fake_app: App) -> None:
    reference = in_analysis(fake_app, description="Le radiateur a pris feu, brûlure à la main.")
    data = show(app=fake_app, reference=reference)
    assert data["severity"] == "critical"
    assert data["answer_by"] == end_of(date(2026, 3, 7)).isoformat()


def test_founded_complaint_needs_an_action_before_the_answer(fake_app: App) -> None:
    reference = in_analysis(fake_app)
    handling.record_analysis(
        app=fake_app,
        reference=reference,
        by="Alice",
        root_cause="Erreur",
        category="delivery",
        founded=True,
        at=day(1),
    )
    before = history(fake_app, reference)
    with pytest.raises(RuleViolation, match="plan at least one action"):
        handling.respond(
            app=fake_app,
            reference=reference,
            by="Alice",
            decision=Decision.ACCEPTED,
            message="OK",
            at=day(2),
        )
    assert history(fake_app, reference) == before


def test_answering_a_closed_complaint_is_refused_and_changes_nothing(fake_app: App) -> None:
    reference = answered(fake_app)
    feedback.record_feedback(app=fake_app, reference=reference, satisfied=True, at=day(3))
    before = show(app=fake_app, reference=reference)
    with pytest.raises(IllegalTransition, match="it is closed"):
        handling.respond(
            app=fake_app,
            reference=reference,
            by="Alice",
            decision=Decision.REJECTED,
            message="Non",
            at=day(4),
        )
    assert show(app=fake_app, reference=reference) == before


def test_feedback_before_the_answer_is_refused(fake_app: App) -> None:
    reference = in_analysis(fake_app)
    with pytest.raises(IllegalTransition, match="it is in_analysis"):
        feedback.record_feedback(app=fake_app, reference=reference, satisfied=True, at=day(1))


def test_a_second_answer_to_the_same_survey_changes_nothing(fake_app: App) -> None:
    reference = answered(fake_app)
    taking.run_step(fake_app, automation.send_survey, [reference], day(9))
    feedback.record_feedback(app=fake_app, reference=reference, satisfied=False, at=day(10))
    assert show(app=fake_app, reference=reference)["state"] == "in_analysis"
    answer(fake_app, reference, day(12), by="Bob")
    feedback.record_feedback(app=fake_app, reference=reference, satisfied=True, at=day(13))
    with pytest.raises(IllegalTransition):
        feedback.record_feedback(app=fake_app, reference=reference, satisfied=False, at=day(14))


def test_dissatisfied_twice_goes_to_the_mediator(fake_app: App) -> None:
    reference = answered(fake_app)
    feedback.record_feedback(app=fake_app, reference=reference, satisfied=False, at=day(3))
    data = show(app=fake_app, reference=reference)
    assert (data["state"], data["reviews_done"]) == ("in_analysis", 1)
    assert data["answer_by"] == end_of(date(2026, 3, 20)).isoformat()
    answer(fake_app, reference, day(5), founded=False, by="Bob")
    feedback.record_feedback(app=fake_app, reference=reference, satisfied=False, at=day(6))
    data = show(app=fake_app, reference=reference)
    assert (data["state"], data["mediator"]) == ("with_mediator", "conso")
    kinds = [mail["kind"] for mail in data["emails"]]
    assert kinds.count("mediator_case") == kinds.count("mediator_referral") == 1
    with pytest.raises(RuleViolation, match="record the mediator's outcome first"):
        handling.close(app=fake_app, reference=reference, by="Luc", reason="fin", at=day(20))
    handling.record_mediation_outcome(
        app=fake_app, reference=reference, by="Luc", outcome="Avoir", at=day(30)
    )
    assert (
        handling.close(app=fake_app, reference=reference, by="Luc", reason="fin", at=day(30))
        == "closed"
    )


def test_every_staff_step_has_an_owner(fake_app: App) -> None:
    reference = in_analysis(fake_app)
    with pytest.raises(RuleViolation, match="every step has an owner"):
        handling.record_analysis(
            app=fake_app,
            reference=reference,
            by=" ",
            root_cause="x",
            category="delivery",
            founded=True,
        )


def test_unknown_category_is_refused(fake_app: App) -> None:
    reference = in_analysis(fake_app)
    with pytest.raises(NotListed, match="category: 'weather' is not one of"):
        handling.record_analysis(
            app=fake_app,
            reference=reference,
            by="A",
            root_cause="x",
            category="weather",
            founded=True,
        )


def test_acknowledge_twice_does_nothing_the_second_time(fake_app: App) -> None:
    reference = intake_service.receive(app=fake_app, intake=intake(), at=T0).reference
    assert taking.run_step(fake_app, automation.acknowledge, [reference], T0) == {
        reference: "acknowledged"
    }
    assert taking.run_step(fake_app, automation.acknowledge, [reference], T0) == {
        reference: "skipped"
    }
    assert [m["kind"] for m in show(app=fake_app, reference=reference)["emails"]] == [
        "acknowledgement"
    ]


def test_rule_violation_is_already_answered_subclass() -> None:
    assert issubclass(AlreadyAnswered, RuleViolation)

"""Information asked of the customer: the answer's clock pauses, every deadline moves by the
days it stood still in the promise's own counting, a reminder, then a closure for want of it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from complaints import lifecycle, policy, repository
from complaints.app import App, build_app
from complaints.errors import Forbidden, IllegalTransition, Invalid, NotFound
from complaints.lifecycle import State, Step
from complaints.mail.sender import MemorySender
from complaints.models import Complaint
from complaints.reporting.promises import register
from complaints.reporting.report import build, to_html
from complaints.reporting.sql import Scope
from complaints.services import automation, delivery, information, integrity, messages, taking
from complaints.services import intake as intake_service
from complaints.services.history import SYSTEM, Actor, check
from complaints.services.views import show
from complaints.settings import Settings
from tests.conftest import BACKENDS, intake, simulated
from tests.factories import answer, end_of, outbox

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
WHAT = {"fr": "Une photo du colis abîmé.", "en": "A photo of the damaged parcel."}


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def business_app(tmp_path: Path) -> Iterator[App]:
    """Promises counted in business days (France's public holidays skipped)."""
    config = tmp_path / "conduct.toml"
    config.write_text('[answer]\ncounting = "business"\n', "utf-8")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'business.db'}", config=config)
    built = simulated(build_app(settings, MemorySender()))
    yield built
    built.db.dispose()


def day(n: float, start: datetime = T0) -> datetime:
    return start + timedelta(days=n)


def in_analysis(app: App, at: datetime = T0, **overrides: str) -> str:
    reference = intake_service.receive(app=app, intake=intake(**overrides), at=at).reference
    taking.run_step(app, automation.acknowledge, [reference], at)
    taking.run_step(app, automation.start_analysis, [reference], at)
    return reference


def ask(app: App, reference: str, at: datetime, lang: str = "fr") -> None:
    information.request_information(
        app=app, reference=reference, by="Camille", what=WHAT[lang], at=at
    )


def loaded(app: App, reference: str) -> Complaint:
    with app.db.reader() as session:
        return repository.get(session=session, reference=reference)


def sweep(app: App, reference: str, at: datetime, *steps: automation.Step_) -> list[str]:
    return [taking.run_step(app, step, [reference], at)[reference] for step in steps]


def text(app: App, reference: str, kind: str) -> str:
    message = outbox(app, reference, kind)[-1]
    return f"{message.subject}\n{message.text_body}\n{message.html_body}"


def test_a_pause_moves_every_deadline_by_the_days_it_lasted(app: App) -> None:
    reference = in_analysis(app)
    before = show(app=app, reference=reference)
    assert before["answer_by"] == end_of(date(2026, 3, 17)).isoformat()
    ask(app, reference, day(3))  # Thursday 5 March
    paused = loaded(app, reference)
    assert paused.state == State.AWAITING_INFORMATION and paused.paused_at == day(3)
    assert paused.info_due_by == end_of(date(2026, 3, 20))  # 15 calendar days
    assert paused.wake_at == paused.info_remind_at == day(10)  # the reminder first
    assert not lifecycle.overdue(paused, day(20))  # the answer's clock stands still
    information.receive_information(
        app=app, reference=reference, by="Camille", summary="Photo reçue par courrier", at=day(8)
    )
    after = show(app=app, reference=reference)  # Tuesday 10 March: 5 days paused
    assert after["state"] == "in_analysis" and after["paused_days"] == 5
    assert (
        after["answer_by"] == after["promised_answer_by"] == end_of(date(2026, 3, 22)).isoformat()
    )
    assert after["refer_by"] == end_of(date(2026, 3, 27)).isoformat()
    assert after["info_due_by"] is None and loaded(app, reference).paused_at is None
    assert loaded(app, reference).wake_at == end_of(date(2026, 3, 22))
    untouched = in_analysis(app)  # without a pause, nothing moves
    assert show(app=app, reference=untouched)["answer_by"] == before["answer_by"]


def test_business_days_paused_skip_the_weekend(business_app: App) -> None:
    reference = in_analysis(business_app)
    assert show(app=business_app, reference=reference)["answer_by"] == (
        end_of(date(2026, 3, 23)).isoformat()  # 15 business days from Monday 2 March
    )
    ask(business_app, reference, day(3))  # Thursday
    information.receive_information(
        app=business_app, reference=reference, by="Camille", summary="Reçu", at=day(8)
    )  # Tuesday: Friday, Monday, Tuesday count; the weekend does not
    after = show(app=business_app, reference=reference)
    assert after["paused_days"] == 3
    assert after["answer_by"] == end_of(date(2026, 3, 26)).isoformat()
    assert after["refer_by"] == end_of(date(2026, 4, 2)).isoformat()  # mediator on Friday 3 April


def test_business_days_paused_skip_a_public_holiday(business_app: App) -> None:
    terms = business_app.conduct.terms()
    thursday, tuesday = day(31, T0), day(36, T0)  # 2 and 7 April 2026; Easter Monday the 6th
    assert policy.paused_days(terms, thursday, tuesday) == 2  # Friday and Tuesday only
    calendar = business_app.conduct.model_copy(
        update={"answer": terms.answer.model_copy(update={"counting": "calendar"})}
    )
    assert policy.paused_days(calendar.terms(), thursday, tuesday) == 5
    due = end_of(date(2026, 4, 3))  # a Friday
    assert policy.postponed(terms, due, 1) == end_of(
        date(2026, 4, 7)
    )  # over the weekend and Easter


def test_the_register_excludes_the_days_paused(app: App) -> None:
    paused, plain = in_analysis(app), in_analysis(app)
    ask(app, paused, day(3))
    information.receive_information(
        app=app, reference=paused, by="Camille", summary="Reçu", at=day(8)
    )
    for reference in (paused, plain):  # both answered 3 days after the first date promised
        answer(app, reference, day(18))
        asyncio.run(delivery.deliver(app=app, references=[reference], at=day(18)))
    scope, now = Scope(since=T0, until=day(1)), day(40)
    [kept] = [p for p in register(app=app, scope=scope, now=now) if p["key"] == "answer"]
    assert (kept["due"], kept["kept"]) == (2, 1)  # the paused one on time, the other late
    assert [b["reference"] for b in kept["breaches"]] == [plain]
    assert kept["paused"] == {"complaints": 1, "days": 5}
    report = build(app=app, scope=scope, now=now)
    assert "1 réclamation de la période concernée, 5 jours exclus" in to_html(
        app, report, lang="fr"
    )
    assert "1 complaint of the period concerned, 5 days excluded" in to_html(app, report, lang="en")


def test_an_answer_is_not_due_while_its_clock_stands_still(fake_app: App) -> None:
    reference = in_analysis(fake_app)
    ask(fake_app, reference, day(3))
    scope = Scope(since=T0, until=day(1))
    [owed] = [p for p in register(app=fake_app, scope=scope, now=day(17)) if p["key"] == "answer"]
    assert owed["due"] == 0  # past the first date, but paused before it
    information.receive_information(
        app=fake_app, reference=reference, by="Camille", summary="Reçu", at=day(16)
    )  # 13 days paused: due by 30 March now
    [late] = [p for p in register(app=fake_app, scope=scope, now=day(29)) if p["key"] == "answer"]
    assert (late["due"], late["kept"]) == (1, 0)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_reminded_once_then_closed_for_want_of_information(fake_app: App, lang: str) -> None:
    reference = in_analysis(fake_app, language=lang)
    ask(fake_app, reference, day(3), lang)
    assert sweep(fake_app, reference, day(9.9), information.remind) == ["skipped"]  # not yet
    assert sweep(fake_app, reference, day(10), information.remind) == ["reminded"]
    assert sweep(fake_app, reference, day(11), information.remind) == ["skipped"]  # once
    assert loaded(fake_app, reference).wake_at == end_of(date(2026, 3, 20))
    early = sweep(
        fake_app, reference, end_of(date(2026, 3, 20)), information.close_without_information
    )
    assert early == ["skipped"]  # the day given is the customer's until its end
    closing = day(19)  # Saturday 21 March
    assert sweep(fake_app, reference, closing, information.close_without_information) == ["closed"]
    closed = loaded(fake_app, reference)
    assert closed.state == State.CLOSED and closed.closure_reason == "no_information"
    assert closed.wake_at is None and closed.info_due_by is None and closed.paused_days == 16
    assert closed.answer_by == end_of(date(2026, 4, 2))  # 17 March + the 16 days paused
    date_given = {"fr": "20 mars 2026", "en": "20 March 2026"}[lang]
    for kind in ("information_request", "information_reminder", "closure"):
        said = text(fake_app, reference, kind)
        assert WHAT[lang] in said and "/suivi/" in said, kind
    for kind in ("information_request", "information_reminder"):
        assert date_given in text(fake_app, reference, kind), kind
    reopen_until = {"fr": "20 avril 2026", "en": "20 April 2026"}[lang]
    assert reopen_until in text(fake_app, reference, "closure")  # 30 days to send it still
    english = ("the", "your", "complaint", "information")
    french = ("votre", "réclamation", "nous", "informations")
    foreign = english if lang == "fr" else french
    for kind in ("information_request", "information_reminder", "closure"):
        words = text(fake_app, reference, kind).lower().split()
        assert not [w for w in foreign if w in words], (kind, lang)


def test_no_reminder_once_the_date_given_has_passed(fake_app: App) -> None:
    reference = in_analysis(fake_app)
    ask(fake_app, reference, day(3))
    assert sweep(fake_app, reference, day(25), information.remind) == ["skipped"]
    assert outbox(fake_app, reference, "information_reminder") == []


def test_the_customer_answers_with_the_tracking_link(fake_app: App) -> None:
    reference = in_analysis(fake_app)
    ask(fake_app, reference, day(3))
    token = loaded(fake_app, reference).tracking_token
    with pytest.raises(Invalid):
        messages.receive_by_token(app=fake_app, token=token, text="  ", at=day(4))
    with pytest.raises(NotFound):
        messages.receive_by_token(app=fake_app, token="A" * 32, text="Voici", at=day(4))
    assert loaded(fake_app, reference).state == State.AWAITING_INFORMATION  # nothing changed
    received = messages.receive_by_token(
        app=fake_app, token=token, text="Voici la photo", at=day(4)
    )
    assert (received.did, received.reference) == ("information", reference)
    assert loaded(fake_app, reference).state == State.IN_ANALYSIS
    [event] = [
        e
        for e in show(app=fake_app, reference=reference)["history"]
        if e["action"] == Step.RECEIVE_INFORMATION
    ]
    assert event["reason"] == "Voici la photo" and event["actor"] == "customer:complainant"


def test_refusals_change_nothing(fake_app: App) -> None:
    reference = in_analysis(fake_app)
    with pytest.raises(IllegalTransition):  # nothing was asked
        information.receive_information(
            app=fake_app, reference=reference, by="Camille", summary="Reçu", at=day(1)
        )
    with pytest.raises(Invalid):
        information.request_information(
            app=fake_app, reference=reference, by="Camille", what=" ", at=day(1)
        )
    ask(fake_app, reference, day(2))
    with pytest.raises(IllegalTransition):  # asked already: awaiting it
        ask(fake_app, reference, day(3))
    complaint = loaded(fake_app, reference)
    with pytest.raises(Forbidden):  # an agent does not close for want of information
        check(
            complaint,
            Step.CLOSE_WITHOUT_INFORMATION,
            Actor("staff", "A", lifecycle.Role.AGENT),
        )
    check(complaint, Step.CLOSE_WITHOUT_INFORMATION, SYSTEM)  # the system does
    assert complaint.info_due_by == end_of(date(2026, 3, 19))
    assert len(outbox(fake_app, reference, "information_request")) == 1


def test_the_history_stays_sealed_and_says_when_a_date_is_changed(fake_app: App) -> None:
    resumed, closed = in_analysis(fake_app), in_analysis(fake_app)
    for reference in (resumed, closed):
        ask(fake_app, reference, day(3))
    messages.receive_by_token(
        app=fake_app, token=loaded(fake_app, resumed).tracking_token, text="Voici", at=day(5)
    )
    sweep(fake_app, closed, day(10), information.remind)
    sweep(fake_app, closed, day(20), information.close_without_information)
    assert integrity.verify(app=fake_app).breaks == []
    with fake_app.db.transaction() as session:  # a hand moves a date the history sealed
        session.execute(
            update(Complaint).where(Complaint.reference == resumed).values(answer_by=day(60))
        )
    [problem] = integrity.verify(app=fake_app).breaks
    assert problem.reference == resumed and "answer_by" in problem.problem

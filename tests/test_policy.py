"""The code of conduct applied: deadlines, calendar, mediator, triage. Pure logic."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from complaints import policy, triage
from complaints.batching import groups, label
from complaints.conduct import Conduct, load_conduct

DEFAULT = Path(__file__).parents[1] / "config" / "conduct.toml"


@pytest.fixture
def conduct() -> Conduct:
    return load_conduct(DEFAULT)


def business(conduct: Conduct) -> Conduct:
    return conduct.model_copy(
        update={"answer": conduct.answer.model_copy(update={"counting": "business"})}
    )


def test_written_complaint_gets_15_calendar_days(conduct: Conduct) -> None:
    received = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    deadlines = policy.intake_deadlines(
        conduct, channel="letter", severity="normal", received_at=received
    )
    assert deadlines.answer_by == received + timedelta(days=15)
    assert deadlines.acknowledge_by == received + timedelta(minutes=60)


def test_shortest_promise_wins(conduct: Conduct) -> None:
    assert policy.answer_days(conduct, channel="phone", severity="normal") == 10
    assert policy.answer_days(conduct, channel="letter", severity="critical") == 5


def test_business_days_skip_weekends_and_french_holidays(conduct: Conduct) -> None:
    # Friday 1 May 2026 is Labour Day; 8 May (Friday) Victory Day; 14 May Ascension.
    start = datetime(2026, 4, 30, 10, 0, tzinfo=UTC)  # Thursday
    due = policy.add_days(business(conduct), start, 5)
    assert due.date() == date(2026, 5, 11)  # 4, 5, 6, 7, 11 May


def test_override_file_changes_only_what_it_says(tmp_path: Path) -> None:
    override = tmp_path / "mine.toml"
    override.write_text("[answer]\ndays = 10\n", encoding="utf-8")
    mine = load_conduct(DEFAULT, override)
    assert mine.answer.days == 10
    assert mine.answer.by_channel == {"phone": 10, "in_person": 10}


def test_bad_override_is_refused(tmp_path: Path) -> None:
    override = tmp_path / "bad.toml"
    override.write_text("[answer]\ndays = 0\n", encoding="utf-8")
    with pytest.raises(ValueError, match="days"):
        load_conduct(DEFAULT, override)


def test_specialist_mediator_first(conduct: Conduct) -> None:
    assert policy.mediator_for(conduct, "Électricité").key == "energie"
    assert policy.mediator_for(conduct, "Box Fibre").key == "conso"


def test_triage_finds_category_and_gravest_severity(conduct: Conduct) -> None:
    found = triage.classify(
        conduct, subject="Radiateur", description="Il a pris feu : brûlure à la main."
    )
    assert (found.category, found.severity, found.priority) == ("safety", "critical", 1)
    plain = triage.classify(conduct, subject="Colis", description="Livraison en retard")
    assert (plain.category, plain.severity) == ("delivery", "normal")
    assert triage.classify(conduct, subject="Bonjour", description="Rien").category == "other"


def test_next_wake_follows_the_state(conduct: Conduct) -> None:
    t = datetime(2026, 1, 1, tzinfo=UTC)
    answer_by = t + timedelta(days=15)
    wake = lambda state, level=0: policy.next_wake(  # noqa: E731
        conduct,
        state=state,
        received_at=t,
        answer_by=answer_by,
        escalation_level=level,
        survey_at=None,
        feedback_by=None,
    )
    from complaints.lifecycle import State

    assert wake(State.RECEIVED) == t
    assert wake(State.IN_ANALYSIS) == answer_by
    assert wake(State.IN_ANALYSIS, 1) == answer_by + timedelta(days=5)
    assert wake(State.CLOSED) is None


def test_groups_one_each_when_few_batches_when_many() -> None:
    refs = [f"R{i}" for i in range(25)]
    assert groups(refs[:3], threshold=10, size=10) == [["R0"], ["R1"], ["R2"]]
    assert [len(g) for g in groups(refs, threshold=10, size=10)] == [10, 10, 5]
    assert groups(["A", "A"], threshold=10, size=10) == [["A"]]
    assert label(["R1", "R2", "R3"]) == "R1…R3 (3)"

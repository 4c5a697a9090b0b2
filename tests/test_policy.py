"""The code of conduct applied: deadlines, calendar, mediator, triage. Pure logic."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

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


PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def end_of(day: date) -> datetime:
    """The last microsecond of `day` in Paris."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), PARIS) - timedelta(
        microseconds=1
    )


def test_written_complaint_gets_15_calendar_days_to_the_end_of_the_day(conduct: Conduct) -> None:
    received = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    terms = conduct.terms()
    answer = policy.answer_due(terms, channel="letter", severity="normal", received_at=received)
    assert answer.at == end_of(date(2026, 3, 17))  # told "17 mars": all of 17 March is kept
    assert answer.rule["basis"] == "default" and answer.rule["days"] == 15
    assert policy.acknowledge_due(terms, received).at == received + timedelta(minutes=60)


def test_days_are_counted_in_the_organisation_time_zone(conduct: Conduct) -> None:
    # 23:30 UTC on 24 December is 00:30 on 25 December in Paris: received on the 25th.
    late_night = datetime(2026, 12, 24, 23, 30, tzinfo=UTC)
    answer = policy.answer_due(
        conduct.terms(), channel="web", severity="normal", received_at=late_night
    )
    assert answer.rule["from"] == "2026-12-25"
    assert answer.at == end_of(date(2027, 1, 9))
    tokyo = conduct.terms().model_copy(update={"timezone": "Asia/Tokyo"})
    assert (
        policy.answer_due(tokyo, channel="web", severity="normal", received_at=late_night).rule[
            "from"
        ]
        == "2026-12-25"
    )


def test_overdue_means_after_the_promised_moment_not_at_it(conduct: Conduct) -> None:
    due = policy.answer_due(
        conduct.terms(), channel="web", severity="normal", received_at=paris(2026, 3, 2, 9)
    ).at
    assert not policy.passed(due, due)
    assert policy.passed(due, due + timedelta(microseconds=1))


def test_shortest_promise_wins_and_says_why(conduct: Conduct) -> None:
    terms = conduct.terms()
    assert policy.answer_rule(terms, channel="phone", severity="normal") == (10, "channel")
    assert policy.answer_rule(terms, channel="letter", severity="critical") == (5, "severity")
    assert policy.answer_rule(terms, channel="letter", severity="high") == (15, "default")


def test_business_days_skip_weekends_and_french_holidays(conduct: Conduct) -> None:
    # Friday 1 May 2026 is Labour Day; 8 May (Friday) Victory Day; 14 May Ascension.
    terms = business(conduct).terms()
    day, skipped = policy.count_days(terms, date(2026, 4, 30), 5, "business")  # Thursday
    assert day == date(2026, 5, 11)  # 4, 5, 6, 7, 11 May
    assert skipped == [date(2026, 5, 1), date(2026, 5, 8)]


def test_the_grace_is_counted_like_the_promise(conduct: Conduct) -> None:
    # Business days: an answer due Thursday 10 December 2026, five business days of grace end
    # on Thursday 17 December; the mediator gets the case on Friday 18, never on a Saturday.
    terms = business(conduct).terms()
    answer_by = end_of(date(2026, 12, 10))
    referral = policy.referral_due(terms, answer_by)
    assert policy.referral_day(terms, referral.at) == date(2026, 12, 18)
    due_friday = end_of(date(2026, 12, 11))
    day = policy.referral_day(terms, policy.referral_due(terms, due_friday).at)
    assert day == date(2026, 12, 21) and day.weekday() == 0  # Friday + 5 business days, Monday
    calendar = policy.referral_due(conduct.terms(), due_friday)
    assert policy.referral_day(conduct.terms(), calendar.at) == date(2026, 12, 17)


def test_a_promise_explains_itself(conduct: Conduct) -> None:
    from complaints.words import explain

    templates = DEFAULT.parents[1] / "templates"
    terms = business(conduct).terms()
    answer = policy.answer_due(
        terms, channel="letter", severity="normal", received_at=paris(2026, 12, 22, 10)
    )
    text = explain(templates, "fr", answer.rule)
    assert text.startswith("15 jours ouvrés à compter de la réception le 22 décembre 2026")
    assert "jours fériés non comptés\u00a0: 25 décembre 2026, 1er janvier 2027" in text
    english = explain(templates, "en", answer.rule)
    assert "public holidays not counted: 25 December 2026, 1 January 2027" in english


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


def test_groups_one_each_when_few_batches_when_many() -> None:
    refs = [f"R{i}" for i in range(25)]
    assert groups(refs[:3], threshold=10, size=10) == [["R0"], ["R1"], ["R2"]]
    assert [len(g) for g in groups(refs, threshold=10, size=10)] == [10, 10, 5]
    assert groups(["A", "A"], threshold=10, size=10) == [["A"]]
    assert label(["R1", "R2", "R3"]) == "R1…R3 (3)"

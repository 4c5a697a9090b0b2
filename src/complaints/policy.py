"""The code of conduct applied: when each promise falls due, counted in the organisation's days
(its time zone, its business calendar) under the terms the complaint was received with, and
the rule that made it, kept so that the date can be explained. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Literal

from complaints.conduct import Conduct, Mediator, Terms
from complaints.dates import local_day, zone

Counting = Literal["calendar", "business"]
TICK = timedelta(microseconds=1)


@lru_cache(maxsize=32)
def _holidays(country: str, year: int) -> frozenset[date]:
    import holidays  # imported on use: only business-day counting needs it

    return frozenset(holidays.country_holidays(country, years=year))


def is_holiday(terms: Terms, day: date) -> bool:
    return day in _holidays(terms.answer.holidays, day.year)


def is_business_day(terms: Terms, day: date) -> bool:
    """A weekday that is not a public holiday of the organisation's country."""
    return day.weekday() < 5 and not is_holiday(terms, day)


def count_days(terms: Terms, start: date, days: int, counting: str) -> tuple[date, list[date]]:
    """The day `days` days after `start`, and the weekdays skipped as public holidays."""
    if counting == "calendar":
        return start + timedelta(days=days), []
    day, remaining, skipped = start, days, []
    while remaining > 0:
        day += timedelta(days=1)
        if is_business_day(terms, day):
            remaining -= 1
        elif day.weekday() < 5:
            skipped.append(day)
    return day, skipped


def end_of_day(terms: Terms, day: date) -> datetime:
    """The last moment of `day` in the organisation's time zone, in UTC."""
    midnight = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone(terms.timezone))
    return midnight.astimezone(UTC) - TICK


def passed(due: datetime, at: datetime) -> bool:
    """A promise due by `due` is broken at `at`: after it, not at it."""
    return at > due


@dataclass(frozen=True)
class Due:
    """A promised moment (broken after it) and the rule that made it."""

    at: datetime
    rule: dict[str, Any] = field(default_factory=dict)


def answer_rule(terms: Terms, *, channel: str, severity: str) -> tuple[int, str]:
    """The days promised for an answer and the rule that gave them: the shortest applicable."""
    rule = terms.answer
    days, basis = rule.days, "default"
    if rule.by_channel.get(channel, days) < days:
        days, basis = rule.by_channel[channel], "channel"
    if rule.by_severity.get(severity, days) < days:
        days, basis = rule.by_severity[severity], "severity"
    return days, basis


def _in_days(
    terms: Terms, promise: str, start: datetime, days: int, counting: str, **why: Any
) -> Due:
    first = local_day(start, terms.timezone)
    last, skipped = count_days(terms, first, days, counting)
    due = end_of_day(terms, last)
    return Due(
        due,
        {
            "promise": promise,
            "due": due.isoformat(),
            "from": first.isoformat(),
            "days": days,
            "counting": counting,
            "until": last.isoformat(),
            "holidays_skipped": [d.isoformat() for d in skipped],
            "timezone": terms.timezone,
            **why,
        },
    )


def acknowledge_due(terms: Terms, recorded_at: datetime) -> Due:
    """At once: within the allowance, from the moment the complaint is recorded."""
    minutes = terms.acknowledge.within_minutes
    due = recorded_at + timedelta(minutes=minutes)
    return Due(
        due,
        {
            "promise": "acknowledge",
            "due": due.isoformat(),
            "from": recorded_at.isoformat(),
            "minutes": minutes,
            "timezone": terms.timezone,
        },
    )


def answer_due(terms: Terms, *, channel: str, severity: str, received_at: datetime) -> Due:
    """The answer: N days from the day of receipt, to the end of the last day."""
    days, basis = answer_rule(terms, channel=channel, severity=severity)
    return _in_days(
        terms,
        "answer",
        received_at,
        days,
        terms.answer.counting,
        basis=basis,
        channel=channel,
        severity=severity,
    )


def review_due(terms: Terms, reopened_at: datetime) -> Due:
    """A new answer after an internal review."""
    days = terms.answer.review_days
    return _in_days(terms, "review", reopened_at, days, terms.answer.counting, basis="review")


def referral_due(terms: Terms, answer_by: datetime) -> Due:
    """A missing answer goes to the mediator once the grace after the promised day is over,
    counted like the promise itself (business days for a promise in business days)."""
    counting = terms.answer.counting
    last, skipped = count_days(
        terms, local_day(answer_by, terms.timezone), terms.escalation.grace_days, counting
    )
    referral_day, _ = count_days(terms, last, 1, counting)
    due = end_of_day(terms, referral_day - timedelta(days=1))
    return Due(
        due,
        {
            "promise": "referral",
            "due": due.isoformat(),
            "from": local_day(answer_by, terms.timezone).isoformat(),
            "days": terms.escalation.grace_days,
            "counting": counting,
            "until": last.isoformat(),
            "on": referral_day.isoformat(),
            "holidays_skipped": [d.isoformat() for d in skipped],
            "timezone": terms.timezone,
        },
    )


def referral_day(terms: Terms, refer_by: datetime) -> date:
    """The day a case overdue past `refer_by` goes to the mediator."""
    return local_day(refer_by + TICK, terms.timezone)


def survey_due(terms: Terms, answered_at: datetime) -> datetime:
    return answered_at + timedelta(days=terms.follow_up.survey_after_days)


def feedback_due(terms: Terms, survey_sent_at: datetime) -> Due:
    """The end of the day the survey closes, told in the survey e-mail."""
    days = terms.follow_up.close_after_days
    return _in_days(terms, "feedback", survey_sent_at, days, "calendar")


def information_due(terms: Terms, asked_at: datetime) -> Due:
    """The end of the day by which the customer's information is awaited (calendar days)."""
    days = terms.information.answer_days
    return _in_days(terms, "information", asked_at, days, "calendar")


def information_reminder(terms: Terms, asked_at: datetime) -> datetime:
    return asked_at + timedelta(days=terms.information.reminder_after_days)


def reopen_due(terms: Terms, reopened_at: datetime) -> Due:
    """A new answer after a closed complaint is reopened: as many days as a review."""
    days = terms.answer.review_days
    return _in_days(terms, "reopen", reopened_at, days, terms.answer.counting, basis="reopen")


def reopen_until(terms: Terms, closed_at: datetime) -> datetime:
    """The last moment a closed complaint may be reopened; later, a new one follows it."""
    last = local_day(closed_at, terms.timezone) + timedelta(days=terms.reopening.within_days)
    return end_of_day(terms, last)


def paused_days(terms: Terms, paused_at: datetime, resumed_at: datetime) -> int:
    """The days the answer's clock stood still, counted as the promise counts them: the days
    after the pause's day up to the resume's day (business days only, for a promise in them)."""
    first, last = local_day(paused_at, terms.timezone), local_day(resumed_at, terms.timezone)
    if terms.answer.counting == "calendar":
        return max(0, (last - first).days)
    span = (last - first).days
    return sum(is_business_day(terms, first + timedelta(days=n)) for n in range(1, span + 1))


def postponed(terms: Terms, due: datetime, days: int) -> datetime:
    """`due` moved `days` later in the promise's counting, to the end of that day."""
    if days <= 0:
        return due
    last, _ = count_days(terms, local_day(due, terms.timezone), days, terms.answer.counting)
    return end_of_day(terms, last)


def mediator_for(conduct: Conduct, product: str) -> Mediator:
    """The mediator competent for `product`: a specialist first, else the general one."""
    wanted = product.casefold()
    for mediator in conduct.mediators:
        if any(p.casefold() == wanted for p in mediator.products):
            return mediator
    general = [m for m in conduct.mediators if not m.products]
    return general[0] if general else conduct.mediators[0]


def review_allowed(terms: Terms, *, reviews_done: int) -> bool:
    """Whether a dissatisfied customer gets another internal review before the mediator."""
    return reviews_done < terms.escalation.internal_reviews


def retention_cutoff(conduct: Conduct, now: datetime) -> datetime:
    """Complaints closed before this instant have outlived the retention period."""
    years = conduct.retention.years_after_closure
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)

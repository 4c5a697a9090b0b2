"""The code of conduct applied: due dates, the business calendar, what escalates when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from complaints.conduct import Conduct, Mediator
from complaints.lifecycle import HANDLING_STATES, State


class Level:
    """How far a missed deadline has escalated."""

    NONE = 0
    MANAGER = 1
    MEDIATOR = 2


@lru_cache(maxsize=16)
def _french_holidays(year: int) -> frozenset[date]:
    import holidays  # imported on use: only business-day counting needs it

    return frozenset(holidays.country_holidays("FR", years=year))


def is_business_day(day: date) -> bool:
    """A weekday that is not a French public holiday."""
    return day.weekday() < 5 and day not in _french_holidays(day.year)


def add_days(conduct: Conduct, start: datetime, days: int) -> datetime:
    """`start` plus `days`, counted as the code of conduct says (calendar or business)."""
    if conduct.answer.counting == "calendar":
        return start + timedelta(days=days)
    moment = start
    remaining = days
    while remaining > 0:
        moment += timedelta(days=1)
        if is_business_day(moment.date()):
            remaining -= 1
    return moment


def answer_days(conduct: Conduct, *, channel: str, severity: str) -> int:
    """The days promised for an answer: the shortest of the applicable promises."""
    rule = conduct.answer
    candidates = [rule.days, rule.by_channel.get(channel, rule.days)]
    if severity in rule.by_severity:
        candidates.append(rule.by_severity[severity])
    return min(candidates)


@dataclass(frozen=True)
class Deadlines:
    acknowledge_by: datetime
    answer_by: datetime


def intake_deadlines(
    conduct: Conduct, *, channel: str, severity: str, received_at: datetime
) -> Deadlines:
    """The promises a new complaint is owed."""
    return Deadlines(
        acknowledge_by=received_at + timedelta(minutes=conduct.acknowledge.within_minutes),
        answer_by=add_days(
            conduct, received_at, answer_days(conduct, channel=channel, severity=severity)
        ),
    )


def survey_due(conduct: Conduct, answered_at: datetime) -> datetime:
    return answered_at + timedelta(days=conduct.follow_up.survey_after_days)


def feedback_due(conduct: Conduct, survey_sent_at: datetime) -> datetime:
    return survey_sent_at + timedelta(days=conduct.follow_up.close_after_days)


def review_due(conduct: Conduct, reopened_at: datetime) -> datetime:
    return add_days(conduct, reopened_at, conduct.answer.review_days)


def mediator_referral_due(conduct: Conduct, answer_by: datetime) -> datetime:
    """When an answer still missing goes to the mediator."""
    return answer_by + timedelta(days=conduct.escalation.grace_days)


def next_wake(
    conduct: Conduct,
    *,
    state: State,
    received_at: datetime,
    answer_by: datetime,
    escalation_level: int,
    survey_at: datetime | None,
    feedback_by: datetime | None,
) -> datetime | None:
    """When the system must next look at a complaint in `state`, or None if it waits on people."""
    if state in (State.RECEIVED, State.ACKNOWLEDGED):
        return received_at
    if state in HANDLING_STATES:
        if escalation_level == Level.NONE:
            return answer_by
        if escalation_level == Level.MANAGER:
            return mediator_referral_due(conduct, answer_by)
        return None
    if state == State.ANSWERED:
        return survey_at
    if state == State.AWAITING_FEEDBACK:
        return feedback_by
    return None


def mediator_for(conduct: Conduct, product: str) -> Mediator:
    """The mediator competent for `product`: a specialist first, else the general one."""
    wanted = product.casefold()
    for mediator in conduct.mediators:
        if any(p.casefold() == wanted for p in mediator.products):
            return mediator
    general = [m for m in conduct.mediators if not m.products]
    return general[0] if general else conduct.mediators[0]


def review_allowed(conduct: Conduct, *, reviews_done: int) -> bool:
    """Whether a dissatisfied customer gets another internal review before the mediator."""
    return reviews_done < conduct.escalation.internal_reviews


def retention_cutoff(conduct: Conduct, now: datetime) -> datetime:
    """Complaints closed before this instant have outlived the retention period."""
    years = conduct.retention.years_after_closure
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)

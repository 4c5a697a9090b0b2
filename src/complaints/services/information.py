"""Information asked of the customer: the answer's clock pauses until it comes, and every
deadline then moves by the days it stood still (NF X 50-056: a pause never resets a deadline).
Without it by the date given, the customer is reminded once, then the complaint closes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from complaints import policy, repository
from complaints.app import App
from complaints.clock import at_or_now
from complaints.dates import long_date
from complaints.errors import Invalid, NotFound
from complaints.lifecycle import Step
from complaints.mail.compose import to_customer
from complaints.models import Complaint
from complaints.services import terms as promises
from complaints.services.automation import Outcome, may
from complaints.services.closure import close_and_tell
from complaints.services.history import (
    CUSTOMER,
    SYSTEM,
    Actor,
    check,
    move,
    refresh_wake,
    settle,
)
from complaints.services.staff import taking

# The deadlines a pause moves; the first promise only while it is still owed.
MOVED = ("answer_by", "promised_answer_by", "refer_by")
LONGEST = 5000  # characters of what a customer sends from the tracking page


def by_customer(session: Session, token: str, at: datetime | None) -> tuple[Complaint, datetime]:
    """The complaint of this tracking link, locked (NotFound otherwise); the step's time."""
    found = repository.find_by_tracking_token(session=session, token=token)
    if found is None:
        raise NotFound("no such complaint")
    complaint = repository.get(session=session, reference=found.reference, lock=True)
    return complaint, settle(session, complaint, at_or_now(at), CUSTOMER)


def customer_text(text: str, longest: int = LONGEST) -> str:
    text = text.strip()
    if not text or len(text) > longest:
        raise Invalid(f"the text must be between 1 and {longest:,} characters", key="text_length")
    return text


def request_information(
    *, app: App, reference: str, by: str, what: str, at: datetime | None = None
) -> str:
    """Ask the customer for `what`: the answer's clock stops until it comes, the customer is
    told by which date (and reminded once), and where to send it."""
    what = what.strip()
    if not what:
        raise Invalid("say what the customer is asked for", key="blank", field="what")
    with app.db.transaction() as session:
        complaint, actor, at = taking(session, reference, by, at)
        check(complaint, Step.REQUEST_INFORMATION, actor)
        terms = promises.of(session, complaint)
        due = policy.information_due(terms, at)
        complaint.paused_at, complaint.info_due_by = at, due.at
        complaint.info_remind_at = policy.information_reminder(terms, at)
        move(
            session,
            complaint,
            Step.REQUEST_INFORMATION,
            at=at,
            actor=actor,
            reason=what,
            data={"promise": due.rule, "remind_at": complaint.info_remind_at.isoformat()},
        )
        to_customer(
            session,
            app,
            complaint=complaint,
            kind="information_request",
            at=at,
            what=what,
            info_due_by=long_date(due.at, complaint.language, terms.timezone),
            reopen_days=terms.reopening.within_days,
        )
        return complaint.state.value


def end_pause(session: Session, complaint: Complaint, at: datetime) -> dict[str, Any]:
    """End the complaint's pause at `at`: each deadline moves by the days paused, counted as
    its promise counts them; what moved, for the event's data (nothing if not paused)."""
    if complaint.paused_at is None:
        return {}
    terms = promises.of(session, complaint)
    days = policy.paused_days(terms, complaint.paused_at, at)
    moved: dict[str, dict[str, str]] = {}
    for column in MOVED:
        old: datetime | None = getattr(complaint, column)
        if old is None or (column == "promised_answer_by" and complaint.first_answered_at):
            continue  # the first answer was given: its promise is judged as it stood
        new = policy.postponed(terms, old, days)
        setattr(complaint, column, new)
        moved[column] = {"from": old.isoformat(), "to": new.isoformat()}
    paused = {
        "from": complaint.paused_at.isoformat(),
        "days": days,
        "counting": terms.answer.counting,
    }
    complaint.paused_days += days
    complaint.paused_at = complaint.info_due_by = complaint.info_remind_at = None
    deadlines = {column: dates["to"] for column, dates in moved.items()}
    return {"paused": paused, "moved": moved, "deadlines": deadlines}


def resume(
    session: Session,
    complaint: Complaint,
    actor: Actor,
    at: datetime,
    said: str,
    more: dict[str, Any] | None = None,
) -> str:
    """The information asked came (`said`): the clock runs again, the deadlines moved."""
    check(complaint, Step.RECEIVE_INFORMATION, actor)
    data = {**end_pause(session, complaint, at), **(more or {})}
    move(session, complaint, Step.RECEIVE_INFORMATION, at=at, actor=actor, reason=said, data=data)
    return complaint.state.value


def receive_information(
    *, app: App, reference: str, by: str, summary: str, at: datetime | None = None
) -> str:
    """Record what the customer gave (by phone, by post…): the clock runs again."""
    summary = summary.strip()
    if not summary:
        raise Invalid("say what the customer sent or said", key="blank", field="summary")
    with app.db.transaction() as session:
        complaint, actor, at = taking(session, reference, by, at)
        return resume(session, complaint, actor, at, summary)


def _asked(session: Session, complaint: Complaint) -> tuple[str, datetime | None]:
    """What the customer was last asked for, and when."""
    event = repository.last_event(
        session=session, complaint_id=complaint.id, action=Step.REQUEST_INFORMATION
    )
    return (event.reason, event.at) if event else ("", None)


def remind(session: Session, app: App, complaint: Complaint, at: datetime) -> str:
    """Once the reminder's day has come, and before the date given has passed, the customer
    is reminded once of what is asked and by when."""
    due, reminder = complaint.info_due_by, complaint.info_remind_at
    if not may(complaint, Step.REMIND_INFORMATION) or reminder is None or reminder > at:
        return Outcome.SKIPPED
    if due is None or policy.passed(due, at):
        return Outcome.SKIPPED  # too late to remind: the closure comes instead
    terms = promises.of(session, complaint)
    what, asked_at = _asked(session, complaint)
    at = move(
        session,
        complaint,
        Step.REMIND_INFORMATION,
        at=at,
        actor=SYSTEM,
        reason="the customer reminded of the information asked",
        data={"info_due_by": due.isoformat()},
    )
    complaint.info_remind_at = None
    refresh_wake(complaint)  # next: the closure, if nothing comes
    lang, zone = complaint.language, terms.timezone
    to_customer(
        session,
        app,
        complaint=complaint,
        kind="information_reminder",
        at=at,
        what=what,
        asked_on=long_date(asked_at or at, lang, zone),
        info_due_by=long_date(due, lang, zone),
    )
    return Outcome.REMINDED


def close_without_information(
    session: Session, app: App, complaint: Complaint, at: datetime
) -> str:
    """Nothing came by the date given: closed, the customer told, and the deadlines moved by
    the days paused (the answer was not late while the customer was awaited)."""
    due = complaint.info_due_by
    if not may(complaint, Step.CLOSE_WITHOUT_INFORMATION) or due is None:
        return Outcome.SKIPPED
    if not policy.passed(due, at):
        return Outcome.SKIPPED
    terms = promises.of(session, complaint)
    what, _ = _asked(session, complaint)
    close_and_tell(
        session,
        app,
        complaint,
        Step.CLOSE_WITHOUT_INFORMATION,
        at=at,
        actor=SYSTEM,
        why="no_information",
        reason="no information from the customer by the date given",
        data={"info_due_by": due.isoformat(), **end_pause(session, complaint, at)},
        note=what,
        reopen_until=long_date(policy.reopen_until(terms, at), complaint.language, terms.timezone),
    )
    complaint.resume_state = None
    return Outcome.CLOSED

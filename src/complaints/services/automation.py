"""The automatic steps the flows take. Each re-reads the state under a lock, so a step run
twice, or after a crash, does nothing the second time."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from complaints import lifecycle, policy, repository, triage
from complaints.app import App
from complaints.dates import long_date
from complaints.lifecycle import PHASES, Level, Role, Step, Wake
from complaints.mail.compose import customer_context, queue_email, to_customer
from complaints.models import Analysis, Complaint, RelatedComplaint, Survey
from complaints.services import terms as promises
from complaints.services.closure import close_and_tell
from complaints.services.escalation import (
    ACK_LATE,
    ANSWER_OVERDUE,
    NO_ANSWER,
    REVIEW_OVERDUE,
    SWEEP,
    alert_manager,
    refer_to_mediator,
)
from complaints.services.history import SYSTEM, Actor, move
from complaints.services.staff import reminder_address

Step_ = Callable[[Session, App, Complaint, datetime], str]


class Outcome(StrEnum):
    """What an automatic step did to one complaint."""

    SKIPPED = "skipped"
    ACKNOWLEDGED = "acknowledged"
    IN_ANALYSIS = "in_analysis"
    MANAGER_ALERTED = "manager_alerted"
    REFERRED = "referred_to_mediator"
    SURVEY_SENT = "survey_sent"
    SURVEY_OFFERED = "survey_offered"
    CLOSED = "closed"
    REMINDED = "reminded"


def may(complaint: Complaint, step: Step) -> bool:
    """Whether the lifecycle lets the system take `step` on `complaint` now."""
    return lifecycle.refusal(complaint, step, Role.SYSTEM) is None


def awaits_answer(complaint: Complaint) -> bool:
    """The complaint's state waits on the answer's deadline (not paused, not with the mediator)."""
    return PHASES[complaint.state].wake == Wake.ANSWER


def acknowledge(session: Session, app: App, complaint: Complaint, at: datetime) -> str:
    """Acknowledge receipt: the e-mail says the reference, the answer date (the one enforced),
    what happens if the answer does not satisfy, and the tracking link."""
    if not may(complaint, Step.ACKNOWLEDGE):
        return Outcome.SKIPPED
    late = policy.passed(complaint.acknowledge_by, at)
    at = move(
        session,
        complaint,
        Step.ACKNOWLEDGE,
        at=at,
        actor=SYSTEM,
        reason="acknowledgement written, its e-mail queued",
        data={"late": late},
    )
    complaint.acknowledged_at = at
    to_customer(session, app, complaint=complaint, kind="acknowledgement", at=at)
    if late:
        alert_manager(session, app, complaint, at=at, kind=ACK_LATE)
    return Outcome.ACKNOWLEDGED


def start_analysis(session: Session, app: App, complaint: Complaint, at: datetime) -> str:
    """First pass recorded (category, severity, priority by rule, made at intake so that the
    dates told are final); similar recent complaints linked. It never moves a promised date."""
    if not may(complaint, Step.START_ANALYSIS):
        return Outcome.SKIPPED
    conduct = app.conduct
    if complaint.category is None:  # received before the first pass moved to the intake
        found = triage.classify(
            conduct, subject=complaint.subject, description=complaint.description
        )
        complaint.category, complaint.severity = found.category, found.severity
        complaint.priority = found.priority
    session.add(
        Analysis(
            complaint_id=complaint.id,
            at=at,
            analyst="triage rules",
            automatic=True,
            category=complaint.category,
            severity=complaint.severity,
            founded=None,
        )
    )
    window = timedelta(days=conduct.triage.recurring_window_days)
    similar = repository.recent_similar(session=session, complaint=complaint, window=window)
    for other_id, _ in similar:
        session.add(
            RelatedComplaint(
                complaint_id=complaint.id, related_id=other_id, reason="same product and category"
            )
        )
    move(
        session,
        complaint,
        Step.START_ANALYSIS,
        at=at,
        actor=Actor("system", "triage rules"),
        reason=f"category {complaint.category}, severity {complaint.severity},"
        f" priority {complaint.priority}",
        data={"related": [reference for _, reference in similar]},
    )
    return Outcome.IN_ANALYSIS


def alert_overdue(session: Session, app: App, complaint: Complaint, at: datetime) -> str:
    """Each promise missed alerts the manager once: the acknowledgement not accepted by the
    mail server in time, the answer (or the review's answer) not given in time."""
    alerted = False
    if (
        complaint.state in lifecycle.OPEN_STATES
        and complaint.acknowledgement_sent_at is None
        and policy.passed(complaint.acknowledge_by, at)
    ):
        alerted |= alert_manager(session, app, complaint, at=at, kind=ACK_LATE)
    if awaits_answer(complaint) and lifecycle.overdue(complaint, at):
        kind = REVIEW_OVERDUE if complaint.reviews_done else ANSWER_OVERDUE
        alerted |= alert_manager(session, app, complaint, at=at, kind=kind)
    return Outcome.MANAGER_ALERTED if alerted else Outcome.SKIPPED


def refer_overdue(session: Session, app: App, complaint: Complaint, at: datetime) -> str:
    """Still no answer past the grace after the alert: the mediator gets the case."""
    if not awaits_answer(complaint) or complaint.escalation_level != Level.MANAGER:
        return Outcome.SKIPPED
    if complaint.refer_by is None or not policy.passed(complaint.refer_by, at):
        return Outcome.SKIPPED
    refer_to_mediator(session, app, complaint, at=at, actor=SWEEP, why=NO_ANSWER)
    return Outcome.REFERRED


def send_survey(session: Session, app: App, complaint: Complaint, at: datetime) -> str:
    """The satisfaction survey, N days after the answer: two one-click links."""
    if not may(complaint, Step.SEND_SURVEY) or complaint.survey_at is None:
        return Outcome.SKIPPED
    if complaint.survey_at > at:
        return Outcome.SKIPPED
    terms = promises.of(session, complaint)
    survey = repository.current_survey(session=session, complaint=complaint)
    if survey is None:
        survey = Survey(
            complaint_id=complaint.id, round=complaint.reviews_done, token=secrets.token_urlsafe(24)
        )
        session.add(survey)
    mailed = complaint.consent_contact  # without it the question waits on the tracking page
    due = policy.feedback_due(terms, at)
    complaint.feedback_by = due.at
    move(
        session,
        complaint,
        Step.SEND_SURVEY,
        at=at,
        actor=SYSTEM,
        reason="satisfaction survey queued"
        if mailed
        else "satisfaction survey offered on the tracking page only: no consent to contact",
        data={"promise": due.rule, "mailed": mailed},
    )
    if not mailed:
        return Outcome.SURVEY_OFFERED
    survey.sent_at = at
    base = f"{app.settings.public_base_url}/avis/{survey.token}"
    to_customer(
        session,
        app,
        complaint=complaint,
        kind="survey",
        at=at,
        satisfied_url=f"{base}?satisfait=oui",
        dissatisfied_url=f"{base}?satisfait=non",
        feedback_by=long_date(due.at, complaint.language, terms.timezone),
    )
    return Outcome.SURVEY_SENT


def close_without_feedback(session: Session, app: App, complaint: Complaint, at: datetime) -> str:
    """No answer to the survey in time: closed as "no feedback", and the customer told."""
    if not may(complaint, Step.CLOSE_WITHOUT_FEEDBACK) or complaint.feedback_by is None:
        return Outcome.SKIPPED
    if not policy.passed(complaint.feedback_by, at):
        return Outcome.SKIPPED
    close_and_tell(
        session,
        app,
        complaint,
        Step.CLOSE_WITHOUT_FEEDBACK,
        at=at,
        actor=SYSTEM,
        why="no_feedback",
        reason="no answer to the survey in the time given",
    )
    return Outcome.CLOSED


def remind_assignee(session: Session, app: App, complaint: Complaint, at: datetime) -> str:
    """The member the complaint is assigned to is reminded, once, that its answer falls due
    soon: before the manager is alerted."""
    ahead = timedelta(days=app.conduct.handling.assignee_reminder_days)
    if not may(complaint, Step.REMIND_ASSIGNEE) or not awaits_answer(complaint):
        return Outcome.SKIPPED
    if complaint.answered_at is not None or complaint.answer_by > at + ahead:
        return Outcome.SKIPPED
    assert complaint.assignee is not None  # the table's guard
    terms, org = promises.of(session, complaint), app.conduct.organisation
    recipient = reminder_address(session, app, complaint.assignee)
    at = move(
        session,
        complaint,
        Step.REMIND_ASSIGNEE,
        at=at,
        actor=SYSTEM,
        reason=f"{complaint.assignee} reminded: the answer is due soon",
        data={"assignee": complaint.assignee, "answer_by": complaint.answer_by.isoformat()},
    )
    complaint.assignee_reminded_at = at
    queue_email(
        session,
        app,
        complaint=complaint,
        kind="assignee_reminder",
        recipient=recipient,
        lang=org.language,
        context={
            **customer_context(session, app, complaint, lang=org.language),
            "assignee": complaint.assignee,
            "product": complaint.product,
            "staff_url": f"{app.settings.public_base_url}/staff/c/{complaint.reference}",
            "answer_by": long_date(complaint.answer_by, org.language, terms.timezone),
        },
        at=at,
    )
    return Outcome.REMINDED

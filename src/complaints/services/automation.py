"""The automatic steps the flows take. Each re-reads the state under a lock, so a step run
twice, or after a crash, does nothing the second time."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from complaints import policy, repository, triage
from complaints.app import App
from complaints.lifecycle import HANDLING_STATES, State, Step
from complaints.mail.compose import to_customer
from complaints.mail.render import long_date
from complaints.models import Analysis, Complaint, RelatedComplaint, Survey
from complaints.services.escalation import alert_manager, refer_to_mediator
from complaints.services.history import SYSTEM, Actor, move

Step_ = Callable[[Session, App, Complaint, datetime], str]


def acknowledge(session: Session, app: App, complaint: Complaint, at: datetime) -> str:
    """Acknowledge receipt: the e-mail says the reference, the answer date and the tracking link."""
    if complaint.state != State.RECEIVED:
        return "skipped"
    late = at > complaint.acknowledge_by
    complaint.acknowledged_at = at
    move(
        session,
        app.conduct,
        complaint,
        Step.ACKNOWLEDGE,
        at=at,
        actor=SYSTEM,
        reason="acknowledgement sent" + (" late" if late else ""),
        data={"late": late},
    )
    to_customer(session, app, complaint=complaint, kind="acknowledgement", at=at)
    if late:
        alert_manager(session, app, complaint, at=at, reason="acknowledgement later than promised")
    return "acknowledged"


def start_analysis(session: Session, app: App, complaint: Complaint, at: datetime) -> str:
    """First pass: category, severity, priority from the rules; similar recent complaints linked."""
    if complaint.state != State.ACKNOWLEDGED:
        return "skipped"
    conduct = app.conduct
    found = triage.classify(conduct, subject=complaint.subject, description=complaint.description)
    complaint.category, complaint.severity, complaint.priority = (
        found.category,
        found.severity,
        found.priority,
    )
    session.add(
        Analysis(
            complaint_id=complaint.id,
            at=at,
            analyst="triage rules",
            automatic=True,
            category=found.category,
            severity=found.severity,
            founded=None,
        )
    )
    promised = policy.intake_deadlines(
        conduct,
        channel=complaint.channel.value,
        severity=found.severity,
        received_at=complaint.received_at,
    ).answer_by
    shortened = promised < complaint.answer_by
    if shortened:
        complaint.answer_by = complaint.promised_answer_by = promised
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
        conduct,
        complaint,
        Step.START_ANALYSIS,
        at=at,
        actor=Actor("system", "triage rules"),
        reason=f"category {found.category}, severity {found.severity}, priority {found.priority}",
        data={
            "keywords": list(found.matched),
            "related": [reference for _, reference in similar],
            "answer_by": complaint.answer_by.isoformat(),
            "answer_by_shortened": shortened,
        },
    )
    return "in_analysis"


def alert_overdue(session: Session, app: App, complaint: Complaint, at: datetime) -> str:
    """A promise missed (acknowledgement or answer): the manager is alerted, once."""
    if complaint.escalation_level != policy.Level.NONE:
        return "skipped"
    if complaint.state in (State.RECEIVED, State.ACKNOWLEDGED) and at >= complaint.acknowledge_by:
        alert_manager(session, app, complaint, at=at, reason="acknowledgement overdue")
        return "manager_alerted"
    if complaint.state in HANDLING_STATES and at >= complaint.answer_by:
        alert_manager(session, app, complaint, at=at, reason="answer overdue")
        return "manager_alerted"
    return "skipped"


def refer_overdue(session: Session, app: App, complaint: Complaint, at: datetime) -> str:
    """Still no answer past the grace after the alert: the mediator gets the case."""
    if complaint.state not in HANDLING_STATES or complaint.escalation_level != policy.Level.MANAGER:
        return "skipped"
    if at < policy.mediator_referral_due(app.conduct, complaint.answer_by):
        return "skipped"
    grace = app.conduct.escalation.grace_days
    refer_to_mediator(
        session,
        app,
        complaint,
        at=at,
        actor=Actor("system", "deadline sweep"),
        reason=f"no answer {grace} days after the promised date",
    )
    return "referred_to_mediator"


def send_survey(session: Session, app: App, complaint: Complaint, at: datetime) -> str:
    """The satisfaction survey, N days after the answer: two one-click links."""
    if complaint.state != State.ANSWERED or complaint.survey_at is None or complaint.survey_at > at:
        return "skipped"
    survey = repository.current_survey(session=session, complaint=complaint)
    if survey is None:
        survey = Survey(
            complaint_id=complaint.id, round=complaint.reviews_done, token=secrets.token_urlsafe(24)
        )
        session.add(survey)
    complaint.feedback_by = policy.feedback_due(app.conduct, at)
    mailed = complaint.consent_contact  # without it the question waits on the tracking page
    move(
        session,
        app.conduct,
        complaint,
        Step.SEND_SURVEY,
        at=at,
        actor=SYSTEM,
        reason="satisfaction survey sent"
        if mailed
        else "satisfaction survey offered on the tracking page only: no consent to contact",
    )
    if not mailed:
        return "survey_offered"
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
        feedback_by=long_date(complaint.feedback_by, complaint.language),
    )
    return "survey_sent"


def close_without_feedback(session: Session, app: App, complaint: Complaint, at: datetime) -> str:
    """No answer to the survey in time: closed as "no feedback"."""
    if (
        complaint.state != State.AWAITING_FEEDBACK
        or complaint.feedback_by is None
        or complaint.feedback_by > at
    ):
        return "skipped"
    complaint.closure_reason = "no_feedback"
    move(
        session,
        app.conduct,
        complaint,
        Step.CLOSE_WITHOUT_FEEDBACK,
        at=at,
        actor=SYSTEM,
        reason=f"no answer to the survey after {app.conduct.follow_up.close_after_days} days",
    )
    return "closed"


# Complaints taken in one transaction by `run_step`: a transaction costs about as much as a step.
TOGETHER = 50


def run_step(app: App, step: Step_, references: list[str], at: datetime) -> dict[str, str]:
    """Apply `step` to each complaint and say what happened to each. Up to TOGETHER complaints
    share a transaction; if one of them fails, that group is taken again one complaint per
    transaction, so that a bad complaint holds back none of the others. The first failure is
    raised once every other complaint has been taken (a retry then skips those done)."""
    outcomes: dict[str, str] = {}
    failures: list[Exception] = []
    for start in range(0, len(references), TOGETHER):
        group = references[start : start + TOGETHER]
        try:
            outcomes |= _together(app, step, group, at)
        except Exception as exc:
            if len(group) == 1:
                failures.append(exc)
                continue
            for reference in group:
                try:
                    outcomes |= _together(app, step, [reference], at)
                except Exception as single:
                    failures.append(single)
    if failures:
        raise failures[0]
    return outcomes


def _together(app: App, step: Step_, references: list[str], at: datetime) -> dict[str, str]:
    outcomes: dict[str, str] = {}
    with app.db.transaction() as session:
        complaints = repository.get_many(session=session, references=references, lock=True)
        for reference in dict.fromkeys(references):
            outcomes[reference] = step(session, app, complaints[reference], at)
            if outcomes[reference] != "skipped":
                session.flush()
    return outcomes

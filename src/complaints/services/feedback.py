"""The customer's satisfaction: close, review once more, or the mediator."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from complaints import policy, repository
from complaints.app import App
from complaints.clock import at_or_now
from complaints.dates import long_date
from complaints.errors import AlreadyAnswered, NotFound, RuleViolation
from complaints.lifecycle import ANSWERED_STATES, Level, Step
from complaints.mail.compose import to_customer
from complaints.models import Complaint, Survey
from complaints.services import terms as promises
from complaints.services.closure import close_and_tell
from complaints.services.escalation import DISSATISFIED, refer_to_mediator
from complaints.services.history import CUSTOMER, Actor, check, move, record, settle


def record_feedback(
    *,
    app: App,
    reference: str,
    satisfied: bool,
    comment: str = "",
    at: datetime | None = None,
    actor: Actor = CUSTOMER,
) -> str:
    """Record the answer to the survey and take the step it leads to; a second answer changes nothing."""
    at = at_or_now(at)
    with app.db.transaction() as session:
        complaint = repository.get(session=session, reference=reference, lock=True)
        at = settle(session, complaint, at, actor)
        check(complaint, Step.RECORD_SATISFACTION if satisfied else Step.REOPEN_FOR_REVIEW, actor)
        survey = repository.current_survey(session=session, complaint=complaint)
        if survey is not None and survey.answered_at is not None:
            raise AlreadyAnswered(f"the feedback on this answer to {reference} is already recorded")
        if survey is None:
            survey = Survey(
                complaint_id=complaint.id,
                round=complaint.reviews_done,
                token=secrets.token_urlsafe(24),
            )
            session.add(survey)
        survey.answered_at, survey.satisfied, survey.comment = at, satisfied, comment.strip()[:2000]
        return _follow(session, app, complaint, satisfied=satisfied, at=at, actor=actor)


def _follow(
    session: Session, app: App, complaint: Complaint, *, satisfied: bool, at: datetime, actor: Actor
) -> str:
    data = {"satisfied": satisfied}
    terms = promises.of(session, complaint)
    if satisfied:
        close_and_tell(
            session,
            app,
            complaint,
            Step.RECORD_SATISFACTION,
            at=at,
            actor=actor,
            why="satisfied",
            reason="customer satisfied",
            data=data,
        )
    elif policy.review_allowed(terms, reviews_done=complaint.reviews_done):
        due = policy.review_due(terms, at)  # a new promise; the first stays for the register
        referral = policy.referral_due(terms, due.at)
        complaint.reviews_done += 1
        complaint.answer_by, complaint.refer_by = due.at, referral.at
        complaint.escalation_level = Level.NONE
        complaint.survey_at = complaint.feedback_by = None
        complaint.answered_at = None  # a new answer is owed; the first stays in first_answered_at
        move(
            session,
            complaint,
            Step.REOPEN_FOR_REVIEW,
            at=at,
            actor=actor,
            reason="customer dissatisfied: internal review",
            data={
                **data,
                "review": complaint.reviews_done,
                "promise": due.rule,
                "referral": referral.rule,
            },
        )
        to_customer(session, app, complaint=complaint, kind="review", at=at)
    else:
        refer_to_mediator(session, app, complaint, at=at, actor=actor, why=DISSATISFIED)
    return complaint.state.value


@dataclass(frozen=True)
class SurveyLink:
    """What a survey link leads to: its complaint, the customer's language, whether it is open."""

    reference: str
    language: str
    status: Literal["open", "answered", "closed"]


def find_survey(*, app: App, token: str) -> SurveyLink:
    """The survey this link's token opens (NotFound otherwise); reads, never writes."""
    with app.db.reader() as session:
        survey = session.scalars(select(Survey).where(Survey.token == token)).one_or_none()
        complaint = session.get(Complaint, survey.complaint_id) if survey else None
        if survey is None or complaint is None:
            raise NotFound("no such survey")
        status: Literal["open", "answered", "closed"] = "open"
        if survey.answered_at is not None:
            status = "answered"
        elif survey.round != complaint.reviews_done or complaint.state not in ANSWERED_STATES:
            status = "closed"  # an earlier answer's survey, or closed without feedback
        return SurveyLink(complaint.reference, complaint.language, status)


def record_by_token(
    *, app: App, token: str, satisfied: bool, at: datetime | None = None
) -> tuple[str, str]:
    """The survey's answer from its link: (reference, state after). A closed survey is refused."""
    link = find_survey(app=app, token=token)
    if link.status == "answered":
        raise AlreadyAnswered("your answer to this survey is already recorded")
    if link.status == "closed":
        raise AlreadyAnswered("this survey is closed")
    return link.reference, record_feedback(
        app=app, reference=link.reference, satisfied=satisfied, at=at
    )


def promised_answer(*, app: App, reference: str, lang: str) -> str:
    """The date now promised for the answer, in words of `lang` (after a review)."""
    with app.db.reader() as session:
        complaint = repository.get(session=session, reference=reference)
        return long_date(complaint.answer_by, lang, promises.of(session, complaint).timezone)


def add_comment(*, app: App, token: str, comment: str, at: datetime | None = None) -> str:
    """The optional comment after a one-click answer; recorded once."""
    at = at_or_now(at)
    comment = comment.strip()
    if not comment or len(comment) > 2000:
        raise RuleViolation("the comment must be between 1 and 2,000 characters")
    with app.db.transaction() as session:
        survey = session.scalars(select(Survey).where(Survey.token == token)).one_or_none()
        if survey is None or survey.answered_at is None:
            raise NotFound("no such answered survey")
        if survey.comment:
            raise AlreadyAnswered("your comment is already recorded")
        survey.comment = comment
        complaint = session.get_one(Complaint, survey.complaint_id)
        record(session, complaint, at=at, actor=CUSTOMER, action="feedback_comment", reason=comment)
        return complaint.reference

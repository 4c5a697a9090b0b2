"""A closed complaint reopened (within the code of conduct's window; later, a new complaint
follows it), an open one withdrawn by its customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from complaints import outbox_queries, policy, repository
from complaints.app import App
from complaints.conduct import Terms
from complaints.dates import long_date
from complaints.errors import Invalid, RuleViolation
from complaints.intake import Intake
from complaints.lifecycle import Level, Role, Step
from complaints.mail.compose import to_customer
from complaints.models import Complaint, RelatedComplaint
from complaints.services import intake
from complaints.services import terms as promises
from complaints.services.closure import close_and_tell
from complaints.services.history import CUSTOMER, Actor, check, move, record
from complaints.services.information import by_customer, customer_text, end_pause
from complaints.services.staff import taking

if TYPE_CHECKING:
    from complaints.staff_steps import Taken

FOLLOW_UP = {"fr": "Suite de {reference}", "en": "Follow-up of {reference}"}
REOPENED = "reopened"  # the reason of the link between a complaint and the one following it


@dataclass(frozen=True)
class Window:
    """Whether a closed complaint may be reopened still, and until when (a moment)."""

    until: datetime
    open: bool


def window(terms: Terms, complaint: Complaint, at: datetime) -> Window:
    assert complaint.closed_at is not None, "only a closed complaint has a window"
    until = policy.reopen_until(terms, complaint.closed_at)
    return Window(until, not policy.passed(until, at))


def reopen(*, app: App, reference: str, by: str, reason: str, at: datetime | None = None) -> Taken:
    """Reopen a closed complaint with a new promised answer; past the window, open a new
    complaint that follows it, linked both ways."""
    reason = reason.strip()
    if not reason:
        raise Invalid("say why the complaint is reopened")
    current = promises.current(app)  # read first: a new complaint may need it
    with app.db.transaction() as session:
        complaint, actor, at = taking(session, reference, by, at)
        return reopen_closed(session, app, complaint, actor, at, reason, current)


def reopen_by_token(*, app: App, token: str, reason: str, at: datetime | None = None) -> Taken:
    """The customer reopens from the tracking page, saying why."""
    reason = customer_text(reason, 2000)
    current = promises.current(app)
    with app.db.transaction() as session:
        complaint, at = by_customer(session, token, at)
        return reopen_closed(session, app, complaint, CUSTOMER, at, reason, current)


def reopen_closed(
    session: Session,
    app: App,
    complaint: Complaint,
    actor: Actor,
    at: datetime,
    reason: str,
    current: tuple[int, Terms],
    more: dict[str, Any] | None = None,
) -> Taken:
    from complaints.staff_steps import Taken  # its registry imports this module

    check(complaint, Step.REOPEN, actor)  # closed, by whom, not merged
    terms = promises.of(session, complaint)
    if not window(terms, complaint, at).open:
        created = _follow_up(session, app, complaint, actor, at, reason, current)
        return Taken(complaint.state.value, created=created)
    due = policy.reopen_due(terms, at)  # a new promise; the first stays for the register
    referral = policy.referral_due(terms, due.at)
    _archive_survey(session, complaint)
    complaint.reopened += 1
    complaint.answer_by, complaint.refer_by = due.at, referral.at
    complaint.escalation_level = Level.NONE
    complaint.answered_at = complaint.survey_at = complaint.feedback_by = None
    complaint.closure_reason = complaint.resume_state = None
    complaint.mediation_outcome_at = complaint.assignee_reminded_at = None
    move(
        session,
        complaint,
        Step.REOPEN,
        at=at,
        actor=actor,
        reason=reason,
        data={
            "reopened": complaint.reopened,
            "promise": due.rule,
            "referral": referral.rule,
            "deadlines": {"answer_by": due.at.isoformat(), "refer_by": referral.at.isoformat()},
            **(more or {}),
        },
    )
    to_customer(
        session,
        app,
        complaint=complaint,
        kind="reopened",
        at=at,
        by_customer=actor.role == Role.CUSTOMER,
    )
    return Taken(complaint.state.value)


def _archive_survey(session: Session, complaint: Complaint) -> None:
    """The survey of the answer before the reopening keeps its answer under a round of its
    own (-n: before the n-th reopening), so that the next answer gets a survey of its own."""
    survey = repository.current_survey(session=session, complaint=complaint)
    if survey is not None:
        survey.round = -(complaint.reopened + 1)


def _follow_up(
    session: Session,
    app: App,
    complaint: Complaint,
    actor: Actor,
    at: datetime,
    reason: str,
    current: tuple[int, Terms],
) -> str:
    """A new complaint of the same customer about the same matter, linked both ways; the
    closed one says which."""
    if complaint.anonymised_at is not None:
        raise RuleViolation(f"cannot follow up {complaint.reference}: its personal data was erased")
    person, lang = complaint.complainant, complaint.language
    try:
        asked = Intake.model_validate(
            {
                "name": person.name,
                "email": person.email,
                "phone": person.phone,
                "postal_address": person.postal_address,
                "subject": FOLLOW_UP.get(lang, FOLLOW_UP["en"]).format(
                    reference=complaint.reference
                ),
                "description": reason,
                "channel": complaint.channel,
                "product": complaint.product,
                "region": complaint.region,
                "customer_type": complaint.customer_type,
                "language": lang,
                "consent_contact": complaint.consent_contact,
                "consent_share": complaint.consent_share,
            }
        )
    except ValidationError as error:
        raise Invalid(
            f"cannot follow up {complaint.reference}: {error.errors()[0]['msg']}"
        ) from None
    new = intake.add(
        session, app, asked, at=at, received_at=at, terms=current, follows=complaint.reference
    )
    for first, second in ((complaint, new), (new, complaint)):
        session.add(RelatedComplaint(complaint_id=first.id, related_id=second.id, reason=REOPENED))
    days = promises.of(session, complaint).reopening.within_days
    record(
        session,
        complaint,
        at=at,
        actor=actor,
        action="follow_up",
        reason=f"asked to reopen more than {days} days after closure: {new.reference} follows it",
        data={"created": new.reference},
        visible=True,
    )
    return new.reference


def withdraw(*, app: App, reference: str, by: str, reason: str, at: datetime | None = None) -> str:
    """Record that the customer withdraws the complaint (said by phone, by post…)."""
    reason = reason.strip()
    if not reason:
        raise Invalid("say how the customer withdrew the complaint")
    with app.db.transaction() as session:
        complaint, actor, at = taking(session, reference, by, at)
        return _withdraw(session, app, complaint, actor, at, reason)


def withdraw_by_token(*, app: App, token: str, reason: str = "", at: datetime | None = None) -> str:
    """The customer withdraws the complaint from the tracking page (a reason is optional)."""
    reason = customer_text(reason, 2000) if reason.strip() else "withdrawn on the tracking page"
    with app.db.transaction() as session:
        complaint, at = by_customer(session, token, at)
        return _withdraw(session, app, complaint, CUSTOMER, at, reason)


def _withdraw(
    session: Session, app: App, complaint: Complaint, actor: Actor, at: datetime, reason: str
) -> str:
    """Close it: the e-mails not yet sent are cancelled (before the closure e-mail is written),
    a pause ends, and no deadline runs any more."""
    check(complaint, Step.WITHDRAW, actor)
    terms = promises.of(session, complaint)
    cancelled = outbox_queries.cancel_pending(session=session, complaint_id=complaint.id)
    close_and_tell(
        session,
        app,
        complaint,
        Step.WITHDRAW,
        at=at,
        actor=actor,
        why="withdrawn",
        reason=reason,
        data={"cancelled_emails": cancelled, **end_pause(session, complaint, at)},
        reopen_until=long_date(policy.reopen_until(terms, at), complaint.language, terms.timezone),
    )
    complaint.resume_state = None
    return complaint.state.value

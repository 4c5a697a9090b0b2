"""The staff steps: analysis, action plan, answer, mediation outcome, closure, manual escalation."""

from __future__ import annotations

from datetime import date, datetime

from complaints import policy, record_queries, repository
from complaints.app import App
from complaints.dates import local_day, long_date
from complaints.errors import Invalid, NotListed, RuleViolation
from complaints.lifecycle import State, Step
from complaints.mail.compose import to_customer
from complaints.models import (
    Action,
    ActionKind,
    Analysis,
    Decision,
    Response,
)
from complaints.services import terms as promises
from complaints.services.closure import close_and_tell
from complaints.services.escalation import DECIDED, refer_to_mediator
from complaints.services.history import move, recorded_time
from complaints.services.staff import require_member, taking


def record_analysis(
    *,
    app: App,
    reference: str,
    by: str,
    root_cause: str,
    category: str,
    founded: bool,
    severity: str | None = None,
    at: datetime | None = None,
) -> str:
    """Record a person's analysis: root cause, category, founded or not."""
    if category not in app.conduct.category_keys():
        raise NotListed("category", category, app.conduct.category_keys())
    if not root_cause.strip():
        raise Invalid("the root cause must not be empty", key="blank", field="root_cause")
    with app.db.transaction() as session:
        complaint, actor, at = taking(session, reference, by, at)
        severity = severity or complaint.severity
        move(
            session,
            complaint,
            Step.RECORD_ANALYSIS,
            at=at,
            actor=actor,
            reason=f"{'founded' if founded else 'unfounded'}: {root_cause.strip()}",
            data={"category": category, "severity": severity},
        )
        complaint.category, complaint.founded, complaint.severity = category, founded, severity
        session.add(
            Analysis(
                complaint_id=complaint.id,
                at=at,
                analyst=actor.name,
                category=category,
                severity=severity,
                root_cause=root_cause.strip(),
                founded=founded,
            )
        )
        return complaint.state.value


def plan_action(
    *,
    app: App,
    reference: str,
    by: str,
    kind: ActionKind,
    description: str,
    owner: str,
    due_on: date,
    at: datetime | None = None,
) -> str:
    """Add a curative, corrective or preventive action with its owner and due date."""
    if not description.strip() or not owner.strip():
        raise Invalid("an action needs a description and an owner", key="action_incomplete")
    with app.db.transaction() as session:
        complaint, actor, at = taking(session, reference, by, at)
        if due_on < local_day(at, promises.of(session, complaint).timezone):
            raise Invalid(
                f"the due date {due_on.isoformat()} is in the past", key="past_date", field="due_on"
            )
        move(
            session,
            complaint,
            Step.PLAN_ACTIONS,
            at=at,
            actor=actor,
            reason=f"{kind.value} action: {description.strip()}",
            data={"kind": kind.value, "owner": owner.strip(), "due_on": due_on.isoformat()},
        )
        session.add(
            Action(
                complaint_id=complaint.id,
                kind=kind,
                description=description.strip(),
                owner=owner.strip(),
                due_on=due_on,
                planned_at=at,
            )
        )
        return complaint.state.value


def respond(
    *,
    app: App,
    reference: str,
    by: str,
    decision: Decision,
    message: str,
    at: datetime | None = None,
) -> str:
    """Send the answer: the decision, the actions, and the right to refer to the mediator."""
    if not message.strip():
        raise Invalid("the answer must not be empty", key="blank", field="message")
    with app.db.transaction() as session:
        complaint, actor, at = taking(session, reference, by, at)
        actions = record_queries.actions_of(session=session, complaint_id=complaint.id)
        # A second answer (after a review) tells what is new since the first.
        before = repository.last_answer_at(session=session, complaint_id=complaint.id)
        new = [a for a in actions if before is None or a.planned_at > before]
        if complaint.founded and not actions and complaint.state != State.ACTIONS_PLANNED:
            raise RuleViolation(
                f"{reference} is founded: plan at least one action before answering",
                key="founded_needs_action",
            )
        # Judged by when it is recorded, not by the time claimed for it.
        on_time = not policy.passed(complaint.answer_by, recorded_time(session, at))
        terms = promises.of(session, complaint)
        complaint.answered_at = at
        complaint.first_answered_at = complaint.first_answered_at or at
        complaint.survey_at = policy.survey_due(terms, at)
        complaint.feedback_by = None
        move(
            session,
            complaint,
            Step.RESPOND,
            at=at,
            actor=actor,
            reason=f"answer written ({decision.value}), {'before' if on_time else 'after'} the"
            " promised date; its e-mail queued",
            data={"decision": decision.value, "on_time": on_time},
        )
        session.add(
            Response(
                complaint_id=complaint.id,
                at=at,
                responder=actor.name,
                decision=decision,
                message=message.strip(),
            )
        )
        to_customer(
            session,
            app,
            complaint=complaint,
            kind="answer",
            at=at,
            decision=decision.value,
            message=message.strip(),
            responder=actor.name,
            actions=[
                {
                    "kind": a.kind.value,
                    "description": a.description,
                    "due_on": long_date(a.due_on, complaint.language, terms.timezone),
                }
                for a in new
            ],
            survey_will_come=complaint.consent_contact,
            survey_on=long_date(complaint.survey_at, complaint.language, terms.timezone),
        )
        return complaint.state.value


def record_mediation_outcome(
    *, app: App, reference: str, by: str, outcome: str, at: datetime | None = None
) -> str:
    """Record what the mediator concluded."""
    if not outcome.strip():
        raise Invalid("the outcome must not be empty", key="blank", field="outcome")
    with app.db.transaction() as session:
        complaint, actor, at = taking(session, reference, by, at)
        move(
            session,
            complaint,
            Step.RECORD_MEDIATION_OUTCOME,
            at=at,
            actor=actor,
            reason=f"mediator's outcome: {outcome.strip()}",
            data={"mediator": complaint.mediator_key},
        )
        escalation = repository.latest_referral(session=session, complaint_id=complaint.id)
        assert escalation is not None  # with_mediator is reached only through a referral
        escalation.outcome, escalation.outcome_at = outcome.strip(), at
        complaint.mediation_outcome_at = at
        return complaint.state.value


def close(*, app: App, reference: str, by: str, reason: str, at: datetime | None = None) -> str:
    """Close an answered complaint, or one whose mediation has an outcome; the customer is told."""
    if not reason.strip():
        raise Invalid("say why the complaint is closed (--reason)", key="blank", field="reason")
    with app.db.transaction() as session:
        complaint, actor, at = taking(session, reference, by, at)
        why, note = "closed_by_staff", reason.strip()
        if complaint.state == State.WITH_MEDIATOR:
            referral = repository.latest_referral(session=session, complaint_id=complaint.id)
            if referral is not None and referral.outcome is not None:
                why, note = "mediation", referral.outcome  # the customer is told the outcome
        close_and_tell(
            session,
            app,
            complaint,
            Step.CLOSE,
            at=at,
            actor=actor,
            why=why,
            reason=reason.strip(),
            note=note,
        )
        return complaint.state.value


def escalate(*, app: App, reference: str, by: str, reason: str, at: datetime | None = None) -> str:
    """A manager refers the complaint to the mediator."""
    if not reason.strip():
        raise Invalid(
            "say why the complaint goes to the mediator (--reason)", key="blank", field="reason"
        )
    with app.db.transaction() as session:
        complaint, actor, at = taking(session, reference, by, at)
        refer_to_mediator(
            session, app, complaint, at=at, actor=actor, why=DECIDED, note=reason.strip()
        )
        return complaint.state.value


def assign(*, app: App, reference: str, by: str, assignee: str, at: datetime | None = None) -> str:
    """Give the complaint to an active member of the staff (a manager's decision); they are
    reminded before the answer falls due."""
    with app.db.transaction() as session:
        complaint, actor, at = taking(session, reference, by, at)
        member = require_member(session, assignee, at=recorded_time(session, at), field="assignee")
        before = complaint.assignee
        move(
            session,
            complaint,
            Step.ASSIGN,
            at=at,
            actor=actor,
            reason=f"assigned to {member.name}",
            data={"from": before, "to": member.name},
        )
        complaint.assignee, complaint.assignee_reminded_at = member.name, None
        return complaint.state.value

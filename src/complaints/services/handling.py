"""The staff steps: analysis, action plan, answer, mediation outcome, closure, manual escalation."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from complaints import policy, repository
from complaints.app import App
from complaints.clock import at_or_now
from complaints.lifecycle import State, Step
from complaints.mail.compose import to_customer
from complaints.mail.render import long_date
from complaints.models import Action, ActionKind, Analysis, Decision, Escalation, Response
from complaints.services.errors import RuleViolation
from complaints.services.escalation import refer_to_mediator
from complaints.services.history import Actor, move, record


def _staff(name: str) -> Actor:
    if not name.strip():
        raise RuleViolation("say who acts (--by NAME): every step has an owner")
    return Actor("staff", name.strip())


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
    at, actor = at_or_now(at), _staff(by)
    if category not in app.conduct.category_keys():
        raise RuleViolation(
            f"unknown category {category!r}; one of: {', '.join(app.conduct.category_keys())}"
        )
    if not root_cause.strip():
        raise RuleViolation("the root cause must not be empty")
    with app.db.transaction() as session:
        complaint = repository.get(session=session, reference=reference, lock=True)
        severity = severity or complaint.severity
        move(
            session,
            app.conduct,
            complaint,
            Step.RECORD_ANALYSIS,
            at=at,
            actor=actor,
            reason=f"{'founded' if founded else 'unfounded'}: {root_cause.strip()}",
            data={"category": category, "severity": severity},
            visible=False,
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
    at, actor = at_or_now(at), _staff(by)
    if not description.strip() or not owner.strip():
        raise RuleViolation("an action needs a description and an owner")
    if due_on < at.date():
        raise RuleViolation(f"the due date {due_on.isoformat()} is in the past")
    with app.db.transaction() as session:
        complaint = repository.get(session=session, reference=reference, lock=True)
        move(
            session,
            app.conduct,
            complaint,
            Step.PLAN_ACTIONS,
            at=at,
            actor=actor,
            reason=f"{kind.value} action: {description.strip()}",
            data={"kind": kind.value, "owner": owner.strip(), "due_on": due_on.isoformat()},
            visible=False,
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
    at, actor = at_or_now(at), _staff(by)
    if not message.strip():
        raise RuleViolation("the answer must not be empty")
    with app.db.transaction() as session:
        complaint = repository.get(session=session, reference=reference, lock=True)
        actions = list(
            session.scalars(
                select(Action).where(Action.complaint_id == complaint.id).order_by(Action.id)
            )
        )
        if complaint.founded and not actions and complaint.state != State.ACTIONS_PLANNED:
            raise RuleViolation(
                f"{reference} is founded: plan at least one action before answering"
            )
        on_time = at <= complaint.answer_by
        complaint.answered_at = at
        complaint.first_answered_at = complaint.first_answered_at or at
        complaint.survey_at = policy.survey_due(app.conduct, at)
        complaint.feedback_by = None
        move(
            session,
            app.conduct,
            complaint,
            Step.RESPOND,
            at=at,
            actor=actor,
            reason=f"answer given ({decision.value}), {'on time' if on_time else 'late'}",
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
        mediator = policy.mediator_for(app.conduct, complaint.product)
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
                    "due_on": long_date(a.due_on, complaint.language),
                }
                for a in actions
            ],
            mediator=mediator.model_dump(mode="json"),
        )
        return complaint.state.value


def record_mediation_outcome(
    *, app: App, reference: str, by: str, outcome: str, at: datetime | None = None
) -> str:
    """Record what the mediator concluded."""
    at, actor = at_or_now(at), _staff(by)
    if not outcome.strip():
        raise RuleViolation("the outcome must not be empty")
    with app.db.transaction() as session:
        complaint = repository.get(session=session, reference=reference, lock=True)
        move(
            session,
            app.conduct,
            complaint,
            Step.RECORD_MEDIATION_OUTCOME,
            at=at,
            actor=actor,
            reason=f"mediator's outcome: {outcome.strip()}",
            data={"mediator": complaint.mediator_key},
        )
        escalation = session.scalars(
            select(Escalation)
            .where(Escalation.complaint_id == complaint.id, Escalation.level == "mediator")
            .order_by(Escalation.at.desc())
        ).first()
        assert escalation is not None  # with_mediator is reached only through a referral
        escalation.outcome, escalation.outcome_at = outcome.strip(), at
        return complaint.state.value


def close(*, app: App, reference: str, by: str, reason: str, at: datetime | None = None) -> str:
    """Close an answered complaint, or one whose mediation has an outcome."""
    at, actor = at_or_now(at), _staff(by)
    if not reason.strip():
        raise RuleViolation("say why the complaint is closed (--reason)")
    with app.db.transaction() as session:
        complaint = repository.get(session=session, reference=reference, lock=True)
        if complaint.state == State.WITH_MEDIATOR:
            pending = session.scalars(
                select(Escalation).where(
                    Escalation.complaint_id == complaint.id,
                    Escalation.level == "mediator",
                    Escalation.outcome.is_(None),
                )
            ).first()
            if pending is not None:
                raise RuleViolation(f"{reference} is with the mediator: record the outcome first")
        complaint.closure_reason = (
            "mediation" if complaint.state == State.WITH_MEDIATOR else "closed_by_staff"
        )
        move(session, app.conduct, complaint, Step.CLOSE, at=at, actor=actor, reason=reason.strip())
        return complaint.state.value


def escalate(*, app: App, reference: str, by: str, reason: str, at: datetime | None = None) -> str:
    """A manager refers the complaint to the mediator."""
    at, actor = at_or_now(at), _staff(by)
    if not reason.strip():
        raise RuleViolation("say why the complaint goes to the mediator (--reason)")
    with app.db.transaction() as session:
        complaint = repository.get(session=session, reference=reference, lock=True)
        refer_to_mediator(session, app, complaint, at=at, actor=actor, reason=reason.strip())
        return complaint.state.value


def assign(*, app: App, reference: str, by: str, assignee: str, at: datetime | None = None) -> str:
    """Give the complaint to a person (a manager's decision)."""
    at, actor = at_or_now(at), _staff(by)
    if not assignee.strip() or len(assignee) > 120:
        raise RuleViolation("the assignee is a name of at most 120 characters")
    with app.db.transaction() as session:
        complaint = repository.get(session=session, reference=reference, lock=True)
        if complaint.state == State.CLOSED:
            raise RuleViolation(f"{reference} is closed")
        before, complaint.assignee = complaint.assignee, assignee.strip()
        record(
            session,
            complaint,
            at=at,
            actor=actor,
            action="assign",
            reason=f"assigned to {complaint.assignee}",
            data={"from": before, "to": complaint.assignee},
        )
        return complaint.state.value

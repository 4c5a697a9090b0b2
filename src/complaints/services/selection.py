"""What the sweeps select: only what is due, through indexed queries; references only."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from complaints import outbox_queries, repository
from complaints.app import App
from complaints.lifecycle import ANSWER_WAKE_STATES, Level, State
from complaints.models import Complaint

NEW = (State.RECEIVED, State.ACKNOWLEDGED)


def new_or_pending_mail(*, app: App, as_of: datetime, limit: int = 5_000) -> list[str]:
    """New complaints to acknowledge or analyse first, then those with e-mail waiting."""
    with app.db.reader() as session:
        new = repository.due(session=session, states=NEW, as_of=as_of, limit=limit)
        mail = outbox_queries.with_pending_mail(session=session, as_of=as_of, limit=limit)
    return list(dict.fromkeys(new + mail))


def overdue(*, app: App, as_of: datetime, limit: int = 5_000) -> dict[str, list[str]]:
    """`remind`: the assignee is told the answer falls due soon; `alert`: promise missed,
    manager not yet told; `refer`: past the grace after the alert."""
    with app.db.reader() as session:
        late_ack = repository.late_acknowledgements(session=session, as_of=as_of)
        rows = session.execute(
            select(Complaint.reference, Complaint.escalation_level)
            .where(Complaint.wake_at <= as_of, Complaint.state.in_(list(ANSWER_WAKE_STATES)))
            .order_by(Complaint.wake_at)
            .limit(limit)
        ).all()
        remind = repository.assignees_to_remind(
            session=session,
            due_before=as_of + timedelta(days=app.conduct.handling.assignee_reminder_days),
            limit=limit,
        )
    alert = late_ack + [ref for ref, level in rows if level == Level.NONE]
    refer = [ref for ref, level in rows if level == Level.MANAGER]
    return {"remind": remind, "alert": alert, "refer": refer}


def follow_ups(*, app: App, as_of: datetime, limit: int = 5_000) -> dict[str, list[str]]:
    """`survey`: answered and the survey is due; `close`: the survey went unanswered too long;
    `information`: information asked of the customer, its reminder or its end is due."""
    with app.db.reader() as session:
        survey = repository.due(session=session, states=[State.ANSWERED], as_of=as_of, limit=limit)
        close = repository.due(
            session=session, states=[State.AWAITING_FEEDBACK], as_of=as_of, limit=limit
        )
        information = repository.due(
            session=session, states=[State.AWAITING_INFORMATION], as_of=as_of, limit=limit
        )
    return {"survey": survey, "close": close, "information": information}


def new_steps(*, app: App, references: list[str], as_of: datetime) -> dict[str, list[str]]:
    """Which of these complaints each step of the lifecycle flow has work for: `acknowledge`
    (received), `analyse` (received or acknowledged), `mail` (an e-mail due, or one these
    steps will write). An unknown reference goes to every step, which refuses it by name."""
    with app.db.reader() as session:
        rows = session.execute(
            select(Complaint.id, Complaint.reference, Complaint.state).where(
                Complaint.reference.in_(references)
            )
        ).all()
        ids_of = {row.reference: row.id for row in rows}
        mailed = outbox_queries.with_mail_due(
            session=session, complaint_ids=list(ids_of.values()), as_of=as_of
        )
    states = {row.reference: row.state for row in rows}
    new = [r for r in references if r not in states or states[r] in NEW]
    return {
        "acknowledge": [r for r in new if states.get(r) in (State.RECEIVED, None)],
        "analyse": new,
        "mail": [r for r in references if r in new or ids_of.get(r) in mailed],
    }

"""The records of one complaint, in order: its events, surveys, actions, answers and e-mails.
Keyword-only; never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from complaints.models import (
    Action,
    Analysis,
    Event,
    OutboxMessage,
    OutboxStatus,
    Response,
    Survey,
)


def events_of(*, session: Session, complaint_id: int, visible: bool = False) -> list[Event]:
    """The complaint's history; only what the customer sees when `visible`."""
    query = select(Event).where(Event.complaint_id == complaint_id).order_by(Event.id)
    if visible:
        query = query.where(Event.customer_visible.is_(True))
    return list(session.scalars(query))


def surveys_of(*, session: Session, complaint_id: int) -> list[Survey]:
    query = select(Survey).where(Survey.complaint_id == complaint_id).order_by(Survey.round)
    return list(session.scalars(query))


def actions_of(*, session: Session, complaint_id: int) -> list[Action]:
    query = select(Action).where(Action.complaint_id == complaint_id).order_by(Action.id)
    return list(session.scalars(query))


def analyses_of(*, session: Session, complaint_id: int) -> list[Analysis]:
    """The first analysis (automatic, at intake) and each staff analysis after it."""
    query = select(Analysis).where(Analysis.complaint_id == complaint_id).order_by(Analysis.id)
    return list(session.scalars(query))


def answers_of(*, session: Session, complaint_id: int) -> list[Response]:
    query = select(Response).where(Response.complaint_id == complaint_id).order_by(Response.id)
    return list(session.scalars(query))


def mails_of(*, session: Session, complaint_id: int) -> list[OutboxMessage]:
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.complaint_id == complaint_id)
        .order_by(OutboxMessage.id)
    )
    return list(session.scalars(query))


def latest_answer(*, session: Session, complaint_id: int) -> Response | None:
    query = (
        select(Response).where(Response.complaint_id == complaint_id).order_by(Response.at.desc())
    )
    return session.scalars(query).first()


def latest_sent(*, session: Session, complaint_id: int, kind: str) -> datetime | None:
    """When the mail server last accepted an e-mail of `kind` about the complaint."""
    query = (
        select(OutboxMessage.sent_at)
        .where(
            OutboxMessage.complaint_id == complaint_id,
            OutboxMessage.kind == kind,
            OutboxMessage.status == OutboxStatus.SENT,
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    return session.scalar(query)

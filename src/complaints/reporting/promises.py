"""The promise register (ISO 10001): each promise of the code of conduct, how often it was kept,
per channel, product and region, and every breach with its cause.

The one definition of "on time", which the key figures, the audit and the dashboard use too:
a promise to write is kept when the mail server accepted the e-mail by the promised moment
(the time the system recorded it, never the time a person claimed for the step). It falls due
once that e-mail is accepted, or once the promised moment has passed without it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from complaints.app import App
from complaints.models import Complaint, OutboxMessage, OutboxStatus
from complaints.reporting.sql import Scope, share

BY = ("channel", "product", "region")
# Closed without an answer being owed any more: the customer withdrew, never sent the
# information asked, or the complaint was merged into another, whose answer it gets (each
# counts as a breach only if it came after the promised date).
NOT_OWED = ("withdrawn", "no_information", "merged")


@dataclass(frozen=True)
class Promise:
    key: str
    due: ColumnElement[bool]  # the promise has fallen due
    kept: ColumnElement[bool]  # ... and was kept


def _owed() -> ColumnElement[bool]:
    """The first answer is owed by its promised date: the clock did not stop for information
    before that date (resumed, the date moved on by the days paused), nor did the complaint
    close before it without an answer being owed."""
    c = Complaint
    return and_(
        or_(c.paused_at.is_(None), c.paused_at > c.promised_answer_by),
        or_(
            c.closure_reason.is_(None),
            c.closure_reason.not_in(NOT_OWED),
            c.closed_at > c.promised_answer_by,
        ),
    )


def promises(now: datetime) -> list[Promise]:
    c = Complaint
    survey_mail = exists().where(
        OutboxMessage.complaint_id == c.id,
        OutboxMessage.kind == "survey",
        OutboxMessage.status == OutboxStatus.SENT,
    )
    return [
        Promise(
            "acknowledge",
            or_(c.acknowledgement_sent_at.is_not(None), c.acknowledge_by < now),
            c.acknowledgement_sent_at <= c.acknowledge_by,
        ),
        Promise(
            "answer",
            or_(c.first_answer_sent_at.is_not(None), and_(c.promised_answer_by < now, _owed())),
            c.first_answer_sent_at <= c.promised_answer_by,
        ),
        Promise(
            "follow_up",  # owed only to those who agreed to be contacted
            and_(c.survey_at < now - timedelta(days=1), c.consent_contact.is_(True)),
            survey_mail,
        ),
        Promise(
            "mediation",  # the answer states the right to the mediator: kept once delivered
            or_(
                c.first_answer_sent_at.is_not(None),
                and_(c.first_answered_at.is_not(None), c.promised_answer_by < now),
            ),
            c.first_answer_sent_at.is_not(None),
        ),
    ]


def counts(now: datetime) -> list[Any]:
    """(due, kept) sums of every promise, as SQL: for a SELECT over complaints."""
    sums: list[Any] = []
    for p in promises(now):
        sums += [
            func.coalesce(func.sum(case((p.due, 1), else_=0)), 0),
            func.coalesce(func.sum(case((and_(p.due, p.kept), 1), else_=0)), 0),
        ]
    return sums


def _rates(
    session: Session, scope: Scope, now: datetime
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Due and kept counts of every promise, overall and per value of each of BY, from one
    pass over the period grouped by all of BY at once (a few hundred groups), summed here."""
    all_promises = promises(now)
    columns = [getattr(Complaint, name) for name in BY]
    rows = session.execute(
        select(*columns, *counts(now)).where(*scope.where()).group_by(*columns)
    ).all()
    width = len(BY)
    overall: dict[str, Counter[str]] = {p.key: Counter() for p in all_promises}
    per: dict[str, dict[str, dict[str, Counter[str]]]] = {name: {} for name in BY}
    for row in rows:
        for i, p in enumerate(all_promises):
            tally = Counter(due=int(row[width + 2 * i]), kept=int(row[width + 2 * i + 1]))
            overall[p.key].update(tally)
            for d, name in enumerate(BY):
                per[name].setdefault(p.key, {}).setdefault(str(row[d]), Counter()).update(tally)

    def rate(tally: Counter[str]) -> dict[str, Any]:
        return {
            "due": tally["due"],
            "kept": tally["kept"],
            "rate": share(tally["kept"], tally["due"]),
        }

    by = {
        name: {
            key: [{"value": value, **rate(c)} for value, c in sorted(groups.items()) if c["due"]]
            for key, groups in per[name].items()
        }
        for name in BY
    }
    return {key: rate(c) for key, c in overall.items()}, {
        name: {p.key: by[name].get(p.key, []) for p in all_promises} for name in BY
    }


def _late(done: datetime | None, due: datetime, now: datetime) -> dict[str, Any]:
    if done is None:
        return {"kind": "not_done", "days": (now - due).days}
    return {"kind": "late", "hours": round((done - due).total_seconds() / 3600, 1)}


def _cause(key: str, row: Any, now: datetime) -> dict[str, Any]:
    """Why a promise was broken, as data (the report words it in its language). Where the time
    a person claimed for the step differs from when it was recorded, both are given."""
    if key == "acknowledge":
        return _late(row.acknowledgement_sent_at, row.acknowledge_by, now)
    if key == "answer":
        cause = _late(row.first_answer_sent_at, row.promised_answer_by, now)
        cause["escalated"] = bool(row.escalation_level)
        if row.first_answered_at is not None and cause["kind"] == "not_done":
            cause["kind"] = "written_not_delivered"
        if row.first_answered_at is not None and row.first_answered_at <= row.promised_answer_by:
            cause["claimed"] = row.first_answered_at.isoformat()  # dated in time, recorded late
        return cause
    if key == "follow_up":
        return {"kind": "survey_not_sent"}
    return {"kind": "answer_not_delivered"}


def _paused(session: Session, scope: Scope) -> dict[str, int]:
    """The complaints whose answer's clock stood still for information, and the days it did:
    the answer promise excludes them (its date moved on by as many days)."""
    c = Complaint
    row = session.execute(
        select(
            func.count().filter(or_(c.paused_days > 0, c.paused_at.is_not(None))),
            func.coalesce(func.sum(c.paused_days), 0),
        ).where(*scope.where())
    ).one()
    return {"complaints": int(row[0]), "days": int(row[1])}


def register(
    *, app: App, scope: Scope, now: datetime, breaches_limit: int = 200
) -> list[dict[str, Any]]:
    """Each promise: overall rate, per channel/product/region, and its breaches (most recent
    first); the answer's says how much paused time it excludes."""
    out = []
    with app.db.reader() as session:
        overall, by = _rates(session, scope, now)
        paused = _paused(session, scope)
        for promise in promises(now):
            broken = session.execute(
                select(
                    Complaint.reference,
                    Complaint.acknowledgement_sent_at,
                    Complaint.acknowledge_by,
                    Complaint.first_answered_at,
                    Complaint.first_answer_sent_at,
                    Complaint.promised_answer_by,
                    Complaint.escalation_level,
                )
                .where(*scope.where(), promise.due, or_(~promise.kept, promise.kept.is_(None)))
                .order_by(Complaint.received_at.desc())
                .limit(breaches_limit)
            )
            out.append(
                {
                    "key": promise.key,
                    **overall[promise.key],
                    "by": {name: by[name][promise.key] for name in BY},
                    "breaches": [
                        {"reference": r.reference, "cause": _cause(promise.key, r, now)}
                        for r in broken
                    ],
                    **({"paused": paused} if promise.key == "answer" else {}),
                }
            )
    return out

"""The promise register (ISO 10001): each promise of the code of conduct, how often it was kept,
per channel, product and region, and every breach with its cause."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from complaints.app import App
from complaints.models import Complaint, OutboxMessage, Survey
from complaints.reporting.sql import Scope, share

BY = ("channel", "product", "region")


@dataclass(frozen=True)
class Promise:
    key: str
    fr: str
    en: str
    due: ColumnElement[bool]  # the promise has fallen due
    kept: ColumnElement[bool]  # ... and was kept


def promises(now: datetime) -> list[Promise]:
    c = Complaint
    survey_sent = exists().where(Survey.complaint_id == c.id, Survey.sent_at.is_not(None))
    answer_mail = exists().where(
        OutboxMessage.complaint_id == c.id,
        OutboxMessage.kind == "answer",
        OutboxMessage.status == "sent",
    )
    return [
        Promise(
            "acknowledge",
            "Accuser réception immédiatement",
            "Acknowledge at once",
            or_(c.acknowledged_at.is_not(None), c.acknowledge_by < now),
            c.acknowledged_at <= c.acknowledge_by,
        ),
        Promise(
            "answer",
            "Répondre dans le délai promis (15 jours pour l'écrit)",
            "Answer within the promised time",
            or_(c.first_answered_at.is_not(None), c.promised_answer_by < now),
            c.first_answered_at <= c.promised_answer_by,
        ),
        Promise(
            "follow_up",
            "Mesurer la satisfaction après la réponse",
            "Follow up satisfaction after the answer",
            and_(c.survey_at < now - timedelta(days=1), c.consent_contact.is_(True)),
            survey_sent,  # owed only to those who agreed to be contacted
        ),
        Promise(
            "mediation",
            "Informer du recours au médiateur",
            "Tell of the right to the mediator",
            c.first_answered_at.is_not(None),
            answer_mail,
        ),
    ]


def _rates(
    session: Session, scope: Scope, all_promises: list[Promise]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Due and kept counts of every promise, overall and per value of each of BY, from one
    pass over the period grouped by all of BY at once (a few hundred groups), summed here."""
    sums = []
    for p in all_promises:
        sums += [
            func.sum(case((p.due, 1), else_=0)),
            func.sum(case((and_(p.due, p.kept), 1), else_=0)),
        ]
    columns = [getattr(Complaint, name) for name in BY]
    rows = session.execute(select(*columns, *sums).where(*scope.where()).group_by(*columns)).all()
    width = len(BY)
    overall: dict[str, Counter[str]] = {p.key: Counter() for p in all_promises}
    per: dict[str, dict[str, dict[str, Counter[str]]]] = {name: {} for name in BY}
    for row in rows:
        for i, p in enumerate(all_promises):
            counts = Counter(
                due=int(row[width + 2 * i] or 0), kept=int(row[width + 2 * i + 1] or 0)
            )
            overall[p.key].update(counts)
            for d, name in enumerate(BY):
                per[name].setdefault(p.key, {}).setdefault(str(row[d]), Counter()).update(counts)

    def rate(counts: Counter[str]) -> dict[str, Any]:
        return {
            "due": counts["due"],
            "kept": counts["kept"],
            "rate": share(counts["kept"], counts["due"]),
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


def _cause(key: str, row: Any, now: datetime) -> str:
    def late(done: datetime | None, due: datetime) -> str:
        if done is None:
            return f"not done, overdue by {(now - due).days} day(s)"
        hours = (done - due).total_seconds() / 3600
        return f"{hours:.1f} h late" if hours < 48 else f"{hours / 24:.0f} days late"

    if key == "acknowledge":
        return late(row.acknowledged_at, row.acknowledge_by)
    if key == "answer":
        return late(row.first_answered_at, row.promised_answer_by) + (
            ", escalated" if row.escalation_level else ""
        )
    if key == "follow_up":
        return "survey not sent"
    return "answer e-mail not delivered"


def register(
    *, app: App, scope: Scope, now: datetime, breaches_limit: int = 200
) -> list[dict[str, Any]]:
    """Each promise: overall rate, per channel/product/region, and its breaches (most recent first)."""
    out = []
    all_promises = promises(now)
    with app.db.reader() as session:
        overall, by = _rates(session, scope, all_promises)
        for promise in all_promises:
            broken = session.execute(
                select(
                    Complaint.reference,
                    Complaint.received_at,
                    Complaint.acknowledged_at,
                    Complaint.acknowledge_by,
                    Complaint.first_answered_at,
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
                    "fr": promise.fr,
                    "en": promise.en,
                    **overall[promise.key],
                    "by": {name: by[name][promise.key] for name in BY},
                    "breaches": [
                        {"reference": r.reference, "cause": _cause(promise.key, r, now)}
                        for r in broken
                    ],
                }
            )
    return out

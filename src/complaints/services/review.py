"""The monthly review (NF X 50-056 "réunions de bilan"): last month's report, e-mailed to the
quality managers configured. One per month and recipient, however often the flow runs."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parseaddr

from sqlalchemy import select

from complaints.app import App
from complaints.clock import at_or_now
from complaints.models import OutboxMessage
from complaints.reporting.report import build, to_html
from complaints.reporting.sql import Scope


def previous_month(at: datetime) -> Scope:
    """The calendar month before `at` (UTC)."""
    first = datetime(at.year, at.month, 1, tzinfo=UTC)
    start = datetime(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1, tzinfo=UTC)
    return Scope(since=start, until=first)


def _summary(report: dict[str, object], month: str) -> str:
    f = report["figures"]
    assert isinstance(f, dict)
    lines = [
        f"Revue des réclamations — {month}",
        "",
        f"Reçues : {f['total']} · ouvertes : {f['open_now']} · en retard : {f['overdue_now']}",
        f"Réponse dans le délai : {f['answer_days']['on_time_share']} · satisfaction : {f['satisfaction']['rate']}",
    ]
    actions = report["actions"]
    assert isinstance(actions, list)
    late = [a for a in actions if a["overdue"]]
    if late:
        lines += ["", "Actions en retard :"] + [
            f"- {a['reference']} {a['owner']} ({a['due_on']}) : {a['description']}" for a in late
        ]
    causes = report["recurring"]
    assert isinstance(causes, list)
    if causes:
        lines += ["", "Causes récurrentes :"] + [
            f"- {c['product']} / {c['category']} : {c['count']}" for c in causes
        ]
    return "\n".join([*lines, "", "Le rapport complet est la version HTML de ce message."]) + "\n"


def queue_monthly_review(*, app: App, at: datetime | None = None) -> int:
    """Write last month's review into the outbox for each recipient; the number written now."""
    at = at_or_now(at)
    scope = previous_month(at)
    month = scope.since.strftime("%Y-%m")
    report = build(app=app, scope=scope, now=at)
    html, text = to_html(app, report), _summary(report, month)
    domain = parseaddr(app.settings.mail_from)[1].rpartition("@")[2] or "complaints.local"
    written = 0
    with app.db.transaction() as session:
        for recipient in app.conduct.organisation.review_recipients:
            message_id = f"<review-{month}.{recipient.replace('@', '.')}@{domain}>"
            if session.scalars(
                select(OutboxMessage.id).where(OutboxMessage.message_id == message_id)
            ).first():
                continue
            session.add(
                OutboxMessage(
                    complaint_id=None,
                    kind="monthly_review",
                    recipient=str(recipient),
                    recipient_name="",
                    subject=f"Revue mensuelle des réclamations — {month}",
                    text_body=text,
                    html_body=html,
                    message_id=message_id,
                    created_at=at,
                    next_attempt_at=at,
                )
            )
            written += 1
    return written

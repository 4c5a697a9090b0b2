"""The monthly review (NF X 50-056 "réunions de bilan"): last month's report, e-mailed to the
quality managers configured. One per month and recipient, however often the flow runs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.utils import parseaddr
from typing import Any

from sqlalchemy import select

from complaints.app import App
from complaints.clock import at_or_now
from complaints.dates import long_date
from complaints.models import OutboxMessage
from complaints.reporting.report import build, to_html
from complaints.reporting.sql import Scope
from complaints.words import catalog, percent, typeset


def previous_month(at: datetime) -> Scope:
    """The calendar month before `at` (UTC)."""
    first = datetime(at.year, at.month, 1, tzinfo=UTC)
    start = datetime(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1, tzinfo=UTC)
    return Scope(since=start, until=first)


def _summary(app: App, report: dict[str, Any], month: str) -> tuple[str, str]:
    """(subject, text) of the review e-mail, in the organisation's language."""
    lang = app.conduct.organisation.language
    said = catalog(app.settings.home / "templates")[lang]["review"]
    f = report["figures"]
    register = {p["key"]: p["rate"] for p in report["promises"]}

    def pct(value: float | None) -> str:
        return (
            "—"
            if value is None
            else f"{100 * value:.1f} %".replace(".", "," if lang == "fr" else ".")
        )

    lines = [
        said["title"].format(month=month),
        "",
        said["counts"].format(total=f["total"], open=f["open_now"], overdue=f["overdue_now"]),
        said["rates"].format(
            ack=percent(register["acknowledge"], lang),
            answer=percent(register["answer"], lang),
            satisfaction=percent(f["satisfaction"]["rate"], lang),
        ),
    ]
    late = [a for a in report["actions"] if a["overdue"]]
    if late:
        zone = app.conduct.organisation.timezone
        lines += ["", said["late_actions"]] + [
            f"- {a['reference']} — {a['owner']} ({long_date(date.fromisoformat(a['due_on']), lang, zone)})"
            f" : {a['description']}"
            for a in late
        ]
    if report["recurring"]:
        lines += ["", said["recurring"]] + [
            f"- {c['product']} / {c['category']} : {c['count']}" for c in report["recurring"]
        ]
    text = "\n".join([*lines, "", said["full"], ""])
    return typeset(said["subject"].format(month=month), lang), typeset(text, lang)


def queue_monthly_review(*, app: App, at: datetime | None = None) -> int:
    """Write last month's review into the outbox for each recipient; the number written now."""
    at = at_or_now(at)
    scope = previous_month(at)
    month = scope.since.strftime("%Y-%m")
    report = build(app=app, scope=scope, now=at)
    html = to_html(app, report)
    subject, text = _summary(app, report, month)
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
                    subject=subject,
                    text_body=text,
                    html_body=html,
                    message_id=message_id,
                    created_at=at,
                    next_attempt_at=at,
                )
            )
            written += 1
    return written

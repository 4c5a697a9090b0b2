"""The staff complaint page's words: states, dates in the organisation's time, the history,
the e-mails' kinds and statuses, and each step form's sensible defaults (the answer from a
reusable template in the customer's language)."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from complaints import answer_templates, history_words
from complaints.app import App
from complaints.clock import at_or_now
from complaints.dates import local_day, long_date, short_moment
from complaints.lifecycle import State, labels
from complaints.services import staff
from complaints.services.staff import Staff
from complaints.words import label

log = logging.getLogger("complaints.web")
READ = "personal_data_viewed"
ACTION_DAYS = 7  # an action's default due date: a week from today, unless the answer is sooner
# The parts of `show` whose moments the page prints (the history has its own words).
DATED = ("received_at", "attachments", "analyses", "actions", "answers", "emails")


def _moments(value: Any, lang: str, zone: str) -> Any:
    """Every ISO moment in `value` as the reader reads it (local, in their language)."""
    if isinstance(value, dict):
        return {k: _moments(v, lang, zone) for k, v in value.items()}
    if isinstance(value, list):
        return [_moments(v, lang, zone) for v in value]
    if isinstance(value, str) and len(value) >= 25 and value[10:11] == "T":
        try:
            return short_moment(datetime.fromisoformat(value), lang, zone)
        except ValueError:
            return value
    return value


def _defaults(
    app: App, data: dict[str, Any], member: Staff, chosen_answer: str | None
) -> tuple[dict[str, dict[str, str]], list[dict[str, Any]]]:
    """Each form's first values, and the reusable answers offered."""
    zone = app.conduct.organisation.timezone
    today = local_day(at_or_now(None), zone)
    answer_day = local_day(datetime.fromisoformat(data["answer_by"]), zone)
    due = min(today + timedelta(days=ACTION_DAYS), max(answer_day, today + timedelta(days=1)))
    founded = next((a["founded"] for a in reversed(data["analyses"]) if not a["automatic"]), None)
    decision = "rejected" if founded is False else "accepted"
    templates = app.settings.home / "templates"
    lang = data["complainant"]["language"]
    try:
        offered = answer_templates.offered(templates, lang, data["category"])
    except answer_templates.AnswersError as bad:  # `complaints doctor` says it too
        log.error("standard answers unreadable: %s", bad)
        offered = []
    picked = next((a for a in offered if a.key == chosen_answer), None) or answer_templates.default(
        offered, data["category"], decision
    )
    facts = {
        "name": data["complainant"]["name"],
        "reference": data["reference"],
        "subject": data["subject"],
    }
    if picked is not None and picked.decision != answer_templates.ANY:
        decision = picked.decision  # a standard refusal is a refusal
    defaults = {
        "actions": {"kind": "curative", "owner": member.name, "due_on": date.isoformat(due)},
        "response": {
            "decision": decision,
            "message": picked.filled(lang, **facts) if picked else "",
        },
        "assign": {"assignee": data["assignee"] or member.name},
    }
    listed = [
        {
            "key": a.key,
            "title": a.title,
            "chosen": a is picked,
            "text": a.filled(lang, **facts),  # for the page's script to fill in place
            "decision": "" if a.decision == answer_templates.ANY else a.decision,
        }
        for a in offered
    ]
    return defaults, listed


def context(
    app: App, data: dict[str, Any], lang: str, member: Staff, chosen_answer: str | None = None
) -> dict[str, Any]:
    """What the page shows besides the complaint's own data."""
    templates = app.settings.home / "templates"
    zone = app.conduct.organisation.timezone
    defaults, answers = _defaults(app, data, member, chosen_answer)
    categories = {c.key: getattr(c, lang) for c in app.conduct.categories}
    customer = [
        e for e in data["history"] if e["action"] in ("customer_message", "feedback_comment")
    ]
    # Each reading is an event (the access log); the page counts them rather than list them.
    reads = [e for e in data["history"] if e["action"] == READ]
    story = [e for e in data["history"] if e["action"] != READ]
    return {
        "when": {key: _moments(data[key], lang, zone) for key in DATED},
        "state_words": labels(lang, customer=False)[State(data["state"])],
        "history_words": history_words.read(story, lang=lang, templates=templates, timezone=zone),
        "viewed": {
            "count": len(reads),
            "at": short_moment(datetime.fromisoformat(reads[-1]["at"]), lang, zone),
            "name": reads[-1]["actor"].partition(":")[2],
        }
        if reads
        else None,
        "action_days": [
            long_date(date.fromisoformat(a["due_on"]), lang, zone) for a in data["actions"]
        ],
        "merged_words": {
            d["reference"]: history_words.read(
                d["history"], lang=lang, templates=templates, timezone=zone
            )
            for d in data["merged"]
        },
        "customer_messages": [
            {"at": short_moment(datetime.fromisoformat(e["at"]), lang, zone), "text": e["reason"]}
            for e in customer
            if e["reason"]
        ],
        "channel_words": label(templates, lang, "channel", data["channel"]),
        "region_words": app.conduct.intake.label("region", data["region"], lang),
        "members": staff.active_names(app=app),
        "severity_words": label(templates, lang, "severity", data["severity"]),
        "promise_words": {
            d["promise"]: label(templates, lang, "promise", d["promise"]) for d in data["deadlines"]
        },
        "category_words": categories,
        "defaults": defaults,
        "answers": answers,
        "answer_lang": data["complainant"]["language"],
    }

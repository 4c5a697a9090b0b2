"""Closing a complaint: the step, its reason, and the e-mail that tells the customer so."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from complaints.app import App
from complaints.lifecycle import Step
from complaints.mail.compose import to_customer
from complaints.models import Complaint
from complaints.services.history import Actor, move

# Why a complaint is closed; each has its words in the closure e-mail.
REASONS = (
    "satisfied",
    "no_feedback",
    "mediation",
    "closed_by_staff",
    "merged",
    "no_information",
    "withdrawn",
)


def close_and_tell(
    session: Session,
    app: App,
    complaint: Complaint,
    step: Step,
    *,
    at: datetime,
    actor: Actor,
    why: str,
    reason: str,
    data: dict[str, Any] | None = None,
    note: str = "",
    **told: Any,
) -> datetime:
    """Take the closing `step` for `why` (one of REASONS) and queue the closure e-mail (which
    may also say what `told` gives it, e.g. the primary a duplicate was merged into)."""
    assert why in REASONS, why
    complaint.closure_reason = why
    at = move(session, complaint, step, at=at, actor=actor, reason=reason, data=data)
    to_customer(
        session, app, complaint=complaint, kind="closure", at=at, why=why, note=note, **told
    )
    return at

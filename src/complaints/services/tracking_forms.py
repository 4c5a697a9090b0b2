"""What the customer may do on the tracking page now: write to us, send the information asked,
reopen a closed complaint (past the window, a new complaint follows it), withdraw an open one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from complaints import repository
from complaints.conduct import Terms
from complaints.dates import long_date
from complaints.lifecycle import OPEN_STATES, State, Step
from complaints.mail.compose import tracking_path
from complaints.models import Complaint, Event
from complaints.services import reopening


def forms(
    session: Session, terms: Terms, complaint: Complaint, events: Sequence[Event], at: datetime
) -> dict[str, Any]:
    """The page's forms and what they say (`events`: those the customer sees, in order)."""
    lang, zone = complaint.language, terms.timezone
    information = None
    if complaint.state == State.AWAITING_INFORMATION and complaint.info_due_by is not None:
        asked = [e.reason for e in events if e.action == Step.REQUEST_INFORMATION]
        information = {
            "what": asked[-1] if asked else "",
            "due_on": long_date(complaint.info_due_by, lang, zone),
        }
    reopen = None
    if (
        complaint.state == State.CLOSED
        and complaint.merged_into_id is None
        and complaint.anonymised_at is None
        and complaint.closed_at is not None
    ):
        window = reopening.window(terms, complaint, at)
        reopen = {
            "until": long_date(window.until, lang, zone),
            "within": window.open,
            # Closed for want of the information asked: reopening is sending it.
            "information": complaint.closure_reason == "no_information",
        }
    created = [str((e.data or {}).get("created")) for e in events if e.action == "follow_up"]
    tokens = repository.tracking_tokens(session=session, references=created)
    return {
        "information": information,
        "reopen": reopen,
        "withdraw": complaint.state in OPEN_STATES,
        # Writing to us: on an open complaint (the information asked has its own form).
        "message": complaint.state in OPEN_STATES - {State.AWAITING_INFORMATION},
        "follow_ups": [
            {"reference": reference, "path": tracking_path(tokens[reference])}
            for reference in created
            if reference in tokens
        ],
    }

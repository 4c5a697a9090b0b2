"""The follow-up sweep: the satisfaction survey, then closure when it goes unanswered."""

# No `from __future__ import annotations`: Prefect builds each flow's parameter model from
# these annotations in the run's own process, and a string annotation left unresolved there
# fails the run ("`Follow_UpModel` is not fully defined").
from datetime import datetime

from prefect import flow

from complaints.clock import at_or_now
from tasks.artifacts import publish_backlog, publish_sweep
from tasks.groups import acted, finish, for_each
from tasks.mail import send_emails
from tasks.naming import sweep
from tasks.queries import find_follow_ups
from tasks.steps import close_without_feedback, follow_information, send_survey


@flow(name="follow-up", flow_run_name=sweep("follow-up"))
async def follow_up(as_of: datetime | None = None) -> dict[str, int]:
    """Send the surveys that are due; close as "no feedback" those left unanswered; remind the
    customers who owe information, and close as "no information" those past its date."""
    as_of = at_or_now(as_of)
    due = await find_follow_ups(as_of)
    surveyed = await for_each(send_survey, due["survey"], as_of)
    closed = await for_each(close_without_feedback, due["close"], as_of)
    informed = await for_each(follow_information, due["information"], as_of)
    sent = await for_each(send_emails, acted(surveyed, informed), as_of)
    await publish_sweep(
        "follow-up", as_of, survey=surveyed, close=closed, information=informed, email=sent
    )
    await publish_backlog(as_of)
    counts = {
        "surveys": len(due["survey"]),
        "closed": len(due["close"]),
        "information": len(due["information"]),
    }
    return finish(counts, surveyed, closed, informed, sent)

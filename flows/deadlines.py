"""The deadline sweep: a promise missed alerts the manager once, then goes to the mediator."""

# No `from __future__ import annotations`: Prefect builds each flow's parameter model from
# these annotations in the run's own process, and a string annotation left unresolved there
# fails the run ("`Follow_UpModel` is not fully defined").
from datetime import datetime

from prefect import flow

from complaints.clock import at_or_now
from flows.escalation import escalate_to_mediator
from tasks.artifacts import publish_backlog, publish_sweep
from tasks.groups import acted, finish, for_each, said, settled
from tasks.mail import send_emails, send_organisation_emails
from tasks.naming import sweep
from tasks.operations import check_mail
from tasks.queries import find_overdue
from tasks.steps import alert_manager, remind_assignee


@flow(name="enforce-deadlines", flow_run_name=sweep("deadlines"))
async def enforce_deadlines(as_of: datetime | None = None) -> dict[str, int]:
    """Alert the manager about each promise missed; refer to the mediator what stayed overdue."""
    as_of = at_or_now(as_of)
    due = await find_overdue(as_of)
    reminded = await for_each(remind_assignee, due["remind"], as_of)
    alerted = await for_each(alert_manager, due["alert"], as_of)
    sent = await for_each(send_emails, acted(reminded, alerted), as_of)
    unreferred: dict[str, str] = {}
    if due["refer"]:
        _, unreferred = await settled(escalate_to_mediator(due["refer"], as_of))
    # E-mails failing for an hour: operations told, once (the notice goes with the next).
    _, unchecked = await said(check_mail, as_of)
    # The organisation's e-mails (the monthly review, the notices to operations) that were
    # not accepted: tried again here.
    _, unsent = await said(send_organisation_emails, as_of)
    await publish_sweep("deadlines", as_of, remind=reminded, alert=alerted, email=sent)
    await publish_backlog(as_of)
    counts = {
        "reminded": len(due["remind"]),
        "alerted": len(due["alert"]),
        "referred": len(due["refer"]),
    }
    return finish(counts, reminded, alerted, sent, failed={**unreferred, **unchecked, **unsent})

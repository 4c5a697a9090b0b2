"""The monthly review: check what corrective actions achieved, report, e-mail the managers."""

# No `from __future__ import annotations`: Prefect builds each flow's parameter model from
# these annotations in the run's own process, and a string annotation left unresolved there
# fails the run ("`Follow_UpModel` is not fully defined").
from datetime import datetime

from prefect import flow

from complaints.clock import at_or_now
from tasks.groups import finish, said
from tasks.mail import send_organisation_emails
from tasks.naming import sweep
from tasks.review import check_actions, prepare_review, refresh_statistics


@flow(name="monthly-review", flow_run_name=sweep("review"))
async def monthly_review(as_of: datetime | None = None) -> dict[str, int]:
    """Check the effect of past actions, then send last month's review report."""
    as_of = at_or_now(as_of)
    await refresh_statistics()
    checked = await check_actions(as_of)
    queued = await prepare_review(as_of)
    sent, unsent = await said(send_organisation_emails, as_of)
    counts = {"actions_checked": checked, "reviews_queued": queued, "reviews_sent": sent or 0}
    return finish(counts, failed=unsent)

"""A complaint's first hours: acknowledge at once, send what it is owed, analyse first."""

# No `from __future__ import annotations`: Prefect builds each flow's parameter model from
# these annotations in the run's own process, and a string annotation left unresolved there
# fails the run ("`Follow_UpModel` is not fully defined").
from datetime import datetime

from prefect import flow
from prefect.runtime import flow_run

from complaints.batching import label
from complaints.clock import at_or_now
from complaints.services.automation import Outcome
from tasks.artifacts import publish_backlog, publish_sweep
from tasks.groups import finish, for_each
from tasks.mail import send_emails
from tasks.queries import find_new, sort_new
from tasks.steps import acknowledge, start_analysis

SKIPPED = Outcome.SKIPPED.value


def _name() -> str:
    references = flow_run.parameters.get("references")
    return f"handle {label(references)}" if references else "handle waiting complaints"


@flow(name="handle-complaints", flow_run_name=_name)
async def handle_complaints(
    references: list[str] | None = None, as_of: datetime | None = None
) -> dict[str, str]:
    """Move each complaint given (or every one waiting) as far as the automatic steps go."""
    as_of = at_or_now(as_of)
    sweep = references is None  # a sweep says what it did; a run for a few, its name does
    if references is None:
        references = await find_new(as_of)
    due = await sort_new(references, as_of)  # a step with nothing to do gets no task run
    acknowledged = await for_each(acknowledge, due["acknowledge"], as_of)
    # The acknowledgements leave before the first analysis runs: the analysis writes no
    # e-mail, and the customer's wait is then the acknowledgement's alone (under `serve`,
    # a batch's analysis added a third to every acknowledgement's delay).
    sent = await for_each(send_emails, due["mail"], as_of)
    analysed = await for_each(start_analysis, due["analyse"], as_of)
    handled = {
        ref: f"{acknowledged.get(ref, SKIPPED)}, {analysed.get(ref, SKIPPED)}"
        for ref in dict.fromkeys(references)
    }
    if sweep:
        await publish_sweep("handle", as_of, acknowledge=acknowledged, analyse=analysed, email=sent)
        await publish_backlog(as_of)
    return finish(handled, acknowledged, analysed, sent)

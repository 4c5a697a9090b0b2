"""The complaints mailbox, read over IMAP: each message taken once (a new complaint, a reply
on its complaint, a bounce, automatic mail kept unanswered, or the quarantine), then filed."""

# No `from __future__ import annotations`: Prefect builds each flow's parameter model from
# these annotations in the run's own process.
from collections import Counter

from prefect import flow

from complaints.app import get_app
from tasks.inbox import list_waiting, take_messages
from tasks.naming import sweep

GROUP = 50  # messages per task run: one IMAP session each


@flow(name="read-mailbox", flow_run_name=sweep("mailbox"))
async def read_mailbox() -> dict[str, int]:
    """Take every message waiting in the complaints mailbox; counts by outcome."""
    if not get_app().settings.imap_host:
        return {"waiting": 0}
    uids = await list_waiting()
    outcomes: Counter[str] = Counter(waiting=len(uids))
    for start in range(0, len(uids), GROUP):
        report = await take_messages(uids[start : start + GROUP])
        outcomes.update(said.split(" ", 1)[0] for said in report.values())
    return dict(outcomes)

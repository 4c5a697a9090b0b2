"""What Prefect's event feed says of a complaint, declared once: each event's name, its
resource and its payload, from facts that carry no personal data (references, step keys,
e-mail kinds). Pure: the flows' tasks emit them (tasks/feed.py); the domain never does."""

from __future__ import annotations

from dataclasses import dataclass, field

from complaints.batching import label
from complaints.lifecycle import Step
from complaints.services.automation import Outcome

PREFIX = "complaint."
RESOURCE = "complaints.complaint."
BATCH = "complaints.batch."
PER_EVENT = 50  # complaints listed by one event of a batch

# An automatic step's outcome, as the feed names it. A closure and a referral are said when
# the e-mail that tells the customer is accepted (MAIL below), whoever took the step: staff
# and customers take theirs outside Prefect, and their e-mail is what Prefect sees of it.
STEPS: dict[str, str] = {
    Outcome.ACKNOWLEDGED: "acknowledged",
    Outcome.IN_ANALYSIS: "analysis_started",
    Outcome.MANAGER_ALERTED: "answer_overdue",  # a promise missed: the manager is alerted
    Outcome.SURVEY_SENT: "survey_sent",
    Outcome.SURVEY_OFFERED: "survey_offered",
}
# `reminded` says who was reminded by the step that reminded.
REMINDED: dict[str, str] = {
    Step.REMIND_ASSIGNEE: "assignee_reminded",
    Step.REMIND_INFORMATION: "information_reminded",
}
# An e-mail accepted by the mail server: the step it tells of, else `email_sent`.
MAIL: dict[str, str] = {
    "answer": "answered",
    "review": "reopened_for_review",  # the customer dissatisfied: we review it
    "closure": "closed",
    "mediator_referral": "referred_to_mediator",
    "information_request": "information_requested",
    "reopened": "reopened",
    "unmerged": "unmerged",
}
FAILED = "email_failed"
RECEIVED = "received"


def name(fact: str) -> str:
    """`answer_overdue` → `complaint.answer-overdue`."""
    return PREFIX + fact.replace("_", "-")


def resource_id(reference: str) -> str:
    return RESOURCE + reference


@dataclass(frozen=True)
class Happened:
    """One event of one complaint: its fact (a key of the tables above) and its payload."""

    reference: str
    fact: str
    payload: dict[str, str] = field(default_factory=dict)

    @property
    def event(self) -> str:
        return name(self.fact)

    @property
    def resource(self) -> dict[str, str]:
        return {
            "prefect.resource.id": resource_id(self.reference),
            "prefect.resource.name": self.reference,
        }


@dataclass(frozen=True)
class Told:
    """One Prefect event: of one complaint, or of a batch of them."""

    event: str
    resource: dict[str, str]
    payload: dict[str, str | list[str]]


def told(happened: list[Happened], *, threshold: int) -> list[Told]:
    """An event per complaint when a task took up to `threshold` complaints (as it then has a
    task run each); beyond, one event per fact for up to PER_EVENT complaints, its resource
    the batch and its payload the references: an event of one complaint costs Prefect's
    server about 1.4 ms, one of a batch of 50 about 2 ms (README, "An operator's day")."""
    if len({one.reference for one in happened}) <= threshold:
        return [Told(one.event, one.resource, dict(one.payload)) for one in happened]
    facts: dict[tuple[str, tuple[tuple[str, str], ...]], list[str]] = {}
    for one in happened:
        facts.setdefault((one.fact, tuple(sorted(one.payload.items()))), []).append(one.reference)
    events = []
    for (fact, payload), references in facts.items():
        for start in range(0, len(references), PER_EVENT):
            part = references[start : start + PER_EVENT]
            resource = {
                "prefect.resource.id": f"{BATCH}{part[0]}.{part[-1]}.{len(part)}",
                "prefect.resource.name": label(part),
            }
            events.append(Told(name(fact), resource, {**dict(payload), "references": part}))
    return events


def of_step(step: str, outcomes: dict[str, str]) -> list[Happened]:
    """What an automatic step's outcomes say (a skipped complaint says nothing)."""
    said: list[Happened] = []
    for reference, outcome in outcomes.items():
        fact = REMINDED.get(step) if outcome == Outcome.REMINDED else STEPS.get(outcome)
        if fact is None:
            continue
        if outcome == Outcome.ACKNOWLEDGED:  # the first Prefect sees of it
            said.append(Happened(reference, RECEIVED, {"step": str(step)}))
        said.append(Happened(reference, fact, {"step": str(step), "outcome": str(outcome)}))
    return said


def of_mail(sent: dict[str, list[str]], failed: dict[str, str]) -> list[Happened]:
    """What a delivery says: each e-mail accepted (by kind), each not accepted. `failed` is
    {reference: "<kind> e-mail …"}: only its kind is kept (the rest may quote a reply)."""
    said = [
        Happened(reference, MAIL.get(kind, "email_sent"), {"kind": kind})
        for reference, kinds in sent.items()
        for kind in kinds
    ]
    said += [
        Happened(reference, FAILED, {"kind": why.split(" ", 1)[0]})
        for reference, why in failed.items()
        if reference != "organisation"
    ]
    return said


def names() -> list[str]:
    """Every event name the feed may emit, for the README and the automations."""
    facts = [RECEIVED, *STEPS.values(), *REMINDED.values(), *MAIL.values(), "email_sent", FAILED]
    return sorted({name(fact) for fact in facts})

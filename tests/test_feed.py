"""The event feed's names and payloads (complaints/feed.py): kebab-case, one per fact, the
complaint's reference as the resource, nothing personal. Pure: no Prefect."""

from __future__ import annotations

import re

from complaints import feed
from complaints.lifecycle import Step
from complaints.services.automation import Outcome

REF = "REC-2026-000042"


def test_names_are_kebab_case_under_complaint() -> None:
    names = feed.names()
    assert {
        "complaint.received",
        "complaint.acknowledged",
        "complaint.answered",
        "complaint.answer-overdue",
        "complaint.referred-to-mediator",
        "complaint.email-failed",
        "complaint.closed",
    } <= set(names)
    kebab = re.compile(r"complaint\.[a-z]+(-[a-z]+)*")
    assert [n for n in names if not kebab.fullmatch(n)] == []
    assert not kebab.fullmatch("complaint.answer_overdue")  # the check can fail


def test_an_acknowledgement_says_received_then_acknowledged() -> None:
    said = feed.of_step(Step.ACKNOWLEDGE, {REF: Outcome.ACKNOWLEDGED, "REC-2026-000043": "skipped"})
    assert [(h.reference, h.event) for h in said] == [
        (REF, "complaint.received"),
        (REF, "complaint.acknowledged"),
    ]
    assert said[1].resource == {
        "prefect.resource.id": f"complaints.complaint.{REF}",
        "prefect.resource.name": REF,
    }
    assert said[1].payload == {"step": "acknowledge", "outcome": "acknowledged"}


def test_reminders_say_who_was_reminded() -> None:
    assignee = feed.of_step(Step.REMIND_ASSIGNEE, {REF: Outcome.REMINDED})
    customer = feed.of_step(Step.REMIND_INFORMATION, {REF: Outcome.REMINDED})
    assert [h.event for h in assignee + customer] == [
        "complaint.assignee-reminded",
        "complaint.information-reminded",
    ]


def test_e_mails_say_the_step_they_tell_of_and_failures_keep_only_their_kind() -> None:
    sent = {REF: ["acknowledgement", "answer", "mediator_referral", "closure"]}
    failed = {
        "REC-2026-000043": "answer e-mail refused by the mail server for good (550 jean@x.fr)",
        "organisation": "monthly_review e-mail not accepted",
    }
    said = feed.of_mail(sent, failed)
    assert [h.event for h in said] == [
        "complaint.email-sent",
        "complaint.answered",
        "complaint.referred-to-mediator",
        "complaint.closed",
        "complaint.email-failed",
    ]
    assert said[0].payload == {"kind": "acknowledgement"}
    assert said[-1].payload == {"kind": "answer"}  # the server's reply (an address) is not kept
    assert "jean@x.fr" not in repr(said)


def test_a_batch_is_one_event_a_fact_naming_each_complaint() -> None:
    references = [f"REC-2026-{n:06d}" for n in range(1, 61)]
    said = feed.of_step(Step.ACKNOWLEDGE, dict.fromkeys(references, Outcome.ACKNOWLEDGED))
    few = feed.told(said[:4], threshold=10)  # two complaints: an event each, as before
    assert [t.resource["prefect.resource.name"] for t in few] == [
        "REC-2026-000001",
        "REC-2026-000001",
        "REC-2026-000002",
        "REC-2026-000002",
    ]
    many = feed.told(said, threshold=10)
    assert [(t.event, len(t.payload["references"])) for t in many] == [
        ("complaint.received", 50),
        ("complaint.received", 10),
        ("complaint.acknowledged", 50),
        ("complaint.acknowledged", 10),
    ]
    assert many[0].resource == {
        "prefect.resource.id": "complaints.batch.REC-2026-000001.REC-2026-000050.50",
        "prefect.resource.name": "REC-2026-000001…REC-2026-000050 (50)",
    }
    assert many[3].payload == {
        "step": "acknowledge",
        "outcome": "acknowledged",
        "references": references[50:],
    }

"""The automations shipped with complaints, on a real Prefect server: created once by name
(a second run, or a duplicate made by hand, leaves one of each), with their triggers; and
the notice they run, an outbox e-mail to the operations address, French then English."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import pytest

from complaints import automations, orchestration
from complaints.app import App
from complaints.mail.sink import MailSink

pytestmark = [pytest.mark.usefixtures("prefect_server"), pytest.mark.prefect]


async def _deployment() -> UUID:
    from prefect import get_client

    async with get_client() as client:
        flow_id = await client.create_flow_from_name("notify-operations")
        return await client.create_deployment(flow_id=flow_id, name="notify-operations")


async def _shipped() -> dict[str, list[Any]]:
    from prefect import get_client

    async with get_client() as client:
        return {
            spec["name"]: await client.read_automations_by_name(spec["name"])
            for spec in automations.specifications()
        }


async def _by_name(name: str) -> list[Any]:
    from prefect import get_client

    async with get_client() as client:
        return await client.read_automations_by_name(name)


async def _duplicate(name: str) -> None:
    from prefect import get_client
    from prefect.events.schemas.automations import AutomationCore, EventTrigger

    async with get_client() as client:
        await client.create_automation(
            AutomationCore(name=name, trigger=EventTrigger(expect={"x"}), actions=[])
        )


def test_automations_are_created_once_with_their_triggers() -> None:
    deployment = asyncio.run(_deployment())
    asyncio.run(_duplicate(automations.RETIRED[0]))  # as an earlier release left it
    first = asyncio.run(automations.ensure(deployment))
    assert [line.split("' ")[-1] for line in first] == [
        "created",
        "created",
        "deleted (the deadline sweep does its work)",
    ]
    asyncio.run(_duplicate("complaints: referred to the mediator"))  # as by hand
    assert len(asyncio.run(_shipped())["complaints: referred to the mediator"]) == 2
    again = asyncio.run(automations.ensure(deployment))
    assert [line.endswith("updated") for line in again] == [True, True]
    shipped = asyncio.run(_shipped())
    assert {name: len(found) for name, found in shipped.items()} == dict.fromkeys(shipped, 1)
    failed = shipped["complaints: lifecycle run failed"][0]
    assert failed.trigger.expect == {"prefect.flow-run.Failed", "prefect.flow-run.Crashed"}
    assert "handle-complaints" in failed.trigger.match_related["prefect.resource.name"]
    mediator = shipped["complaints: referred to the mediator"][0]
    assert mediator.trigger.expect == {"complaint.referred-to-mediator"}
    assert mediator.trigger.match["prefect.resource.id"] == [
        "complaints.complaint.*",
        "complaints.batch.*",
    ]
    assert asyncio.run(_by_name(automations.RETIRED[0])) == []
    [action] = mediator.actions
    assert (action.type, action.deployment_id) == ("run-deployment", deployment)
    assert action.parameters["notice"] == "referred_to_mediator"


def test_a_notice_goes_to_operations_once_french_first(
    app: App, smtp: MailSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    notify = orchestration.load("notify")
    args = {"notice": "referred_to_mediator", "about": "REC-2026-000042", "event_id": "e-1"}
    assert asyncio.run(notify(**args)) == {"written": 1, "sent": 1}
    assert asyncio.run(notify(**args)) == {"written": 0, "sent": 0}  # the same event: once
    [notice] = smtp.messages
    assert str(notice["To"]) == "qualite@exemple-services.fr"  # the conduct's manager
    assert str(notice["Subject"]) == (
        "Exploitation — REC-2026-000042 transmise au médiateur"
        " / Operations — REC-2026-000042 referred to the mediator"
    )
    body = notice.get_body(("plain",))
    assert body is not None
    text = str(body.get_content())
    assert text.index("transmise au médiateur") < text.index("referred to the mediator")
    assert "complaints trace REC-2026-000042" in text

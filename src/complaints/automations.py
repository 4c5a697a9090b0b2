"""The automations shipped with complaints: Prefect watches its events and, when one of
these happens, runs the `notify-operations` deployment, which writes an outbox e-mail to
the operations address (never an e-mail sent by Prefect itself: the outbox rule holds).
Created by name, and updated in place when they exist: running this twice changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from complaints import feed

DEPLOYMENT = "notify-operations/notify-operations"
# The flows whose failure leaves complaints waiting (their names in Prefect).
LIFECYCLE_FLOWS = [
    "handle-complaints",
    "enforce-deadlines",
    "follow-up",
    "escalate-to-mediator",
    "run-due",
    "read-mailbox",
]
# A complaint's event, or a batch's (complaints/feed.py).
COMPLAINT = {"prefect.resource.id": [f"{feed.RESOURCE}*", f"{feed.BATCH}*"]}
# Shipped by an earlier release, deleted where found: "e-mails failing for an hour" was a
# proactive trigger that Prefect's server counted in its database at every e-mail sent (on
# SQLite, a write per e-mail that locked it and stalled flow runs for a minute, measured by
# bench/load.py); the deadline sweep now reads it from the outbox (services/operations.py).
RETIRED = ["complaints: e-mails failing for an hour"]


def _jinja(template: str) -> dict[str, str]:
    """A value Prefect renders when the automation fires (a string, whatever it holds)."""
    return {"__prefect_kind": "jinja", "template": template}


def _parameters(notice: str, about: str) -> dict[str, Any]:
    """The notice's parameters, with the triggering event's parts filled in by Prefect."""
    return {
        "notice": notice,
        "about": _jinja(about) if "{{" in about else about,
        "resource": _jinja("{{ event.resource.id if event else '' }}"),
        "event_id": _jinja("{{ event.id if event else '' }}"),
    }


def specifications() -> list[dict[str, Any]]:
    """Name, description, trigger and the notice of each automation."""
    return [
        {
            "name": "complaints: lifecycle run failed",
            "description": "A run that moves complaints failed: what it could not do waits.",
            "trigger": {
                "posture": "Reactive",
                "expect": ["prefect.flow-run.Failed", "prefect.flow-run.Crashed"],
                "match_related": {
                    "prefect.resource.role": "flow",
                    "prefect.resource.name": LIFECYCLE_FLOWS,
                },
                "threshold": 1,
                "within": timedelta(0),
            },
            "parameters": _parameters("flow_run_failed", "{{ event.resource.name }}"),
        },
        {
            "name": "complaints: referred to the mediator",
            "description": "A complaint went to the mediator (ISO 10003): internal handling failed.",
            "trigger": {
                "posture": "Reactive",
                "expect": [feed.name("referred_to_mediator")],
                "match": COMPLAINT,
                "threshold": 1,
                "within": timedelta(0),
            },
            "parameters": _parameters("referred_to_mediator", "{{ event.resource.name }}"),
        },
    ]


async def ensure(deployment_id: UUID) -> list[str]:
    """Create or update each automation, by name; one line each saying which."""
    from prefect import get_client
    from prefect.events.actions import RunDeployment
    from prefect.events.schemas.automations import AutomationCore, EventTrigger

    said: list[str] = []
    async with get_client() as client:
        for spec in specifications():
            automation = AutomationCore(
                name=spec["name"],
                description=spec["description"],
                enabled=True,
                trigger=EventTrigger(**spec["trigger"]),
                actions=[
                    RunDeployment(
                        source="selected",
                        deployment_id=deployment_id,
                        parameters=spec["parameters"],
                    )
                ],
            )
            existing = await client.read_automations_by_name(spec["name"])
            for extra in existing[1:]:  # a duplicate made by hand or by an older release
                await client.delete_automation(extra.id)
            if existing:
                await client.update_automation(existing[0].id, automation)
                said.append(f"automation {spec['name']!r} updated")
            else:
                await client.create_automation(automation)
                said.append(f"automation {spec['name']!r} created")
        for name in RETIRED:
            for retired in await client.read_automations_by_name(name):
                await client.delete_automation(retired.id)
                said.append(f"automation {name!r} deleted (the deadline sweep does its work)")
    return said


async def ensure_for_deployment(name: str = DEPLOYMENT) -> list[str]:
    """`ensure`, for the notify-operations deployment of prefect.yaml (`complaints deploy`)."""
    from prefect import get_client

    async with get_client() as client:
        deployment = await client.read_deployment_by_name(name)
    return await ensure(deployment.id)

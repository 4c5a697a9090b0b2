"""One declaration of a step is enough: the CLI, the staff API and the staff page offer it,
and the page offers each member only the steps the lifecycle lets them take now."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import typer
from fastapi import APIRouter
from fastapi.testclient import TestClient
from pydantic import Field
from typer.testing import CliRunner

from complaints import lifecycle, staff_steps
from complaints.api.staff_api import add_step_routes
from complaints.api.web import create_web_app
from complaints.app import App
from complaints.cli import staff as staff_cli
from complaints.lifecycle import OPEN_STATES, Role, Transition, Words
from complaints.services import automation, intake, staff, views
from complaints.services.history import move
from complaints.services.staff import taking
from complaints.services.taking import run_step
from complaints.staff_steps import Body, StaffStep
from tests.conftest import intake as sample
from tests.web import csrf


class CallIn(Body):
    summary: str = Field(min_length=1, max_length=500, description="What was said on the phone.")


def note_call(
    *, app: App, reference: str, by: str, summary: str, at: datetime | None = None
) -> str:
    """The dummy step's service: the only code a new step needs besides its declaration."""
    with app.db.transaction() as session:
        complaint, actor, at = taking(session, reference, by, at)
        move(session, complaint, "note_call", at=at, actor=actor, reason=summary)
        return complaint.state.value


CALL = StaffStep("call", "note-call", "note_call", CallIn, note_call, "Note a phone call.")


@pytest.fixture
def declared(monkeypatch: pytest.MonkeyPatch) -> Iterator[StaffStep]:
    """The dummy step, declared once: in the lifecycle's table and the staff steps."""
    step = Transition(OPEN_STATES, None, frozenset({Role.AGENT}), Words("appel noté", "call noted"))
    monkeypatch.setitem(lifecycle.TRANSITIONS, "note_call", step)
    monkeypatch.setitem(staff_steps.STEPS, "call", CALL)
    yield CALL


def in_analysis(app: App) -> str:
    reference = intake.receive(app=app, intake=sample()).reference
    for step in (automation.acknowledge, automation.start_analysis):
        run_step(app, step, [reference], datetime.now(UTC))
    return reference


def signed_in(client: TestClient, app: App, name: str, role: str) -> None:
    token = staff.add(app=app, name=name, role=role)
    page = client.get("/staff")
    client.post("/staff/login", data={"token": token, "csrf": csrf(page.text)})


def history_actions(app: App, reference: str) -> list[str]:
    return [e["action"] for e in views.show(app=app, reference=reference)["history"]]


def offered(page: str) -> list[str]:
    """The steps whose forms a staff page offers, by their addresses."""
    return re.findall(r'action="/staff/c/[^/]+/([\w-]+)\?', page)


def test_one_declaration_is_enough_for_the_cli_the_api_and_the_page(
    fake_app: App, declared: StaffStep, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = in_analysis(fake_app)
    # The command line: the command, its option from the body's field, its help.
    cli = typer.Typer()
    cli.callback()(lambda: None)  # a group, as the real CLI is
    staff_cli.add_commands(cli, {"call": declared})
    monkeypatch.setattr(staff_cli, "the_app", lambda: fake_app)
    runner = CliRunner()
    assert "What was said on the phone." in runner.invoke(cli, ["note-call", "--help"]).output
    done = runner.invoke(cli, ["note-call", reference, "--summary", "Rappel", "--by", "Camille"])
    assert done.exit_code == 0 and f"{reference}: in_analysis" in done.output
    refused = runner.invoke(cli, ["note-call", reference, "--summary", "", "--by", "Camille"])
    assert refused.exit_code == 1 and "summary" in refused.output
    # The staff API: its route, its body's schema, the lifecycle's role.
    api = APIRouter(prefix="/api/staff")
    add_step_routes(api, {"call": declared})
    web = create_web_app(fake_app)
    web.include_router(api)
    with TestClient(web) as client:
        agent = {"Authorization": f"Bearer {staff.add(app=fake_app, name='Alice', role='agent')}"}
        taken = client.post(
            f"/api/staff/complaints/{reference}/call", json={"summary": "Rappel"}, headers=agent
        )
        assert taken.status_code == 200 and taken.json()["state"] == "in_analysis"
        invalid = client.post(
            f"/api/staff/complaints/{reference}/call", json={"summary": ""}, headers=agent
        )
        assert invalid.status_code == 422
        assert "CallIn" in client.get("/openapi.json").text
    # The staff page: its form, made from the body's fields, and the step taken from it.
    with TestClient(create_web_app(fake_app)) as client:
        signed_in(client, fake_app, "Bob", "agent")
        page = client.get(f"/staff/c/{reference}").text
        assert "call" in offered(page) and "appel noté" in page
        posted = client.post(
            f"/staff/c/{reference}/call", data={"summary": "Rappel", "csrf": csrf(page)}
        )
        assert posted.status_code == 200 and "Enregistré." in posted.text
    assert history_actions(fake_app, reference).count("note_call") == 3


def test_the_page_offers_only_the_steps_this_member_may_take_now(fake_app: App) -> None:
    reference = in_analysis(fake_app)
    with TestClient(create_web_app(fake_app)) as client:
        signed_in(client, fake_app, "Bob", "agent")
        agent = offered(client.get(f"/staff/c/{reference}").text)
        assert agent == ["analysis", "information", "link", "merge", "withdraw"]
    with TestClient(create_web_app(fake_app)) as client:
        signed_in(client, fake_app, "Luc", "manager")
        manager = offered(client.get(f"/staff/c/{reference}").text)
        assert manager == [
            "analysis",
            "information",
            "assign",
            "link",
            "merge",
            "escalate",
            "withdraw",
        ]


def test_another_reference_not_found_is_said_on_the_page_with_what_was_typed(
    fake_app: App,
) -> None:
    reference = in_analysis(fake_app)
    with TestClient(create_web_app(fake_app)) as client:
        signed_in(client, fake_app, "Bob", "agent")
        page = client.get(f"/staff/c/{reference}").text
        missing = client.post(
            f"/staff/c/{reference}/link", data={"other": "REC-2026-999999", "csrf": csrf(page)}
        )
        assert missing.status_code == 404
        assert "Aucune réclamation ne porte la référence indiquée" in missing.text
        assert 'value="REC-2026-999999"' in missing.text and reference in missing.text
        gone = client.post(
            "/staff/c/REC-2026-999998/link", data={"other": reference, "csrf": csrf(page)}
        )
        assert gone.status_code == 404 and "Aucune réclamation ne porte" not in gone.text

"""The dashboard (staff only), its JSON, and the public promise register (aggregates only)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from complaints.api.dashboard import report_scope
from complaints.api.web import create_web_app
from complaints.app import App
from complaints.reporting.report import build, to_html
from complaints.services import automation, delivery, intake, staff, taking
from tests.conftest import intake as sample


@pytest.fixture
def client(fake_app: App) -> Iterator[TestClient]:
    with TestClient(create_web_app(fake_app)) as client:
        yield client


@pytest.fixture
def reference(fake_app: App) -> str:
    at = datetime.now(UTC) - timedelta(days=3)
    ref = intake.receive(app=fake_app, intake=sample(), at=at).reference
    taking.run_step(fake_app, automation.acknowledge, [ref], at)
    asyncio.run(delivery.deliver(app=fake_app, references=[ref], at=at))  # kept: accepted
    return ref


def test_dashboard_is_for_staff_only(client: TestClient, fake_app: App, reference: str) -> None:
    assert client.get("/staff/tableau", follow_redirects=False).status_code == 303
    assert client.get("/api/staff/report").status_code == 401
    token = staff.add(app=fake_app, name="Luc", role="manager")
    page = client.get("/staff/tableau", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 200 and "<svg" in page.text and "Revue des réclamations" in page.text
    data = client.get(
        "/api/staff/report",
        params={"days": 7, "product": "Box Fibre"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert data["figures"]["total"] == 1 and data["figures"]["scope"]["product"] == "Box Fibre"


def test_public_promise_register_shows_aggregates_only(client: TestClient, reference: str) -> None:
    page = client.get("/engagements")
    assert page.status_code == 200
    assert "Accuser réception immédiatement" in page.text and "100,0\u202f%" in page.text
    english = client.get("/engagements?lang=en").text
    assert "Acknowledge at once" in english and "100.0%" in english
    assert reference not in page.text and "marie" not in page.text.lower()


def test_a_breach_on_the_dashboard_opens_its_complaint(client: TestClient, fake_app: App) -> None:
    at = datetime.now(UTC) - timedelta(days=20)  # its answer was due five days ago
    late = intake.receive(app=fake_app, intake=sample(), at=at).reference
    taking.run_step(fake_app, automation.acknowledge, [late], at)
    asyncio.run(delivery.deliver(app=fake_app, references=[late], at=at))
    token = staff.add(app=fake_app, name="Luc", role="manager")
    page = client.get("/staff/tableau", headers={"Authorization": f"Bearer {token}"}).text
    assert f'<a href="/staff/c/{late}?lang=fr">{late}</a>' in page
    scope = report_scope(days=30)
    saved = to_html(fake_app, build(app=fake_app, scope=scope, now=scope.until))
    assert late in saved and "/staff/c/" not in saved  # a report saved as a file links nowhere

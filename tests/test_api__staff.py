"""The staff API: hashed tokens, roles, every step an Event with the member's name."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from complaints.api.web import create_web_app
from complaints.app import App
from complaints.models import StaffMember
from complaints.services import automation, intake, staff, taking
from tests.conftest import intake as sample


@pytest.fixture
def client(fake_app: App) -> Iterator[TestClient]:
    with TestClient(create_web_app(fake_app)) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def in_analysis(app: App, **changes: str) -> str:
    reference = intake.receive(app=app, intake=sample(**changes)).reference
    for step in (automation.acknowledge, automation.start_analysis):
        taking.run_step(app, step, [reference], datetime.now(UTC))
    return reference


def test_tokens_are_stored_hashed_and_expire_and_revoke(fake_app: App, client: TestClient) -> None:
    token = staff.add(app=fake_app, name="Camille", role="agent")
    with fake_app.db.reader() as session:
        stored = session.scalars(
            select(StaffMember.token_hash).where(StaffMember.name == "Camille")
        ).one()
    assert token not in stored and len(stored) == 64
    assert client.get("/api/staff/complaints", headers=bearer(token)).status_code == 200
    assert client.get("/api/staff/complaints").status_code == 401
    assert (
        staff.authenticate(app=fake_app, token=token, at=datetime.now(UTC) + timedelta(days=400))
        is None
    )
    staff.revoke(app=fake_app, name="Camille")
    assert client.get("/api/staff/complaints", headers=bearer(token)).status_code == 401


def test_agent_handles_manager_closes(fake_app: App, client: TestClient) -> None:
    agent = bearer(staff.add(app=fake_app, name="Camille", role="agent"))
    manager = bearer(staff.add(app=fake_app, name="Luc", role="manager"))
    reference = in_analysis(fake_app)
    url = f"/api/staff/complaints/{reference}"
    assert (
        client.post(
            f"{url}/analysis",
            headers=agent,
            json={"root_cause": "Erreur de tri", "category": "delivery", "founded": True},
        ).json()["state"]
        == "analysed"
    )
    assert (
        client.post(
            f"{url}/actions",
            headers=agent,
            json={
                "kind": "curative",
                "description": "Renvoi",
                "owner": "Logistique",
                "due_on": "2099-01-01",
            },
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"{url}/response",
            headers=agent,
            json={"decision": "accepted", "message": "Nous renvoyons."},
        ).json()["state"]
        == "answered"
    )
    refused = client.post(f"{url}/close", headers=agent, json={"reason": "fini"})
    assert refused.status_code == 403 and "manager" in refused.json()["detail"]
    assert (
        client.post(f"{url}/assign", headers=manager, json={"assignee": "Camille"}).status_code
        == 200
    )
    assert (
        client.post(f"{url}/close", headers=manager, json={"reason": "confirmé"}).json()["state"]
        == "closed"
    )
    history = client.get(url, headers=manager).json()["history"]
    actors = {(e["action"], e["actor"]) for e in history}
    assert {
        ("record_analysis", "staff:Camille"),
        ("close", "staff:Luc"),
        ("assign", "staff:Luc"),
    } <= actors
    assert ("personal_data_viewed", "staff:Luc") in {
        (e["action"], e["actor"]) for e in client.get(url, headers=manager).json()["history"]
    }


def test_illegal_step_is_409_with_the_reason(fake_app: App, client: TestClient) -> None:
    agent = bearer(staff.add(app=fake_app, name="Camille", role="agent"))
    reference = in_analysis(fake_app)
    response = client.post(
        f"/api/staff/complaints/{reference}/response",
        headers=agent,
        json={"decision": "accepted", "message": "OK"},
    )
    assert response.status_code == 409 and "it is in_analysis" in response.json()["detail"]
    assert client.get("/api/staff/complaints/REC-2026-999999", headers=agent).status_code == 404


def test_list_filters(fake_app: App, client: TestClient) -> None:
    agent = bearer(staff.add(app=fake_app, name="Camille", role="agent"))
    in_analysis(fake_app, product="Box Fibre", region="Bretagne")
    in_analysis(fake_app, product="Électricité", region="Occitanie", customer_type="professional")
    rows = client.get(
        "/api/staff/complaints", headers=agent, params={"product": "Électricité"}
    ).json()
    assert [r["region"] for r in rows] == ["Occitanie"]
    rows = client.get(
        "/api/staff/complaints",
        headers=agent,
        params={"state": "in_analysis", "customer_type": "individual"},
    ).json()
    assert [r["product"] for r in rows] == ["Box Fibre"]
    assert (
        client.get("/api/staff/complaints", headers=agent, params={"state": "nonsense"}).status_code
        == 422
    )


def test_staff_page_lists_overdue_first_and_acts_with_csrf(
    fake_app: App, client: TestClient
) -> None:
    from tests.web import csrf

    token = staff.add(app=fake_app, name="Camille", role="agent")
    late = intake.receive(
        app=fake_app, intake=sample(subject="Ancienne"), at=datetime.now(UTC) - timedelta(days=40)
    ).reference
    recent = in_analysis(fake_app)
    login = client.get("/staff")
    assert 'type="password"' in login.text
    client.post("/staff/login", data={"token": token, "csrf": csrf(login.text)})
    board = client.get("/staff").text
    assert board.index(late) < board.index(recent) and "en retard" in board
    page = client.get(f"/staff/c/{recent}").text
    done = client.post(
        f"/staff/c/{recent}/analysis",
        data={"root_cause": "Erreur", "category": "delivery", "founded": "yes", "csrf": csrf(page)},
    )
    assert done.status_code == 200 and "Enregistré." in done.text
    refused = client.post(f"/staff/c/{recent}/close", data={"reason": "x", "csrf": csrf(page)})
    assert refused.status_code == 403

"""POST /api/complaints: idempotent, validated, capped; bad input writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints.api.web import create_web_app
from complaints.app import App
from tests.web import complaints_stored

BODY: dict[str, Any] = {
    "name": "Marie Lefèvre",
    "email": "marie@exemple.fr",
    "subject": "Colis perdu",
    "description": "Jamais reçu.",
    "product": "Box Fibre",
    "region": "Bretagne",
    "channel": "email",
}


@pytest.fixture
def client(fake_app: App) -> Iterator[TestClient]:
    fake_app.settings.intake_burst = 10_000
    with TestClient(create_web_app(fake_app)) as client:
        yield client


def test_created_with_reference_dates_and_tracking_url(client: TestClient) -> None:
    response = client.post("/api/complaints", json=BODY)
    assert response.status_code == 201
    data = response.json()
    assert data["reference"].startswith("REC-") and data["state"] == "received"
    assert "/suivi/" in data["tracking_url"]


def test_same_idempotency_key_twice_makes_one_complaint(client: TestClient, fake_app: App) -> None:
    headers = {"Idempotency-Key": "order-42-retry"}
    first = client.post("/api/complaints", json=BODY, headers=headers).json()
    second = client.post("/api/complaints", json=BODY, headers=headers).json()
    assert first == second
    assert complaints_stored(fake_app) == 1
    other = client.post("/api/complaints", json={**BODY, "subject": "Autre"}, headers=headers)
    assert other.status_code == 409
    assert complaints_stored(fake_app) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"email": "nope"},
        {"name": "Eve\r\nBcc: x@y.z"},
        {"subject": "a\nb"},
        {"description": "x" * 10_001},
        {"channel": "pigeon"},
        {"unknown": 1},
        {"language": "de"},
    ],
)
def test_bad_input_is_422_with_a_reason_and_writes_nothing(
    client: TestClient, fake_app: App, change: dict[str, Any]
) -> None:
    response = client.post("/api/complaints", json={**BODY, **change})
    assert response.status_code == 422
    assert response.json()["detail"]
    assert complaints_stored(fake_app) == 0


def test_body_over_64_kib_is_413(client: TestClient, fake_app: App) -> None:
    response = client.post(
        "/api/complaints",
        content=b"{" + b" " * 70_000 + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert complaints_stored(fake_app) == 0


def test_openapi_documents_the_intake(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/api/complaints"]["post"]
    assert any(p["name"] == "idempotency-key" for p in operation["parameters"])


text = st.text(st.characters(codec="utf-8"), max_size=300)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.dictionaries(
        st.sampled_from([*BODY, "phone", "language", "customer_type", "x"]),
        st.one_of(text, st.integers(), st.none(), st.booleans()),
        max_size=12,
    ),
    key=st.one_of(st.none(), st.text(max_size=30)),
)
def test_arbitrary_input_never_500_never_partial(
    client: TestClient, fake_app: App, body: dict[str, Any], key: str | None
) -> None:
    before = complaints_stored(fake_app)
    headers = {"Idempotency-Key": key} if key and key.isascii() and key.isprintable() else {}
    response = client.post("/api/complaints", json={**BODY, **body}, headers=headers)
    assert response.status_code in (201, 409, 422), response.text
    created = response.status_code == 201 and not headers
    assert complaints_stored(fake_app) - before in ((1,) if created else (0, 1))

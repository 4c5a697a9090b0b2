"""Response headers: nothing with personal data is cached; the API docs come from this server
alone, under the site's strict CSP."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from complaints.api.web import create_web_app
from complaints.app import App
from complaints.services import intake, staff
from tests.conftest import intake as sample
from tests.web import csrf


@pytest.fixture
def client(fake_app: App) -> Iterator[TestClient]:
    with TestClient(create_web_app(fake_app)) as client:
        yield client


def test_no_answer_with_personal_data_is_kept_by_a_cache(client: TestClient, fake_app: App) -> None:
    receipt = intake.receive(app=fake_app, intake=sample())
    token = staff.add(app=fake_app, name="Luc", role="manager")
    bearer = {"Authorization": f"Bearer {token}"}
    login = client.get("/staff")
    client.post("/staff/login", data={"token": token, "csrf": csrf(login.text)})
    answers = [
        client.get("/"),
        client.get(f"/suivi/{receipt.tracking_token}?nouveau=1"),
        client.get("/avis/" + "A" * 32),
        client.get("/staff"),
        client.get(f"/staff/c/{receipt.reference}"),
        client.get("/staff/tableau"),
        client.get("/api/staff/complaints", headers=bearer),
        client.get(f"/api/staff/complaints/{receipt.reference}", headers=bearer),
        client.post(
            "/api/staff/persons/export", headers=bearer, json={"email": "marie.lefevre@exemple.fr"}
        ),
        client.get("/api/staff/complaints"),  # 401
        client.get("/nowhere"),  # 404 page
    ]
    assert [a.status_code for a in answers] == [
        200,
        200,
        404,
        200,
        200,
        200,
        200,
        200,
        200,
        401,
        404,
    ]
    assert {a.headers.get("cache-control") for a in answers} == {"no-store"}
    assert client.get("/docs-assets/swagger-ui.css").headers.get("cache-control") != "no-store"


def test_api_docs_use_only_this_servers_files_under_a_strict_policy(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "http" not in policy and "unsafe-eval" not in policy and "script-src" not in policy
    assert "default-src 'self'" in policy
    assert re.search(r"<script>", page.text) is None  # no inline script: nothing to allow
    links = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(links) >= 3 and all(
        link.startswith("/") and not link.startswith("//") for link in links
    )
    for link in links:
        asset = client.get(link)
        assert asset.status_code == 200, link
        assert asset.headers["content-type"].split(";")[0] in (
            "text/css",
            "text/javascript",
            "application/javascript",
            "image/png",
        )
    assert "'/openapi.json'" in client.get("/docs/start.js").text.replace('"', "'")
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/redoc").status_code == 404
    assert (
        "unsafe-inline"
        not in client.get("/").headers["content-security-policy"].split("style-src")[0]
    )

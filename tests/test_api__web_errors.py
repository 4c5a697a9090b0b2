"""Every error on a page is a page in the visitor's language; the APIs keep answering JSON."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from complaints.api.web import create_web_app
from complaints.app import App
from complaints.services import automation, handling, intake, staff, taking
from tests.conftest import intake as sample
from tests.web import FORM, complaints_stored, csrf

EN = {"Accept-Language": "en-GB,en;q=0.9"}
FRAMEWORK = ("pydantic", '"detail"', "Field required", "String should", "Not Found", "Method Not")


@pytest.fixture
def client(fake_app: App) -> Iterator[TestClient]:
    with TestClient(create_web_app(fake_app)) as client:
        yield client


def is_page(response: object, lang: str, *words: str) -> bool:
    text, kind = response.text, response.headers["content-type"]  # type: ignore[attr-defined]
    assert kind.startswith("text/html"), kind
    assert f'<html lang="{lang}">' in text
    assert not [w for w in FRAMEWORK if w in text], text
    return all(word in text for word in words)


def signed_in(client: TestClient, app: App, role: str = "agent") -> None:
    token = staff.add(app=app, name="Camille", role=role)
    page = client.get("/staff")
    client.post("/staff/login", data={"token": token, "csrf": csrf(page.text)})


def in_analysis(app: App) -> str:
    reference = intake.receive(app=app, intake=sample()).reference
    for step in (automation.acknowledge, automation.start_analysis):
        taking.run_step(app, step, [reference], datetime.now(UTC))
    return reference


def test_an_unknown_page_or_method_is_a_page_and_the_api_stays_json(client: TestClient) -> None:
    fr = client.get("/nulle-part")
    assert fr.status_code == 404 and is_page(fr, "fr", "Page introuvable")
    en = client.get("/nowhere", headers=EN)
    assert en.status_code == 404 and is_page(en, "en", "Page not found")
    wrong = client.put("/suivi/abc", headers=EN)
    assert wrong.status_code == 405 and is_page(wrong, "en", "Not possible")
    assert "GET" in wrong.headers["allow"]
    api = client.get("/api/nowhere")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}


def test_a_bad_query_parameter_is_a_page_in_the_visitors_language(
    client: TestClient, fake_app: App
) -> None:
    token = intake.receive(app=fake_app, intake=sample()).tracking_token
    fr = client.get(f"/suivi/{token}?nouveau=oui")
    assert fr.status_code == 422 and is_page(fr, "fr", "Lien incorrect")
    en = client.get("/staff/tableau?days=0&lang=en")
    assert en.status_code == 422 and is_page(en, "en", "Wrong link")
    switch = 'href="/staff/tableau?days=0&amp;lang=fr"'  # the link keeps the rest of the query
    assert switch in en.text
    bearer = {"Authorization": f"Bearer {staff.add(app=fake_app, name='Luc', role='agent')}"}
    api = client.get("/api/staff/report?days=0", headers=bearer)
    assert api.status_code == 422 and api.json()["detail"][0]["loc"] == ["query", "days"]


def test_a_body_over_the_cap_is_a_page_on_the_form_and_json_on_the_api(
    client: TestClient, fake_app: App
) -> None:
    page = client.get("/").text
    big = {**FORM, "description": "x" * 70_000, "csrf": csrf(page)}
    refused = client.post("/?lang=en", data=big)
    assert refused.status_code == 413 and is_page(refused, "en", "over 64 KiB")
    api = client.post("/api/complaints", content=b"{" + b" " * 70_000 + b"}")
    assert api.status_code == 413 and "detail" in api.json()
    assert complaints_stored(fake_app) == 0


def test_an_off_site_path_never_becomes_an_off_site_switch_link(client: TestClient) -> None:
    page = client.get("//elsewhere.example/x")
    assert page.status_code == 404 and 'href="//' not in page.text


def test_staff_form_errors_stand_by_their_fields_in_words(
    client: TestClient, fake_app: App
) -> None:
    signed_in(client, fake_app)
    reference = in_analysis(fake_app)
    handling.record_analysis(
        app=fake_app,
        reference=reference,
        by="Camille",
        root_cause="x",
        category="delivery",
        founded=True,
    )
    page = client.get(f"/staff/c/{reference}")
    sent = {"kind": "curative", "description": "", "owner": "Logistique", "due_on": "demain"}
    refused = client.post(f"/staff/c/{reference}/actions", data={**sent, "csrf": csrf(page.text)})
    assert refused.status_code == 422
    assert is_page(refused, "fr", "Le formulaire « Ajouter une action » contient des erreurs")
    assert 'id="actions-description-error">Ce champ est obligatoire.' in refused.text
    assert 'id="actions-due_on-error">Cette date n&#39;est pas valide' in refused.text
    assert 'value="Logistique"' in refused.text  # what was typed is kept
    english = client.post(
        f"/staff/c/{reference}/actions?lang=en", data={**sent, "csrf": csrf(page.text)}
    )
    assert is_page(english, "en", "This field is required.", "This date is not valid")


def test_staff_refusals_say_why_in_words(client: TestClient, fake_app: App) -> None:
    signed_in(client, fake_app)
    reference = in_analysis(fake_app)
    page = csrf(client.get(f"/staff/c/{reference}").text)
    early = client.post(
        f"/staff/c/{reference}/response",
        data={"decision": "accepted", "message": "OK", "csrf": page},
    )
    assert early.status_code == 409
    assert is_page(early, "fr", "la réclamation est en cours d&#39;analyse. Rien n&#39;a changé.")
    assert "in_analysis" not in early.text.split("<h1>")[1].split("<dl>")[0]
    role = client.post(f"/staff/c/{reference}/close?lang=en", data={"reason": "x", "csrf": page})
    assert role.status_code == 403 and is_page(role, "en", "This step is for a manager")
    unknown = client.post("/staff/c/REC-2026-999999/analysis", data={"csrf": page})
    assert unknown.status_code == 404 and is_page(unknown, "fr", "Page introuvable")


def test_the_language_link_of_a_posted_page_opens_a_page(client: TestClient, fake_app: App) -> None:
    login = client.get("/staff")
    wrong = client.post("/staff/login", data={"token": "faux", "csrf": csrf(login.text)})
    signed_in(client, fake_app)
    reference = in_analysis(fake_app)
    page = csrf(client.get(f"/staff/c/{reference}").text)
    refused = client.post(f"/staff/c/{reference}/close", data={"reason": "x", "csrf": page})
    for posted in (wrong, refused):
        switch = re.search(r'<a href="([^"]+)" lang="en"', posted.text)
        if switch:  # a page with no address of its own has no switch link
            assert client.get(switch.group(1).replace("&amp;", "&")).status_code == 200
    assert re.search(r'<a href="([^"]+)" lang="en"', refused.text)


def test_an_unexpected_failure_is_a_page_too(fake_app: App) -> None:
    web = create_web_app(fake_app)

    def boom() -> None:
        raise RuntimeError("a bug")

    web.add_api_route("/boum", boom)
    web.add_api_route("/api/boum", boom)
    with TestClient(web, raise_server_exceptions=False) as client:
        page = client.get("/boum", headers=EN)
        assert page.status_code == 500 and is_page(page, "en", "Service error")
        assert page.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        api = client.get("/api/boum")
        assert api.status_code == 500 and api.json() == {"detail": "internal error"}

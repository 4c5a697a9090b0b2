"""The customer's pages through the real app: form, tracking, survey; bad input writes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from complaints.api.web import create_web_app
from complaints.app import App
from complaints.services import automation, delivery, intake, taking
from tests.conftest import intake as sample
from tests.factories import answer
from tests.web import FORM, complaints_stored, submit_form


@pytest.fixture
def client(fake_app: App) -> Iterator[TestClient]:
    with TestClient(create_web_app(fake_app)) as client:
        yield client


def test_form_speaks_french_first_and_english_on_request(client: TestClient) -> None:
    fr = client.get("/")
    assert '<html lang="fr">' in fr.text and "Déposer une réclamation" in fr.text
    en = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in en.text and "Make a complaint" in en.text
    assert '<html lang="en">' in client.get("/?lang=en").text
    assert 'for="email"' in fr.text and 'aria-describedby="email-help"' in fr.text


def test_submitting_shows_the_reference_date_and_tracking_link(
    client: TestClient, fake_app: App
) -> None:
    posted = submit_form(client)
    assert posted.status_code == 303
    page = client.get(posted.headers["location"])
    assert "REC-2026-" in page.text or "REC-" in page.text
    assert 'id="answer-by"' in page.text and 'id="tracking-link"' in page.text
    assert complaints_stored(fake_app) == 1


def test_errors_stand_next_to_their_field_and_nothing_is_written(
    client: TestClient, fake_app: App
) -> None:
    response = submit_form(client, email="pas-une-adresse", subject="")
    assert response.status_code == 422
    assert 'id="email-error"' in response.text and 'aria-invalid="true"' in response.text
    assert "Cette adresse e-mail n&#39;est pas valide" in response.text
    assert "Ce champ est obligatoire." in response.text
    assert 'id="email"' in response.text and "autofocus" in response.text
    assert 'value="Marie Lefèvre"' in response.text  # what was typed is kept
    assert complaints_stored(fake_app) == 0


def test_form_without_csrf_token_is_refused(client: TestClient, fake_app: App) -> None:
    client.get("/")
    response = client.post("/", data=FORM)
    assert response.status_code == 403
    assert complaints_stored(fake_app) == 0


def test_what_the_customer_wrote_is_escaped(client: TestClient) -> None:
    posted = submit_form(client, subject="<script>alert(1)</script>")
    page = client.get(posted.headers["location"]).text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_rate_limit_answers_429_clearly(fake_app: App) -> None:
    fake_app.settings.intake_burst, fake_app.settings.intake_per_minute = 2, 0.0001
    with TestClient(create_web_app(fake_app)) as client:
        assert [submit_form(client).status_code for _ in range(3)] == [303, 303, 429]
    assert complaints_stored(fake_app) == 2


def test_tracking_links_are_unguessable_and_unknown_ones_say_so(
    client: TestClient, fake_app: App
) -> None:
    receipt = intake.receive(app=fake_app, intake=sample())
    assert len(receipt.tracking_token) * 6 >= 128
    assert client.get(f"/suivi/{receipt.tracking_token}").status_code == 200
    assert client.get("/suivi/" + "A" * 32).status_code == 404
    headers = client.get(f"/suivi/{receipt.tracking_token}").headers
    assert headers["referrer-policy"] == "no-referrer"


def test_tracking_shows_the_answer_but_never_staff_notes(client: TestClient, fake_app: App) -> None:
    t0 = datetime.now(UTC) - timedelta(days=3)
    receipt = intake.receive(app=fake_app, intake=sample(), at=t0)
    for step in (automation.acknowledge, automation.start_analysis):
        taking.run_step(fake_app, step, [receipt.reference], t0)
    answer(fake_app, receipt.reference, t0 + timedelta(days=1))
    page = client.get(f"/suivi/{receipt.tracking_token}").text
    assert "Voici notre réponse." not in page  # written, not yet accepted by the mail server
    assert "Réponse envoyée" not in page and "Accusé de réception envoyé" not in page
    asyncio.run(
        delivery.deliver(app=fake_app, references=[receipt.reference], at=t0 + timedelta(days=1))
    )
    page = client.get(f"/suivi/{receipt.tracking_token}").text
    assert "Voici notre réponse." in page and "Réponse envoyée" in page
    assert "Accusé de réception envoyé" in page
    assert "Erreur de tri" not in page  # the root cause is a staff note

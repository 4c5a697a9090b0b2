"""The tracking page's forms through the real app: the information asked, reopening,
withdrawal; CSRF-checked, refused in the page's language, and a refusal changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from complaints import repository
from complaints.api.web import create_web_app
from complaints.app import App
from complaints.lifecycle import State
from complaints.services import automation, feedback, information, intake, taking
from tests.conftest import intake as sample
from tests.factories import answer
from tests.web import csrf

NOW = datetime.now(UTC)


@pytest.fixture
def client(fake_app: App) -> Iterator[TestClient]:
    with TestClient(create_web_app(fake_app)) as client:
        yield client


def in_analysis(app: App, at: datetime, **overrides: str) -> tuple[str, str]:
    receipt = intake.receive(app=app, intake=sample(**overrides), at=at)
    for step in (automation.acknowledge, automation.start_analysis):
        taking.run_step(app, step, [receipt.reference], at)
    return receipt.reference, f"/suivi/{receipt.tracking_token}"


def closed(app: App, days_ago: float) -> tuple[str, str]:
    reference, page = in_analysis(app, NOW - timedelta(days=days_ago + 8))
    answer(app, reference, NOW - timedelta(days=days_ago + 7))
    feedback.record_feedback(
        app=app, reference=reference, satisfied=True, at=NOW - timedelta(days=days_ago)
    )
    return reference, page


def state(app: App, reference: str) -> State:
    with app.db.reader() as session:
        return repository.get(session=session, reference=reference).state


def test_the_information_asked_is_answered_on_the_page(client: TestClient, fake_app: App) -> None:
    reference, page = in_analysis(fake_app, NOW - timedelta(days=5))
    information.request_information(
        app=fake_app,
        reference=reference,
        by="Camille",
        what="Une photo du colis.",
        at=NOW - timedelta(days=4),
    )
    shown = client.get(page).text
    assert "Une photo du colis." in shown and f'action="{page}/informations"' in shown
    form = {"csrf": csrf(shown), "informations": "Voici la photo."}
    assert client.post(f"{page}/informations", data={**form, "csrf": "x"}).status_code == 403
    empty = client.post(f"{page}/informations", data={**form, "informations": " "})
    assert empty.status_code == 422 and "Ce texte est vide ou trop long" in empty.text
    assert state(fake_app, reference) == State.AWAITING_INFORMATION  # nothing changed
    sent = client.post(f"{page}/informations", data=form, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == f"{page}?fait=information"
    after = client.get(sent.headers["location"]).text
    assert "vos informations sont transmises" in after and "Vos informations sont reçues" in after
    assert f"{page}/informations" not in after  # nothing is asked any more
    assert state(fake_app, reference) == State.IN_ANALYSIS


def test_a_refusal_speaks_the_page_s_language(client: TestClient, fake_app: App) -> None:
    reference, page = in_analysis(fake_app, NOW - timedelta(days=1), language="en")
    shown = client.get(page).text
    assert f"{page}/informations" not in shown  # nothing was asked
    refused = client.post(
        f"{page}/informations", data={"csrf": csrf(shown), "informations": "Here it is."}
    )
    assert refused.status_code == 409 and '<html lang="en">' in refused.text
    assert "This is not possible in your complaint&#39;s present state" in refused.text
    assert "réclamation" not in refused.text
    assert state(fake_app, reference) == State.IN_ANALYSIS


def test_withdrawing_needs_the_box_ticked(client: TestClient, fake_app: App) -> None:
    reference, page = in_analysis(fake_app, NOW - timedelta(days=1))
    form = {"csrf": csrf(client.get(page).text), "motif": "Réglé à l'amiable"}
    unticked = client.post(f"{page}/retirer", data=form)
    assert unticked.status_code == 422 and "Cochez la case" in unticked.text
    assert state(fake_app, reference) == State.IN_ANALYSIS
    done = client.post(f"{page}/retirer", data={**form, "confirmer": "oui"})
    assert done.status_code == 200 and "Votre réclamation est retirée" in done.text
    assert state(fake_app, reference) == State.CLOSED
    assert f"{page}/retirer" not in done.text and f"{page}/rouvrir" in done.text
    again = client.post(f"{page}/retirer", data={**form, "confirmer": "oui"})
    assert again.status_code == 409 and "rien n&#39;a changé" in again.text


def test_reopened_within_the_window(client: TestClient, fake_app: App) -> None:
    reference, page = closed(fake_app, days_ago=2)
    shown = client.get(page).text
    assert "vous pouvez rouvrir votre réclamation jusqu" in shown
    reopened = client.post(f"{page}/rouvrir", data={"csrf": csrf(shown), "motif": "Cassé"})
    assert "Votre réclamation est rouverte : nous vous répondrons au plus tard le" in reopened.text
    assert state(fake_app, reference) == State.IN_ANALYSIS


def test_after_the_window_a_new_complaint_follows(client: TestClient, fake_app: App) -> None:
    reference, page = closed(fake_app, days_ago=40)
    shown = client.get(page).text
    assert "deviendra une nouvelle réclamation" in shown and "Envoyer une nouvelle" in shown
    empty = client.post(f"{page}/rouvrir", data={"csrf": csrf(shown), "motif": ""})
    assert empty.status_code == 422 and 'id="motif-error"' in empty.text
    sent = client.post(f"{page}/rouvrir", data={"csrf": csrf(shown), "motif": "Encore cassé"})
    assert "enregistré comme une nouvelle réclamation, sous la référence REC-" in sent.text
    assert state(fake_app, reference) == State.CLOSED
    follow_up = sent.text.split('id="follow-ups">')[1].split("</p>")[0]
    new_page = follow_up.split('href="')[1].split('"')[0]
    assert "Suite de " + reference in client.get(new_page).text


def test_too_many_forms_from_one_address(fake_app: App) -> None:
    fake_app.settings.intake_burst, fake_app.settings.intake_per_minute = 1, 0.0001
    _, page = in_analysis(fake_app, NOW - timedelta(days=1))
    with TestClient(create_web_app(fake_app)) as client:
        form = {"csrf": csrf(client.get(page).text), "motif": ""}
        assert client.post(f"{page}/retirer", data={**form, "confirmer": "oui"}).status_code == 200
        other, other_page = in_analysis(fake_app, NOW - timedelta(days=1))
        slowed = client.post(f"{other_page}/retirer", data={**form, "confirmer": "oui"})
    assert slowed.status_code == 429 and "Trop de demandes" in slowed.text
    assert state(fake_app, other) == State.IN_ANALYSIS


def test_closed_for_want_of_information_it_may_still_be_sent(
    client: TestClient, fake_app: App
) -> None:
    reference, page = in_analysis(fake_app, NOW - timedelta(days=20))
    information.request_information(
        app=fake_app,
        reference=reference,
        by="Camille",
        what="Une photo",
        at=NOW - timedelta(days=19),
    )
    taking.run_step(fake_app, information.close_without_information, [reference], NOW)
    shown = client.get(f"{page}?nouveau=0").text
    assert "clôturée faute des informations demandées" in shown and 'role="status"' not in shown
    sent = client.post(f"{page}/rouvrir", data={"csrf": csrf(shown), "motif": "La voici"})
    assert "Votre réclamation est rouverte" in sent.text
    assert state(fake_app, reference) == State.IN_ANALYSIS

"""The satisfaction survey through the real app: a link opens the question, only the form's POST
answers it (mail scanners open links), in the complaint's language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from complaints.api.web import create_web_app
from complaints.app import App
from complaints.models import OutboxMessage, Survey
from complaints.services import automation, intake, taking
from complaints.services.views import show
from tests.conftest import intake as sample
from tests.factories import answer
from tests.web import csrf, survey_token


@pytest.fixture
def client(fake_app: App) -> Iterator[TestClient]:
    with TestClient(create_web_app(fake_app)) as client:
        yield client


def answered_with_survey(fake_app: App, **changes: str) -> tuple[str, str]:
    t0 = datetime.now(UTC) - timedelta(days=10)
    reference = intake.receive(app=fake_app, intake=sample(**changes), at=t0).reference
    for step in (automation.acknowledge, automation.start_analysis):
        taking.run_step(fake_app, step, [reference], t0)
    answer(fake_app, reference, t0 + timedelta(days=1))
    taking.run_step(fake_app, automation.send_survey, [reference], t0 + timedelta(days=9))
    return reference, survey_token(fake_app, reference)


def ticked(page: str) -> list[str]:
    """The answers ticked on a survey page."""
    return re.findall(r'<input type="radio"[^>]*value="(\w+)"[^>]*\bchecked\b', page)


def answered(app: App, token: str) -> bool:
    with app.db.reader() as session:
        survey = session.scalars(select(Survey).where(Survey.token == token)).one()
        return survey.answered_at is not None


def test_opening_the_link_twice_records_nothing_and_the_button_records_once(
    client: TestClient, fake_app: App
) -> None:
    reference, token = answered_with_survey(fake_app)
    first = client.get(f"/avis/{token}?satisfait=oui")
    again = client.get(f"/avis/{token}?satisfait=oui")
    assert first.status_code == again.status_code == 200
    assert ticked(again.text) == ["oui"]
    assert again.text.count('type="submit"') == 1 and not answered(fake_app, token)
    posted = client.post(f"/avis/{token}", data={"satisfait": "oui", "csrf": csrf(again.text)})
    assert posted.status_code == 200 and "clôturée" in posted.text
    repeat = client.post(f"/avis/{token}", data={"satisfait": "non", "csrf": csrf(again.text)})
    assert repeat.status_code == 409 and "déjà enregistrée" in repeat.text
    data = show(app=fake_app, reference=reference)
    assert data["closure_reason"] == "satisfied"
    assert [e["action"] for e in data["history"]].count("record_satisfaction") == 1


def test_a_scanner_following_the_no_link_changes_nothing(client: TestClient, fake_app: App) -> None:
    reference, token = answered_with_survey(fake_app)
    for _ in range(3):
        assert client.get(f"/avis/{token}?satisfait=non").status_code == 200
    assert not answered(fake_app, token)
    assert show(app=fake_app, reference=reference)["state"] == "awaiting_feedback"


def test_the_emailed_links_open_the_question(client: TestClient, fake_app: App) -> None:
    _, token = answered_with_survey(fake_app)
    with fake_app.db.reader() as session:
        body = session.scalars(
            select(OutboxMessage.text_body).where(OutboxMessage.kind == "survey")
        ).one()
    links = re.findall(r"https?://\S+/avis/\S+", body)
    assert len(links) == 2
    for link, choice in zip(links, ("oui", "non"), strict=True):
        parts = urlsplit(link)
        page = client.get(f"{parts.path}?{parts.query}")
        assert page.status_code == 200 and f'id="choice-{choice}"' in page.text
        assert ticked(page.text) == [choice]
    assert not answered(fake_app, token)


def test_without_the_forms_token_or_a_choice_nothing_is_recorded(
    client: TestClient, fake_app: App
) -> None:
    _, token = answered_with_survey(fake_app)
    page = client.get(f"/avis/{token}")
    assert ticked(page.text) == []  # no choice in the link: none is ticked
    assert client.post(f"/avis/{token}", data={"satisfait": "oui"}).status_code == 403
    unsure = client.post(f"/avis/{token}", data={"satisfait": "bof", "csrf": csrf(page.text)})
    assert unsure.status_code == 422 and "Choisissez une réponse." in unsure.text
    assert not answered(fake_app, token)


def test_dissatisfied_leads_to_review_and_a_comment_can_follow(
    client: TestClient, fake_app: App
) -> None:
    reference, token = answered_with_survey(fake_app)
    page = client.get(f"/avis/{token}?satisfait=non")
    posted = client.post(f"/avis/{token}", data={"satisfait": "non", "csrf": csrf(page.text)})
    assert "réexaminée" in posted.text
    sent = client.post(
        f"/avis/{token}/commentaire", data={"comment": "Toujours rien", "csrf": csrf(posted.text)}
    )
    assert sent.status_code == 200 and "commentaire est enregistré" in sent.text
    data = show(app=fake_app, reference=reference)
    assert data["state"] == "in_analysis"
    assert "feedback_comment" in [e["action"] for e in data["history"]]


def test_the_survey_speaks_the_complaints_language_and_switching_keeps_the_choice(
    client: TestClient, fake_app: App
) -> None:
    _, token = answered_with_survey(fake_app, language="en")
    page = client.get(f"/avis/{token}?satisfait=non", headers={"Accept-Language": "fr-FR"})
    assert '<html lang="en">' in page.text and "Confirm my answer" in page.text
    switch = re.search(r'<a href="([^"]+)" lang="fr"', page.text)
    assert switch and switch.group(1) == f"/avis/{token}?satisfait=non&amp;lang=fr"
    french = client.get(switch.group(1).replace("&amp;", "&"))
    assert french.status_code == 200 and '<html lang="fr">' in french.text
    assert ticked(french.text) == ["non"]
    assert not answered(fake_app, token)


def test_an_unknown_or_closed_survey_says_so_in_words(client: TestClient, fake_app: App) -> None:
    unknown = client.get("/avis/" + "A" * 32 + "?satisfait=oui", headers={"Accept-Language": "en"})
    assert unknown.status_code == 404 and "This link is not valid." in unknown.text
    _, token = answered_with_survey(fake_app)
    page = client.get(f"/avis/{token}?satisfait=oui")
    client.post(f"/avis/{token}", data={"satisfait": "oui", "csrf": csrf(page.text)})
    later = client.get(f"/avis/{token}?satisfait=non")
    assert later.status_code == 200 and "déjà enregistrée" in later.text
    assert 'type="radio"' not in later.text

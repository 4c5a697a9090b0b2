"""The customer writes from the tracking page, with files: the same customer-message step as
an e-mail reply (services/messages.py); a refused file says why in the page's language and
changes nothing; the information asked may come with its photo."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from complaints.api.web import create_web_app
from complaints.app import App
from complaints.models import Attachment, Event
from complaints.services import information
from tests.test_api__tracking import in_analysis, state
from tests.web import csrf

NOW = datetime.now(UTC)
MAIL = Path(__file__).parent / "mail"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def client(fake_app: App) -> Iterator[TestClient]:
    with TestClient(create_web_app(fake_app)) as client:
        yield client


def stored(app: App, table: type) -> int:
    with app.db.reader() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_a_message_with_files_from_the_tracking_page(client: TestClient, fake_app: App) -> None:
    _, page = in_analysis(fake_app, NOW - timedelta(days=2))
    shown = client.get(page).text
    assert f'action="{page}/message"' in shown and 'enctype="multipart/form-data"' in shown
    files = [
        ("fichiers", ("colis.png", PNG, "image/png")),
        ("fichiers", ("facture.pdf", (MAIL / "pdf_attachment.eml").read_bytes(), "text/plain")),
    ]
    form = {"csrf": csrf(shown), "message": "Voici le colis et un e-mail reçu."}
    sent = client.post(f"{page}/message", data=form, files=files, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"].endswith("?fait=message")
    after = client.get(sent.headers["location"]).text
    assert "votre message est transmis" in after
    assert "Votre message" in after  # in the steps the customer sees
    with fake_app.db.reader() as session:
        kinds = sorted(session.scalars(select(Attachment.content_type)))
        actions = list(session.scalars(select(Event.action).order_by(Event.id)))
    assert kinds == ["image/png", "message/rfc822"]  # the content decides, not the name
    assert actions[-2:] == ["customer_message", "files_received"]


def test_a_refused_file_says_why_and_changes_nothing(client: TestClient, fake_app: App) -> None:
    """In the complaint's language, whichever the visitor's browser speaks."""
    exe = ("fichiers", ("photo.png", b"MZ\x90\x00" + b"\x00" * 200, "image/png"))
    for lang, words in (("fr", "type accepté"), ("en", "not of a type we take")):
        _, page = in_analysis(fake_app, NOW - timedelta(days=2), language=lang)
        events = stored(fake_app, Event)
        shown = client.get(page).text
        form = {"csrf": csrf(shown), "message": "La photo."}
        refused = client.post(f"{page}/message", data=form, files=[exe])
        assert refused.status_code == 422
        assert words in refused.text and "La photo." in refused.text
        assert stored(fake_app, Event) == events
    assert stored(fake_app, Attachment) == 0


def test_the_information_asked_comes_with_its_photo(client: TestClient, fake_app: App) -> None:
    reference, page = in_analysis(fake_app, NOW - timedelta(days=5))
    information.request_information(
        app=fake_app, reference=reference, by="Camille", what="Une photo.", at=NOW - timedelta(4)
    )
    shown = client.get(page).text
    assert f'action="{page}/message"' not in shown  # the information has its own form
    form = {"csrf": csrf(shown), "informations": "La voici."}
    files = [("fichiers", ("colis.png", PNG, "image/png"))]
    sent = client.post(f"{page}/informations", data=form, files=files, follow_redirects=False)
    assert sent.headers["location"].endswith("?fait=information")
    assert state(fake_app, reference).value == "in_analysis"
    assert stored(fake_app, Attachment) == 1

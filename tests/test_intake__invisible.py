"""Names, subjects and other single lines read as they are stored: no bidirectional override,
no invisible character, never nothing visible. Refused at every entry point, nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from complaints.api.web import create_web_app
from complaints.app import App
from complaints.services import intake, staff
from tests.conftest import intake as sample
from tests.test_api__intake import BODY
from tests.web import FORM, complaints_stored, csrf

# The bidirectional overrides and isolates, zero-width characters, word joiner, byte-order mark.
INVISIBLE = [
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
    *(chr(c) for c in range(0x200B, 0x2010)),
    "\u2060",
    "\ufeff",
    "\u00ad",  # soft hyphen: another format character
]
SPOOFED = "Remboursement \u202egnp.exe\u202c"  # reads "Remboursement exe.png"
NOTHING_VISIBLE = ["\u3164", "\u2800 \u2800", "\u0301", "\u115f\u1160"]


@pytest.fixture
def client(fake_app: App) -> Iterator[TestClient]:
    fake_app.settings.intake_burst = 10_000
    with TestClient(create_web_app(fake_app)) as client:
        yield client


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("field", ["name", "subject", "product"])
def test_every_format_character_is_refused_in_a_line(field: str, char: str) -> None:
    with pytest.raises(ValidationError, match=f"U\\+{ord(char):04X}"):
        sample(**{field: f"Marie{char} Lefèvre"})


@pytest.mark.parametrize("name", NOTHING_VISIBLE)
def test_a_name_with_nothing_visible_is_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="no visible character"):
        sample(name=name)


def test_letters_of_every_script_and_marks_on_them_are_kept() -> None:
    names = ["José Müller", "Zoë O'Brien-Łukasz", "李小龍", "محمد", "Ngô Bảo Châu", "e\u0301"]
    assert [sample(name=n).name for n in names] == names
    assert sample(description="Texte\u200f avec marque RTL").description  # long text: left as is


def test_the_service_writes_nothing(fake_app: App) -> None:
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with pytest.raises(ValidationError):
        intake.receive(app=fake_app, intake=sample(subject=SPOOFED), at=at)
    assert complaints_stored(fake_app) == 0


@pytest.mark.parametrize(
    ("field", "value"), [("name", "Eve\u202e"), ("subject", SPOOFED), ("name", "\u3164")]
)
def test_the_public_api_says_why(client: TestClient, fake_app: App, field: str, value: str) -> None:
    response = client.post("/api/complaints", json={**BODY, field: value})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", field]
    assert "invisible" in error["msg"] or "no visible character" in error["msg"]
    assert complaints_stored(fake_app) == 0


def test_the_staff_api_refuses_them_too(client: TestClient, fake_app: App) -> None:
    token = staff.add(app=fake_app, name="Nadia", role="agent")
    response = client.post(
        "/api/staff/complaints",
        json={**BODY, "channel": "phone", "name": "Marie\u2066 Lefèvre"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422 and "U+2066" in response.text
    assert complaints_stored(fake_app) == 0


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fr", "Ce texte contient un caractère invisible ou qui inverse le sens d&#39;écriture"),
        ("en", "This text contains an invisible or direction-reversing character"),
    ],
)
def test_the_form_says_so_in_the_visitors_language(
    client: TestClient, fake_app: App, lang: str, words: str
) -> None:
    page = client.get(f"/?lang={lang}").text
    data = {**FORM, "subject": SPOOFED, "name": "\u3164", "csrf": csrf(page)}
    response = client.post(f"/?lang={lang}", data=data, follow_redirects=False)
    assert response.status_code == 422
    assert 'id="subject-error"' in response.text and words in response.text
    assert 'id="name-error"' in response.text  # nothing visible: as if left empty
    assert complaints_stored(fake_app) == 0


def test_a_rectified_name_is_held_to_the_same_rule() -> None:
    from complaints.intake import Rectification

    with pytest.raises(ValidationError, match="U\\+202E"):
        Rectification(name="Marie \u202eLefèvre")

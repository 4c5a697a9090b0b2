"""Staff page sessions: the cookie holds a random id, never the token; logout, an idle spell
and revocation end a session on the server; each sign-in gives a new id."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from complaints import clock
from complaints.api.deps import STAFF_COOKIE
from complaints.api.web import create_web_app
from complaints.app import App
from complaints.models import StaffSession
from complaints.services import staff
from complaints.services.staff import digest
from tests.web import csrf


@dataclass
class Clock:
    """The time `complaints.clock` gives the services, held still and moved by the test."""

    at: datetime

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def moment(monkeypatch: pytest.MonkeyPatch) -> Clock:
    held = Clock(datetime.now(UTC))
    monkeypatch.setattr(clock, "now", lambda: held.at)
    return held


@pytest.fixture
def client(fake_app: App) -> Iterator[TestClient]:
    with TestClient(create_web_app(fake_app)) as client:
        yield client


@pytest.fixture
def token(fake_app: App) -> str:
    return staff.add(app=fake_app, name="Camille", role="agent")


def sign_in(client: TestClient, token: str) -> str:
    """Sign in through the login form; the session id the cookie received."""
    login = client.get("/staff")
    signed = client.post(
        "/staff/login", data={"token": token, "csrf": csrf(login.text)}, follow_redirects=False
    )
    assert signed.status_code == 303
    return str(signed.cookies[STAFF_COOKIE])


def signed_in(client: TestClient, session_id: str | None = None) -> bool:
    """Whether the staff board opens (with `session_id` as the cookie, when given)."""
    if session_id is not None:
        client.cookies.clear()
        client.cookies.set(STAFF_COOKIE, session_id)
    return 'action="/staff/logout' in client.get("/staff").text


def sessions(app: App) -> int:
    with app.db.reader() as session:
        return session.scalar(select(func.count()).select_from(StaffSession)) or 0


def test_the_cookie_holds_a_random_id_stored_hashed_never_the_token(
    fake_app: App, client: TestClient, token: str
) -> None:
    login = client.get("/staff")
    signed = client.post("/staff/login", data={"token": token, "csrf": csrf(login.text)})
    cookie = signed.history[0].headers["set-cookie"]
    session_id = signed.history[0].cookies[STAFF_COOKIE]
    assert token not in cookie and session_id != token
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # http://127.0.0.1: a Secure cookie would never come back
    assert "Connecté(e) : Camille" in signed.text and signed_in(client)
    with fake_app.db.reader() as session:
        stored = session.scalars(select(StaffSession.id_hash)).one()
    assert stored == digest(session_id)
    assert client.get("/staff/tableau", follow_redirects=False).status_code == 200


def test_the_cookie_is_secure_behind_https(fake_app: App, token: str) -> None:
    fake_app.settings.public_base_url = "https://reclamations.exemple.fr"
    with TestClient(create_web_app(fake_app), base_url="https://testserver") as client:
        login = client.get("/staff")
        signed = client.post(
            "/staff/login", data={"token": token, "csrf": csrf(login.text)}, follow_redirects=False
        )
    assert "Secure" in signed.headers["set-cookie"]


def test_logout_ends_the_session_and_the_same_cookie_is_refused(
    fake_app: App, client: TestClient, token: str
) -> None:
    session_id = sign_in(client, token)
    board = client.get("/staff").text
    out = client.post("/staff/logout", data={"csrf": csrf(board)}, follow_redirects=False)
    assert out.status_code == 303 and 'complaints_staff=""' in out.headers["set-cookie"]
    assert not signed_in(client)
    assert not signed_in(client, session_id)
    assert client.get("/staff/c/REC-2026-000001", follow_redirects=False).status_code == 303
    assert client.get("/staff/tableau", follow_redirects=False).status_code == 303


def test_logout_without_the_form_token_changes_nothing(client: TestClient, token: str) -> None:
    session_id = sign_in(client, token)
    assert client.post("/staff/logout", data={"csrf": "forged"}).status_code == 403
    assert signed_in(client, session_id)


def test_eight_idle_hours_end_a_session_but_work_keeps_it(
    client: TestClient, token: str, moment: Clock
) -> None:
    session_id = sign_in(client, token)
    moment.advance(hours=7, minutes=59)
    assert signed_in(client, session_id)  # seen now: the idle spell starts again
    moment.advance(hours=7, minutes=59)
    assert signed_in(client, session_id)
    moment.advance(hours=8)
    assert not signed_in(client, session_id)
    assert signed_in(client, sign_in(client, token))  # signing in again opens a new one


def test_the_idle_limit_is_a_setting(
    fake_app: App, client: TestClient, token: str, moment: Clock
) -> None:
    fake_app.settings.staff_session_idle_hours = 1
    session_id = sign_in(client, token)
    moment.advance(minutes=61)
    assert not signed_in(client, session_id)


def test_revoking_the_member_ends_their_sessions(
    fake_app: App, client: TestClient, token: str
) -> None:
    session_id = sign_in(client, token)
    staff.revoke(app=fake_app, name="Camille")
    assert not signed_in(client, session_id)
    with fake_app.db.reader() as session:
        assert session.scalars(select(StaffSession.ended_at)).one() is not None


def test_a_new_token_ends_the_sessions_the_former_opened(
    fake_app: App, client: TestClient, token: str
) -> None:
    session_id = sign_in(client, token)
    staff.add(app=fake_app, name="Camille", role="manager")
    assert not signed_in(client, session_id)


def test_an_old_cookie_holding_the_raw_token_is_refused_and_cleared(
    client: TestClient, token: str
) -> None:
    client.cookies.set(STAFF_COOKIE, token)
    board = client.get("/staff")
    assert 'type="password"' in board.text and "Connecté" not in board.text
    assert 'complaints_staff=""' in board.headers["set-cookie"]


def test_each_sign_in_gives_a_new_id_and_ends_the_one_held_before(
    client: TestClient, token: str
) -> None:
    first = sign_in(client, token)
    second = sign_in(client, token)
    assert second != first
    assert not signed_in(client, first) and signed_in(client, second)
    client.cookies.set(STAFF_COOKIE, "planted-by-someone-else")
    assert sign_in(client, token) not in ("planted-by-someone-else", second)


def test_a_bad_token_opens_no_session(fake_app: App, client: TestClient) -> None:
    login = client.get("/staff")
    refused = client.post("/staff/login", data={"token": "wrong", "csrf": csrf(login.text)})
    assert refused.status_code == 401 and "Jeton invalide" in refused.text
    assert STAFF_COOKIE not in refused.cookies and sessions(fake_app) == 0


def test_the_api_wants_the_bearer_token_not_the_page_cookie(client: TestClient, token: str) -> None:
    sign_in(client, token)
    assert client.get("/api/staff/complaints").status_code == 401
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/staff/complaints", headers=headers).status_code == 200


def test_the_board_speaks_english_on_request(client: TestClient, token: str) -> None:
    sign_in(client, token)
    board = client.get("/staff?lang=en").text
    assert "Sign out" in board and "Se déconnecter" not in board

"""The intake form's rate limit: 429 with Retry-After, when to retry in words, the form kept.
The limit's clock is the test's, so nothing depends on how fast the machine is."""

from __future__ import annotations

from fastapi.testclient import TestClient

from complaints.api.security import RateLimit
from complaints.api.web import create_web_app
from complaints.app import App
from tests.web import FORM, complaints_stored, csrf, submit_form


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_retry_after_counts_the_seconds_until_a_token_is_back() -> None:
    clock = Clock()
    limit = RateLimit(per_minute=2, burst=1, clock=clock)
    assert limit.retry_after("a") == 0 and limit.allow("a")
    assert not limit.allow("a") and limit.retry_after("a") == 30
    clock.now += 20
    assert limit.retry_after("a") == 10 and limit.retry_after("b") == 0
    clock.now += 10
    assert limit.allow("a")


def test_the_429_page_keeps_the_form_and_says_when_to_send_it(fake_app: App) -> None:
    clock = Clock()
    web = create_web_app(fake_app)
    web.state.intake_limit = RateLimit(per_minute=1, burst=1, clock=clock)
    with TestClient(web) as client:
        assert submit_form(client).status_code == 303
        refused = submit_form(client, description="Deuxième envoi, mot pour mot.")
        assert refused.status_code == 429 and refused.headers["retry-after"] == "60"
        assert "Vous pourrez l&#39;envoyer dans 1 minute" in refused.text
        assert 'value="Marie Lefèvre"' in refused.text and 'id="notice"' in refused.text
        assert ">Deuxième envoi, mot pour mot.</textarea>" in refused.text
        assert complaints_stored(fake_app) == 1
        english = client.post(
            "/?lang=en", data={**FORM, "csrf": csrf(refused.text)}, follow_redirects=False
        )
        assert english.status_code == 429 and "You can send it in 1 minute" in english.text
        clock.now += 60  # the minute has passed: the same form, resent, is taken
        assert client.post("/", data={**FORM, "csrf": csrf(refused.text)}).url.path.startswith(
            "/suivi/"
        )
    assert complaints_stored(fake_app) == 2


def test_the_api_429_says_how_many_seconds_to_wait(fake_app: App) -> None:
    from tests.test_api__intake import BODY

    clock = Clock()
    web = create_web_app(fake_app)
    web.state.intake_limit = RateLimit(per_minute=2, burst=1, clock=clock)
    with TestClient(web) as client:
        assert client.post("/api/complaints", json=BODY).status_code == 201
        clock.now += 10
        refused = client.post("/api/complaints", json=BODY)
        assert refused.status_code == 429 and refused.headers["retry-after"] == "20"
        assert "try again in 20 s" in refused.json()["detail"]
        assert complaints_stored(fake_app) == 1

"""The client's address for the intake's rate limit: X-Forwarded-For is believed only from a
trusted proxy, and then only the entries the proxies wrote."""

from __future__ import annotations

from ipaddress import ip_network

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from complaints.api.proxies import forwarded_client
from complaints.api.web import create_web_app
from complaints.app import App
from complaints.settings import Settings
from tests.test_api__intake import BODY
from tests.web import submit_form

PROXIES = [ip_network("10.0.0.1"), ip_network("172.16.0.0/12"), ip_network("fd00::/8")]


def limited(app: App, burst: int = 2) -> App:
    app.settings.intake_burst, app.settings.intake_per_minute = burst, 0.0001
    return app


def test_a_forwarded_for_header_is_ignored_without_a_trusted_proxy(fake_app: App) -> None:
    with TestClient(create_web_app(limited(fake_app))) as client:
        codes = []
        for n in range(3):
            client.headers["X-Forwarded-For"] = f"203.0.113.{n}"
            codes.append(submit_form(client).status_code)
    assert codes == [303, 303, 429]


def test_behind_a_trusted_proxy_two_clients_are_limited_apart(fake_app: App) -> None:
    fake_app.settings.trusted_proxies = PROXIES
    web = create_web_app(limited(fake_app))
    with TestClient(web, client=("10.0.0.1", 40000)) as client:

        def post(forwarded: str) -> int:
            headers = {"X-Forwarded-For": forwarded}
            return client.post("/api/complaints", json=BODY, headers=headers).status_code

        assert [post("203.0.113.5") for _ in range(3)] == [201, 201, 429]
        assert post("198.51.100.7") == 201
        # What the client wrote sits left of what the proxy appended: it changes nothing.
        assert post("198.51.100.99, 203.0.113.5") == 429


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("203.0.113.9", ["198.51.100.1"], "203.0.113.9"),  # the peer is no proxy: header ignored
        ("10.0.0.1", [], "10.0.0.1"),  # the proxy itself (a health check)
        ("10.0.0.1", ["198.51.100.1, 203.0.113.5"], "203.0.113.5"),
        ("10.0.0.1", ["203.0.113.5, 172.16.4.2"], "203.0.113.5"),  # through two proxies
        ("10.0.0.1", ["198.51.100.1", "203.0.113.5"], "203.0.113.5"),  # header given twice
        ("10.0.0.1", ["[2001:db8::7]:5123"], "2001:db8::7"),
        ("10.0.0.1", ["203.0.113.5:5123"], "203.0.113.5"),
        ("10.0.0.1", ["garbage, 172.16.4.2"], "172.16.4.2"),  # the last proxy that spoke
        ("10.0.0.1", ["172.16.4.2"], "172.16.4.2"),  # proxies all the way
        ("::ffff:10.0.0.1", ["203.0.113.5"], "203.0.113.5"),  # IPv4 seen through IPv6
        ("fd00::1", ["2001:db8::7"], "2001:db8::7"),
        ("testclient", ["203.0.113.5"], "testclient"),
    ],
)
def test_the_right_most_address_no_proxy_wrote_is_the_client(
    peer: str, forwarded: list[str], client: str
) -> None:
    assert forwarded_client(peer, forwarded, PROXIES) == client


def test_the_setting_takes_a_list_and_refuses_what_is_not_an_address() -> None:
    settings = Settings(trusted_proxies="10.0.0.1, 172.16.0.0/12 fd00::/8")  # type: ignore[arg-type]
    assert settings.trusted_proxies == PROXIES
    assert Settings().trusted_proxies == []
    with pytest.raises(ValidationError, match="neither an IP address nor a network"):
        Settings(trusted_proxies="10.0.0.1/8")  # type: ignore[arg-type]

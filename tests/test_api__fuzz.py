"""Schemathesis over the OpenAPI: whatever the schema allows, no route answers 500.

Public and staff routes (signed in as an admin), a bounded number of examples each so that
`make test` stays short; a complaint is on file so that the routes with a reference find one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from complaints import app as wiring
from complaints.api.web import create_web_app
from complaints.app import App
from complaints.services import intake as intake_service
from complaints.services import staff
from tests.conftest import intake

EXAMPLES = 15


@pytest.fixture
def fuzzed(env: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[App, str]]:
    monkeypatch.setenv("COMPLAINTS_INTAKE_PER_MINUTE", "1000000")
    monkeypatch.setenv("COMPLAINTS_INTAKE_BURST", "1000000")
    wiring.reset()
    app = wiring.get_app()
    token = staff.add(app=app, name="Camille", role="admin")
    intake_service.receive(app=app, intake=intake())
    yield app, token
    wiring.reset()


def _spec() -> dict[str, object]:
    """The OpenAPI document, which depends on the routes only (an App in memory serves it)."""
    from complaints.db import Database
    from complaints.settings import Settings

    return create_web_app(App(settings=Settings(), db=Database("sqlite:///:memory:"))).openapi()


schema = schemathesis.openapi.from_dict(_spec())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same examples on every run: a failure is reproducible
)
def test_no_route_answers_500(case: schemathesis.Case, fuzzed: tuple[App, str]) -> None:
    app, token = fuzzed
    case.call_and_validate(
        app=create_web_app(app),
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error],
    )

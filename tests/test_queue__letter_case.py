"""The staff's search folds every letter's case, accented capitals included, on SQLite as on
PostgreSQL: "élodie" finds "Élodie" (SQLite's own lower() folds ASCII only)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from complaints.app import App
from complaints.services import intake, queue
from tests.conftest import BACKENDS
from tests.conftest import intake as sample

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def found(app: App, words: str) -> list[str]:
    filters = queue.Filters(q=words)
    return [
        row.reference
        for row in queue.queue(app=app, member="Camille", filters=filters, as_of=T0).rows
    ]


def test_accented_capitals_are_found_in_any_case(app: App) -> None:
    elodie = intake.receive(
        app=app, intake=sample(name="Élodie Çelik", email="E.Celik@Exemple.fr"), at=T0
    ).reference
    marie = intake.receive(app=app, intake=sample(name="Marie LEFÈVRE"), at=T0).reference
    for words in ("élodie", "ÉLODIE", "çelik", "ÇELIK", "e.CELIK@exemple"):
        assert found(app, words) == [elodie], words
    assert found(app, "lefèvre") == found(app, "Lefèvre") == [marie]

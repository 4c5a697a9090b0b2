"""Automatic steps taken together: one transaction for many, and one bad complaint stops none."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from complaints.app import App
from complaints.errors import NotFound
from complaints.lifecycle import State
from complaints.services import automation, taking
from complaints.services import intake as intake_service
from complaints.services.views import show
from tests.conftest import BACKENDS, intake

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def received(app: App, count: int) -> list[str]:
    return [
        intake_service.receive(app=app, intake=intake(email=f"c{n}@exemple.fr"), at=T0).reference
        for n in range(count)
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_group_shares_one_transaction(app: App) -> None:
    references = received(app, 3)
    commits: list[object] = []

    def count(connection: object) -> None:
        commits.append(connection)

    event.listen(app.db.engine, "commit", count)
    outcomes = taking.run_step(app, automation.acknowledge, references, T0)
    event.remove(app.db.engine, "commit", count)
    assert outcomes == dict.fromkeys(references, "acknowledged")
    assert len(commits) == 1
    assert {show(app=app, reference=ref)["state"] for ref in references} == {State.ACKNOWLEDGED}


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_bad_complaint_holds_back_none_of_the_others(app: App) -> None:
    first, last = received(app, 2)
    with pytest.raises(NotFound, match="REC-2026-999999"):
        taking.run_step(app, automation.acknowledge, [first, "REC-2026-999999", last], T0)
    assert show(app=app, reference=first)["state"] == State.ACKNOWLEDGED
    assert show(app=app, reference=last)["state"] == State.ACKNOWLEDGED
    # The retry skips what was done and fails again only on the bad one.
    with pytest.raises(NotFound):
        taking.run_step(app, automation.acknowledge, [first, "REC-2026-999999", last], T0)
    history = show(app=app, reference=first)["history"]
    assert [e["action"] for e in history].count("acknowledge") == 1

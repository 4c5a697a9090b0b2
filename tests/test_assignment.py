"""Assignment: a manager gives a complaint to an active member, who is reminded once before
the answer falls due; on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from complaints.app import App
from complaints.errors import Forbidden, RuleViolation
from complaints.services import automation, handling, intake, staff, taking
from complaints.services.views import show
from tests.conftest import BACKENDS
from tests.conftest import intake as sample
from tests.factories import outbox

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the answer is due by 17 March, end of day (Paris)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def in_analysis(app: App) -> str:
    reference = intake.receive(app=app, intake=sample(), at=T0).reference
    for step in (automation.acknowledge, automation.start_analysis):
        taking.run_step(app, step, [reference], T0)
    return reference


def remind(app: App, reference: str, n: float) -> str:
    return taking.run_step(app, automation.remind_assignee, [reference], day(n))[reference]


def test_only_a_manager_assigns_and_only_to_an_active_member(app: App) -> None:
    reference = in_analysis(app)
    with pytest.raises(Forbidden, match="may not assign"):
        handling.assign(app=app, reference=reference, by="Camille", assignee="Bob", at=day(1))
    with pytest.raises(RuleViolation, match="not an active staff member"):
        handling.assign(app=app, reference=reference, by="Luc", assignee="Zoé", at=day(1))
    assert show(app=app, reference=reference)["assignee"] is None
    handling.assign(app=app, reference=reference, by="Luc", assignee="Bob", at=day(1))
    assert show(app=app, reference=reference)["assignee"] == "Bob"


def test_the_assignee_is_reminded_once_when_the_answer_falls_due_soon(app: App) -> None:
    staff.add(app=app, name="Camille", role="agent", email="camille@exemple-services.fr")
    reference = in_analysis(app)
    assert remind(app, reference, 16) == "skipped"  # assigned to nobody
    handling.assign(app=app, reference=reference, by="Luc", assignee="Camille", at=day(1))
    assert remind(app, reference, 13) == "skipped"  # 17 March is more than 2 days away
    assert remind(app, reference, 15.5) == "reminded"
    assert remind(app, reference, 15.6) == "skipped"  # once
    [mail] = outbox(app, reference, "assignee_reminder")
    assert mail.recipient == "camille@exemple-services.fr"
    assert "17 mars 2026" in mail.text_body and f"/staff/c/{reference}" in mail.text_body


def test_a_member_without_an_address_is_reminded_through_the_manager(app: App) -> None:
    reference = in_analysis(app)
    handling.assign(app=app, reference=reference, by="Luc", assignee="Bob", at=day(1))
    assert remind(app, reference, 15.5) == "reminded"
    [mail] = outbox(app, reference, "assignee_reminder")
    assert mail.recipient == str(app.conduct.organisation.manager_email)
    assert "Bob" in mail.text_body
    # Given to another member, the complaint's reminder is owed again, to them.
    handling.assign(app=app, reference=reference, by="Luc", assignee="Alice", at=day(15.6))
    assert remind(app, reference, 15.7) == "reminded"
    assert len(outbox(app, reference, "assignee_reminder")) == 2

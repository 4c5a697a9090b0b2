"""The sweeps take the new steps through the real flows (Prefect's test harness), with e-mails
received by a real SMTP server: information asked and never sent (a reminder, then closed "no
information"), and the assignee reminded before the manager is alerted. SQLite: the steps
themselves run on both databases in test_information.py and test_services__automation.py."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest

from complaints import orchestration
from complaints.app import App
from complaints.mail.sink import MailSink
from complaints.services import handling, information, staff
from complaints.services import intake as intake_service
from complaints.services.views import show
from tests.conftest import intake

pytestmark = [pytest.mark.usefixtures("prefect_server"), pytest.mark.prefect]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday; the answer is due by 17 March


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def run_due(n: float) -> dict[str, object]:
    return asyncio.run(orchestration.run_due(day(n)))


def text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return " ".join(str(body.get_content()).split())


def subjects(smtp: MailSink, address: str) -> list[str]:
    return [str(m["Subject"]) for m in smtp.messages if address in str(m["To"])]


def actions(app: App, reference: str) -> list[str]:
    return [e["action"] for e in show(app=app, reference=reference)["history"]]


def test_information_never_sent_is_reminded_once_then_closed(app: App, smtp: MailSink) -> None:
    reference = intake_service.receive(app=app, intake=intake(), at=T0).reference
    run_due(0)
    information.request_information(
        app=app, reference=reference, by="Camille", what="Une photo du colis", at=day(1)
    )
    run_due(1.01)
    asked = [m for m in smtp.messages if "informations" in str(m["Subject"])]
    assert len(asked) == 1 and "Une photo du colis" in text(asked[0])
    assert "18 mars 2026" in text(asked[0])  # asked on 3 March: 15 days, to the end of the day
    run_due(7.5)  # before the reminder (7 days after the request): nothing
    assert "remind_information" not in actions(app, reference)
    run_due(8.01)
    assert actions(app, reference).count("remind_information") == 1
    reminders = [m for m in smtp.messages if "Rappel" in str(m["Subject"])]
    assert len(reminders) == 1 and "Une photo du colis" in text(reminders[0])
    overdue = run_due(17)  # past 18 March; the answer's clock is paused: no manager alert
    assert overdue["alerted"] == 0 and show(app=app, reference=reference)["state"] == "closed"
    data = show(app=app, reference=reference)
    assert data["closure_reason"] == "no_information"
    assert "close_without_information" in actions(app, reference)
    closure = [m for m in smtp.messages if "clôturée" in str(m["Subject"])]
    assert len(closure) == 1
    assert "manager_alerted" not in actions(app, reference)


def test_information_received_in_time_is_neither_reminded_nor_closed(
    app: App, smtp: MailSink
) -> None:
    reference = intake_service.receive(app=app, intake=intake(), at=T0).reference
    run_due(0)
    information.request_information(
        app=app, reference=reference, by="Camille", what="Une photo du colis", at=day(1)
    )
    information.receive_information(
        app=app, reference=reference, by="Camille", summary="Photo reçue", at=day(3)
    )
    run_due(9)
    run_due(17)
    data = show(app=app, reference=reference)
    assert data["state"] == "in_analysis" and data["paused_days"] == 2
    assert "remind_information" not in actions(app, reference)
    assert not [s for s in subjects(smtp, "marie.lefevre@exemple.fr") if "Rappel" in s]


def test_the_assignee_is_reminded_before_the_manager_is_alerted(app: App, smtp: MailSink) -> None:
    staff.add(
        app=app, name="Camille", role="agent", email="camille@exemple-services.fr", days=36500
    )
    assigned = intake_service.receive(app=app, intake=intake(), at=T0).reference
    alone = intake_service.receive(
        app=app, intake=intake(email="autre@exemple.fr"), at=T0
    ).reference
    run_due(0)
    handling.assign(app=app, reference=assigned, by="Luc", assignee="Camille", at=day(1))
    run_due(13)  # 4 days before the answer is due: too early
    assert subjects(smtp, "camille@exemple-services.fr") == []
    run_due(15.5)  # 17 March, end of day, is within 2 days
    [reminder] = [m for m in smtp.messages if "camille@exemple-services.fr" in str(m["To"])]
    assert assigned in str(reminder["Subject"]) and "17 mars 2026" in text(reminder)
    assert actions(app, assigned).count("remind_assignee") == 1
    assert "remind_assignee" not in actions(app, alone)
    run_due(16)  # the promise is missed: now the manager is alerted, once per complaint
    for reference in (assigned, alone):
        assert actions(app, reference).count("manager_alerted") == 1

"""An automation firing end to end, under `complaints serve` as a user starts it (its own
Prefect server, triggers on): a manager refers a complaint to the mediator; the dispatcher's
flow sends the customer's e-mail and tells Prefect `complaint.referred-to-mediator`; the
automation runs the notify-operations deployment served by `serve`; the operations address
receives one notice naming the complaint, French then English."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from complaints.app import build_app
from complaints.mail.sender import MemorySender
from complaints.mail.sink import MailSink, free_port
from complaints.prefect_server import healthy
from complaints.services import handling, intake, staff
from complaints.settings import Settings
from tests.conftest import intake as sample
from tests.processes import answers, wait_for

pytestmark = pytest.mark.prefect
OPERATIONS = "exploitation@exemple.fr"


def to(sink: MailSink, address: str) -> list[str]:
    """The subjects of the e-mails `address` received."""
    return [str(m["Subject"]) for m in sink.messages if address in str(m["To"])]


def test_a_referral_reaches_the_operations_address_through_an_automation(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'complaints.db'}"
    app = build_app(Settings(database_url=database), MemorySender())  # the schema, once
    staff.add(app=app, name="Luc", role="manager")
    prefect_port, web_port = free_port(), free_port()
    with MailSink() as sink:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPLAINTS_", "PREFECT_"))}
        env |= {
            "COMPLAINTS_DATABASE_URL": database,
            "COMPLAINTS_SMTP_PORT": str(sink.port),
            "COMPLAINTS_PREFECT_PORT": str(prefect_port),
            "COMPLAINTS_WEB_PORT": str(web_port),
            "COMPLAINTS_OPERATIONS_EMAIL": OPERATIONS,
            "PREFECT_HOME": str(tmp_path / "prefect"),
        }
        log = tmp_path / "serve.log"
        serve = subprocess.Popen(
            [sys.executable, "-m", "complaints", "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )
        try:
            started = wait_for(
                lambda: (
                    healthy(f"http://127.0.0.1:{prefect_port}/api")
                    and answers(f"http://127.0.0.1:{web_port}/")
                ),
                180,
            )
            assert started, log.read_text()[-3000:]
            reference = intake.receive(app=app, intake=sample()).reference
            assert wait_for(lambda: len(sink.messages) >= 1, 120), log.read_text()[-3000:]  # acked
            handling.escalate(app=app, reference=reference, by="Luc", reason="Litige persistant")
            told = wait_for(lambda: bool(to(sink, OPERATIONS)), 180)
            time.sleep(3)  # a second notice would come now
        finally:
            serve.send_signal(signal.SIGINT)
            try:
                serve.wait(timeout=60)
            except subprocess.TimeoutExpired:
                serve.kill()
    assert told, log.read_text()[-3000:]
    (subject,) = to(sink, OPERATIONS)
    assert subject == (
        f"Exploitation — {reference} transmise au médiateur"
        f" / Operations — {reference} referred to the mediator"
    )

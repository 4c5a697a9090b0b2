"""`complaints serve` as a user runs it: a new complaint is acknowledged with nobody calling
run-due; the latency is printed (measured, not asserted: see bench/)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from complaints.mail.sink import MailSink, free_port
from tests.processes import wait_for

pytestmark = pytest.mark.prefect


def sweeps(port: int, state: str | None) -> list[str]:
    """States of the scheduled sweep runs (deadlines, follow-up), by Prefect's API."""
    import httpx

    body: dict[str, object] = {
        "flows": {"name": {"any_": ["enforce-deadlines", "follow-up"]}},
        **({"flow_runs": {"state": {"type": {"any_": [state]}}}} if state else {}),
    }
    found = httpx.post(f"http://127.0.0.1:{port}/api/flow_runs/filter", json=body, timeout=10)
    return [run["state"]["type"] for run in found.json()]


def test_serve_acknowledges_a_new_complaint_at_once(tmp_path: Path, smtp: MailSink) -> None:
    import httpx

    from complaints.prefect_server import healthy

    port, web_port = free_port(), free_port()
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("COMPLAINTS_", "PREFECT_API"))
    }
    environment.update(
        COMPLAINTS_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}",
        COMPLAINTS_SMTP_PORT=str(smtp.port),
        COMPLAINTS_PREFECT_PORT=str(port),
        COMPLAINTS_WEB_PORT=str(web_port),
        PREFECT_HOME=str(tmp_path / "prefect"),
        COMPLAINTS_SWEEP_SECONDS="5",
    )
    serve = subprocess.Popen(
        [sys.executable, "-m", "complaints", "serve"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert wait_for(lambda: healthy(f"http://127.0.0.1:{port}/api"), 120), (
            "Prefect server did not start"
        )
        time.sleep(3)  # the dispatcher's first flow run loads Prefect
        submit = subprocess.run(
            [
                sys.executable,
                "-m",
                "complaints",
                "submit",
                "--name",
                "Marie",
                "--email",
                "m@exemple.fr",
                "--subject",
                "Colis",
                "--description",
                "Perdu",
                "--product",
                "Box",
                "--region",
                "Bretagne",
            ],
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
        submitted = time.monotonic()
        assert submit.returncode == 0, submit.stderr
        assert wait_for(lambda: len(smtp.messages) == 1, 60), "no acknowledgement"
        print(f"\nserve: submit → acknowledgement received in {time.monotonic() - submitted:.2f} s")
        assert "REC-" in smtp.messages[0]["Subject"]
        started = time.monotonic()  # the web intake nudges the dispatcher: no poll wait
        created = httpx.post(
            f"http://127.0.0.1:{web_port}/api/complaints",
            timeout=30,
            json={
                "name": "Jean",
                "email": "j@exemple.fr",
                "subject": "Facture",
                "description": "Erreur",
                "product": "Mobile",
                "region": "Occitanie",
            },
        )
        assert created.status_code == 201, created.text
        assert wait_for(lambda: len(smtp.messages) == 2, 60), (
            "no acknowledgement for the web intake"
        )
        print(
            f"serve: POST /api/complaints → acknowledgement received in {time.monotonic() - started:.2f} s"
        )
        # The sweeps that serve schedules run in their own process: they must complete there.
        assert wait_for(lambda: len(sweeps(port, "COMPLETED")) >= 2, 90), sweeps(port, None)
        assert sweeps(port, "FAILED") == []
    finally:
        asked = time.monotonic()
        serve.send_signal(signal.SIGINT)
        try:
            serve.wait(timeout=120)
            print(f"serve: stopped {time.monotonic() - asked:.1f} s after Ctrl-C")
        except subprocess.TimeoutExpired:
            serve.kill()
            print("serve: killed, 120 s after Ctrl-C")
    # Stopped or killed, serve leaves no Prefect server behind.
    assert wait_for(lambda: not healthy(f"http://127.0.0.1:{port}/api"), 30), (
        "serve left its Prefect server running"
    )
    assert len(smtp.messages) == 2

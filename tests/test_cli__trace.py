"""`complaints trace` without Prefect: the database part, one line saying Prefect cannot be
reached, and a clean refusal of an unknown reference. (With Prefect, after the demo: see
test_demo_privacy.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from complaints.app import App
from complaints.clock import now
from complaints.mail.sink import free_port
from complaints.services import automation, taking
from complaints.services.intake import receive
from tests.conftest import intake


def complaints(
    tmp_path: Path, database_url: str, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("COMPLAINTS_", "PREFECT_"))
    }
    environment |= {
        "COMPLAINTS_DATABASE_URL": database_url,
        "COMPLAINTS_PREFECT_PORT": str(free_port()),  # nobody listens there
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "COLUMNS": "200",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "complaints", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )


def acknowledged(app: App) -> str:
    """A complaint acknowledged, its e-mail waiting in the outbox (no flow has sent it)."""
    reference = receive(app=app, intake=intake(), at=now()).reference
    taking.run_step(app, automation.acknowledge, [reference], now())
    return reference


def test_trace_prints_the_database_part_when_prefect_is_away(
    real_app: App, database_url: str, tmp_path: Path
) -> None:
    reference = acknowledged(real_app)
    away = f"http://127.0.0.1:{free_port()}/api"
    done = complaints(tmp_path, database_url, "trace", reference, PREFECT_API_URL=away)
    assert done.returncode == 0, done.stderr
    said = done.stdout
    assert reference in said and "accusé de réception envoyé" in said and "le système" in said
    assert "e-mails en attente ou en échec: 1" in said
    assert "acknowledgement" in said and "pending" in said
    assert f"Prefect injoignable ({away})" in said
    assert "Marie" not in said and "marie" not in said and "Colis" not in said
    english = complaints(
        tmp_path, database_url, "trace", reference, "--lang", "en", PREFECT_API_URL=away
    )
    assert "acknowledged" in english.stdout and "Prefect unreachable" in english.stdout


def test_trace_refuses_an_unknown_reference_in_one_line(
    real_app: App, database_url: str, tmp_path: Path
) -> None:
    acknowledged(real_app)
    done = complaints(tmp_path, database_url, "trace", "REC-2026-999999")
    assert done.returncode == 1
    assert done.stderr.strip() == "error: réclamation inconnue : REC-2026-999999"
    assert "Traceback" not in done.stderr + done.stdout

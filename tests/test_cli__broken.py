"""A broken setting or a relay down: one line a problem, exit 1, no traceback, nothing created."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from complaints.mail.sink import free_port


def complaints(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COMPLAINTS_")}
    environment.update(COMPLAINTS_SMTP_PORT=str(free_port()), **env)  # no relay listens there
    return subprocess.run(
        [sys.executable, "-m", "complaints", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def doctor(**env: str) -> subprocess.CompletedProcess[str]:
    return complaints("doctor", **env)


def assert_said_plainly(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert all(line.startswith(("ok", "FIX")) for line in result.stdout.splitlines())


def test_a_wrong_sqlite_path_is_said_and_never_created(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "complaints.db"
    result = doctor(COMPLAINTS_DATABASE_URL=f"sqlite:///{missing}")
    assert_said_plainly(result)
    assert f"FIX  database {missing} does not exist" in result.stdout
    assert not (tmp_path / "no").exists()


def test_a_database_others_can_read_is_said(tmp_path: Path) -> None:
    database = tmp_path / "complaints.db"
    env = {"COMPLAINTS_DATABASE_URL": f"sqlite:///{database}"}
    assert complaints("db", "upgrade", **env).returncode == 0
    assert "readable by others" not in doctor(**env).stdout
    database.chmod(0o644)  # as an installation made before files were private
    result = doctor(**env)
    assert f"FIX  readable by others: {database}" in result.stdout
    assert "chmod -R go-rwx" in result.stdout


def test_an_unparsable_url_is_one_line(tmp_path: Path) -> None:
    result = doctor(COMPLAINTS_DATABASE_URL="pas une url")
    assert_said_plainly(result)
    assert "COMPLAINTS_DATABASE_URL is not a database URL" in result.stdout


def test_an_unreachable_postgresql_is_one_line() -> None:
    result = doctor(COMPLAINTS_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/test")
    assert_said_plainly(result)
    assert result.stdout.startswith("FIX  database unreachable (OperationalError")


def test_another_command_on_an_unreachable_database_says_it_in_one_line() -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:1/test"
    result = complaints("list", COMPLAINTS_DATABASE_URL=url)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: database unavailable (OperationalError")
    assert len(result.stderr.strip().splitlines()) == 1


def test_run_due_with_the_relay_down_returns_at_once_with_a_line_a_complaint(
    tmp_path: Path,
) -> None:
    env = {"COMPLAINTS_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    env["COMPLAINTS_STAFF_NAME"] = "Camille"
    assert complaints("staff", "add", "Camille", "--role", "agent", **env).returncode == 0
    submitted = complaints(
        *("submit", "--name", "Marie", "--email", "marie@exemple.fr", "--subject", "Colis"),
        *("--description", "Rien reçu.", "--product", "Box Fibre", "--region", "Bretagne"),
        **env,
    )
    assert submitted.returncode == 0, submitted.stderr
    result = complaints("run-due", **env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "handled: 1" in result.stdout
    [line] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert line.startswith("error: REC-") and (
        "-000001: acknowledgement e-mail not accepted (SMTPConnectError), attempt 1, next after"
        in line
    )

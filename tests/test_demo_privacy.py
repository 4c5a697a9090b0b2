"""The whole demo, then a search of everything Prefect kept (its database: flow and task run
parameters, states, results, logs, events; its result storage; its server log) and of all the
output, for every name, e-mail address and phone number the demo used: none may be found."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from complaints.demo.scenarios import SAMPLES

pytestmark = pytest.mark.prefect


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def personal_data() -> list[str]:
    found: list[str] = []
    for sample in SAMPLES.values():
        found += [sample.name, str(sample.email), sample.email.split("@")[0]]
        found += sample.name.split()  # a surname alone is personal data too
        if sample.phone:
            found += [sample.phone, sample.phone.replace(" ", "")]
    return sorted({item for item in found if len(item) > 3})


def everything_kept(home: Path) -> str:
    parts = []
    for path in sorted(home.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".db":
            with sqlite3.connect(path) as connection:
                parts.append("\n".join(connection.iterdump()))
        elif path.suffix not in (".db-wal", ".db-shm"):
            parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


def test_the_demo_leaves_no_personal_data_in_prefect(tmp_path: Path) -> None:
    prefect_home = tmp_path / "prefect"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPLAINTS_", "PREFECT_"))}
    env |= {
        "PREFECT_HOME": str(prefect_home),
        "PREFECT_LOGGING_LEVEL": "DEBUG",  # the most a misconfigured site could log
        "COMPLAINTS_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "COMPLAINTS_PREFECT_PORT": str(free_port()),
    }
    demo = subprocess.run(
        [sys.executable, "-m", "complaints", "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    kept = everything_kept(prefect_home)
    assert "flow_run" in kept and "REC-" in kept  # Prefect did keep the runs, by reference
    server_log = Path(__file__).resolve().parents[1] / "var" / "prefect-server.log"
    logs = (
        demo.stdout
        + demo.stderr
        + (server_log.read_text("utf-8", "replace") if server_log.exists() else "")
    )
    for item in personal_data():
        assert item not in kept, f"{item!r} found in Prefect's storage"
        assert item not in logs, f"{item!r} found in the log output"

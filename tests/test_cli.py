"""The command line as a user runs it: a real process, a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SUBMIT = [
    "submit",
    "--name",
    "Marie Lefèvre",
    "--email",
    "marie@exemple.fr",
    "--subject",
    "Colis perdu",
    "--description",
    "Jamais reçu.",
    "--product",
    "Box Fibre",
    "--region",
    "Bretagne",
    "--channel",
    "letter",
]


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COMPLAINTS_")}
    environment.update(
        COMPLAINTS_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}", COMPLAINTS_STAFF_NAME="Camille"
    )

    def complaints(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "complaints", *args],
            capture_output=True,
            text=True,
            env=environment,
            timeout=60,
        )

    return complaints


def test_submit_prints_the_reference_and_due_dates(run) -> None:  # type: ignore[no-untyped-def]
    result = run(*SUBMIT, "--json", "--as-of", "2026-03-02T09:00")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["reference"] == "REC-2026-000001"
    assert data["state"] == "received"
    assert data["answer_by"].startswith("2026-03-17T09:00")


def test_show_and_list_read_back(run) -> None:  # type: ignore[no-untyped-def]
    reference = json.loads(run(*SUBMIT, "--json").stdout)["reference"]
    shown = json.loads(run("show", reference, "--json").stdout)
    assert shown["complainant"]["email"] == "marie@exemple.fr"
    assert shown["history"][0]["action"] == "received"
    listed = json.loads(run("list", "--state", "received", "--json").stdout)
    assert [row["reference"] for row in listed] == [reference]
    assert json.loads(run("list", "--overdue", "--json").stdout) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "nope"], "email"),
        (["--name", "Eve\nBcc: x@y.z"], "name"),
        (["--channel", "pigeon"], "channel"),
        (["--language", "de"], "language"),
        (["--as-of", "yesterday"], "ISO date-time"),
    ],
)
def test_bad_input_is_one_line_non_zero_and_writes_nothing(
    run, args: list[str], message: str
) -> None:  # type: ignore[no-untyped-def]
    result = run(*SUBMIT, *args)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr
    assert message in result.stderr
    assert len(lines) == 1 or result.returncode == 2  # Typer's own usage errors keep their box
    assert json.loads(run("list", "--json").stdout) == []


def test_illegal_step_is_refused_in_one_line(run) -> None:  # type: ignore[no-untyped-def]
    reference = json.loads(run(*SUBMIT, "--json").stdout)["reference"]
    result = run("respond", reference, "--decision", "accepted", "--message", "OK")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: cannot respond {reference}: it is received (allowed from: actions_planned, analysed)"
    )
    assert len(json.loads(run("show", reference, "--json").stdout)["history"]) == 1


def test_unknown_reference(run) -> None:  # type: ignore[no-untyped-def]
    result = run("show", "REC-2026-999999")
    assert (result.returncode, result.stderr.strip()) == (1, "error: no complaint REC-2026-999999")


def test_help_explains_each_command(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--help")
    for command in (
        "submit",
        "show",
        "list",
        "analyse",
        "plan",
        "respond",
        "feedback",
        "close",
        "run-due",
        "serve",
        "demo",
    ):
        assert command in result.stdout


def test_staff_add_prints_a_token_once_and_stores_only_its_hash(run) -> None:  # type: ignore[no-untyped-def]
    result = run("staff", "add", "Camille Roux", "--role", "manager")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert len(token) >= 40
    listed = json.loads(run("staff", "list", "--json").stdout)
    assert listed[0]["name"] == "Camille Roux" and listed[0]["role"] == "manager"
    assert token not in json.dumps(listed)
    bad = run("staff", "add", "X", "--role", "boss")
    assert bad.returncode == 1 and bad.stderr.strip().startswith("error: role must be one of")


def test_verify_exits_1_on_a_tampered_history(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    reference = json.loads(run(*SUBMIT, "--json").stdout)["reference"]
    assert run("verify").returncode == 0
    with sqlite3.connect(tmp_path / "cli.db") as db:
        db.execute("UPDATE events SET actor = 'someone else'")
    result = run("verify", reference)
    assert (
        result.returncode == 1 and "BREAK" in result.stdout and "content changed" in result.stdout
    )


def test_doctor_says_what_to_fix(run) -> None:  # type: ignore[no-untyped-def]
    result = run("doctor")
    assert result.returncode == 1
    assert "FIX" in result.stdout and "COMPLAINTS_PUBLIC_BASE_URL" in result.stdout
    assert "ok   database reachable" in result.stdout


def test_person_rights_from_the_command_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    reference = json.loads(run(*SUBMIT, "--consent-share", "--json").stdout)["reference"]
    out = tmp_path / "export.json"
    assert run("person", "export", "marie@exemple.fr", "-o", str(out)).returncode == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["people"][0]["name"] == "Marie Lefèvre"
    assert exported["complaints"][0]["consent_share"] is True
    fixed = run("person", "rectify", "marie@exemple.fr", "--name", "Marie Lefebvre")
    assert fixed.returncode == 0 and reference in fixed.stdout
    bad = run("person", "rectify", "marie@exemple.fr", "--new-email", "pas-une-adresse")
    assert bad.returncode == 1 and bad.stderr.startswith("error: invalid input: email")
    refused = run("person", "erase", "marie@exemple.fr")
    assert refused.returncode == 1 and "still being handled" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    unknown = run("person", "export", "personne@exemple.fr")
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "error: no personal data is held for this e-mail address"

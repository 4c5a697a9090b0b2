"""The command line as a user runs it: a real process, a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

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

    assert complaints("staff", "add", "Camille", "--role", "manager").returncode == 0
    return complaints


def steps(run, reference: str) -> list[str]:  # type: ignore[no-untyped-def]
    """What happened to the complaint, the staff's reads left out."""
    history = json.loads(run("show", reference, "--json").stdout)["history"]
    return [e["action"] for e in history if e["action"] != "personal_data_viewed"]


def paris_today() -> date:
    return datetime.now(ZoneInfo("Europe/Paris")).date()


def test_submit_prints_the_reference_and_due_dates(run) -> None:  # type: ignore[no-untyped-def]
    result = run(*SUBMIT, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["reference"] == f"REC-{paris_today().year}-000001"
    assert data["state"] == "received"
    due = datetime.fromisoformat(data["answer_by"]).astimezone(ZoneInfo("Europe/Paris"))
    assert due.date() == paris_today() + timedelta(days=15) and due.strftime("%H:%M") == "23:59"


def test_staff_record_phone_and_in_person_with_listed_values(run) -> None:  # type: ignore[no-untyped-def]
    args = ["--channel", "phone", "--region", "brittany", "--customer-type", "Professionnel"]
    data = json.loads(run(*SUBMIT, *args, "--json").stdout)
    shown = json.loads(run("show", data["reference"], "--json").stdout)
    assert (shown["channel"], shown["region"], shown["customer_type"]) == (
        "phone",
        "Bretagne",
        "professional",
    )
    assert run(*SUBMIT, "--channel", "in_person").returncode == 0


def test_a_letter_received_earlier_counts_from_its_day_of_receipt(run) -> None:  # type: ignore[no-untyped-def]
    received = paris_today() - timedelta(days=4)
    result = run(*SUBMIT, "--received-on", received.isoformat(), "--json")
    assert result.returncode == 0, result.stderr
    due = datetime.fromisoformat(json.loads(result.stdout)["answer_by"])
    assert due.astimezone(ZoneInfo("Europe/Paris")).date() == received + timedelta(days=15)
    shown = json.loads(run("show", json.loads(result.stdout)["reference"], "--json").stdout)
    first = shown["history"][0]
    assert first["at"] != first["recorded_at"]  # when it was received, and when recorded
    too_old = run(*SUBMIT, "--received-on", (paris_today() - timedelta(days=60)).isoformat())
    assert too_old.returncode == 1 and "more than 31 days ago" in too_old.stderr
    ahead = run(*SUBMIT, "--received-on", (paris_today() + timedelta(days=1)).isoformat())
    assert ahead.returncode == 1 and "in the future" in ahead.stderr
    assert len(json.loads(run("list", "--json").stdout)) == 1


def test_the_real_clock_cannot_be_moved(run) -> None:  # type: ignore[no-untyped-def]
    back = run(*SUBMIT, "--as-of", "2026-03-02T09:00")
    assert back.returncode == 1 and "use received_on" not in back.stdout
    assert back.stderr.strip() == (
        "error: a complaint is recorded now; give a letter's date with received_on"
    )
    reference = json.loads(run(*SUBMIT, "--json").stdout)["reference"]
    earlier = run(
        "analyse",
        reference,
        "--root-cause",
        "x",
        "--category",
        "delivery",
        "--founded",
        "--as-of",
        "2020-01-01T00:00",
    )
    assert earlier.returncode == 1 and "the complaint's last event is of" in earlier.stderr
    ahead = run("run-due", "--as-of", "2099-01-01T00:00")
    assert ahead.returncode == 1 and "in the future" in ahead.stderr
    assert steps(run, reference) == ["received"]


def test_who_acts_must_be_a_known_member(run) -> None:  # type: ignore[no-untyped-def]
    reference = json.loads(run(*SUBMIT, "--json").stdout)["reference"]
    stranger = run("escalate", reference, "--reason", "x", "--by", "Mallory")
    assert stranger.returncode == 1
    assert stranger.stderr.startswith("error: 'Mallory' is not an active staff member")
    run("staff", "revoke", "Camille")
    revoked = run("show", reference)
    assert revoked.returncode == 1 and "(revoked or expired)" in revoked.stderr


def test_show_and_list_read_back(run) -> None:  # type: ignore[no-untyped-def]
    reference = json.loads(run(*SUBMIT, "--json").stdout)["reference"]
    shown = json.loads(run("show", reference, "--json").stdout)
    assert shown["complainant"]["email"] == "marie@exemple.fr"
    assert shown["history"][0]["action"] == "received"
    assert [d["promise"] for d in shown["deadlines"]] == ["acknowledge", "answer", "referral"]
    again = json.loads(run("show", reference, "--json").stdout)
    read = again["history"][-1]  # the first read is in the history: who, when
    assert (read["action"], read["actor"]) == ("personal_data_viewed", "staff:Camille")
    [answer] = [d for d in again["deadlines"] if d["promise"] == "answer"]
    assert answer["explained"].startswith("15 jours calendaires à compter de la réception le")
    english = json.loads(run("show", reference, "--lang", "en", "--json").stdout)
    assert english["deadlines"][1]["explained"].startswith("15 calendar days from receipt on")
    assert "how it was computed" in run("show", reference).stdout
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
        (["--region", "Mars"], "region: 'Mars' is not one of: Auvergne-Rhône-Alpes, "),
        (["--customer-type", "martian"], "customer_type: 'martian' is not one of: individual, "),
        (["--name", "Marie \u202eLefèvre"], "name: contains an invisible or direction-changing"),
        (["--subject", "\u200b"], "subject: contains an invisible"),
        (["--name", "\u3164"], "name: has no visible character"),
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
    assert steps(run, reference) == ["received"]


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
    [roux] = [m for m in listed if m["name"] == "Camille Roux"]
    assert roux["role"] == "manager"
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
    assert result.returncode == 1 and "BREAK" in result.stdout
    assert "seal does not match" in result.stdout


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

"""What staff see of the complaints mailbox: the quarantine, in words in both languages, with
the originals to download (never shown inline); and the command line that takes .eml files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from complaints.api.web import create_web_app
from complaints.app import App
from complaints.cli import app as cli
from complaints.services import inbound, staff
from tests.web import csrf

MAIL = Path(__file__).parent / "mail"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_web_app(app)) as client:
        yield client


def test_the_quarantine_page_says_why_in_the_members_language(app: App, client: TestClient) -> None:
    only_files = (
        (MAIL / "pdf_attachment.eml")
        .read_bytes()
        .replace(b"Ci-joint la facture qui compte deux fois l'abonnement.", b"")
    )
    kept = inbound.take(app, only_files, source="imap", at=T0)
    inbound.take(app, (MAIL / "mailing_list.eml").read_bytes(), source="imap", at=T0)
    assert client.get("/staff/inbox", follow_redirects=False).status_code == 303
    token = staff.add(app=app, name="Nina", role="agent", days=36500)
    client.post("/staff/login", data={"token": token, "csrf": csrf(client.get("/staff").text)})
    page = client.get("/staff/inbox").text
    assert "Pièces jointes sans aucun texte" in page and "claire.dubois@exemple.fr" in page
    assert "only_files" not in page and "boîte IMAP" in page
    assert "Nos offres" not in page and "newsletter" not in page  # ignored, not set aside
    english = client.get("/staff/inbox?lang=en").text
    assert "Attachments without any text" in english and "IMAP mailbox" in english
    original = client.get(f"/staff/inbox/{kept.inbound_id}.eml")
    assert original.status_code == 200 and original.content == only_files
    assert original.headers["content-disposition"].startswith("attachment;")
    assert original.headers["x-content-type-options"] == "nosniff"
    assert client.get("/staff/inbox/999999.eml").status_code == 404


def test_the_command_line_takes_eml_files_once_and_lists_the_quarantine(
    app: App, tmp_path: Path
) -> None:
    runner = CliRunner()
    files = [str(MAIL / name) for name in ("windows_1252.eml", "out_of_office.eml")]
    taken = runner.invoke(cli, ["inbox", "take", *files])
    assert taken.exit_code == 0, taken.output
    assert "windows_1252.eml: new REC-" in taken.output
    assert "out_of_office.eml: ignored" in taken.output
    again = runner.invoke(cli, ["inbox", "take", files[0]])
    assert "(taken before)" in again.output
    everything = runner.invoke(cli, ["inbox", "list", "--all"])
    assert "Automatic" in everything.output and "automatic:" not in everything.output
    assert "nothing in the quarantine" in runner.invoke(cli, ["inbox", "list"]).output
    missing = runner.invoke(cli, ["inbox", "take", str(tmp_path / "none.eml")])
    assert missing.exit_code == 1 and "no such file" in missing.output
    assert "Traceback" not in missing.output
    out = tmp_path / "copy.eml"
    raw = runner.invoke(cli, ["inbox", "raw", "1", "--out", str(out)])
    assert raw.exit_code == 0 and out.read_bytes() == (MAIL / "windows_1252.eml").read_bytes()
    unknown = runner.invoke(cli, ["inbox", "raw", "99", "--out", str(out)])
    assert unknown.exit_code == 1 and "no received message 99" in unknown.output
    unconfigured = runner.invoke(cli, ["inbox", "read"])
    assert unconfigured.exit_code == 1 and "COMPLAINTS_IMAP_HOST" in unconfigured.output


def test_a_message_of_the_quarantine_is_taken_again_once_its_cause_is_fixed(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app.settings, "inbound_daily_cap", 1)
    first = (MAIL / "windows_1252.eml").read_bytes()
    second = first.replace(b"<0000A1B2C3D4@", b"<second-0000A1B2C3D4@")
    inbound.take(app, first, source="imap", at=T0)
    capped = inbound.take(app, second, source="imap", at=T0)
    assert capped.outcome.value == "capped"
    runner = CliRunner()
    refused = runner.invoke(cli, ["inbox", "retake", str(capped.inbound_id)])
    assert refused.exit_code == 1 and "quarantine" in refused.output  # capped: not quarantined
    monkeypatch.setattr(app.settings, "inbound_max_bytes", 100)  # too small for any message
    big = (MAIL / "pdf_attachment.eml").read_bytes()
    kept = inbound.take(app, big, source="imap", at=T0)
    assert kept.reason.startswith("too_large")
    monkeypatch.setattr(app.settings, "inbound_max_bytes", 25_000_000)  # the limit raised
    again = runner.invoke(cli, ["inbox", "retake", str(kept.inbound_id)])
    assert again.exit_code == 0 and "new REC-" in again.output
    assert "too_large" not in runner.invoke(cli, ["inbox", "list", "--json"]).output

"""Customers' files: kept once under their SHA-256, typed by their content, refused whole when
over a limit, sent with the web form, downloaded by the staff (never shown), listed in `show`,
named in the mediator's case file, erased with the person's data."""

from __future__ import annotations

import html
import json
import os
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from complaints import app as wiring
from complaints import files
from complaints.api.web import create_web_app
from complaints.app import App, build_app
from complaints.errors import FileRefused
from complaints.mail.sender import MemorySender
from complaints.models import Attachment, Complaint, Event
from complaints.services import attachments, automation, handling, rights, staff, taking
from complaints.services import intake as intake_service
from complaints.services.attachments import Upload
from complaints.services.views import show
from complaints.settings import get_settings
from tests.conftest import BACKENDS, intake, simulated
from tests.factories import answer, outbox
from tests.web import FORM, complaints_stored, csrf

ROOT = Path(__file__).parents[1]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200  # a Windows executable's start


def _png(seed: int = 0) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(bytes([0, seed % 256, 0, 0]))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = _png()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def app(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[App]:
    """An installation of its own: its var/ (and so its store) in tmp_path, the project's
    code of conduct and templates; the process's settings are its settings."""
    home = tmp_path / "home"
    home.mkdir()
    for part in ("config", "templates", "migrations"):
        (home / part).symlink_to(ROOT / part)
    monkeypatch.setenv("COMPLAINTS_HOME", str(home))
    monkeypatch.setenv("COMPLAINTS_DATABASE_URL", database_url)
    wiring.reset()
    built = simulated(build_app(get_settings(), MemorySender()))
    yield built
    built.db.dispose()
    wiring.reset()


def stored(app: App) -> list[Path]:
    """The files in the store."""
    return sorted(p for p in files.store(app.settings).rglob("*") if p.is_file())


def rows(app: App) -> list[Attachment]:
    with app.db.reader() as session:
        return list(session.scalars(select(Attachment).order_by(Attachment.id)))


def received(app: App, *uploads: Upload, **overrides: object) -> str:
    return intake_service.receive(
        app=app, intake=intake(**overrides), at=T0, files=list(uploads)
    ).reference


def complaint_id(app: App, reference: str) -> int:
    with app.db.reader() as session:
        return session.scalars(select(Complaint.id).where(Complaint.reference == reference)).one()


def add(app: App, reference: str, *uploads: Upload) -> list[Attachment]:
    with app.db.transaction() as session:
        return attachments.add_all(session, app, complaint_id(app, reference), uploads, at=T0)


def test_the_store_keeps_the_same_bytes_once_readable_by_its_owner_only(app: App) -> None:
    under = files.store(app.settings)
    first, second = files.put(PDF, under=under), files.put(PDF, under=under)
    assert first == second and len(first) == 64
    path = files.path_of(first, under=under)
    assert path == under / first[:2] / first and stored(app) == [path]
    assert files.read(first, under=under) == PDF
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    with pytest.raises(ValueError, match="not a SHA-256"):
        files.path_of("../../etc/passwd", under=under)


def test_two_complaints_with_the_same_file_share_one_copy(app: App) -> None:
    received(app, Upload("facture.pdf", PDF))
    received(app, Upload("copie.pdf", PDF), email="paul@exemple.fr")
    assert [r.filename for r in rows(app)] == ["facture.pdf", "copie.pdf"]
    assert len(stored(app)) == 1


def test_the_type_is_read_from_the_content_not_the_name(app: App) -> None:
    reference = received(app, Upload("scan.pdf", PNG))
    [row] = rows(app)
    assert (row.filename, row.content_type, row.size, row.source) == (
        "scan.pdf",
        "image/png",
        len(PNG),
        "web",
    )
    first = show(app=app, reference=reference)["history"][0]
    assert first["action"] == "received" and first["data"]["attachments"] == [row.id]


def test_a_program_renamed_pdf_is_refused_and_nothing_is_written(app: App) -> None:
    with pytest.raises(FileRefused, match=r"facture\.pdf: files of type application/x-dosexec"):
        received(app, Upload("facture.pdf", PNG), Upload("facture.pdf", PROGRAM))
    assert complaints_stored(app) == 0 and rows(app) == [] and stored(app) == []


def test_a_file_over_the_limit_is_refused_naming_the_file_and_the_limit(app: App) -> None:
    app.settings.attachment_max_bytes = 100
    with pytest.raises(FileRefused, match=r"scan\.png: a file is 1 kB at most") as refused:
        received(app, Upload("scan.png", PNG + b"\x00" * 100))
    assert (refused.value.kind, refused.value.limit) == ("too_large", 100)
    assert complaints_stored(app) == 0 and stored(app) == []


def test_a_complaints_limits_count_the_files_it_holds(app: App) -> None:
    app.settings.attachments_max_per_complaint = 2
    app.settings.attachments_max_total_bytes = len(PDF) + len(PNG) + 10
    reference = received(app, Upload("a.pdf", PDF))
    with pytest.raises(FileRefused, match="a complaint holds 2 files at most"):
        add(app, reference, Upload("b.png", PNG), Upload("c.png", _png(1)))
    with pytest.raises(FileRefused, match=r"d\.png: a complaint's files are") as refused:
        add(app, reference, Upload("d.png", PNG + b"\x00" * 11))
    assert refused.value.kind == "too_much"
    assert len(rows(app)) == 1 and len(stored(app)) == 1  # the refusals wrote nothing
    [second] = add(app, reference, Upload("b.png", PNG))
    assert second.content_type == "image/png" and len(stored(app)) == 2


def test_a_name_keeps_no_path_no_invisible_character_and_200_characters() -> None:
    assert attachments.clean_name("C:\\Users\\marie\\facture.pdf") == "facture.pdf"
    assert attachments.clean_name("../../etc/passwd") == "passwd"
    assert attachments.clean_name("facture\u202efdp.exe") == "facturefdp.exe"
    assert attachments.clean_name("a\x00b\r\nc.txt") == "abc.txt"
    assert attachments.clean_name(" .. ") == "fichier"
    long = attachments.clean_name("x" * 300 + ".pdf")
    assert len(long) == 200 and long.endswith("x.pdf")


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_web_app(app)) as client:
        yield client


def post_form(client: TestClient, sent: list[tuple[str, bytes]], lang: str = "fr") -> Any:
    page = client.get(f"/?lang={lang}").text
    assert 'enctype="multipart/form-data"' in page and 'type="file" multiple' in page
    return client.post(
        f"/?lang={lang}",
        data={**FORM, "csrf": csrf(page)},
        files=[("files", (name, data, "application/octet-stream")) for name, data in sent],
        follow_redirects=False,
    )


def test_the_web_form_takes_several_files_with_the_complaint(client: TestClient, app: App) -> None:
    sent = post_form(client, [("facture.pdf", PDF), ("photo colis.png", PNG)])
    assert sent.status_code == 303, sent.text
    assert [(r.filename, r.content_type) for r in rows(app)] == [
        ("facture.pdf", "application/pdf"),
        ("photo colis.png", "image/png"),
    ]
    with app.db.reader() as session:
        data = session.scalars(select(Event.data).where(Event.action == "received")).one()
    assert data["attachments"] == [r.id for r in rows(app)]


def test_the_web_form_without_files_still_works(client: TestClient, app: App) -> None:
    assert post_form(client, [("", b"")]).status_code == 303  # a file input left empty
    assert complaints_stored(app) == 1 and rows(app) == []


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("fr", "Le fichier « gros.pdf » dépasse 1 ko"),
        ("en", 'The file "gros.pdf" is over 1 kB'),
    ],
)
def test_a_file_over_the_limit_shows_the_form_again_and_stores_nothing(
    client: TestClient, app: App, lang: str, said: str
) -> None:
    app.settings.attachment_max_bytes = 1000
    refused = post_form(client, [("ok.png", PNG), ("gros.pdf", PDF + b" " * 1000)], lang)
    assert refused.status_code == 422 and said in html.unescape(refused.text)
    assert 'id="files-error"' in refused.text and 'value="Colis perdu"' in refused.text
    assert complaints_stored(app) == 0 and stored(app) == []


def test_the_web_form_says_every_error_at_once(client: TestClient, app: App) -> None:
    page = client.get("/").text
    refused = client.post(
        "/",
        data={**FORM, "name": "", "csrf": csrf(page)},
        files=[("files", ("setup.pdf", PROGRAM, "application/pdf"))],
    )
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    assert "Ce champ est obligatoire" in text and "n'est pas d'un type accepté" in text
    assert complaints_stored(app) == 0 and stored(app) == []


def test_staff_download_a_file_as_an_attachment_and_it_is_recorded(
    client: TestClient, app: App
) -> None:
    reference = received(app, Upload("reçu n°1.pdf", PDF))
    [row] = rows(app)
    address = f"/staff/complaints/{reference}/files/{row.id}"
    assert client.get(address, follow_redirects=False).status_code == 303  # not signed in
    token = staff.add(app=app, name="Zoé", role="agent")
    got = client.get(address, headers={"Authorization": f"Bearer {token}"})
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"] == (
        "attachment; filename=\"re_u n_1.pdf\"; filename*=UTF-8''re%C3%A7u%20n%C2%B01.pdf"
    )
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in got.headers["content-security-policy"]
    last = show(app=app, reference=reference)["history"][-1]
    assert (last["action"], last["actor"], last["data"]) == (
        "file_downloaded",
        "staff:Zoé",
        {"attachment": row.id},
    )
    other = received(app, email="paul@exemple.fr")
    elsewhere = client.get(
        f"/staff/complaints/{other}/files/{row.id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert elsewhere.status_code == 404  # a file is reached through its own complaint only


def test_the_staff_page_lists_the_files(client: TestClient, app: App) -> None:
    reference = received(app, Upload("facture.pdf", PDF), Upload("photo.png", PNG))
    token = staff.add(app=app, name="Zoé", role="agent")
    page = client.get(f"/staff/c/{reference}", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 200
    for row in rows(app):
        assert f'href="/staff/complaints/{reference}/files/{row.id}" download>' in page.text
    assert "facture.pdf" in page.text and "image/png" in page.text and "formulaire" in page.text


def test_show_lists_the_files(app: App) -> None:
    reference = received(app, Upload("facture.pdf", PDF))
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COMPLAINTS_")}
    environment.update(
        COMPLAINTS_HOME=str(app.settings.home),
        COMPLAINTS_DATABASE_URL=app.settings.database,
        COMPLAINTS_STAFF_NAME="Camille",
    )

    def run(*args: str) -> str:
        command = [sys.executable, "-m", "complaints", "show", reference, *args]
        done = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "Attachments" in run() and "facture.pdf" in run() and "application/pdf" in run()
    [listed] = json.loads(run("--json"))["attachments"]
    assert (listed["filename"], listed["size"], listed["source"]) == (
        "facture.pdf",
        len(PDF),
        "web",
    )


def in_analysis(app: App, *uploads: Upload, **overrides: object) -> str:
    reference = received(app, *uploads, **overrides)
    taking.run_step(app, automation.acknowledge, [reference], T0)
    taking.run_step(app, automation.start_analysis, [reference], T0)
    return reference


def test_the_mediator_case_names_the_files_with_consent_only(app: App) -> None:
    shared = in_analysis(app, Upload("facture Lefèvre.pdf", PDF), consent_share=True)
    withheld = in_analysis(
        app, Upload("facture Durand.pdf", PDF), email="paul@exemple.fr", consent_share=False
    )
    at = T0 + timedelta(days=1)
    for reference in (shared, withheld):
        handling.escalate(app=app, reference=reference, by="Lea", reason="demande", at=at)
    (full,) = outbox(app, shared, "mediator_case")
    assert "facture Lefèvre.pdf — PDF" in full.text_body and "sur simple demande" in full.text_body
    (case,) = outbox(app, withheld, "mediator_case")
    for text in (case.text_body, case.html_body):
        assert "Durand" not in text and "PDF" in text and "ne sont pas transmis" in text


def test_the_files_are_erased_with_the_persons_data(app: App) -> None:
    reference = in_analysis(app, Upload("passeport.pdf", PDF), Upload("photo.png", PNG))
    in_analysis(app, Upload("autre.png", PNG), email="paul@exemple.fr")  # the same photo
    answer(app, reference, T0 + timedelta(days=2))
    handling.close(app=app, reference=reference, by="Luc", reason="réglé", at=T0 + timedelta(3))
    kept = files.path_of(rows(app)[1].sha256, under=files.store(app.settings))
    gone = files.path_of(rows(app)[0].sha256, under=files.store(app.settings))
    rights.erase(app=app, email="marie.lefevre@exemple.fr", actor="Luc")
    erased = [r for r in rows(app) if r.complaint_id == complaint_id(app, reference)]
    assert [(r.filename, r.sha256, r.erased_at is not None) for r in erased] == [
        ("[anonymisé]", "", True),
        ("[anonymisé]", "", True),
    ]
    assert not gone.exists() and kept.exists()  # the photo is still another complaint's
    listed = show(app=app, reference=reference)["attachments"]
    assert [f["erased_at"] is not None for f in listed] == [True, True]
    with app.db.reader() as session:
        live = session.scalar(
            select(func.count()).select_from(Attachment).where(Attachment.erased_at.is_(None))
        )
    assert live == 1

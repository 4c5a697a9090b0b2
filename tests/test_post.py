"""Customers without e-mail: their messages are letters in a print tray, never handed to the
mail server; a letter is a real PDF carrying the reference and the tracking link, and its
promise is kept the day it is marked posted; on both databases."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from typer.testing import CliRunner

from complaints import outbox_queries, repository
from complaints.api.web import create_web_app
from complaints.app import App
from complaints.cli import app as cli
from complaints.errors import Conflict, NotFound
from complaints.mail.letters import Letter, letter_html
from complaints.mail.sink import MailSink
from complaints.services import automation, delivery, integrity, post, staff, taking, tracking
from complaints.services import intake as intake_service
from complaints.services.views import show
from tests import factories
from tests.conftest import BACKENDS, intake
from tests.factories import outbox
from tests.web import csrf

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADDRESS = "Bâtiment B, appartement 12\n4 allée des Tilleuls\n35000 Rennes"


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def by_phone(app: App, at: datetime = T0, **fields: str) -> str:
    """A phone complaint with a postal address and no e-mail, acknowledged at `at`."""
    given = intake(email="", channel="phone", postal_address=ADDRESS, **fields)
    reference = intake_service.receive(app=app, intake=given, at=at).reference
    taking.run_step(app, automation.acknowledge, [reference], at)
    return reference


def tracking_token(app: App, reference: str) -> str:
    with app.db.reader() as session:
        return repository.get(session=session, reference=reference).tracking_token


def deliver(app: App, reference: str, at: datetime) -> delivery.DeliveryReport:
    return asyncio.run(delivery.deliver(app=app, references=[reference], at=at))


def pdf_text(data: bytes, tmp_path: Path) -> str | None:
    """The PDF's text by poppler's pdftotext, when the machine has it."""
    if shutil.which("pdftotext") is None:
        return None
    (tmp_path / "letter.pdf").write_bytes(data)
    done = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "letter.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_the_acknowledgement_is_a_letter_in_the_tray_never_an_email(
    app: App, smtp: MailSink
) -> None:
    reference = by_phone(app)
    assert deliver(app, reference, T0 + timedelta(hours=1)).sent == 0
    assert smtp.messages == []
    with app.db.reader() as session:  # the dispatcher never wakes a sender for it
        assert outbox_queries.with_pending_mail(session=session, as_of=T0 + timedelta(1)) == []
    [letter] = post.tray(app=app)
    assert (letter.reference, letter.kind, letter.name) == (
        reference,
        "acknowledgement",
        "Marie Lefèvre",
    )
    assert "body" not in letter.plain()
    [row] = outbox(app, reference, "acknowledgement")
    assert (row.medium, row.recipient, row.status) == ("post", "", "pending")


def test_the_letter_is_a_pdf_with_the_reference_and_the_tracking_link(
    app: App, tmp_path: Path
) -> None:
    reference = by_phone(app)
    [letter] = post.tray(app=app)
    data = post.pdf(app=app, letter_id=letter.id)
    assert data.startswith(b"%PDF")
    link = f"{app.settings.public_base_url}/suivi/{tracking_token(app, reference)}"
    text = pdf_text(data, tmp_path)
    if text is not None:
        assert reference in text and link in text and "35000 Rennes" in text
        assert "Objet" in text and "2 mars 2026" in text and "Subject" not in text


def test_a_letter_in_english_says_nothing_in_french(app: App, tmp_path: Path) -> None:
    by_phone(app, language="en", subject="Parcel never delivered")
    data = post.pdf(app=app, letter_id=post.tray(app=app)[0].id)
    text = pdf_text(data, tmp_path)
    if text is not None:
        assert "Subject:" in text and "2 March 2026" in text and "Follow your complaint" in text
        assert "Objet" not in text and "Suivez" not in text


def test_the_rendered_page_carries_the_reference_the_link_and_the_addresses() -> None:
    letter = Letter(
        lang="fr",
        organisation="Exemple Services SA",
        organisation_address="12 rue de l'Exemple\n75002 Paris",
        name="Marie <Lefèvre>",
        postal_address=ADDRESS,
        dated=T0.date(),
        subject="Accusé de réception REC-2026-000001",
        reference="REC-2026-000001",
        tracking_url="https://exemple.fr/suivi/abc",
        html_body="<html><body><p>Bonjour</p></body></html>",
    )
    html = letter_html(Path("templates"), letter)
    assert "https://exemple.fr/suivi/abc" in html and html.count("REC-2026-000001") >= 3
    assert "Marie &lt;Lefèvre&gt;" in html and "4 allée des Tilleuls" in html
    assert "Le 2 mars 2026" in html and "<p>Bonjour</p>" in html


def test_the_promise_is_kept_the_day_the_letter_is_marked_posted(app: App) -> None:
    reference = by_phone(app)
    assert show(app=app, reference=reference)["acknowledgement_sent_at"] is None
    posted_at = T0 + timedelta(days=1, hours=2)
    [letter] = post.tray(app=app)
    done = post.mark_posted(app=app, letter_id=letter.id, by="Camille", at=posted_at)
    assert done.posted_at == posted_at
    data = show(app=app, reference=reference)
    assert data["acknowledgement_sent_at"] == posted_at.isoformat()
    assert data["history"][-1]["action"] == "letter_posted"
    assert data["history"][-1]["actor"] == "staff:Camille"
    assert post.tray(app=app) == []
    assert integrity.verify(app=app, reference=reference).breaks == []
    page = tracking.tracking(app=app, token=tracking_token(app, reference), at=posted_at)
    assert "Accusé de réception envoyé par courrier" in [h["what"] for h in page["history"]]


def test_the_answer_is_a_letter_too_and_its_promise_kept_when_posted(app: App) -> None:
    reference = by_phone(app)
    post.mark_posted(app=app, letter_id=post.tray(app=app)[0].id, by="Camille", at=T0)
    taking.run_step(app, automation.start_analysis, [reference], T0)
    factories.answer(app, reference, T0 + timedelta(days=3))
    [letter] = post.tray(app=app)
    assert letter.kind == "answer"
    assert show(app=app, reference=reference)["first_answer_sent_at"] is None
    posted_at = T0 + timedelta(days=4)
    post.mark_posted(app=app, letter_id=letter.id, by="Luc", at=posted_at)
    assert show(app=app, reference=reference)["first_answer_sent_at"] == posted_at.isoformat()


def test_a_letter_posted_twice_or_unknown_is_refused(app: App) -> None:
    reference = by_phone(app)
    [letter] = post.tray(app=app)
    post.mark_posted(app=app, letter_id=letter.id, by="Camille", at=T0 + timedelta(hours=1))
    with pytest.raises(Conflict, match="already posted"):
        post.mark_posted(app=app, letter_id=letter.id, by="Luc", at=T0 + timedelta(hours=2))
    with pytest.raises(NotFound):
        post.mark_posted(app=app, letter_id=999, by="Camille", at=T0 + timedelta(hours=2))
    email = intake_service.receive(app=app, intake=intake(), at=T0).reference
    taking.run_step(app, automation.acknowledge, [email], T0)
    [row] = outbox(app, email, "acknowledgement")
    with pytest.raises(NotFound):  # an e-mail is not a letter
        post.pdf(app=app, letter_id=row.id)
    assert len(outbox(app, reference, "acknowledgement")) == 1


def test_the_manager_is_still_alerted_by_email_when_a_letter_waits_too_long(
    app: App, smtp: MailSink
) -> None:
    reference = by_phone(app)
    late = T0 + timedelta(days=2)
    taking.run_step(app, automation.alert_overdue, [reference], late)
    assert deliver(app, reference, late).sent == 1
    assert [m["Subject"] for m in smtp.messages] == [
        outbox(app, reference, "manager_alert")[0].subject
    ]
    assert len(post.tray(app=app)) == 1


@pytest.fixture
def runner(app: App) -> CliRunner:
    return CliRunner()


def test_the_command_line_records_lists_prints_and_marks_posted(
    app: App, runner: CliRunner, tmp_path: Path
) -> None:
    submitted = runner.invoke(
        cli,
        [
            "submit",
            *("--name", "Jean Martin", "--channel", "letter"),
            *("--postal-address", "3 rue Haute\\n29000 Quimper"),
            *("--subject", "Facture fausse", "--description", "Deux fois débité."),
            *("--product", "Box Fibre", "--region", "Bretagne"),
            *("--as-of", T0.isoformat(), "--json"),
        ],
    )
    assert submitted.exit_code == 0, submitted.output
    reference = submitted.output.split('"reference": "')[1].split('"')[0]
    taking.run_step(app, automation.acknowledge, [reference], T0)
    listed = runner.invoke(cli, ["post"])
    assert reference in listed.output and "acknowledgement" in listed.output
    letter_id = str(post.tray(app=app)[0].id)
    target = tmp_path / "out.pdf"
    assert runner.invoke(cli, ["post", "pdf", letter_id, "--out", str(target)]).exit_code == 0
    assert target.read_bytes().startswith(b"%PDF")
    at = (T0 + timedelta(hours=3)).isoformat()
    done = runner.invoke(cli, ["post", "posted", letter_id, "--by", "Alice", "--as-of", at])
    assert done.exit_code == 0 and "posted" in done.output
    again = runner.invoke(cli, ["post", "posted", letter_id, "--by", "Alice", "--as-of", at])
    assert again.exit_code == 1 and "already posted" in again.output
    assert "No letter to post." in runner.invoke(cli, ["post", "list"]).output


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_web_app(app)) as client:
        yield client


def signed_in(client: TestClient, app: App) -> None:
    token = staff.add(app=app, name="Camille", role="agent", days=36500)
    login = client.get("/staff")
    client.post("/staff/login", data={"token": token, "csrf": csrf(login.text)})


def test_the_staff_page_downloads_and_marks_posted(app: App, client: TestClient) -> None:
    # The page marks a letter posted now: the complaint is recorded shortly before.
    reference = by_phone(app, at=datetime.now(UTC) - timedelta(hours=2))
    assert client.get("/staff/post", follow_redirects=False).status_code == 303
    signed_in(client, app)
    page = client.get("/staff/post")
    assert reference in page.text and "Marquer posté" in page.text
    assert "Mark posted" in client.get("/staff/post?lang=en").text
    letter_id = post.tray(app=app)[0].id
    pdf = client.get(f"/staff/post/{letter_id}.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"] == f'attachment; filename="courrier-{letter_id}.pdf"'
    mark = f"/staff/post/{letter_id}/posted"
    assert client.post(mark, data={"csrf": "forged"}).status_code == 403
    done = client.post(mark, data={"csrf": csrf(page.text)})
    assert done.status_code == 200 and "marqué posté" in done.text
    assert "Aucun courrier à poster." in done.text
    again = client.post(mark, data={"csrf": csrf(client.get("/staff").text)})
    assert again.status_code == 409 and "déjà marqué posté" in again.text
    assert show(app=app, reference=reference)["acknowledgement_sent_at"] is not None
    page = client.get(f"/staff/c/{reference}").text  # the address as it is written on a letter
    assert "4 allée des Tilleuls\n35000 Rennes" in page


def test_a_web_complaint_without_email_is_refused_clearly(client: TestClient) -> None:
    body = {**intake(email="x@exemple.fr").model_dump(mode="json"), "email": ""}
    body.update(channel="web", postal_address=ADDRESS, consent_contact=False)
    refused = client.post("/api/complaints", json=body)
    assert refused.status_code == 422
    [error] = refused.json()["detail"]
    assert error["loc"] == ["body", "email"]
    assert "answered by e-mail" in error["msg"]


def test_only_a_staff_channel_with_a_postal_address_may_go_without_email() -> None:
    given = intake(
        email=" ", channel="letter", postal_address="  3 rue Haute \r\n\r\n29000 Quimper"
    )
    assert (given.email, given.postal_address) == ("", "3 rue Haute\n29000 Quimper")
    with pytest.raises(ValidationError, match="e-mail address or a postal address"):
        intake(email="", channel="phone")
    with pytest.raises(ValidationError, match="a web complaint is answered by e-mail"):
        intake(email="", channel="web", postal_address=ADDRESS)
    with pytest.raises(ValidationError, match="control characters"):
        intake(email="", channel="phone", postal_address="3 rue\x07 Haute")

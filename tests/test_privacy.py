"""Personal data: consent, what the mediator gets, anonymisation, the person's rights."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from complaints.app import App
from complaints.errors import NotFound, RuleViolation
from complaints.intake import Rectification
from complaints.models import Complaint
from complaints.reporting.figures import overview
from complaints.reporting.sql import Scope
from complaints.services import automation, handling, privacy, rights, taking, tracking
from complaints.services import intake as intake_service
from complaints.services.integrity import verify
from complaints.services.views import show
from tests.conftest import BACKENDS, intake
from tests.factories import answer, outbox

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PERSONAL = ["Marie Lefèvre", "marie.lefevre@exemple.fr", "06 12 34 56 78", "Colis jamais livré"]
ACCOUNT = "Le transporteur dit que le colis est livré"


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def in_analysis(app: App, **overrides: object) -> str:
    reference = intake_service.receive(app=app, intake=intake(**overrides), at=T0).reference
    taking.run_step(app, automation.acknowledge, [reference], T0)
    taking.run_step(app, automation.start_analysis, [reference], T0)
    return reference


def closed(app: App, at: datetime = T0, **overrides: object) -> str:
    reference = in_analysis(app, **overrides)
    answer(app, reference, at + timedelta(days=2))
    handling.close(app=app, reference=reference, by="Luc", reason="réglé", at=at + timedelta(3))
    return reference


def token_of(app: App, reference: str) -> str:
    with app.db.reader() as session:
        return session.scalars(
            select(Complaint.tracking_token).where(Complaint.reference == reference)
        ).one()


def stored_text(path: Path) -> str:
    """Everything the SQLite file holds, as SQL text."""
    import sqlite3

    with sqlite3.connect(path) as connection:
        return "\n".join(connection.iterdump())


def test_consent_is_asked_not_assumed_and_recorded(fake_app: App) -> None:
    assert intake().consent_contact and not intake(consent_contact=False).consent_contact
    reference = in_analysis(fake_app, consent_contact=False, consent_share=True)
    data = show(app=fake_app, reference=reference)
    received = data["history"][0]
    assert received["action"] == "received"
    assert received["data"]["consent"] == {"contact": False, "share": True}


def test_the_mediator_gets_only_what_the_customer_agreed_to_share(fake_app: App) -> None:
    withheld = in_analysis(fake_app, consent_share=False)
    shared = in_analysis(fake_app, email="paul@exemple.fr", consent_share=True)
    for reference in (withheld, shared):
        handling.escalate(app=fake_app, reference=reference, by="Lea", reason="demande", at=day(1))
    (case,) = outbox(fake_app, withheld, "mediator_case")
    for text in (case.text_body, case.html_body):
        assert all(item not in text for item in [*PERSONAL, ACCOUNT])
        assert "non transmises" in text and "identité et coordonnées" in text
    referral = show(app=fake_app, reference=withheld)["history"][-1]
    assert referral["data"]["withheld"] == [
        "identity",
        "contact_details",
        "subject",
        "account",
        "desired_outcome",
        "answer_texts",
        "comments",
    ]
    (full,) = outbox(fake_app, shared, "mediator_case")
    assert "Marie Lefèvre" in full.text_body and ACCOUNT in full.text_body
    assert "non transmises" not in full.text_body


def test_no_survey_mail_without_consent_the_question_waits_on_the_tracking_page(
    fake_app: App,
) -> None:
    reference = in_analysis(fake_app, consent_contact=False)
    answer(fake_app, reference, day(1))
    taking.run_step(fake_app, automation.send_survey, [reference], day(9))
    assert outbox(fake_app, reference, "survey") == []
    data = show(app=fake_app, reference=reference)
    assert data["state"] == "awaiting_feedback"
    page = tracking.tracking(app=fake_app, token=token_of(fake_app, reference))
    assert page["survey_path"] and page["survey_path"].startswith("/avis/")


def test_anonymisation_keeps_the_statistics_and_the_chain_and_erases_the_person(
    fake_app: App, tmp_path: Path
) -> None:
    old = closed(fake_app, T0)
    young = closed(
        fake_app,
        day(400),
        email="paul@exemple.fr",
        name="Paul Durand",
        phone="07 11 22 33 44",
        subject="Carton abîmé",
        description="Livré dans un carton déchiré.",
    )
    scope = Scope(since=T0 - timedelta(days=1), until=day(500))
    before = overview(app=fake_app, scope=scope, now=day(500))
    token = token_of(fake_app, old)
    as_of = day(3 * 365 + 10)  # the old one closed over three years ago, the young one not
    assert privacy.expired(app=fake_app, as_of=as_of) == [old]
    outcome = privacy.anonymise_expired(app=fake_app, references=[old, young], as_of=as_of)
    assert outcome == {old: "anonymised", young: "skipped"}
    after = overview(app=fake_app, scope=scope, now=day(500))
    assert {k: after[k] for k in ("total", "by", "answer_days")} == {
        k: before[k] for k in ("total", "by", "answer_days")
    }
    assert verify(app=fake_app).breaks == []
    with pytest.raises(NotFound):
        tracking.tracking(app=fake_app, token=token)
    data = show(app=fake_app, reference=old)
    assert data["history"][-1]["action"] == "anonymised"
    assert data["history"][-1]["reason"] == "retention: closed more than 3 year(s) ago"
    assert data["product"] == "Box Fibre" and data["category"] == "delivery"
    stored = stored_text(tmp_path / "unit.db")
    assert "Paul Durand" in stored  # the young complaint keeps its data
    for item in [*PERSONAL, ACCOUNT]:
        assert item not in stored, item
    assert privacy.anonymise_expired(app=fake_app, references=[old], as_of=as_of) == {
        old: "skipped"
    }


def test_export_gives_everything_held_and_is_logged(fake_app: App) -> None:
    reference = closed(fake_app)
    data = rights.export(app=fake_app, email="MARIE.lefevre@exemple.fr", actor="Dana")
    assert data["people"] == [
        {
            "name": "Marie Lefèvre",
            "email": "marie.lefevre@exemple.fr",
            "phone": "06 12 34 56 78",
            "language": "fr",
        }
    ]
    (complaint,) = data["complaints"]
    assert complaint["reference"] == reference and ACCOUNT in complaint["description"]
    assert complaint["answers"][0]["message"] == "Voici notre réponse."
    assert {m["kind"] for m in complaint["emails"]} >= {"acknowledgement", "answer"}
    last = show(app=fake_app, reference=reference)["history"][-1]
    assert (last["action"], last["actor"]) == ("personal_data_exported", "staff:Dana")
    with pytest.raises(NotFound):
        rights.export(app=fake_app, email="nobody@exemple.fr", actor="Dana")


def test_rectify_changes_the_details_and_pending_mail_follows(fake_app: App) -> None:
    reference = in_analysis(fake_app)
    answer(fake_app, reference, day(1))  # the answer e-mail is pending (not delivered here)
    correction = Rectification(name="Marie Lefebvre", email="marie@nouveau.fr")
    assert rights.rectify(
        app=fake_app, email="marie.lefevre@exemple.fr", actor="Dana", correction=correction
    ) == [reference]
    data = show(app=fake_app, reference=reference)
    assert data["complainant"]["name"] == "Marie Lefebvre"
    assert data["history"][-1]["data"] == {"fields": ["email", "name"]}
    (pending,) = outbox(fake_app, reference, "answer")
    assert (pending.recipient, pending.recipient_name) == ("marie@nouveau.fr", "Marie Lefebvre")
    with pytest.raises(ValidationError):
        Rectification(email="pas-une-adresse")
    with pytest.raises(RuleViolation):
        rights.rectify(
            app=fake_app, email="marie@nouveau.fr", actor="D", correction=Rectification()
        )


def test_erase_is_refused_while_open_then_anonymises(fake_app: App, tmp_path: Path) -> None:
    reference = in_analysis(fake_app)
    before = stored_text(tmp_path / "unit.db")
    with pytest.raises(RuleViolation, match=f"{reference} still being handled"):
        rights.erase(app=fake_app, email="marie.lefevre@exemple.fr", actor="Dana")
    assert stored_text(tmp_path / "unit.db") == before  # nothing changed
    answer(fake_app, reference, day(1))
    handling.close(app=fake_app, reference=reference, by="Luc", reason="réglé", at=day(2))
    assert rights.erase(
        app=fake_app, email="marie.lefevre@exemple.fr", actor="Dana", reason="demande 42"
    ) == [reference]
    stored = stored_text(tmp_path / "unit.db")
    for item in [*PERSONAL, ACCOUNT, "Voici notre réponse", "Erreur de tri", "réglé"]:
        assert item not in stored, item
    last = show(app=fake_app, reference=reference)["history"][-1]
    assert last["action"] == "anonymised" and "GDPR art. 17" in last["reason"]
    assert "legitimate interest" in last["data"]["why_kept"]
    assert verify(app=fake_app).breaks == []
    with pytest.raises(NotFound):
        rights.erase(app=fake_app, email="marie.lefevre@exemple.fr", actor="Dana")


def test_rights_through_the_staff_api_need_the_manager_role(fake_app: App) -> None:
    from fastapi.testclient import TestClient

    from complaints.api.web import create_web_app
    from complaints.services import staff

    reference = closed(fake_app)
    agent = {"Authorization": f"Bearer {staff.add(app=fake_app, name='Camille', role='agent')}"}
    manager = {"Authorization": f"Bearer {staff.add(app=fake_app, name='Luc', role='manager')}"}
    person = {"email": "marie.lefevre@exemple.fr"}
    with TestClient(create_web_app(fake_app)) as client:
        assert (
            client.post("/api/staff/persons/export", json=person, headers=agent).status_code == 403
        )
        exported = client.post("/api/staff/persons/export", json=person, headers=manager)
        assert exported.status_code == 200
        assert exported.json()["complaints"][0]["reference"] == reference
        bad = client.post(
            "/api/staff/persons/rectify",
            json={**person, "correction": {"phone": "appelez-moi"}},
            headers=manager,
        )
        assert bad.status_code == 422
        unknown = client.post(
            "/api/staff/persons/erase", json={"email": "x@exemple.fr"}, headers=manager
        )
        assert unknown.status_code == 404
        erased = client.post("/api/staff/persons/erase", json=person, headers=manager)
        assert erased.json() == {"references": [reference]}
    assert show(app=fake_app, reference=reference)["complainant"]["name"] == ""


@pytest.mark.parametrize("backend", BACKENDS)
def test_rights_and_retention_on_each_database(app: App) -> None:
    """The same locks and updates on PostgreSQL as on SQLite (row locks over joins differ)."""
    old = closed(app, T0)
    young = closed(app, day(400), email="paul@exemple.fr")
    later = day(404)  # this world's clock is simulated: its steps are dated after its history
    assert rights.export(app=app, email="paul@exemple.fr", actor="Dana", at=later)["complaints"]
    assert rights.rectify(
        app=app,
        email="paul@exemple.fr",
        actor="Dana",
        correction=Rectification(name="Paul D."),
        at=later,
    ) == [young]
    assert rights.erase(app=app, email="paul@exemple.fr", actor="Dana", at=later) == [young]
    as_of = day(3 * 365 + 10)
    assert privacy.anonymise_expired(app=app, references=[old], as_of=as_of) == {old: "anonymised"}
    assert verify(app=app).breaks == []
